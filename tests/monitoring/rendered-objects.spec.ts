import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { parse, parseAllDocuments } from "yaml";
import { unscrapableComponents } from "../../components/monitoring/cluster-flavour";
import { containersOf, podTemplateOf, selectorMatches } from "../../policy/rules/kubernetes";
import { namespaceDemand, quotaShortfalls, SIZED_FOR_NODES } from "../../policy/rules/quota-demand";
import { chartArchivePath } from "../../plan/chart-archive";
import { KUBE_VERSION } from "../../plan/render-charts";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { toolPath } from "../../plan/tools";
import { committedSettings, planStack, type StackPlan, STACKS } from "../harness";
import { CLUSTER_SERVICES } from "./fixtures/eks-cluster";
import { operatorStatefulSets } from "./fixtures/operator-statefulsets";

/**
 * What a real EKS cluster would do with the objects the plan deploys, the program's own and every chart's:
 * proofs of issue #11's fixes, on the rendered objects of both stacks.
 */

type Obj = Record<string, any>;

const objects = (plan: StackPlan): Obj[] => plan.resources.filter((r) => r.custom && typeof r.inputs.kind === "string").map((r) => r.inputs as Obj);
const ofKind = (plan: StackPlan, kind: string) => objects(plan).filter((o) => o.kind === kind);
const key = (o: Obj) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** Workloads with a pod template (the policy pack's view), as `Kind namespace/name` and the template. */
function workloads(plan: StackPlan) {
  return plan.resources.flatMap((r) => {
    const template = podTemplateOf(r.type, r.inputs);
    return template ? [{ id: `${r.inputs.kind} ${key(r.inputs as Obj)}`, object: r.inputs as Obj, template }] : [];
  });
}

function services(plan: StackPlan): Obj[] {
  return [...ofKind(plan, "Service"), ...CLUSTER_SERVICES];
}

/** The Services a ServiceMonitor selects (its namespaceSelector, else its own namespace). */
function selectedServices(plan: StackPlan, monitor: Obj): Obj[] {
  const ns = monitor.spec.namespaceSelector ?? {};
  const inNamespace = (svc: Obj) => (ns.any ? true : (ns.matchNames ?? [monitor.metadata.namespace]).includes(svc.metadata.namespace));
  return services(plan).filter((svc) => inNamespace(svc) && selectorMatches(monitor.spec.selector ?? {}, svc.metadata.labels ?? {}));
}

/** `job` label values Prometheus will have targets for (ServiceMonitors, PodMonitors, Probes). */
function scrapedJobs(plan: StackPlan): Set<string> {
  const jobs = new Set<string>();
  for (const monitor of ofKind(plan, "ServiceMonitor")) {
    for (const svc of selectedServices(plan, monitor)) jobs.add((monitor.spec.jobLabel && svc.metadata.labels?.[monitor.spec.jobLabel]) || svc.metadata.name);
  }
  for (const monitor of ofKind(plan, "PodMonitor")) jobs.add(`${monitor.metadata.namespace}/${monitor.metadata.name}`);
  for (const probe of ofKind(plan, "Probe")) jobs.add(probe.spec.jobName ?? `probe/${probe.metadata.namespace}/${probe.metadata.name}`);
  return jobs;
}

function rules(plan: StackPlan): { name: string; expr: string }[] {
  return ofKind(plan, "PrometheusRule").flatMap((pr) =>
    (pr.spec.groups ?? []).flatMap((g: Obj) => (g.rules ?? []).map((rule: Obj) => ({ name: `${pr.metadata.name}: ${rule.alert ?? rule.record}`, expr: String(rule.expr) }))),
  );
}

/** Job selectors of a rule that only hold while a target exists: inside absent(...) or on `up`. */
function targetJobSelectors(expr: string): { op: string; value: string }[] {
  const selectors = [...expr.matchAll(/absent\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g), ...expr.matchAll(/\bup\{([^}]*)\}/g)].map((m) => m[1]);
  return selectors.flatMap((s) => [...s.matchAll(/\bjob\s*(=~|=)\s*"([^"]+)"/g)].map((m) => ({ op: m[1], value: m[2] })));
}

/** Every Secret a pod template, Prometheus or Alertmanager names (optional references excepted). */
function secretReferences(plan: StackPlan): { from: string; namespace: string; secret: string }[] {
  const refs: { from: string; namespace: string; secret: string }[] = [];
  for (const { id, object, template } of workloads(plan)) {
    const namespace = object.metadata.namespace;
    const add = (secret: unknown, optional?: unknown) => {
      if (typeof secret === "string" && optional !== true) refs.push({ from: id, namespace, secret });
    };
    for (const { container } of containersOf(template.spec)) {
      for (const env of (container.env as Obj[] | undefined) ?? []) add(env.valueFrom?.secretKeyRef?.name, env.valueFrom?.secretKeyRef?.optional);
      for (const from of (container.envFrom as Obj[] | undefined) ?? []) add(from.secretRef?.name, from.secretRef?.optional);
    }
    for (const volume of (template.spec.volumes as Obj[] | undefined) ?? []) {
      add(volume.secret?.secretName, volume.secret?.optional);
      for (const source of volume.projected?.sources ?? []) add(source.secret?.name, source.secret?.optional);
    }
    for (const pull of (template.spec.imagePullSecrets as Obj[] | undefined) ?? []) add(pull.name);
  }
  for (const o of [...ofKind(plan, "Prometheus"), ...ofKind(plan, "Alertmanager")]) {
    const from = `${o.kind} ${key(o)}`;
    for (const secret of [...(o.spec.secrets ?? []), ...(o.spec.configSecret ? [o.spec.configSecret] : [])]) refs.push({ from, namespace: o.metadata.namespace, secret });
  }
  return refs;
}

/**
 * Secrets no rendered object is, yet which exist when the pods start, each with who creates it.
 * Anything else a pod names must be a Secret the plan deploys.
 */
const CREATED_AT_RUNTIME: Readonly<Record<string, string>> = {
  "monitoring/kube-prometheus-stack-admission":
    "the admission webhook's TLS Secret: the kube-webhook-certgen hook Job kube-prometheus-stack-admission-create creates it before the operator starts",
  "gateway/envoy-gateway": "Envoy Gateway's xDS TLS Secret: the certgen hook Job envoy-gateway-gateway-helm-certgen creates it before the controller starts",
  "apps/api-external-env": "the External Secrets Operator writes it from ExternalSecret apps/api-external-env (the app's Secrets Manager entries)",
};

/**
 * The pods that call the Kubernetes API, each with what it does there; every other pod mounts no service account
 * token, which would otherwise hand whoever takes over its process an identity for the API server. The IRSA token
 * (Loki, Tempo, the backups) is a projected volume of EKS' webhook and stays mounted either way.
 */
const KUBERNETES_API_CLIENTS: Readonly<Record<string, string>> = {
  "Deployment cert-manager/cert-manager": "issues certificates into Secrets, solves DNS-01 challenges",
  "Deployment cert-manager/cert-manager-cainjector": "injects CA bundles into webhook configurations and CRDs",
  "Deployment cert-manager/cert-manager-webhook": "keeps its serving certificate in a Secret (dynamic serving)",
  "Deployment external-dns/external-dns": "watches Services and Gateway routes for the records it writes",
  "Deployment external-secrets/external-secrets": "reads ExternalSecrets, writes the Secrets they sync",
  "Deployment external-secrets/external-secrets-cert-controller": "keeps the webhook's certificate Secret and patches the webhook configurations",
  "Deployment external-secrets/external-secrets-webhook": "a controller-runtime manager, which needs an API client to start",
  "Deployment external-secrets/reloader-reloader": "watches Secrets and rolls the Deployments that name them",
  "Deployment gateway/envoy-gateway": "Envoy Gateway's controller: Gateway API objects in, proxy Deployments out",
  "Job gateway/envoy-gateway-gateway-helm-certgen": "creates the xDS TLS Secret",
  "Deployment monitoring/kube-prometheus-stack-grafana": "its sidecars list the dashboard and datasource ConfigMaps",
  "Deployment monitoring/kube-prometheus-stack-kube-state-metrics": "reads every object it reports on",
  "Deployment monitoring/kube-prometheus-stack-operator": "the Prometheus operator",
  "Job monitoring/kube-prometheus-stack-admission-create": "creates the admission webhook's TLS Secret",
  "Job monitoring/kube-prometheus-stack-admission-patch": "patches the webhook configurations with its CA",
  "Job monitoring/kube-prometheus-stack-crds-upgrade": "applies the chart's CRDs (kubectl)",
  "Prometheus monitoring/kube-prometheus-stack-prometheus": "Kubernetes service discovery",
  "DaemonSet node-agents/alloy": "discovers the pods on its node (discovery.kubernetes)",
};

/** Host, port and namespace of an in-cluster URL (`http://svc.ns.svc.cluster.local:port/path`). */
function serviceOfUrl(url: string, defaultNamespace: string): { service: string; namespace: string; port: number } | undefined {
  const m = /^[a-z]+:\/\/([a-z0-9-]+)(?:\.([a-z0-9-]+))?(?:\.svc(?:\.cluster\.local)?)?(?::(\d+))?(?:\/|$)/.exec(url);
  if (!m) return undefined;
  return { service: m[1], namespace: m[2] ?? defaultNamespace, port: Number(m[3] ?? (url.startsWith("https") ? 443 : 80)) };
}

describe("rendered objects on a real EKS cluster (issue #11)", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      const settings = committedSettings(stack);

      it("every StatefulSet's governing Service exists, headless, selecting its pods; Tempo's (the chart renders none) is not scraped twice", async () => {
        const plan = await planStack(stack);
        const statefulSets = plan.resources.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet").map((r) => r.inputs as any);
        expect(statefulSets.map((s) => s.metadata.name), "StatefulSets the charts render").to.include("tempo");
        for (const set of statefulSets) {
          const service = plan.object("Service", set.metadata.namespace, set.spec.serviceName);
          expect(service.spec.clusterIP, `${set.metadata.name}: ${set.spec.serviceName}`).to.equal("None");
          expect(selectorMatches({ matchLabels: service.spec.selector }, set.spec.template.metadata.labels), `${set.spec.serviceName} selects ${set.metadata.name}'s pods`).to.equal(true);
        }
        const monitor = plan.object("ServiceMonitor", "monitoring", "tempo");
        expect(selectorMatches(monitor.spec.selector, plan.object("Service", "monitoring", "tempo-headless").metadata.labels), "the ServiceMonitor selects the headless Service").to.equal(false);
        expect(selectorMatches(monitor.spec.selector, plan.object("Service", "monitoring", "tempo").metadata.labels)).to.equal(true);
      });

      describe("1. quota", () => {
        it("every container of every workload, operator-made pods included, states its requests and limits", async () => {
          const plan = await planStack(stack);
          const missing: string[] = [];
          for (const { id, template } of workloads(plan)) {
            for (const { name, container } of containersOf(template.spec)) {
              for (const field of ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]) {
                const [section, resource] = field.split(".");
                if ((container.resources as Obj | undefined)?.[section]?.[resource] === undefined) missing.push(`${id} ${name} ${field}`);
              }
            }
          }
          for (const o of [...ofKind(plan, "Prometheus"), ...ofKind(plan, "Alertmanager")]) {
            expect(o.spec.resources, `${o.kind} ${key(o)}`).to.have.all.keys("requests", "limits");
          }
          // The config reloader the operator adds to those pods: 0 would leave it to the LimitRange default.
          const operator = plan.object("Deployment", "monitoring", "kube-prometheus-stack-operator");
          const args: string[] = operator.spec.template.spec.containers[0].args;
          expect(args).to.include.members(["--config-reloader-cpu-request=10m", "--config-reloader-cpu-limit=100m", "--config-reloader-memory-request=32Mi", "--config-reloader-memory-limit=64Mi"]);
          expect(missing).to.deep.equal([]);
        });

        it(`each namespace's quota holds everything deployed there, DaemonSets at ${settings.maxNodes} nodes`, async () => {
          const plan = await planStack(stack);
          const inputs = plan.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
          expect(quotaShortfalls(inputs)).to.deep.equal([]);
          const demand = namespaceDemand(inputs);
          const monitoring = demand.find((d) => d.namespace === "monitoring")!;
          expect(monitoring.nodes).to.equal(settings.maxNodes);
          // The DaemonSets left with the node agents; the monitoring quota no longer pays for them.
          expect(monitoring.parts.filter((p) => p.object.startsWith("DaemonSet ")).map((p) => p.object)).to.deep.equal([]);
          // Operator-made pods count too: Prometheus with its reloader, per replica.
          const prometheus = monitoring.parts.find((p) => p.object === "Prometheus monitoring/kube-prometheus-stack-prometheus")!;
          expect(prometheus.pods).to.equal(settings.monitoring.prometheus.replicas);
          const nodeAgents = demand.find((d) => d.namespace === "node-agents")!;
          expect(nodeAgents.nodes).to.equal(settings.maxNodes);
          expect(nodeAgents.parts.map((p) => [p.object, p.pods])).to.deep.equal([
            ["DaemonSet node-agents/kube-prometheus-stack-prometheus-node-exporter", settings.maxNodes],
            ["DaemonSet node-agents/alloy", settings.maxNodes],
          ]);
          expect(nodeAgents.total.pods).to.equal(2 * settings.maxNodes);
        });

        it("the same quota could not hold a cluster twice that size, and says what to change", async () => {
          const plan = await planStack(stack);
          const nodes = settings.maxNodes * 2;
          const inputs = plan.resources.map((r) => {
            const quota = r.type === "kubernetes:core/v1:ResourceQuota" && (r.inputs.metadata as Obj).namespace === "node-agents";
            const props = quota ? { ...r.inputs, metadata: { ...(r.inputs.metadata as Obj), annotations: { [SIZED_FOR_NODES]: String(nodes) } } } : r.inputs;
            return { type: r.type, name: r.name, props };
          });
          const problems = quotaShortfalls(inputs);
          // Only the node agents' quota grows with the cluster: every dimension is short, each message says by how much.
          expect(new Set(problems.map((p) => p.namespace))).to.deep.equal(new Set(["node-agents"]));
          expect(problems).to.have.lengthOf(5);
          const [cpu, pods] = stack === "production" ? [["54", "28", "44", "10"], ["80", "45", "40", "40"]] : [["10.2", "5.5", "7.2", "3"], ["24", "15", "12", "12"]];
          expect(problems.find((p) => p.message.includes("of limits.cpu"))!.message).to.equal(
            `namespace node-agents may need ${cpu[0]} of limits.cpu at ${nodes} nodes, but its ResourceQuota allows ${cpu[1]} ` +
              `(largest: DaemonSet node-agents/alloy ${cpu[2]}, DaemonSet node-agents/kube-prometheus-stack-prometheus-node-exporter ${cpu[3]}); raise the quota or lower what runs there`,
          );
          expect(problems.find((p) => p.message.includes("of pods"))!.message).to.equal(
            `namespace node-agents may need ${pods[0]} of pods at ${nodes} nodes, but its ResourceQuota allows ${pods[1]} ` +
              `(largest: DaemonSet node-agents/kube-prometheus-stack-prometheus-node-exporter ${pods[2]}, DaemonSet node-agents/alloy ${pods[3]}); raise the quota or lower what runs there`,
          );
        });
      });

      describe("2. EKS hides its control plane", () => {
        it("the stack declares the flavour, and nothing scrapes or alerts on what EKS does not expose", async () => {
          expect(settings.clusterFlavour).to.equal("eks");
          const plan = await planStack(stack);
          const hidden = unscrapableComponents("eks").map((c) => c.job);
          expect(hidden).to.deep.equal(["kube-controller-manager", "kube-scheduler", "kube-etcd", "kube-proxy"]);
          const jobs = scrapedJobs(plan);
          for (const job of hidden) expect(jobs.has(job), job).to.equal(false);
          const mentions = rules(plan).filter((r) => hidden.some((job) => new RegExp(`job\\s*=~?\\s*"[^"]*${job}`).test(r.expr)));
          expect(mentions.map((r) => r.name)).to.deep.equal([]);
          const alerts = rules(plan).map((r) => r.name.split(": ")[1]);
          for (const alert of ["KubeControllerManagerDown", "KubeSchedulerDown", "KubeProxyDown", "etcdMembersDown"]) expect(alerts).to.not.include(alert);
        });

        it("no rule can fire on a healthy cluster merely because a target is missing: every job a rule needs is scraped", async () => {
          const plan = await planStack(stack);
          const jobs = [...scrapedJobs(plan)];
          const unscraped: string[] = [];
          let checked = 0;
          for (const rule of rules(plan)) {
            for (const { op, value } of targetJobSelectors(rule.expr)) {
              checked++;
              const scraped = op === "=" ? jobs.includes(value) : jobs.some((job) => new RegExp(`^(?:${value})$`).test(job));
              if (!scraped) unscraped.push(`${rule.name} needs job${op}"${value}"`);
            }
          }
          expect(unscraped).to.deep.equal([]);
          // KubeAPIDown, KubeletDown, AlertmanagerClusterDown... do select jobs: the check ran on them.
          expect(checked).to.be.greaterThan(3);
        });

        it("the node agents, in their own namespace, are still scraped as job node-exporter and job alloy", async () => {
          const plan = await planStack(stack);
          const prometheus = plan.object("Prometheus", "monitoring", "kube-prometheus-stack-prometheus");
          expect(prometheus.spec.serviceMonitorNamespaceSelector, "monitors of every namespace").to.deep.equal({});
          const monitors = ofKind(plan, "ServiceMonitor").filter((m) => m.metadata.namespace === "node-agents");
          expect(monitors.map((m) => m.metadata.name).sort()).to.deep.equal(["alloy", "kube-prometheus-stack-prometheus-node-exporter"]);
          const jobsOf = (monitor: Obj) => selectedServices(plan, monitor).map((svc) => [key(svc), (monitor.spec.jobLabel && svc.metadata.labels?.[monitor.spec.jobLabel]) || svc.metadata.name]);
          for (const monitor of monitors) expect(selectorMatches(prometheus.spec.serviceMonitorSelector, monitor.metadata.labels), monitor.metadata.name).to.equal(true);
          const nodeExporter = monitors.find((m) => m.metadata.name === "kube-prometheus-stack-prometheus-node-exporter")!;
          // The job every node rule selects (job="node-exporter"), from the Service's jobLabel as before the move.
          expect(jobsOf(nodeExporter)).to.deep.equal([["node-agents/kube-prometheus-stack-prometheus-node-exporter", "node-exporter"]]);
          expect(nodeExporter.spec.endpoints).to.deep.equal([{ port: "http-metrics", scheme: "http" }]);
          expect(jobsOf(monitors.find((m) => m.metadata.name === "alloy")!)).to.deep.equal([["node-agents/alloy", "alloy"]]);
          // Nothing that runs or serves them is left in the monitoring namespace (their rules stay with Prometheus).
          const kinds = ["DaemonSet", "Service", "ServiceAccount", "ServiceMonitor", "ConfigMap"];
          const left = objects(plan).filter((o) => kinds.includes(o.kind) && o.metadata.namespace === "monitoring" && /node-exporter$|^alloy/.test(o.metadata.name));
          expect(left.map((o) => `${o.kind} ${o.metadata.name}`)).to.deep.equal([]);
        });
      });

      describe("4. Grafana upgrades", () => {
        it("Grafana has no volume to attach: no PVC, dashboards and datasources come from ConfigMaps", async () => {
          const plan = await planStack(stack);
          const grafana = plan.object("Deployment", "monitoring", "kube-prometheus-stack-grafana");
          const volumes: Obj[] = grafana.spec.template.spec.volumes;
          expect(volumes.filter((v) => v.persistentVolumeClaim)).to.deep.equal([]);
          expect(volumes.find((v) => v.name === "storage")).to.deep.equal({ name: "storage", emptyDir: {} });
          expect(ofKind(plan, "PersistentVolumeClaim").map(key)).to.not.include("monitoring/kube-prometheus-stack-grafana");
          expect(grafana.spec.strategy).to.deep.equal({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
        });

        it("ships the chart's node-exporter dashboard for Linux only: the nodes run no macOS or AIX, whose dashboards would stay empty", async () => {
          const plan = await planStack(stack);
          const dashboards = ofKind(plan, "ConfigMap")
            .filter((c) => c.metadata.labels?.grafana_dashboard !== undefined && c.metadata.name.startsWith("kube-prometheus-stack-nodes"))
            .map((c) => c.metadata.name);
          expect(dashboards).to.deep.equal(["kube-prometheus-stack-nodes"]);
        });

        it("no Deployment rolls a ReadWriteOnce volume onto another node: those that mount one use Recreate", async () => {
          const plan = await planStack(stack);
          const claims = new Map(ofKind(plan, "PersistentVolumeClaim").map((c) => [key(c), c.spec.accessModes ?? []]));
          const rolling: string[] = [];
          let mounting = 0;
          for (const d of ofKind(plan, "Deployment")) {
            const rwo = (d.spec.template.spec.volumes ?? []).filter(
              (v: Obj) => v.persistentVolumeClaim && (claims.get(`${d.metadata.namespace}/${v.persistentVolumeClaim.claimName}`) ?? []).includes("ReadWriteOnce"),
            );
            if (rwo.length === 0) continue;
            mounting++;
            if (d.spec.strategy?.type !== "Recreate") rolling.push(key(d));
          }
          expect(rolling).to.deep.equal([]);
          expect(mounting, "the Pushgateway mounts its store").to.equal(1);
        });
      });

      describe("5. selections that silently miss", () => {
        it("Prometheus selects every monitor and rule, and each ServiceMonitor finds Services with its ports and target labels", async () => {
          const plan = await planStack(stack);
          const prometheus = plan.object("Prometheus", "monitoring", "kube-prometheus-stack-prometheus");
          const selectors: Record<string, Obj> = {
            ServiceMonitor: prometheus.spec.serviceMonitorSelector,
            PodMonitor: prometheus.spec.podMonitorSelector,
            Probe: prometheus.spec.probeSelector,
            PrometheusRule: prometheus.spec.ruleSelector,
          };
          for (const field of ["serviceMonitorNamespaceSelector", "podMonitorNamespaceSelector", "probeNamespaceSelector", "ruleNamespaceSelector"]) {
            expect(prometheus.spec[field], field).to.deep.equal({});
          }
          const problems: string[] = [];
          for (const [kind, selector] of Object.entries(selectors)) {
            for (const o of ofKind(plan, kind)) if (!selectorMatches(selector, o.metadata.labels ?? {})) problems.push(`${kind} ${key(o)} is not selected by Prometheus`);
          }
          for (const monitor of ofKind(plan, "ServiceMonitor")) {
            const selected = selectedServices(plan, monitor);
            if (selected.length === 0) problems.push(`ServiceMonitor ${key(monitor)} selects no Service`);
            for (const endpoint of monitor.spec.endpoints ?? []) {
              if (endpoint.port && !selected.some((svc) => (svc.spec.ports ?? []).some((p: Obj) => p.name === endpoint.port))) {
                problems.push(`ServiceMonitor ${key(monitor)}: no selected Service has port "${endpoint.port}"`);
              }
            }
            for (const label of monitor.spec.targetLabels ?? []) {
              for (const svc of selected) if (!(label in (svc.metadata.labels ?? {}))) problems.push(`ServiceMonitor ${key(monitor)}: Service ${key(svc)} lacks target label ${label}`);
            }
          }
          for (const monitor of ofKind(plan, "PodMonitor")) {
            const namespaces: string[] = monitor.spec.namespaceSelector?.matchNames ?? [monitor.metadata.namespace];
            const pods = workloads(plan).filter((w) => namespaces.includes(w.object.metadata.namespace) && selectorMatches(monitor.spec.selector ?? {}, w.template.labels));
            if (pods.length === 0) problems.push(`PodMonitor ${key(monitor)} selects no pods`);
            for (const endpoint of monitor.spec.podMetricsEndpoints ?? []) {
              const ports = pods.flatMap((p) => containersOf(p.template.spec).flatMap(({ container }) => (container.ports as Obj[] | undefined) ?? []));
              if (endpoint.port && !ports.some((p) => p.name === endpoint.port)) problems.push(`PodMonitor ${key(monitor)}: no selected pod has port "${endpoint.port}"`);
            }
          }
          expect(problems).to.deep.equal([]);
          // Reloader's, written by the program: the chart's carried a second `release` key (invalid YAML).
          expect(ofKind(plan, "PodMonitor").filter((m) => m.metadata.namespace === "external-secrets").map(key)).to.deep.equal(["external-secrets/reloader"]);
          expect(plan.object("PodMonitor", "external-secrets", "reloader").metadata.labels.release).to.equal("kube-prometheus-stack");
          // The monitors issue #11 found missing: Alloy's, and postgres-exporter's database label.
          expect(scrapedJobs(plan)).to.include("alloy");
          // Loki's own, the chart's ServiceMonitor: Loki itself and its gateway's exporter (caches in production).
          const lokiTargets = selectedServices(plan, plan.object("ServiceMonitor", "monitoring", "loki")).filter((svc) => svc.spec.ports.some((p: Obj) => p.name === "http-metrics"));
          expect(lokiTargets.map(key).sort()).to.deep.equal(
            stack === "production" ? ["monitoring/loki", "monitoring/loki-chunks-cache", "monitoring/loki-gateway-exporter", "monitoring/loki-results-cache"] : ["monitoring/loki", "monitoring/loki-gateway-exporter"],
          );
          const postgres = plan.object("Service", "monitoring", "postgres-exporter-orders-prometheus-postgres-exporter");
          expect(postgres.metadata.labels["platform.io/database"]).to.equal("orders");
        });

        it("Alertmanager merges only AlertmanagerConfigs of its own namespace labelled for the release, and the platform deploys none", async () => {
          const plan = await planStack(stack);
          const alertmanager = plan.object("Alertmanager", "monitoring", "kube-prometheus-stack-alertmanager");
          // The chart's default `{}` for both would merge the routes of any AlertmanagerConfig anyone creates, in
          // any namespace, into the platform's routing.
          expect(alertmanager.spec.alertmanagerConfigSelector).to.deep.equal({ matchLabels: { release: "kube-prometheus-stack" } });
          expect(alertmanager.spec.alertmanagerConfigNamespaceSelector).to.deep.equal({ matchLabels: { "kubernetes.io/metadata.name": "monitoring" } });
          // The API server labels every Namespace with its name; an application namespace is not selected.
          const selected = ofKind(plan, "Namespace")
            .filter((ns) => selectorMatches(alertmanager.spec.alertmanagerConfigNamespaceSelector, { ...ns.metadata.labels, "kubernetes.io/metadata.name": ns.metadata.name }))
            .map((ns) => ns.metadata.name);
          expect(selected).to.deep.equal(["monitoring"]);
          expect(ofKind(plan, "AlertmanagerConfig").map(key)).to.deep.equal([]);
        });

        it("every Probe's prober and every Grafana datasource URL reaches a Service on a port it serves", async () => {
          const plan = await planStack(stack);
          const urls: { from: string; url: string; namespace: string }[] = [];
          for (const probe of ofKind(plan, "Probe")) urls.push({ from: `Probe ${key(probe)}`, url: `http://${probe.spec.prober.url}`, namespace: probe.metadata.namespace });
          for (const cm of ofKind(plan, "ConfigMap").filter((c) => c.metadata.labels?.grafana_datasource !== undefined)) {
            for (const text of Object.values(cm.data ?? {}) as string[]) {
              for (const ds of (parse(text).datasources ?? []) as Obj[]) if (ds.url) urls.push({ from: `ConfigMap ${key(cm)} datasource ${ds.name}`, url: ds.url, namespace: cm.metadata.namespace });
            }
          }
          expect(urls.map((u) => u.from)).to.include.members(["ConfigMap monitoring/kube-prometheus-stack-grafana-datasource datasource Loki"]);
          const unreachable = urls.filter(({ url, namespace }) => {
            const target = serviceOfUrl(url, namespace);
            return !services(plan).some((svc) => target && svc.metadata.name === target.service && svc.metadata.namespace === target.namespace && (svc.spec.ports ?? []).some((p: Obj) => p.port === target.port));
          });
          expect(unreachable).to.deep.equal([]);
        });

        it("every Secret a pod, Prometheus or Alertmanager names is deployed by the plan (the Redis AUTH Secret included)", async () => {
          const plan = await planStack(stack);
          const secrets = new Set(ofKind(plan, "Secret").map(key));
          const refs = secretReferences(plan);
          const unresolved = refs.filter((r) => !secrets.has(`${r.namespace}/${r.secret}`) && !CREATED_AT_RUNTIME[`${r.namespace}/${r.secret}`]);
          expect(unresolved).to.deep.equal([]);
          const redis = refs.filter((r) => r.from === "Deployment monitoring/redis-exporter-sessions-prometheus-redis-exporter").map((r) => r.secret);
          expect(redis).to.deep.equal(stack === "production" ? ["redis-sessions-auth"] : []);
          // Each runtime allowance is really used, so none outlives its reason.
          for (const allowed of Object.keys(CREATED_AT_RUNTIME)) expect(refs.map((r) => `${r.namespace}/${r.secret}`)).to.include(allowed);
        });
      });

      describe("6. least privilege", () => {
        it("only the pods that call the Kubernetes API mount a service account token (the pod's field, else its ServiceAccount's)", async () => {
          const plan = await planStack(stack);
          const accounts = new Map(ofKind(plan, "ServiceAccount").map((sa) => [key(sa), sa]));
          // The kubelet mounts the token unless the pod says false, or says nothing and its ServiceAccount says false.
          const mounts = (namespace: string, podField: unknown, account: unknown) =>
            (podField ?? accounts.get(`${namespace}/${typeof account === "string" ? account : "default"}`)?.automountServiceAccountToken) !== false;
          const mounting = [
            ...workloads(plan).filter(({ object, template }) => mounts(object.metadata.namespace, template.spec.automountServiceAccountToken, template.spec.serviceAccountName)).map((w) => w.id),
            // The operator copies these fields of the Prometheus and Alertmanager objects into their pods.
            ...[...ofKind(plan, "Prometheus"), ...ofKind(plan, "Alertmanager")]
              .filter((o) => mounts(o.metadata.namespace, o.spec.automountServiceAccountToken, o.spec.serviceAccountName))
              .map((o) => `${o.kind} ${key(o)}`),
          ];
          expect(mounting.sort()).to.deep.equal(Object.keys(KUBERNETES_API_CLIENTS).sort());
        });

        it("only the operator reads Secrets cluster-wide; Grafana's sidecars read ConfigMaps in their own namespace", async () => {
          const plan = await planStack(stack);
          const readers: string[] = [];
          for (const role of [...ofKind(plan, "ClusterRole"), ...ofKind(plan, "Role")]) {
            const grants = (role.rules ?? []).some((rule: Obj) => (rule.apiGroups ?? []).includes("") && (rule.resources ?? []).some((r: string) => r === "secrets" || r === "*"));
            if (grants) readers.push(`${role.kind} ${key(role)}`);
          }
          expect(readers.sort()).to.deep.equal([
            // cert-manager writes certificate Secrets (and reads ACME account keys) in any namespace; its cainjector
            // reads CA Secrets to inject them into webhooks and CRDs (issue #13).
            "ClusterRole /cert-manager-cainjector",
            "ClusterRole /cert-manager-controller-certificates",
            "ClusterRole /cert-manager-controller-challenges",
            "ClusterRole /cert-manager-controller-clusterissuers",
            "ClusterRole /cert-manager-controller-issuers",
            "ClusterRole /cert-manager-controller-orders",
            // Envoy Gateway reads the listeners' certificate Secrets the Gateway names.
            "ClusterRole /envoy-gateway-gateway-helm-envoy-gateway-role",
            // ESO writes the Secrets it syncs from Secrets Manager; its cert-controller keeps the webhook's certificate.
            "ClusterRole /external-secrets-cert-controller",
            "ClusterRole /external-secrets-controller",
            // It writes the Secrets that hold Prometheus' and Alertmanager's generated configuration.
            "ClusterRole /kube-prometheus-stack-operator",
            // Reloader watches the Secrets ESO wrote (label-selected) to roll their Deployments.
            "ClusterRole /reloader-reloader-role",
            // The webhooks' own serving certificates, in their own namespaces only.
            "Role cert-manager/cert-manager-webhook:dynamic-serving",
            "Role gateway/envoy-gateway-gateway-helm-certgen",
            // The certgen hook creates the webhook certificate Secret, in its own namespace only.
            "Role monitoring/kube-prometheus-stack-admission",
          ]);
          const binding = plan.object("RoleBinding", "monitoring", "kube-prometheus-stack-grafana");
          expect(binding.roleRef).to.deep.equal({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "grafana-sidecars" });
          expect(plan.object("Role", "monitoring", "grafana-sidecars").rules).to.deep.equal([{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }]);
          expect(ofKind(plan, "ClusterRole").map((r) => r.metadata.name)).to.not.include.members(["kube-prometheus-stack-grafana-clusterrole", "loki-clusterrole"]);
        });

        it("every pod's own securityContext requires a non-root user and the RuntimeDefault seccomp profile, so a container without a context of its own inherits them", async () => {
          const plan = await planStack(stack);
          const pods = [
            ...workloads(plan).map(({ id, template }) => ({ id, context: template.spec.securityContext as Obj | undefined })),
            ...[...ofKind(plan, "Prometheus"), ...ofKind(plan, "Alertmanager")].map((o) => ({ id: `${o.kind} ${key(o)}`, context: o.spec.securityContext as Obj | undefined })),
          ];
          // Alloy runs as root (without capabilities) to read the node's root-owned logs: the seccomp profile only.
          const asRoot = ["DaemonSet node-agents/alloy"];
          const lacking = pods.flatMap(({ id, context }) => {
            const want = asRoot.includes(id) ? { seccompProfile: { type: "RuntimeDefault" } } : { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
            return Object.entries(want).filter(([field, value]) => JSON.stringify(context?.[field]) !== JSON.stringify(value)).map(([field]) => `${id}: ${field}`);
          });
          expect(lacking).to.deep.equal([]);
          expect(pods.length).to.be.greaterThan(25);
        });

        it("the charts' static-binary controllers run as nobody (65534:65534), not as a node's real user (1000 is ec2-user), and a pod writing a volume has that fsGroup", async () => {
          const plan = await planStack(stack);
          const nobody = 65534;
          const controllers = [
            "Deployment cert-manager/cert-manager",
            "Deployment cert-manager/cert-manager-cainjector",
            "Deployment cert-manager/cert-manager-webhook",
            "Deployment external-secrets/external-secrets",
            "Deployment external-secrets/external-secrets-cert-controller",
            "Deployment external-secrets/external-secrets-webhook",
            "Deployment external-secrets/reloader-reloader",
            "Deployment monitoring/blackbox-exporter-prometheus-blackbox-exporter",
            "Job monitoring/kube-prometheus-stack-admission-create",
            "Job monitoring/kube-prometheus-stack-admission-patch",
          ];
          const found = workloads(plan).filter((w) => controllers.includes(w.id));
          expect(found.map((w) => w.id).sort(), "every controller is rendered").to.deep.equal([...controllers].sort());
          for (const { id, template } of found) {
            const pod = (template.spec.securityContext ?? {}) as Obj;
            for (const { name, container } of containersOf(template.spec)) {
              // A container's own field wins over the pod's, as the kubelet applies them.
              const effective = { ...pod, ...((container.securityContext ?? {}) as Obj) };
              expect({ user: effective.runAsUser, group: effective.runAsGroup, nonRoot: effective.runAsNonRoot }, `${id} ${name}`).to.deep.equal({ user: nobody, group: nobody, nonRoot: true });
            }
            const writable = ((template.spec.volumes ?? []) as Obj[]).filter((v: Obj) => v.emptyDir || v.persistentVolumeClaim || v.ephemeral).map((v: Obj) => v.name);
            if (writable.length > 0) expect(pod.fsGroup, `${id} writes ${writable.join(", ")}`).to.equal(nobody);
          }
          // Reloader is the one that writes (its /tmp emptyDir under a read-only root).
          expect(found.filter((w) => (w.template.spec.securityContext as Obj | undefined)?.fsGroup !== undefined).map((w) => w.id)).to.deep.equal(["Deployment external-secrets/reloader-reloader"]);
        });
      });

      describe("7. availability and pinning", () => {
        it("every long-running container with a readiness probe has a liveness probe too: one that stops answering is restarted, not only taken out of rotation", async () => {
          const plan = await planStack(stack);
          const longRunning = workloads(plan).filter((w) => ["Deployment", "StatefulSet", "DaemonSet"].includes(w.object.kind));
          const readyOnly = longRunning.flatMap(({ id, template }) =>
            containersOf(template.spec)
              .filter(({ init, container }) => !init && container.readinessProbe !== undefined && container.livenessProbe === undefined)
              .map(({ name }) => `${id} ${name}`),
          );
          expect(readyOnly).to.deep.equal([]);
          const alloy = plan.object("DaemonSet", "node-agents", "alloy").spec.template.spec.containers.find((c: Obj) => c.name === "alloy");
          expect(alloy.livenessProbe.httpGet).to.deep.equal({ path: "/-/ready", port: 12345 });
        });

        it("every workload running more than one pod has a PodDisruptionBudget that selects it, the operator's StatefulSets included", async () => {
          const plan = await planStack(stack);
          const budgets = ofKind(plan, "PodDisruptionBudget");
          const unprotected: string[] = [];
          let multi = 0;
          for (const w of [...ofKind(plan, "Deployment"), ...ofKind(plan, "StatefulSet"), ...operatorStatefulSets(objects(plan))]) {
            if ((w.spec.replicas ?? 1) < 2) continue;
            multi++;
            const labels = w.spec.template.metadata?.labels ?? {};
            if (!budgets.some((b) => b.metadata.namespace === w.metadata.namespace && selectorMatches(b.spec.selector ?? {}, labels))) unprotected.push(`${w.kind} ${key(w)}`);
          }
          expect(unprotected).to.deep.equal([]);
          if (stack === "production") {
            expect(multi).to.be.greaterThan(3);
            expect(plan.object("PodDisruptionBudget", "monitoring", "loki-single-binary").spec.maxUnavailable).to.equal(1);
            // Prometheus (2) and Alertmanager (3) may lose one replica at a time to a drain, never more.
            expect(plan.object("PodDisruptionBudget", "monitoring", "kube-prometheus-stack-prometheus").spec).to.deep.include({ minAvailable: 1 });
            expect(plan.object("PodDisruptionBudget", "monitoring", "kube-prometheus-stack-alertmanager").spec).to.deep.include({ minAvailable: 2 });
            expect(plan.object("PodDisruptionBudget", "monitoring", "kube-prometheus-stack-alertmanager").spec).to.not.have.property("maxUnavailable");
          }
        });

        it("Prometheus' and Alertmanager's replicas each require a node of their own in production", async () => {
          const plan = await planStack(stack);
          const statefulSets = operatorStatefulSets(objects(plan));
          for (const o of [...ofKind(plan, "Prometheus"), ...ofKind(plan, "Alertmanager")]) {
            const required: Obj[] = o.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
            if (stack === "staging") {
              expect(o.spec.replicas, `${o.kind} ${key(o)}`).to.equal(1);
              continue;
            }
            expect(o.spec.replicas, `${o.kind} ${key(o)}`).to.be.greaterThan(1);
            const pods = statefulSets.find((s) => s.metadata.name.endsWith(`-${o.metadata.name}`))!.spec.template.metadata.labels;
            expect(required.map((r) => r.topologyKey), `${o.kind} ${key(o)}`).to.deep.equal(["kubernetes.io/hostname"]);
            // matchExpressions of `In` (the chart's form): the term must select the object's own pods.
            for (const e of required[0].labelSelector.matchExpressions as Obj[]) expect(e.values, `${o.kind} ${key(o)} ${e.key}`).to.include(pods[e.key]);
          }
        });

        it("every workload running more than one pod is spread over zones, preferred (ScheduleAnyway) wherever a volume binds a pod to its zone", async () => {
          const plan = await planStack(stack);
          const zone = "topology.kubernetes.io/zone";
          const statefulSets = operatorStatefulSets(objects(plan));
          // Prometheus and Alertmanager carry the constraints on the object; the operator copies them into its pods.
          const candidates = [
            ...workloads(plan).map(({ id, object, template }) => ({ id, replicas: object.spec?.replicas ?? 1, labels: template.labels, spec: template.spec as Obj, claims: object.spec?.volumeClaimTemplates ?? [] })),
            ...[...ofKind(plan, "Prometheus"), ...ofKind(plan, "Alertmanager")].map((o) => {
              const pods = statefulSets.find((s) => s.metadata.name.endsWith(`-${o.metadata.name}`))!;
              return { id: `${o.kind} ${key(o)}`, replicas: o.spec.replicas ?? 1, labels: pods.spec.template.metadata.labels, spec: o.spec as Obj, claims: pods.spec.volumeClaimTemplates };
            }),
          ];
          const spread: Record<string, string> = {};
          const unspread: string[] = [];
          for (const c of candidates) {
            const constraints = ((c.spec.topologySpreadConstraints ?? []) as Obj[]).filter((t) => t.topologyKey === zone);
            if (constraints.length === 0) {
              if (c.replicas > 1) unspread.push(c.id);
              continue;
            }
            expect(constraints, c.id).to.have.length(1);
            // A constraint counting other pods, or none of its own, spreads nothing.
            expect(selectorMatches(constraints[0].labelSelector, c.labels), `${c.id} selects its own pods`).to.equal(true);
            expect(constraints[0].maxSkew, c.id).to.equal(1);
            // A Deployment's rolling update would otherwise count its old pods against the new ones' spread.
            if (c.id.startsWith("Deployment ")) expect(constraints[0].matchLabelKeys, `${c.id} counts its newest ReplicaSet only`).to.deep.equal(["pod-template-hash"]);
            const mountsClaim = c.claims.length > 0 || ((c.spec.volumes ?? []) as Obj[]).some((v) => v.persistentVolumeClaim || v.ephemeral);
            if (mountsClaim) expect(constraints[0].whenUnsatisfiable, `${c.id} is bound to its volume's zone`).to.equal("ScheduleAnyway");
            spread[c.id] = constraints[0].whenUnsatisfiable;
          }
          expect(unspread).to.deep.equal([]);
          const charts = {
            "Alertmanager monitoring/kube-prometheus-stack-alertmanager": "ScheduleAnyway",
            "Deployment cert-manager/cert-manager": "ScheduleAnyway",
            "Deployment cert-manager/cert-manager-cainjector": "ScheduleAnyway",
            "Deployment cert-manager/cert-manager-webhook": "ScheduleAnyway",
            "Deployment external-secrets/external-secrets": "ScheduleAnyway",
            "Deployment external-secrets/external-secrets-cert-controller": "ScheduleAnyway",
            "Deployment external-secrets/external-secrets-webhook": "ScheduleAnyway",
            "Deployment external-secrets/reloader-reloader": "ScheduleAnyway",
            "Deployment gateway/envoy-gateway": "ScheduleAnyway",
            "Deployment monitoring/blackbox-exporter-prometheus-blackbox-exporter": "ScheduleAnyway",
            "Deployment monitoring/loki-gateway": "ScheduleAnyway",
            "Prometheus monitoring/kube-prometheus-stack-prometheus": "ScheduleAnyway",
            "StatefulSet monitoring/loki": "ScheduleAnyway",
          };
          // The apps' colours (no volume) keep their hard spread in production (blue-green-manifests, zoneSpread).
          const apps = { "Deployment apps/api-blue": "DoNotSchedule", "Deployment apps/api-green": "DoNotSchedule" };
          expect(spread).to.deep.equal(stack === "production" ? { ...charts, ...apps } : charts);
          // The Envoy proxies, which Envoy Gateway makes from the EnvoyProxy object, spread the same way when there are several.
          const proxy = plan.object("EnvoyProxy", "gateway", "platform-proxy").spec.provider.kubernetes.envoyDeployment;
          const proxyZones = ((proxy.pod.topologySpreadConstraints ?? []) as Obj[]).map((t) => `${t.topologyKey} ${t.whenUnsatisfiable} ${String(t.matchLabelKeys)}`);
          expect({ replicas: proxy.replicas, proxyZones }).to.deep.equal(stack === "production" ? { replicas: 2, proxyZones: [`${zone} ScheduleAnyway pod-template-hash`] } : { replicas: 1, proxyZones: [] });
        });

        it("Prometheus, Alertmanager, Loki and Loki's gateway get room on a full cluster ahead of the apps (system-cluster-critical)", async () => {
          const plan = await planStack(stack);
          // The operator copies the field into the pods of the StatefulSets it makes.
          for (const o of [...ofKind(plan, "Prometheus"), ...ofKind(plan, "Alertmanager")]) {
            expect(o.spec.priorityClassName, `${o.kind} ${key(o)}`).to.equal("system-cluster-critical");
          }
          for (const [kind, name] of [["StatefulSet", "loki"], ["Deployment", "loki-gateway"]]) {
            expect(plan.object(kind, "monitoring", name).spec.template.spec.priorityClassName, `${kind} ${name}`).to.equal("system-cluster-critical");
          }
          // Nothing else in monitoring outranks the apps: Grafana, Tempo and the exporters wait their turn.
          const others = workloads(plan).filter(({ id, template }) => id.includes(" monitoring/") && template.spec.priorityClassName !== undefined);
          expect(others.map(({ id }) => id).sort()).to.deep.equal(["Deployment monitoring/loki-gateway", "StatefulSet monitoring/loki"]);
        });

        it("a plain helm template of every release, as a reviewer runs it (no --skip-tests), renders no test Pod", async function () {
          this.timeout(600_000);
          const plan = await planStack(stack);
          const releases = plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart");
          expect(releases.length).to.be.greaterThan(10);
          const tests: string[] = [];
          for (const r of releases) {
            const { name, namespace, chart, version, values } = r.inputs as Obj;
            const out = spawnSync(toolPath("helm"), ["template", name, chartArchivePath(REPOSITORY_ROOT, chart, version), "--namespace", namespace, "--kube-version", KUBE_VERSION, "--values", "-"], {
              input: JSON.stringify(values),
              encoding: "utf8",
              maxBuffer: 256 * 1024 * 1024,
            });
            expect(out.status, `${name}: ${out.stderr}`).to.equal(0);
            for (const doc of parseAllDocuments(out.stdout)) {
              const o = doc.toJS() as Obj | null;
              if (/\btest\b/.test(String(o?.metadata?.annotations?.["helm.sh/hook"] ?? ""))) tests.push(`${name}: ${o!.kind} ${o!.metadata.name}`);
            }
          }
          expect(tests).to.deep.equal([]);
          const kps = releases.find((r) => r.inputs.name === "kube-prometheus-stack")!;
          expect((kps.inputs.values as Obj).grafana.testFramework).to.deep.equal({ enabled: false });
        });

        it("every image is pinned to a version tag or a digest", async () => {
          const plan = await planStack(stack);
          const floating: string[] = [];
          for (const { id, template } of workloads(plan)) {
            for (const { name, container } of containersOf(template.spec)) {
              const image = String(container.image);
              const tag = /@sha256:[0-9a-f]{64}$/.test(image) ? "digest" : /:([^/:@]+)$/.exec(image)?.[1];
              if (!tag || tag === "latest") floating.push(`${id} ${name}: ${image}`);
            }
          }
          expect(floating).to.deep.equal([]);
          const upgrade = plan.object("Job", "monitoring", "kube-prometheus-stack-crds-upgrade");
          expect(upgrade.spec.template.spec.initContainers.map((c: Obj) => c.image)).to.deep.equal(["docker.io/busybox:1.37.0"]);
          // The chart's default tag names a minor line (`1.31-alpine`), which moves under a pinned chart.
          const lokiGateway = plan.object("Deployment", "monitoring", "loki-gateway");
          expect(lokiGateway.spec.template.spec.containers.find((c: Obj) => c.name === "nginx").image).to.equal("docker.io/nginxinc/nginx-unprivileged:1.31.0-alpine");
        });
      });

      describe("8. ingress", () => {
        it("nothing rendered depends on an ingress controller: no Ingress, no ingress class, no allowance for its namespace", async () => {
          const plan = await planStack(stack);
          expect(ofKind(plan, "Ingress").map(key)).to.deep.equal([]);
          // CRD schemas may describe Ingress fields (cert-manager's HTTP-01 solver); no object uses one.
          expect(JSON.stringify(objects(plan).filter((o) => o.kind !== "CustomResourceDefinition"))).to.not.match(/ingressClassName|ingress-nginx/);
          const namespaces = new Set(ofKind(plan, "Namespace").map((n) => n.metadata.name));
          const foreign: string[] = [];
          for (const policy of ofKind(plan, "NetworkPolicy")) {
            const peers = [...(policy.spec.ingress ?? []).flatMap((r: Obj) => r.from ?? []), ...(policy.spec.egress ?? []).flatMap((r: Obj) => r.to ?? [])];
            for (const peer of peers) {
              const name = peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
              if (name !== undefined && !namespaces.has(name) && name !== "kube-system") foreign.push(`${key(policy)} → ${name}`);
            }
          }
          expect(foreign).to.deep.equal([]);
        });

        it("the API server reaches every admission webhook's pods on their port through the namespaces' default deny", async () => {
          const plan = await planStack(stack);
          const policies = ofKind(plan, "NetworkPolicy");
          const fromAnywhere = (rule: Obj) => (rule.from ?? []).length === 0 || rule.from.some((peer: Obj) => peer.ipBlock?.cidr === "0.0.0.0/0" && !peer.ipBlock.except);
          const checked: string[] = [];
          const unreachable: string[] = [];
          for (const config of [...ofKind(plan, "ValidatingWebhookConfiguration"), ...ofKind(plan, "MutatingWebhookConfiguration")]) {
            for (const hook of config.webhooks ?? []) {
              const ref = hook.clientConfig?.service;
              if (!ref) continue;
              const id = `${config.kind} ${config.metadata.name} ${hook.name} → ${ref.namespace}/${ref.name}:${ref.port ?? 443}`;
              const svc = plan.object("Service", ref.namespace, ref.name);
              const servicePort = (svc.spec.ports as Obj[]).find((p) => p.port === (ref.port ?? 443));
              const pods = workloads(plan).filter((w) => w.object.metadata.namespace === ref.namespace && selectorMatches({ matchLabels: svc.spec.selector }, w.template.labels));
              if (!servicePort || pods.length === 0) {
                unreachable.push(`${id}: no port or no pods behind the Service`);
                continue;
              }
              for (const pod of pods) {
                const labels = pod.template.labels;
                const target = servicePort.targetPort ?? servicePort.port;
                const port =
                  typeof target === "number" ? target : containersOf(pod.template.spec).flatMap(({ container }) => (container.ports as Obj[] | undefined) ?? []).find((p) => p.name === target)?.containerPort;
                const applying = policies.filter((p) => p.metadata.namespace === ref.namespace && (p.spec.policyTypes ?? ["Ingress"]).includes("Ingress") && selectorMatches(p.spec.podSelector ?? {}, labels));
                if (applying.length === 0) continue; // no policy selects the pods: nothing denies the call
                const admitted = applying.some((p) =>
                  (p.spec.ingress ?? []).some((rule: Obj) => fromAnywhere(rule) && ((rule.ports ?? []).length === 0 || rule.ports.some((rp: Obj) => rp.port === port || rp.port === target))),
                );
                checked.push(id);
                if (!admitted) unreachable.push(`${id}: ${pod.id} port ${port} is not admitted by any NetworkPolicy`);
              }
            }
          }
          expect(unreachable).to.deep.equal([]);
          // The operator's PrometheusRule and AlertmanagerConfig webhooks, cert-manager's and ESO's, all behind a default deny.
          expect(checked.filter((c) => c.includes("→ monitoring/kube-prometheus-stack-operator:443"))).to.have.length(3);
          expect(checked.some((c) => c.includes("→ cert-manager/"))).to.equal(true);
          expect(checked.some((c) => c.includes("→ external-secrets/"))).to.equal(true);
          const policy = plan.object("NetworkPolicy", "monitoring", "allow-webhook-from-api-server");
          expect(policy.spec.ingress).to.deep.equal([{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 10250 }] }]);
        });
      });
    });
  }
});
