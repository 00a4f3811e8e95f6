import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { toYaml } from "../../components/core/yaml";
import { errorRatioQuery, resolveAppSpec } from "../../components/apps";
import { stackApp, stackTelemetry } from "./fixtures/apps-config";
import { resolvePromtool } from "../promtool";

const spec = resolveAppSpec(stackApp("production"), "production", "monitoring", stackTelemetry("production"));

/** A request counter series as the ServiceMonitor labels it. */
function series(labels: { namespace?: string; service?: string; color: string; status: string }, values: string) {
  const l = { namespace: "apps", service: "api", role: labels.color === "blue" ? "active" : "preview", pod: `api-${labels.color}-1`, ...labels };
  const text = Object.entries(l)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
  return { series: `http_requests_total{${text}}`, values };
}

/**
 * Evaluates the gate's query with promtool's rule-test engine (the real PromQL evaluator) on series
 * shaped like the ones the ServiceMonitor produces: the ratio must count one colour of one app only.
 */
function evaluate(inputSeries: ReturnType<typeof series>[], cases: { color: "blue" | "green"; samples: { labels: string; value: number }[] }[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-gate-query-"));
  try {
    fs.writeFileSync(path.join(dir, "rules.yaml"), toYaml({ groups: [] }));
    const test = {
      rule_files: ["rules.yaml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: inputSeries,
          promql_expr_test: cases.map((c) => ({ expr: errorRatioQuery(spec, c.color), eval_time: "10m", exp_samples: c.samples })),
        },
      ],
    };
    fs.writeFileSync(path.join(dir, "test.yaml"), toYaml(test));
    return spawnSync(resolvePromtool().path, ["test", "rules", "test.yaml"], { cwd: dir, encoding: "utf8" });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("the gate's error-ratio query, evaluated by promtool", () => {
  it("is the 5xx share of one colour of one app in one namespace", () => {
    const result = evaluate(
      [
        series({ color: "green", status: "200" }, "0+95x10"),
        series({ color: "green", status: "503" }, "0+5x10"),
        series({ color: "blue", status: "200" }, "0+50x10"),
        series({ color: "blue", status: "500" }, "0+50x10"),
        // Another app, and the same app name in another namespace: never counted.
        series({ service: "web", color: "green", status: "500" }, "0+100x10"),
        series({ namespace: "shop", color: "green", status: "500" }, "0+100x10"),
      ],
      [
        { color: "green", samples: [{ labels: "{}", value: 0.05 }] },
        { color: "blue", samples: [{ labels: "{}", value: 0.5 }] },
      ],
    );
    expect(result.stdout + result.stderr).to.include("SUCCESS");
    expect(result.status).to.equal(0);
  });

  it("is 0, not empty, for a colour that never answered with a 5xx (no error series exists yet)", () => {
    const result = evaluate([series({ color: "green", status: "200" }, "0+60x10")], [{ color: "green", samples: [{ labels: "{}", value: 0 }] }]);
    expect(result.stdout + result.stderr).to.include("SUCCESS");
    expect(result.status).to.equal(0);
  });

  it("is empty for a colour Prometheus has no requests of, which the gate treats as no data", () => {
    const result = evaluate([series({ color: "blue", status: "200" }, "0+60x10")], [{ color: "green", samples: [] }]);
    expect(result.stdout + result.stderr).to.include("SUCCESS");
    expect(result.status).to.equal(0);
  });

  it("can fail: a wrong expectation is reported", () => {
    const result = evaluate([series({ color: "green", status: "200" }, "0+60x10")], [{ color: "green", samples: [{ labels: "{}", value: 0.5 }] }]);
    expect(result.status).to.equal(1);
    expect(result.stdout + result.stderr).to.include("FAILED");
  });
});
