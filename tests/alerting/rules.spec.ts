import { parser } from "@prometheus-io/lezer-promql";
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  AlertRules,
  type AlertingRule,
  HTTP_RECORDS,
  isAlertingRule,
  platformRuleGroups,
  prometheusRuleManifests,
  RUNBOOK_BASE_URL,
  type RuleGroup,
} from "../../components/alerting/rules";
import { knownSeriesNames } from "../../components/metrics";
import { settle, useMockStack } from "../../plan/mocks";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { type AlertThresholds, AlertThresholdsSchema } from "../../stacks/alert-thresholds-schema";
import { durationSeconds } from "../../stacks/formats";
import { STACKS } from "../harness";
import { RULES_CONTEXT, stackThresholds } from "./fixtures/thresholds";

const ALERTS = [
  "HttpHighErrorRate", "HttpSlowResponses", "HttpHighRequestRate",
  "AuthHighFailureRate", "AuthBruteForceSuspected", "AuthSlowLogins",
  "RateLimitExceededHigh",
  "DatabaseConnectionPoolExhausted", "DatabaseSlowQueries", "DatabaseHighErrorRate",
  "PipelineHighFailureRate", "PipelineLongRunning",
  "ConnectorHighFailureRate", "ConnectorSlowResponses",
  "TransformationHighFailureRate", "TransformationSlow",
  "FileUploadHighFailureRate", "FileProcessingSlow",
  "WebSocketHighErrorRate",
  "CacheLowHitRate",
  "NodeHighCPUUsage", "NodeHighCPUUsage", "NodeHighMemoryUsage", "NodeHighMemoryUsage", "NodeHighDiskUsage", "NodeHighDiskUsage",
  "PodCrashLooping", "DeploymentReplicasMismatch", "ContainerOOMKilled", "ContainerMemoryNearLimit", "ContainerCPUThrottlingHigh",
  "ServiceDown", "EndpointDown", "TLSCertificateExpiringSoon", "TLSCertificateExpiringSoon",
  "PrometheusScrapeFailures", "PrometheusRuleEvaluationSlow", "PrometheusSampleLimitExceeded", "PrometheusRuleEvaluationFailures",
  "BackupTooOld", "BackupFailed", "BackupJobFailed", "BackupMetricsAbsent", "RestoreDrillFailed", "RestoreDrillTooOld", "RestoreSlowerThanObjective",
  "BlueGreenPreviewUnhealthy", "BlueGreenPreviewErrorRatioHigh",
];

const TEAMS = ["application", "security", "database", "data-engineering", "infrastructure"];

function alertsOf(groups: readonly RuleGroup[]): AlertingRule[] {
  return groups.flatMap((g) => g.rules.filter(isAlertingRule));
}

/** The one rule named `name` (and of `severity`, for the alerts with a warning and a critical rule). */
function alert(groups: readonly RuleGroup[], name: string, severity?: string): AlertingRule {
  const found = alertsOf(groups).filter((r) => r.alert === name && (severity === undefined || r.labels.severity === severity));
  expect(found, `${name} ${severity ?? ""}`).to.have.lengthOf(1);
  return found[0];
}

/** Syntax errors and the metric names of every vector selector, as lezer-promql parses the expression. */
function parsePromql(expr: string): { errors: number[]; selectors: string[] } {
  const errors: number[] = [];
  const selectors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from);
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") selectors.push(expr.slice(node.from, node.to));
    },
  });
  return { errors, selectors };
}

/** GitHub's anchor for a markdown heading: lower case, punctuation dropped, spaces to dashes. */
function githubAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

describe("alert rules", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      const groups = platformRuleGroups(stackThresholds(stack), RULES_CONTEXT);

      it("defines the 48 platform alerting rules, one group per concern, after the 6 HTTP recording rules", () => {
        expect(alertsOf(groups).map((r) => r.alert)).to.deep.equal(ALERTS);
        expect(alertsOf(groups)).to.have.length.of.at.least(40);
        expect(groups.map((g) => g.name)).to.deep.equal([
          "platform-http-recording", "platform-http", "platform-auth", "platform-rate-limiting", "platform-database",
          "platform-pipelines", "platform-connectors", "platform-transformations", "platform-file-uploads", "platform-websockets",
          "platform-cache", "platform-nodes", "platform-workloads", "platform-availability", "platform-prometheus",
          "platform-backups", "platform-blue-green",
        ]);
        expect(groups[0].rules.map((r) => ("record" in r ? r.record : r.alert))).to.deep.equal(Object.values(HTTP_RECORDS));
        expect(groups.slice(1).every((g) => g.rules.every(isAlertingRule)), "recording rules live in their own group").to.equal(true);
        // A name used twice is one alert at two levels: exactly a warning and a critical rule, sharing `for`.
        for (const name of new Set(ALERTS.filter((a, i) => ALERTS.indexOf(a) !== i))) {
          const pair = alertsOf(groups).filter((r) => r.alert === name);
          expect(pair.map((r) => r.labels.severity), name).to.deep.equal(["warning", "critical"]);
          expect(pair[0].for, name).to.equal(pair[1].for);
          expect(pair[0].annotations.runbook_url, name).to.equal(pair[1].annotations.runbook_url);
        }
      });

      it("labels every alert with severity, team and component, and annotates it with summary, description and runbook_url", () => {
        for (const rule of alertsOf(groups)) {
          expect(Object.keys(rule.labels).sort(), rule.alert).to.deep.equal(["component", "severity", "team"]);
          expect(["critical", "warning", "info"], rule.alert).to.include(rule.labels.severity);
          expect(TEAMS, rule.alert).to.include(rule.labels.team);
          expect(rule.labels.component, rule.alert).to.match(/^[a-z][a-z-]*$/);
          expect(Object.keys(rule.annotations).sort(), rule.alert).to.deep.equal(["description", "runbook_url", "summary"]);
          expect(rule.annotations.summary, rule.alert).to.match(/^[A-Z][^{}]*\.$/);
          expect(rule.annotations.description, rule.alert).to.match(/\.$/);
          // An absent() alert has no series, hence no labels to name.
          const where = rule.expr.startsWith("absent(") ? /^Prometheus has had no / : /\{\{ (if )?\$labels\.\w+ \}\}/;
          expect(rule.annotations.description, `${rule.alert} says where it fires`).to.match(where);
          expect(rule.annotations.runbook_url, rule.alert).to.equal(`${RUNBOOK_BASE_URL}/${rule.annotations.runbook_url.split("/").pop()}`);
          expect(durationSeconds(rule.for), `${rule.alert} for`).to.be.greaterThan(0);
        }
      });

      it("every expression parses with lezer-promql and selects only catalog, exporter or recorded series", () => {
        const recorded = new Set(groups.flatMap((g) => g.rules).flatMap((r) => ("record" in r ? [r.record] : [])));
        const known = knownSeriesNames();
        for (const rule of groups.flatMap((g) => g.rules)) {
          const name = "alert" in rule ? rule.alert : rule.record;
          const { errors, selectors } = parsePromql(rule.expr);
          expect(errors, `${name}: syntax errors at ${errors.join(", ")} in ${rule.expr}`).to.deep.equal([]);
          expect(selectors, `${name} selects no series`).to.not.deep.equal([]);
          for (const selector of selectors) expect(known.has(selector) || recorded.has(selector), `${name} selects ${selector}, which no catalog lists`).to.equal(true);
        }
      });

      it("the HTTP alerts read the recorded aggregates, not the raw histogram and counters", () => {
        expect(parsePromql(alert(groups, "HttpHighErrorRate").expr).selectors).to.deep.equal([HTTP_RECORDS.errorRatio]);
        expect(parsePromql(alert(groups, "HttpSlowResponses").expr).selectors).to.deep.equal([HTTP_RECORDS.latencyP95]);
        expect(parsePromql(alert(groups, "HttpHighRequestRate").expr).selectors).to.deep.equal([HTTP_RECORDS.requestRate]);
      });

      it("links every alert to an existing `## <alert>` section of its runbook", () => {
        for (const rule of alertsOf(groups)) {
          const [file, anchor] = rule.annotations.runbook_url.slice(RUNBOOK_BASE_URL.length + 1).split("#");
          const runbook = path.join(REPOSITORY_ROOT, "components", "alerting", "runbooks", file);
          expect(fs.existsSync(runbook), `${rule.alert}: ${file} does not exist`).to.equal(true);
          const anchors = fs
            .readFileSync(runbook, "utf8")
            .split("\n")
            .filter((line) => line.startsWith("## "))
            .map((line) => githubAnchor(line.slice(3)));
          expect(anchors, `${rule.alert}: no section #${anchor} in ${file}`).to.include(anchor);
          expect(anchor, rule.alert).to.equal(rule.alert.toLowerCase());
        }
      });
    });
  }

  describe("thresholds feed both the expression and the description", () => {
    // [alert, expression ends with, for, description contains, severity, team]: production keeps the seed's values.
    const production: [string, string, string, string, string, string][] = [
      ["HttpHighErrorRate", "> 0.05", "5m", "above 5% for 5m", "critical", "application"],
      ["HttpSlowResponses", "> 2", "5m", "above 2s for 5m", "warning", "application"],
      ["HttpHighRequestRate", "> 1000", "5m", "above 1000/s for 5m", "warning", "application"],
      ["AuthHighFailureRate", "> 0.5", "5m", "above 50% for 5m", "warning", "security"],
      ["AuthBruteForceSuspected", "> 10", "2m", "above 10/s for 2m", "critical", "security"],
      ["DatabaseConnectionPoolExhausted", "> 0.9", "5m", "above 90% for 5m", "critical", "database"],
      ["DatabaseSlowQueries", "> 1", "5m", "above 1s for 5m", "warning", "database"],
      ["DatabaseHighErrorRate", "> 0.05", "5m", "above 5% for 5m", "critical", "database"],
      ["PipelineHighFailureRate", "> 0.2", "10m", "above 20% for 10m", "warning", "data-engineering"],
      ["PipelineLongRunning", "> 3600", "10m", "above 1h for 10m", "warning", "data-engineering"],
      ["ConnectorHighFailureRate", "> 0.2", "10m", "above 20% for 10m", "warning", "data-engineering"],
      ["ConnectorSlowResponses", "> 30", "10m", "above 30s for 10m", "warning", "data-engineering"],
      ["NodeHighCPUUsage", "> 0.8", "10m", "above 80% for 10m", "warning", "infrastructure"],
      ["NodeHighCPUUsage", "> 0.95", "10m", "above 95% for 10m", "critical", "infrastructure"],
      ["NodeHighMemoryUsage", "> 0.8", "5m", "above 80% for 5m", "warning", "infrastructure"],
      ["NodeHighMemoryUsage", "> 0.95", "5m", "above 95% for 5m", "critical", "infrastructure"],
      ["NodeHighDiskUsage", "> 0.8", "5m", "above 80% for 5m", "warning", "infrastructure"],
      ["NodeHighDiskUsage", "> 0.9", "5m", "above 90% for 5m", "critical", "infrastructure"],
      ["CacheLowHitRate", "< 0.5", "10m", "below 50% for 10m", "warning", "application"],
      ["RateLimitExceededHigh", "> 10", "5m", "above 10/s for 5m", "warning", "security"],
      ["WebSocketHighErrorRate", "> 5", "5m", "above 5/s for 5m", "warning", "application"],
      ["ServiceDown", "== 0", "1m", "for 1m", "critical", "application"],
      ["EndpointDown", "== 0", "1m", "for 1m", "critical", "application"],
      ["TLSCertificateExpiringSoon", "< 2592000", "15m", "less than 30d", "warning", "infrastructure"],
      ["TLSCertificateExpiringSoon", "< 604800", "15m", "less than 7d", "critical", "infrastructure"],
      ["BackupTooOld", "> 93600", "5m", "at least every 26h", "critical", "database"],
    ];
    const groups = platformRuleGroups(stackThresholds("production"), RULES_CONTEXT);
    for (const [name, tail, forWindow, text, severity, team] of production) {
      it(`production ${name} (${severity}): ${tail} for ${forWindow}, team ${team}`, () => {
        const rule = alert(groups, name, severity);
        expect(rule.expr.endsWith(tail), rule.expr).to.equal(true);
        expect(rule.for).to.equal(forWindow);
        expect(rule.annotations.description).to.contain(text);
        expect(rule.labels).to.include({ severity, team });
      });
    }

    it("staging's looser values reach the same rules", () => {
      const staging = platformRuleGroups(stackThresholds("staging"), RULES_CONTEXT);
      const rule = alert(staging, "HttpHighErrorRate");
      expect([rule.expr, rule.for]).to.deep.equal(["namespace_service:http_request_errors:ratio_rate5m > 0.1", "10m"]);
      expect(rule.annotations.description).to.contain("above 10% for 10m.");
      const drill = alert(staging, "RestoreDrillTooOld");
      expect(drill.expr.endsWith("> 1296000")).to.equal(true);
      expect(drill.annotations.description).to.contain("at least every 15d.");
    });

    it("scopes workload alerts to the application namespaces and backup alerts to the backup CronJobs", () => {
      const custom = platformRuleGroups(stackThresholds("production"), {
        appNamespaces: ["apps", "web.v2"],
        backupNamespace: "db-backups",
        backupCronJobPattern: "pg-dump-.+",
        recoveryTimeObjective: "90m",
      });
      expect(alert(custom, "PodCrashLooping").expr).to.contain(`namespace=~"apps|web\\.v2"`);
      expect(alert(custom, "ServiceDown").expr).to.contain(`namespace=~"apps|web\\.v2"`);
      expect(alert(custom, "BackupTooOld").expr).to.contain(`namespace="db-backups", cronjob=~"pg-dump-.+"`);
      expect(alert(custom, "BackupJobFailed").expr).to.contain(`job_name=~"(pg-dump-.+)-[0-9]+"`);
      // The recovery time objective feeds both the threshold and the sentence.
      expect(alert(custom, "RestoreSlowerThanObjective").expr).to.equal("max by (database) (pg_restore_drill_restore_duration_seconds) > 5400");
      expect(alert(custom, "RestoreSlowerThanObjective").annotations.description).to.contain("the recovery time objective is 90m.");
    });
  });

  describe("builder guard rails", () => {
    const production = stackThresholds("production");

    it("refuses a quantile threshold the histogram cannot measure", () => {
      const tooSlow: AlertThresholds = { ...production, http: { ...production.http, p95LatencySeconds: 10 } };
      expect(() => platformRuleGroups(tooSlow, RULES_CONTEXT)).to.throw(
        "alertThresholds.http.p95LatencySeconds (10) must be below the largest bucket of http_request_duration_seconds (10): a higher quantile is never measured, so the alert could not fire",
      );
      const tooLong: AlertThresholds = { ...production, pipelines: { ...production.pipelines, p95DurationSeconds: 86400 } };
      expect(() => platformRuleGroups(tooLong, RULES_CONTEXT)).to.throw(
        "alertThresholds.pipelines.p95DurationSeconds (86400) must be below the largest bucket of pipeline_execution_duration_seconds (28800)",
      );
    });

    it("refuses an empty list of application namespaces", () => {
      expect(() => platformRuleGroups(production, { ...RULES_CONTEXT, appNamespaces: [] })).to.throw(
        "appNamespaces must list at least one namespace: the application alerts would match nothing",
      );
    });
  });
});

describe("prometheusRuleManifests", () => {
  const groups = platformRuleGroups(stackThresholds("production"), RULES_CONTEXT);

  it("emits one PrometheusRule per group, labelled for the platform Prometheus' ruleSelector", () => {
    const manifests = prometheusRuleManifests(groups, "monitoring");
    expect(manifests.map((m) => m.metadata.name)).to.deep.equal(groups.map((g) => g.name));
    for (const [i, manifest] of manifests.entries()) {
      expect(manifest.apiVersion).to.equal("monitoring.coreos.com/v1");
      expect(manifest.kind).to.equal("PrometheusRule");
      expect(manifest.metadata.namespace).to.equal("monitoring");
      expect(manifest.metadata.labels).to.deep.equal({ release: "kube-prometheus-stack", "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "platform" });
      expect(manifest.spec.groups).to.deep.equal([groups[i]]);
    }
  });
});

describe("AlertRules component", () => {
  it("creates one PrometheusRule per group as children named after the group", async () => {
    useMockStack("production", {}, []);
    new AlertRules("alert-rules", { ...RULES_CONTEXT, namespace: "monitoring", thresholds: stackThresholds("production") });
    const resources = await settle();
    const component = resources.filter((r) => r.type === "platform:alerting:AlertRules");
    expect(component.map((r) => r.name)).to.deep.equal(["alert-rules"]);
    const rules = resources.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    const groups = platformRuleGroups(stackThresholds("production"), RULES_CONTEXT);
    // Registrations reach the engine in no fixed order.
    expect(rules.map((r) => r.name).sort()).to.deep.equal(groups.map((g) => `alert-rules-${g.name}`).sort());
    for (const rule of rules) {
      expect(rule.parent, rule.name).to.equal(component[0].urn);
      expect((rule.inputs.metadata as { namespace: string; labels: Record<string, string> }).namespace).to.equal("monitoring");
      expect((rule.inputs.metadata as { labels: Record<string, string> }).labels).to.include({ release: "kube-prometheus-stack" });
    }
    const http = rules.find((r) => r.name === "alert-rules-platform-http")!;
    expect((http.inputs.spec as { groups: RuleGroup[] }).groups).to.deep.equal([groups[1]]);
  });
});

describe("AlertThresholdsSchema", () => {
  const production = stackThresholds("production");

  function problems(edit: (t: any) => void): string[] {
    const candidate = structuredClone(production) as any;
    edit(candidate);
    const result = AlertThresholdsSchema.safeParse(candidate);
    if (result.success) throw new Error("expected the thresholds to be rejected");
    return result.error.issues.map((i) => `${i.path.join(".")}: ${i.code === "unrecognized_keys" ? `unknown key ${i.keys.join(", ")}` : i.message}`);
  }

  it("accepts both stacks' thresholds", () => {
    for (const stack of STACKS) expect(AlertThresholdsSchema.safeParse(stackThresholds(stack)).success, stack).to.equal(true);
  });

  const bad: [string, (t: any) => void, string[]][] = [
    ["a ratio above 1", (t) => (t.http.errorRatio = 1.5), ["http.errorRatio: must be a ratio between 0 and 1 (0.05 means 5 %)"]],
    ["a negative ratio", (t) => (t.cache.minHitRatio = -0.1), ["cache.minHitRatio: must be a ratio between 0 and 1 (0.05 means 5 %)"]],
    ["a percentage written as text", (t) => (t.database.errorRatio = "5%"), ["database.errorRatio: must be a number between 0 and 1 (0.05 means 5 %)"]],
    ["a `for` in words", (t) => (t.http.errorFor = "5 minutes"), ["http.errorFor: must be a Prometheus duration such as 30s, 5m, 12h or 30d"]],
    ["a zero `for`", (t) => (t.auth.bruteForceFor = "0s"), ["auth.bruteForceFor: must be a Prometheus duration such as 30s, 5m, 12h or 30d"]],
    ["a `for` given as a number", (t) => (t.backups.maxAge = 26), ["backups.maxAge: must be a Prometheus duration such as 30s, 5m, 12h or 30d"]],
    ["zero seconds", (t) => (t.http.p95LatencySeconds = 0), ["http.p95LatencySeconds: must be a positive number of seconds"]],
    ["a negative rate", (t) => (t.websockets.errorsPerSecond = -5), ["websockets.errorsPerSecond: must be a positive number of events per second"]],
    [
      "a warning level at its critical level",
      (t) => (t.nodes.diskWarningRatio = 0.9),
      ["nodes.diskWarningRatio: must be below diskCriticalRatio (0.9), or the warning never fires before the critical alert"],
    ],
    [
      "a critical certificate window longer than the warning one",
      (t) => (t.availability.certificateCritical = "45d"),
      ["availability.certificateCritical: must be shorter than certificateWarning (30d), or the warning never fires before the critical alert"],
    ],
    ["a misspelt key", (t) => (t.http.errorRate = 0.05), ["http: unknown key errorRate"]],
    ["several problems at once", (t) => ((t.http.errorRatio = 2), (t.http.errorFor = "soon")), [
      "http.errorRatio: must be a ratio between 0 and 1 (0.05 means 5 %)",
      "http.errorFor: must be a Prometheus duration such as 30s, 5m, 12h or 30d",
    ]],
  ];
  for (const [what, edit, expected] of bad) {
    it(`rejects ${what}`, () => {
      expect(problems(edit)).to.deep.equal(expected);
    });
  }
});
