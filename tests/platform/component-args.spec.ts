import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { AlertmanagerConfigSecret } from "../../components/alerting/alertmanager";
import { BlueGreenApp, secretStringData } from "../../components/apps";
import { alertmanagerConfigArgs, appNamedSecrets, blueGreenAppArgs } from "../../components/platform/component-args";
import { useMockStack } from "../../plan/mocks";
import { recordRegistrations } from "../../plan/run-program";
import { configSecretEnv } from "../../stacks/apps-schema";
import { loadConfig } from "../../stacks/load";
import type { PlatformConfig } from "../../stacks/platform-config";
import { engineConfig, secretSentinel, STACKS, type StackName } from "../harness";

/**
 * A component takes the slice of PlatformConfig it uses; an app receives the secrets it names, not the stack's.
 * The config is the one loadConfig builds from a committed stack file whose secrets are decrypted to
 * sentinels, so every secret of the stack is a distinct Output and a distinct text.
 */

/** Every secret the stack holds, by config key. */
function stackSecrets(config: PlatformConfig): Record<string, pulumi.Output<string>> {
  return { ...config.secrets, ...config.appSecrets, ...config.cacheSecrets } as Record<string, pulumi.Output<string>>;
}

/** The config keys of the stack's secrets found anywhere in `value` (by Output identity); an unknown Output fails. */
function secretKeysIn(value: unknown, config: PlatformConfig): string[] {
  const keyOf = new Map<unknown, string>(Object.entries(stackSecrets(config)).map(([key, output]) => [output, key]));
  const found = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (node: unknown, path: string): void => {
    if (node === null || typeof node !== "object" || seen.has(node)) return;
    seen.add(node);
    if (pulumi.Output.isInstance(node)) {
      expect(keyOf.has(node), `${path}: an Output that is not one of the stack's secrets`).to.equal(true);
      found.add(keyOf.get(node)!);
      return;
    }
    for (const [key, child] of Object.entries(node)) walk(child, `${path}.${key}`);
  };
  walk(value, "args");
  return [...found].sort();
}

/** The stack files disable default providers, as the program's root passes its own down. */
const explicitKubernetes = (): pulumi.ComponentResourceOptions => ({ providers: { kubernetes: new k8s.Provider("cluster", {}) } });

/**
 * The inputs of every resource `create` registers (children included), with every Output resolved, as JSON by
 * resource name: secrets included, which the recorded plan masks. Read through a transformation, which sees
 * each child's arguments before they are serialised.
 */
async function childInputs(stack: StackName, create: (config: PlatformConfig, opts: pulumi.ComponentResourceOptions) => unknown): Promise<Record<string, string>> {
  const seen: { name: string; props: Record<string, unknown> }[] = [];
  const capture: pulumi.ResourceTransformation = (args) => {
    if (args.type.startsWith("kubernetes:") || args.type.startsWith("random:")) seen.push({ name: args.name, props: args.props });
    return undefined;
  };
  await recordRegistrations(stack, () => {
    const config = loadedConfig(stack);
    create(config, { ...explicitKubernetes(), transformations: [capture] });
  });
  const texts = await Promise.all(seen.map(({ props }) => new Promise<string>((resolve) => pulumi.output(props).apply((plain) => resolve(JSON.stringify(plain))))));
  return Object.fromEntries(seen.map(({ name }, i) => [name, texts[i]]));
}

const ALL_SECRET_KEYS = ["apiDatabaseUrl", "heartbeatUrl", "pagerdutyRoutingKey", "redisSessionsPassword", "sentryDsn", "slackWebhookUrl", "smtpPassword"];

/** The config keys whose sentinel (the decrypted stand-in of engineConfig) appears in `text`. */
function sentinelsIn(text: string): string[] {
  return ALL_SECRET_KEYS.filter((key) => text.includes(secretSentinel(`platform:${key}`)));
}

function loadedConfig(stack: StackName): PlatformConfig {
  const { values, secretKeys } = engineConfig(stack);
  useMockStack(stack, values, secretKeys);
  return loadConfig();
}

const RECEIVER_KEYS = ["heartbeatUrl", "pagerdutyRoutingKey", "slackWebhookUrl", "smtpPassword"];
const ROUTING_KEYS = ["alertEmailFrom", "alertEmailTo", "alertRouting", "clusterName", "environment", "pagerdutyEnabled", "slackChannel", "smtpSmarthost"];

describe("component arguments carry only what the component uses", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      let config: PlatformConfig;
      before(() => {
        config = loadedConfig(stack);
      });

      it("the stack holds secrets beyond any one component's (so the checks below can fail)", () => {
        // Staging has no cache, so no Redis password; each stack still holds secrets no single component needs.
        expect(Object.keys(stackSecrets(config)).sort()).to.deep.equal(ALL_SECRET_KEYS.filter((key) => stack === "production" || key !== "redisSessionsPassword"));
      });

      it("AlertmanagerConfigSecret gets the routing settings and the four receiver credentials, nothing else of the config", () => {
        const args = alertmanagerConfigArgs(config);
        expect(Object.keys(args).sort()).to.deep.equal(["alerts", "namespace", "routing", "secrets"]);
        expect(Object.keys(args.routing).sort()).to.deep.equal(ROUTING_KEYS);
        expect(Object.keys(args.secrets).sort()).to.deep.equal(RECEIVER_KEYS);
        expect(secretKeysIn(args, config)).to.deep.equal(RECEIVER_KEYS);
        for (const key of RECEIVER_KEYS) expect(args.secrets[key as keyof typeof args.secrets], key).to.equal(stackSecrets(config)[key]);
      });

      it("the Alertmanager Secret holds the receiver credentials and no other secret of the stack", async () => {
        const inputs = await childInputs(stack, (loaded, opts) => new AlertmanagerConfigSecret("alertmanager-config", alertmanagerConfigArgs(loaded), opts));
        expect(Object.keys(inputs)).to.deep.equal(["alertmanager-config-secret"]);
        // Staging never pages, so its configuration has no PagerDuty receiver to put the key in.
        expect(sentinelsIn(inputs["alertmanager-config-secret"])).to.deep.equal(RECEIVER_KEYS.filter((key) => stack === "production" || key !== "pagerdutyRoutingKey"));
      });

      it("each app gets exactly the secrets its secretEnv names, the stack's own Outputs", () => {
        expect(config.apps.map((app) => app.name)).to.deep.equal(["api"]);
        for (const app of config.apps) {
          const args = blueGreenAppArgs(config, app);
          expect(Object.keys(args.secrets).sort(), app.name).to.deep.equal(["apiDatabaseUrl", "sentryDsn"]);
          expect(secretKeysIn(args, config), app.name).to.deep.equal(["apiDatabaseUrl", "sentryDsn"]);
          for (const key of Object.values(configSecretEnv(app))) expect(args.secrets[key], key).to.equal(stackSecrets(config)[key]);
        }
      });

      it("an app's resources hold the secrets it names, in its env Secret, and no other secret of the stack", async () => {
        const inputs = await childInputs(stack, (loaded, opts) => loaded.apps.map((app) => new BlueGreenApp(`app-${app.name}`, blueGreenAppArgs(loaded, app), opts)));
        const holding = Object.entries(inputs).filter(([, text]) => sentinelsIn(text).length > 0);
        expect(holding.map(([name]) => name)).to.deep.equal(["app-api-env"]);
        expect(sentinelsIn(holding[0][1])).to.deep.equal(["apiDatabaseUrl", "sentryDsn"]);
        expect(Object.keys(inputs), "every child of the app was read").to.include.members(["app-api-blue", "app-api-green", "app-api-gate", "app-api-active"]);
      });

      it("a secret the app names but the stack lacks still fails with its key and the command that sets it", () => {
        const app = config.apps[0];
        const { apiDatabaseUrl: _unset, ...appSecrets } = config.appSecrets;
        const secrets = appNamedSecrets({ secrets: config.secrets, appSecrets }, app);
        expect(Object.keys(secrets).sort()).to.deep.equal(["apiDatabaseUrl", "sentryDsn"]);
        expect(() => secretStringData(app, secrets)).to.throw(
          'app "api": secretEnv.DATABASE_URL reads the secret apiDatabaseUrl, which is not set: pulumi config set --secret apiDatabaseUrl <value>',
        );
      });
    });
  }
});
