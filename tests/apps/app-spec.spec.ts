import { expect } from "chai";
import { DEFAULT_SCALE_DOWN_DELAY_SECONDS, gateChecks, gateDeadlineSeconds, resolveAppSpec } from "../../components/apps";
import { stackApp, stackTelemetry } from "./fixtures/apps-config";

const hpa = { min: 2, max: 6, targetCpuPercent: 70 };

describe("resolveAppSpec: the environment-dependent defaults", () => {
  const cases: [string, "staging" | "production", (a: Record<string, any>) => void, { previewReplicas: number; delayJob: boolean; idleReplicas: number | undefined }][] = [
    ["production keeps the idle colour at replicas", "production", () => {}, { previewReplicas: 3, delayJob: false, idleReplicas: 3 }],
    ["production honours an explicit previewReplicas", "production", (a) => (a.previewReplicas = 1), { previewReplicas: 1, delayJob: true, idleReplicas: 1 }],
    ["staging scales the idle colour to zero", "staging", () => {}, { previewReplicas: 0, delayJob: true, idleReplicas: 0 }],
    ["staging keeps one idle replica with an HPA (it cannot scale to zero)", "staging", (a) => {
      a.replicas = 2;
      a.hpa = hpa;
    }, { previewReplicas: 1, delayJob: true, idleReplicas: undefined }],
    ["production with an HPA: idle pinned to replicas, shrinking from up to hpa.max", "production", (a) => (a.hpa = { ...hpa, min: 3 }), { previewReplicas: 3, delayJob: true, idleReplicas: undefined }],
    ["staging without delay: the idle colour still shrinks, with no delay Job", "staging", (a) => (a.scaleDownDelaySeconds = 0), { previewReplicas: 0, delayJob: false, idleReplicas: 0 }],
  ];
  for (const [what, environment, change, want] of cases) {
    it(what, () => {
      const spec = resolveAppSpec(stackApp(environment, change), environment, "monitoring", stackTelemetry(environment));
      expect(spec.previewReplicas).to.equal(want.previewReplicas);
      expect(spec.scaleDownDelayJob).to.equal(want.delayJob);
      expect(spec.colors[spec.idleColor].replicas).to.equal(want.idleReplicas);
      expect(spec.colors[spec.idleColor].role).to.equal("idle");
      expect(spec.colors[spec.activeColor].shrinksAfterSwitch, "the active colour never waits for the switch").to.equal(false);
    });
  }

  it("scaleDownDelaySeconds defaults to Argo Rollouts' 30", () => {
    expect(DEFAULT_SCALE_DOWN_DELAY_SECONDS).to.equal(30);
    expect(resolveAppSpec(stackApp("staging"), "staging", "monitoring", stackTelemetry("staging")).scaleDownDelaySeconds).to.equal(30);
    expect(resolveAppSpec(stackApp("staging", (a) => (a.scaleDownDelaySeconds = 90)), "staging", "monitoring", stackTelemetry("staging")).scaleDownDelaySeconds).to.equal(90);
  });

  it("with hpa the active colour's HPA spans hpa.min..max and the idle one is pinned", () => {
    const spec = resolveAppSpec(stackApp("production", (a) => (a.hpa = { ...hpa, min: 3 })), "production", "monitoring", stackTelemetry("production"));
    expect(spec.colors.blue.autoscaling).to.deep.equal({ min: 3, max: 6, targetCpuPercent: 70 });
    expect(spec.colors.green.autoscaling).to.deep.equal({ min: 3, max: 3, targetCpuPercent: 70 });
  });

  it("version: the tag, or the digest's first 12 hex digits", () => {
    const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
    const spec = resolveAppSpec(stackApp("staging", (a) => (a.images.blue = `ghcr.io/example/api@${digest}`)), "staging", "monitoring", stackTelemetry("staging"));
    expect(spec.colors.blue.version).to.equal("sha256-0123456789ab");
    expect(spec.colors.green.version).to.equal("1.5.0");
  });
});

describe("gate inputs", () => {
  it("checks the health endpoints first, then the configured paths, one per line", () => {
    const spec = resolveAppSpec(
      stackApp("production", (a) => {
        a.health = { liveness: "/livez", readiness: "/readyz" };
        a.gate.paths.push({ path: "/api/v1/items?limit=1", expectedStatus: 200 });
      }),
      "production",
      "monitoring",
      stackTelemetry("production"),
    );
    expect(gateChecks(spec)).to.equal('/livez 200\n/readyz 200\n/api/v1/status 200 "status":"ok"\n/api/v1/items?limit=1 200');
  });

  it("bounds the Job by every request timing out, the metrics wait, one more query and pause, and pod start", () => {
    // 3 checks x 5 s + 120 s wait + 5 s last query + 10 s pause + 120 s to schedule and pull.
    expect(gateDeadlineSeconds(resolveAppSpec(stackApp("production"), "production", "monitoring", stackTelemetry("production")))).to.equal(270);
    const slow = stackApp("production", (a) => (a.gate = { ...a.gate, timeoutSeconds: 10, metricsWaitSeconds: 300 }));
    expect(gateDeadlineSeconds(resolveAppSpec(slow, "production", "monitoring", stackTelemetry("production")))).to.equal(3 * 10 + 300 + 10 + 10 + 120);
  });
});
