import { expect } from "chai";
import { unpinnedImage } from "../../policy/rules";
import { loadPackConfig } from "../../policy/offline";
import { cronJob, deployment, type FixtureResource, goodContainer, messagesOf } from "./fixtures";

const rollout = (podSpec: Record<string, unknown>): FixtureResource => ({
  type: "kubernetes:argoproj.io/v1alpha1:Rollout",
  name: "web-rollout",
  inputs: {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", namespace: "apps" },
    spec: { replicas: 2, template: { metadata: { labels: { app: "web" } }, spec: podSpec } },
  },
});

describe("policy: workload rules", () => {
  describe("k8s-container-resources", () => {
    it("passes containers and init containers that set cpu and memory requests and limits", async () => {
      const init = { ...goodContainer("migrate") };
      expect(await messagesOf("k8s-container-resources", [deployment("api", { initContainers: [init], containers: [goodContainer()] })])).to.deep.equal([]);
    });

    it("reports each missing request and limit, init containers included", async () => {
      const partial = { ...goodContainer(), resources: { requests: { cpu: "100m" }, limits: { memory: "256Mi" } } };
      const bare = { name: "migrate", image: "ghcr.io/example/migrate:1.0.0" };
      expect(await messagesOf("k8s-container-resources", [deployment("api", { initContainers: [bare], containers: [partial] })])).to.deep.equal([
        'Deployment apps/api: container "migrate" sets no resources.requests.cpu; set cpu and memory requests and limits',
        'Deployment apps/api: container "migrate" sets no resources.requests.memory; set cpu and memory requests and limits',
        'Deployment apps/api: container "migrate" sets no resources.limits.cpu; set cpu and memory requests and limits',
        'Deployment apps/api: container "migrate" sets no resources.limits.memory; set cpu and memory requests and limits',
        'Deployment apps/api: container "api" sets no resources.requests.memory; set cpu and memory requests and limits',
        'Deployment apps/api: container "api" sets no resources.limits.cpu; set cpu and memory requests and limits',
      ]);
    });

    it("checks the pod template of a CronJob too", async () => {
      const job = cronJob("report", { concurrencyPolicy: "Forbid" }, {}, { containers: [{ ...goodContainer("report"), resources: {} }] });
      expect(await messagesOf("k8s-container-resources", [job])).to.have.lengthOf(4);
    });
  });

  describe("k8s-image-pinned", () => {
    it("passes version tags, digests, and registries with a port", async () => {
      const images = ["ghcr.io/example/api:1.4.2", "ghcr.io/example/api@sha256:" + "a".repeat(64), "registry.local:5000/team/api:2.0.0"];
      const containers = images.map((image, i) => ({ ...goodContainer(`c${i}`), image }));
      expect(await messagesOf("k8s-image-pinned", [deployment("api", { containers })])).to.deep.equal([]);
    });

    it("reports untagged and latest images, not mistaking a registry port for a tag", async () => {
      const images = ["nginx", "nginx:latest", "registry.local:5000/team/api"];
      const containers = images.map((image, i) => ({ ...goodContainer(`c${i}`), image }));
      expect(await messagesOf("k8s-image-pinned", [deployment("api", { containers })])).to.deep.equal([
        'Deployment apps/api: container "c0" image "nginx" has no tag; pin a version tag or a digest',
        'Deployment apps/api: container "c1" image "nginx:latest" uses the latest tag; pin a version tag or a digest',
        'Deployment apps/api: container "c2" image "registry.local:5000/team/api" has no tag; pin a version tag or a digest',
      ]);
    });

    it("reads a tag after the last path segment only", () => {
      expect(unpinnedImage("localhost:5000/app")).to.equal("has no tag");
      expect(unpinnedImage("localhost:5000/app:latest")).to.equal("uses the latest tag");
      expect(unpinnedImage("app:latest@sha256:" + "b".repeat(64))).to.equal(undefined);
    });
  });

  describe("k8s-container-security-context", () => {
    it("passes restricted containers, taking runAsNonRoot from the pod when the container does not set it", async () => {
      const { securityContext, ...rest } = goodContainer();
      const inherits = { ...rest, securityContext: { ...securityContext, runAsNonRoot: undefined } };
      const podSpec = { securityContext: { runAsNonRoot: true, runAsUser: 10001 }, containers: [inherits] };
      expect(await messagesOf("k8s-container-security-context", [deployment("api", podSpec)])).to.deep.equal([]);
    });

    it("reports a container without a security context, field by field", async () => {
      const container = { ...goodContainer(), securityContext: {} };
      expect(await messagesOf("k8s-container-security-context", [deployment("api", { containers: [container] })])).to.deep.equal([
        'Deployment apps/api: container "api" does not set runAsNonRoot: true (container or pod securityContext); run it as a non-root user',
        'Deployment apps/api: container "api" does not set securityContext.readOnlyRootFilesystem: true; mount an emptyDir where it must write',
        'Deployment apps/api: container "api" does not set securityContext.allowPrivilegeEscalation: false',
      ]);
    });

    it("reports UID 0 inherited from the pod and privileged mode", async () => {
      const container = { ...goodContainer(), securityContext: { ...goodContainer().securityContext, privileged: true } };
      const podSpec = { securityContext: { runAsUser: 0 }, containers: [container] };
      expect(await messagesOf("k8s-container-security-context", [deployment("api", podSpec)])).to.deep.equal([
        'Deployment apps/api: container "api" runs as UID 0 (runAsUser: 0); use a non-zero UID',
        'Deployment apps/api: container "api" is privileged (securityContext.privileged: true); grant the specific capability it needs instead',
      ]);
    });

    it("skips the workloads the pack config exempts by namespace/name", async () => {
      const root = deployment("agent", { containers: [{ ...goodContainer(), securityContext: {} }] });
      const config = { "k8s-container-security-context": { exemptions: ["apps/agent"] } };
      expect(await messagesOf("k8s-container-security-context", [root], config)).to.deep.equal([]);
      expect(await messagesOf("k8s-container-security-context", [root], { "k8s-container-security-context": { exemptions: ["other/agent"] } })).to.have.lengthOf(3);
    });
  });

  describe("k8s-no-host-access", () => {
    it("passes pods without host namespaces or hostPath volumes", async () => {
      const podSpec = { hostNetwork: false, containers: [goodContainer()], volumes: [{ name: "tmp", emptyDir: {} }] };
      expect(await messagesOf("k8s-no-host-access", [deployment("api", podSpec)])).to.deep.equal([]);
    });

    it("reports host network, PID and IPC namespaces and hostPath volumes, naming the field path", async () => {
      const podSpec = {
        hostNetwork: true,
        hostPID: true,
        hostIPC: true,
        containers: [goodContainer()],
        volumes: [{ name: "logs", hostPath: { path: "/var/log" } }],
      };
      expect(await messagesOf("k8s-no-host-access", [deployment("agent", podSpec)])).to.deep.equal([
        "Deployment apps/agent: spec.template.spec.hostNetwork: true shares the node's network namespace; remove it",
        "Deployment apps/agent: spec.template.spec.hostPID: true shares the node's process namespace; remove it",
        "Deployment apps/agent: spec.template.spec.hostIPC: true shares the node's IPC namespace; remove it",
        'Deployment apps/agent: volume "logs" mounts hostPath /var/log from the node; use an emptyDir, a PersistentVolumeClaim or a CSI volume',
      ]);
    });

    it("finds the pod spec of a CronJob under its job template", async () => {
      const job = cronJob("dump", {}, {}, { hostPID: true, containers: [goodContainer("dump")] });
      expect(await messagesOf("k8s-no-host-access", [job])).to.deep.equal([
        "CronJob backups/dump: spec.jobTemplate.spec.template.spec.hostPID: true shares the node's process namespace; remove it",
      ]);
    });

    it("skips exempted workloads, in their namespace only", async () => {
      const spec = { containers: [goodContainer()], volumes: [{ name: "varlog", hostPath: { path: "/var/log" } }] };
      const config = { "k8s-no-host-access": { exemptions: ["node-agents/alloy"] } };
      expect(await messagesOf("k8s-no-host-access", [deployment("alloy", spec, { replicas: 2 }, "node-agents")], config)).to.deep.equal([]);
      expect(await messagesOf("k8s-no-host-access", [deployment("alloy", spec, { replicas: 2 }, "monitoring")], config)).to.deep.equal([
        'Deployment monitoring/alloy: volume "varlog" mounts hostPath /var/log from the node; use an emptyDir, a PersistentVolumeClaim or a CSI volume',
      ]);
    });
  });

  describe("k8s-deployment-probes", () => {
    it("passes Deployments and Rollouts whose app containers have both probes; init containers and Jobs need none", async () => {
      const init = { name: "migrate", image: "ghcr.io/example/migrate:1.0.0" };
      const resources = [
        deployment("api", { initContainers: [init], containers: [goodContainer()] }),
        rollout({ containers: [goodContainer("web")] }),
        cronJob("report", {}, {}, { containers: [{ name: "report", image: "ghcr.io/example/report:1.0.0" }] }),
      ];
      expect(await messagesOf("k8s-deployment-probes", resources)).to.deep.equal([]);
    });

    it("reports each missing probe", async () => {
      const { readinessProbe: _r, livenessProbe: _l, ...noProbes } = goodContainer();
      const { readinessProbe: _r2, ...noReadiness } = goodContainer("web");
      expect(await messagesOf("k8s-deployment-probes", [deployment("api", { containers: [noProbes] }), rollout({ containers: [noReadiness] })])).to.deep.equal([
        'Deployment apps/api: container "api" has no readinessProbe; add one so traffic only reaches pods that serve',
        'Deployment apps/api: container "api" has no livenessProbe; add one so the kubelet restarts a hung process',
        'Rollout apps/web: container "web" has no readinessProbe; add one so traffic only reaches pods that serve',
      ]);
    });

    it("skips the single containers the config exempts (namespace/name:container), and only those", async () => {
      const { readinessProbe: _r, livenessProbe: _l, ...sidecar } = goodContainer("sidecar");
      const resources = [deployment("grafana", { containers: [goodContainer("grafana"), sidecar] }), deployment("other", { containers: [sidecar] })];
      const config = { "k8s-deployment-probes": { exemptions: ["apps/grafana:sidecar"] } };
      expect(await messagesOf("k8s-deployment-probes", resources, config)).to.deep.equal([
        'Deployment apps/other: container "sidecar" has no readinessProbe; add one so traffic only reaches pods that serve',
        'Deployment apps/other: container "sidecar" has no livenessProbe; add one so the kubelet restarts a hung process',
      ]);
    });

    it("both stacks exempt exactly Grafana's two k8s-sidecar containers (one probe spec cannot check both health ports) and cert-manager's two leader-elected controllers (the chart offers no readiness probe)", () => {
      for (const stack of ["staging", "production"]) {
        expect(loadPackConfig(stack)["k8s-deployment-probes"]).to.deep.equal({
          exemptions: [
            "monitoring/kube-prometheus-stack-grafana:grafana-sc-dashboard",
            "monitoring/kube-prometheus-stack-grafana:grafana-sc-datasources",
            "cert-manager/cert-manager:cert-manager-controller",
            "cert-manager/cert-manager-cainjector:cert-manager-cainjector",
          ],
        });
      }
    });
  });

  describe("k8s-cronjob-limits", () => {
    it("passes a CronJob that states its concurrency policy and both history limits (Allow included)", async () => {
      const jobs = [
        cronJob("backup", { concurrencyPolicy: "Forbid", successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 5 }),
        cronJob("report", { concurrencyPolicy: "Allow", successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }),
      ];
      expect(await messagesOf("k8s-cronjob-limits", jobs)).to.deep.equal([]);
    });

    it("reports each unset field with its fix", async () => {
      expect(await messagesOf("k8s-cronjob-limits", [cronJob("backup", { successfulJobsHistoryLimit: 0 })])).to.deep.equal([
        "CronJob backups/backup does not set spec.concurrencyPolicy; set Forbid (or Replace) so a slow run and the next one cannot overlap",
        "CronJob backups/backup does not set spec.failedJobsHistoryLimit; set it so failed Jobs are kept for diagnosis but not forever",
      ]);
    });
  });
});
