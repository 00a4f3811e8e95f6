import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { BlueGreenApp as InternalBlueGreenApp } from "../components/apps/blue-green-app";
import { AppSchema } from "../stacks/apps-schema";
import type { ConfigProblem } from "../stacks/parse";
import { NamespaceSchema } from "../stacks/schema";
import { parseArgs } from "./args-error";
import type { Color, CpuMemory, Environment, LogLevel, OtlpProtocol, SloLatencyObjective, SloObjective, SloWindow } from "./types";

/** The image each colour runs: a version tag (1.4.2) or a digest, never a moving tag such as latest. */
export interface BlueGreenImages {
  /** Image of the blue Deployment, e.g. ghcr.io/example/api:1.4.2. */
  blue: string;
  /** Image of the green Deployment. */
  green: string;
}

/** Requests and limits of the app's container. */
export interface AppResources {
  /** What the scheduler reserves. */
  requests: CpuMemory;
  /** The most the container may use. */
  limits: CpuMemory;
}

/** OpenTelemetry tracing: the OTEL_* variables the platform sets on the app. */
export interface AppTracing {
  /** false: the app exports no spans (OTEL_TRACES_EXPORTER=none). Default: true. */
  enabled?: boolean;
  /** Percent of new traces the app samples (0 to 100). Default: defaultTraceSamplingPercent. */
  samplingPercent?: number;
  /** OTLP transport of the app's SDK. Default: http/protobuf. */
  protocol?: OtlpProtocol;
}

/** The HTTP paths the kubelet probes; each must start with /. */
export interface AppHealth {
  /** Liveness probe path. Default: /health/live. */
  liveness?: string;
  /** Readiness probe path. Default: /health/ready. */
  readiness?: string;
  /** Startup probe path. Default: /health/startup. */
  startup?: string;
}

/** One smoke check the gate makes on the preview Service. */
export interface GateCheck {
  /** Path requested on the preview, e.g. /api/v1/items?limit=1. */
  path: string;
  /** Status code the preview must answer with (100 to 599). */
  expectedStatus: number;
  /** Text the response body must contain (one line, at most 200 characters). Default: not checked. */
  bodyContains?: string;
}

/** The gate Job that must pass on the preview before the active Service follows activeColor. */
export interface BlueGreenGate {
  /** Smoke checks beyond the liveness and readiness endpoints, which the gate always checks for 200 (at most 20). Default: none. */
  paths?: GateCheck[];
  /** The preview's 5xx share of requests over window must stay below this (between 0 and 1, exclusive). Default: 0.01. */
  errorRatioThreshold?: number;
  /** Range of the error-ratio query (Prometheus duration). Default: 5m. */
  window?: string;
  /** Limit of each HTTP request the gate makes, seconds (1 to 60). Default: 5. */
  timeoutSeconds?: number;
  /** How long the gate waits for Prometheus to have samples of the preview before it fails closed, seconds (0 to 900). Default: 120. */
  metricsWaitSeconds?: number;
}

/** A HorizontalPodAutoscaler for the active colour; the idle colour is pinned to previewReplicas. */
export interface AppAutoscaling {
  /** Floor of the active colour (1 to 100). */
  min: number;
  /** Ceiling of the active colour (min to 100). */
  max: number;
  /** Average CPU utilisation, percent of requests (10 to 100), the HPA holds the active colour at. */
  targetCpuPercent: number;
}

/** Service-level objectives; they replace the fixed-threshold HTTP alerts with burn-rate alerts. */
export interface AppSlos {
  /** Period the objectives hold over. */
  window: SloWindow;
  /** Share of requests answered without a 5xx status. Default: none. */
  availability?: SloObjective;
  /** Share of requests answered within thresholdSeconds. Default: none. */
  latency?: SloLatencyObjective;
}

/** A Secrets Manager secret an environment variable reads, synced by the External Secrets Operator. */
export interface SecretsManagerSource {
  /** Name of the secret, e.g. platform/production/api. */
  name: string;
  /** Key of a JSON secret whose value the variable gets. Default: the whole SecretString. */
  key?: string;
}

export interface BlueGreenAppArgs {
  /** App name (a DNS label starting with a letter); names the Services (name, name-preview) and Deployments (name-blue, name-green). */
  name: string;
  /** Namespace the app runs in; it must exist (create it with PlatformNamespace and depend on it). */
  namespace: string;
  /** Environment of the stack: production keeps the idle colour warm and spreads pods over zones, and needs at least 2 replicas. */
  environment: Environment;
  /** Port the container listens on for HTTP: traffic, health and /metrics (1 to 65535). */
  port: number;
  /** The image each colour runs. */
  images: BlueGreenImages;
  /** The colour the active Service sends traffic to. Promotion and rollback both mean changing this. */
  activeColor: Color;
  /** Size of the active colour (1 to 100; without autoscaling), and the warm size of the idle colour in production. */
  replicas: number;
  /** Replicas the idle colour keeps (Argo Rollouts' previewReplicaCount, 0 to 100). Default: replicas in production; 0 in staging (1 with hpa). */
  previewReplicas?: number;
  /** Wait after the switch before the idle colour shrinks, seconds (0 to 3600). Default: 30, Argo Rollouts' default. */
  scaleDownDelaySeconds?: number;
  /** Requests and limits of the app's container. */
  resources: AppResources;
  /** Log level the app runs at (LOG_LEVEL). Default: defaultLogLevel. */
  logLevel?: LogLevel;
  /** OpenTelemetry tracing. Default: enabled over http/protobuf at defaultTraceSamplingPercent. */
  tracing?: AppTracing;
  /** Plain environment variables. Default: none. */
  env?: { [name: string]: string };
  /** Secret environment variables: variable name to its value, kept secret and stored in the app's Secret; a changed value rolls the pods. Default: none. */
  secretEnv?: { [name: string]: pulumi.Input<string> };
  /** Environment variables read from AWS Secrets Manager through the External Secrets Operator (a rotation there reaches the pods without pulumi up). Default: none. */
  secretsManagerEnv?: { [name: string]: SecretsManagerSource };
  /** Probe paths. Default: /health/live, /health/ready, /health/startup. */
  health?: AppHealth;
  /** The gate that must pass before traffic switches. Default: liveness and readiness checks, error ratio below 0.01 over 5m. */
  gate?: BlueGreenGate;
  /** A HorizontalPodAutoscaler for the active colour. Default: none (fixed replicas). */
  hpa?: AppAutoscaling;
  /** Public host name of the active Service, routed by the platform's Gateway. Default: none (in-cluster only). */
  hostname?: string;
  /** Service-level objectives. Default: none (fixed-threshold HTTP alerts). */
  slos?: AppSlos;
  /** Namespace of Prometheus (which the gate queries) and of the blackbox exporter. Default: monitoring. */
  monitoringNamespace?: string;
  /** Log level of an app that sets no logLevel (the platform stack's logLevel). Default: INFO. */
  defaultLogLevel?: LogLevel;
  /** Percent of new traces sampled by an app that sets no tracing.samplingPercent (0 to 100). Default: 10. */
  defaultTraceSamplingPercent?: number;
  /** Namespace of the trace collector (Alloy) the app sends its spans to. Default: node-agents. */
  traceCollectorNamespace?: string;
}

const dnsLabel = NamespaceSchema.shape.name;

/** What the stack's apps entry does not hold: the stack-wide settings an app is deployed with. */
const StackSideSchema = z.strictObject({
  environment: z.enum(["staging", "production"]),
  monitoringNamespace: dnsLabel.default("monitoring"),
  defaultLogLevel: z.enum(["DEBUG", "INFO", "WARNING", "ERROR"]).default("INFO"),
  defaultTraceSamplingPercent: z.number().int().min(0).max(100).default(10),
  traceCollectorNamespace: dnsLabel.default("node-agents"),
});

/** The app's secretEnv as the stack schema has it: a config key per secret value, a secretsManager entry per Secrets Manager source. */
const secretKey = (index: number) => `secretEnv${index}`;

const STACK_SIDE_KEYS = Object.keys(StackSideSchema.shape);

/**
 * An app deployed blue-green, Argo Rollouts style, inside `pulumi up`: two Deployments (blue and green), an
 * active and a preview Service, and a gate Job that must pass on the preview before the Services' selectors
 * follow activeColor; Pulumi waits for the gate, so a failed gate fails the update while traffic stays put.
 * With a ServiceMonitor, a blackbox Probe, PodDisruptionBudgets and the gate's NetworkPolicies. The
 * ServiceMonitor and Probe CRDs (prometheus-operator) must be installed in the cluster.
 */
export class BlueGreenApp extends pulumi.ComponentResource {
  /** Name of the Service that receives traffic (the app's name). */
  public readonly activeServiceName: pulumi.Output<string>;
  /** Name of the Service that reaches the idle colour, for tests before a switch. */
  public readonly previewServiceName: pulumi.Output<string>;

  constructor(name: string, args: BlueGreenAppArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before super: invalid arguments register nothing, not even the component.
    const { internalArgs } = validate(name, args);
    super("platform:index:BlueGreenApp", name, {}, opts);
    const app = new InternalBlueGreenApp(name, internalArgs, { parent: this });
    this.activeServiceName = app.activeService.metadata.name;
    this.previewServiceName = app.previewService.metadata.name;
    this.registerOutputs({ activeServiceName: this.activeServiceName, previewServiceName: this.previewServiceName });
  }
}

/** The public arguments checked with the stack schema's own AppSchema, and mapped onto the internal component's. */
function validate(name: string, args: BlueGreenAppArgs) {
  const raw = (args ?? {}) as unknown as Record<string, unknown>;
  const secretNames = Object.keys(args?.secretEnv ?? {});
  const smEnv = args?.secretsManagerEnv ?? {};
  // Secret values never reach the schema (nor its messages): it sees one config key per variable.
  const app = {
    ...Object.fromEntries(Object.entries(raw).filter(([k]) => !STACK_SIDE_KEYS.includes(k) && k !== "secretEnv" && k !== "secretsManagerEnv")),
    secretEnv: {
      ...Object.fromEntries(secretNames.map((variable, i) => [variable, secretKey(i)])),
      ...Object.fromEntries(Object.entries(smEnv).map(([variable, source]) => [variable, { secretsManager: source }])),
    },
  };
  const stackSide = Object.fromEntries(Object.entries(raw).filter(([k]) => STACK_SIDE_KEYS.includes(k)));
  const problems: ConfigProblem[] = [];
  for (const variable of secretNames) {
    if (variable in smEnv) problems.push({ path: `secretsManagerEnv.${variable}`, reason: "is also in secretEnv; a variable comes from one place" });
  }
  const schema = z.object({ app: AppSchema, stack: StackSideSchema });
  const argumentPath = (path: string) => {
    const own = path.replace(/^(app|stack)(\.|$)/, "");
    const sm = /^secretEnv\.([^.]+)(?:\.secretsManager)?(\..*)?$/.exec(own);
    return sm && sm[1] in smEnv ? `secretsManagerEnv.${sm[1]}${sm[2] ?? ""}` : own || "args";
  };
  const parsed = parseArgs(
    "BlueGreenApp",
    name,
    schema,
    { app, stack: stackSide },
    (p) => [
      ...problems,
      ...(p.stack.environment === "production" && p.app.replicas < 2 ? [{ path: "replicas", reason: `production runs at least 2 for high availability (got ${p.app.replicas})` }] : []),
    ],
    argumentPath,
  );
  const secrets = Object.fromEntries(secretNames.map((variable, i) => [secretKey(i), pulumi.output(args.secretEnv![variable])]));
  return {
    internalArgs: {
      app: parsed.app,
      environment: parsed.stack.environment,
      monitoringNamespace: parsed.stack.monitoringNamespace,
      telemetry: {
        logLevel: parsed.stack.defaultLogLevel,
        traceSamplingPercent: parsed.stack.defaultTraceSamplingPercent,
        nodeAgentsNamespace: parsed.stack.traceCollectorNamespace,
      },
      secrets,
    },
  };
}
