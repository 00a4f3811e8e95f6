import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { canonical, toYaml } from "../../components/core/yaml";
import { diffPlans, formatDiff } from "../../plan/diff";
import { REPOSITORY_ROOT, runProgram } from "../../plan/run-program";
import { stackNameProblem } from "../../plan/stack-file";
import { toolPath } from "../../plan/tools";
import { editedStackFile, NODE, PLAN_COMMAND, STACKS } from "../harness";
import { runTempDir } from "../temp-dirs";

function plan(...args: string[]) {
  return planIn({}, ...args);
}

function planIn(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(NODE, [...PLAN_COMMAND, ...args], { cwd: REPOSITORY_ROOT, env: { ...process.env, ...env }, encoding: "utf8", timeout: 90_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Objects as sorted JSON texts, each with its keys in order: the same set whatever the order of documents or keys. */
const canonicalJson = (objects: readonly unknown[]) => objects.map((o) => JSON.stringify(canonical(o))).sort();

function tempDir(): string {
  return runTempDir("platform-plan-test-");
}

function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(path.relative(dir, full), fs.readFileSync(full, "utf8"));
    }
  };
  walk(dir);
  return out;
}

// What each stack plans: the program's own resources (providers, namespaces with their guard rails, the
// monitoring, node agents' paths, tracing, gateway, certificate, DNS and secrets components, alert rules,
// dashboards, backups with their Object Lock and off-site replica (its provider, key, bucket and replication),
// the api app and its public hostname) and every object the thirteen charts render (312 in staging, 320 in
// production; kube-prometheus-stack's rule group k8s.rules.container_memory_swap and its macOS and AIX node
// dashboards are switched off). Production
// adds Loki's and Tempo's buckets with their settings and IRSA roles, the Redis AUTH Secret and Loki's caches
// and PDBs; staging adds the app's scale-down delay Job.
const COUNTS = {
  staging: { resources: 553, manifests: 468, chartObjects: 312 },
  production: { resources: 577, manifests: 476, chartObjects: 320 },
} as const;

describe("offline plan (npm run plan)", () => {
  it("runs the command package.json names as npm run plan", () => {
    const script = (JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.plan;
    expect(script).to.equal(`node ${PLAN_COMMAND.join(" ")}`);
  });

  for (const stack of STACKS) {
    describe(stack, () => {
      let out: string;
      let first: ReturnType<typeof plan>;

      before(() => {
        out = tempDir();
        first = plan("--stack", stack, "--out", out);
      });

      it("prints the resource tree and ends with the resource count", () => {
        expect(first.code, first.stderr).to.equal(0);
        const lines = first.stdout.trimEnd().split("\n");
        expect(lines[0]).to.match(/^Type\s+Name$/);
        expect(lines[1]).to.match(new RegExp(`^pulumi:pulumi:Stack\\s+platform-${stack}$`));
        expect(lines[2]).to.match(/^└─ platform:index:Platform\s+platform$/);
        expect(first.stdout).to.match(/│  ├─ kubernetes:core\/v1:Namespace\s+platform-apps-ns\n/);
        expect(lines.at(-1)).to.match(new RegExp(`^${COUNTS[stack].resources} resources \\(stack ${stack}; written to `));
      });

      it("lists every chart's objects in the tree, under their release, and counts them", () => {
        // The operator Deployment of the helm.v3.Release and the blackbox Deployment of the helm.v4.Chart.
        expect(first.stdout).to.match(/kubernetes:helm\.sh\/v3:Release\s+platform-monitoring-kps-release\n(.*\n)*?.*kubernetes:apps\/v1:Deployment\s+platform-monitoring-kps-release:monitoring\/kube-prometheus-stack-operator\n/);
        expect(first.stdout).to.match(/kubernetes:apps\/v1:Deployment\s+platform-monitoring-blackbox-chart:monitoring\/blackbox-exporter-prometheus-blackbox-exporter\n/);
        expect(first.stdout).to.match(/kubernetes:apiextensions\.k8s\.io\/v1:CustomResourceDefinition\s+platform-monitoring-kps-release:prometheuses\.monitoring\.coreos\.com\n/);
        const record = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8"));
        expect(record.resources.filter((r: { renderedFrom?: unknown }) => r.renderedFrom)).to.have.lengthOf(COUNTS[stack].chartObjects);
      });

      it("marks each chart object's manifest with its release, chart version and hook", () => {
        const files = filesUnder(out);
        expect(files.get("manifests/monitoring/deployment-kube-prometheus-stack-operator.yaml")).to.match(
          /^# Rendered from Helm release monitoring\/kube-prometheus-stack \(chart kube-prometheus-stack 88\.5\.3\)\napiVersion: apps\/v1\n/,
        );
        expect(files.get("manifests/monitoring/job-kube-prometheus-stack-crds-upgrade.yaml")).to.match(
          /^# Rendered from Helm release monitoring\/kube-prometheus-stack \(chart kube-prometheus-stack 88\.5\.3\), hook pre-install,pre-upgrade,pre-rollback\n/,
        );
        expect(files.get("manifests/apps/service-api.yaml")).to.match(/^apiVersion: v1\n/);
      });

      it("writes each Helm release's chart, version, repository and values under helm/", () => {
        const files = [...filesUnder(out).keys()].filter((f) => f.startsWith("helm/")).sort();
        const releases = [
          "alloy",
          "blackbox-exporter",
          "cert-manager",
          "envoy-gateway",
          "external-dns",
          "external-secrets",
          "kube-prometheus-stack",
          "loki",
          "postgres-exporter-orders",
          "pushgateway",
          "redis-exporter-sessions",
          "reloader",
          "tempo",
        ];
        expect(files).to.deep.equal(releases.flatMap((r) => [`helm/${r}.values.yaml`, `helm/${r}.yaml`]));
        const kps = parse(fs.readFileSync(path.join(out, "helm/kube-prometheus-stack.yaml"), "utf8"), { version: "1.1" });
        expect(kps).to.include({ chart: "kube-prometheus-stack", version: "88.5.3", namespace: "monitoring" });
        expect(kps.repositoryOpts).to.deep.equal({ repo: "https://prometheus-community.github.io/helm-charts" });
        expect(kps.values.prometheus.prometheusSpec.externalLabels).to.deep.equal({ cluster: stack === "production" ? "prod-eu-west-1" : "staging-eu-west-1", environment: stack });
      });

      it("helm/<release>.values.yaml holds the values alone, headed by the helm template command that renders the release's objects as the plan records them", () => {
        // A small release of each kind would do; the Pushgateway's is a helm.v4.Chart with a Deployment.
        const file = path.join(out, "helm/pushgateway.values.yaml");
        const text = fs.readFileSync(file, "utf8");
        const command = text.split("\n").filter((line) => line.startsWith("#   ")).map((line) => line.slice(4)).join("\n");
        expect(command).to.match(/^helm template pushgateway charts\/prometheus-pushgateway-3\.8\.0\.tgz \\\n {2}--namespace monitoring \\\n {2}--kube-version 1\.34\.0 \\\n/);
        expect(command).to.contain("--api-versions monitoring.coreos.com/v1 \\\n");
        expect(command.endsWith("--values <this file>")).to.equal(true);
        const [, ...args] = command.replace(/ \\\n\s*/g, " ").replace(/ <this file>$/, "").split(" ");
        const render = (valuesFile: string) => {
          const run = spawnSync(toolPath("helm"), [...args, valuesFile], { cwd: REPOSITORY_ROOT, encoding: "utf8" });
          expect(run.status, run.stderr).to.equal(0);
          return parseAllDocuments(run.stdout).map((d) => d.toJS() as Record<string, any>).filter((o) => o !== null);
        };
        const record = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8"));
        const recorded = record.resources.filter((r: { renderedFrom?: { release: string } }) => r.renderedFrom?.release === "pushgateway").map((r: { inputs: unknown }) => r.inputs);
        const byHand = render(file).map((o) => ({ ...o, metadata: { namespace: "monitoring", ...o.metadata } }));
        expect(canonicalJson(byHand)).to.deep.equal(canonicalJson(recorded));
        expect(parse(text)).to.deep.equal(parse(fs.readFileSync(path.join(out, "helm/pushgateway.yaml"), "utf8")).values);
        // The release's file is no values file: Helm finds none of its keys under `values:` and renders the chart's defaults.
        const defaults = render(path.join(out, "helm/pushgateway.yaml")).find((o) => o.kind === "Deployment")!;
        expect(defaults.spec.template.spec.automountServiceAccountToken).to.equal(true);
      });

      it("writes the resource record and one YAML file per Kubernetes object", () => {
        const record = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8"));
        expect(record.stack).to.equal(stack);
        expect(record.resources).to.have.lengthOf(COUNTS[stack].resources);
        const files = [...filesUnder(out).keys()].filter((f) => f.startsWith("manifests/"));
        expect(files).to.have.lengthOf(COUNTS[stack].manifests);
        expect(files).to.include("manifests/_cluster/namespace-apps.yaml");
        expect(files).to.include("manifests/monitoring/networkpolicy-default-deny.yaml");
      });

      it("YAML files read back (as YAML 1.1, like Kubernetes) into exactly the recorded inputs", () => {
        const record = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8"));
        const byFile = new Map<string, unknown>();
        for (const r of record.resources) {
          if (!r.custom || typeof r.inputs.kind !== "string") continue;
          const ns = r.inputs.metadata.namespace ?? "_cluster";
          byFile.set(`manifests/${ns}/${r.inputs.kind.toLowerCase()}-${r.inputs.metadata.name}.yaml`, r.inputs);
        }
        for (const [file, text] of filesUnder(out)) {
          if (!file.startsWith("manifests/")) continue;
          const docs = parseAllDocuments(text, { version: "1.1" });
          expect(docs, file).to.have.lengthOf(1);
          expect(docs[0].toJS(), file).to.deep.equal(byFile.get(file));
        }
      });

      it("is deterministic: a second run writes byte-identical files", () => {
        const again = tempDir();
        const second = plan("--stack", stack, "--out", again, "--quiet");
        expect(second.code, second.stderr).to.equal(0);
        expect(second.stdout.trim().split("\n")).to.have.lengthOf(1);
        expect(filesUnder(again)).to.deep.equal(filesUnder(out));
      });

      it("never prints or writes a secure value", () => {
        const everything = first.stdout + first.stderr + [...filesUnder(out).values()].join("\n");
        expect(everything).to.not.contain("v1:placeholder");
      });
    });
  }

  it("quotes YAML 1.1 booleans so `on`, `off`, `yes` and `no` stay strings", () => {
    const text = toYaml({ metadata: { labels: { a: "on", b: "off", c: "yes", d: "no", e: "y", f: "true" } } });
    for (const word of ["on", "off", "yes", "no", "y", "true"]) expect(text).to.contain(`"${word}"`);
    expect(parse(text, { version: "1.1" }).metadata.labels).to.deep.equal({ a: "on", b: "off", c: "yes", d: "no", e: "y", f: "true" });
  });

  it("--config plans an alternative stack file, and --out writes it, each a relative path from where npm was started (INIT_CWD)", () => {
    const file = editedStackFile("staging", (c) => {
      c["platform:caches"] = [];
    });
    // npm runs the script in the repository root, which has a Pulumi.staging.yaml of its own.
    const result = planIn({ INIT_CWD: path.dirname(file) }, "--stack", "staging", "--config", path.basename(file), "--out", "proposed-plan", "--quiet");
    expect(result.code, result.stderr).to.equal(0);
    expect(fs.existsSync(path.join(path.dirname(file), "proposed-plan", "resources.json")), "the plan in the folder npm was started in").to.equal(true);
    // The cache's Helm chart, its three objects and its exporter's ServiceAccount are gone.
    expect(result.stdout).to.match(new RegExp(`^${COUNTS.staging.resources - 5} resources \\(stack staging;`));
  });

  it("exits non-zero with the whole config error on invalid config, writing nothing", () => {
    const file = editedStackFile("production", (c) => {
      c["platform:logLevel"] = "LOUD";
      c["platform:backupSchedule"] = "0 2 * *";
      delete c["platform:smtpPassword"];
    });
    const out = tempDir();
    const result = plan("--stack", "production", "--config", file, "--out", out);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('error: Invalid configuration for stack "production" (3 problems):');
    expect(result.stderr).to.contain("  - logLevel: expected one of");
    expect(result.stderr).to.contain("  - backupSchedule: is not a CronJob schedule the platform takes");
    expect(result.stderr).to.contain("  - smtpPassword: secret is required in production");
    expect(fs.readdirSync(out)).to.deep.equal([]);
  });

  it("secrets pasted where a key's name or a region belongs are refused all at once, never quoted, writing nothing", () => {
    // Letters and digits only, as the schema asks of a config key's name.
    const pasted = ["hunter2REGIONsecret", "hunter2APPsecret", "hunter2CACHEsecret"];
    const file = editedStackFile("production", (c) => {
      c["aws:region"] = pasted[0];
      c["platform:apps"][0].secretEnv.DATABASE_URL = pasted[1];
      c["platform:caches"][0].passwordConfigKey = pasted[2];
    });
    const out = tempDir();
    const result = plan("--stack", "production", "--config", file, "--out", out);
    expect(result.code).to.equal(1);
    const unset =
      "names a secret's config key that is neither set nor declared in Pulumi.yaml; its name is not repeated here in case it is a pasted secret: " +
      "store the secret with pulumi config set --secret <key> <value>, declare <key> with secret: true in Pulumi.yaml and name <key> here";
    expect(result.stderr).to.equal(
      [
        'error: Invalid configuration for stack "production" (3 problems):',
        "  - aws:region: must be an AWS region such as eu-west-1 (the value is not repeated here, as it looks like no region)",
        `  - apps[0].secretEnv.DATABASE_URL: ${unset}`,
        `  - caches[0].passwordConfigKey: ${unset}`,
        "",
      ].join("\n"),
    );
    expect(result.stdout).to.equal("");
    expect(fs.readdirSync(out), "files written").to.deep.equal([]);
    for (const secret of pasted) expect(result.stdout + result.stderr, "a secret was printed").to.not.contain(secret);
  });

  it("a secret pasted into a key used in plain text is refused before anything is planned, never quoted, writing nothing", () => {
    // Through the gate's bodyContains the webhook reached the gate Job's env in resources.json before the policy
    // no-plaintext-secrets refused it; through slackChannel the error quoted its first 57 characters.
    const webhook = "https://hooks.slack.com/services/T0HUNTER2/B0HUNTER2/hunter2hunter2hunter2XY";
    const file = editedStackFile("production", (c) => {
      c["platform:apps"][0].gate.paths[0].bodyContains = webhook;
      c["platform:slackChannel"] = webhook;
    });
    const out = tempDir();
    const result = plan("--stack", "production", "--config", file, "--out", out);
    expect(result.code).to.equal(1);
    const advice = "which this key would put in plain text into the plan, the state and the resources; the value is not repeated here. A secret goes in a key of its own: pulumi config set --secret <key> <value>";
    expect(result.stderr).to.equal(
      [
        'error: Invalid configuration for stack "production" (2 problems):',
        `  - apps[0].gate.paths[0].bodyContains: holds a secret (Slack webhook URL), ${advice}`,
        `  - slackChannel: holds a secret (Slack webhook URL), ${advice}`,
        "",
      ].join("\n"),
    );
    expect(result.stdout).to.equal("");
    expect(fs.readdirSync(out), "files written").to.deep.equal([]);
    expect(result.stdout + result.stderr, "the secret was printed").to.not.contain("hunter2").and.not.contain("T0HUNTER2");
  });

  it("a secret pasted into an app's plain env is refused before anything is planned, never quoted, writing nothing", () => {
    // The policy pack would refuse it too, but only after the plan had written it into resources.json and the Deployments.
    const pasted = "hunter2-SeCrEt-1234567890";
    const file = editedStackFile("production", (c) => {
      c["platform:apps"][0].env = { API_KEY: pasted };
    });
    const out = tempDir();
    const result = plan("--stack", "production", "--config", file, "--out", out);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal(
      [
        'error: Invalid configuration for stack "production" (1 problem):',
        "  - apps[0].env.API_KEY: looks like a secret (by its name), and env is stored in plain text (the plan, the state, the Deployment); the value is not repeated here. " +
          "Store it with pulumi config set --secret <key> <value> and reference <key> from the app's secretEnv (secretEnv: {API_KEY: <key>}) instead",
        "",
      ].join("\n"),
    );
    expect(result.stdout).to.equal("");
    expect(fs.readdirSync(out), "files written").to.deep.equal([]);
    expect(result.stdout + result.stderr, "the secret was printed").to.not.contain(pasted);
  });

  it("numbers YAML would not hand over as written, where text belongs, are refused with the other problems, writing nothing", () => {
    const text = fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.production.yaml"), "utf8");
    const edited = text
      .replace("platform:logLevel: INFO", "platform:logLevel: LOUD")
      // A plain integer and a decimal JavaScript prints back as written are their text, as the CLI writes them.
      .replace("      secretEnv:\n        DATABASE_URL", "      env: { VERSION: 1.10, BUILD: 1e3, RELEASE: 20240101, ROLLOUT: 0.5 }\n      secretEnv:\n        DATABASE_URL");
    expect(edited.match(/LOUD|VERSION/g), "the edits apply").to.have.lengthOf(2);
    const file = path.join(tempDir(), "Pulumi.production.yaml");
    fs.writeFileSync(file, edited);
    const out = tempDir();
    const result = plan("--stack", "production", "--config", file, "--out", out);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal(
      [
        'error: Invalid configuration for stack "production" (3 problems):',
        '  - logLevel: expected one of "DEBUG"|"INFO"|"WARNING"|"ERROR" (got "LOUD")',
        "  - apps[0].env.VERSION: YAML reads 1.10 as the number 1.1; quote it",
        "  - apps[0].env.BUILD: YAML reads 1e3 as the number 1000; quote it",
        "",
      ].join("\n"),
    );
    expect(result.stdout).to.equal("");
    expect(fs.readdirSync(out), "files written").to.deep.equal([]);
  });

  describe("a stack file the CLI would not read as the program expects is refused, naming the file, quoting nothing, writing nothing", () => {
    const SMTP = "platform:smtpPassword:\n    secure: v1:placeholder:production-smtp-password";
    // Positions in the committed stack file, so that an edit elsewhere in it does not move what the cases expect.
    const committed = fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.production.yaml"), "utf8");
    const smtpLine = committed.slice(0, committed.indexOf(SMTP)).split("\n").length;
    const lineAfterLast = committed.split("\n").length;
    const SECRET = "hunter2SECRET";
    const lineOf = (text: string) => committed.slice(0, committed.indexOf(text)).split("\n").length;
    const [levelLine, gatewayLine, configLine] = [lineOf("platform:logLevel: INFO"), lineOf("platform:gateway:"), lineOf("config:\n")];
    // [kind, edit of Pulumi.production.yaml's text, the error lines after "error: " (FILE: the edited file)]
    const cases: [string, (text: string) => string | Buffer, string[]][] = [
      ["an unclosed double quote", (t) => t.replace("platform:logLevel: INFO", `platform:logLevel: "INFO\n  platform:smtpSmarthost: ${SECRET}`), ["FILE:17:27: a closing quote, bracket or separator is missing"]],
      ["an unclosed quote in a ciphertext", (t) => t.replace(SMTP, `platform:smtpPassword:\n    secure: 'v1:${SECRET}`), [`FILE:${smtpLine + 1}:30: a closing quote, bracket or separator is missing`]],
      ["a key given twice", (t) => t.replace(SMTP, `${SMTP}\n  platform:smtpPassword: ${SECRET}`), [`FILE:${smtpLine + 2}:3: a map gives this key twice`]],
      ["a tab as indentation", (t) => t.replace("  platform:logLevel: INFO", `\tplatform:logLevel: ${SECRET}`), ["FILE:17:1: a tab used as indentation"]],
      ["a bad escape in a double-quoted secret", (t) => t.replace("platform:logLevel: INFO", `platform:logLevel: "${SECRET}\\q"`), ["FILE:17:36: invalid escape sequence in a double-quoted string"]],
      ["two YAML documents", (t) => `${t}---\n${SECRET}: 1\n`, [`FILE:${lineAfterLast}:1: a stack file holds one YAML document, this one has several`]],
      [
        // The CLI reads an empty value as "", so the offline plan does: the word null named nothing.
        "an empty value",
        (t) => t.replace(/^  platform:team: .*$/m, "  platform:team:"),
        ['Invalid configuration for stack "production" (1 problem):', `  - team: must be a DNS label (team: lower-case letters, digits and '-', at most 63) (got "")`],
      ],
      ["a misspelt config: key", (t) => t.replace(/^config:/m, "confg:"), ["FILE: confg: not a key of a stack file (config, environment, secretsprovider, encryptedkey, encryptionsalt)"]],
      ["a list, not a map", () => "- config\n", ["FILE: must be a map with a config: key, as the CLI writes it (got a list)"]],
      ["config: a list", () => `config: [${SECRET}]\n`, ["FILE: config: must be a map of keys, as the CLI writes it (got a list)"]],
      ["config: a string", () => `config: ${SECRET}\n`, ["FILE: config: must be a map of keys, as the CLI writes it (got a string)"]],
      [
        "one key in two spellings",
        (t) => t.replace(SMTP, `${SMTP}\n  smtpPassword: ${SECRET}`),
        ["FILE: platform:smtpPassword: given twice, as platform:smtpPassword and as smtpPassword; keep one"],
      ],
      [
        "a secret with plain text beside its ciphertext",
        (t) => t.replace(SMTP, `platform:smtpPassword:\n    inner: {secure: v1:placeholder:x}\n    pw: ${SECRET}`),
        ["FILE: platform:smtpPassword: a secret must be exactly {secure: <ciphertext>}; set it again with pulumi config set --secret smtpPassword <value>"],
      ],
      [
        "a number with leading zeros where YAML 1.1 reads an octal number",
        (t) => t.replace("      secretEnv:\n        DATABASE_URL", "      env: { UMASK: 0022 }\n      secretEnv:\n        DATABASE_URL"),
        ["FILE: platform:apps[0].env.UMASK: YAML reads 0022 as the number 22, and YAML readers differ on such spellings; quote it if it is text, else write 22"],
      ],
      [
        "a number with leading zeros where a secret's key name belongs",
        (t) => t.replace("passwordConfigKey: redisSessionsPassword", "passwordConfigKey: 0123456782"),
        ["FILE: platform:caches[0].passwordConfigKey: YAML reads this as a number, and YAML readers differ on such spellings; quote it if it is text"],
      ],
      // The yaml library's own message for these three was "aliases expand too far", on no line.
      ["an alias of no anchor", (t) => t.replace("platform:logLevel: INFO", "platform:logLevel: *level"), [`FILE:${levelLine}:22: an alias names no anchor defined before it`]],
      [
        "an alias before its anchor",
        (t) => t.replace("platform:logLevel: INFO", `platform:logLevel: *level\n  platform:later: &level ${SECRET}`),
        [`FILE:${levelLine}:22: an alias names no anchor defined before it`],
      ],
      ["a merge key of a scalar", (t) => t.replace("  platform:gateway:\n", `  platform:gateway:\n    <<: ${SECRET}\n`), [`FILE:${gatewayLine + 1}:5: a merge key (<<) takes a map, an alias of one or a list of them`]],
      // The CLI refuses a file that is not UTF-8; read on, the byte was a replacement character in a value.
      [
        "a byte that is not UTF-8 (Latin-1)",
        (t) => {
          const at = t.indexOf("platform:logLevel: INFO") + "platform:logLevel: ".length;
          return Buffer.concat([Buffer.from(t.slice(0, at)), Buffer.from([0xc9]), Buffer.from(`${SECRET}${t.slice(at + "INFO".length)}`)]);
        },
        [`FILE:${levelLine}:22: not UTF-8 text (the Pulumi CLI reads a stack file as UTF-8): save the file as UTF-8`],
      ],
      // Lone CRs are line breaks to the CLI: the line is counted as the CLI counts it.
      [
        "a byte that is not UTF-8 in a file with CR line breaks",
        (t) => {
          const cr = t.replace(/\n/g, "\r");
          const at = cr.indexOf("platform:logLevel: INFO") + "platform:logLevel: ".length;
          return Buffer.concat([Buffer.from(cr.slice(0, at)), Buffer.from([0xc9]), Buffer.from(`${SECRET}${cr.slice(at + "INFO".length)}`)]);
        },
        [`FILE:${levelLine}:22: not UTF-8 text (the Pulumi CLI reads a stack file as UTF-8): save the file as UTF-8`],
      ],
      ["an empty key", (t) => t.replace("config:\n", `config:\n  ~: ${SECRET}\n`), ["FILE: config: an empty key; a config key is a name such as platform:logLevel"]],
      ["a list as a key", (t) => t.replace("config:\n", `config:\n  ? [${SECRET}]\n  : 1\n`), [`FILE:${configLine + 1}:5: a map key must be a string`]],
      ...["~", "12345", "[x]", '""'].map((bad): [string, (text: string) => string | Buffer, string[]] => [
        `secure: ${bad}, which the CLI reads as a plain object`,
        (t) => t.replace(SMTP, `platform:smtpPassword:\n    secure: ${bad}`),
        [
          'Invalid configuration for stack "production" (1 problem):',
          "  - smtpPassword: is stored in plain text; set it again with pulumi config set --secret smtpPassword <value>",
        ],
      ]),
    ];
    for (const [kind, edit, expected] of cases) {
      it(kind, () => {
        const file = path.join(tempDir(), "Pulumi.production.yaml");
        const text = fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.production.yaml"), "utf8");
        const edited = edit(text);
        expect(edited, "the edit applies").to.not.equal(text);
        fs.writeFileSync(file, edited);
        const out = tempDir();
        const result = plan("--stack", "production", "--config", file, "--out", out);
        expect(result.code).to.equal(1);
        expect(result.stderr).to.equal(expected.map((line, i) => `${i === 0 ? "error: " : ""}${line.replace("FILE", file)}\n`).join(""));
        expect(result.stdout).to.equal("");
        expect(fs.readdirSync(out), "files written").to.deep.equal([]);
        expect(result.stderr + result.stdout, "a secret was printed").to.not.contain("hunter2").and.not.contain("v1:");
      });
    }
  });

  describe("a stack name that could lead out of build/ is refused before anything runs", () => {
    // Through the CLI only a name whose folder is new: should the check regress, the plan empties the folder
    // it writes to of everything it did not write, and ".." is the repository itself.
    const escape = `platform-plan-test-escape-${process.pid}`;
    after(() => fs.rmSync(path.join(REPOSITORY_ROOT, escape), { recursive: true, force: true }));

    it("by the CLI, which writes nothing", () => {
      const result = plan("--stack", `../${escape}`, "--config", path.join(REPOSITORY_ROOT, "Pulumi.staging.yaml"), "--quiet");
      expect(result.code).to.equal(2);
      expect(result.stderr.split("\n")[0]).to.equal(`error: --stack "../${escape}" is not a stack name (letters, digits, '-', '_' and '.', not a path)`);
      expect(result.stdout).to.equal("");
      expect(fs.existsSync(path.join(REPOSITORY_ROOT, escape)), "written outside build/").to.equal(false);
    });

    for (const stack of ["..", ".", "...", "a/b", "a\\b", "/tmp", "prod uction", "x".repeat(101), ""]) {
      it(`${JSON.stringify(stack.length > 20 ? `${stack.slice(0, 8)}…` : stack)}`, () => {
        expect(stackNameProblem(stack)).to.equal(`${JSON.stringify(stack)} is not a stack name (letters, digits, '-', '_' and '.', not a path)`);
      });
    }

    it("Pulumi's stack names pass", () => {
      for (const stack of ["staging", "production", "dev-eu_1.2", "x".repeat(100)]) expect(stackNameProblem(stack), stack).to.equal(undefined);
    });
  });

  it("a stack without a policy pack config fails before the plan is written", () => {
    const out = tempDir();
    const result = plan("--stack", "qa", "--config", path.join(REPOSITORY_ROOT, "Pulumi.staging.yaml"), "--out", out);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal('error: no policy pack config for stack "qa": create policy/config/qa.json\n');
    expect(result.stdout).to.equal("");
    expect(fs.readdirSync(out), "files written").to.deep.equal([]);
  });

  it("--diff prints added, removed and changed resources with property paths, like pulumi preview --diff", () => {
    const file = editedStackFile("staging", (c) => {
      const namespaces = c["platform:namespaces"];
      namespaces.find((ns: { name: string }) => ns.name === "apps").quota.pods = 61;
      namespaces.find((ns: { name: string }) => ns.name === "backups").egress.namespaces = [];
    });
    const result = plan("--stack", "staging", "--config", file, "--diff", "HEAD", "--out", tempDir(), "--quiet");
    expect(result.code, result.stderr).to.equal(0);
    const diff = result.stdout.slice(result.stdout.indexOf("Changes against HEAD:"));
    expect(diff).to.contain("- kubernetes:networking.k8s.io/v1:NetworkPolicy platform-backups-allow-egress-to-namespaces\n");
    expect(diff).to.contain('~ kubernetes:core/v1:ResourceQuota platform-apps-quota\n    ~ inputs.spec.hard.pods: "60" => "61"\n');
    expect(diff).to.contain("0 to add, 1 to delete, 1 to update");
  });

  it("--diff shows what a values change does to each chart object, property by property", () => {
    const file = editedStackFile("staging", (c) => {
      c["platform:monitoring"].blackbox.replicas = 2;
    });
    const result = plan("--stack", "staging", "--config", file, "--diff", "HEAD", "--out", tempDir(), "--quiet");
    expect(result.code, result.stderr).to.equal(0);
    const diff = result.stdout.slice(result.stdout.indexOf("Changes against HEAD:"));
    expect(diff).to.contain("~ kubernetes:helm.sh/v4:Chart platform-monitoring-blackbox-chart\n    ~ inputs.values.replicas: 1 => 2\n");
    expect(diff).to.contain(
      "~ kubernetes:apps/v1:Deployment platform-monitoring-blackbox-chart:monitoring/blackbox-exporter-prometheus-blackbox-exporter\n    ~ inputs.spec.replicas: 1 => 2\n",
    );
    expect(diff).to.contain("0 to add, 0 to delete, 2 to update");
  });

  it("--diff rejects a ref that is not a commit", () => {
    const result = plan("--stack", "staging", "--diff", "no-such-ref", "--out", tempDir());
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain('error: --diff: "no-such-ref" is not a commit in this repository');
  });

  it("diffPlans reports additions between two stacks' records", async () => {
    const staging = await runProgram("staging");
    const production = await runProgram("production");
    const diff = diffPlans(staging, production);
    // URNs carry the stack name, so across stacks everything is added and removed.
    expect(diff.added).to.have.lengthOf(COUNTS.production.resources);
    expect(diff.removed).to.have.lengthOf(COUNTS.staging.resources);
    expect(formatDiff(diff).trimEnd().split("\n").at(-1)).to.equal(`${COUNTS.production.resources} to add, ${COUNTS.staging.resources} to delete, 0 to update, 0 to replace`);
  });
});
