import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { alertmanagerConfig, type Route } from "../../../components/alerting/alertmanager";
import { isAlertingRule, platformAlerts, platformRuleGroups } from "../../../components/alerting/rules";
import { toYaml } from "../../../components/core/yaml";
import { durationSeconds } from "../../../stacks/formats";
import { rulesContext, stackThresholds } from "../fixtures/thresholds";
import { BlackboxStandIn } from "./fixtures/blackbox-stand-in";
import { InstrumentedApp, ROUTES, Traffic } from "./fixtures/instrumented-app";
import { type Delivery, NotificationSink } from "./fixtures/notification-sink";
import { freePort, ServerProcess, sleep, waitFor } from "../../processes";
import { nodeMemory, StaticExporter } from "./fixtures/static-exporter";
import {
  deliverToSink,
  exporterScrape,
  placeholderSecrets,
  probeScrape,
  prometheusConfig,
  serviceMonitorScrape,
  stackRoutingInput,
  TEST_FOR,
  TEST_ROUTE_TIMING,
  withShortForWindows,
} from "./fixtures/test-configs";

/**
 * The last link of "alerting as code": the generated rules in a real Prometheus, the generated production
 * routing in a real Alertmanager, an app instrumented with the metrics catalog and driven by real requests,
 * a blackbox-exporter stand-in, and real notifications (Slack and PagerDuty over HTTP, mail over SMTP) to a
 * loopback sink. Only timing is shortened and delivery redirected (fixtures/test-configs.ts). Exercised: the
 * Watchdog's heartbeat to the dead man's switch; a critical silencing its own warning on the same thing only
 * (TLSCertificateExpiringSoon; NodeHighMemoryUsage on two nodes); ServiceDown silencing the rest of its
 * service; an SLO's burn-rate page. Everything listens on 127.0.0.1 and is stopped by the spec.
 *
 * Binaries: Debian's packages `prometheus` (2.42) and `prometheus-alertmanager` (0.25), which .ci/setup
 * installs; $PROMETHEUS and $ALERTMANAGER override them.
 */
const PROMETHEUS = process.env.PROMETHEUS ?? "/usr/bin/prometheus";
const ALERTMANAGER = process.env.ALERTMANAGER ?? "/usr/bin/prometheus-alertmanager";

const STACK = "production";
/** The app under test, as the cluster would label it: namespace apps is the stack's application namespace. */
const NAMESPACE = "apps";
/** An app without SLOs: its fixed-threshold alerts page. */
const SERVICE = "orders";
/** The committed stacks' app with SLOs: its burn-rate alerts page instead. */
const SLO_SERVICE = "api";
/** An HTTPS endpoint probed by the blackbox exporter, whose certificate the stand-in reports as expiring soon. */
const PROBE = { name: "platform-https", namespace: "monitoring", url: "https://platform.example.com/" };

/** Longest wait for any one step; a step normally takes 5-15 s. */
const STEP_TIMEOUT_MS = 75_000;

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  value: string;
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  fingerprint: string;
  receivers: { name: string }[];
  status: { state: "active" | "suppressed" | "unprocessed"; inhibitedBy: string[]; silencedBy: string[] };
}

describe(`alerting end to end (${STACK}): generated rules in Prometheus, generated routing in Alertmanager, real notifications`, function () {
  // A test may wait for up to three steps; each wait fails on its own, with the state of both servers.
  this.timeout(4 * STEP_TIMEOUT_MS);
  const input = stackRoutingInput(STACK);
  const secrets = placeholderSecrets(STACK);
  const committed = stackThresholds(STACK);
  const thresholds = withShortForWindows(committed);
  const context = rulesContext(STACK);
  const groups = platformRuleGroups(thresholds, context);
  const generated = alertmanagerConfig(input, secrets, platformAlerts(thresholds, context));

  // Traffic: 3 of 10 requests fail and 2 of 10 take 1.2 × the p95 threshold, so both the error ratio (30 %)
  // and the p95 latency sit well above the stack's real thresholds (asserted below).
  const PATTERN = [ROUTES.ok, ROUTES.error, ROUTES.ok, ROUTES.slow, ROUTES.ok, ROUTES.error, ROUTES.ok, ROUTES.slow, ROUTES.ok, ROUTES.error];
  const ERROR_SHARE = PATTERN.filter((r) => r === ROUTES.error).length / PATTERN.length;
  const SLOW_SHARE = PATTERN.filter((r) => r === ROUTES.slow).length / PATTERN.length;
  const slowSeconds = committed.http.p95LatencySeconds * 1.2;
  // Inside both certificate windows (critical 7d, warning 30d): both TLSCertificateExpiringSoon rules fire.
  const certificateSecondsLeft = durationSeconds(committed.availability.certificateCritical)! / 2;

  const EXTERNAL_LABELS = { cluster: input.clusterName, environment: input.environment };
  const labelsOf = (alertname: string, labels: Record<string, string>) => ({ alertname, namespace: NAMESPACE, service: SERVICE, ...labels, ...EXTERNAL_LABELS });

  // Memory used on two nodes: node A above the critical level (both rules fire), node B between the levels.
  const nodeA = new StaticExporter(nodeMemory((1 + committed.nodes.memoryCriticalRatio) / 2));
  const nodeB = new StaticExporter(nodeMemory((committed.nodes.memoryWarningRatio + committed.nodes.memoryCriticalRatio) / 2));

  let scratch = "";
  const sink = new NotificationSink();
  const app = new InstrumentedApp(SERVICE, slowSeconds);
  // The SLO app fails 30 % of its requests too, fifty a second: enough for the one-hour request rate to pass
  // the minimum rate for paging within a minute of Prometheus' start (rate() of a young series extrapolates
  // only half a scrape interval beyond its first sample).
  const sloApp = new InstrumentedApp(SLO_SERVICE, slowSeconds);
  const SLO_PATTERN = [ROUTES.ok, ROUTES.error, ROUTES.ok, ROUTES.ok, ROUTES.error, ROUTES.ok, ROUTES.ok, ROUTES.error, ROUTES.ok, ROUTES.ok];
  let sloTraffic: Traffic | undefined;
  const blackbox = new BlackboxStandIn({ [PROBE.url]: { success: () => true, certificateSecondsLeft } });
  let traffic: Traffic | undefined;
  let prometheus: ServerProcess | undefined;
  let alertmanager: ServerProcess | undefined;

  // ---- observing the system --------------------------------------------------------------------------------

  const promAlerts = async (): Promise<PromAlert[]> => ((await (await fetch(`${prometheus!.url}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } }).data.alerts;
  const amAlerts = async (): Promise<AmAlert[]> => (await (await fetch(`${alertmanager!.url}/api/v2/alerts`)).json()) as AmAlert[];
  const ours = (l: Record<string, string>) => l.namespace === NAMESPACE && l.service === SERVICE;
  const firing = async (alertname: string) => (await promAlerts()).find((a) => a.labels.alertname === alertname && ours(a.labels) && a.state === "firing");
  const inAlertmanager = async (alertname: string) => (await amAlerts()).find((a) => a.labels.alertname === alertname && ours(a.labels));

  /** Mail recipient → receiver, from the generated configuration (the sink only sees the address). */
  const mailReceiver = new Map<string, string>();
  for (const receiver of generated.receivers) {
    for (const mail of receiver.email_configs ?? []) {
      if (mailReceiver.has(mail.to)) throw new Error(`${mail.to} is the mailbox of two receivers; the test could not tell them apart`);
      mailReceiver.set(mail.to, receiver.name);
    }
  }
  const receiverOf = (d: Delivery) => (d.integration === "email" ? (mailReceiver.get(d.to) ?? `unknown mailbox ${d.to}`) : d.to);
  const delivered = (alertname: string, since = 0) => sink.deliveries.filter((d) => d.alertname === alertname && d.status === "firing" && d.receivedAt >= since);
  const receiversOf = (alertname: string) => [...new Set(delivered(alertname).map(receiverOf))].sort();
  /** The severity a delivery shows: Slack's leading *SEVERITY*, the mail subject's label values, PagerDuty's severity. */
  const severityOf = (d: Delivery): string => {
    if (d.integration === "slack") return /^\*(\w+)\*/.exec(d.body.attachments[0].text)?.[1].toLowerCase() ?? "none";
    if (d.integration === "pagerduty") return d.body.payload.severity;
    return ["critical", "warning", "info"].find((s) => String(d.body.headers.subject).split(/[ ()]/).includes(s)) ?? "none";
  };

  /** Everything a failed wait needs to be diagnosed: both servers' alert state and what the sink got. */
  async function state(): Promise<string> {
    const safe = async (what: () => Promise<unknown>) => {
      try {
        return JSON.stringify(await what(), null, 1);
      } catch (error) {
        return String(error);
      }
    };
    const prom = await safe(async () => (await promAlerts()).map((a) => `${a.state} ${a.labels.alertname} ${JSON.stringify(a.labels)} value=${a.value}`));
    const am = await safe(async () => (await amAlerts()).map((a) => `${a.status.state} ${a.labels.alertname} ${JSON.stringify(a.labels)} inhibitedBy=${a.status.inhibitedBy.join(",")}`));
    const sent = sink.deliveries.map((d) => `${new Date(d.receivedAt).toISOString()} ${d.integration} → ${receiverOf(d)}: ${d.status} ${d.alertname}`);
    return [
      `Prometheus /api/v1/alerts: ${prom}`,
      `Alertmanager /api/v2/alerts: ${am}`,
      `sink deliveries: ${JSON.stringify(sent, null, 1)}`,
      `sink rejected: ${JSON.stringify(sink.rejected)}`,
      `traffic failures: ${JSON.stringify(traffic?.failures.slice(0, 5) ?? [])}`,
      `Prometheus log:\n${prometheus?.log(15) ?? ""}`,
      `Alertmanager log:\n${alertmanager?.log(15) ?? ""}`,
    ].join("\n");
  }

  const until = <T>(what: string, probe: () => Promise<T | undefined>) => waitFor(what, probe, STEP_TIMEOUT_MS, state);

  // ---- the system ---------------------------------------------------------------------------------------------

  before(async function () {
    this.timeout(60_000);
    for (const binary of [PROMETHEUS, ALERTMANAGER]) {
      if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run .ci/setup (Debian packages prometheus and prometheus-alertmanager)`);
    }
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "alerting-e2e-"));
    await sink.start();
    await app.start();
    await sloApp.start();
    await blackbox.start();
    await nodeA.start();
    await nodeB.start();

    const amPort = await freePort();
    const amFile = path.join(scratch, "alertmanager.yml");
    fs.writeFileSync(amFile, toYaml(deliverToSink(generated, { http: sink.httpUrl, smtp: sink.smtpAddress })));
    fs.mkdirSync(path.join(scratch, "alertmanager-data"));
    alertmanager = new ServerProcess("Alertmanager", ALERTMANAGER, [
      `--config.file=${amFile}`,
      `--storage.path=${path.join(scratch, "alertmanager-data")}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      // Empty disables clustering: no gossip listener on 0.0.0.0:9094.
      "--cluster.listen-address=",
    ], `http://127.0.0.1:${amPort}`);
    await alertmanager.ready("/-/ready", 30_000);

    const rulesFile = path.join(scratch, "rules.yml");
    // A plain rule file is what the PrometheusRule objects' spec holds: `groups:` and nothing else.
    fs.writeFileSync(rulesFile, toYaml({ groups }));
    const promPort = await freePort();
    const promFile = path.join(scratch, "prometheus.yml");
    // The app as its ServiceMonitor has it scraped. Its own blackbox Probe is left out: its `up` carries the
    // same namespace/service/role labels (ServiceDown therefore counts pod targets only, which the promtool
    // cases cover with a probe `up` of 1), and its EndpointDown would race ServiceDown to the pager here,
    // where both `for` windows are shortened to the same few seconds.
    const scrapeConfigs = [
      serviceMonitorScrape({
        job: SERVICE,
        address: app.url.replace("http://", ""),
        labels: { namespace: NAMESPACE, service: SERVICE, role: "active", color: "blue", pod: `${SERVICE}-blue-0` },
      }),
      serviceMonitorScrape({
        job: SLO_SERVICE,
        address: sloApp.url.replace("http://", ""),
        labels: { namespace: NAMESPACE, service: SLO_SERVICE, role: "active", color: "blue", pod: `${SLO_SERVICE}-blue-0` },
      }),
      // node-exporter as kube-prometheus-stack scrapes it: job node-exporter, one target per node.
      exporterScrape(
        "node-exporter",
        [nodeA, nodeB].map((node, i) => ({
          address: node.address,
          labels: { namespace: "node-agents", service: "kube-prometheus-stack-prometheus-node-exporter", pod: `node-exporter-${i}` },
        })),
      ),
      probeScrape({ name: PROBE.name, namespace: PROBE.namespace, module: "https_2xx", urls: [PROBE.url], labels: {}, prober: blackbox.address }),
    ];
    fs.writeFileSync(promFile, toYaml(prometheusConfig({ ruleFile: rulesFile, alertmanager: `127.0.0.1:${amPort}`, externalLabels: EXTERNAL_LABELS, scrapeConfigs })));
    prometheus = new ServerProcess("Prometheus", PROMETHEUS, [
      `--config.file=${promFile}`,
      `--storage.tsdb.path=${path.join(scratch, "prometheus-data")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ], `http://127.0.0.1:${promPort}`);
    await prometheus.ready("/-/ready", 30_000);

    traffic = new Traffic(app.url, PATTERN, 100);
    traffic.start();
    sloTraffic = new Traffic(sloApp.url, SLO_PATTERN, 20);
    sloTraffic.start();
  });

  // Also reached when a test fails half-way: nothing this spec started may outlive it.
  // Every stop is attempted even when an earlier one fails; the first failure is reported afterwards.
  after(async function () {
    this.timeout(60_000);
    const results = [
      ...(await Promise.allSettled([traffic?.stop(), sloTraffic?.stop()])),
      ...(await Promise.allSettled([app.stop(), sloApp.stop(), blackbox.stop(), nodeA.stop(), nodeB.stop()])),
      ...(await Promise.allSettled([prometheus?.stop(), alertmanager?.stop()])),
      ...(await Promise.allSettled([sink.stop()])),
    ];
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  });

  // ---- the tests ------------------------------------------------------------------------------------------------

  it("the Alertmanager under test runs the generated routes, receivers and inhibit rules, changed only in timing and destinations", () => {
    const running = deliverToSink(generated, { http: "http://sink", smtp: "sink:25" });
    expect(running.inhibit_rules).to.deep.equal(generated.inhibit_rules);
    const untimed = (route: Route): unknown => {
      const { group_wait, group_interval, repeat_interval, routes, ...rest } = route;
      return { ...rest, routes: routes?.map(untimed) };
    };
    expect(untimed(running.route)).to.deep.equal(untimed(generated.route));
    expect(running.route).to.include(TEST_ROUTE_TIMING);
    const undirected = running.receivers.map(({ slack_configs, pagerduty_configs, webhook_configs, ...rest }) => ({
      ...rest,
      ...(webhook_configs && { webhook_configs: webhook_configs.map((c) => ({ ...c, url: secrets.heartbeatUrl })) }),
      ...(slack_configs && { slack_configs: slack_configs.map(({ api_url, ...c }) => c) }),
      ...(pagerduty_configs && { pagerduty_configs: pagerduty_configs.map(({ url, ...c }) => c) }),
    }));
    expect(undirected).to.deep.equal(generated.receivers);
    expect(running.global).to.deep.equal({ ...generated.global, smtp_smarthost: "sink:25", smtp_require_tls: false, slack_api_url: "http://sink/slack/global" });

    // Every integration delivers to the sink: nothing in the running config points off the machine.
    const rendered = toYaml(running);
    for (const remote of ["hooks.slack.com", "events.pagerduty.com", "hc-ping.com", input.smtpSmarthost]) expect(rendered).to.not.contain(remote);
    const urls = running.receivers.flatMap((r) =>
      [...(r.webhook_configs ?? []).map((c) => c.url), ...(r.slack_configs ?? []).map((c) => c.api_url), ...(r.pagerduty_configs ?? []).map((c) => c.url)].map((url) => `${r.name} ${url}`),
    );
    expect(urls).to.deep.equal([
      "heartbeat http://sink/webhook/heartbeat",
      "slack http://sink/slack/slack",
      "pagerduty http://sink/pagerduty/pagerduty",
      ...input.alertRouting.teams.map((t) => `${t.name}-team http://sink/slack/${t.name}-team`),
    ]);
  });

  it("Prometheus loads every generated rule group, shortened only in its `for` windows, and scrapes the app with the cluster's labels", async () => {
    // The scenario drives the stack's real thresholds, with room to spare, in an application namespace.
    expect(context.appNamespaces).to.include(NAMESPACE);
    expect(context.slos.map((slo) => slo.service), "the committed stack's api declares SLOs, orders none").to.deep.equal([SLO_SERVICE]);
    expect(thresholds.http.errorRatio).to.equal(committed.http.errorRatio);
    expect(thresholds.http.p95LatencySeconds).to.equal(committed.http.p95LatencySeconds);
    expect(ERROR_SHARE, "the injected error share must exceed the production threshold").to.be.greaterThan(2 * committed.http.errorRatio);
    expect(SLOW_SHARE, "more than 5 % slow requests put the p95 among them").to.be.greaterThan(0.05);

    const loaded = await until("the rules to be loaded", async () => {
      const body = (await (await fetch(`${prometheus!.url}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: { name: string; health: string; type: string }[] }[] } };
      return body.data.groups.length > 0 ? body.data.groups : undefined;
    });
    // The API lists groups by name, not in file order.
    expect(loaded.map((g) => g.name)).to.deep.equal(groups.map((g) => g.name).sort());
    expect(loaded.flatMap((g) => g.rules).length).to.equal(groups.reduce((n, g) => n + g.rules.length, 0));
    const alertFor = (name: string) => groups.flatMap((g) => g.rules).filter(isAlertingRule).find((r) => r.alert === name)!.for;
    expect(["HttpHighErrorRate", "HttpSlowResponses", "ServiceDown", "TLSCertificateExpiringSoon", "NodeHighMemoryUsage", "ErrorBudgetBurn"].map(alertFor)).to.deep.equal(Array(6).fill(TEST_FOR));

    // Every rule evaluates without error in this Prometheus (health "err" would carry the PromQL problem).
    const evaluated = await until("every rule to be evaluated", async () => {
      const body = (await (await fetch(`${prometheus!.url}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] } };
      const rules = body.data.groups.flatMap((g) => g.rules);
      return rules.every((r) => r.health !== "unknown") ? rules : undefined;
    });
    expect(evaluated.filter((r) => r.health !== "ok").map((r) => `${r.name}: ${r.lastError}`)).to.deep.equal([]);

    // The app's own series, as the rules read them: the app's service label, the scrape's namespace/role.
    const series = await until("the app's http_requests_total to be scraped", async () => {
      const url = `${prometheus!.url}/api/v1/query?query=${encodeURIComponent(`http_requests_total{route="/api/broken", service="${SERVICE}"}`)}`;
      const result = ((await (await fetch(url)).json()) as { data: { result: { metric: Record<string, string> }[] } }).data.result;
      return result.length > 0 ? result : undefined;
    });
    expect(series.map((s) => s.metric)).to.deep.equal([
      {
        __name__: "http_requests_total",
        job: SERVICE,
        instance: app.url.replace("http://", ""),
        namespace: NAMESPACE,
        service: SERVICE,
        role: "active",
        color: "blue",
        pod: `${SERVICE}-blue-0`,
        method: "GET",
        route: "/api/broken",
        status: "500",
      },
    ]);
  });

  it("the dead man's switch: Alertmanager posts the Watchdog to the heartbeat service again and again, and to no one else", async function () {
    const heartbeats = () => sink.deliveries.filter((d) => d.integration === "webhook");
    // Each repeat_interval of the heartbeat route brings one more; three show it keeps coming. The Watchdog fires
    // at Prometheus' first evaluation, before Prometheus has found Alertmanager, so the first one only leaves
    // with Prometheus' next resend (its rules.alert.resend-delay, a minute): give this step a minute more.
    this.timeout(5 * STEP_TIMEOUT_MS);
    await waitFor("three heartbeats", async () => (heartbeats().length >= 3 ? true : undefined), STEP_TIMEOUT_MS + 60_000, state);
    expect([...new Set(heartbeats().map((d) => `${d.to}: ${d.status} ${d.alertname}`))]).to.deep.equal(["heartbeat: firing Watchdog"]);
    // Each is a notification of its own (Alertmanager's webhook payload), carrying the Watchdog alone.
    for (const beat of heartbeats().slice(0, 3)) {
      expect(beat.body.groupLabels).to.deep.equal({ alertname: "Watchdog" });
      expect(beat.body.alerts.map((a: { labels: Record<string, string> }) => a.labels)).to.deep.equal([
        { alertname: "Watchdog", severity: "none", team: "infrastructure", component: "alerting", ...EXTERNAL_LABELS },
      ]);
    }
    expect(sink.deliveries.filter((d) => d.alertname === "Watchdog" && d.integration !== "webhook")).to.deep.equal([]);
    expect((await amAlerts()).find((a) => a.labels.alertname === "Watchdog")?.receivers.map((r) => r.name)).to.deep.equal(["heartbeat"]);
  });

  it("two nodes: the critical memory alert of node A silences node A's warning, and node B's warning still reaches the infrastructure team", async () => {
    const memory = "NodeHighMemoryUsage";
    const ofNode = (node: StaticExporter, severity: string) => async () =>
      (await amAlerts()).find((a) => a.labels.alertname === memory && a.labels.instance === node.address && a.labels.severity === severity);
    const states = await until("node A's critical and both warnings in Alertmanager, A's warning inhibited", async () => {
      const [aCritical, aWarning, bWarning] = await Promise.all([ofNode(nodeA, "critical")(), ofNode(nodeA, "warning")(), ofNode(nodeB, "warning")()]);
      return aCritical && aWarning?.status.state === "suppressed" && bWarning ? { aCritical, aWarning, bWarning } : undefined;
    });
    expect(states.aWarning.status).to.deep.equal({ state: "suppressed", inhibitedBy: [states.aCritical.fingerprint], silencedBy: [] });
    expect(states.bWarning.status).to.deep.equal({ state: "active", inhibitedBy: [], silencedBy: [] });
    expect(await ofNode(nodeB, "critical")()).to.equal(undefined);

    // The team is told about node B's warning, and never about node A's.
    const warnings = await until("node B's warning posted to the infrastructure team", async () => {
      const posts = delivered(memory).filter((d) => d.integration === "slack" && severityOf(d) === "warning");
      return posts.some((d) => d.body.attachments[0].text.includes(nodeB.address)) ? posts : undefined;
    });
    expect([...new Set(warnings.map(receiverOf))]).to.deep.equal(["infrastructure-team"]);
    for (const post of warnings) expect(post.body.attachments[0].text, "node A's warning was sent").to.not.contain(nodeA.address);
    const pages = delivered(memory).filter((d) => d.integration === "pagerduty");
    expect(pages.length, "node A's critical pages").to.be.greaterThan(0);
    expect(pages.map((d) => d.body.payload.summary)).to.include(`${memory} ${nodeA.address}: A node is about to run out of memory.`);
  });

  it("an SLO burning its budget 300 times too fast pages through PagerDuty, naming the service; its ticket is inhibited; its fixed-threshold alert gives way", async () => {
    const burn = "ErrorBudgetBurn";
    const ofSlo = (l: Record<string, string>) => l.namespace === NAMESPACE && l.service === SLO_SERVICE && l.slo === "availability";
    // PagerDuty's details carry the namespace and service (the SLO is in the alert's labels, checked below).
    await until(`${burn} of ${SLO_SERVICE} at pagerduty`, async () =>
      delivered(burn).some((d) => d.integration === "pagerduty" && d.body.payload.custom_details.service === SLO_SERVICE) ? true : undefined,
    );
    const page = delivered(burn).find((d) => d.integration === "pagerduty")!;
    expect(page.body.payload).to.deep.include({ summary: `${burn} ${NAMESPACE}/${SLO_SERVICE}: A service burns its error budget fast enough to page.`, severity: "critical" });
    expect(page.body.payload.custom_details).to.deep.include({ namespace: NAMESPACE, service: SLO_SERVICE, cluster: input.clusterName });
    expect(page.body.routing_key).to.equal(secrets.pagerdutyRoutingKey);

    const inAm = (await amAlerts()).filter((a) => a.labels.alertname === burn && ofSlo(a.labels));
    const critical = inAm.find((a) => a.labels.severity === "critical")!;
    expect(critical.labels).to.deep.equal({ alertname: burn, namespace: NAMESPACE, service: SLO_SERVICE, slo: "availability", severity: "critical", team: "application", component: "slo", ...EXTERNAL_LABELS });
    expect(critical.receivers.map((r) => r.name).sort()).to.deep.equal(["default", "pagerduty", "slack"]);
    // The ticket pairs hold too (a 300× burn is above 3× and 1×); the page of the same SLO silences the ticket.
    const ticket = await until(`${burn} warning of ${SLO_SERVICE} suppressed`, async () => {
      const warning = (await amAlerts()).find((a) => a.labels.alertname === burn && ofSlo(a.labels) && a.labels.severity === "warning");
      return warning?.status.state === "suppressed" ? warning : undefined;
    });
    expect(ticket.status.inhibitedBy).to.deep.equal([critical.fingerprint]);
    // The value is the burn rate of the short window: 30 % errors against a 0.1 % budget.
    const rule = (await promAlerts()).find((a) => a.labels.alertname === burn && ofSlo(a.labels) && a.labels.severity === "critical" && a.state === "firing")!;
    expect(Number(rule.value)).to.be.closeTo(300, 50);
    // The app's HTTP error alerts give way to its burn-rate alerts, though its error ratio is far above theirs.
    const fixed = (await promAlerts()).filter((a) => a.labels.service === SLO_SERVICE && a.labels.alertname.startsWith("HttpHighErrorRate"));
    expect(fixed).to.deep.equal([]);
    expect(delivered("HttpHighErrorRate").filter((d) => d.integration === "pagerduty" && d.body.payload.custom_details.service === SLO_SERVICE)).to.deep.equal([]);
  });

  it("5xx above the production error ratio fires HttpHighErrorRate, which pages PagerDuty, posts to Slack and mails on-call", async () => {
    const critical = labelsOf("HttpHighErrorRate", { severity: "critical", team: "application", component: "http" });
    await until("HttpHighErrorRate at pagerduty, slack and default", async () => {
      const got = receiversOf("HttpHighErrorRate");
      return ["default", "pagerduty", "slack"].every((r) => got.includes(r)) ? got : undefined;
    });
    // Every integration of the notification group delivers in the same flush, so a team receiver would be here by now.
    expect(receiversOf("HttpHighErrorRate")).to.deep.equal(["default", "pagerduty", "slack"]);

    const rule = (await firing("HttpHighErrorRate"))!;
    expect(rule.labels).to.deep.equal({ alertname: "HttpHighErrorRate", namespace: NAMESPACE, service: SERVICE, severity: "critical", team: "application", component: "http" });
    expect(Number(rule.value)).to.be.closeTo(ERROR_SHARE, 0.05);

    const am = (await inAlertmanager("HttpHighErrorRate"))!;
    expect(am.labels).to.deep.equal(critical);
    expect(am.status).to.deep.equal({ state: "active", inhibitedBy: [], silencedBy: [] });
    expect(am.receivers.map((r) => r.name).sort()).to.deep.equal(["default", "pagerduty", "slack"]);

    const [page] = delivered("HttpHighErrorRate").filter((d) => d.integration === "pagerduty");
    expect(page.body).to.deep.include({ routing_key: secrets.pagerdutyRoutingKey, event_action: "trigger", client: `Alertmanager ${input.clusterName}` });
    // The incident title names the service.
    expect(page.body.payload).to.deep.include({ summary: `HttpHighErrorRate ${NAMESPACE}/${SERVICE}: A service answers too many requests with a server error.`, severity: "critical" });
    expect(page.body.payload.custom_details).to.deep.include({ cluster: input.clusterName, namespace: NAMESPACE, service: SERVICE, runbook_url: am.annotations.runbook_url });

    const [post] = delivered("HttpHighErrorRate").filter((d) => d.integration === "slack");
    expect(post.body.channel).to.equal(input.slackChannel);
    expect(post.body.attachments[0].title).to.equal(`[FIRING:1] HttpHighErrorRate (${input.clusterName})`);
    const text: string = post.body.attachments[0].text;
    expect(text).to.match(
      new RegExp(`^\\*CRITICAL\\* apps/orders: A service answers too many requests with a server error\\.\\napps/orders answers [0-9.]+% of its requests with a 5xx status, above 5% for ${TEST_FOR}\\.\\nRunbook: https://\\S+/http\\.md#httphigherrorrate\\n$`),
    );
    expect(Number(/answers ([0-9.]+)%/.exec(text)![1])).to.be.closeTo(ERROR_SHARE * 100, 5);

    const [mail] = delivered("HttpHighErrorRate").filter((d) => d.integration === "email");
    expect(mail.to).to.equal(input.alertEmailTo);
    expect(mail.body.from).to.equal(input.alertEmailFrom);
    expect(mail.body.auth).to.deep.equal({ username: input.alertEmailFrom, password: secrets.smtpPassword });
    // email.default.subject: the group labels' values, then the other common labels' values by label name
    // (cluster, component, environment, severity, team): Prometheus' external labels are on every alert.
    expect(mail.body.headers.subject).to.equal(`[${STACK}] [FIRING:1] HttpHighErrorRate ${NAMESPACE} ${SERVICE} (${input.clusterName} http ${STACK} critical application)`);
  });

  it("a p95 above the production threshold fires the warning HttpSlowResponses: Slack and mail, no page, not inhibited by the critical alert of another name", async () => {
    await until("HttpSlowResponses at slack and default", async () => {
      const got = receiversOf("HttpSlowResponses");
      return got.includes("slack") && got.includes("default") ? got : undefined;
    });
    expect(receiversOf("HttpSlowResponses")).to.deep.equal(["default", "slack"]);
    const rule = (await firing("HttpSlowResponses"))!;
    expect(Number(rule.value)).to.be.greaterThan(committed.http.p95LatencySeconds);

    // Critical inhibits warnings of its own alertname/namespace/service only: HttpHighErrorRate fires for the
    // same service and this warning stays active.
    const am = (await inAlertmanager("HttpSlowResponses"))!;
    expect(am.labels).to.deep.equal(labelsOf("HttpSlowResponses", { severity: "warning", team: "application", component: "http" }));
    expect(am.status).to.deep.equal({ state: "active", inhibitedBy: [], silencedBy: [] });
    expect((await inAlertmanager("HttpHighErrorRate"))?.status.state).to.equal("active");
  });

  it("a certificate inside both windows fires both TLSCertificateExpiringSoon rules: the critical pages and reaches the infrastructure team, the warning of the same name is inhibited and never sent", async () => {
    const tls = "TLSCertificateExpiringSoon";
    // The critical is re-notified every repeat_interval; by its second round an uninhibited warning would have gone out several times.
    await until(`${tls} notified twice to the infrastructure team`, async () =>
      delivered(tls).filter((d) => d.integration === "slack" && d.to === "infrastructure-team").length >= 2 ? true : undefined,
    );
    expect((await promAlerts()).filter((a) => a.labels.alertname === tls && a.state === "firing").map((a) => a.labels.severity).sort()).to.deep.equal(["critical", "warning"]);

    const inAm = (await amAlerts()).filter((a) => a.labels.alertname === tls);
    const critical = inAm.find((a) => a.labels.severity === "critical")!;
    const warning = inAm.find((a) => a.labels.severity === "warning")!;
    const probeLabels = { alertname: tls, job: PROBE.name, instance: PROBE.url, team: "infrastructure", component: "tls", ...EXTERNAL_LABELS };
    expect(critical.labels).to.deep.equal({ ...probeLabels, severity: "critical" });
    expect(critical.status).to.deep.equal({ state: "active", inhibitedBy: [], silencedBy: [] });
    expect(critical.receivers.map((r) => r.name).sort()).to.deep.equal(["infrastructure-team", "pagerduty"]);
    expect(warning.labels).to.deep.equal({ ...probeLabels, severity: "warning" });
    expect(warning.status).to.deep.equal({ state: "suppressed", inhibitedBy: [critical.fingerprint], silencedBy: [] });
    expect(warning.receivers.map((r) => r.name)).to.deep.equal(["infrastructure-team"]);

    // Team routing: on-call and the team's channel and mailbox, not the platform team's; and only the critical.
    expect(receiversOf(tls)).to.deep.equal(["infrastructure-team", "pagerduty"]);
    expect([...new Set(delivered(tls).map((d) => `${d.integration} → ${receiverOf(d)}: ${severityOf(d)}`))].sort()).to.deep.equal([
      "email → infrastructure-team: critical",
      "pagerduty → pagerduty: critical",
      "slack → infrastructure-team: critical",
    ]);
    const team = input.alertRouting.teams.find((t) => t.name === "infrastructure")!;
    const [post] = delivered(tls).filter((d) => d.integration === "slack");
    expect(post.body.channel).to.equal(team.slackChannel);
    expect(post.body.attachments[0].text).to.match(/^\*CRITICAL\* A TLS certificate is about to expire\.\nThe certificate served at https:\/\/platform\.example\.com\/ expires in .+, less than 7d\.\n/);
    expect(delivered(tls).filter((d) => d.integration === "email").map((d) => d.to)).to.include(team.email);
  });

  // Set when the inhibition shows in Alertmanager; the quiet check below counts deliveries from then on.
  let inhibitedAt = 0;

  it("when the service goes down, ServiceDown pages and suppresses the service's other alerts, which keep firing in Prometheus", async () => {
    // Before: the critical alert is re-notified every repeat_interval. This is what must stop under inhibition.
    await until("a repeated page for HttpHighErrorRate", async () => (delivered("HttpHighErrorRate").filter((d) => d.integration === "pagerduty").length >= 2 ? true : undefined));

    await traffic!.stop();
    await app.stop();

    const inhibited = await until("HttpHighErrorRate and HttpSlowResponses suppressed by ServiceDown", async () => {
      const alerts = await amAlerts();
      const down = alerts.find((a) => a.labels.alertname === "ServiceDown" && ours(a.labels));
      const symptoms = alerts.filter((a) => ["HttpHighErrorRate", "HttpSlowResponses"].includes(a.labels.alertname) && ours(a.labels));
      const done = down && symptoms.length === 2 && symptoms.every((a) => a.status.state === "suppressed" && a.status.inhibitedBy.includes(down.fingerprint));
      return done ? { down, symptoms } : undefined;
    });
    inhibitedAt = Date.now();

    expect(inhibited.down.labels).to.deep.equal(labelsOf("ServiceDown", { severity: "critical", team: "application", component: "availability" }));
    expect(inhibited.down.status).to.deep.equal({ state: "active", inhibitedBy: [], silencedBy: [] });
    expect(Object.fromEntries(inhibited.symptoms.map((a) => [a.labels.alertname, a.status]))).to.deep.equal({
      HttpHighErrorRate: { state: "suppressed", inhibitedBy: [inhibited.down.fingerprint], silencedBy: [] },
      HttpSlowResponses: { state: "suppressed", inhibitedBy: [inhibited.down.fingerprint], silencedBy: [] },
    });
    // Only that service's alerts: the certificate alert of the probe (no namespace/service labels) stays active.
    expect((await amAlerts()).find((a) => a.labels.alertname === "TLSCertificateExpiringSoon" && a.labels.severity === "critical")?.status.state).to.equal("active");
    // Inhibition is Alertmanager's: the rules still fire (the 5m rate window still holds the errors).
    expect((await firing("HttpHighErrorRate"))?.state).to.equal("firing");
    expect((await firing("HttpSlowResponses"))?.state).to.equal("firing");

    await until("ServiceDown at pagerduty, slack and default", async () => {
      const got = receiversOf("ServiceDown");
      return ["default", "pagerduty", "slack"].every((r) => got.includes(r)) ? got : undefined;
    });
    expect(receiversOf("ServiceDown")).to.deep.equal(["default", "pagerduty", "slack"]);
    const [post] = delivered("ServiceDown").filter((d) => d.integration === "slack");
    expect(post.body.attachments[0].text).to.equal(
      `*CRITICAL* apps/orders: Every instance of a service is down.\nPrometheus has not been able to scrape any instance of apps/orders for ${TEST_FOR}.\n` +
        `Runbook: ${inhibited.down.annotations.runbook_url}\n`,
    );
  });

  it("while ServiceDown fires, the inhibited alerts are not notified again, though ServiceDown itself is", async function () {
    expect(inhibitedAt, "the previous test did not reach the inhibition").to.be.greaterThan(0);
    // A flush that began before the inhibitor saw ServiceDown may still be on its way: allow it one group_interval.
    const from = inhibitedAt + parseInt(TEST_ROUTE_TIMING.group_interval, 10) * 1000;
    // Three repeat cycles: without the inhibition each receiver of both alerts would be notified again.
    const quietMs = 3 * (parseInt(TEST_ROUTE_TIMING.repeat_interval, 10) + parseInt(TEST_ROUTE_TIMING.group_interval, 10)) * 1000;
    this.timeout(quietMs + 30_000);
    await sleep(Math.max(0, from + quietMs - Date.now()));

    // The pipeline was alive throughout: ServiceDown's own group was re-notified in the same window.
    expect(delivered("ServiceDown", from).filter((d) => d.integration === "pagerduty").length, await state()).to.be.greaterThan(0);
    const leaked = [...delivered("HttpHighErrorRate", from), ...delivered("HttpSlowResponses", from)].map((d) => `${d.integration} → ${receiverOf(d)}: ${d.alertname}`);
    expect(leaked, await state()).to.deep.equal([]);
    expect((await inAlertmanager("HttpHighErrorRate"))?.status.state).to.equal("suppressed");
    expect((await firing("HttpHighErrorRate"))?.state).to.equal("firing");
    expect(sink.rejected).to.deep.equal([]);
  });

  it("when the service is back, ServiceDown resolves to Slack and PagerDuty but not by mail (send_resolved: false), and the other alerts notify again", async () => {
    const back = Date.now();
    await app.start();

    const resolvedAt = await until("ServiceDown resolved at pagerduty and slack", async () => {
      const resolved = sink.deliveries.filter((d) => d.alertname === "ServiceDown" && d.status === "resolved");
      return ["pagerduty", "slack"].every((r) => resolved.some((d) => receiverOf(d) === r)) ? Math.max(...resolved.map((d) => d.receivedAt)) : undefined;
    });
    const [resolve] = sink.deliveries.filter((d) => d.alertname === "ServiceDown" && d.status === "resolved" && d.integration === "pagerduty");
    expect(resolve.body).to.deep.include({ routing_key: secrets.pagerdutyRoutingKey, event_action: "resolve" });
    // The whole group is flushed at once, so a resolution mail would have arrived with the Slack message.
    await sleep(Math.max(0, resolvedAt + 2_000 - Date.now()));
    const resolvedTo = sink.deliveries.filter((d) => d.alertname === "ServiceDown" && d.status === "resolved").map(receiverOf);
    expect([...new Set(resolvedTo)].sort()).to.deep.equal(["pagerduty", "slack"]);

    // No longer inhibited: the still-firing error-rate alert is active and paged again.
    await until("HttpHighErrorRate active and paged again", async () => {
      const active = (await inAlertmanager("HttpHighErrorRate"))?.status.state === "active";
      return active && delivered("HttpHighErrorRate", back).some((d) => d.integration === "pagerduty") ? true : undefined;
    });
    expect((await inAlertmanager("HttpHighErrorRate"))?.status).to.deep.equal({ state: "active", inhibitedBy: [], silencedBy: [] });
  });

  it("two databases' BackupTooOld are two PagerDuty incidents, each titled with its database (the backup alerts have no service to group by)", async () => {
    const tooOld = "BackupTooOld";
    const summary = "A database's newest successful backup is older than the maximum age.";
    // Posted as Prometheus posts them: the rule is promtool's to test; this is about Alertmanager's grouping.
    const alertOf = (database: string) => ({
      labels: { alertname: tooOld, severity: "critical", team: "database", component: "backup", namespace: "backups", database },
      annotations: { summary },
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 600_000).toISOString(),
    });
    const posted = await fetch(`${alertmanager!.url}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([alertOf("orders"), alertOf("billing")]) });
    expect(posted.status).to.equal(200);
    const pages = await until("a page per database", async () => {
      const found = delivered(tooOld).filter((d) => d.integration === "pagerduty");
      return found.length >= 2 ? found : undefined;
    });
    expect(pages.map((d) => d.body.payload.summary).sort()).to.deep.equal([`${tooOld} database billing: ${summary}`, `${tooOld} database orders: ${summary}`]);
    expect([...new Set(delivered(tooOld).map(receiverOf))].sort()).to.deep.equal(["database-team", "pagerduty"]);
  });

  it("everything stops cleanly: Prometheus and Alertmanager exit 0 on SIGTERM, the app and the sink close, the scratch folder goes", async function () {
    this.timeout(60_000);
    await Promise.all([traffic?.stop(), sloTraffic?.stop()]);
    await Promise.all([app.stop(), sloApp.stop(), blackbox.stop(), nodeA.stop(), nodeB.stop()]);
    expect([app.listening, sloApp.listening]).to.deep.equal([false, false]);
    const [promExit, amExit] = await Promise.all([prometheus!.stop(), alertmanager!.stop()]);
    expect({ prometheus: promExit, alertmanager: amExit }, `${prometheus!.log()}\n${alertmanager!.log()}`).to.deep.equal({ prometheus: { code: 0, signal: null }, alertmanager: { code: 0, signal: null } });
    expect([prometheus!.running, alertmanager!.running]).to.deep.equal([false, false]);
    const refused = async (url: string) => fetch(url).then(() => "answered", (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? String(error));
    expect(await refused(`${prometheus!.url}/-/ready`)).to.equal("ECONNREFUSED");
    expect(await refused(`${alertmanager!.url}/-/ready`)).to.equal("ECONNREFUSED");
    await sink.stop();
    expect(await refused(`${sink.httpUrl}/slack/x`)).to.equal("ECONNREFUSED");
    fs.rmSync(scratch, { recursive: true, force: true });
    expect(fs.existsSync(scratch)).to.equal(false);
  });
});
