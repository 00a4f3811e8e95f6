import { expect } from "chai";
import type { RecordedResource } from "../../plan/mocks";
import { toolsDir } from "../../plan/tools";
import { type PlanRecord, runProgram } from "../../plan/run-program";
import { SECRET_CHECKSUM_ANNOTATION } from "../../components/core/secret-checksum";
import { type Color, configSecretEnv, secretsManagerEnv } from "../../stacks/apps-schema";
import { grafanaHostname } from "../../stacks/schema";
import { type ApiServer, sharedApiServer } from "../cluster/fixtures/api-server";
import { committedSettings, engineConfig, secretSentinel, type StackName, STACKS } from "../harness";
import { changedConfig, type ConfigChange, engineChanges, offlineChanges, opsOf } from "./fixtures/changes";
import { completeJobs, crdsOfComposedKinds, differencesFromPlan, finishingDeletedNamespaces, kubectlGet, type LiveObject, madeByEngine, objectId, plannedObjects } from "./fixtures/cluster-state";
import { type EngineRun, EngineStack, isApiServerRepairWarning, skipWithoutEngine } from "./fixtures/engine";
import { composeKubernetesPart, keyOfUrn, LEFT_OUT, planKubernetesPart, resourceKey, WITHOUT_KUBELET_ANNOTATIONS } from "./fixtures/kubernetes-part";

/**
 * The real Pulumi engine (CLI v3.274.1 with pulumi-resource-kubernetes 4.24.0+, built by .ci/build-tools)
 * runs the program's Kubernetes part against the test kube-apiserver: preview, up, the objects read back
 * with kubectl, config changes previewed against the offline `--diff`, a blue-green promotion, destroy.
 */

/** What the engine says on every run here, and nothing else: plugins come from PATH, never downloaded. */
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const EXPECTED_WARNINGS = [
  new RegExp(`^using pulumi-resource-kubernetes from \\$PATH at ${escaped(toolsDir())}/pulumi-resource-kubernetes$`),
  /^resource plugin kubernetes is expected to have version >=4\.34\.2, but has 4\.24\.0; /,
  /^using pulumi-resource-random from \$PATH at \S+\/tests\/engine\/fixtures\/random-stand-in\/pulumi-resource-random$/,
];

function expectOnlyKnownWarnings(run: EngineRun, what: string): void {
  const unexpected = run.diagnostics.filter((d) => !isApiServerRepairWarning(d) && (d.severity === "error" || !EXPECTED_WARNINGS.some((re) => re.test(d.message))));
  expect(unexpected, `${what}: engine diagnostics besides the plugin notices`).to.deep.equal([]);
}

const other = (c: Color): Color => (c === "blue" ? "green" : "blue");

/** Every config change the comparison runs: a blue-green promotion, a new image, a quota, a rotated secret. */
function configChanges(stack: StackName): Record<"colourFlip" | "imageBump" | "quotaChange" | "secretRotation", ConfigChange> {
  const settings = committedSettings(stack);
  const app = settings.apps[0];
  const image = app.images[app.activeColor];
  const apps = settings.namespaces.findIndex((ns) => ns.name === app.namespace);
  return {
    colourFlip: { title: `activeColor ${app.activeColor} → ${other(app.activeColor)}`, key: "platform:apps[0].activeColor", value: other(app.activeColor) },
    imageBump: {
      title: `a new image for the active colour (${app.activeColor})`,
      key: `platform:apps[0].images.${app.activeColor}`,
      value: image.replace(/(\d+)$/, (patch) => String(Number(patch) + 1)),
    },
    quotaChange: {
      title: `the ${app.namespace} namespace's pod quota +1`,
      key: `platform:namespaces[${apps}].quota.pods`,
      value: String(settings.namespaces[apps].quota.pods + 1),
    },
    secretRotation: { title: "a rotated sentryDsn (pulumi config set --secret)", key: "platform:sentryDsn", value: secretSentinel("platform:sentryDsn-rotated"), secret: true },
  };
}

/** The secrets the engine runs here were given (and the rotated one) that `run` showed in plain text. */
function secretsShown(stack: StackName, run: EngineRun): string[] {
  const sentinels = [...engineConfig(stack).secretKeys, "platform:sentryDsn-rotated"].map(secretSentinel);
  return sentinels.filter((sentinel) => run.printed.includes(sentinel));
}

/** The kinds of objects a record holds, for one kubectl call. */
const kindsOf = (objects: readonly RecordedResource[]) => objects.map((r) => ({ apiVersion: String(r.inputs.apiVersion), kind: String(r.inputs.kind) }));

const plannedId = (r: RecordedResource) => objectId(r.inputs as { kind: string; metadata: { name?: string; namespace?: string } });

// The pod templates' secret checksum is keyed with a random salt, which the plan cannot know.
const SALTED = new Set([`spec.template.metadata.annotations.${SECRET_CHECKSUM_ANNOTATION}`]);

/** The name the engine gives the default provider of a package the stack does not disable (random here). */
const defaultProvider = (pkg: string, version: string) => resourceKey(`pulumi:providers:${pkg}`, `default_${version.replace(/\./g, "_")}`);
const RANDOM_VERSION = (require("@pulumi/random/package.json") as { version: string }).version;

/**
 * The cluster holds exactly the planned objects among those the engine made, each with every planned value
 * (plus the test's kubelet-less annotations); Secrets hold the stand-in secret values the stack was given.
 */
async function expectClusterMatchesPlan(server: ApiServer, part: PlanRecord): Promise<LiveObject[]> {
  const planned = plannedObjects(part.resources);
  const live = madeByEngine(await kubectlGet(server, kindsOf(planned)));
  expect(live.map(objectId).sort(), "objects the engine made").to.deep.equal(planned.map(plannedId).sort());
  const byId = new Map(live.map((o) => [objectId(o), o]));
  const differences = planned.flatMap((r) => {
    const object = byId.get(plannedId(r))!;
    const { stringData, ...inputs } = r.inputs;
    const expected = { ...inputs, metadata: { ...(inputs.metadata as object), annotations: { ...((inputs.metadata as any).annotations ?? {}), ...WITHOUT_KUBELET_ANNOTATIONS } } };
    const found = differencesFromPlan(expected, object, SALTED).map((d) => `${plannedId(r)}: ${d}`);
    // The API server turns stringData into base64 data.
    if (stringData && stringData !== "[secret]") {
      for (const [key, value] of Object.entries(stringData as Record<string, string>)) {
        if (value === "[secret]") continue;
        const decoded = Buffer.from(object.data?.[key] ?? "", "base64").toString("utf8");
        if (decoded !== value) found.push(`${plannedId(r)}: data.${key} is ${JSON.stringify(decoded)}, planned ${JSON.stringify(value)}`);
      }
    }
    return found;
  });
  expect(differences, "planned values missing from the live objects").to.deep.equal([]);
  return live;
}

/** The job controller's work for every Job the engine made and nobody finished yet: the gates passed. */
const completeEngineJobs = async (server: ApiServer) => completeJobs(server, madeByEngine(await kubectlGet(server, [{ apiVersion: "batch/v1", kind: "Job" }])));

const secretValue = (live: readonly LiveObject[], namespace: string, name: string, key: string) => {
  const secret = live.find((o) => o.kind === "Secret" && o.metadata.namespace === namespace && o.metadata.name === name);
  expect(secret, `Secret ${namespace}/${name}`).to.not.equal(undefined);
  return Buffer.from(secret!.data[key], "base64").toString("utf8");
};

// Needs no engine: runs wherever the offline plan runs.
describe("the composition the engine tests run (tests/engine/fixtures/kubernetes-part.ts)", () => {
  for (const stack of STACKS) {
    it(`${stack}: holds every resource of the program with the program's URN and inputs, but the ones left out for a reason`, async () => {
      const config = engineConfig(stack);
      // The charts' rendered objects all sit under MonitoringStack, and rendering needs helm (a Go build).
      const program = await runProgram(stack, { config, renderCharts: false });
      const part = await planKubernetesPart(stack, config);
      const byUrn = new Map(program.resources.map((r) => [r.urn, r]));
      const typeOf = (urn: string | undefined) => (urn ? byUrn.get(urn)?.type : undefined);
      const ancestors = (r: RecordedResource): string[] => {
        const chain: string[] = [];
        for (let p = r.parent; p && byUrn.has(p); p = byUrn.get(p)!.parent) chain.unshift(typeOf(p)!);
        return chain;
      };
      expect(part.resources.filter((r) => !byUrn.has(r.urn)).map((r) => r.urn), "composed resources the program does not have").to.deep.equal([]);
      // Inputs and options equal the program's, but for the stand-ins of what BackupBucket (AWS) creates.
      const differing = part.resources.flatMap((r) => {
        const same = JSON.stringify({ i: r.inputs, o: r.options, p: r.provider }) === JSON.stringify({ i: byUrn.get(r.urn)!.inputs, o: byUrn.get(r.urn)!.options, p: byUrn.get(r.urn)!.provider });
        return same ? [] : [`${r.type} ${r.name}`];
      });
      expect(differing, "composed resources whose inputs differ from the program's").to.deep.equal(
        committedSettings(stack).databases.filter((db) => db.backup.enabled).flatMap((db) => [
          `kubernetes:batch/v1:CronJob platform-backups-${db.name}-backup`,
          `kubernetes:batch/v1:CronJob platform-backups-${db.name}-restore-drill`,
        ]),
      );
      const composed = new Set(part.resources.map((r) => r.urn));
      const unexplained = program.resources.filter((r) => !composed.has(r.urn) && !LEFT_OUT.some((l) => l.matches(r, ancestors(r))));
      expect(unexplained.map((r) => `${r.type} ${r.name}`), "resources neither composed nor left out for a listed reason").to.deep.equal([]);
      const wronglyLeftOut = part.resources.filter((r) => LEFT_OUT.some((l) => l.matches(r, ancestors(r))));
      expect(wronglyLeftOut.map((r) => r.urn), "composed resources the list says are left out").to.deep.equal([]);
      for (const l of LEFT_OUT) expect(program.resources.some((r) => l.matches(r, ancestors(r))), `${stack}: "${l.what}" matches nothing any more`).to.equal(true);
      // What the engine tests create: Kubernetes objects of the platform itself, and random passwords.
      expect([...new Set(part.resources.map((r) => r.type.split(":")[0]))].sort()).to.deep.equal(["kubernetes", "platform", "pulumi", "random"]);
    });
  }
});

describe("the real engine over the Kubernetes part", function () {
  this.timeout(900_000);
  let server: ApiServer;

  before(async function () {
    skipWithoutEngine(this);
    server = await sharedApiServer(this);
  });

  for (const stack of STACKS) {
    const settings = committedSettings(stack);
    const app = settings.apps[0];
    const namespaces = settings.namespaces.map((ns) => ns.name);
    const changes = configChanges(stack);

    describe(`${stack}: preview, up, kubectl, changes previewed and agreed with --diff, promotion, destroy`, () => {
      let engine: EngineStack | undefined;
      let part: PlanRecord;
      let composedKeys: Set<string>;
      const runs: Record<string, EngineRun> = {};

      before(async () => {
        for (const ns of namespaces) {
          expect((await server.client.request("GET", `/api/v1/namespaces/${ns}`)).status, `namespace ${ns} left by another test`).to.equal(404);
        }
        part = await planKubernetesPart(stack, engineConfig(stack));
        // What the left-out chart releases would install first: the CRDs of the composed custom resources.
        await server.installCrds(await crdsOfComposedKinds(stack, engineConfig(stack), part));
        composedKeys = new Set(part.resources.map((r) => resourceKey(r.type, r.name)));
        engine = await EngineStack.create(stack, async () => void composeKubernetesPart({ withoutKubelet: true }), server.kubeconfig);
      });

      after(async () => {
        engine?.dispose();
        // Also after a failure: the other stack uses the same namespace names.
        for (const ns of namespaces) await server.deleteNamespace(ns);
      });

      const needs = (step: string) => {
        if (!runs[step]) throw new Error(`needs the ${step} step, which did not succeed`);
      };

      it("preview: the engine plans to create exactly the composed resources, with no warning but the plugin notices", async () => {
        const preview = await engine!.preview();
        runs.preview = preview;
        expectOnlyKnownWarnings(preview, "preview");
        // The offline plan does not record the default provider the engine makes for random.
        const planned = Object.fromEntries([...composedKeys, defaultProvider("random", RANDOM_VERSION)].map((key) => [key, "create"]));
        const { [`pulumi:pulumi:Stack platform-${stack}`]: stackOp, ...ops } = Object.fromEntries([...preview.ops].map(([urn, op]) => [keyOfUrn(urn), op]));
        expect(stackOp).to.equal("create");
        expect(ops).to.deep.equal(planned);
        console.log(`      ${stack}: preview of ${preview.ops.size} resources took ${preview.seconds.toFixed(1)} s`);
      });

      it("up: creates them all, and the cluster holds every planned object with its planned values (kubectl)", async () => {
        needs("preview");
        const up = await engine!.up();
        runs.up = up;
        expectOnlyKnownWarnings(up, "up");
        expect([...up.ops.values()].filter((op) => op !== "create")).to.deep.equal([]);
        expect(up.ops.size).to.equal(runs.preview.ops.size);
        console.log(`      ${stack}: up of ${up.ops.size} resources took ${up.seconds.toFixed(1)} s`);

        const live = await expectClusterMatchesPlan(server, part);
        // Values read back from the cluster, as an operator would check them after a deploy.
        for (const ns of settings.namespaces) {
          const namespace = live.find((o) => o.kind === "Namespace" && o.metadata.name === ns.name)!;
          expect(namespace.metadata.labels?.["pod-security.kubernetes.io/enforce"], ns.name).to.equal(ns.podSecurity);
          const quota = live.find((o) => o.kind === "ResourceQuota" && o.metadata.namespace === ns.name)!;
          expect(quota.spec.hard.pods, `${ns.name} quota`).to.equal(String(ns.quota.pods));
        }
        const service = (name: string) => live.find((o) => o.kind === "Service" && o.metadata.namespace === app.namespace && o.metadata.name === name)!;
        expect(service(app.name).spec.selector["platform.io/color"]).to.equal(app.activeColor);
        expect(service(`${app.name}-preview`).spec.selector["platform.io/color"]).to.equal(other(app.activeColor));
        for (const color of ["blue", "green"] as const) {
          const deployment = live.find((o) => o.kind === "Deployment" && o.metadata.name === `${app.name}-${color}`)!;
          expect(deployment.spec.template.spec.containers[0].image, color).to.equal(app.images[color]);
        }
        // Secrets reach the cluster as the stack's encrypted config holds them, and the state keeps them encrypted.
        for (const [variable, key] of Object.entries(configSecretEnv(app))) expect(secretValue(live, app.namespace, `${app.name}-env`, variable)).to.equal(secretSentinel(`platform:${key}`));
        // Secrets Manager entries are ESO's to sync (no controller runs here): the ExternalSecret names each one.
        const externalSecret = live.find((o) => o.kind === "ExternalSecret" && o.metadata.namespace === app.namespace);
        expect(externalSecret, `ExternalSecret in ${app.namespace}`).to.not.equal(undefined);
        expect(externalSecret!.spec.data.map((d: { secretKey: string; remoteRef: { key: string } }) => [d.secretKey, d.remoteRef.key])).to.deep.equal(
          secretsManagerEnv(app).map(([variable, ref]) => [variable, ref.name]),
        );
        expect(secretValue(live, settings.monitoringNamespace, "alertmanager-platform-config", "alertmanager.yaml")).to.contain(secretSentinel("platform:slackWebhookUrl"));
        // The way in: a certificate from the stack's issuer for each public hostname, served by the Gateway's HTTPS listener of that hostname.
        const hostnames = [grafanaHostname(settings.domain), ...settings.apps.flatMap((a) => (a.hostname ? [a.hostname] : []))];
        const certificates = live.filter((o) => o.kind === "Certificate");
        expect(certificates.map((c) => c.spec.dnsNames).flat().sort()).to.deep.equal([...hostnames].sort());
        for (const c of certificates) expect(c.spec.issuerRef.name, c.metadata.name).to.equal(`letsencrypt-${settings.certificateIssuer}`);
        expect(live.filter((o) => o.kind === "ClusterIssuer").map((o) => o.metadata.name)).to.deep.equal([`letsencrypt-${settings.certificateIssuer}`]);
        const gateway = live.find((o) => o.kind === "Gateway")!;
        const https = gateway.spec.listeners.filter((l: { protocol: string }) => l.protocol === "HTTPS");
        expect(https.map((l: { hostname: string; tls: { certificateRefs: { name: string }[] } }) => [l.hostname, l.tls.certificateRefs[0].name]).sort()).to.deep.equal(
          certificates.map((c) => [c.spec.dnsNames[0], c.spec.secretName]).sort(),
        );
        const checksums = ["blue", "green"].map((color) => live.find((o) => o.kind === "Deployment" && o.metadata.name === `${app.name}-${color}`)!.spec.template.metadata.annotations[SECRET_CHECKSUM_ANNOTATION]);
        expect(checksums[0]).to.match(/^[0-9a-f]{64}$/);
        expect(checksums[1]).to.equal(checksums[0]);
        const state = JSON.stringify(await engine!.state());
        for (const key of engineConfig(stack).secretKeys) expect(state, `state holds ${key} in plain text`).to.not.contain(secretSentinel(key));
        for (const step of ["preview", "up"]) {
          expect(runs[step].printed, `${step}: the events searched`).to.contain('"resourcePreEvent"');
          expect(secretsShown(stack, runs[step]), `${step}: output and events`).to.deep.equal([]);
        }
      });

      it("until the job controller records the Jobs complete, a preview replaces them and nothing else (pulumi.com/replaceUnready reads the live Job)", async () => {
        needs("up");
        const jobs = plannedObjects(part.resources).filter((r) => r.inputs.kind === "Job");
        expect(jobs, "the composition's Jobs").to.not.have.lengthOf(0);
        let completed: string[];
        try {
          const preview = await engine!.preview();
          expectOnlyKnownWarnings(preview, "preview with the Jobs unfinished");
          // No property changed: the provider asks for the replacement because the live Job is not complete.
          expect(engineChanges(preview)).to.deep.equal(Object.fromEntries(jobs.map((r) => [resourceKey(r.type, r.name), { op: "replace", properties: {} }])));
        } finally {
          // Also after a failure: what the job controller records once the gates' pods succeeded, which every later step assumes.
          completed = await completeEngineJobs(server);
        }
        expect(completed).to.have.members(jobs.map(plannedId));
        runs.jobsComplete = runs.up;
      });

      it("right after up, with the Jobs complete, neither a refresh nor a preview changes anything (the drift workflow's two --expect-no-changes checks)", async () => {
        needs("jobsComplete");
        // The CLI fails on any difference between the cluster and the state.
        expectOnlyKnownWarnings(await engine!.refreshPreview(), "refresh --preview-only after up");
        const preview = await engine!.preview();
        expectOnlyKnownWarnings(preview, "preview after up");
        expect(engineChanges(preview)).to.deep.equal({});
        runs.noChange = preview;
      });

      for (const which of ["colourFlip", "imageBump", "quotaChange", "secretRotation"] as const) {
        it(`the offline --diff and the engine's preview agree on ${changes[which].title}, resource by resource and property by property`, async () => {
          needs("noChange");
          const change = changes[which];
          const offline = await offlineChanges(stack, change, composedKeys);
          const preview = await engine!.withConfigPath(change.key, change.value, () => engine!.preview(), change.secret);
          expectOnlyKnownWarnings(preview, change.title);
          const engineSays = engineChanges(preview);
          expect(opsOf(engineSays), `${change.title}: operations, engine (actual) vs offline --diff (expected)`).to.deep.equal(opsOf(offline));
          expect(engineSays, `${change.title}: changed properties, engine (actual) vs offline --diff (expected)`).to.deep.equal(offline);
          expect(Object.keys(offline), "the change changes something").to.not.have.lengthOf(0);
          // pulumi preview --diff shows a rotated secret as a change, never the value it had or gets.
          expect(secretsShown(stack, preview), `${change.title}: secrets in the preview's output and events`).to.deep.equal([]);
          runs[which] = preview;
        });
      }

      it("the agreed operations are the ones a reviewer expects: the promotion replaces the gate Job, a new image too, a quota is updated in place", () => {
        needs("colourFlip");
        const N = `platform-app-${app.name}`;
        const flip = opsOf(engineChanges(runs.colourFlip));
        expect(flip[`kubernetes:batch/v1:Job ${N}-gate`]).to.equal("replace");
        expect(flip[`kubernetes:core/v1:Service ${N}-active`]).to.equal("update");
        expect(flip[`kubernetes:core/v1:Service ${N}-preview`]).to.equal("update");
        expect(opsOf(engineChanges(runs.imageBump))).to.deep.equal({
          [`kubernetes:apps/v1:Deployment ${N}-${app.activeColor}`]: "update",
          [`kubernetes:batch/v1:Job ${N}-gate`]: "replace",
        });
        expect(engineChanges(runs.quotaChange)).to.deep.equal({
          [`kubernetes:core/v1:ResourceQuota platform-${app.namespace}-quota`]: { op: "update", properties: { "spec.hard.pods": "update" } },
        });
      });

      it("up of the promotion moves traffic to the other colour and replaces the gate Job (kubectl)", async () => {
        needs("colourFlip");
        const flip = changes.colourFlip;
        await engine!.setConfigPath(flip.key, flip.value);
        const up = await engine!.up();
        runs.promotion = up;
        await completeEngineJobs(server);
        expectOnlyKnownWarnings(up, "up of the promotion");
        expect(opsOf(engineChanges(up))).to.deep.equal(opsOf(engineChanges(runs.colourFlip)));
        const flipped = await planKubernetesPart(stack, changedConfig(stack, flip));
        const live = await expectClusterMatchesPlan(server, flipped);
        const active = live.find((o) => o.kind === "Service" && o.metadata.name === app.name)!;
        expect(active.spec.selector["platform.io/color"]).to.equal(other(app.activeColor));
        const gates = live.filter((o) => o.kind === "Job" && o.metadata.name.startsWith(`${app.name}-gate-`)).map((o) => o.metadata.name);
        expect(gates).to.have.lengthOf(1);
        expect(gates[0]).to.match(new RegExp(`^${app.name}-gate-${other(app.activeColor)}-[0-9a-f]{10}$`));
        expect(engineChanges(await engine!.preview()), "a preview after the promotion").to.deep.equal({});
      });

      it("a change made behind Pulumi's back fails the drift workflow's refresh check (pulumi refresh --preview-only --expect-no-changes)", async () => {
        needs("noChange");
        const quota = plannedObjects(part.resources).find((r) => r.inputs.kind === "ResourceQuota" && (r.inputs.metadata as { namespace: string }).namespace === app.namespace)!;
        const pods = Number((quota.inputs.spec as { hard: { pods: string } }).hard.pods);
        // What `kubectl edit` would do; the object now has a second field manager, so this runs last, before destroy.
        const path = `/api/v1/namespaces/${app.namespace}/resourcequotas/${(quota.inputs.metadata as { name: string }).name}`;
        const patched = await server.client.request("PATCH", path, { spec: { hard: { pods: String(pods + 7) } } }, "application/merge-patch+json");
        expect(patched.status).to.equal(200);
        const refused = await engine!.refreshPreview().then(() => "no error", (err: Error) => err.message);
        expect(refused, refused).to.match(/no changes were expected for refresh but changes were proposed/);
        // The one resource that moved, and nothing else.
        expect(refused, refused).to.contain(`~  ${quota.type} ${quota.name} update [diff: ~spec]`);
        expect(refused, refused).to.match(/Resources:\s+~ 1 to update\s+\d+ unchanged/);
      });

      it(`destroy removes every object and namespace${stack === "production" ? ", once the protected ones are unprotected on purpose (README)" : ""}`, async () => {
        needs("up");
        if (stack === "production") {
          const protectedTypes = ((await engine!.state()).resources ?? []).filter((r) => r.protect).map((r) => r.type).sort();
          expect(protectedTypes).to.deep.equal([...settings.namespaces.filter((ns) => ns.quota.persistentVolumeClaims > 0).map(() => "kubernetes:core/v1:Namespace"),
            ...settings.databases.filter((db) => db.password === "generated").map(() => "random:index/randomPassword:RandomPassword")].sort());
          await engine!.cli("state", "unprotect", "--all", "--yes");
        }
        const destroy = await finishingDeletedNamespaces(server, namespaces, () => engine!.destroy());
        expectOnlyKnownWarnings(destroy, "destroy");
        expect([...destroy.ops.values()].filter((op) => op !== "delete")).to.deep.equal([]);
        console.log(`      ${stack}: destroy of ${destroy.ops.size} resources took ${destroy.seconds.toFixed(1)} s`);
        const left = madeByEngine(await kubectlGet(server, kindsOf(plannedObjects(part.resources))));
        expect(left.map(objectId)).to.deep.equal([]);
        for (const ns of namespaces) expect((await server.client.request("GET", `/api/v1/namespaces/${ns}`)).status, ns).to.equal(404);
        expect((await engine!.state()).resources ?? []).to.deep.equal([]);
      });
    });
  }
});
