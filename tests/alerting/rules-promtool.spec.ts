import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { type AlertRulesContext, ERROR_BUDGET_BURN_ALERT, isAlertingRule, platformRuleGroups, prometheusRuleManifests, type RuleGroup } from "../../components/alerting/rules";
import { toYaml } from "../../components/core/yaml";
import { planStack, STACKS } from "../harness";
import { backupNightTests, notStartedTests } from "./fixtures/backup-timeline";
import { alertScenarios } from "./fixtures/alert-scenarios";
import { rangeSemantics, resolvePromtool, runPromtool } from "../promtool";
import { type PromtoolTestFile, promtoolUnitTests } from "./fixtures/promtool-tests";
import { sloTestFiles } from "./fixtures/slo-scenarios";
import { rulesContext, stackThresholds } from "./fixtures/thresholds";
import { durationSeconds } from "../../stacks/formats";
import type { StackName } from "../harness";

const promtool = resolvePromtool();
const ranges = rangeSemantics(promtool);

/**
 * The stack's context with a second backed-up database: the committed stacks back up one, and two show that
 * one healthy database hides no other.
 */
function testContext(stack: StackName): AlertRulesContext {
  const context = rulesContext(stack);
  return { ...context, backupDatabases: [...context.backupDatabases, "billing"] };
}

/** The promtool unit tests of a stack: the alert scenarios, and the SLO groups' own files. */
function stackUnitTests(stack: StackName, groups: readonly RuleGroup[], context: AlertRulesContext) {
  const thresholds = stackThresholds(stack);
  const custom = Object.fromEntries(
    context.slos.map((slos) => {
      const group = groups.find((g) => g.name === `platform-slo-${slos.service}`)!;
      return [group.name, sloTestFiles(group, slos, thresholds, ranges)];
    }),
  );
  return { scenarios: alertScenarios(thresholds, context, ranges), custom };
}

/** Writes files (name → data, rendered as YAML 1.1) into a fresh directory. */
function writeAll(dir: string, files: Record<string, unknown>): string[] {
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), toYaml(data));
  return Object.keys(files);
}

describe(`alert rules under ${promtool.path} (${promtool.version}, ${ranges} ranges)`, () => {
  let work: string;
  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "alert-rules-"));
  });
  after(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  for (const stack of STACKS) {
    describe(stack, () => {
      const thresholds = stackThresholds(stack);
      const context = testContext(stack);
      const groups = platformRuleGroups(thresholds, context);
      const ruleCount = groups.reduce((n, g) => n + g.rules.length, 0);
      const alertCount = groups.reduce((n, g) => n + g.rules.filter(isAlertingRule).length, 0);
      let dir: string;
      before(() => {
        dir = path.join(work, stack);
        fs.mkdirSync(dir);
      });

      it("promtool check rules accepts the generated rule file: 82 alerts and 6 HTTP and 28 SLO recording rules", () => {
        // A plain rule file is what a PrometheusRule's spec holds: `groups:` and nothing else.
        writeAll(dir, { "rules.yml": { groups } });
        const run = runPromtool(promtool, ["check", "rules", "rules.yml"], dir);
        expect(run.output).to.contain(`SUCCESS: ${ruleCount} rules found`);
        expect(run.status, run.output).to.equal(0);
        expect([alertCount, ruleCount - alertCount]).to.deep.equal([82, 34]);
      });

      it("the PrometheusRule objects, rendered and read back as YAML 1.1, carry exactly the checked groups", () => {
        const manifests = prometheusRuleManifests(groups, "monitoring");
        const readBack = manifests.map((m) => parse(toYaml(m), { version: "1.1" }) as { spec: { groups: RuleGroup[] } });
        const fromCrds = readBack.flatMap((m) => m.spec.groups);
        expect(fromCrds).to.deep.equal(JSON.parse(JSON.stringify(groups)));
        writeAll(dir, { "from-crds.yml": { groups: fromCrds } });
        const run = runPromtool(promtool, ["check", "rules", "from-crds.yml"], dir);
        expect(run.status, run.output).to.equal(0);
        expect(run.output).to.contain(`SUCCESS: ${ruleCount} rules found`);
      });

      it("promtool test rules: each alert pending one step before its `for` ends, then firing with its labels and rendered annotations; quiet just inside its threshold; records exact; every SLO window pair pages, stays quiet and recovers", () => {
        const { scenarios, custom } = stackUnitTests(stack, groups, context);
        const untested = groups
          .flatMap((g) => g.rules.filter(isAlertingRule))
          .filter((r) => r.alert !== ERROR_BUDGET_BURN_ALERT)
          .filter((r) => !scenarios.some((s) => s.alert === r.alert && (s.severity ?? r.labels.severity) === r.labels.severity && (s.team ?? r.labels.team) === r.labels.team))
          .map((r) => `${r.alert} (${r.labels.severity}, ${r.labels.team})`);
        expect(untested, "every alerting rule has a scenario").to.deep.equal([]);
        expect(Object.keys(custom), "the SLO groups have their own tests").to.deep.equal(["platform-slo-api"]);
        const unitTests = promtoolUnitTests(groups, scenarios, custom);
        writeAll(dir, unitTests.ruleFiles);
        const testFiles = writeAll(dir, unitTests.testFiles);
        // One file per group; the SLO group's three: availability pages, availability tickets, latency.
        expect(testFiles).to.have.lengthOf(groups.length + 2);
        // 2 test groups per scenario (firing, quiet; Watchdog has no quiet case) plus the recording rules' group,
        // and for the SLOs: 3 record groups (availability, a service that never failed, latency), 2 profiles per pair
        // (4 availability pairs, latency's fastest), low traffic.
        const testGroups = Object.values(unitTests.testFiles).reduce((n, f: PromtoolTestFile) => n + f.tests.length, 0);
        expect(testGroups).to.equal(2 * scenarios.length - 1 + 1 + (3 + 2 * 5 + 1));
        const run = runPromtool(promtool, ["test", "rules", ...testFiles], dir);
        expect(run.output.includes("FAILED"), run.output).to.equal(false);
        expect(run.status, run.output).to.equal(0);
        expect(run.output.match(/SUCCESS/g) ?? []).to.have.lengthOf(testFiles.length);
      });
    });
  }

  for (const stack of STACKS) {
    it(`${stack}: BackupTooOld stays quiet for a run started as late as the CronJob allows whose retry succeeds just before the Job's deadline, and fires for a missed run once such a retry could no longer succeed`, async () => {
      const dir = path.join(work, `${stack}-backup-nights`);
      fs.mkdirSync(dir);
      const thresholds = stackThresholds(stack);
      const backups = platformRuleGroups(thresholds, rulesContext(stack)).find((g) => g.name === "platform-backups")!;
      const rule = backups.rules.filter(isAlertingRule).find((r) => r.alert === "BackupTooOld")!;
      const cronJob = (await planStack(stack)).object("CronJob", "backups", "pg-backup-orders");
      const { nights, firesAt, tests } = backupNightTests(rule, thresholds.backups.maxAge, cronJob, "orders");
      // The CronJob the stack plans: an hour's starting deadline, a 4h deadline over both attempts, a daily schedule.
      expect([nights.gap, nights.startingDeadline, nights.runDeadline, nights.attempts]).to.deep.equal([86400, 3600, 4 * 3600, 2]);
      writeAll(dir, {
        "backups.rules.yml": { groups: [backups] },
        "backup-nights.test.yml": { rule_files: ["backups.rules.yml"], evaluation_interval: "1m", group_eval_order: [backups.name], tests },
      });
      const run = runPromtool(promtool, ["test", "rules", "backup-nights.test.yml"], dir);
      expect(run.output.includes("FAILED"), run.output).to.equal(false);
      expect(run.status, run.output).to.equal(0);
      // The right time for a missed run: once the latest healthy retry would have succeeded, within `for` and the
      // few minutes the newest success came after its scheduled time.
      const late = firesAt - nights.latestHealthySuccess;
      expect(late, "seconds after the latest healthy success").to.be.within(0, durationSeconds(rule.for)! + 600);
    });
  }

  for (const stack of STACKS) {
    for (const [alert, cronJobName] of [
      ["BackupNotStarted", "pg-backup-orders"],
      ["RestoreDrillNotStarted", "pg-restore-drill-orders"],
    ] as const) {
      it(`${stack}: ${alert} stays quiet for a run started late but within the starting deadline and for a schedule moved later, fires for a skipped run once it can no longer start (also the moved schedule's first, and across a kube-state-metrics restart) and for a suspended CronJob, and ignores other CronJobs`, async () => {
        const dir = path.join(work, `${stack}-${alert}`);
        fs.mkdirSync(dir);
        const backupsOf = (context: AlertRulesContext) => platformRuleGroups(stackThresholds(stack), context).find((g) => g.name === "platform-backups")!;
        const backups = backupsOf(rulesContext(stack));
        const rule = backups.rules.filter(isAlertingRule).find((r) => r.alert === alert)!;
        const cronJob = (await planStack(stack)).object("CronJob", "backups", cronJobName);
        const timeline = notStartedTests(rule, cronJob, "orders");
        // The CronJob the stack plans: an hour's starting deadline; backups daily, drills weekly.
        expect([timeline.gap, timeline.startingDeadline]).to.deep.equal([alert === "BackupNotStarted" ? 86400 : 7 * 86400, 3600]);
        // Without the schedule (the library's AlertRules), a due time from before the move is ignored instead of carried.
        const unscheduled = backupsOf({ ...rulesContext(stack), backupSchedule: undefined, restoreDrillSchedule: undefined });
        const unscheduledRule = unscheduled.rules.filter(isAlertingRule).find((r) => r.alert === alert)!;
        expect(unscheduledRule.expr).to.not.equal(rule.expr);
        writeAll(dir, {
          "not-started.rules.yml": { groups: [{ ...backups, rules: [rule] }] },
          "not-started.test.yml": { rule_files: ["not-started.rules.yml"], evaluation_interval: "1m", tests: timeline.tests },
          "unscheduled.rules.yml": { groups: [{ ...unscheduled, rules: [unscheduledRule] }] },
          "unscheduled.test.yml": { rule_files: ["unscheduled.rules.yml"], evaluation_interval: "1m", tests: [timeline.movedQuiet] },
        });
        for (const file of ["not-started.test.yml", "unscheduled.test.yml"]) {
          const run = runPromtool(promtool, ["test", "rules", file], dir);
          expect(run.output.includes("FAILED"), run.output).to.equal(false);
          expect(run.status, run.output).to.equal(0);
        }
        // The right time: within `for` and one evaluation of the moment the skipped run could no longer start,
        // a day before BackupTooOld's maximum age.
        const late = timeline.skippedFiresAt - timeline.skippedRunTooLate;
        expect(late, "seconds after the skipped run's starting deadline").to.be.within(0, durationSeconds(rule.for)! + 60);
      });
    }
  }

  for (const stack of STACKS) {
    it(`${stack}: TLSCertificateExpiringSoon stays firing while its probe cannot complete a handshake and after the certificate expires, says it has expired, and resolves on a renewal or once the Probe is gone`, () => {
      const dir = path.join(work, `${stack}-certificate-expiry`);
      fs.mkdirSync(dir);
      const a = stackThresholds(stack).availability;
      const availability = platformRuleGroups(stackThresholds(stack), rulesContext(stack)).find((g) => g.name === "platform-availability")!;
      const group = { ...availability, rules: availability.rules.filter(isAlertingRule).filter((r) => r.alert === "TLSCertificateExpiringSoon") };
      expect(group.rules.map((r) => r.labels.severity)).to.deep.equal(["warning", "critical"]);
      // A public hostname's Probe runs every minute. The blackbox exporter reports probe_ssl_earliest_cert_expiry
      // only after a completed handshake: from `failing` on, the endpoint refuses connections, and at `expires` the
      // certificate expires, which the probe refuses too. At `renewed` a new certificate is served. Another
      // hostname's Probe is deleted at `failing`, its certificate as close to expiry.
      const forMinutes = durationSeconds(a.certificateFor)! / 60;
      const failing = forMinutes + 10;
      const expires = failing + 10;
      const renewed = failing + 30;
      const probe = (host: string) => `{namespace="apps", service="api", job="${host}-public", role="public", instance="https://${host}.example.com/"}`;
      const labels = (host: string, severity: string) => ({ alertname: "TLSCertificateExpiringSoon", job: `${host}-public`, instance: `https://${host}.example.com/`, severity, team: "infrastructure", component: "tls" });
      const annotations = (host: string, severity: string, state: string) => ({
        summary: group.rules.find((r) => r.labels.severity === severity)!.annotations.summary,
        description: `The certificate served at https://${host}.example.com/ ${state}.`,
        runbook_url: `${rulesContext(stack).runbookBaseUrl}/availability.md#tlscertificateexpiringsoon`,
      });
      const firing = (host: string, state: (window: string) => string) => [
        { exp_labels: labels(host, "warning"), exp_annotations: annotations(host, "warning", state(a.certificateWarning)) },
        { exp_labels: labels(host, "critical"), exp_annotations: annotations(host, "critical", state(a.certificateCritical)) },
      ];
      const test = {
        interval: "1m",
        input_series: [
          { series: `probe_ssl_earliest_cert_expiry${probe("api")}`, values: `${expires * 60}x${failing - 1} stale _x${renewed - failing - 1} 999999999x9` },
          { series: `probe_success${probe("api")}`, values: `1x${failing - 1} 0x${renewed - failing - 1} 1x9` },
          { series: `probe_ssl_earliest_cert_expiry${probe("shop")}`, values: `${expires * 60}x${failing - 1} stale` },
          { series: `probe_success${probe("shop")}`, values: `1x${failing - 1} stale` },
        ],
        alert_rule_test: [
          {
            eval_time: `${failing - 1}m`,
            alertname: "TLSCertificateExpiringSoon",
            exp_alerts: ["api", "shop"].flatMap((host) => firing(host, (w) => `expires in 11m 0s, less than ${w}`)),
          },
          { eval_time: `${expires - 2}m`, alertname: "TLSCertificateExpiringSoon", exp_alerts: firing("api", (w) => `expires in 2m 0s, less than ${w}`) },
          { eval_time: `${expires + 10}m`, alertname: "TLSCertificateExpiringSoon", exp_alerts: firing("api", () => "has expired; the probe refuses it, so EndpointDown fires as well") },
          { eval_time: `${renewed}m`, alertname: "TLSCertificateExpiringSoon", exp_alerts: [] },
        ],
      };
      writeAll(dir, {
        "certificates.rules.yml": { groups: [group] },
        "certificates.test.yml": { rule_files: ["certificates.rules.yml"], evaluation_interval: "1m", tests: [test] },
      });
      const run = runPromtool(promtool, ["test", "rules", "certificates.test.yml"], dir);
      expect(run.output.includes("FAILED"), run.output).to.equal(false);
      expect(run.status, run.output).to.equal(0);
    });
  }

  it("the unit tests catch a rule that drifts from its threshold (the generated tests can fail)", () => {
    const dir = path.join(work, "drift");
    fs.mkdirSync(dir);
    const thresholds = stackThresholds("production");
    const context = testContext("production");
    const honest = platformRuleGroups(thresholds, context);
    // The rule reads a threshold twice as high as the one its scenarios and description were built from.
    const drifted = honest.map((g) => ({
      ...g,
      rules: g.rules.map((r) => (isAlertingRule(r) && r.alert === "HttpHighErrorRate" ? { ...r, expr: r.expr.replace("> 0.05", "> 0.6") } : r)),
    }));
    const unitTests = promtoolUnitTests(drifted, alertScenarios(thresholds, context, ranges));
    writeAll(dir, unitTests.ruleFiles);
    writeAll(dir, unitTests.testFiles);
    const run = runPromtool(promtool, ["test", "rules", "platform-http.test.yml"], dir);
    expect(run.status).to.equal(1);
    expect(run.output).to.contain("name: HttpHighErrorRate: pending at 5m, firing at 6m");
  });
});
