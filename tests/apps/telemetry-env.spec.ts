import { expect } from "chai";
import { resolveAppSpec, samplerArgument, telemetryEnvironment } from "../../components/apps";
import { StackPlan, STACKS } from "../harness";
import { stackApp, stackTelemetry } from "./fixtures/apps-config";
import { planApp } from "./fixtures/plan-app";

const envOf = (stack: (typeof STACKS)[number], change: (a: Record<string, any>) => void = () => {}) => {
  const spec = resolveAppSpec(stackApp(stack, change), stack, "monitoring", stackTelemetry(stack));
  return telemetryEnvironment(spec, spec.colors.blue);
};

describe("apps: OpenTelemetry and LOG_LEVEL from the stack file", () => {
  for (const stack of STACKS) {
    const percent = stack === "production" ? 10 : 50;
    const level = stack === "production" ? "INFO" : "DEBUG";

    it(`${stack}: the stack's logLevel ${level} and ${percent} % parent-based sampling, exported over OTLP/HTTP to Alloy`, () => {
      expect(envOf(stack)).to.deep.equal({
        LOG_LEVEL: level,
        OTEL_SERVICE_NAME: "api",
        OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${stack},deployment.color=blue,service.version=1.4.2,k8s.namespace.name=apps,k8s.deployment.name=api-blue`,
        OTEL_METRICS_EXPORTER: "none",
        OTEL_LOGS_EXPORTER: "none",
        OTEL_TRACES_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://alloy.node-agents.svc.cluster.local:4318",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: String(percent / 100),
      });
    });

    it(`${stack}: an app's own logLevel and samplingPercent win over the stack's`, () => {
      const env = envOf(stack, (a) => Object.assign(a, { logLevel: "ERROR", tracing: { samplingPercent: 100 } }));
      expect(env.LOG_LEVEL).to.equal("ERROR");
      expect(env.OTEL_TRACES_SAMPLER_ARG).to.equal("1");
    });

    it(`${stack}: an app that opts out exports nothing but keeps its name, attributes and log level`, () => {
      const env = envOf(stack, (a) => (a.tracing = { enabled: false }));
      expect(Object.keys(env).sort()).to.deep.equal([
        "LOG_LEVEL",
        "OTEL_LOGS_EXPORTER",
        "OTEL_METRICS_EXPORTER",
        "OTEL_RESOURCE_ATTRIBUTES",
        "OTEL_SERVICE_NAME",
        "OTEL_TRACES_EXPORTER",
      ]);
      expect(env.OTEL_TRACES_EXPORTER).to.equal("none");
      expect(env.LOG_LEVEL).to.equal(level);
    });
  }

  it("metrics and logs never go over OTLP: Prometheus scrapes /metrics, Alloy reads stdout", () => {
    for (const tracing of [{}, { enabled: false }]) {
      const env = envOf("production", (a) => (a.tracing = tracing));
      expect([env.OTEL_METRICS_EXPORTER, env.OTEL_LOGS_EXPORTER]).to.deep.equal(["none", "none"]);
    }
  });

  it("gRPC SDKs get Alloy's gRPC port", () => {
    const env = envOf("production", (a) => (a.tracing = { protocol: "grpc" }));
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).to.equal("http://alloy.node-agents.svc.cluster.local:4317");
    expect(env.OTEL_EXPORTER_OTLP_PROTOCOL).to.equal("grpc");
  });

  it("the sampler argument is the plain decimal ratio the SDKs parse", () => {
    expect([0, 1, 7, 10, 29, 50, 100].map(samplerArgument)).to.deep.equal(["0", "0.01", "0.07", "0.1", "0.29", "0.5", "1"]);
  });

  it("each colour reports its own version and colour; the Deployments still do not change on promotion", async () => {
    const p = new StackPlan(await planApp("production", stackApp("production")));
    const attributes = (color: string) =>
      p.object("Deployment", `api-${color}`).spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "OTEL_RESOURCE_ATTRIBUTES").value;
    expect(attributes("blue")).to.contain("deployment.color=blue,service.version=1.4.2");
    expect(attributes("green")).to.contain("deployment.color=green,service.version=1.5.0");
    const promoted = new StackPlan(await planApp("production", stackApp("production", (a) => (a.activeColor = "green"))));
    for (const color of ["blue", "green"]) {
      expect(promoted.object("Deployment", `api-${color}`).spec.template.spec.containers[0].env, color).to.deep.equal(
        p.object("Deployment", `api-${color}`).spec.template.spec.containers[0].env,
      );
    }
  });
});
