import { createHash } from "node:crypto";
import type { Job } from "kubernetes-types/batch/v1";
import type { ConfigMap, Container, EnvVar, Volume } from "kubernetes-types/core/v1";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import type { Color } from "../../stacks/apps-schema";
import { withEphemeralStorage } from "../core/ephemeral-storage";
import { LABEL } from "../core/labels";
import { monitoringUrls, PROMETHEUS_PODS } from "../monitoring/monitoring-input";
import type { BlueGreenAppSpec } from "./app-spec";
import { GATE_SCRIPT_FILE } from "./gate/gate-script";
import { appLabels, GATE_COMPONENT, jobPodSelector, SCALE_DOWN_DELAY_COMPONENT } from "./labels";
import { serviceName, serviceUrl } from "./services";
import { containerSecurityContext, podSecurityContext } from "./workload";

/** A small public image with sh and curl, pinned by version (curl 8.21.0 on Alpine 3.24, 2026-06-24). */
export const GATE_IMAGE = "curlimages/curl:8.21.0";
/**
 * Numeric, so the kubelet can enforce runAsNonRoot, and above 10000, so it is no user of the node (the image's
 * own `curl_user` is 100): the script only reads its ConfigMap (world-readable) and writes nothing.
 */
export const GATE_UID = 65532;
export const GATE_GID = 65532;
/** Pause between Prometheus queries while the preview has no samples yet. */
export const POLL_INTERVAL_SECONDS = 10;
/** Pod scheduling and image pull, which activeDeadlineSeconds also counts. */
const POD_START_SECONDS = 120;
/** Prometheus' web port (kube-prometheus-stack's Service and pods). */
export const PROMETHEUS_PORT = 9090;

/** Where the ConfigMap with the gate script is mounted in the gate pod. */
const SCRIPT_DIR = "/gate";

/** The app's request counter and its labels, the convention every platform app exposes on /metrics. */
export const REQUESTS_METRIC = "http_requests_total";

/**
 * The share of 5xx responses of one colour's pods over the gate window. `or vector(0)` stands in for the
 * 5xx series an app only creates on its first error; without it a flawless preview would have "no data".
 * The colour label, not the role, picks the pods: the colour being promoted is the preview at gate time,
 * but it is the active colour when the gate re-runs after a change of the active image.
 */
export function errorRatioQuery(spec: BlueGreenAppSpec, color: Color): string {
  const { app } = spec;
  const selector = `namespace="${app.namespace}",service="${app.name}",color="${color}"`;
  const window = app.gate.window;
  return `(sum(rate(${REQUESTS_METRIC}{${selector},status=~"5.."}[${window}])) or vector(0)) / sum(rate(${REQUESTS_METRIC}{${selector}}[${window}]))`;
}

/** One smoke check per line, "<path> <status> [<body text>]": the health endpoints first, then the app's paths. */
export function gateChecks(spec: BlueGreenAppSpec): string {
  const { health, gate } = spec.app;
  const lines = [`${health.liveness} 200`, `${health.readiness} 200`];
  for (const check of gate.paths) lines.push([check.path, String(check.expectedStatus), check.bodyContains].filter((p) => p !== undefined).join(" "));
  return lines.join("\n");
}

/**
 * Upper bound of a gate run: every smoke check may take the full request timeout, the metrics wait
 * ends with one more query and pause, and the pod must first be scheduled and pull its image.
 */
export function gateDeadlineSeconds(spec: BlueGreenAppSpec): number {
  const { gate } = spec.app;
  const checks = 2 + gate.paths.length;
  return checks * gate.timeoutSeconds + gate.metricsWaitSeconds + gate.timeoutSeconds + POLL_INTERVAL_SECONDS + POD_START_SECONDS;
}

export function gateEnvironment(spec: BlueGreenAppSpec): EnvVar[] {
  const { app } = spec;
  const target = spec.colors[spec.activeColor];
  const values: Record<string, string> = {
    TARGET: `${app.name} ${target.color} (${target.image})`,
    PREVIEW_URL: serviceUrl(spec, serviceName.color(app.name, target.color)),
    CHECKS: gateChecks(spec),
    TIMEOUT_SECONDS: String(app.gate.timeoutSeconds),
    PROMETHEUS_URL: monitoringUrls(spec.monitoringNamespace).prometheus,
    ERROR_RATIO_QUERY: errorRatioQuery(spec, target.color),
    ERROR_RATIO_THRESHOLD: String(app.gate.errorRatioThreshold),
    ERROR_RATIO_WINDOW: app.gate.window,
    METRICS_WAIT_SECONDS: String(app.gate.metricsWaitSeconds),
    POLL_INTERVAL_SECONDS: String(POLL_INTERVAL_SECONDS),
  };
  return Object.entries(values).map(([name, value]) => ({ name, value }));
}

export function gateConfigMapManifest(spec: BlueGreenAppSpec, script: string): ConfigMap {
  const { app } = spec;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `${app.name}-gate`, namespace: app.namespace, labels: appLabels(app.name, spec.environment, GATE_COMPONENT) },
    data: { [GATE_SCRIPT_FILE]: script },
  };
}

function shortHash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 10);
}

const jobResources = withEphemeralStorage({ requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } });

function job(spec: BlueGreenAppSpec, name: string, component: string, deadline: number, container: Container, volumes: Volume[] | undefined): Job {
  const { app } = spec;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace: app.namespace,
      labels: appLabels(app.name, spec.environment, component),
      annotations: {
        // A failed Job is replaced (run again) by the next `pulumi up` instead of being awaited forever.
        "pulumi.com/replaceUnready": "true",
        // Pulumi's await must outlast the Job's own deadline, or it would give up on a gate still running.
        "pulumi.com/timeoutSeconds": String(deadline + 60),
      },
    },
    spec: {
      // One attempt: a retried gate would turn a flaky preview into a passing one.
      backoffLimit: 0,
      activeDeadlineSeconds: deadline,
      // No ttlSecondsAfterFinished: Pulumi owns the Job (a new gate name replaces the old one), and a Job
      // the TTL controller deleted would show up as drift in every `pulumi refresh` afterwards. The last
      // gate's pod and log stay until the next promotion.
      template: {
        metadata: { labels: appLabels(app.name, spec.environment, component) },
        spec: {
          restartPolicy: "Never",
          serviceAccountName: app.name,
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(GATE_UID, GATE_GID),
          containers: [{ ...container, image: GATE_IMAGE, imagePullPolicy: "IfNotPresent", resources: jobResources, securityContext: containerSecurityContext() }],
          ...(volumes ? { volumes } : {}),
        },
      },
    },
  };
}

/**
 * The pre-promotion gate: runs blue-green-gate.sh against the colour that activeColor names. Its name
 * carries that colour and a hash of everything the run depends on (image, checks, query, threshold,
 * script), so a promotion, a new image or a changed gate creates a new Job, which runs once; an unchanged
 * app keeps its completed Job and nothing re-runs.
 */
export function gateJobManifest(spec: BlueGreenAppSpec, script: string): Job {
  const { app } = spec;
  const deadline = gateDeadlineSeconds(spec);
  const draft = job(
    spec,
    "",
    GATE_COMPONENT,
    deadline,
    {
      name: "gate",
      command: ["/bin/sh", `${SCRIPT_DIR}/${GATE_SCRIPT_FILE}`],
      env: gateEnvironment(spec),
      volumeMounts: [{ name: "gate", mountPath: SCRIPT_DIR, readOnly: true }],
    },
    [{ name: "gate", configMap: { name: `${app.name}-gate`, defaultMode: 0o555 } }],
  );
  const name = `${app.name}-gate-${spec.activeColor}-${shortHash({ spec: draft.spec, image: spec.colors[spec.activeColor].image, script })}`;
  return { ...draft, metadata: { ...draft.metadata, name } };
}

/**
 * Argo Rollouts' scaleDownDelaySeconds inside `pulumi up`: a Job that sleeps that long, created after
 * the active Service has moved; the idle colour shrinks only once it completes. kube-proxy on every node
 * needs a moment to drop the old endpoints, and requests already routed to the old pods must finish.
 * Undefined when the idle colour does not shrink or the delay is 0.
 */
export function scaleDownDelayJobManifest(spec: BlueGreenAppSpec): Job | undefined {
  if (!spec.scaleDownDelayJob) return undefined;
  const delay = spec.scaleDownDelaySeconds;
  const draft = job(spec, "", SCALE_DOWN_DELAY_COMPONENT, delay + POD_START_SECONDS, { name: "delay", command: ["sleep", String(delay)] }, undefined);
  const name = `${spec.app.name}-scale-down-${spec.idleColor}-${shortHash({ spec: draft.spec, idle: spec.idleColor })}`;
  return { ...draft, metadata: { ...draft.metadata, name } };
}

/**
 * The gate queries Prometheus in the monitoring namespace. Both namespaces deny by default, so it needs
 * an egress allowance here and an ingress allowance there, each limited to the gate pods and port 9090.
 */
export function gateNetworkPolicyManifests(spec: BlueGreenAppSpec): { readonly egress: NetworkPolicy; readonly ingress: NetworkPolicy } {
  const { app } = spec;
  const labels = appLabels(app.name, spec.environment, GATE_COMPONENT);
  const gatePods = jobPodSelector(app.name, GATE_COMPONENT);
  const port = [{ protocol: "TCP", port: PROMETHEUS_PORT }];
  return {
    egress: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `${app.name}-gate-to-prometheus`, namespace: app.namespace, labels },
      spec: {
        podSelector: { matchLabels: gatePods },
        policyTypes: ["Egress"],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { [LABEL.namespaceName]: spec.monitoringNamespace } }, podSelector: { matchLabels: PROMETHEUS_PODS } }], ports: port }],
      },
    },
    ingress: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `promotion-gate-${app.name}`, namespace: spec.monitoringNamespace, labels },
      spec: {
        podSelector: { matchLabels: PROMETHEUS_PODS },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { [LABEL.namespaceName]: app.namespace } }, podSelector: { matchLabels: gatePods } }], ports: port }],
      },
    },
  };
}

