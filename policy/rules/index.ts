import type { Policies, PolicyPackArgs } from "@pulumi/policy";
import { backupsAndCriticalAlerts } from "./backups-and-critical-alerts";
import { backupObjectLock, backupOffsiteReplica, backupPointInTimeRecovery } from "./backup-protection";
import { containerResources } from "./container-resources";
import { containerSecurityContext } from "./container-security-context";
import { cronJobLimits } from "./cronjob-limits";
import { deadMansSwitch } from "./dead-mans-switch";
import { deploymentProbes } from "./deployment-probes";
import { helmChartPinned } from "./helm-chart-pinned";
import { hostIsolation } from "./host-isolation";
import { iamNoAdminWildcards } from "./iam-no-admin-wildcards";
import { iamStackScope } from "./iam-stack-scope";
import { imagePinned } from "./image-pinned";
import { limitRangeAdmits } from "./limit-range-admits";
import { loadBalancers } from "./load-balancers";
import { namespaceDefaultDeny } from "./namespace-default-deny";
import { namespaceLabels } from "./namespace-labels";
import { noPlaintextSecrets } from "./no-plaintext-secrets";
import { quotaHoldsDemand } from "./quota-demand";
import { replicasAndDisruptionBudget } from "./replicas-and-disruption-budget";
import { s3BlockPublicAccess, s3KmsEncryption, s3Lifecycle, s3Versioning } from "./s3-buckets";

/**
 * The platform policy pack as data. Constructing `PolicyPack` starts the analyzer's gRPC server, so only the
 * pack's entry file (policy/index.ts) does that; tests and the offline plan import this module instead.
 */

export const PACK_NAME = "platform";

export const policies: Policies = [
  containerResources,
  imagePinned,
  containerSecurityContext,
  hostIsolation,
  deploymentProbes,
  replicasAndDisruptionBudget,
  quotaHoldsDemand,
  limitRangeAdmits,
  loadBalancers,
  namespaceLabels,
  namespaceDefaultDeny,
  helmChartPinned,
  cronJobLimits,
  s3BlockPublicAccess,
  s3KmsEncryption,
  s3Versioning,
  s3Lifecycle,
  iamNoAdminWildcards,
  iamStackScope,
  noPlaintextSecrets,
  backupsAndCriticalAlerts,
  deadMansSwitch,
  backupObjectLock,
  backupOffsiteReplica,
  backupPointInTimeRecovery,
];

export const policyPackArgs: PolicyPackArgs = {
  policies,
  // Every policy states its own level; this only covers one that forgets.
  enforcementLevel: "advisory",
  description: "Guard rails of the platform program: workloads, namespaces, Helm, S3, IAM, secrets, production readiness.",
};

export * from "./backup-protection";
export * from "./backups-and-critical-alerts";
export * from "./container-resources";
export * from "./container-security-context";
export * from "./cronjob-limits";
export * from "./dead-mans-switch";
export * from "./deployment-probes";
export * from "./helm-chart-pinned";
export * from "./host-isolation";
export * from "./iam-no-admin-wildcards";
export * from "./iam-stack-scope";
export * from "./image-pinned";
export * from "./limit-range-admits";
export * from "./load-balancers";
export * from "./namespace-default-deny";
export * from "./namespace-labels";
export * from "./no-plaintext-secrets";
export * from "./quota-demand";
export * from "./replicas-and-disruption-budget";
export * from "./s3-buckets";
