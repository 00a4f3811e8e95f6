import { expect } from "chai";
import {
  appSecretKeys,
  AppsSchema,
  appsProblems,
  IMAGE_SHAPE_MESSAGE,
  IMMUTABLE_IMAGE_MESSAGE,
  isImmutable,
  parseImageReference,
} from "../../stacks/apps-schema";
import { rawStackApps, stackApps } from "./fixtures/apps-config";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

/** `apps[1].name`-style key paths, as stacks/parse.ts prints them for the `apps` key. */
function keyPath(path: readonly PropertyKey[]): string {
  return ["apps", ...path].map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

/** Every problem of a raw `platform:apps` value, as "path: message"; fails if the value is accepted. */
function problemsOf(apps: unknown): string[] {
  const result = AppsSchema.safeParse(apps);
  if (result.success) throw new Error(`expected ${JSON.stringify(apps)} to be rejected`);
  return result.error.issues.map((issue) => `${keyPath(issue.path)}: ${issue.message}`);
}

/** The production api app as raw YAML data, with `change` applied. */
function rawApp(change: (app: Record<string, any>) => void = () => {}): Record<string, any> {
  const app = rawStackApps("production")[0];
  change(app);
  return app;
}

describe("platform:apps schema", () => {
  describe("the proposed stack values", () => {
    it("production: api, blue active, three replicas, secrets from apiDatabaseUrl and sentryDsn", () => {
      const [api] = stackApps("production");
      expect(api).to.deep.include({
        name: "api",
        namespace: "apps",
        port: 8080,
        images: { blue: "ghcr.io/example/api:1.4.2", green: "ghcr.io/example/api:1.5.0" },
        activeColor: "blue",
        replicas: 3,
        env: {},
        secretEnv: { DATABASE_URL: "apiDatabaseUrl", SENTRY_DSN: "sentryDsn", PAYMENTS_API_KEY: { secretsManager: { name: "platform/production/api", key: "paymentsApiKey" } } },
        hostname: "api.platform.example.com",
      });
      // Environment-dependent defaults stay unset here; components/apps/app-spec.ts resolves them.
      expect(api.previewReplicas).to.equal(undefined);
      expect(api.scaleDownDelaySeconds).to.equal(undefined);
      // No LOG_LEVEL of its own: the stack's logLevel applies (components/apps/telemetry-env.ts).
      expect(api.logLevel).to.equal(undefined);
    });

    it("both stacks: the api's SLOs, 99.9 % available and 99 % within 0.5 s over 30 days (staging runs the same)", () => {
      for (const stack of ["staging", "production"] as const) {
        expect(stackApps(stack)[0].slos, stack).to.deep.equal({ window: "30d", availability: { objective: 99.9 }, latency: { objective: 99, thresholdSeconds: 0.5 } });
      }
      const [withoutSlos] = AppsSchema.parse([rawApp((a) => delete a.slos)]);
      expect(withoutSlos.slos).to.equal(undefined);
    });

    it("staging: green active, one replica, a looser gate threshold", () => {
      const [api] = stackApps("staging");
      expect(api).to.deep.include({ activeColor: "green", replicas: 1, env: {} });
      expect(api.logLevel).to.equal(undefined);
      expect(api.gate.errorRatioThreshold).to.equal(0.05);
    });

    it("defaults health paths to the seed's /health/live, /health/ready and /health/startup", () => {
      const [api] = stackApps("production");
      expect(api.health).to.deep.equal({ liveness: "/health/live", readiness: "/health/ready", startup: "/health/startup" });
    });

    it("lets an app override one health path and keeps the defaults of the others", () => {
      const [api] = AppsSchema.parse([rawApp((a) => (a.health = { readiness: "/ready" }))]);
      expect(api.health).to.deep.equal({ liveness: "/health/live", readiness: "/ready", startup: "/health/startup" });
    });

    it("defaults the gate: no extra paths, 1 % error ratio over 5m, 5 s per request, 120 s wait for metrics", () => {
      const [api] = AppsSchema.parse([rawApp((a) => delete a.gate)]);
      expect(api.gate).to.deep.equal({ paths: [], errorRatioThreshold: 0.01, window: "5m", timeoutSeconds: 5, metricsWaitSeconds: 120 });
    });

    it("keeps gate defaults for the fields a partial gate leaves out", () => {
      const [api] = stackApps("production");
      expect(api.gate).to.deep.equal({
        paths: [{ path: "/api/v1/status", expectedStatus: 200, bodyContains: '"status":"ok"' }],
        errorRatioThreshold: 0.01,
        window: "5m",
        timeoutSeconds: 5,
        metricsWaitSeconds: 120,
      });
    });

    it("defaults env and secretEnv to empty", () => {
      const [api] = AppsSchema.parse([
        rawApp((a) => {
          delete a.env;
          delete a.secretEnv;
        }),
      ]);
      expect(api.env).to.deep.equal({});
      expect(api.secretEnv).to.deep.equal({});
    });

    it("defaults tracing to on, at the stack's sampling percent, over OTLP http/protobuf", () => {
      for (const stack of ["staging", "production"] as const) {
        const [api] = stackApps(stack);
        expect(api.tracing, stack).to.deep.equal({ enabled: true, protocol: "http/protobuf" });
      }
    });

    it("lets an app set its own log level, sampling percent and protocol, or opt out of tracing", () => {
      const [own] = AppsSchema.parse([rawApp((a) => Object.assign(a, { logLevel: "WARNING", tracing: { samplingPercent: 100, protocol: "grpc" } }))]);
      expect(own.logLevel).to.equal("WARNING");
      expect(own.tracing).to.deep.equal({ enabled: true, samplingPercent: 100, protocol: "grpc" });
      const [off] = AppsSchema.parse([rawApp((a) => (a.tracing = { enabled: false }))]);
      expect(off.tracing).to.deep.equal({ enabled: false, protocol: "http/protobuf" });
    });

    it("accepts an empty list (a stack without apps)", () => {
      expect(AppsSchema.parse([])).to.deep.equal([]);
    });

    it("lists the secret config keys the apps read, once each, sorted", () => {
      const second = rawApp((a) => {
        a.name = "worker";
        delete a.hostname;
        a.secretEnv = { SENTRY_DSN: "sentryDsn", QUEUE_URL: "workerQueueUrl", TOKEN: { secretsManager: { name: "platform/production/worker" } } };
      });
      expect(appSecretKeys(AppsSchema.parse([rawApp(), second]))).to.deep.equal(["apiDatabaseUrl", "sentryDsn", "workerQueueUrl"]);
    });
  });

  describe("image references", () => {
    const immutable = [
      "ghcr.io/example/api:1.4.2",
      "ghcr.io/example/api:v1.4.2-rc.1",
      "registry.example.com:5000/team/api:2.0.0",
      "nginx:1.27.3",
      `ghcr.io/example/api@${DIGEST}`,
      `ghcr.io/example/api:1.4.2@${DIGEST}`,
    ];
    for (const image of immutable) {
      it(`accepts ${image}`, () => {
        const ref = parseImageReference(image);
        expect(ref, image).to.not.equal(undefined);
        expect(isImmutable(ref!), image).to.equal(true);
      });
    }

    it("splits repository, tag and digest", () => {
      expect(parseImageReference(`registry.example.com:5000/team/api:2.0.0@${DIGEST}`)).to.deep.equal({
        repository: "registry.example.com:5000/team/api",
        tag: "2.0.0",
        digest: DIGEST,
      });
      expect(parseImageReference("registry.example.com:5000/team/api")).to.deep.equal({ repository: "registry.example.com:5000/team/api" });
    });

    const mutable = ["ghcr.io/example/api:latest", "ghcr.io/example/api", "ghcr.io/example/api:1.4", "ghcr.io/example/api:main", `ghcr.io/example/api:latest@${DIGEST}`, "ghcr.io/example/api@sha256:abc"];
    for (const image of mutable) {
      it(`rejects ${image} as mutable`, () => {
        expect(problemsOf([rawApp((a) => (a.images.blue = image))])).to.deep.equal([`apps[0].images.blue: ${IMMUTABLE_IMAGE_MESSAGE}`]);
      });
    }

    for (const image of ["GHCR.io/Example/API:1.4.2", "ghcr.io/example/api:1.4.2 ", "ghcr.io//api:1.4.2", ""]) {
      it(`rejects ${JSON.stringify(image)} as no image reference`, () => {
        expect(problemsOf([rawApp((a) => (a.images.green = image))])).to.deep.equal([`apps[0].images.green: ${IMAGE_SHAPE_MESSAGE}`]);
      });
    }
  });

  describe("bad app configuration names the key path", () => {
    const cases: [string, (app: Record<string, any>) => void, string[]][] = [
      [
        "latest tag",
        (a) => (a.images.green = "ghcr.io/example/api:latest"),
        ['apps[0].images.green: must be an immutable image reference (a version tag like 1.4.2 or a digest); a missing tag or "latest" is not allowed'],
      ],
      ["unknown colour", (a) => (a.activeColor = "red"), ['apps[0].activeColor: Invalid option: expected one of "blue"|"green"']],
      ["previewReplicas < 0", (a) => (a.previewReplicas = -1), ["apps[0].previewReplicas: Too small: expected number to be >=0"]],
      ["port above 65535", (a) => (a.port = 70000), ["apps[0].port: Too big: expected number to be <=65535"]],
      ["port 0", (a) => (a.port = 0), ["apps[0].port: Too small: expected number to be >=1"]],
      ["name not starting with a letter", (a) => (a.name = "1api"), ["apps[0].name: must be a DNS label that starts with a letter"]],
      ["name over 63 characters", (a) => (a.name = "a".repeat(64)), ["apps[0].name: must be a DNS label that starts with a letter"]],
      ["replicas 0", (a) => (a.replicas = 0), ["apps[0].replicas: Too small: expected number to be >=1"]],
      ["negative scaleDownDelaySeconds", (a) => (a.scaleDownDelaySeconds = -5), ["apps[0].scaleDownDelaySeconds: Too small: expected number to be >=0"]],
      ["bad quantity", (a) => (a.resources.limits.memory = "512MB"), ["apps[0].resources.limits.memory: must be a memory quantity such as 512Mi, 4Gi or 1G (bytes; m is not a unit of memory)"]],
      ["env name", (a) => (a.env = { "1BAD": "x" }), ["apps[0].env.1BAD: is not an environment variable name (letters, digits and _, not starting with a digit)"]],
      ["secretEnv name", (a) => (a.secretEnv = { "DB-URL": "apiDatabaseUrl" }), ["apps[0].secretEnv.DB-URL: is not an environment variable name (letters, digits and _, not starting with a digit)"]],
      ["secretEnv config key", (a) => (a.secretEnv = { DATABASE_URL: "api-database-url" }), ["apps[0].secretEnv.DATABASE_URL: must be a Pulumi config key such as sentryDsn, or {secretsManager: {name, key}}"]],
      ["variable both plain and secret", (a) => (a.env = { DATABASE_URL: "postgres://x" }), ["apps[0].env.DATABASE_URL: is also in secretEnv; a variable comes from one place"]],
      ["Sentry release set by hand", (a) => (a.env = { SENTRY_RELEASE: "api@1" }), ["apps[0].env.SENTRY_RELEASE: is set by the platform when secretEnv has SENTRY_DSN"]],
      ["gate path without /", (a) => (a.gate.paths[0].path = "api/v1/status"), ["apps[0].gate.paths[0].path: must be a URL path starting with / (no spaces, no #fragment)"]],
      ["gate status 700", (a) => (a.gate.paths[0].expectedStatus = 700), ["apps[0].gate.paths[0].expectedStatus: Too big: expected number to be <=599"]],
      ["gate body text with a trailing space", (a) => (a.gate.paths[0].bodyContains = "ok "), ["apps[0].gate.paths[0].bodyContains: must be one line without leading or trailing spaces"]],
      ["gate window", (a) => (a.gate.window = "5 minutes"), ["apps[0].gate.window: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d"]],
      ["gate threshold 1", (a) => (a.gate.errorRatioThreshold = 1), ["apps[0].gate.errorRatioThreshold: Too big: expected number to be <1"]],
      ["health path", (a) => (a.health = { liveness: "health" }), ["apps[0].health.liveness: must be a URL path starting with / (no spaces, no #fragment)"]],
      ["hpa max below min", (a) => (a.hpa = { min: 3, max: 2, targetCpuPercent: 70 }), ["apps[0].hpa.max: must be at least hpa.min (3)", "apps[0].replicas: must lie between hpa.min (3) and hpa.max (2)"]],
      ["replicas outside the hpa range", (a) => (a.hpa = { min: 4, max: 10, targetCpuPercent: 70 }), ["apps[0].replicas: must lie between hpa.min (4) and hpa.max (10)"]],
      [
        "hpa with an idle colour at zero",
        (a) => {
          a.hpa = { min: 3, max: 10, targetCpuPercent: 70 };
          a.previewReplicas = 0;
        },
        ["apps[0].previewReplicas: must be at least 1 with hpa (a HorizontalPodAutoscaler cannot scale to zero)"],
      ],
      ["log level", (a) => (a.logLevel = "TRACE"), ['apps[0].logLevel: Invalid option: expected one of "DEBUG"|"INFO"|"WARNING"|"ERROR"']],
      [
        "LOG_LEVEL in env",
        (a) => (a.env = { LOG_LEVEL: "INFO" }),
        ["apps[0].env.LOG_LEVEL: is set by the platform from the stack's logLevel; set this app's logLevel to override it"],
      ],
      [
        "sampler argument in env",
        (a) => (a.env = { OTEL_TRACES_SAMPLER_ARG: "1" }),
        ["apps[0].env.OTEL_TRACES_SAMPLER_ARG: is set by the platform from the stack's traceSamplingPercent; set this app's tracing.samplingPercent to override it"],
      ],
      [
        "OTLP endpoint from a secret",
        (a) => (a.secretEnv.OTEL_EXPORTER_OTLP_ENDPOINT = "sentryDsn"),
        ["apps[0].secretEnv.OTEL_EXPORTER_OTLP_ENDPOINT: is set by the platform for OpenTelemetry; change it through this app's tracing settings (enabled, samplingPercent, protocol)"],
      ],
      ["OTLP metrics switched on", (a) => (a.env = { OTEL_METRICS_EXPORTER: "otlp" }), ["apps[0].env.OTEL_METRICS_EXPORTER: is set by the platform to none: Prometheus scrapes the app's /metrics"]],
      ["sampling above 100 %", (a) => (a.tracing = { samplingPercent: 101 }), ["apps[0].tracing.samplingPercent: Too big: expected number to be <=100"]],
      ["sampling not a whole percent", (a) => (a.tracing = { samplingPercent: 2.5 }), ["apps[0].tracing.samplingPercent: Invalid input: expected int, received number"]],
      [
        "sampling while tracing is off",
        (a) => (a.tracing = { enabled: false, samplingPercent: 5 }),
        ["apps[0].tracing.samplingPercent: has no effect while tracing.enabled is false; remove one of the two"],
      ],
      ["OTLP protocol", (a) => (a.tracing = { protocol: "http/json" }), ['apps[0].tracing.protocol: Invalid option: expected one of "http/protobuf"|"grpc"']],
      ["unknown tracing key", (a) => (a.tracing = { sampler: "always_on" }), ['apps[0].tracing: Unrecognized key: "sampler"']],
      ["hostname", (a) => (a.hostname = "API.example.com"), ["apps[0].hostname: must be a DNS name such as api.example.com"]],
      ["unknown key", (a) => (a.replica = 3), ['apps[0]: Unrecognized key: "replica"']],
      ["SLO window of a week", (a) => (a.slos.window = "7d"), ['apps[0].slos.window: Invalid option: expected one of "28d"|"30d"']],
      [
        "SLO objective of 100 %",
        (a) => (a.slos.availability.objective = 100),
        ["apps[0].slos.availability.objective: must be a percentage above 0 and below 100, such as 99.9 (100 leaves no error budget)"],
      ],
      [
        "SLO objective as a ratio written as text",
        (a) => (a.slos.latency.objective = "99%"),
        ["apps[0].slos.latency.objective: must be a percentage above 0 and below 100, such as 99.9 (100 leaves no error budget)"],
      ],
      ["SLO latency threshold of zero", (a) => (a.slos.latency.thresholdSeconds = 0), ["apps[0].slos.latency.thresholdSeconds: must be a positive number of seconds"]],
      ["SLOs without an objective", (a) => (a.slos = { window: "30d" }), ["apps[0].slos: declares no objective: set availability, latency or both"]],
      ["misspelt SLO key", (a) => (a.slos.availabilty = a.slos.availability), ['apps[0].slos: Unrecognized key: "availabilty"']],
    ];
    for (const [what, change, expected] of cases) {
      it(what, () => {
        expect(problemsOf([rawApp(change)])).to.deep.equal(expected);
      });
    }

    it("duplicate app names: the second one, by index", () => {
      expect(problemsOf([rawApp(), rawApp((a) => ((a.namespace = "backups"), delete a.hostname))])).to.deep.equal(['apps[1].name: duplicate app "api"']);
    });

    it("reports a duplicate together with the other problems", () => {
      expect(problemsOf([rawApp((a) => (a.port = 0)), rawApp((a) => delete a.hostname)])).to.deep.equal(["apps[0].port: Too small: expected number to be >=1", 'apps[1].name: duplicate app "api"']);
    });
  });

  describe("checks against the rest of the stack", () => {
    const stack = { environment: "production" as const, domain: "platform.example.com", namespaces: [{ name: "monitoring" }, { name: "apps" }] };

    it("accepts the proposed production app", () => {
      expect(appsProblems(stackApps("production"), stack)).to.deep.equal([]);
    });

    it("an unconfigured namespace, a hostname outside the domain, one replica in production", () => {
      const apps = AppsSchema.parse([
        rawApp((a) => {
          a.namespace = "shop";
          a.hostname = "api.example.org";
          a.replicas = 1;
        }),
      ]);
      expect(appsProblems(apps, stack)).to.deep.equal([
        { path: "apps[0].namespace", reason: '"shop" is not one of the configured namespaces (monitoring, apps)' },
        { path: "apps[0].hostname", reason: '"api.example.org" is not under the stack\'s domain platform.example.com' },
        { path: "apps[0].replicas", reason: "production runs at least 2 for high availability (got 1)" },
      ]);
    });

    it("staging may run one replica", () => {
      expect(appsProblems(stackApps("staging"), { ...stack, environment: "staging", domain: "staging.platform.example.com" })).to.deep.equal([]);
    });
  });
});
