import { z } from "zod";
import { positiveDuration as duration } from "./duration-schema";
import { CPU_QUANTITY, DNS_LABEL, DNS_NAME, MEMORY_QUANTITY } from "./formats";
import { plainSecret } from "./secret-detection";

/**
 * Schema of `platform:apps`: the applications the platform deploys blue-green (components/apps). Field
 * names follow Argo Rollouts' blue-green strategy where one exists (activeColor ~ the activeService's
 * target, previewReplicas ~ previewReplicaCount, scaleDownDelaySeconds), so users need no new words.
 *
 * Pulumi.yaml cannot hold defaults inside an object-valued key, so the per-app optional fields users
 * expect to omit (env, secretEnv, health, gate) get their defaults here with `.default()`/`.prefault()`.
 * Defaults that depend on the environment (previewReplicas, scaleDownDelaySeconds) are left undefined
 * and resolved in one place, components/apps/app-spec.ts.
 */

export const COLORS = ["blue", "green"] as const;

/** Log levels of the stack's `logLevel` and of an app's override. */
export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** OTLP transports an app's SDK can use to reach the collector (OTEL_EXPORTER_OTLP_PROTOCOL's values). */
export const OTLP_PROTOCOLS = ["http/protobuf", "grpc"] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];
export type Color = (typeof COLORS)[number];

/** The colour that is not `color`. */
export function otherColor(color: Color): Color {
  return color === "blue" ? "green" : "blue";
}

// Services need RFC 1035 labels (a letter first). Whether the names derived from it fit Kubernetes' limits
// is checked against the names the builders really generate (components/platform/deployability.ts).
const APP_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A Pulumi config key of this project, e.g. sentryDsn or apiDatabaseUrl. */
const CONFIG_KEY = /^[a-z][A-Za-z0-9]*$/;
/** An absolute URL path with an optional query; no whitespace (the gate reads one check per line). */
const HTTP_PATH = /^\/[^\s#]*$/;

// Docker's reference grammar (distribution/reference), reduced to what an image in a stack file needs.
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REPOSITORY = new RegExp(`^(?:[a-zA-Z0-9]+(?:[.-][a-zA-Z0-9]+)*(?::[0-9]{1,5})?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
/** A full semantic version (MAJOR.MINOR.PATCH, optional pre-release); `1.4` floats, so it is not enough. */
const VERSION_TAG = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z][0-9A-Za-z.-]{0,100})?$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export interface ImageReference {
  readonly repository: string;
  /** Version tag, when the reference has one. */
  readonly tag?: string;
  /** `sha256:<hex>`, when the reference is pinned by digest. */
  readonly digest?: string;
}

export const IMAGE_SHAPE_MESSAGE = "must be an image reference such as ghcr.io/example/api:1.4.2";
export const IMMUTABLE_IMAGE_MESSAGE = 'must be an immutable image reference (a version tag like 1.4.2 or a digest); a missing tag or "latest" is not allowed';

/**
 * Splits `repo:1.4.2`, `repo@sha256:<hex>` or `repo:1.4.2@sha256:<hex>`; `undefined` when the text is
 * not an image reference at all. Mutability is judged separately by `isImmutable`.
 */
export function parseImageReference(text: string): ImageReference | undefined {
  const at = text.indexOf("@");
  const name = at === -1 ? text : text.slice(0, at);
  const digest = at === -1 ? undefined : text.slice(at + 1);
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  const hasTag = colon > slash;
  const repository = hasTag ? name.slice(0, colon) : name;
  const tag = hasTag ? name.slice(colon + 1) : undefined;
  if (!REPOSITORY.test(repository)) return undefined;
  if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) return undefined;
  if (digest !== undefined && !/^[a-z0-9]+:[a-zA-Z0-9=_-]+$/.test(digest)) return undefined;
  return { repository, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** A digest pins the bytes; otherwise only a full version tag is accepted (registries rarely move those). */
export function isImmutable(ref: ImageReference): boolean {
  if (ref.digest !== undefined) return DIGEST.test(ref.digest) && (ref.tag === undefined || VERSION_TAG.test(ref.tag));
  return ref.tag !== undefined && VERSION_TAG.test(ref.tag);
}

const image = z.string().superRefine((value, ctx) => {
  const ref = parseImageReference(value);
  if (!ref) ctx.addIssue({ code: "custom", message: IMAGE_SHAPE_MESSAGE });
  else if (!isImmutable(ref)) ctx.addIssue({ code: "custom", message: IMMUTABLE_IMAGE_MESSAGE });
});

const cpuMemory = z.strictObject({
  cpu: z.string().regex(CPU_QUANTITY, { error: "must be a CPU quantity such as 250m, 0.5 or 2 (cores, or millicores with m)" }),
  memory: z.string().regex(MEMORY_QUANTITY, { error: "must be a memory quantity such as 512Mi, 4Gi or 1G (bytes; m is not a unit of memory)" }),
});
const httpPath = z.string().regex(HTTP_PATH, { error: "must be a URL path starting with / (no spaces, no #fragment)" });
const ENV_NAME_MESSAGE = "is not an environment variable name (letters, digits and _, not starting with a digit)";

/**
 * Why an app's plain env entry is refused as a secret, by the rule of the policy no-plaintext-secrets
 * (secret-detection.ts). Refused here, before anything is planned: a plain env value is written into the plan,
 * the state and the Deployment, where the policy would only find it afterwards. The value is never repeated.
 */
export function plainEnvSecretMessage(name: string, value: string): string | undefined {
  const found = plainSecret(name, value);
  if (found === undefined) return undefined;
  const what = found.kind === "pattern" ? `holds a ${found.pattern}` : "looks like a secret (by its name)";
  return (
    `${what}, and env is stored in plain text (the plan, the state, the Deployment); the value is not repeated here. ` +
    `Store it with pulumi config set --secret <key> <value> and reference <key> from the app's secretEnv (secretEnv: {${name}: <key>}) instead`
  );
}
const count = (min: number) => z.number().int().min(min).max(100);

/** A Secrets Manager secret name: what `aws secretsmanager create-secret --name` accepts, without wildcards. */
const SECRETS_MANAGER_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/**
 * A secretEnv value read from AWS Secrets Manager (through the External Secrets Operator) instead of Pulumi
 * config: the secret's name and, for a JSON secret, the key whose value the variable gets.
 */
export const SecretsManagerRefSchema = z.strictObject({
  secretsManager: z.strictObject({
    /** Name of the secret, under the stack's secretsManagerPrefix, e.g. platform/production/api. */
    name: z.string().regex(SECRETS_MANAGER_NAME, { error: "must be a Secrets Manager secret name such as platform/production/api (letters, digits and /_+=.@-)" }),
    /** Key of a JSON secret (SecretString {"url": "..."}); omit to take the whole SecretString. */
    key: z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, { error: "must be a key of the secret's JSON, e.g. url" }).optional(),
  }),
});

export type SecretsManagerRef = z.infer<typeof SecretsManagerRefSchema>["secretsManager"];

/** A secretEnv value: the Pulumi secret config key holding it, or a Secrets Manager secret (and key). */
export const SecretEnvSourceSchema = z.union([
  z.string().regex(CONFIG_KEY, { error: "must be a Pulumi config key such as sentryDsn, or {secretsManager: {name, key}}" }),
  SecretsManagerRefSchema,
]);
export type SecretEnvSource = z.infer<typeof SecretEnvSourceSchema>;

/** Whether a secretEnv value is read from Secrets Manager (else it names a Pulumi config secret). */
export function isSecretsManagerRef(source: SecretEnvSource): source is z.infer<typeof SecretsManagerRefSchema> {
  return typeof source !== "string";
}

export const GateCheckSchema = z.strictObject({
  /** Path requested on the preview, e.g. /api/v1/items?limit=1. */
  path: httpPath,
  /** Status code the preview must answer with. */
  expectedStatus: z.number().int().min(100).max(599),
  /** Text the response body must contain, if any. */
  bodyContains: z
    .string()
    .regex(/^\S(?:[^\r\n]*\S)?$/, { error: "must be one line without leading or trailing spaces" })
    .max(200)
    .optional(),
});

export const GateSchema = z.strictObject({
  /** Smoke checks beyond the liveness and readiness endpoints, which the gate always checks for 200. */
  paths: z.array(GateCheckSchema).max(20).default([]),
  /** The preview's 5xx share of requests over `window` must stay below this, e.g. 0.01 (1 %). */
  errorRatioThreshold: z.number().gt(0).lt(1).default(0.01),
  /** Range of the error-ratio query. */
  window: duration.default("5m"),
  /** Limit of each HTTP request the gate makes, seconds. */
  timeoutSeconds: z.number().int().min(1).max(60).default(5),
  /** How long the gate waits for Prometheus to have samples of the preview before it fails closed, seconds. */
  metricsWaitSeconds: z.number().int().min(0).max(900).default(120),
});

export const HealthSchema = z.strictObject({
  liveness: httpPath.default("/health/live"),
  readiness: httpPath.default("/health/ready"),
  startup: httpPath.default("/health/startup"),
});

export const HpaSchema = z
  .strictObject({
    /** Floor of the active colour. */
    min: count(1),
    /** Ceiling of the active colour. */
    max: count(1),
    /** Average CPU utilisation (percent of requests) the HPA holds the active colour at. */
    targetCpuPercent: z.number().int().min(10).max(100),
  })
  .superRefine((hpa, ctx) => {
    if (hpa.max < hpa.min) ctx.addIssue({ code: "custom", path: ["max"], message: `must be at least hpa.min (${hpa.min})` });
  });

export const AppTracingSchema = z
  .strictObject({
    /** false: the app exports no spans (OTEL_TRACES_EXPORTER=none); service name and resource attributes stay. */
    enabled: z.boolean().default(true),
    /**
     * Percent of new traces the app samples.
     * @default the stack's traceSamplingPercent
     */
    samplingPercent: z.number().int().min(0).max(100).optional(),
    /** OTLP transport of the app's SDK: http/protobuf (the OpenTelemetry default) to port 4318, grpc to 4317. */
    protocol: z.enum(OTLP_PROTOCOLS).default("http/protobuf"),
  })
  .superRefine((tracing, ctx) => {
    if (!tracing.enabled && tracing.samplingPercent !== undefined) {
      ctx.addIssue({ code: "custom", path: ["samplingPercent"], message: "has no effect while tracing.enabled is false; remove one of the two" });
    }
  });

/** Periods an SLO may be measured over; the burn-rate factors scale with it (components/alerting/rules/slo.ts). */
export const SLO_PERIODS = ["28d", "30d"] as const;

const OBJECTIVE_MESSAGE = "must be a percentage above 0 and below 100, such as 99.9 (100 leaves no error budget)";
const objective = z
  .number({ error: OBJECTIVE_MESSAGE })
  .gt(0, { error: OBJECTIVE_MESSAGE })
  .lt(100, { error: OBJECTIVE_MESSAGE });

/**
 * An app's service-level objectives, in the words of Sloth and Pyrra: the platform records the SLIs and pages
 * on multi-window burn rates, and these replace the app's fixed-threshold HTTP error and latency alerts.
 */
export const SloSchema = z
  .strictObject({
    /** Period the objectives hold over, and over which the error budget is counted. */
    window: z.enum(SLO_PERIODS),
    /**
     * Percent of requests answered without a 5xx status, e.g. 99.9.
     * @default no availability objective
     */
    availability: z.strictObject({ objective }).optional(),
    /**
     * Percent of requests answered within thresholdSeconds, e.g. 99 within 0.5.
     * @default no latency objective
     */
    latency: z
      .strictObject({
        objective,
        /** A bucket bound of http_request_duration_seconds, so the SLI is an exact count, not an estimate. */
        thresholdSeconds: z.number({ error: "must be a number of seconds" }).positive({ error: "must be a positive number of seconds" }),
      })
      .optional(),
  })
  .superRefine((slos, ctx) => {
    if (!slos.availability && !slos.latency) ctx.addIssue({ code: "custom", message: "declares no objective: set availability, latency or both" });
  });

export const AppSchema = z
  .strictObject({
    /** App name; names the Services (`<name>`, `<name>-preview`) and Deployments (`<name>-blue`, `<name>-green`). */
    name: z.string().regex(APP_NAME, { error: "must be a DNS label that starts with a letter" }),
    /** Namespace the app runs in; one of the stack's `namespaces`. */
    namespace: z.string().regex(DNS_LABEL, { error: "must be a DNS label (namespace: lower-case letters, digits and '-', at most 63)" }),
    /** Port the container listens on for HTTP (traffic, health and /metrics). */
    port: z.number().int().min(1).max(65535),
    /** The image each colour runs. */
    images: z.strictObject({ blue: image, green: image }),
    /** The colour the active Service sends traffic to. Promotion and rollback both mean changing this. */
    activeColor: z.enum(COLORS),
    /** Size of the active colour (without hpa), and the default warm size of the idle colour in production. */
    replicas: count(1),
    /**
     * Replicas the idle colour keeps (Argo's previewReplicaCount).
     * @default production: `replicas` (warm for a rollback); staging: 0, or 1 with hpa (defaultPreviewReplicas)
     */
    previewReplicas: z.number().int().min(0).max(100).optional(),
    /**
     * Wait after the switch before the idle colour shrinks, seconds.
     * @default 30 (Argo Rollouts' default)
     */
    scaleDownDelaySeconds: z.number().int().min(0).max(3600).optional(),
    resources: z.strictObject({ requests: cpuMemory, limits: cpuMemory }),
    /**
     * Log level the app runs at (LOG_LEVEL).
     * @default the stack's logLevel
     */
    logLevel: z.enum(LOG_LEVELS).optional(),
    /** OpenTelemetry tracing: the OTEL_* variables the platform sets (components/apps/telemetry-env.ts). */
    tracing: AppTracingSchema.prefault({}),
    /** Plain (non-secret) environment variables. */
    env: z.record(z.string(), z.string()).default({}),
    /**
     * Secret environment variables: variable name → the Pulumi secret config key holding its value, or
     * `{secretsManager: {name, key}}`, a Secrets Manager secret the External Secrets Operator syncs (a
     * rotation there reaches the pods without `pulumi up`).
     */
    secretEnv: z.record(z.string(), SecretEnvSourceSchema).default({}),
    health: HealthSchema.prefault({}),
    gate: GateSchema.prefault({}),
    /**
     * A HorizontalPodAutoscaler per colour instead of a fixed size.
     * @default none: the active colour runs `replicas` pods
     */
    hpa: HpaSchema.optional(),
    /**
     * Public host name of the active Service: the stack's Gateway (Envoy Gateway) routes it over HTTPS with a
     * certificate from cert-manager, and external-dns publishes its record. Under the stack's domain.
     * @default none: the app is reachable inside the cluster only
     */
    hostname: z.string().regex(DNS_NAME, { error: "must be a DNS name such as api.example.com" }).optional(),
    /**
     * Service-level objectives, paged on by burn rate.
     * @default none: the app gets the fixed-threshold HTTP error and latency alerts
     */
    slos: SloSchema.optional(),
  })
  .superRefine((app, ctx) => {
    // Keys are checked here rather than by a key schema, whose only message would be "Invalid key in record".
    for (const field of ["env", "secretEnv"] as const) {
      for (const name of Object.keys(app[field])) {
        if (!ENV_NAME.test(name)) ctx.addIssue({ code: "custom", path: [field, name], message: ENV_NAME_MESSAGE });
      }
    }
    for (const field of ["env", "secretEnv"] as const) {
      for (const name of Object.keys(app[field])) {
        const owner = PLATFORM_ENV_OWNERS[name];
        if (owner) ctx.addIssue({ code: "custom", path: [field, name], message: `is set by the platform ${owner}` });
      }
    }
    for (const [name, value] of Object.entries(app.env)) {
      const message = plainEnvSecretMessage(name, value);
      if (message) ctx.addIssue({ code: "custom", path: ["env", name], message });
    }
    for (const name of Object.keys(app.secretEnv)) {
      if (name in app.env) ctx.addIssue({ code: "custom", path: ["env", name], message: `is also in secretEnv; a variable comes from one place` });
    }
    if ("SENTRY_DSN" in app.secretEnv) {
      for (const name of SENTRY_PLATFORM_ENV) {
        if (name in app.env) ctx.addIssue({ code: "custom", path: ["env", name], message: "is set by the platform when secretEnv has SENTRY_DSN" });
      }
    }
    if (app.hpa) {
      if (app.replicas < app.hpa.min || app.replicas > app.hpa.max) {
        ctx.addIssue({ code: "custom", path: ["replicas"], message: `must lie between hpa.min (${app.hpa.min}) and hpa.max (${app.hpa.max})` });
      }
      if (app.previewReplicas === 0) {
        ctx.addIssue({ code: "custom", path: ["previewReplicas"], message: "must be at least 1 with hpa (a HorizontalPodAutoscaler cannot scale to zero)" });
      }
    }
  });

/**
 * Variables the platform sets on every app, and the settings they come from (the wording of the error
 * when an app sets one itself). An app changes them through those settings, so each has one source.
 */
export const PLATFORM_ENV_OWNERS: Readonly<Record<string, string>> = {
  LOG_LEVEL: "from the stack's logLevel; set this app's logLevel to override it",
  OTEL_TRACES_SAMPLER_ARG: "from the stack's traceSamplingPercent; set this app's tracing.samplingPercent to override it",
  OTEL_METRICS_EXPORTER: "to none: Prometheus scrapes the app's /metrics",
  OTEL_LOGS_EXPORTER: "to none: Alloy ships the app's stdout to Loki",
  ...Object.fromEntries(
    ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_SERVICE_NAME", "OTEL_TRACES_EXPORTER", "OTEL_TRACES_SAMPLER"].map((name) => [
      name,
      "for OpenTelemetry; change it through this app's tracing settings (enabled, samplingPercent, protocol)",
    ]),
  ),
};

/** Variables the platform derives for Sentry when an app reads SENTRY_DSN. */
export const SENTRY_PLATFORM_ENV = ["SENTRY_ENVIRONMENT", "SENTRY_RELEASE"] as const;

export const AppsSchema = z.array(AppSchema).superRefine((apps, ctx) => {
  const seen = new Set<string>();
  const hosts = new Map<string, number>();
  apps.forEach((app, i) => {
    if (seen.has(app.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate app "${app.name}"` });
    seen.add(app.name);
    if (app.hostname === undefined) return;
    const first = hosts.get(app.hostname);
    // One hostname, one route: the Gateway would merge two apps' routes for it and split traffic between them.
    if (first !== undefined) ctx.addIssue({ code: "custom", path: [i, "hostname"], message: `"${app.hostname}" is already the hostname of apps[${first}] (${apps[first].name}); each public hostname routes to one app` });
    else hosts.set(app.hostname, i);
  });
});

export type AppSettings = z.infer<typeof AppSchema>;
export type AppsSettings = z.infer<typeof AppsSchema>;
export type GateSettings = z.infer<typeof GateSchema>;
export type GateCheck = z.infer<typeof GateCheckSchema>;
export type HealthSettings = z.infer<typeof HealthSchema>;
export type HpaSettings = z.infer<typeof HpaSchema>;
export type AppTracingSettings = z.infer<typeof AppTracingSchema>;
export type AppSloSettings = z.infer<typeof SloSchema>;

/** Every Pulumi config key the apps read as a secret, sorted, for the loader (getSecret) and the secret checks. */
export function appSecretKeys(apps: readonly AppSettings[]): string[] {
  return [...new Set(apps.flatMap((app) => Object.values(app.secretEnv).filter((v): v is string => typeof v === "string")))].sort();
}

/** An app's secretEnv entries read from Secrets Manager, by variable name, sorted. */
export function secretsManagerEnv(app: AppSettings): [string, SecretsManagerRef][] {
  return Object.entries(app.secretEnv)
    .flatMap(([variable, source]): [string, SecretsManagerRef][] => (isSecretsManagerRef(source) ? [[variable, source.secretsManager]] : []))
    .sort(([a], [b]) => a.localeCompare(b));
}

/** An app's secretEnv entries read from Pulumi config secrets: variable → config key. */
export function configSecretEnv(app: AppSettings): Record<string, string> {
  return Object.fromEntries(Object.entries(app.secretEnv).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** One offending key path of `platform:apps` and why, in the form stacks/parse.ts reports. */
export interface AppsProblem {
  readonly path: string;
  readonly reason: string;
}

/**
 * Checks that need the rest of the stack: the namespace must be managed by the platform, a hostname
 * must sit under the stack's domain, and production runs at least two replicas per app so the zone
 * spread and the PodDisruptionBudget mean something. Each runs when the stack key it needs is given (a
 * stack key that did not validate is left out, and with it only the checks that need it).
 */
export function appsProblems(
  apps: readonly AppSettings[],
  stack: {
    readonly environment?: "staging" | "production";
    readonly domain?: string;
    readonly namespaces?: readonly { readonly name: string }[];
    /** Hostnames the platform itself serves (Grafana's), which no app may claim. */
    readonly reservedHostnames?: Readonly<Record<string, string>>;
    /** The only Secrets Manager path the stack's ESO role may read (`<prefix>/*`). */
    readonly secretsManagerPrefix?: string;
  },
): AppsProblem[] {
  const problems: AppsProblem[] = [];
  const namespaces = stack.namespaces?.map((ns) => ns.name);
  apps.forEach((app, i) => {
    if (namespaces !== undefined && !namespaces.includes(app.namespace)) {
      problems.push({ path: `apps[${i}].namespace`, reason: `"${app.namespace}" is not one of the configured namespaces (${namespaces.join(", ")})` });
    }
    if (app.hostname !== undefined && stack.domain !== undefined && app.hostname !== stack.domain && !app.hostname.endsWith(`.${stack.domain}`)) {
      problems.push({ path: `apps[${i}].hostname`, reason: `"${app.hostname}" is not under the stack's domain ${stack.domain}` });
    }
    const reservedFor = app.hostname === undefined ? undefined : stack.reservedHostnames?.[app.hostname];
    if (reservedFor !== undefined) {
      problems.push({ path: `apps[${i}].hostname`, reason: `"${app.hostname}" is ${reservedFor}'s hostname; each public hostname routes to one backend` });
    }
    if (stack.secretsManagerPrefix !== undefined) {
      for (const [variable, ref] of secretsManagerEnv(app)) {
        if (ref.name.startsWith(`${stack.secretsManagerPrefix}/`)) continue;
        problems.push({
          path: `apps[${i}].secretEnv.${variable}.secretsManager.name`,
          reason: `"${ref.name}" is outside the stack's Secrets Manager prefix (secretsManagerPrefix ${stack.secretsManagerPrefix}): the External Secrets role reads ${stack.secretsManagerPrefix}/* only`,
        });
      }
    }
    if (stack.environment === "production" && app.replicas < 2) {
      problems.push({ path: `apps[${i}].replicas`, reason: `production runs at least 2 for high availability (got ${app.replicas})` });
    }
  });
  return problems;
}
