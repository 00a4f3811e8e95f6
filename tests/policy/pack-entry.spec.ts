import type { Policy } from "@pulumi/policy";
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import type { PlanRecord } from "../../plan/run-program";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { loadPackConfig, resolvePackConfig, runPolicies } from "../../policy/offline";
import { PACK_NAME, policies, policyPackArgs } from "../../policy/rules";
import { planStack, STACKS } from "../harness";
import { type Diagnostic, PolicyAnalyzer } from "./analyzer";
import { cronJob, deployment, goodContainer, planRecord } from "./fixtures";

/** A plan breaking one rule of each kind, so the comparison below covers resource and stack policies alike. */
const BROKEN = planRecord([
  deployment("api", { containers: [{ ...goodContainer(), image: "nginx:latest", env: [{ name: "PGPASSWORD", value: "hunter2" }] }] }, { replicas: 1 }),
  cronJob("backup", {}, { "platform.io/component": "backup" }),
  { type: "kubernetes:core/v1:Namespace", name: "apps-ns", inputs: { metadata: { name: "apps", labels: { "platform.io/team": "platform" } } } },
  { type: "kubernetes:helm.sh/v4:Chart", name: "web", inputs: { name: "web", namespace: "apps", chart: "web", version: "~1.2" } },
  { type: "aws:s3/bucket:Bucket", name: "logs", inputs: {} },
  { type: "aws:iam/policy:Policy", name: "admin", inputs: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) } },
]);

const descriptions = new Map(policies.map((p: Policy) => [p.name, p.description]));

/** What the offline runner reports, in the analyzer's terms: its message is the description, a newline, then the violation. */
async function offline(record: PlanRecord, stack: string): Promise<Diagnostic[]> {
  const report = await runPolicies(record, loadPackConfig(stack));
  return report.violations.map((v) => ({
    policy: v.policy,
    enforcementLevel: v.enforcementLevel,
    urn: v.urn ?? "",
    message: `${descriptions.get(v.policy)}\n${v.message}`,
  }));
}

/** What the real analyzer reports for the same record: Analyze per resource (the engine attaches its URN), then AnalyzeStack. */
async function analyzed(analyzer: PolicyAnalyzer, record: PlanRecord, stack: string): Promise<Diagnostic[]> {
  await analyzer.configure(resolvePackConfig(policyPackArgs, loadPackConfig(stack)));
  const found: Diagnostic[] = [];
  for (const resource of record.resources) {
    for (const d of await analyzer.analyze(resource)) found.push({ ...d, urn: d.urn || resource.urn });
  }
  found.push(...(await analyzer.analyzeStack(record.resources)));
  return found;
}

const sorted = (ds: Diagnostic[]) => ds.map((d) => JSON.stringify(d)).sort();

describe("policy: the pack as the Pulumi CLI runs it", () => {
  it("imports its rules without starting the analyzer server (the process exits on its own)", () => {
    const script = "const rules = require('./policy/rules'); console.log(rules.policies.length + ' policies')";
    const run = spawnSync(process.execPath, ["--require", "tsx/cjs", "-e", script], { cwd: REPOSITORY_ROOT, encoding: "utf8", timeout: 60_000 });
    expect([run.status, run.signal, run.stdout, run.stderr]).to.deep.equal([0, null, "25 policies\n", ""]);
  });

  describe("policy/index.ts under Pulumi's run-policy-pack", () => {
    let analyzer: PolicyAnalyzer;
    before(async () => {
      analyzer = await PolicyAnalyzer.start();
    });
    after(() => analyzer?.stop());

    it("serves the pack: name, version from policy/package.json, every policy with its level and config schema", async () => {
      const info = await analyzer.info();
      expect([info.getName(), info.getVersion(), info.getSupportsconfig()]).to.deep.equal([PACK_NAME, "0.1.0", true]);
      const served = info.getPoliciesList().map((p) => [p.getName(), ["advisory", "mandatory"][p.getEnforcementlevel()]]);
      expect(served).to.deep.equal(policies.map((p) => [p.name, p.enforcementLevel]));
      const replicas = info.getPoliciesList().find((p) => p.getName() === "k8s-replicas-and-disruption-budget")!;
      expect(replicas.getConfigschema()!.getProperties()!.toJavaScript()).to.deep.equal({
        minReplicas: { type: "integer", minimum: 1, default: 2, description: "Fewest replicas a workload may run." },
        singletons: {
          type: "array",
          items: { type: "string" },
          default: [],
          description:
            "Workloads (namespace/name, * matches any characters) that must run exactly one pod, such as an exporter " +
            "whose second replica would duplicate every series or a Pushgateway whose state lives in one pod; skipped. " +
            "Document each in policy/README.md.",
        },
      });
    });

    for (const stack of STACKS) {
      it(`${stack}: reports for the planned stack exactly what the offline runner reports`, async () => {
        const { record } = await planStack(stack);
        const real = await analyzed(analyzer, record, stack);
        expect(sorted(real)).to.deep.equal(sorted(await offline(record, stack)));
      });

      it(`${stack}: reports for a plan breaking every kind of rule exactly what the offline runner reports`, async () => {
        const real = await analyzed(analyzer, BROKEN, stack);
        expect(real.length).to.be.greaterThan(15);
        expect(sorted(real)).to.deep.equal(sorted(await offline(BROKEN, stack)));
      });
    }

    it("applies the stack's levels: the single-replica Deployment blocks production and only warns in staging", async () => {
      const levels: string[] = [];
      for (const stack of ["production", "staging"]) {
        const found = await analyzed(analyzer, BROKEN, stack);
        levels.push(...found.filter((d) => d.policy === "k8s-replicas-and-disruption-budget").map((d) => `${stack}:${d.enforcementLevel}`));
      }
      expect(levels).to.deep.equal(["production:mandatory", "production:mandatory", "staging:advisory", "staging:advisory"]);
    });
  });
});
