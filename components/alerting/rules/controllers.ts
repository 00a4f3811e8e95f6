import { EXPORTER_JOBS } from "../../metrics/exporter-metrics";
import { alertRule, countedOver, seconds, selector } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "controllers";
/** A Kubernetes object the controller reports on: its namespace (moved back from exported_namespace) and name. */
const OBJECT = ["namespace", "name"];
/**
 * How long a Certificate or an ExternalSecret may stay not Ready before it is news: cert-manager retries a failed
 * issuance after an hour, ESO a failed sync within minutes (controller-runtime's backoff), and a new hostname's
 * first certificate takes a few minutes of DNS-01. Fixed: no stack has asked for another.
 */
const NOT_READY_FOR = "30m";
/**
 * How long the ClusterSecretStore or the ClusterIssuer may stay not Ready. Both retry a failed validation within
 * seconds to minutes (controller-runtime's and cert-manager's backoff), so a quarter of that is not a blip; and it
 * is shorter than NOT_READY_FOR, so the one cause arrives before the alerts of the objects that use it.
 */
const SOURCE_NOT_READY_FOR = "10m";
/** A cluster-scoped object the controller reports on: its name (`namespace` is the controller's own). */
const CLUSTER_OBJECT = ["name"];
/**
 * external-dns syncs every minute (its values' interval); a quarter of an hour without a completed sync is
 * fifteen missed runs, not a slow Route 53 call. It must then last 5 minutes more.
 */
const DNS_SYNC_MAX_AGE = "15m";
const DNS_SYNC_STALE_FOR = "5m";
/**
 * How far back the newest completed sync is looked for. A restarted external-dns reports 0 until its first sync;
 * the maximum over the window keeps the previous process's last sync, so a restart alone never fires.
 */
const DNS_SYNC_LOOKBACK = "1d";

/**
 * Envoy Gateway's failures are events that leave something behind: a rejected xDS update, a status or a
 * translation that failed, each stays as it is until a later change of the same objects succeeds, which may be
 * hours away. Nothing Envoy Gateway exposes says when that happens, so an event is news for an hour. Events of a
 * process that is gone are not: a new process translates everything, serves it to every proxy that reconnects,
 * and, once leader, writes every status anew.
 */
const GATEWAY_EVENTS_WINDOW = "1h";
/**
 * A failure the controller's replacement redoes within five minutes (a crash, a rollout, a leadership handover,
 * which all start a new process) is not reported: its series leave with the process before then.
 */
const GATEWAY_EVENTS_FOR = "5m";
/** The controller's own series: a ServiceMonitor of the platform's names the job after its Service. */
const GATEWAY_CONTROLLER = ["namespace", "job"];

/** Per object, with the object's namespace as `namespace`: the controller's metrics carry it as exported_namespace. */
function perObject(aggregation: string, series: string): string {
  return `${aggregation} by (${OBJECT.join(", ")}) (\n  label_replace(${series}, "namespace", "$1", "exported_namespace", "(.+)")\n)`;
}

/**
 * The platform's controllers failing at their one job, seen from their own metrics: an ExternalSecret that no
 * longer syncs from Secrets Manager (a rotated secret never reaches its pods) and the ClusterSecretStore they all
 * sync through, a Certificate cert-manager cannot make Ready (a new hostname's first certificate, a changed one)
 * and the ClusterIssuer they are issued by, external-dns no longer writing Route 53, and Envoy Gateway failing to
 * turn the Gateway API objects into the proxies' configuration, the proxies rejecting it, or its leader failing to
 * write the objects' status.
 * Their pods crashing or missing is the workload alerts' (PodCrashLooping, DeploymentReplicasMismatch).
 */
export const controllerRules: RuleGroupBuilder = (t) => {
  const certificateWarning = seconds(t.availability.certificateWarning);
  const certManager = `job="${EXPORTER_JOBS.certManager}"`;
  const gatewayJob = `job="${EXPORTER_JOBS.envoyGateway}"`;
  /** Envoy Gateway's events of `series` in the window, per `by`, when there are any. */
  const gatewayEvents = (by: readonly string[], series: string) =>
    `sum by (${by.join(", ")}) (\n  ${countedOver(series, GATEWAY_EVENTS_WINDOW).replace(/\n/g, "\n  ")}\n) > 0`;
  // A Certificate whose certificate expires within TLSCertificateExpiringSoon's window (or has expired): the
  // blackbox probe of its hostname reports it, with the days left. cert-manager renews 30 days before expiry
  // (renewBefore 720h, components/certificates), the warning's window in both stacks, so a failing renewal is
  // that alert's from the renewal time on. Before its first issuance the expiry is 0, and it stays this alert's.
  const expiringSoon = `(\n  ${perObject("max", selector("certmanager_certificate_expiration_timestamp_seconds", certManager)).replace(/\n/g, "\n  ")} > 0\n) < time() + ${certificateWarning}`;
  return {
    name: "platform-controllers",
    rules: [
      alertRule(RUNBOOK, {
        alert: "ExternalSecretNotSynced",
        // ESO sets Ready False whenever a sync fails (provider errors, a missing key, a refused Secret) and back
        // to True on the next success; the Secret keeps its last synced data meanwhile.
        expr: `${perObject("max", selector("externalsecret_status_condition", `job="${EXPORTER_JOBS.externalSecrets}"`, `condition="Ready"`, `status="False"`))} == 1`,
        for: NOT_READY_FOR,
        severity: "warning",
        team: "infrastructure",
        component: "secrets",
        identity: OBJECT,
        summary: "An ExternalSecret no longer syncs from AWS Secrets Manager.",
        description: `ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} has failed to sync for ${NOT_READY_FOR}: its Secret keeps the last value it synced, so a secret rotated in Secrets Manager does not reach the pods.`,
      }),
      alertRule(RUNBOOK, {
        alert: "ClusterSecretStoreNotReady",
        // ESO validates the store on every reconcile by fetching the provider's credentials (for the platform's
        // store, the controller's IRSA role through STS) and refuses to sync any ExternalSecret from a store that
        // is not Ready. It does not call Secrets Manager: a role that lost its secretsmanager permissions keeps
        // the store Ready, and only ExternalSecretNotSynced shows it.
        expr: `max by (${CLUSTER_OBJECT.join(", ")}) (${selector("clustersecretstore_status_condition", `job="${EXPORTER_JOBS.externalSecrets}"`, `condition="Ready"`, `status="False"`)}) == 1`,
        for: SOURCE_NOT_READY_FOR,
        severity: "warning",
        team: "infrastructure",
        component: "secrets",
        identity: CLUSTER_OBJECT,
        summary: "The ClusterSecretStore cannot reach AWS Secrets Manager: no ExternalSecret syncs.",
        description: `ClusterSecretStore {{ $labels.name }} has not been Ready for ${SOURCE_NOT_READY_FOR}: External Secrets Operator cannot get credentials for Secrets Manager, so no ExternalSecret using it syncs (ExternalSecretNotSynced follows for each after ${NOT_READY_FOR}).`,
      }),
      alertRule(RUNBOOK, {
        alert: "CertificateNotReady",
        expr: `${perObject("max", selector("certmanager_certificate_ready_status", certManager, `condition!="True"`))} == 1\nunless on (${OBJECT.join(", ")})\n${expiringSoon}`,
        for: NOT_READY_FOR,
        severity: "warning",
        team: "infrastructure",
        component: "certificates",
        identity: OBJECT,
        summary: "A Certificate cannot be issued by cert-manager.",
        description: `Certificate {{ $labels.namespace }}/{{ $labels.name }} has not been Ready for ${NOT_READY_FOR}: cert-manager fails to issue the certificate its spec asks for (a new hostname has none; a changed one keeps serving its previous certificate).`,
      }),
      alertRule(RUNBOOK, {
        alert: "ClusterIssuerNotReady",
        // cert-manager reports each ClusterIssuer's Ready condition (one series per status, 1 for the current
        // one; Unknown until its first sync). For ACME, Ready is the account's registration with Let's Encrypt;
        // no Certificate of the issuer is issued or renewed while it is not Ready.
        expr: `max by (${CLUSTER_OBJECT.join(", ")}) (${selector("certmanager_clusterissuer_ready_status", certManager, `condition!="True"`)}) == 1`,
        for: SOURCE_NOT_READY_FOR,
        severity: "warning",
        team: "infrastructure",
        component: "certificates",
        identity: CLUSTER_OBJECT,
        summary: "A cert-manager ClusterIssuer is not Ready: no certificate is issued or renewed.",
        description: `ClusterIssuer {{ $labels.name }} has not been Ready for ${SOURCE_NOT_READY_FOR}: cert-manager issues and renews no Certificate from it (for ACME, its Let's Encrypt account cannot be registered or verified).`,
      }),
      alertRule(RUNBOOK, {
        alert: "ExternalDNSSyncStale",
        // The timestamp of the last sync that completed, whether it changed records or found them up to date; a
        // failing one (Route 53 errors, throttling, a source it cannot read) leaves it behind.
        expr: `time() - max by (namespace, job) (max_over_time(${selector("external_dns_controller_last_sync_timestamp_seconds", `job="${EXPORTER_JOBS.externalDns}"`)}[${DNS_SYNC_LOOKBACK}])) > ${seconds(DNS_SYNC_MAX_AGE)}`,
        for: DNS_SYNC_STALE_FOR,
        severity: "warning",
        team: "infrastructure",
        component: "dns",
        identity: ["namespace", "job"],
        summary: "DNS records are no longer synced to Route 53 by external-dns.",
        description: `{{ $labels.job }} in {{ $labels.namespace }} last completed a sync with Route 53 {{ $value | humanizeDuration }} ago (more than ${DNS_SYNC_MAX_AGE}, for ${DNS_SYNC_STALE_FOR}): new or moved hostnames do not resolve to the Gateway.`,
      }),
      alertRule(RUNBOOK, {
        alert: "EnvoyGatewayConfigRejected",
        // A proxy NACKs an xDS update it cannot load. The proxies speak delta xDS (Envoy Gateway's bootstrap), where
        // the rejected resources are not sent again until they change or the proxy reconnects: one NACK per proxy
        // and update, not a stream of them, so one is enough. Counted on the replica the proxy is connected to.
        expr: gatewayEvents(GATEWAY_CONTROLLER, selector("xds_nack_total", gatewayJob)),
        for: GATEWAY_EVENTS_FOR,
        severity: "warning",
        team: "infrastructure",
        component: "gateway",
        identity: GATEWAY_CONTROLLER,
        summary: "Envoy proxies reject the configuration Envoy Gateway sends them.",
        description: `Envoy proxies rejected {{ $value | humanize }} xDS updates from {{ $labels.job }} in {{ $labels.namespace }} in the last ${GATEWAY_EVENTS_WINDOW}: each keeps serving the configuration it had, so Gateway API changes since then are not live, and a proxy that starts now runs without the rejected part.`,
      }),
      alertRule(RUNBOOK, {
        alert: "EnvoyGatewayTranslationFailing",
        // The runners that turn the Gateway API objects into what the proxies run, on every replica (the
        // infrastructure runner on the leader only): gateway-api (objects to Envoy Gateway's IR, which it does not
        // publish when invalid), xds (IR to xDS: the proxies keep the last snapshot) and infrastructure (the
        // proxies' Deployment and Service). An object a team got wrong is no failure here: it shows in the
        // object's status. The provider runner's failures are status writes of objects deleted meanwhile.
        expr: gatewayEvents([...GATEWAY_CONTROLLER, "runner"], selector("watchable_subscribe_total", gatewayJob, `runner=~"gateway-api|xds|infrastructure"`, `status="failure"`)),
        for: GATEWAY_EVENTS_FOR,
        severity: "warning",
        team: "infrastructure",
        component: "gateway",
        identity: [...GATEWAY_CONTROLLER, "runner"],
        summary: "Envoy Gateway fails to turn Gateway API objects into the proxies' configuration.",
        description: `{{ $labels.job }} in {{ $labels.namespace }} failed {{ $value | humanize }} updates in its {{ $labels.runner }} runner in the last ${GATEWAY_EVENTS_WINDOW}: the proxies keep the configuration and Deployment they had, so Gateway API changes since then may not be live.`,
      }),
      alertRule(RUNBOOK, {
        alert: "EnvoyGatewayStatusUpdatesFailing",
        // Only the leader writes status, so only it has these series. A conflict is retried at once (and counted
        // as a failure even when the retry succeeds); any other error drops the write, and the status stays as it
        // was until that object's status changes again or a new leader writes every status.
        expr: gatewayEvents(GATEWAY_CONTROLLER, selector("status_update_total", gatewayJob, `status="failure"`, `reason="error"`)),
        for: GATEWAY_EVENTS_FOR,
        severity: "warning",
        team: "infrastructure",
        component: "gateway",
        identity: GATEWAY_CONTROLLER,
        summary: "Envoy Gateway's leader fails to write the status of Gateway API objects.",
        description: `The leader of {{ $labels.job }} in {{ $labels.namespace }} failed {{ $value | humanize }} status writes in the last ${GATEWAY_EVENTS_WINDOW}: those Gateways and routes show stale conditions and addresses, and external-dns, which finds a route's Gateway through its status, may not publish a new hostname.`,
      }),
    ],
  };
};
