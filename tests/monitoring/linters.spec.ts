import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { toYaml } from "../../components/core/yaml";
import { schemaLocation, writeCrdSchemas, writeKubernetesSchemas } from "../../plan/crd-schemas";
import { KUBE_VERSION } from "../../plan/render-charts";
import { toolPath } from "../../plan/tools";
import { planStack, type StackName, type StackPlan, STACKS } from "../harness";
import { runTempDir } from "../temp-dirs";
import { kubernetesOpenApi } from "../tools";

/**
 * The rendered objects of both stacks through the linters an acceptance tester runs on them (`helm template`, then
 * kube-score and kubeconform): every kube-score finding is fixed or listed, with the reason an SRE accepts, in
 * fixtures/kube-score-accepted.yaml; kubeconform validates every object strictly against the schemas of the
 * Kubernetes release the clusters run and of the CRDs the stacks install.
 */

type Obj = Record<string, any>;

const ACCEPTED_FILE = path.join(__dirname, "fixtures", "kube-score-accepted.yaml");

/**
 * Checks left out for every object, each for a reason that holds for all of them:
 * - container-image-pull-policy wants `Always` so that a node re-checks imagePullSecrets on every start. The
 *   platform pulls no private image with a pull secret, every image is pinned to a version tag or a digest
 *   (rendered-objects.spec.ts), and `Always` would make every pod start, and every node replacement, depend on
 *   the public registries answering (and their rate limits): `IfNotPresent` is right for all of them.
 */
const IGNORED_CHECKS = ["container-image-pull-policy"];

/** kube-score's command, as a tester runs it but for the Kubernetes version the clusters run and JSON output. */
const kubeScoreArgs = (files: string[]) => ["score", "--output-format", "json", "--kubernetes-version", `v${KUBE_VERSION.split(".").slice(0, 2).join(".")}`, ...IGNORED_CHECKS.flatMap((t) => ["--ignore-test", t]), ...files];

/** One kube-score check that is not OK on one object: `Deployment monitoring/loki-gateway`, the check's id, its comments. */
interface Finding {
  readonly object: string;
  readonly check: string;
  readonly grade: "CRITICAL" | "WARNING";
  /** Containers the comments name (empty when the check is about the object itself). */
  readonly containers: readonly string[];
  readonly comments: readonly string[];
}

interface AcceptedFinding {
  readonly object: string;
  readonly check: string;
  /** Only these containers' findings; all of the object's when absent. */
  readonly containers?: readonly string[];
  /** Stacks it occurs on; both when absent. */
  readonly stacks?: readonly StackName[];
  readonly reason: string;
}

const objectId = (kind: string, namespace: string | undefined, name: string) => `${kind} ${namespace ? `${namespace}/` : ""}${name}`;

/** Runs kube-score over the objects, all at once (its selector checks look across them), and returns what is not OK. */
function kubeScore(objects: readonly Obj[], dir: string): Finding[] {
  const file = path.join(dir, "objects.yaml");
  fs.writeFileSync(file, objects.map((o) => toYaml(o)).join("---\n"));
  const run = spawnSync(toolPath("kube-score"), kubeScoreArgs([file]), { encoding: "utf8", maxBuffer: 256 * 2 ** 20 });
  // kube-score exits 1 when it found something critical; anything else but 0 is its own failure.
  expect([0, 1], `kube-score: ${run.stderr}`).to.include(run.status);
  const scored = JSON.parse(run.stdout) as { type_meta: { kind: string }; object_meta: { name: string; namespace?: string }; checks: { check: { id: string }; grade: number; skipped: boolean; comments: { path: string; summary: string }[] | null }[] }[];
  return scored.flatMap((o) =>
    o.checks
      .filter((c) => !c.skipped && c.grade <= 5)
      .map((c) => ({
        object: objectId(o.type_meta.kind, o.object_meta.namespace, o.object_meta.name),
        check: c.check.id,
        grade: c.grade === 1 ? ("CRITICAL" as const) : ("WARNING" as const),
        containers: [...new Set((c.comments ?? []).map((x) => x.path).filter((p) => p !== ""))].sort(),
        comments: (c.comments ?? []).map((x) => `${x.path ? `(${x.path}) ` : ""}${x.summary}`),
      })),
  );
}

/** An entry that lists containers covers only findings that name containers, all of them listed. */
const covers = (entry: AcceptedFinding, finding: Finding) =>
  entry.object === finding.object &&
  entry.check === finding.check &&
  (entry.containers === undefined || (finding.containers.length > 0 && finding.containers.every((c) => entry.containers!.includes(c))));

/** Findings no entry accepts, and entries that accept nothing on a stack they name (stale). */
function compareWithAccepted(stack: StackName, findings: readonly Finding[], accepted: readonly AcceptedFinding[]) {
  const forStack = accepted.filter((e) => (e.stacks ?? STACKS).includes(stack));
  const unaccepted = findings.filter((f) => !forStack.some((e) => covers(e, f)));
  const stale = forStack.flatMap((e) => {
    const matched = findings.filter((f) => covers(e, f));
    const missing = (e.containers ?? []).filter((c) => !matched.some((f) => f.containers.includes(c)));
    return matched.length === 0 ? [`${e.object}: ${e.check}`] : missing.map((c) => `${e.object}: ${e.check} (${c})`);
  });
  return { unaccepted, stale };
}

function readAccepted(): AcceptedFinding[] {
  const entries = parse(fs.readFileSync(ACCEPTED_FILE, "utf8")) as AcceptedFinding[];
  for (const e of entries) {
    expect(Object.keys(e), `${ACCEPTED_FILE}: ${JSON.stringify(e)}`).to.include.members(["object", "check", "reason"]);
    expect(e.reason.trim(), `${e.object}: ${e.check} needs a reason`).to.not.equal("");
  }
  return entries;
}

const describeFinding = (f: Finding) => `${f.object}: ${f.check} [${f.grade}] ${f.comments.join("; ")}`;
const rendered = (plan: StackPlan): Obj[] => plan.resources.filter((r) => r.custom && typeof r.inputs.kind === "string").map((r) => r.inputs as Obj);

/** kubeconform -strict over every object, with schemas of the built-in kinds and of every CRD the stack installs. */
function kubeconform(objects: readonly Obj[], dir: string, extraArgs: string[] = []) {
  const schemas = path.join(dir, "schemas");
  if (!fs.existsSync(schemas)) {
    writeKubernetesSchemas(JSON.parse(fs.readFileSync(kubernetesOpenApi(), "utf8")), schemas);
    writeCrdSchemas(objects.filter((o) => o.kind === "CustomResourceDefinition"), schemas);
  }
  const file = path.join(dir, `objects-${fs.readdirSync(dir).length}.yaml`);
  fs.writeFileSync(file, objects.map((o) => toYaml(o)).join("---\n"));
  return spawnSync(toolPath("kubeconform"), ["-strict", "-summary", "-output", "text", "-schema-location", schemaLocation(schemas), ...extraArgs, file], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
}

describe("the rendered objects through kube-score and kubeconform, as an acceptance tester runs them", () => {
  const accepted = readAccepted();

  it("every accepted finding names an object, a check kube-score has and a reason, once", () => {
    const checks = new Set(
      spawnSync(toolPath("kube-score"), ["list"], { encoding: "utf8" })
        .stdout.split("\n")
        .map((line) => line.split(",")[0])
        .filter((id) => id !== ""),
    );
    for (const e of accepted) {
      expect(checks, `${e.object}: unknown check ${e.check}`).to.include(e.check);
      expect(IGNORED_CHECKS, `${e.object}: ${e.check} is ignored for every object`).to.not.include(e.check);
      expect(e.object, "`Kind namespace/name` or `Kind name`").to.match(/^[A-Z]\w+ [a-z0-9.-]+(\/[a-z0-9.-]+)?$/);
    }
    const keys = accepted.map((e) => `${e.object} ${e.check}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i), "listed twice").to.deep.equal([]);
  });

  it("an accepted entry that lists containers covers only findings naming those containers, not one about the object or another container", () => {
    const entry: AcceptedFinding = { object: "Deployment apps/web", check: "container-security-context-user-group-id", containers: ["web", "sidecar"], reason: "fixture" };
    const finding = (containers: string[]): Finding => ({ object: entry.object, check: entry.check, grade: "CRITICAL", containers, comments: [] });
    expect(covers(entry, finding(["web"]))).to.equal(true);
    expect(covers(entry, finding(["sidecar", "web"]))).to.equal(true);
    expect(covers(entry, finding(["web", "other"]))).to.equal(false);
    expect(covers(entry, finding([]))).to.equal(false);
    expect(covers({ ...entry, containers: undefined }, finding([]))).to.equal(true);
  });

  for (const stack of STACKS) {
    describe(stack, () => {
      const dir = runTempDir(`linters-${stack}-`);

      it("kube-score finds nothing beyond the accepted list, and every accepted finding still occurs", async () => {
        const objects = rendered(await planStack(stack));
        const { unaccepted, stale } = compareWithAccepted(stack, kubeScore(objects, dir), accepted);
        expect(unaccepted.map(describeFinding), `fix these, or list them with a reason in ${path.relative(process.cwd(), ACCEPTED_FILE)}`).to.deep.equal([]);
        expect(stale, "accepted but no longer found: remove them from the list").to.deep.equal([]);
      });

      it("kube-score's finding on a new object without probes, resources or a security context fails the comparison", async () => {
        const objects = rendered(await planStack(stack));
        const careless = {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "careless", namespace: "apps" },
          spec: { replicas: 2, selector: { matchLabels: { app: "careless" } }, template: { metadata: { labels: { app: "careless" } }, spec: { containers: [{ name: "web", image: "nginx:1.29.1" }] } } },
        };
        // kube-score wants probes on pods a Service sends traffic to.
        const service = { apiVersion: "v1", kind: "Service", metadata: { name: "careless", namespace: "apps" }, spec: { selector: { app: "careless" }, ports: [{ port: 80 }] } };
        const { unaccepted, stale } = compareWithAccepted(stack, kubeScore([...objects, careless, service], runTempDir(`linters-${stack}-careless-`)), accepted);
        expect(stale).to.deep.equal([]);
        expect(new Set(unaccepted.map((f) => f.object))).to.deep.equal(new Set(["Deployment apps/careless"]));
        expect(unaccepted.map((f) => f.check)).to.include.members(["container-resources", "pod-probes", "container-security-context-user-group-id", "container-ephemeral-storage-request-and-limit"]);
        // And an accepted entry whose finding is gone is reported stale.
        const gone = { object: "Deployment apps/no-such-app", check: "pod-probes", reason: "fixture" };
        expect(compareWithAccepted(stack, kubeScore(objects, dir), [...accepted, gone]).stale).to.deep.equal(["Deployment apps/no-such-app: pod-probes"]);
      });

      it("kubeconform -strict validates every object, built-in kinds and custom resources alike, and refuses a misspelt field", async () => {
        const objects = rendered(await planStack(stack));
        const ok = kubeconform(objects, dir);
        expect(ok.status, ok.stdout + ok.stderr).to.equal(0);
        expect(ok.stdout).to.contain(`Summary: ${objects.length} resources found in 1 file - Valid: ${objects.length}, Invalid: 0, Errors: 0, Skipped: 0`);
        const deployment = objects.find((o) => o.kind === "Deployment")!;
        const bad = kubeconform([{ ...deployment, spec: { ...deployment.spec, replica: 2 } }], dir);
        expect(bad.status).to.equal(1);
        expect(bad.stdout).to.contain("additional properties 'replica' not allowed");
      });
    });
  }
});
