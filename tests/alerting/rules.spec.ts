import { parser } from "@prometheus-io/lezer-promql";
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  AlertRules,
  type AlertingRule,
  type AlertRulesContext,
  ERROR_BUDGET_BURN_ALERT,
  HTTP_RECORDS,
  isAlertingRule,
  platformAlerts,
  platformRuleGroups,
  prometheusRuleManifests,
  type RuleGroup,
  SLO_RECORDS,
} from "../../components/alerting/rules";
import { TARGETS_MISSING } from "../../components/alerting/rules/prometheus";
import { symptomOwners } from "../../components/alerting/symptoms";
import { knownSeriesNames } from "../../components/metrics";
import { EXPORTER_JOBS } from "../../components/metrics/exporter-metrics";
import { settle, useMockStack } from "../../plan/mocks";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { type AlertThresholds, AlertThresholdsSchema } from "../../stacks/alert-thresholds-schema";
import { durationSeconds } from "../../stacks/formats";
import { committedSettings, planStack, STACKS } from "../harness";
import { rulesContext, stackThresholds } from "./fixtures/thresholds";

const ALERTS = [
  "HttpHighErrorRate", "HttpHighErrorRateLowTraffic", "HttpSlowResponses", "HttpHighRequestRate",
  "AuthHighFailureRate", "AuthBruteForceSuspected", "AuthSlowLogins",
  "RateLimitExceededHigh",
  "DatabaseConnectionPoolExhausted", "DatabaseSlowQueries", "DatabaseHighErrorRate", "DatabaseHighErrorRateLowTraffic",
  "PipelineHighFailureRate", "PipelineLongRunning",
  "ConnectorHighFailureRate", "ConnectorSlowResponses",
  "TransformationHighFailureRate", "TransformationSlow",
  "FileUploadHighFailureRate", "FileProcessingSlow",
  "WebSocketHighErrorRate",
  "CacheLowHitRate",
  // Node CPU is a cause: a warning only.
  "NodeHighCPUUsage", "NodeHighMemoryUsage", "NodeHighMemoryUsage", "NodeHighDiskUsage", "NodeHighDiskUsage",
  // Owned in every namespace: one rule for the application namespaces, one for the others.
  "PodCrashLooping", "PodCrashLooping", "DeploymentReplicasMismatch", "DeploymentReplicasMismatch",
  "HorizontalPodAutoscalerCannotScale", "HorizontalPodAutoscalerCannotScale", "JobFailed", "JobFailed",
  "ContainerOOMKilled", "ContainerMemoryNearLimit", "ContainerCPUThrottlingHigh", "ContainerCPUThrottlingHigh",
  "ServiceDown", "ServiceAvailabilityLow",
  // Probes live in the namespace of what they probe: one rule for the application namespaces, one for the others.
  "EndpointDown", "EndpointDown", "EndpointAvailabilityLow", "EndpointAvailabilityLow", "TLSCertificateExpiringSoon", "TLSCertificateExpiringSoon",
  // Every target of a job gone: a page for the jobs that feed pages, a ticket for the others.
  "Watchdog", "PrometheusScrapeFailures", "ScrapeTargetsMissing", "ScrapeTargetsMissing", "PrometheusRuleEvaluationSlow", "PrometheusRuleEvaluationFailures",
  "BackupTooOld", "BackupNotStarted", "BackupFailed", "BackupJobFailed", "BackupMetricsAbsent", "RestoreDrillFailed", "RestoreDrillJobFailed", "RestoreDrillNotStarted", "RestoreDrillTooOld", "RestoreSlowerThanObjective",
  "BlueGreenPreviewUnhealthy", "BlueGreenPreviewErrorRatioHigh",
  "TraceSpansRefused", "TraceSpansDropped", "TraceStoreSpansRefused", "TraceStoreFlushesFailing",
  "LogEntriesDropped",
  "ExternalSecretNotSynced", "ClusterSecretStoreNotReady", "CertificateNotReady", "ClusterIssuerNotReady", "ExternalDNSSyncStale",
  "EnvoyGatewayConfigRejected", "EnvoyGatewayTranslationFailing", "EnvoyGatewayStatusUpdatesFailing",
  // The committed stacks' api declares an availability and a latency SLO: a page and a ticket rule each.
  "ErrorBudgetBurn", "ErrorBudgetBurn", "ErrorBudgetBurn", "ErrorBudgetBurn",
];

const TEAMS = ["application", "security", "database", "data-engineering", "infrastructure"];

function alertsOf(groups: readonly RuleGroup[]): AlertingRule[] {
  return groups.flatMap((g) => g.rules.filter(isAlertingRule));
}

/**
 * The one rule named `name`, of `severity` for the alerts with a warning and a critical rule, and of `team`
 * for those with a rule for the application namespaces and one for the others.
 */
function alert(groups: readonly RuleGroup[], name: string, severity?: string, team?: string): AlertingRule {
  const found = alertsOf(groups).filter((r) => r.alert === name && (severity === undefined || r.labels.severity === severity) && (team === undefined || r.labels.team === team));
  expect(found, `${name} ${severity ?? ""} ${team ?? ""}`).to.have.lengthOf(1);
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

/** The anchors of a runbook's `## ` sections. */
function runbookAnchors(file: string): string[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("## "))
    .map((line) => githubAnchor(line.slice(3)));
}

describe("alert rules", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      const context = rulesContext(stack);
      const groups = platformRuleGroups(stackThresholds(stack), context);

      it("defines the 82 platform alerting rules, one group per concern and per app with SLOs, after the 6 HTTP recording rules", () => {
        expect(alertsOf(groups).map((r) => r.alert)).to.deep.equal(ALERTS);
        expect(groups.map((g) => g.name)).to.deep.equal([
          "platform-http-recording", "platform-http", "platform-auth", "platform-rate-limiting", "platform-database",
          "platform-pipelines", "platform-connectors", "platform-transformations", "platform-file-uploads", "platform-websockets",
          "platform-cache", "platform-nodes", "platform-workloads", "platform-availability", "platform-prometheus",
          "platform-backups", "platform-blue-green", "platform-tracing", "platform-logs", "platform-controllers", "platform-slo-api",
        ]);
        expect(groups[0].rules.map((r) => ("record" in r ? r.record : r.alert))).to.deep.equal(Object.values(HTTP_RECORDS));
        expect(groups.slice(1, -1).every((g) => g.rules.every(isAlertingRule)), "recording rules live in their own group, or with their SLO's alerts").to.equal(true);
        // A name used twice is one alert at two levels: a warning and a critical rule of the same thing (SLO);
        // or one alert owned in every namespace: a rule for the application namespaces' team and one for the
        // others', of one severity, whose namespace matchers are complements.
        for (const name of new Set(ALERTS.filter((a, i) => ALERTS.indexOf(a) !== i))) {
          const rules = alertsOf(groups).filter((r) => r.alert === name);
          const teams = rules.map((r) => r.labels.team);
          if (new Set(teams).size > 1) {
            expect(teams, name).to.deep.equal(["application", "infrastructure"]);
            expect(rules[1].labels.severity, name).to.equal(rules[0].labels.severity);
            const apps = `namespace=~"${context.appNamespaces.join("|")}"`;
            expect(rules[0].expr.replaceAll(apps, `namespace!~"${context.appNamespaces.join("|")}"`), name).to.equal(rules[1].expr);
            continue;
          }
          for (const slo of new Set(rules.map((r) => r.labels.slo))) {
            const pair = rules.filter((r) => r.labels.slo === slo);
            expect(pair.map((r) => r.labels.severity).sort(), name).to.deep.equal(["critical", "warning"]);
            expect(pair[0].annotations.runbook_url, name).to.equal(pair[1].annotations.runbook_url);
            if (name !== ERROR_BUDGET_BURN_ALERT) expect(pair[0].for, `${name}: both levels share the for window`).to.equal(pair[1].for);
          }
        }
      });

      it("labels every alert with severity, team and component, and annotates it with summary, description and runbook_url", () => {
        for (const rule of alertsOf(groups)) {
          const slo = rule.alert === ERROR_BUDGET_BURN_ALERT ? ["service", "slo"] : [];
          expect(Object.keys(rule.labels).sort(), rule.alert).to.deep.equal(["component", "severity", "team", ...slo].sort());
          // Only the Watchdog is about nothing being wrong.
          expect(rule.alert === "Watchdog" ? ["none"] : ["critical", "warning", "info"], rule.alert).to.include(rule.labels.severity);
          expect(TEAMS, rule.alert).to.include(rule.labels.team);
          expect(rule.labels.component, rule.alert).to.match(/^[a-z][a-z-]*$/);
          expect(Object.keys(rule.annotations).sort(), rule.alert).to.deep.equal(["description", "runbook_url", "summary"]);
          expect(rule.annotations.summary, rule.alert).to.match(/^[A-Z][^{}]*\.$/);
          expect(rule.annotations.description, rule.alert).to.match(/\.$/);
          // Only an alert about nothing in particular (Watchdog) has no label to name.
          if (rule.alert !== "Watchdog") expect(rule.annotations.description, `${rule.alert} says where it fires`).to.match(/\{\{ (if )?\$labels\.\w+ \}\}/);
          // Only the Watchdog fires from its first evaluation.
          if (rule.alert === "Watchdog") expect(rule.for).to.equal("0s");
          else expect(durationSeconds(rule.for), `${rule.alert} for`).to.be.greaterThan(0);
        }
      });

      it("every alert names the labels that identify what fails, and its description uses only those", () => {
        for (const alert of platformAlerts(stackThresholds(stack), context)) {
          expect(alert.identity.length > 0 || alert.alert === "Watchdog", `${alert.alert} identifies nothing`).to.equal(true);
          for (const label of alert.annotations.description.match(/\$labels\.(\w+)/g) ?? []) {
            expect(alert.identity, `${alert.alert} describes ${label}, which it does not carry`).to.include(label.slice("$labels.".length));
          }
        }
      });

      it("every expression parses with lezer-promql and selects only catalog, exporter or recorded series, or the ALERTS of an alert before it in its group", () => {
        const recorded = new Set(groups.flatMap((g) => g.rules).flatMap((r) => ("record" in r ? [r.record] : [])));
        const known = knownSeriesNames();
        for (const group of groups) {
          group.rules.forEach((rule, index) => {
            const name = "alert" in rule ? rule.alert : rule.record;
            const { errors, selectors } = parsePromql(rule.expr);
            expect(errors, `${name}: syntax errors at ${errors.join(", ")} in ${rule.expr}`).to.deep.equal([]);
            // Watchdog and the SLO objectives are constants: vector(1), vector(0.999).
            if (!/^vector\([0-9.]+\)$/.test(rule.expr)) expect(selectors, `${name} selects no series`).to.not.deep.equal([]);
            // Prometheus writes an alert's ALERTS series as it evaluates the alert: a later rule of the same group reads
            // the state of that same evaluation, any other rule a stale one or none.
            const before = new Set(group.rules.slice(0, index).flatMap((r) => ("alert" in r ? [r.alert] : [])));
            const read = [...rule.expr.matchAll(/ALERTS\{alertname="(\w+)"/g)].map((m) => m[1]);
            expect(selectors.filter((s) => s === "ALERTS").length, `${name} reads ALERTS without naming the alert`).to.equal(read.length);
            for (const other of read) expect(before.has(other), `${name} reads the ALERTS of ${other}, which is not before it in ${group.name}`).to.equal(true);
            for (const selector of selectors.filter((s) => s !== "ALERTS")) expect(known.has(selector) || recorded.has(selector), `${name} selects ${selector}, which no catalog lists`).to.equal(true);
          });
        }
      });

      it("the HTTP alerts read the recorded aggregates, not the raw histogram and counters, and give way to an app's SLOs", () => {
        expect(parsePromql(alert(groups, "HttpHighErrorRate").expr).selectors).to.deep.equal([HTTP_RECORDS.errorRatio, HTTP_RECORDS.requestRate, SLO_RECORDS.objective]);
        expect(parsePromql(alert(groups, "HttpHighErrorRateLowTraffic").expr).selectors).to.deep.equal([HTTP_RECORDS.errorRatio, "ALERTS", SLO_RECORDS.objective]);
        expect(alert(groups, "HttpHighErrorRateLowTraffic").expr).to.contain(`unless on (namespace, service)\nALERTS{alertname="HttpHighErrorRate", alertstate="firing"}`);
        expect(parsePromql(alert(groups, "HttpSlowResponses").expr).selectors).to.deep.equal([HTTP_RECORDS.latencyP95, SLO_RECORDS.objective]);
        expect(alert(groups, "HttpHighErrorRate").expr).to.contain(`unless on (namespace, service)\n${SLO_RECORDS.objective}{slo="availability"}`);
        expect(alert(groups, "HttpSlowResponses").expr).to.contain(`unless on (namespace, service)\n${SLO_RECORDS.objective}{slo="latency"}`);
        expect(parsePromql(alert(groups, "HttpHighRequestRate").expr).selectors).to.deep.equal([HTTP_RECORDS.requestRate]);
      });

      it("links every alert to an existing `## <alert>` section of its runbook, under the stack's runbookBaseUrl", () => {
        const base = committedSettings(stack).runbookBaseUrl;
        expect(context.runbookBaseUrl).to.equal(base);
        for (const rule of alertsOf(groups)) {
          expect(rule.annotations.runbook_url.startsWith(`${base}/`), rule.annotations.runbook_url).to.equal(true);
          const [file, anchor] = rule.annotations.runbook_url.slice(base.length + 1).split("#");
          const runbook = path.join(REPOSITORY_ROOT, "components", "alerting", "runbooks", file);
          expect(fs.existsSync(runbook), `${rule.alert}: ${file} does not exist`).to.equal(true);
          expect(runbookAnchors(runbook), `${rule.alert}: no section #${anchor} in ${file}`).to.include(anchor);
          expect(anchor, rule.alert).to.equal(rule.alert.toLowerCase());
        }
      });

      it("EndpointDown waits for two runs of the slowest Probe the stack plans, so one failed probe never pages", async () => {
        const plan = await planStack(stack);
        const intervals = plan.resources.filter((r) => r.inputs.kind === "Probe").map((r) => durationSeconds((r.inputs.spec as { interval: string }).interval)!);
        // The apps' in-cluster probes (30 s) and the public hostnames' (60 s, Grafana's among them).
        expect([...new Set(intervals)].sort((x, y) => x - y)).to.deep.equal([30, 60]);
        const endpointDown = alertsOf(groups).filter((r) => r.alert === "EndpointDown");
        for (const rule of endpointDown) expect(durationSeconds(rule.for), `${rule.labels.team}: for ${rule.for}`).to.be.at.least(2 * Math.max(...intervals));
        expect(endpointDown.map((r) => r.labels.team)).to.deep.equal(["application", "infrastructure"]);
      });

      it("ScrapeTargetsMissing watches every job the other alerts select, as urgently as the most urgent of them, unless another alert reports its absence", () => {
        const severities = ["info", "warning", "critical"];
        const others = alertsOf(groups).filter((r) => r.alert !== "ScrapeTargetsMissing");
        const selected = new Set(others.flatMap((r) => [...r.expr.matchAll(/\bjob="([^"]+)"/g)].map((m) => m[1])));
        const reporters = new Set(symptomOwners().map((o) => o.alert));
        const watched = Object.entries(TARGETS_MISSING).map(([key, watch]) => {
          const job = EXPORTER_JOBS[key as keyof typeof TARGETS_MISSING];
          if (typeof watch !== "string") {
            expect(reporters.has(watch.reportedBy), `${job}: ${watch.reportedBy} is an alert of the stack`).to.equal(true);
            return [job, watch.reportedBy];
          }
          const readers = others.filter((r) => r.expr.includes(`job="${job}"`)).map((r) => severities.indexOf(r.labels.severity));
          expect(readers, `${job}: some alert reads it`).to.not.be.empty;
          expect(watch, `${job}: the highest severity of the alerts that read it`).to.equal(severities[Math.max(...readers)]);
          return [job, watch];
        });
        // Every job an alert selects is accounted for; the apps' jobs are selected by namespace, never by name.
        expect([...selected].filter((job) => !watched.some(([j]) => j === job))).to.deep.equal([]);
        expect(Object.fromEntries(watched)).to.deep.equal({
          "node-exporter": "critical",
          "kube-state-metrics": "critical",
          apiserver: "KubeAPIDown",
          kubelet: "KubeletDown",
          alloy: "warning",
          tempo: "warning",
          "cert-manager": "warning",
          "external-secrets-metrics": "warning",
          "external-dns": "warning",
          "envoy-gateway": "warning",
        });
        const rules = alertsOf(groups).filter((r) => r.alert === "ScrapeTargetsMissing");
        expect(rules.map((r) => [r.labels.severity, r.for, r.expr])).to.deep.equal([
          ["critical", "15m", 'absent(up{job="node-exporter"})\nor\nabsent(up{job="kube-state-metrics"})'],
          ["warning", "15m", ["alloy", "tempo", "cert-manager", "external-secrets-metrics", "external-dns", "envoy-gateway"].map((j) => `absent(up{job="${j}"})`).join("\nor\n")],
        ]);
      });

      it("the runbook base URL is a stack setting: another base moves every link and nothing else", () => {
        const moved = platformRuleGroups(stackThresholds(stack), { ...context, runbookBaseUrl: "https://git.example.org/sre/platform/-/blob/v2/components/alerting/runbooks" });
        const links = (g: readonly RuleGroup[]) => alertsOf(g).map((r) => r.annotations.runbook_url);
        expect(links(moved)).to.deep.equal(links(groups).map((url) => url.replace(context.runbookBaseUrl, "https://git.example.org/sre/platform/-/blob/v2/components/alerting/runbooks")));
        const unlinked = (g: readonly RuleGroup[]) => JSON.stringify(g).replace(/"runbook_url":"[^"]*"/g, "");
        expect(unlinked(moved)).to.equal(unlinked(groups));
      });
    });
  }

  it("every runbook section a rule links to exists, and every `## <Alert>` section belongs to a rule", () => {
    const dir = path.join(REPOSITORY_ROOT, "components", "alerting", "runbooks");
    const linked = new Set(alertsOf(platformRuleGroups(stackThresholds("production"), rulesContext("production"))).map((r) => r.annotations.runbook_url.split("/").pop()!));
    const sections = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".md") && f !== "README.md")
      .flatMap((f) => runbookAnchors(path.join(dir, f)).filter((a) => /^[a-z]+$/.test(a)).map((a) => `${f}#${a}`));
    expect(sections.filter((s) => !linked.has(s)), "runbook sections of alerts that do not exist").to.deep.equal([]);
    expect([...linked].filter((l) => !sections.includes(l)), "links to missing runbook sections").to.deep.equal([]);
  });

  describe("thresholds feed both the expression and the description", () => {
    // [alert, expression ends with, for, description contains, severity, team]: production keeps the seed's values.
    const production: [string, string, string, string, string, string][] = [
      ["HttpHighErrorRate", 'slo="availability"}', "5m", "above 5% for 5m", "critical", "application"],
      ["HttpHighErrorRateLowTraffic", 'slo="availability"}', "5m", "pages only with 0.5 requests per second or more all that time", "warning", "application"],
      ["HttpSlowResponses", 'slo="latency"}', "5m", "above 2s for 5m", "warning", "application"],
      ["HttpHighRequestRate", "> 1000", "5m", "above 1000/s for 5m", "warning", "application"],
      ["AuthHighFailureRate", "> 0.5", "5m", "above 50% for 5m", "warning", "security"],
      ["AuthBruteForceSuspected", "> 10", "2m", "above 10/s for 2m", "critical", "security"],
      ["DatabaseConnectionPoolExhausted", "> 0.9", "5m", "above 90% for 5m", "critical", "database"],
      ["DatabaseSlowQueries", "> 1", "5m", "above 1s for 5m", "warning", "database"],
      ["DatabaseHighErrorRate", ">= 1", "5m", "above 5% for 5m", "critical", "database"],
      ["DatabaseHighErrorRateLowTraffic", 'ALERTS{alertname="DatabaseHighErrorRate", alertstate="firing"}', "5m", "pages only with 1 queries per second or more all that time", "warning", "database"],
      ["PipelineHighFailureRate", "> 0.2", "10m", "above 20% for 10m", "warning", "data-engineering"],
      ["PipelineLongRunning", "> 3600", "10m", "above 1h for 10m", "warning", "data-engineering"],
      ["ConnectorHighFailureRate", "> 0.2", "10m", "above 20% for 10m", "warning", "data-engineering"],
      ["ConnectorSlowResponses", "> 30", "10m", "above 30s for 10m", "warning", "data-engineering"],
      ["NodeHighCPUUsage", "> 0.8", "10m", "above 80% for 10m", "warning", "infrastructure"],
      ["NodeHighMemoryUsage", "> 0.8", "5m", "above 80% for 5m", "warning", "infrastructure"],
      ["NodeHighMemoryUsage", "> 0.95", "5m", "above 95% for 5m", "critical", "infrastructure"],
      ["NodeHighDiskUsage", "> 0.8", "5m", "above 80% for 5m", "warning", "infrastructure"],
      ["NodeHighDiskUsage", "> 0.9", "5m", "above 90% for 5m", "critical", "infrastructure"],
      ["CacheLowHitRate", "< 0.5", "10m", "below 50% for 10m", "warning", "application"],
      ["RateLimitExceededHigh", "> 10", "5m", "above 10/s for 5m", "warning", "security"],
      ["WebSocketHighErrorRate", "> 5", "5m", "above 5/s for 5m", "warning", "application"],
      ["ServiceDown", "== 0", "1m", "for 1m", "critical", "application"],
      ["ServiceAvailabilityLow", "[15m:]) > 2", "5m", "of the last 15m, going down repeatedly, below 90% for 5m", "critical", "application"],
      // downFor is 1m, one run of the public probes: EndpointDown waits for two.
      ["EndpointDown", "== 0", "2m", "for 2m", "critical", "application"],
      ["EndpointDown", "== 0", "2m", "for 2m", "critical", "infrastructure"],
      ["EndpointAvailabilityLow", '(changes(probe_success{namespace=~"apps"}[15m])) > 2', "5m", "of the last 15m, failing repeatedly, below 90% for 5m", "critical", "application"],
      ["EndpointAvailabilityLow", '(changes(probe_success{namespace!~"apps"}[15m])) > 2', "5m", "of the last 15m, failing repeatedly, below 90% for 5m", "critical", "infrastructure"],
      ["TLSCertificateExpiringSoon", "< 2592000", "15m", "less than 30d", "warning", "infrastructure"],
      ["TLSCertificateExpiringSoon", "< 604800", "15m", "less than 7d", "critical", "infrastructure"],
      ["BackupTooOld", '"cronjob", "pg-backup-(orders)")\n)', "5m", "at least every 29h", "critical", "database"],
      // A run the controller could no longer start: its next schedule time is more than the starting deadline past.
      ["BackupNotStarted", '"reason", "suspended", "", ""\n)', "5m", "within its 1h starting deadline, or is suspended. BackupTooOld follows", "warning", "database"],
      ["RestoreDrillNotStarted", '"reason", "suspended", "", ""\n)', "5m", "within its 1h starting deadline, or is suspended. RestoreDrillTooOld follows", "warning", "database"],
      ["LogEntriesDropped", '{job="alloy"}[10m])) > 0', "10m", "in the last 10m and has kept dropping them for 10m", "warning", "infrastructure"],
      // The object's namespace comes back from exported_namespace; a Certificate within the TLS warning window is TLSCertificateExpiringSoon's.
      ["ExternalSecretNotSynced", '"namespace", "$1", "exported_namespace", "(.+)")\n) == 1', "30m", "has failed to sync for 30m", "warning", "infrastructure"],
      ["ClusterSecretStoreNotReady", 'max by (name) (clustersecretstore_status_condition{job="external-secrets-metrics", condition="Ready", status="False"}) == 1', "10m", "has not been Ready for 10m", "warning", "infrastructure"],
      ["CertificateNotReady", ") < time() + 2592000", "30m", "has not been Ready for 30m", "warning", "infrastructure"],
      ["ClusterIssuerNotReady", 'max by (name) (certmanager_clusterissuer_ready_status{job="cert-manager", condition!="True"}) == 1', "10m", "has not been Ready for 10m", "warning", "infrastructure"],
      ["ExternalDNSSyncStale", '{job="external-dns"}[1d])) > 900', "5m", "(more than 15m, for 5m)", "warning", "infrastructure"],
      // Envoy Gateway's OpenTelemetry counters: a series first seen within the hour counts whole; only series still exposed count.
      ["EnvoyGatewayConfigRejected", 'xds_nack_total{job="envoy-gateway"}\n  )\n) > 0', "5m", "xDS updates from {{ $labels.job }} in {{ $labels.namespace }} in the last 1h", "warning", "infrastructure"],
      ["EnvoyGatewayTranslationFailing", 'runner=~"gateway-api|xds|infrastructure", status="failure"}\n  )\n) > 0', "5m", "updates in its {{ $labels.runner }} runner in the last 1h", "warning", "infrastructure"],
      ["EnvoyGatewayStatusUpdatesFailing", 'status_update_total{job="envoy-gateway", status="failure", reason="error"}\n  )\n) > 0', "5m", "status writes in the last 1h", "warning", "infrastructure"],
      ["Watchdog", "vector(1)", "0s", "Alertmanager, which sends this alert to the external heartbeat service", "none", "infrastructure"],
      ["PodCrashLooping", ">= 1", "15m", "into CrashLoopBackOff for 15m", "warning", "application"],
      ["PodCrashLooping", ">= 1", "15m", "into CrashLoopBackOff for 15m", "warning", "infrastructure"],
      // A fixed window; the pinned idle colour, a target scaled to zero and a Deployment with no replica available are left out.
      ["HorizontalPodAutoscalerCannotScale", 'max by (namespace, deployment) (kube_deployment_status_replicas_available{job="kube-state-metrics", namespace=~"apps"}) == 0\n  )\n)', "15m", "has reported {{ $labels.condition }} False for 15m", "warning", "application"],
      ["HorizontalPodAutoscalerCannotScale", 'max by (namespace, deployment) (kube_deployment_status_replicas_available{job="kube-state-metrics", namespace!~"apps"}) == 0\n  )\n)', "15m", "has reported {{ $labels.condition }} False for 15m", "warning", "infrastructure"],
      ["JobFailed", '"(pg-backup-|pg-restore-drill-)(orders)-[0-9]+"}', "15m", "exhausted their retries or deadline", "warning", "application"],
      ["JobFailed", '"(pg-backup-|pg-restore-drill-)(orders)-[0-9]+"}', "15m", "exhausted their retries or deadline", "warning", "infrastructure"],
    ];
    const groups = platformRuleGroups(stackThresholds("production"), rulesContext("production"));
    for (const [name, tail, forWindow, text, severity, team] of production) {
      it(`production ${name} (${severity}): ${tail} for ${forWindow}, team ${team}`, () => {
        const rule = alert(groups, name, severity, team);
        expect(rule.expr.endsWith(tail), rule.expr).to.equal(true);
        expect(rule.for).to.equal(forWindow);
        expect(rule.annotations.description).to.contain(text);
        expect(rule.labels).to.include({ severity, team });
      });
    }

    it("staging's looser values reach the same rules", () => {
      const staging = platformRuleGroups(stackThresholds("staging"), rulesContext("staging"));
      const rule = alert(staging, "HttpHighErrorRate");
      expect([rule.expr.split("\n")[0], rule.for]).to.deep.equal(["namespace_service:http_request_errors:ratio_rate5m > 0.1", "10m"]);
      expect(rule.annotations.description).to.contain("above 10% for 10m.");
      const drill = alert(staging, "RestoreDrillTooOld");
      expect(drill.expr).to.contain("> 1296000");
      expect(drill.annotations.description).to.contain("at least every 15d.");
      const logs = alert(staging, "LogEntriesDropped");
      expect([logs.expr, logs.for]).to.deep.equal(['sum by (namespace, job) (increase(loki_write_dropped_entries_total{job="alloy"}[30m])) > 0', "30m"]);
      expect(logs.annotations.description).to.contain("in the last 30m and has kept dropping them for 30m;");
    });

    it("scopes workload alerts to the application namespaces and backup alerts to the databases the stack backs up", () => {
      const custom = platformRuleGroups(stackThresholds("production"), {
        ...rulesContext("production"),
        appNamespaces: ["apps", "web"],
        backupNamespace: "db-backups",
        backupDatabases: ["orders", "billing"],
        backupCronJobPrefix: "pg-dump-",
      });
      // The application namespaces' rule and the one for every other namespace split the namespaces.
      expect(alert(custom, "PodCrashLooping", "warning", "application").expr).to.contain(`namespace=~"apps|web"`);
      expect(alert(custom, "PodCrashLooping", "warning", "infrastructure").expr).to.contain(`namespace!~"apps|web"`);
      expect(alert(custom, "ServiceDown").expr).to.contain(`namespace=~"apps|web"`);
      expect(alert(custom, "BackupTooOld").expr).to.contain(`kube_cronjob_created{job="kube-state-metrics", namespace="db-backups", cronjob=~"pg-dump-(orders|billing)"}`);
      expect(alert(custom, "BackupTooOld").expr).to.contain(`pg_backup_last_success_timestamp_seconds{database=~"orders|billing"}`);
      expect(alert(custom, "BackupJobFailed").expr).to.contain(`job_name=~"pg-dump-(orders|billing)-[0-9]+"`);
      expect(alert(custom, "RestoreDrillJobFailed").expr).to.contain(`job_name=~"pg-restore-drill-(orders|billing)-[0-9]+"`);
      // The generic JobFailed leaves those Jobs to the backup alerts.
      expect(alert(custom, "JobFailed", "warning", "infrastructure").expr).to.contain(`namespace="db-backups", job_name=~"(pg-dump-|pg-restore-drill-)(orders|billing)-[0-9]+"`);
      expect(alert(custom, "RestoreDrillTooOld").expr).to.contain(`cronjob=~"pg-restore-drill-(orders|billing)"`);
      expect(alert(custom, "BackupNotStarted").expr).to.contain(`kube_cronjob_next_schedule_time{job="kube-state-metrics", namespace="db-backups", cronjob=~"pg-dump-(orders|billing)"}`);
      expect(alert(custom, "BackupNotStarted").expr).to.contain(`kube_cronjob_spec_suspend{job="kube-state-metrics", namespace="db-backups", cronjob=~"pg-dump-(orders|billing)"}`);
      expect(alert(custom, "RestoreDrillNotStarted").expr).to.contain(`kube_cronjob_next_schedule_time{job="kube-state-metrics", namespace="db-backups", cronjob=~"pg-restore-drill-(orders|billing)"}`);
      // The CronJobs' startingDeadlineSeconds: until then the controller may still start the run.
      expect(alert(custom, "BackupNotStarted").expr).to.contain(`cronjob=~"pg-dump-(orders|billing)"}, "database", "$1", "cronjob", "pg-dump-(orders|billing)"))\n) < time() - 3600\n`);
      // A schedule change shows as another schedule of the same CronJob in kube_cronjob_info.
      expect(alert(custom, "BackupNotStarted").expr).to.contain(`max_over_time(timestamp(kube_cronjob_info{job="kube-state-metrics", namespace="db-backups", cronjob=~"pg-dump-(orders|billing)"})[29h:15m])`);
    });

    // The promtool timelines (rules-promtool.spec.ts) run the stacks' daily and weekly schedules; these are the other shapes.
    it("after a schedule change, carries a due time from before it by the schedule's gap when its runs are evenly spaced, and otherwise ignores it for the maximum age", () => {
      const due = (context: Partial<AlertRulesContext>, name = "BackupNotStarted") => alert(platformRuleGroups(stackThresholds("production"), { ...rulesContext("production"), ...context }), name).expr;
      const carried = (gap: number) => `, 0) / ${gap})\n  or\n  max by (database) (label_replace(kube_cronjob_next_schedule_time`;
      expect(due({ backupSchedule: "0 */6 * * *" })).to.contain(`) + 21600 * ceil(clamp_min(`).and.to.contain(carried(21600));
      expect(due({ restoreDrillSchedule: "30 4 * * 6" }, "RestoreDrillNotStarted")).to.contain(carried(604800)).and.to.contain("[8d:15m]");
      for (const backupSchedule of ["0 2 * * 1-5", "0 2 1 * *", "0 1,5 * * *", undefined]) {
        const expr = due({ backupSchedule });
        expect(expr, String(backupSchedule)).to.not.contain("ceil(");
        expect(expr, String(backupSchedule)).to.contain(`"pg-backup-(orders)"))\n  unless on (database)\n  max by (database) (label_replace(kube_cronjob_next_schedule_time`);
        expect(expr, String(backupSchedule)).to.contain("[29h:15m])");
      }
    });

    it("measures the drill's restore time against the stack's recovery time objective, in the threshold and the sentence", () => {
      const custom = platformRuleGroups(stackThresholds("production"), { ...rulesContext("production"), recoveryTimeObjective: "90m" });
      // Only the databases the stack backs up: the Pushgateway keeps a removed database's gauges.
      expect(alert(custom, "RestoreSlowerThanObjective").expr).to.equal('max by (database) (pg_restore_drill_restore_duration_seconds{database=~"orders"}) > 5400');
      expect(alert(custom, "RestoreSlowerThanObjective").annotations.description).to.contain("the recovery time objective is 90m.");
    });

    it("a stack that backs up no database has no backup rules: they would select nothing", () => {
      const none = platformRuleGroups(stackThresholds("production"), { ...rulesContext("production"), backupDatabases: [] });
      expect(none.map((g) => g.name)).to.not.include("platform-backups");
      // Every failed Job is then JobFailed's.
      expect(alert(none, "JobFailed", "warning", "infrastructure").expr).to.not.contain("unless");
      expect(alertsOf(none).filter((r) => r.labels.team === "database" && r.labels.component !== "database")).to.deep.equal([]);
    });

    it("an app without SLOs keeps its fixed-threshold alerts and gets no SLO group", () => {
      const none = platformRuleGroups(stackThresholds("production"), { ...rulesContext("production"), slos: [] });
      expect(none.map((g) => g.name).filter((n) => n.startsWith("platform-slo-"))).to.deep.equal([]);
      expect(alertsOf(none).filter((r) => r.alert === ERROR_BUDGET_BURN_ALERT)).to.deep.equal([]);
    });
  });

  describe("builder guard rails", () => {
    const production = stackThresholds("production");

    it("refuses a quantile threshold the histogram cannot measure", () => {
      const tooSlow: AlertThresholds = { ...production, http: { ...production.http, p95LatencySeconds: 10 } };
      expect(() => platformRuleGroups(tooSlow, rulesContext("production"))).to.throw(
        "alertThresholds.http.p95LatencySeconds (10) must be below the largest bucket of http_request_duration_seconds (10): a higher quantile is never measured, so the alert could not fire",
      );
      const tooLong: AlertThresholds = { ...production, pipelines: { ...production.pipelines, p95DurationSeconds: 86400 } };
      expect(() => platformRuleGroups(tooLong, rulesContext("production"))).to.throw(
        "alertThresholds.pipelines.p95DurationSeconds (86400) must be below the largest bucket of pipeline_execution_duration_seconds (28800)",
      );
    });

    it("refuses an SLO latency threshold that is no bucket bound of the request histogram", () => {
      const context = rulesContext("production");
      const slos = context.slos.map((slo) => ({ ...slo, latency: { objective: 99, thresholdSeconds: 0.3 } }));
      expect(() => platformRuleGroups(production, { ...context, slos })).to.throw(
        'apps (api): slos.latency.thresholdSeconds (0.3) must be a bucket bound of http_request_duration_seconds (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10): the SLI counts the requests in the bucket le="0.3"',
      );
    });

    it("refuses an empty list of application namespaces", () => {
      expect(() => platformRuleGroups(production, { ...rulesContext("production"), appNamespaces: [] })).to.throw(
        "appNamespaces must list at least one namespace: the application alerts would match nothing",
      );
    });
  });
});

describe("prometheusRuleManifests", () => {
  const groups = platformRuleGroups(stackThresholds("production"), rulesContext("production"));

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
    new AlertRules("alert-rules", { ...rulesContext("production"), namespace: "monitoring", thresholds: stackThresholds("production") });
    const resources = await settle();
    const component = resources.filter((r) => r.type === "platform:alerting:AlertRules");
    expect(component.map((r) => r.name)).to.deep.equal(["alert-rules"]);
    const rules = resources.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    const groups = platformRuleGroups(stackThresholds("production"), rulesContext("production"));
    // Registrations reach the engine in no fixed order.
    expect(rules.map((r) => r.name).sort()).to.deep.equal(groups.map((g) => `alert-rules-${g.name}`).sort());
    for (const rule of rules) {
      expect(rule.parent, rule.name).to.equal(component[0].urn);
      expect((rule.inputs.metadata as { namespace: string; labels: Record<string, string> }).namespace).to.equal("monitoring");
      expect((rule.inputs.metadata as { labels: Record<string, string> }).labels).to.include({ release: "kube-prometheus-stack" });
    }
    const http = rules.find((r) => r.name === "alert-rules-platform-http")!;
    expect((http.inputs.spec as { groups: RuleGroup[] }).groups).to.deep.equal([groups[1]]);
    const slo = rules.find((r) => r.name === "alert-rules-platform-slo-api")!;
    expect((slo.inputs.spec as { groups: RuleGroup[] }).groups).to.deep.equal([groups[groups.length - 1]]);
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
    ["a `for` in words", (t) => (t.http.errorFor = "5 minutes"), ["http.errorFor: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d"]],
    ["a zero `for`", (t) => (t.auth.bruteForceFor = "0s"), ["auth.bruteForceFor: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d"]],
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
    ["a minimum request rate of zero", (t) => (t.http.minRequestsPerSecond = 0), ["http.minRequestsPerSecond: must be a positive number of events per second"]],
    ["a missing minimum query rate", (t) => delete t.database.minQueriesPerSecond, ["database.minQueriesPerSecond: must be a number of events per second"]],
    ["an availability ratio in percent", (t) => (t.availability.minAvailabilityRatio = 90), ["availability.minAvailabilityRatio: must be a ratio between 0 and 1 (0.05 means 5 %)"]],
    ["an availability window in words", (t) => (t.availability.availabilityWindow = "a while"), ["availability.availabilityWindow: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d"]],
    ["a page `for` of zero", (t) => (t.slo.pageFor = "0m"), ["slo.pageFor: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d"]],
    ["the sample-limit window of the dropped alert", (t) => (t.prometheus.sampleLimitFor = "15m"), ["prometheus: unknown key sampleLimitFor"]],
    ["several problems at once", (t) => ((t.http.errorRatio = 2), (t.http.errorFor = "soon")), [
      "http.errorRatio: must be a ratio between 0 and 1 (0.05 means 5 %)",
      "http.errorFor: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d",
    ]],
  ];
  for (const [what, edit, expected] of bad) {
    it(`rejects ${what}`, () => {
      expect(problems(edit)).to.deep.equal(expected);
    });
  }
});
