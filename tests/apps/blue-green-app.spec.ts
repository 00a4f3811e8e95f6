import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { gateScript, secretStringData } from "../../components/apps";
import { type RecordedResource, recorder } from "../../plan/mocks";
import { diffPlans, type PlanDiff } from "../../plan/diff";
import type { AppSettings, Color } from "../../stacks/apps-schema";
import { StackPlan, type StackName, STACKS } from "../harness";
import { stackApp } from "./fixtures/apps-config";
import { COMPONENT_NAME, planApp, SECRET_VALUES } from "./fixtures/plan-app";

const N = COMPONENT_NAME;
const COLOR = "platform.io/color";
const other = (c: Color): Color => (c === "blue" ? "green" : "blue");

/** The committed colour of each proposed stack, and the app with the other one. */
const committed = (stack: StackName) => stackApp(stack);
const flipped = (stack: StackName) => stackApp(stack, (a) => (a.activeColor = other(a.activeColor)));

const plans = new Map<string, Promise<StackPlan>>();
/** Plans are deterministic, so each distinct app is planned once per process (tests run one at a time). */
function plan(stack: StackName, app: AppSettings): Promise<StackPlan> {
  const key = `${stack}:${JSON.stringify(app)}`;
  if (!plans.has(key)) plans.set(key, planApp(stack, app).then((r) => new StackPlan(r)));
  return plans.get(key)!;
}

/** Changed resource name → changed property paths, the way `pulumi preview --diff` groups them. */
function changedPaths(diff: PlanDiff): Record<string, string[]> {
  return Object.fromEntries(diff.changed.map(({ resource, changes }) => [resource.name, changes.map((c) => c.path)]));
}

const depNames = (r: RecordedResource) => r.dependencies.map((urn) => urn.slice(urn.lastIndexOf("::") + 2));

describe("BlueGreenApp", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      const replicas = stack === "production" ? 3 : 1;

      it("registers exactly the expected objects", async () => {
        const p = await plan(stack, committed(stack));
        const inventory = p.record.resources.map((r) => `${r.type} ${r.name}`).sort();
        const expected = [
          `platform:apps:BlueGreenApp ${N}`,
          `kubernetes:core/v1:ServiceAccount ${N}-sa`,
          `kubernetes:core/v1:Secret ${N}-env`,
          `random:index/randomPassword:RandomPassword ${N}-secret-checksum-salt`,
          `kubernetes:core/v1:ConfigMap ${N}-gate-script`,
          `kubernetes:apps/v1:Deployment ${N}-blue`,
          `kubernetes:apps/v1:Deployment ${N}-green`,
          `kubernetes:core/v1:Service ${N}-active`,
          `kubernetes:core/v1:Service ${N}-preview`,
          `kubernetes:core/v1:Service ${N}-blue-svc`,
          `kubernetes:core/v1:Service ${N}-green-svc`,
          `kubernetes:batch/v1:Job ${N}-gate`,
          `kubernetes:policy/v1:PodDisruptionBudget ${N}-blue-pdb`,
          `kubernetes:policy/v1:PodDisruptionBudget ${N}-green-pdb`,
          `kubernetes:networking.k8s.io/v1:NetworkPolicy ${N}-gate-egress`,
          `kubernetes:networking.k8s.io/v1:NetworkPolicy ${N}-gate-ingress`,
          `kubernetes:monitoring.coreos.com/v1:ServiceMonitor ${N}-monitor`,
          `platform:monitoring:BlackboxProbe ${N}-probe`,
          `kubernetes:monitoring.coreos.com/v1:Probe ${N}-probe-probe`,
          // PAYMENTS_API_KEY comes from Secrets Manager: ESO writes Secret api-external-env from this.
          `kubernetes:external-secrets.io/v1:ExternalSecret ${N}-external-env`,
          // Staging scales the idle colour to zero, after the scale-down delay; production keeps it warm.
          ...(stack === "staging" ? [`kubernetes:batch/v1:Job ${N}-scale-down-delay`] : []),
        ].sort();
        expect(inventory).to.deep.equal(expected);
        for (const r of p.record.resources) {
          if (r.name !== N && !r.name.startsWith(`${N}-probe-`)) expect(r.parent, r.name).to.match(/platform:apps:BlueGreenApp::platform-app-api$/);
        }
      });

      for (const active of ["blue", "green"] as const) {
        it(`activeColor ${active}: the active Service selects ${active}, the preview Service ${other(active)}, colour Services their own`, async () => {
          const p = await plan(stack, stackApp(stack, (a) => (a.activeColor = active)));
          const selector = (name: string) => p.object("Service", name).spec.selector;
          expect(selector("api")).to.deep.equal({ "app.kubernetes.io/name": "api", [COLOR]: active });
          expect(selector("api-preview")).to.deep.equal({ "app.kubernetes.io/name": "api", [COLOR]: other(active) });
          expect(selector("api-blue")).to.deep.equal({ "app.kubernetes.io/name": "api", [COLOR]: "blue" });
          expect(selector("api-green")).to.deep.equal({ "app.kubernetes.io/name": "api", [COLOR]: "green" });
          expect(p.object("Service", "api").metadata.labels["platform.io/role"]).to.equal("active");
          expect(p.object("Service", "api-preview").metadata.labels["platform.io/role"]).to.equal("preview");
          for (const name of ["api", "api-preview", "api-blue", "api-green"]) {
            expect(p.object("Service", name).spec.ports, name).to.deep.equal([{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }]);
          }
        });
      }

      it("moves the active and preview Services only after the gate Job, which waits for the colour it tests", async () => {
        const p = await plan(stack, committed(stack));
        const active = committed(stack).activeColor;
        const gate = p.byName(`${N}-gate`);
        expect(p.byName(`${N}-active`).dependencies).to.deep.equal([gate.urn]);
        expect(p.byName(`${N}-preview`).dependencies).to.deep.equal([gate.urn]);
        expect(depNames(gate).sort()).to.deep.equal([`${N}-${active}`, `${N}-${active}-svc`, `${N}-gate-egress`, `${N}-gate-ingress`, `${N}-gate-script`].sort());
      });

      it("gate Job: runs once, bounded, kept until the next promotion (no TTL), awaited by Pulumi (no skipAwait), replaced when it failed", async () => {
        const p = await plan(stack, committed(stack));
        const active = committed(stack).activeColor;
        const job = p.byName(`${N}-gate`).inputs as Record<string, any>;
        expect(job.metadata.name).to.match(new RegExp(`^api-gate-${active}-[0-9a-f]{10}$`));
        expect(job.metadata.annotations).to.deep.equal({ "pulumi.com/replaceUnready": "true", "pulumi.com/timeoutSeconds": "330" });
        expect(job.metadata.annotations).to.not.have.property("pulumi.com/skipAwait");
        expect(job.spec).to.include({ backoffLimit: 0, activeDeadlineSeconds: 270 });
        expect(job.spec).to.not.have.property("ttlSecondsAfterFinished");
        const pod = job.spec.template.spec;
        expect(pod.restartPolicy).to.equal("Never");
        expect(pod.containers[0]).to.deep.include({ image: "curlimages/curl:8.21.0", command: ["/bin/sh", "/gate/blue-green-gate.sh"] });
        expect(pod.volumes).to.deep.equal([{ name: "gate", configMap: { name: "api-gate", defaultMode: 0o555 } }]);
        expect(job.spec.template.metadata.labels, "gate pods carry no colour, so no Service selects them").to.not.have.property(COLOR);
      });

      it("gate Job environment: the target colour's own Service, the health and configured checks, the error-ratio query", async () => {
        const p = await plan(stack, committed(stack));
        const active = committed(stack).activeColor;
        const image = committed(stack).images[active];
        const env = Object.fromEntries((p.byName(`${N}-gate`).inputs as any).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
        const selector = `namespace="apps",service="api",color="${active}"`;
        expect(env).to.deep.equal({
          TARGET: `api ${active} (${image})`,
          PREVIEW_URL: `http://api-${active}.apps.svc.cluster.local:8080`,
          CHECKS: '/health/live 200\n/health/ready 200\n/api/v1/status 200 "status":"ok"',
          TIMEOUT_SECONDS: "5",
          PROMETHEUS_URL: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
          ERROR_RATIO_QUERY: `(sum(rate(http_requests_total{${selector},status=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total{${selector}}[5m]))`,
          ERROR_RATIO_THRESHOLD: stack === "production" ? "0.01" : "0.05",
          ERROR_RATIO_WINDOW: "5m",
          METRICS_WAIT_SECONDS: "120",
          POLL_INTERVAL_SECONDS: "10",
        });
      });

      it("mounts the committed gate script byte for byte", async () => {
        const p = await plan(stack, committed(stack));
        expect(p.object("ConfigMap", "api-gate").data).to.deep.equal({ "blue-green-gate.sh": gateScript() });
      });

      it("Deployments: one per colour, each with its own image, version label and Sentry release", async () => {
        const p = await plan(stack, committed(stack));
        for (const [color, version] of [["blue", "1.4.2"], ["green", "1.5.0"]] as const) {
          const d = p.object("Deployment", `api-${color}`);
          expect(d.spec.selector.matchLabels).to.deep.equal({ "app.kubernetes.io/name": "api", [COLOR]: color });
          const labels = {
            "app.kubernetes.io/name": "api",
            "app.kubernetes.io/instance": `api-${color}`,
            "app.kubernetes.io/version": version,
            "app.kubernetes.io/component": "server",
            "app.kubernetes.io/part-of": "api",
            "app.kubernetes.io/managed-by": "pulumi",
            "platform.io/environment": stack,
            [COLOR]: color,
          };
          expect(d.metadata.labels).to.deep.equal(labels);
          expect(d.spec.template.metadata.labels).to.deep.equal(labels);
          const container = d.spec.template.spec.containers[0];
          expect(container.image).to.equal(`ghcr.io/example/api:${version}`);
          expect(container.env).to.deep.equal([
            { name: "LOG_LEVEL", value: stack === "production" ? "INFO" : "DEBUG" },
            { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://alloy.node-agents.svc.cluster.local:4318" },
            { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "http/protobuf" },
            { name: "OTEL_LOGS_EXPORTER", value: "none" },
            { name: "OTEL_METRICS_EXPORTER", value: "none" },
            {
              name: "OTEL_RESOURCE_ATTRIBUTES",
              value: `deployment.environment.name=${stack},deployment.color=${color},service.version=${version},k8s.namespace.name=apps,k8s.deployment.name=api-${color}`,
            },
            { name: "OTEL_SERVICE_NAME", value: "api" },
            { name: "OTEL_TRACES_EXPORTER", value: "otlp" },
            { name: "OTEL_TRACES_SAMPLER", value: "parentbased_traceidratio" },
            { name: "OTEL_TRACES_SAMPLER_ARG", value: stack === "production" ? "0.1" : "0.5" },
            { name: "SENTRY_ENVIRONMENT", value: stack },
            { name: "SENTRY_RELEASE", value: `api@${version}` },
            { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "api-env", key: "DATABASE_URL" } } },
            { name: "PAYMENTS_API_KEY", valueFrom: { secretKeyRef: { name: "api-external-env", key: "PAYMENTS_API_KEY" } } },
            { name: "SENTRY_DSN", valueFrom: { secretKeyRef: { name: "api-env", key: "SENTRY_DSN" } } },
          ]);
          expect(d.spec.strategy).to.deep.equal({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } });
        }
      });

      it(`replicas: the active colour ${replicas}, the idle colour ${stack === "production" ? "warm at the same size" : "scaled to zero"}`, async () => {
        const app = committed(stack);
        const p = await plan(stack, app);
        expect(p.object("Deployment", `api-${app.activeColor}`).spec.replicas).to.equal(replicas);
        expect(p.object("Deployment", `api-${other(app.activeColor)}`).spec.replicas).to.equal(stack === "production" ? replicas : 0);
      });

      it("health probes on the seed's endpoints, on the named http port", async () => {
        const p = await plan(stack, committed(stack));
        const container = p.object("Deployment", "api-blue").spec.template.spec.containers[0];
        const get = (path: string) => ({ path, port: "http", scheme: "HTTP" });
        expect(container.ports).to.deep.equal([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
        expect(container.livenessProbe).to.deep.equal({ httpGet: get("/health/live"), periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
        expect(container.readinessProbe).to.deep.equal({ httpGet: get("/health/ready"), periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 });
        expect(container.startupProbe).to.deep.equal({ httpGet: get("/health/startup"), periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 30 });
      });

      it("a terminating pod keeps serving 10 s while Envoy learns it is gone, then has the full 30 s to shut down", async () => {
        const p = await plan(stack, committed(stack));
        for (const color of ["blue", "green"] as const) {
          const pod = p.object("Deployment", `api-${color}`).spec.template.spec;
          // The kubelet's own sleep: the app image needs no shell. SIGTERM comes after it.
          expect(pod.containers[0].lifecycle, color).to.deep.equal({ preStop: { sleep: { seconds: 10 } } });
          // The grace period includes the sleep: 10 s of drain + the 30 s an app had by default.
          expect(pod.terminationGracePeriodSeconds, color).to.equal(40);
        }
      });

      it("runs every pod non-root, read-only, without privilege escalation or capabilities (PSA restricted)", async () => {
        const p = await plan(stack, committed(stack));
        const restricted = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };
        const pods = [
          ...p.objects("Deployment").map((d) => [d.metadata.name, d.spec.template.spec, 65532, 65532] as const),
          // The gate runs as no user of the node (above 10000), not as the image's curl_user (100).
          ...p.objects("Job").map((j) => [j.metadata.name, j.spec.template.spec, 65532, 65532] as const),
        ];
        expect(pods).to.have.lengthOf(stack === "staging" ? 4 : 3);
        for (const [name, pod, uid, gid] of pods) {
          expect(pod.securityContext, name).to.deep.equal({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, fsGroup: gid, seccompProfile: { type: "RuntimeDefault" } });
          expect(pod.automountServiceAccountToken, name).to.equal(false);
          expect(pod.serviceAccountName, name).to.equal("api");
          for (const c of pod.containers) expect(c.securityContext, `${name}/${c.name}`).to.deep.equal(restricted);
        }
        expect(p.object("ServiceAccount", "api").automountServiceAccountToken).to.equal(false);
      });

      it(`topology spread across zones: ${stack === "production" ? "both colours" : "none in staging"}`, async () => {
        const p = await plan(stack, committed(stack));
        for (const color of ["blue", "green"] as const) {
          const spread = p.object("Deployment", `api-${color}`).spec.template.spec.topologySpreadConstraints;
          if (stack === "staging") {
            expect(spread, color).to.equal(undefined);
            continue;
          }
          const selector = { matchLabels: { "app.kubernetes.io/name": "api", [COLOR]: color } };
          expect(spread, color).to.deep.equal([
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: selector, matchLabelKeys: ["pod-template-hash"], nodeTaintsPolicy: "Honor" },
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: selector, matchLabelKeys: ["pod-template-hash"] },
          ]);
        }
      });

      it("a PodDisruptionBudget per colour that never blocks a drain", async () => {
        const p = await plan(stack, committed(stack));
        for (const color of ["blue", "green"] as const) {
          expect(p.object("PodDisruptionBudget", `api-${color}`).spec, color).to.deep.equal({
            maxUnavailable: "25%",
            selector: { matchLabels: { "app.kubernetes.io/name": "api", [COLOR]: color } },
            unhealthyPodEvictionPolicy: "AlwaysAllow",
          });
        }
      });

      it("a ServiceMonitor Prometheus selects, scraping /metrics through the active and preview Services with service, role, color, version", async () => {
        const p = await plan(stack, committed(stack));
        const sm = p.object("ServiceMonitor", "api");
        expect(sm.metadata.namespace).to.equal("apps");
        expect(sm.metadata.labels).to.include({ release: "kube-prometheus-stack" });
        expect(sm.spec.selector).to.deep.equal({
          matchLabels: { "app.kubernetes.io/name": "api" },
          matchExpressions: [{ key: "platform.io/role", operator: "In", values: ["active", "preview"] }],
        });
        expect(sm.spec.namespaceSelector).to.deep.equal({ matchNames: ["apps"] });
        expect(sm.spec.endpoints).to.deep.equal([
          {
            port: "http",
            path: "/metrics",
            scheme: "http",
            honorLabels: true,
            relabelings: [
              { action: "replace", sourceLabels: ["__meta_kubernetes_service_label_app_kubernetes_io_name"], targetLabel: "service" },
              { action: "replace", sourceLabels: ["__meta_kubernetes_service_label_platform_io_role"], targetLabel: "role" },
              { action: "replace", sourceLabels: ["__meta_kubernetes_pod_label_platform_io_color"], targetLabel: "color" },
              { action: "replace", sourceLabels: ["__meta_kubernetes_pod_label_app_kubernetes_io_version"], targetLabel: "version" },
            ],
          },
        ]);
        // The role label the ServiceMonitor selects and copies exists on the two traffic Services only.
        const roles = p.objects("Service").map((s) => [s.metadata.name, s.metadata.labels["platform.io/role"]]);
        expect(roles.sort()).to.deep.equal([["api", "active"], ["api-blue", undefined], ["api-green", undefined], ["api-preview", "preview"]]);
      });

      it("a blackbox Probe of the readiness URL behind the active Service", async () => {
        const p = await plan(stack, committed(stack));
        const probe = p.object("Probe", "api-active");
        expect(probe.metadata).to.deep.equal({ name: "api-active", namespace: "apps", labels: { release: "kube-prometheus-stack" } });
        expect(probe.spec).to.deep.equal({
          jobName: "api-active",
          interval: "30s",
          module: "http_2xx",
          prober: { url: "blackbox-exporter-prometheus-blackbox-exporter.monitoring.svc.cluster.local:9115", scheme: "http", path: "/probe" },
          targets: { staticConfig: { static: ["http://api.apps.svc.cluster.local:8080/health/ready"], labels: { service: "api", role: "active" } } },
        });
      });

      it("lets only the gate pods reach Prometheus on 9090, from both sides of the namespace boundary", async () => {
        const p = await plan(stack, committed(stack));
        const gatePods = { "app.kubernetes.io/name": "api", "app.kubernetes.io/component": "promotion-gate" };
        const prometheus = { "app.kubernetes.io/name": "prometheus" };
        const ports = [{ protocol: "TCP", port: 9090 }];
        const egress = p.object("NetworkPolicy", "api-gate-to-prometheus");
        expect(egress.metadata.namespace).to.equal("apps");
        expect(egress.spec).to.deep.equal({
          podSelector: { matchLabels: gatePods },
          policyTypes: ["Egress"],
          egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: prometheus } }], ports }],
        });
        const ingress = p.object("NetworkPolicy", "promotion-gate-api");
        expect(ingress.metadata.namespace).to.equal("monitoring");
        expect(ingress.spec).to.deep.equal({
          podSelector: { matchLabels: prometheus },
          policyTypes: ["Ingress"],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "apps" } }, podSelector: { matchLabels: gatePods } }], ports }],
        });
      });

      it("keeps secrets out of every plain value: the Secret's data is a Pulumi secret, pods read it by reference", async () => {
        const p = await plan(stack, committed(stack));
        const secret = p.byName(`${N}-env`);
        expect(secret.secretPaths).to.deep.equal(["stringData"]);
        expect(secret.inputs).to.deep.include({ type: "Opaque", stringData: { DATABASE_URL: "[secret]", SENTRY_DSN: "[secret]" } });
        const everything = JSON.stringify(p.record.resources);
        for (const value of Object.values(SECRET_VALUES)) expect(everything).to.not.include(value);
        for (const d of ["blue", "green"]) expect(depNames(p.byName(`${N}-${d}`))).to.include.members([`${N}-env`, `${N}-sa`]);
      });

      it("switching activeColor changes only the two Service selectors and the gate (plus staging's idle scale-down)", async () => {
        const before = (await plan(stack, committed(stack))).record;
        const after = (await plan(stack, flipped(stack))).record;
        const diff = diffPlans(before, after);
        expect(diff.added.map((r) => r.name)).to.deep.equal([]);
        expect(diff.removed.map((r) => r.name)).to.deep.equal([]);
        const gatePaths = [
          "inputs.metadata.name",
          "inputs.spec.template.spec.containers[0].env[0].value", // TARGET
          "inputs.spec.template.spec.containers[0].env[1].value", // PREVIEW_URL
          "inputs.spec.template.spec.containers[0].env[5].value", // ERROR_RATIO_QUERY
        ];
        const expected: Record<string, string[]> = {
          [`${N}-active`]: [`inputs.spec.selector.${COLOR}`],
          [`${N}-preview`]: [`inputs.spec.selector.${COLOR}`],
          [`${N}-gate`]: gatePaths,
        };
        if (stack === "staging") {
          // Intended: the idle colour is scaled to zero, after the switch and after the delay Job, which
          // runs again for the new idle colour.
          expected[`${N}-blue`] = ["inputs.spec.replicas"];
          expected[`${N}-green`] = ["inputs.spec.replicas"];
          expected[`${N}-scale-down-delay`] = ["inputs.metadata.name"];
        }
        expect(changedPaths(diff)).to.deep.equal(expected);
        // The order moves with the colour: the gate tests the new colour, and only staging's new idle
        // colour waits for the switch (through the delay Job) before it shrinks.
        const flippedPlan = await plan(stack, flipped(stack));
        const to0 = other(committed(stack).activeColor);
        expect(depNames(flippedPlan.byName(`${N}-gate`))).to.include.members([`${N}-${to0}`, `${N}-${to0}-svc`]);
        const idle = flippedPlan.byName(`${N}-${committed(stack).activeColor}`);
        expect(depNames(idle).includes(`${N}-scale-down-delay`)).to.equal(stack === "staging");
        const change = (name: string, path: string) => diff.changed.find((c) => c.resource.name === name)!.changes.find((c) => c.path === path)!;
        const from = committed(stack).activeColor;
        const to = other(from);
        expect(change(`${N}-active`, `inputs.spec.selector.${COLOR}`)).to.deep.include({ before: from, after: to });
        expect(change(`${N}-preview`, `inputs.spec.selector.${COLOR}`)).to.deep.include({ before: to, after: from });
        expect(change(`${N}-gate`, "inputs.metadata.name").after).to.match(new RegExp(`^api-gate-${to}-[0-9a-f]{10}$`));
        if (stack === "staging") {
          expect(change(`${N}-${from}`, "inputs.spec.replicas")).to.deep.include({ before: 1, after: 0 });
          expect(change(`${N}-${to}`, "inputs.spec.replicas")).to.deep.include({ before: 0, after: 1 });
          expect(depNames(after.resources.find((r) => r.name === `${N}-${from}`)!)).to.include(`${N}-scale-down-delay`);
          expect(depNames(after.resources.find((r) => r.name === `${N}-${to}`)!)).to.not.include(`${N}-scale-down-delay`);
          expect(change(`${N}-scale-down-delay`, "inputs.metadata.name").after).to.match(new RegExp(`^api-scale-down-${from}-[0-9a-f]{10}$`));
        }
      });

      it("switching back (rollback) restores the first plan exactly", async () => {
        const first = (await plan(stack, committed(stack))).record;
        const back = await planApp(stack, stackApp(stack, (a) => (a.activeColor = committed(stack).activeColor)));
        const diff = diffPlans(first, back);
        expect([diff.added.length, diff.removed.length, diff.changed.length]).to.deep.equal([0, 0, 0]);
      });

      it("a new image on the idle colour updates only that Deployment: no gate runs, no traffic moves", async () => {
        const app = committed(stack);
        const idle = other(app.activeColor);
        const before = (await plan(stack, app)).record;
        const after = await planApp(stack, stackApp(stack, (a) => (a.images[idle] = "ghcr.io/example/api:1.6.0")));
        const paths = [
          "inputs.metadata.labels.app.kubernetes.io/version",
          "inputs.spec.template.metadata.labels.app.kubernetes.io/version",
          "inputs.spec.template.spec.containers[0].env[11].value", // SENTRY_RELEASE
          "inputs.spec.template.spec.containers[0].env[5].value", // OTEL_RESOURCE_ATTRIBUTES (service.version)
          "inputs.spec.template.spec.containers[0].image",
        ];
        expect(changedPaths(diffPlans(before, after))).to.deep.equal({ [`${N}-${idle}`]: paths });
      });

      it("a new image on the active colour re-runs the gate against it", async () => {
        const app = committed(stack);
        const before = (await plan(stack, app)).record;
        const after = await planApp(stack, stackApp(stack, (a) => (a.images[app.activeColor] = "ghcr.io/example/api:1.5.1")));
        const changed = changedPaths(diffPlans(before, after));
        expect(Object.keys(changed).sort()).to.deep.equal([`${N}-${app.activeColor}`, `${N}-gate`].sort());
        expect(changed[`${N}-gate`]).to.deep.equal(["inputs.metadata.name", "inputs.spec.template.spec.containers[0].env[0].value"]);
      });
    });
  }

  describe("environment-dependent defaults and options", () => {
    it("production with previewReplicas 1: the idle colour shrinks after the switch and a 30 s delay", async () => {
      const p = await plan("production", stackApp("production", (a) => (a.previewReplicas = 1)));
      expect(p.object("Deployment", "api-green").spec.replicas).to.equal(1);
      expect(depNames(p.byName(`${N}-green`)).sort()).to.deep.equal([`${N}-env`, `${N}-external-env`, `${N}-sa`, `${N}-scale-down-delay`, `${N}-secret-checksum-salt`]);
      const delay = p.byName(`${N}-scale-down-delay`);
      expect(depNames(delay).sort()).to.deep.equal([`${N}-active`, `${N}-preview`]);
      const job = delay.inputs as Record<string, any>;
      expect(job.metadata.name).to.match(/^api-scale-down-green-[0-9a-f]{10}$/);
      expect(job.spec).to.include({ backoffLimit: 0, activeDeadlineSeconds: 150 });
      expect(job.spec).to.not.have.property("ttlSecondsAfterFinished");
      expect(job.spec.template.spec.containers[0]).to.deep.include({ image: "curlimages/curl:8.21.0", command: ["sleep", "30"] });
    });

    it("production keeps the idle colour warm: it depends on nothing that comes after the switch", async () => {
      const p = await plan("production", committed("production"));
      expect(depNames(p.byName(`${N}-green`)).sort()).to.deep.equal([`${N}-env`, `${N}-external-env`, `${N}-sa`, `${N}-secret-checksum-salt`]);
    });

    it("staging with scaleDownDelaySeconds 0: no delay Job, the idle colour shrinks right after the switch", async () => {
      const p = await plan("staging", stackApp("staging", (a) => (a.scaleDownDelaySeconds = 0)));
      expect(p.record.resources.filter((r) => r.name === `${N}-scale-down-delay`)).to.deep.equal([]);
      expect(depNames(p.byName(`${N}-blue`)).sort()).to.deep.equal([`${N}-active`, `${N}-env`, `${N}-external-env`, `${N}-preview`, `${N}-sa`, `${N}-secret-checksum-salt`]);
    });

    it("staging with previewReplicas 1 keeps one idle replica", async () => {
      const p = await plan("staging", stackApp("staging", (a) => (a.previewReplicas = 1)));
      expect(p.object("Deployment", "api-blue").spec.replicas).to.equal(1);
      // One idle replica is no smaller than the single active one: nothing to wait for.
      expect(p.record.resources.filter((r) => r.name === `${N}-scale-down-delay`)).to.deep.equal([]);
    });

    it("with hpa: one HPA per colour owns the replica count, the idle one pinned to previewReplicas", async () => {
      const withHpa = (color: Color) => stackApp("production", (a) => {
        a.activeColor = color;
        a.hpa = { min: 3, max: 10, targetCpuPercent: 70 };
      });
      const p = await plan("production", withHpa("blue"));
      for (const color of ["blue", "green"]) expect(p.object("Deployment", `api-${color}`).spec, color).to.not.have.property("replicas");
      const hpa = (color: string) => p.object("HorizontalPodAutoscaler", `api-${color}`).spec;
      const cpu = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }];
      expect(hpa("blue")).to.deep.equal({ scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api-blue" }, minReplicas: 3, maxReplicas: 10, metrics: cpu });
      expect(hpa("green")).to.deep.equal({ scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api-green" }, minReplicas: 3, maxReplicas: 3, metrics: cpu });
      // The idle colour may have run up to 10 replicas while active: it shrinks after the switch and delay.
      expect(depNames(p.byName(`${N}-green-hpa`)).sort()).to.deep.equal([`${N}-green`, `${N}-scale-down-delay`]);

      const q = await plan("production", withHpa("green"));
      const changed = changedPaths(diffPlans(p.record, q.record));
      expect(changed[`${N}-blue-hpa`]).to.include.members(["inputs.spec.maxReplicas"]);
      expect(changed[`${N}-green-hpa`]).to.include.members(["inputs.spec.maxReplicas"]);
      expect(q.object("HorizontalPodAutoscaler", "api-green").spec).to.include({ minReplicas: 3, maxReplicas: 10 });
      expect(q.object("HorizontalPodAutoscaler", "api-blue").spec).to.include({ minReplicas: 3, maxReplicas: 3 });
      // Only the HPAs' ranges and ordering follow activeColor; the Deployments' specs do not.
      for (const color of ["blue", "green"]) {
        expect((changed[`${N}-${color}`] ?? []).filter((path) => path.startsWith("inputs.")), color).to.deep.equal([]);
      }
    });

    it("a digest-pinned image: version label and Sentry release from the digest", async () => {
      const digest = `sha256:${"ab".repeat(32)}`;
      const p = await plan("staging", stackApp("staging", (a) => (a.images.green = `ghcr.io/example/api@${digest}`)));
      const d = p.object("Deployment", "api-green");
      expect(d.metadata.labels["app.kubernetes.io/version"]).to.equal("sha256-abababababab");
      expect(d.spec.template.spec.containers[0].env).to.deep.include({ name: "SENTRY_RELEASE", value: "api@sha256-abababababab" });
    });

    it("no secretEnv: no Secret, and the Deployments wait only for the ServiceAccount", async () => {
      const p = await plan("staging", stackApp("staging", (a) => (a.secretEnv = {})));
      expect(p.record.resources.filter((r) => r.type === "kubernetes:core/v1:Secret")).to.deep.equal([]);
      expect(depNames(p.byName(`${N}-green`))).to.deep.equal([`${N}-sa`]);
      expect(p.object("Deployment", "api-green").spec.template.spec.containers[0].env.map((e: { name: string }) => e.name)).to.deep.equal([
        "LOG_LEVEL",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_LOGS_EXPORTER",
        "OTEL_METRICS_EXPORTER",
        "OTEL_RESOURCE_ATTRIBUTES",
        "OTEL_SERVICE_NAME",
        "OTEL_TRACES_EXPORTER",
        "OTEL_TRACES_SAMPLER",
        "OTEL_TRACES_SAMPLER_ARG",
      ]);
    });

    it("fails loudly when the stack lacks a secret the app reads", async () => {
      let error: unknown;
      try {
        await planApp("staging", committed("staging"), { sentryDsn: SECRET_VALUES.sentryDsn });
      } catch (err) {
        error = err;
      }
      expect(String(error)).to.equal(
        'Error: app "api": secretEnv.DATABASE_URL reads the secret apiDatabaseUrl, which is not set: pulumi config set --secret apiDatabaseUrl <value>',
      );
      // Nothing but the component itself got registered: no half-built app.
      expect(recorder.list().map((r) => r.type)).to.deep.equal(["platform:apps:BlueGreenApp"]);
    });

    it("passes each secret through as a Pulumi secret under its variable name", async () => {
      const data = secretStringData(committed("production"), { apiDatabaseUrl: pulumi.output(SECRET_VALUES.apiDatabaseUrl), sentryDsn: pulumi.secret(SECRET_VALUES.sentryDsn) });
      expect(Object.keys(data)).to.deep.equal(["DATABASE_URL", "SENTRY_DSN"]);
      for (const [name, key] of [["DATABASE_URL", "apiDatabaseUrl"], ["SENTRY_DSN", "sentryDsn"]] as const) {
        expect(await pulumi.isSecret(data[name]), name).to.equal(true);
        expect(await new Promise((resolve) => data[name].apply(resolve)), name).to.equal(SECRET_VALUES[key]);
      }
    });
  });
});
