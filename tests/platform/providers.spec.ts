import * as k8s from "@pulumi/kubernetes";
import { expect } from "chai";
import { useMockStack } from "../../plan/mocks";
import { recordRegistrations, REPOSITORY_ROOT } from "../../plan/run-program";
import { readStackConfig } from "../../plan/stack-file";
import { planStack, STACKS, type StackPlan } from "../harness";

const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes";
const AWS_PROVIDER = "pulumi:providers:aws";

const TARGETS = {
  staging: { account: "210987654321", context: "arn:aws:eks:eu-west-1:210987654321:cluster/staging-eu-west-1", cluster: "210987654321/eu-west-1/staging-eu-west-1" },
  production: { account: "123456789012", context: "arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu-west-1", cluster: "123456789012/eu-west-1/prod-eu-west-1" },
} as const;

/** Provider configuration reaches the engine as strings (objects JSON-encoded), like any provider's. */
function decoded(inputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, typeof v === "string" && /^[[{]|^(true|false)$/.test(v) ? JSON.parse(v) : v]));
}

describe("explicit providers: every resource targets the stack's own cluster and account", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      let plan: StackPlan;
      before(async () => {
        plan = await planStack(stack);
      });

      it("one Kubernetes provider, on the stack's kubeconfig context, replaced only when the cluster's identity changes", () => {
        const [provider, ...others] = plan.ofType(KUBERNETES_PROVIDER);
        expect(others, "a second Kubernetes provider").to.deep.equal([]);
        expect(provider.name).to.equal("platform-cluster");
        expect(decoded(provider.inputs)).to.deep.equal({ context: TARGETS[stack].context, clusterIdentifier: TARGETS[stack].cluster, deleteUnreachable: false });
      });

      it("two AWS providers, the stack's region and the backup replica's, both refusing every account but the stack's", () => {
        expect(plan.ofType(AWS_PROVIDER).map((p) => p.name)).to.deep.equal(["platform-account", "platform-backup-replica"]);
        const [account, replica] = plan.ofType(AWS_PROVIDER).map((p) => decoded(p.inputs));
        const target = {
          allowedAccountIds: [TARGETS[stack].account],
          defaultTags: { tags: { "platform.io/environment": stack, "platform.io/stack": stack, "app.kubernetes.io/managed-by": "pulumi" } },
        };
        expect(account).to.deep.include({ region: "eu-west-1", ...target });
        expect(replica).to.deep.include({ region: "eu-central-1", ...target });
      });

      it("every Kubernetes and AWS resource, and every Helm chart component, uses them; only the backup replica's the replica region's", () => {
        const urnOf = (type: string) => plan.ofType(type)[0].urn;
        const expected: Record<string, string> = { kubernetes: urnOf(KUBERNETES_PROVIDER), aws: urnOf(AWS_PROVIDER) };
        const replicaProvider = plan.ofType(AWS_PROVIDER)[1].urn;
        const inReplica = (r: { urn: string }) => r.urn.includes("platform:backups:BackupReplica$");
        let custom = 0;
        let remote = 0;
        let replicated = 0;
        for (const r of plan.resources) {
          const pkg = r.type.split(":")[0];
          if (!(pkg in expected)) continue;
          if (r.custom && inReplica(r)) {
            replicated++;
            expect(r.provider, `${r.type} ${r.name}`).to.equal(replicaProvider);
          } else if (r.custom) {
            custom++;
            expect(r.provider, `${r.type} ${r.name}`).to.equal(expected[pkg]);
          } else {
            remote++;
            expect(r.providers?.[pkg], `${r.type} ${r.name}`).to.equal(expected[pkg]);
          }
        }
        expect(custom, "custom resources checked").to.be.greaterThan(90);
        // The replica's KMS key, alias, bucket and its six settings resources.
        expect(replicated, "replica resources checked").to.equal(9);
        expect(remote, "chart components checked").to.be.greaterThan(3);
      });

      it("the stack file disables the default Kubernetes and AWS providers", () => {
        const values = readStackConfig(REPOSITORY_ROOT, stack).values;
        expect(JSON.parse(values["pulumi:disable-default-providers"])).to.deep.equal(["kubernetes", "aws"]);
      });
    });
  }

  it("staging and production target different clusters and accounts", async () => {
    // One stack at a time: the mock runtime is process-wide.
    const staging = await planStack("staging");
    const production = await planStack("production");
    const target = (p: StackPlan) => ({
      kubernetes: decoded(p.ofType(KUBERNETES_PROVIDER)[0].inputs),
      aws: decoded(p.ofType(AWS_PROVIDER)[0].inputs).allowedAccountIds,
    });
    const [s, p] = [target(staging), target(production)];
    expect(s.kubernetes.context).to.not.equal(p.kubernetes.context);
    expect(s.kubernetes.clusterIdentifier).to.not.equal(p.kubernetes.clusterIdentifier);
    expect(s.aws).to.not.deep.equal(p.aws);
  });

  it("like the engine, the plan refuses a resource that would fall back to a disabled default provider", async () => {
    useMockStack("staging", { "pulumi:disable-default-providers": '["kubernetes","aws"]' }, []);
    let error: Error | undefined;
    try {
      await recordRegistrations("staging", () => {
        new k8s.core.v1.ConfigMap("forgotten", { metadata: { name: "forgotten", namespace: "apps" } });
      });
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.equal(
      "failed to register new resource forgotten [kubernetes:core/v1:ConfigMap]: Default provider for 'kubernetes' disabled. 'urn:pulumi:staging::platform::kubernetes:core/v1:ConfigMap::forgotten' must use an explicit provider.",
    );
  });
});
