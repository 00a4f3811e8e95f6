import type { Container, PodTemplateSpec } from "kubernetes-types/core/v1";
import type { ConfigProblem, ValidatedSettings } from "../../stacks/parse";
import { type AppSettings, type Color, COLORS } from "../../stacks/apps-schema";
import type { NamespaceSettings } from "../../stacks/schema";
import { resolveAppSpec } from "../apps/app-spec";
import { gatewayArgs, stackTelemetry } from "./component-args";
import { blueGreenManifests } from "../apps/blue-green-manifests";
import { gateScript } from "../apps/gate/gate-script";
import { backupCronJobMetadata, restoreDrillCronJobMetadata } from "../backups/backup-cronjobs";
import { LABEL_VALUE_GRAMMAR, type NameProblem, objectNameProblems, releaseNameProblems } from "../core/names";
import { formatCpu, formatMemory, prometheusSizeBytes, quantityValue } from "../core/quantities";
import { helmChartArgs } from "../monitoring/charts";
import { gatewayManifest } from "../gateway/gateway-manifests";
import { publicEndpoints } from "../gateway/public-endpoints";

/**
 * What the API server or Helm would refuse at apply time, found at config time: every problem joins the
 * one configuration error (stacks/load.ts), before any resource exists. The generated names come from
 * the builders that generate them, never from a guess about their shape.
 */
export function deployabilityProblems(settings: ValidatedSettings): ConfigProblem[] {
  return [
    ...resourceProblems(settings),
    ...quotaProblems(settings),
    ...retentionSizeProblems(settings),
    ...generatedNameProblems(settings),
    ...labelValueProblems(settings),
    ...gatewayListenerProblems(settings),
  ];
}

interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

const RESOURCES = ["cpu", "memory"] as const;

/** Kubernetes rejects a container whose request is above its limit. */
function requestsWithinLimits(path: string, resources: Resources): ConfigProblem[] {
  return RESOURCES.filter((r) => quantityValue(resources.requests[r]) > quantityValue(resources.limits[r])).map((r) => ({
    path: `${path}.requests.${r}`,
    reason: `must not exceed ${path.split(".").pop()}.limits.${r} (${JSON.stringify(resources.limits[r])}): the API server rejects a container whose request is above its limit (got ${JSON.stringify(resources.requests[r])})`,
  }));
}

/**
 * Kubernetes rejects a LimitRange whose default request is above its default limit, or whose default limit is
 * above its maximum (the default request is then within the maximum too).
 */
function limitRangeProblems(path: string, limitRange: NamespaceSettings["limitRange"]): ConfigProblem[] {
  const order = [
    ["defaultRequest", "defaultLimit", "default request is above its default limit"],
    ["defaultLimit", "maxLimit", "default limit is above its maximum"],
  ] as const;
  return order.flatMap(([lower, upper, what]) =>
    RESOURCES.filter((r) => quantityValue(limitRange[lower][r]) > quantityValue(limitRange[upper][r])).map((r) => ({
      path: `${path}.${lower}.${r}`,
      reason: `must not exceed limitRange.${upper}.${r} (${JSON.stringify(limitRange[upper][r])}): the API server rejects a LimitRange whose ${what} (got ${JSON.stringify(limitRange[lower][r])})`,
    })),
  );
}

/** Who runs with each resources setting of a stack file, and in which namespace. */
function configuredContainers(settings: ValidatedSettings): { path: string; whose: string; namespace: string; resources: Resources }[] {
  return [
    ...Object.entries(settings.monitoring).map(([component, entry]) => ({
      path: `monitoring.${component}.resources`,
      whose: MONITORING_PODS[component as keyof ValidatedSettings["monitoring"]],
      namespace: component === "alloy" ? settings.nodeAgentsNamespace : settings.monitoringNamespace,
      resources: entry.resources,
    })),
    { path: "gateway.resources", whose: "every Envoy proxy of the Gateway", namespace: "gateway", resources: settings.gateway.resources },
    ...settings.apps.map((app, i) => ({ path: `apps[${i}].resources`, whose: "every pod of the app", namespace: app.namespace, resources: app.resources })),
  ];
}

const MONITORING_PODS: Record<keyof ValidatedSettings["monitoring"], string> = {
  prometheus: "every Prometheus pod",
  alertmanager: "every Alertmanager pod",
  grafana: "the Grafana pod",
  loki: "every Loki pod",
  tempo: "the Tempo pod",
  alloy: "every Alloy pod",
  blackbox: "every blackbox exporter pod",
};

function resourceProblems(settings: ValidatedSettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  settings.namespaces.forEach((ns, i) => problems.push(...limitRangeProblems(`namespaces[${i}].limitRange`, ns.limitRange)));
  for (const { path, whose, namespace, resources } of configuredContainers(settings)) {
    problems.push(...requestsWithinLimits(path, resources));
    const ns = settings.namespaces.findIndex((n) => n.name === namespace);
    if (ns === -1) continue;
    const max = settings.namespaces[ns].limitRange.maxLimit;
    // The LimitRange caps requests too, but a request above the maximum is above its limit or its limit is too.
    for (const r of RESOURCES) {
      if (quantityValue(resources.limits[r]) > quantityValue(max[r])) {
        problems.push({
          path: `${path}.limits.${r}`,
          reason:
            `is above the LimitRange maximum of namespace "${namespace}" (namespaces[${ns}].limitRange.maxLimit.${r}: ${JSON.stringify(max[r])}); ` +
            `the API server would reject ${whose} (got ${JSON.stringify(resources.limits[r])})`,
        });
      }
    }
  }
  return problems;
}

/** What one app can hold at once in its namespace: CPU, memory (requests and limits) and pods. */
interface Demand {
  readonly requestsCpu: number;
  readonly requestsMemory: number;
  readonly limitsCpu: number;
  readonly limitsMemory: number;
  readonly pods: number;
}

const NO_DEMAND: Demand = { requestsCpu: 0, requestsMemory: 0, limitsCpu: 0, limitsMemory: 0, pods: 0 };

function add(a: Demand, b: Demand): Demand {
  return {
    requestsCpu: a.requestsCpu + b.requestsCpu,
    requestsMemory: a.requestsMemory + b.requestsMemory,
    limitsCpu: a.limitsCpu + b.limitsCpu,
    limitsMemory: a.limitsMemory + b.limitsMemory,
    pods: a.pods + b.pods,
  };
}

function podDemand(template: PodTemplateSpec | undefined, pods: number): Demand {
  const containers: Container[] = [...(template?.spec?.initContainers ?? []), ...(template?.spec?.containers ?? [])];
  const sum = (kind: "requests" | "limits", r: "cpu" | "memory") =>
    containers.reduce((total, c) => total + quantityValue(String(c.resources?.[kind]?.[r] ?? 0)), 0) * pods;
  return { requestsCpu: sum("requests", "cpu"), requestsMemory: sum("requests", "memory"), limitsCpu: sum("limits", "cpu"), limitsMemory: sum("limits", "memory"), pods };
}

/** Extra pods a Deployment's rolling update may add (maxSurge, a count or a percentage rounded up). */
function surgePods(size: number, maxSurge: string | number | undefined): number {
  if (maxSurge === undefined) return Math.ceil(size * 0.25);
  if (typeof maxSurge === "number") return maxSurge;
  return maxSurge.endsWith("%") ? Math.ceil((size * Number(maxSurge.slice(0, -1))) / 100) : Number(maxSurge);
}

/**
 * An app's peak: during a promotion both colours can run at the active colour's full size (the HPA's
 * maximum with hpa), each may be mid-way through a rolling update with its surge pods, and the gate and
 * scale-down-delay Jobs run beside them.
 */
function appDemand(settings: ValidatedSettings, app: AppSettings): Demand {
  const spec = resolveAppSpec(app, settings.environment, settings.monitoringNamespace, stackTelemetry(settings));
  const m = blueGreenManifests(spec, gateScript());
  const activeSize = app.hpa ? app.hpa.max : app.replicas;
  const size = Math.max(activeSize, spec.previewReplicas);
  let demand = NO_DEMAND;
  for (const color of ["blue", "green"] as Color[]) {
    const deployment = m.deployments[color];
    const surge = surgePods(size, deployment.spec?.strategy?.rollingUpdate?.maxSurge);
    demand = add(demand, podDemand(deployment.spec?.template, size + surge));
  }
  for (const job of [m.gateJob, m.scaleDownDelayJob]) if (job) demand = add(demand, podDemand(job.spec?.template, 1));
  return demand;
}

const QUOTA_KEYS = [
  ["requestsCpu", "CPU of requests", formatCpu],
  ["requestsMemory", "memory of requests", formatMemory],
  ["limitsCpu", "CPU of limits", formatCpu],
  ["limitsMemory", "memory of limits", formatMemory],
  ["pods", "pods", String],
] as const;

function quotaProblems(settings: ValidatedSettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  settings.namespaces.forEach((ns: NamespaceSettings, i) => {
    const apps = settings.apps.filter((app) => app.namespace === ns.name);
    if (apps.length === 0) return;
    const demands = apps.map((app) => [app.name, appDemand(settings, app)] as const);
    const total = demands.reduce((sum, [, d]) => add(sum, d), NO_DEMAND);
    for (const [key, what, format] of QUOTA_KEYS) {
      const allowed = quantityValue(ns.quota[key]);
      if (total[key] <= allowed) continue;
      const perApp = demands.map(([name, d]) => `${name} ${format(d[key])}`).join(", ");
      problems.push({
        path: `namespaces[${i}].quota.${key}`,
        reason:
          `cannot hold the apps of namespace "${ns.name}" at their peak (both colours at full size with rolling-update surge, ` +
          `plus the gate and scale-down Jobs): they need ${format(total[key])} ${what} (${perApp}) (got ${JSON.stringify(ns.quota[key])})`,
      });
    }
  });
  return problems;
}

/**
 * The share of its volume Prometheus' retentionSize may take (Prometheus docs, "Right-Sizing Retention Size": at
 * most 80-85%). retentionSize counts the blocks, the WAL and the head chunks, but a compaction writes its new block,
 * up to a tenth of the retention, before it deletes the blocks it replaces, and only then does retention delete
 * the oldest; ext4 also keeps part of the volume from a non-root Prometheus. A retention a tenth below the volume
 * left that block no room.
 */
export const PROMETHEUS_RETENTION_SHARE_PERCENT = 85;

function retentionSizeProblems(settings: ValidatedSettings): ConfigProblem[] {
  const { retentionSize, storageSize } = settings.monitoring.prometheus;
  const retention = prometheusSizeBytes(retentionSize);
  const volume = quantityValue(storageSize);
  if (retention === undefined || retention * 100 <= volume * PROMETHEUS_RETENTION_SHARE_PERCENT) return [];
  const largest = (volume * PROMETHEUS_RETENTION_SHARE_PERCENT) / 100;
  const fits = largest >= 2 ** 30 ? `${Math.floor(largest / 2 ** 30)}GB` : `${Math.floor(largest / 2 ** 20)}MB`;
  return [
    {
      path: "monitoring.prometheus.retentionSize",
      reason:
        `must be at most ${PROMETHEUS_RETENTION_SHARE_PERCENT}% of monitoring.prometheus.storageSize (${JSON.stringify(storageSize)}), ${fits}: a compaction ` +
        `writes its new block, up to a tenth of the retained data, before Prometheus deletes the blocks it replaces, so a fuller ` +
        `volume runs out of space first (Prometheus advises 80-85%); lower retentionSize or grow storageSize (got ${JSON.stringify(retentionSize)})`,
    },
  ];
}

function nameReason(problem: NameProblem, got: string): string {
  return `makes ${problem.what} ${problem.value.length} characters long; at most ${problem.limit} are allowed (got ${JSON.stringify(got)})`;
}

/**
 * One report for a name that makes several generated names too long: each of them, and the longest name that
 * fits them all (each generated name holds the configured one once), so one rename is enough.
 */
function tooLongName(path: string, name: string, found: readonly NameProblem[]): ConfigProblem[] {
  if (found.length === 0) return [];
  const fits = Math.min(...found.map((p) => name.length - (p.value.length - p.limit)));
  const made = found.map((p) => `${p.what} ${p.value.length} characters long (at most ${p.limit})`).join(" and ");
  // A name fits none when what is made around it is over a limit on its own.
  const advice = fits > 0 ? `a name of at most ${fits} characters fits` : "no name fits";
  return [{ path, reason: `makes ${made}; ${advice} (got ${JSON.stringify(name)})` }];
}

function generatedNameProblems(settings: ValidatedSettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  settings.apps.forEach((app, i) => {
    // With either colour active: the Jobs are named after the colour they act on, and a name that fits today
    // must not be refused at the next promotion.
    const objects = COLORS.flatMap((activeColor) => {
      const spec = resolveAppSpec({ ...app, activeColor }, settings.environment, settings.monitoringNamespace, stackTelemetry(settings));
      const m = blueGreenManifests(spec, gateScript());
      return [
        m.serviceAccount,
        m.secret,
        m.gateConfigMap,
        ...Object.values(m.deployments),
        ...Object.values(m.podDisruptionBudgets),
        ...Object.values(m.horizontalPodAutoscalers),
        ...Object.values(m.colorServices),
        m.activeService,
        m.previewService,
        m.gateJob,
        m.scaleDownDelayJob,
        m.gateNetworkPolicies.egress,
        m.gateNetworkPolicies.ingress,
        m.serviceMonitor,
      ];
    });
    const spec = resolveAppSpec(app, settings.environment, settings.monitoringNamespace, stackTelemetry(settings));
    const seen = new Set<string>();
    const fromName: NameProblem[] = [];
    for (const object of objects) {
      if (!object) continue;
      for (const problem of objectNameProblems(object)) {
        // An image tag becomes the version label: point at the image, not the app's name.
        const color = (["blue", "green"] as const).find((c) => spec.colors[c].version === problem.value);
        const text = `${color ?? "name"}: ${problem.what}`;
        if (seen.has(text)) continue;
        seen.add(text);
        if (color) problems.push({ path: `apps[${i}].images.${color}`, reason: nameReason(problem, app.images[color]) });
        else fromName.push(problem);
      }
    }
    problems.push(...tooLongName(`apps[${i}].name`, app.name, fromName));
  });
  settings.databases.forEach((db, i) => {
    const identity = { environment: settings.environment, namespace: settings.backupNamespace, name: db.name };
    const generated: NameProblem[] = [];
    if (db.backup.enabled) {
      for (const metadata of [backupCronJobMetadata(identity), restoreDrillCronJobMetadata(identity)]) generated.push(...objectNameProblems({ kind: "CronJob", metadata }));
    }
    if (db.exporter) generated.push(...releaseNameProblems(helmChartArgs("postgresExporter", settings.monitoringNamespace, {}, db.name).name));
    problems.push(...tooLongName(`databases[${i}].name`, db.name, generated));
  });
  settings.caches.forEach((cache, i) => {
    problems.push(...tooLongName(`caches[${i}].name`, cache.name, releaseNameProblems(helmChartArgs("redisExporter", settings.monitoringNamespace, {}, cache.name).name)));
  });
  return problems;
}

/**
 * An image tag becomes the app.kubernetes.io/version label of its colour's Deployment and pods, and a
 * semantic version may end its pre-release in "-" (1.5.0-rc-), which the API server refuses in a label.
 */
function labelValueProblems(settings: ValidatedSettings): ConfigProblem[] {
  return settings.apps.flatMap((app, i) => {
    const spec = resolveAppSpec(app, settings.environment, settings.monitoringNamespace, stackTelemetry(settings));
    return COLORS.filter((color) => !LABEL_VALUE_GRAMMAR.test(spec.colors[color].version)).map((color) => ({
      path: `apps[${i}].images.${color}`,
      reason:
        `makes the label app.kubernetes.io/version ${JSON.stringify(spec.colors[color].version)}, which the API server refuses: ` +
        `a label value starts and ends with a letter or digit (got ${JSON.stringify(app.images[color])})`,
    }));
  });
}

/** The most listeners a Gateway may have (Gateway API's CRD: spec.listeners maxItems). */
export const GATEWAY_LISTENER_LIMIT = 64;

/**
 * The Gateway gives every public hostname an HTTPS listener of its own, beside the plain-HTTP one and
 * Grafana's; the API server refuses a Gateway with more than 64, and with it every hostname's way in.
 */
function gatewayListenerProblems(settings: ValidatedSettings): ConfigProblem[] {
  const endpoints = publicEndpoints({ domain: settings.domain, monitoringNamespace: settings.monitoringNamespace, apps: settings.apps });
  const gateway = gatewayManifest(gatewayArgs(settings, endpoints));
  const listeners = gateway.spec.listeners.length;
  if (listeners <= GATEWAY_LISTENER_LIMIT) return [];
  const withHostname = settings.apps.map((app, i) => ({ app, i })).filter(({ app }) => app.hostname !== undefined);
  const allowed = withHostname.length - (listeners - GATEWAY_LISTENER_LIMIT);
  return [
    {
      path: `apps[${withHostname[allowed].i}].hostname`,
      reason:
        `is app hostname number ${allowed + 1}, more than one Gateway holds: it gives each hostname an HTTPS listener of its own, beside its plain-HTTP listener and Grafana's, ` +
        `and the API server refuses a Gateway with more than ${GATEWAY_LISTENER_LIMIT} listeners (this stack would make ${listeners}); ` +
        `at most ${allowed} apps may have a hostname (got ${withHostname.length})`,
    },
  ];
}
