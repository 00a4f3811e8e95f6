import { appsProblems } from "./apps-schema";
import { BACKUP_STARTING_DEADLINE_SECONDS, DEFAULT_BACKUP_RUN_DEADLINE, longestHealthyBackupGapSeconds, longestHealthyDrillGapSeconds, restoreDrillDeadlineSeconds } from "./backup-job-timing";
import { durationSeconds, longestScheduleGapSeconds, shortestScheduleGapSeconds } from "./formats";
import { type ConfigProblem, EKS_CLUSTER_ARN, grafanaHostname, PLATFORM_SYSTEM_NAMESPACES, type ValidatedSettings } from "./schema";

type Key = keyof ValidatedSettings;

/**
 * A check across several keys. It reads only the keys it names: `inputs` must all have validated for it to
 * run (a broken key would only set off a follow-on report), `optional` ones are compared where they did.
 */
interface CrossFieldCheck {
  readonly inputs: readonly Key[];
  readonly optional: readonly Key[];
  readonly run: (valid: Partial<ValidatedSettings>) => ConfigProblem[];
}

function check<K extends Key, O extends Key = never>(
  inputs: readonly K[],
  run: (settings: Pick<ValidatedSettings, K> & Partial<Pick<ValidatedSettings, O>>) => ConfigProblem[],
  optional: readonly O[] = [],
): CrossFieldCheck {
  const only = (valid: Partial<ValidatedSettings>) => Object.fromEntries([...inputs, ...optional].filter((k) => k in valid).map((k) => [k, valid[k]]));
  return { inputs, optional, run: (valid) => run(only(valid) as Pick<ValidatedSettings, K> & Partial<Pick<ValidatedSettings, O>>) };
}

const notConfigured = (name: string, names: readonly string[]) => `"${name}" is not one of the configured namespaces (${names.join(", ")})`;
const namespaceNames = (settings: Pick<ValidatedSettings, "namespaces">) => settings.namespaces.map((ns) => ns.name);
const backsUp = (settings: Pick<ValidatedSettings, "databases">) => settings.databases.some((db) => db.backup.enabled);

// In the order their reports have always come in.
const CHECKS: readonly CrossFieldCheck[] = [
  // The context `aws eks update-kubeconfig` writes names the cluster's account, region and name: a stack
  // whose context points at another cluster than its own settings describe is refused before anything runs.
  check(
    ["kubeContext"],
    (s) => {
      const eks = EKS_CLUSTER_ARN.exec(s.kubeContext);
      if (!eks) return [];
      const [, region, account, cluster] = eks;
      const mismatches: string[] = [];
      if (s.awsAccountId !== undefined && account !== s.awsAccountId) mismatches.push(`account ${account}, not awsAccountId ${s.awsAccountId}`);
      if (s.awsRegion !== undefined && region !== s.awsRegion) mismatches.push(`region ${region}, not aws:region ${s.awsRegion}`);
      if (s.clusterName !== undefined && cluster !== s.clusterName) mismatches.push(`cluster ${cluster}, not clusterName ${s.clusterName}`);
      return mismatches.length === 0 ? [] : [{ path: "kubeContext", reason: `names an EKS cluster in ${mismatches.join(", ")} (got ${JSON.stringify(s.kubeContext)})` }];
    },
    ["awsAccountId", "awsRegion", "clusterName"],
  ),
  check(["namespaces"], (s) => {
    const names = namespaceNames(s);
    return names.flatMap((name, i) => (names.indexOf(name) !== i ? [{ path: `namespaces[${i}].name`, reason: `duplicate namespace "${name}"` }] : []));
  }),
  ...(["databases", "caches"] as const).map((key) =>
    check([key], (s) => {
      const names = s[key].map((entry) => entry.name);
      return names.flatMap((name, i) => (names.indexOf(name) !== i ? [{ path: `${key}[${i}].name`, reason: `duplicate ${key === "databases" ? "database" : "cache"} "${name}"` }] : []));
    }),
  ),
  check(["databases", "oidcProviderArn"], (s) =>
    backsUp(s) && s.oidcProviderArn === "" ? [{ path: "oidcProviderArn", reason: "is required when a database has backups enabled (the backup jobs reach S3 through an IRSA role)" }] : [],
  ),
  check(["monitoring", "oidcProviderArn"], (s) => {
    if (s.oidcProviderArn !== "") return [];
    return (["loki", "tempo"] as const)
      .filter((store) => s.monitoring[store].storage === "s3")
      .map((store) => ({
        path: "oidcProviderArn",
        reason: `is required when monitoring.${store}.storage is s3 (${store === "loki" ? "Loki" : "Tempo"} reaches S3 through an IRSA role)`,
      }));
  }),
  check(
    ["environment", "monitoring"],
    (s) => {
      if (s.environment !== "production") return [];
      const ha: [string, number, number][] = [
        ["monitoring.prometheus.replicas", s.monitoring.prometheus.replicas, 2],
        ["monitoring.alertmanager.replicas", s.monitoring.alertmanager.replicas, 3],
        // Every request of every app passes the gateway: one replica is an outage at each node drain.
        ...(s.gateway === undefined ? [] : [["gateway.replicas", s.gateway.replicas, 2] as [string, number, number]]),
      ];
      return ha.filter(([, value, minimum]) => value < minimum).map(([path, value, minimum]) => ({ path, reason: `production runs at least ${minimum} for high availability (got ${value})` }));
    },
    ["gateway"],
  ),
  // Production gives each Prometheus and Alertmanager replica a node of its own (required anti-affinity): with
  // fewer nodes than replicas the last ones stay Pending for good, and the autoscaler cannot add the node.
  check(["environment", "monitoring", "maxNodes"], (s) => {
    if (s.environment !== "production") return [];
    return (["prometheus", "alertmanager"] as const)
      .filter((store) => s.monitoring[store].replicas > s.maxNodes)
      .map((store) => ({
        path: `monitoring.${store}.replicas`,
        reason:
          `production places each replica on a node of its own (required pod anti-affinity), so ${s.monitoring[store].replicas} replicas need ` +
          `maxNodes of at least ${s.monitoring[store].replicas} (got maxNodes ${s.maxNodes})`,
      }));
  }),
  // The Loki chart gives each replica a node of its own in every environment (required pod anti-affinity, the
  // chart's default): with fewer nodes than replicas the last ones stay Pending, and their share of the ring's
  // streams with them.
  check(["monitoring", "maxNodes"], (s) =>
    s.monitoring.loki.replicas > s.maxNodes
      ? [
          {
            path: "monitoring.loki.replicas",
            reason:
              `the Loki chart places each replica on a node of its own (required pod anti-affinity), so ${s.monitoring.loki.replicas} replicas need ` +
              `maxNodes of at least ${s.monitoring.loki.replicas} (got maxNodes ${s.maxNodes})`,
          },
        ]
      : [],
  ),
  // Each of the apps' checks needs its own stack key only: a broken domain does not hide a namespace mistake.
  check(
    ["apps"],
    (s) =>
      appsProblems(s.apps, {
        environment: s.environment,
        domain: s.domain,
        namespaces: s.namespaces,
        reservedHostnames: s.domain === undefined ? undefined : { [grafanaHostname(s.domain)]: "Grafana" },
        secretsManagerPrefix: s.secretsManagerPrefix,
      }),
    ["environment", "domain", "namespaces", "secretsManagerPrefix"],
  ),
  // Prometheus answers a 30-day budget query with what it still keeps: a shorter retention quietly shrinks the window.
  check(["apps", "metricsRetention"], (s) => {
    const kept = durationSeconds(s.metricsRetention)!;
    return s.apps.flatMap((app, i) =>
      app.slos && durationSeconds(app.slos.window)! > kept
        ? [
            {
              path: `apps[${i}].slos.window`,
              reason:
                `${app.slos.window} is longer than metricsRetention (${s.metricsRetention}): Prometheus keeps ${s.metricsRetention} of samples, so the ` +
                `error budget would cover ${s.metricsRetention} of requests only; raise metricsRetention to at least ${app.slos.window} ` +
                `(with monitoring.prometheus.retentionSize and storageSize to hold it)`,
            },
          ]
        : [],
    );
  }),
  // Let's Encrypt's staging CA is in no browser's trust store: production serving its certificates is an outage.
  check(["environment", "certificateIssuer"], (s) =>
    s.environment === "production" && s.certificateIssuer !== "production"
      ? [
          {
            path: "certificateIssuer",
            reason: `production must use the production issuer (Let's Encrypt's production ACME endpoint); staging certificates are trusted by no browser (got ${JSON.stringify(s.certificateIssuer)})`,
          },
        ]
      : [],
  ),
  check(["namespaces"], (s) =>
    Object.entries(PLATFORM_SYSTEM_NAMESPACES)
      .filter(([namespace]) => !namespaceNames(s).includes(namespace))
      .map(([namespace, what]) => ({ path: "namespaces", reason: `must include the platform namespace "${namespace}" (${what}), with its quota and limits` })),
  ),
  // What the policy stack-backups-and-critical-alerts (mandatory in production) would block after the plan:
  // each database with backups enabled gets a backup CronJob, never suspended, and nothing else does.
  check(["databases", "environment"], (s) =>
    !backsUp(s) && s.environment === "production"
      ? [{ path: "databases", reason: "production must back up at least one database (backup.enabled: true); the policy stack-backups-and-critical-alerts blocks a production stack without a backup CronJob" }]
      : [],
  ),
  check(["databases", "environment", "backupReplicaRegion"], (s) =>
    backsUp(s) && s.environment === "production" && s.backupReplicaRegion === ""
      ? [{ path: "backupReplicaRegion", reason: "production keeps an off-site copy of its backups: set a second AWS region, e.g. eu-central-1" }]
      : [],
  ),
  check(["databases", "backupReplicaRegion", "awsRegion"], (s) =>
    backsUp(s) && s.backupReplicaRegion === s.awsRegion
      ? [{ path: "backupReplicaRegion", reason: `is the stack's own region (aws:region ${s.awsRegion}); the off-site replica needs a second region` }]
      : [],
  ),
  // Backups whose alerts would fire for a late but healthy run. A schedule that never runs needs no maxAge to be wrong.
  check(
    ["databases", "backupSchedule"],
    (s) => {
      if (!backsUp(s)) return [];
      const gap = longestScheduleGapSeconds(s.backupSchedule);
      if (gap === Infinity) return [{ path: "backupSchedule", reason: `never runs: no date matches "${s.backupSchedule}"` }];
      return s.alertThresholds === undefined ? [] : backupMaxAgeProblems(s.databases, s.alertThresholds.backups.maxAge, gap);
    },
    ["alertThresholds"],
  ),
  // The backup CronJob forbids overlapping runs: a run still going when the next is due makes the controller skip
  // that one (BackupNotStarted, then BackupTooOld), so a run must be able to end before the next is due.
  check(["databases", "backupSchedule"], (s) => {
    const gap = shortestScheduleGapSeconds(s.backupSchedule);
    if (gap === Infinity) return [];
    return s.databases.flatMap((db, i) => {
      const deadline = db.backup.runDeadline ?? DEFAULT_BACKUP_RUN_DEADLINE;
      if (!db.backup.enabled || durationSeconds(deadline)! < gap) return [];
      return [
        {
          path: db.backup.runDeadline === undefined ? "backupSchedule" : `databases[${i}].backup.runDeadline`,
          reason:
            `${db.backup.runDeadline === undefined ? `runs "${db.name}" with the default run deadline ${deadline}, which` : `${deadline}`} is not shorter than the ${hours(gap)} between two runs of backupSchedule at their closest: the CronJob forbids overlapping runs, ` +
            `so a run still going when the next is due would make the controller skip that one; shorten the deadline (backup.runDeadline) or back up less often`,
        },
      ];
    });
  }),
  // The same for the restore drills and RestoreDrillTooOld: a drill is not retried, but may start late and run
  // up to twice the recovery time objective.
  check(
    ["databases", "restoreDrillSchedule", "recoveryTimeObjective"],
    (s) => {
      if (!backsUp(s)) return [];
      const gap = longestScheduleGapSeconds(s.restoreDrillSchedule);
      if (gap === Infinity) return [{ path: "restoreDrillSchedule", reason: `never runs: no date matches "${s.restoreDrillSchedule}"` }];
      if (s.alertThresholds === undefined) return [];
      const maxAge = s.alertThresholds.backups.restoreDrillMaxAge;
      const needed = longestHealthyDrillGapSeconds(gap, s.recoveryTimeObjective);
      if (durationSeconds(maxAge)! >= needed) return [];
      return [
        {
          path: "alertThresholds.backups.restoreDrillMaxAge",
          reason:
            `${maxAge} is shorter than a healthy restore drill may take to pass again, ${hours(needed)}: restoreDrillSchedule runs up to ${hours(gap)} apart, ` +
            `the CronJob may start a drill up to ${hours(BACKUP_STARTING_DEADLINE_SECONDS)} late (startingDeadlineSeconds) and the drill may take ` +
            `${hours(restoreDrillDeadlineSeconds(s.recoveryTimeObjective))} (twice recoveryTimeObjective ${s.recoveryTimeObjective}); RestoreDrillTooOld would page for a late but ` +
            `healthy drill: raise restoreDrillMaxAge to at least ${hours(needed)} or drill more often`,
        },
      ];
    },
    ["alertThresholds"],
  ),
  check(["databases", "backupNamespace", "namespaces"], (s) =>
    backsUp(s) && !namespaceNames(s).includes(s.backupNamespace) ? [{ path: "backupNamespace", reason: notConfigured(s.backupNamespace, namespaceNames(s)) }] : [],
  ),
  check(["monitoringNamespace", "namespaces"], (s) =>
    namespaceNames(s).includes(s.monitoringNamespace) ? [] : [{ path: "monitoringNamespace", reason: notConfigured(s.monitoringNamespace, namespaceNames(s)) }],
  ),
  check(["nodeAgentsNamespace", "namespaces"], nodeAgentsNamespaceProblems, ["monitoringNamespace", "apps"]),
  check(["namespaces"], (s) => {
    const names = namespaceNames(s);
    return s.namespaces.flatMap((ns, i) =>
      (
        [
          ["ingressFromNamespaces", ns.ingressFromNamespaces],
          ["egress.namespaces", ns.egress.namespaces],
        ] as const
      ).flatMap(([field, list]) =>
        // The platform deploys no ingress controller (or any other namespace): an allowance for a namespace it
        // does not create would depend on something it does not run.
        list.flatMap((ref, j) => (names.includes(ref) || ref === "kube-system" ? [] : [{ path: `namespaces[${i}].${field}[${j}]`, reason: `"${ref}" is neither a configured namespace nor kube-system` }])),
      ),
    );
  }),
];

/**
 * BackupTooOld fires when no backup succeeded within maxAge. A healthy backup can take longer than the
 * schedule's gap to succeed again: its run may start up to the CronJob's starting deadline late, and take up
 * to its run deadline (a failed first attempt and a retry). maxAge must cover the sum, for the database with
 * the longest run deadline, or a late but healthy retry pages.
 */
function backupMaxAgeProblems(databases: ValidatedSettings["databases"], maxAge: string, gap: number): ConfigProblem[] {
  const backedUp = databases.map((db, i) => ({ db, i })).filter(({ db }) => db.backup.enabled);
  const deadline = ({ db }: (typeof backedUp)[number]) => db.backup.runDeadline ?? DEFAULT_BACKUP_RUN_DEADLINE;
  const slowest = backedUp.reduce((a, b) => (durationSeconds(deadline(b))! > durationSeconds(deadline(a))! ? b : a));
  const needed = longestHealthyBackupGapSeconds(gap, deadline(slowest));
  if (durationSeconds(maxAge)! >= needed) return [];
  const runDeadline = slowest.db.backup.runDeadline === undefined ? `${DEFAULT_BACKUP_RUN_DEADLINE}, the default` : `databases[${slowest.i}].backup.runDeadline`;
  return [
    {
      path: "alertThresholds.backups.maxAge",
      reason:
        `${maxAge} is shorter than a healthy backup of "${slowest.db.name}" may take to succeed again, ${hours(needed)}: ` +
        `backupSchedule runs up to ${hours(gap)} apart, the CronJob may start a run up to ${hours(BACKUP_STARTING_DEADLINE_SECONDS)} late (startingDeadlineSeconds) ` +
        `and the run may take ${deadline(slowest)} with its retry (${runDeadline}); BackupTooOld would page for a late but healthy backup: ` +
        `raise maxAge to at least ${hours(needed)}, back up more often or shorten the run deadline`,
    },
  ];
}

/** Seconds as hours, e.g. 104400 → 29h, 5400 → 1.5h. */
const hours = (seconds: number) => `${Number((seconds / 3600).toFixed(2))}h`;

/**
 * The node agents' namespace exists, is not the monitoring namespace (the point of a namespace of their own:
 * Prometheus, Alertmanager, Grafana, Loki and Tempo are never admitted with host access), and enforces the
 * privileged level, without which PSA refuses every node-exporter and Alloy pod and the DaemonSets stay empty.
 */
function nodeAgentsNamespaceProblems(
  settings: Pick<ValidatedSettings, "nodeAgentsNamespace" | "namespaces"> & Partial<Pick<ValidatedSettings, "monitoringNamespace" | "apps">>,
): ConfigProblem[] {
  const name = settings.nodeAgentsNamespace;
  const names = namespaceNames(settings);
  const index = names.indexOf(name);
  if (index < 0) return [{ path: "nodeAgentsNamespace", reason: notConfigured(name, names) }];
  if (name === settings.monitoringNamespace) {
    return [
      {
        path: "nodeAgentsNamespace",
        reason: `must not be the monitoring namespace: the node agents need host access (PSA privileged), which the monitoring workloads must not have (got ${JSON.stringify(name)})`,
      },
    ];
  }
  const problems: ConfigProblem[] = [];
  const level = settings.namespaces[index].podSecurity;
  if (level !== "privileged") {
    problems.push({
      path: `namespaces[${index}].podSecurity`,
      reason:
        `must be "privileged" in the node agents' namespace (nodeAgentsNamespace): node-exporter uses the host's network and PID namespaces ` +
        `and mounts /, /proc and /sys, Alloy mounts /var/log (got ${JSON.stringify(level)})`,
    });
  }
  // Nothing there is checked against restricted, and no OTLP path leads out of it: an app belongs elsewhere.
  settings.apps?.forEach((app, i) => {
    if (app.namespace === name) {
      problems.push({ path: `apps[${i}].namespace`, reason: `is the node agents' namespace, the one namespace that admits host access; run apps in an app namespace (got ${JSON.stringify(name)})` });
    }
  });
  return problems;
}

/**
 * The problems across keys of a stack's settings, from the keys that validated: each check runs when every
 * key it needs did, so one broken key neither hides the other keys' problems nor sets off a follow-on report.
 */
export function crossFieldProblems(valid: Partial<ValidatedSettings>): ConfigProblem[] {
  return CHECKS.filter((c) => c.inputs.every((key) => valid[key] !== undefined)).flatMap((c) => c.run(valid));
}
