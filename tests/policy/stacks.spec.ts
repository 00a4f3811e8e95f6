import { expect } from "chai";
import type { RecordedResource } from "../../plan/mocks";
import { loadPackConfig, runPolicies } from "../../policy/offline";
import { planStack, STACKS, type StackPlan } from "../harness";

/**
 * The advisories each committed stack has today, each naming what the stack still lacks: staging runs its
 * active colour on one replica by choice (advisory there, mandatory in production). Whoever fixes or adds one
 * updates this list.
 */
const ADVISORIES: Record<(typeof STACKS)[number], [string, string][]> = {
  staging: [
    // Staging runs the chart workloads once each (the way in's controllers too); production runs them twice or more, with budgets.
    ["k8s-replicas-and-disruption-budget", "Deployment apps/api-green runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage"],
    ["k8s-replicas-and-disruption-budget", "Deployment cert-manager/cert-manager runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage"],
    ["k8s-replicas-and-disruption-budget", "Deployment cert-manager/cert-manager-cainjector runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage"],
    ["k8s-replicas-and-disruption-budget", "Deployment cert-manager/cert-manager-webhook runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage"],
    ["k8s-replicas-and-disruption-budget", "Deployment gateway/envoy-gateway runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage"],
    ["k8s-replicas-and-disruption-budget", "Deployment monitoring/blackbox-exporter-prometheus-blackbox-exporter runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage"],
    ["k8s-replicas-and-disruption-budget", "Deployment monitoring/loki-gateway runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage"],
    ["k8s-replicas-and-disruption-budget", "Deployment monitoring/loki-gateway has no PodDisruptionBudget selecting its pods; add one with maxUnavailable: 1"],
    ["k8s-replicas-and-disruption-budget", "StatefulSet monitoring/loki runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage"],
    ["k8s-replicas-and-disruption-budget", "StatefulSet monitoring/loki has no PodDisruptionBudget selecting its pods; add one with maxUnavailable: 1"],
    ["k8s-replicas-and-disruption-budget", "Deployment external-secrets/external-secrets runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage"],
    ["k8s-replicas-and-disruption-budget", "Deployment external-secrets/external-secrets-cert-controller runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage"],
    ["k8s-replicas-and-disruption-budget", "Deployment external-secrets/external-secrets-webhook runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage"],
    ["k8s-replicas-and-disruption-budget", "Deployment external-secrets/reloader-reloader runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage"],
  ],
  production: [],
};

/** The stack's record with one resource changed (or removed, when `change` returns undefined). */
function edited(plan: StackPlan, name: string, change: (r: RecordedResource) => RecordedResource | undefined) {
  const found = plan.resources.filter((r) => r.name === name);
  expect(found, `${plan.record.stack}: resource ${name}`).to.have.lengthOf(1);
  const resources = plan.resources.flatMap((r) => (r.name === name ? (change(r) ?? []) : [r]));
  return { ...plan.record, resources };
}

const withInputs = (r: RecordedResource, inputs: Record<string, unknown>): RecordedResource => ({ ...r, inputs: { ...r.inputs, ...inputs } });

describe("policy: the committed stacks", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("has no mandatory violation, and exactly the known advisories", async () => {
        const report = await runPolicies((await planStack(stack)).record, loadPackConfig(stack));
        expect(report.violations.filter((v) => v.enforcementLevel === "mandatory")).to.deep.equal([]);
        expect(report.violations.map((v) => [v.policy, v.message])).to.deep.equal(ADVISORIES[stack]);
      });

      it("is checked for real: removing one guard rail from the plan is reported against that resource", async () => {
        const plan = await planStack(stack);
        const config = loadPackConfig(stack);
        const mandatory = async (record: typeof plan.record) =>
          (await runPolicies(record, config)).violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => [v.policy, v.message]);

        expect(await mandatory(edited(plan, "platform-apps-default-deny", () => undefined))).to.deep.equal([
          [
            "k8s-namespace-default-deny",
            "Namespace apps has no default-deny NetworkPolicy; add one with podSelector: {} and policyTypes [Ingress, Egress] and no rules",
          ],
        ]);
        const publicAccess = plan.ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0];
        const bucket = plan.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && publicAccess.dependencies.includes(r.urn));
        expect(bucket, `${stack}: the bucket of ${publicAccess.name}`).to.not.equal(undefined);
        expect(await mandatory(edited(plan, publicAccess.name, () => undefined))).to.deep.equal([
          [
            "s3-block-public-access",
            `S3 bucket ${bucket!.name} has no BucketPublicAccessBlock; add one that sets blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true`,
          ],
        ]);
        expect(await mandatory(edited(plan, "platform-monitoring-loki-release", (r) => withInputs(r, { version: "^18.0.0" })))).to.deep.equal([
          ["helm-chart-pinned", 'Helm release monitoring/loki: chart "loki" version "^18.0.0" is not an exact version; pin one such as 1.2.3'],
        ]);
        const backup = plan.resources.find((r) => r.type === "kubernetes:batch/v1:CronJob" && (r.inputs.metadata as any)?.labels?.["platform.io/component"] === "backup");
        expect(backup, `${stack}: a backup CronJob`).to.not.equal(undefined);
        const unlimited = edited(plan, backup!.name, (r) => {
          const { concurrencyPolicy: _dropped, ...spec } = r.inputs.spec as Record<string, unknown>;
          return withInputs(r, { spec });
        });
        expect(await mandatory(unlimited)).to.deep.equal([
          [
            "k8s-cronjob-limits",
            `CronJob backups/${(backup!.inputs.metadata as any).name} does not set spec.concurrencyPolicy; set Forbid (or Replace) so a slow run and the next one cannot overlap`,
          ],
        ]);
      });
    });
  }

  it("holds each stack to its own environment: production's namespaces break staging's expected labels", async () => {
    const report = await runPolicies((await planStack("production")).record, loadPackConfig("staging"));
    expect(report.violations.filter((v) => v.policy === "k8s-namespace-labels").map((v) => v.message)).to.deep.equal([
      'Namespace apps has platform.io/environment: "production"; this stack requires "staging"',
      'Namespace backups has platform.io/environment: "production"; this stack requires "staging"',
      'Namespace cert-manager has platform.io/environment: "production"; this stack requires "staging"',
      'Namespace external-dns has platform.io/environment: "production"; this stack requires "staging"',
      'Namespace external-secrets has platform.io/environment: "production"; this stack requires "staging"',
      'Namespace gateway has platform.io/environment: "production"; this stack requires "staging"',
      'Namespace monitoring has platform.io/environment: "production"; this stack requires "staging"',
      'Namespace node-agents has platform.io/environment: "production"; this stack requires "staging"',
    ]);
  });
});
