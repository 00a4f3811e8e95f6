import type { PolicyResource, Severity, StackValidationPolicy } from "@pulumi/policy";
import { bucketsWithSettings, SETTING_TYPES } from "./s3-correlation";
import { isRecord, known, list, record, str } from "./values";

/**
 * S3 bucket hygiene, one policy per setting so each can have its own enforcement level. Each check takes the
 * bucket and the settings resources that configure it, and returns the violation or undefined. Settings the
 * bucket resource carries inline (deprecated in the AWS provider, but still reported in its outputs) count too;
 * they are computed, so unknown for a new bucket during preview, and then simply do not count.
 */
type BucketCheck = (bucket: PolicyResource, settings: readonly PolicyResource[]) => string | undefined;

function bucketPolicy(
  name: string,
  description: string,
  severity: Severity,
  types: readonly string[],
  check: BucketCheck,
): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    severity,
    validateStack: (args, reportViolation) => {
      for (const [bucket, settings] of bucketsWithSettings(args.resources, types)) {
        const message = check(bucket, settings);
        if (message) reportViolation(message, bucket.urn);
      }
    },
  };
}

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/** A bucket policy or ACL typo must not be able to publish data; all four flags close a different door. */
export const s3BlockPublicAccess = bucketPolicy(
  "s3-block-public-access",
  "S3 buckets have a public access block with all four flags set.",
  "critical",
  SETTING_TYPES.publicAccessBlock,
  (bucket, settings) => {
    if (settings.length === 0) {
      return `S3 bucket ${bucket.name} has no BucketPublicAccessBlock; add one that sets ${PUBLIC_ACCESS_FLAGS.join(", ")} to true`;
    }
    const open = settings.map((s) => ({ s, missing: PUBLIC_ACCESS_FLAGS.filter((flag) => s.props[flag] !== true) }));
    if (open.some(({ missing }) => missing.length === 0)) return undefined;
    return `S3 bucket ${bucket.name}: BucketPublicAccessBlock ${open[0].s.name} does not set ${open[0].missing.join(", ")} to true`;
  },
);

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

/** KMS rather than S3-managed keys: access to the data then also needs the key, and every use is in CloudTrail. */
export const s3KmsEncryption = bucketPolicy(
  "s3-kms-encryption",
  "S3 buckets encrypt by default with a KMS key (sseAlgorithm aws:kms or aws:kms:dsse).",
  "high",
  SETTING_TYPES.encryption,
  (bucket, settings) => {
    const rules = [
      ...settings.flatMap((s) => list(s.props.rules)),
      known(() => record(bucket.props.serverSideEncryptionConfiguration).rule),
    ].filter(isRecord);
    const algorithms = rules.map((r) => str(record(r.applyServerSideEncryptionByDefault).sseAlgorithm)).filter((a) => a !== undefined);
    if (algorithms.some((a) => KMS_ALGORITHMS.includes(a))) return undefined;
    if (algorithms.length > 0) {
      return `S3 bucket ${bucket.name} is encrypted with ${algorithms[0]}, not KMS; set sseAlgorithm to aws:kms`;
    }
    return `S3 bucket ${bucket.name} has no default encryption; add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms`;
  },
);

/** Versioning is what makes an overwrite or a delete (by a bug or an attacker) recoverable. */
export const s3Versioning = bucketPolicy(
  "s3-versioning",
  "S3 buckets have versioning enabled.",
  "high",
  SETTING_TYPES.versioning,
  (bucket, settings) => {
    const statuses = settings.map((s) => str(record(s.props.versioningConfiguration).status) ?? "unset");
    const inline = known(() => record(bucket.props.versioning).enabled);
    if (typeof inline === "boolean") statuses.push(inline ? "Enabled" : "Disabled");
    if (statuses.includes("Enabled")) return undefined;
    if (statuses.length > 0) {
      return `S3 bucket ${bucket.name} has versioning ${statuses[0]}; set it to Enabled so overwritten and deleted objects can be recovered`;
    }
    return `S3 bucket ${bucket.name} has no versioning; add a BucketVersioning with status Enabled so overwritten and deleted objects can be recovered`;
  },
);

/** Without expiry, logs, backups and (with versioning) every old version are kept and billed forever. */
export const s3Lifecycle = bucketPolicy(
  "s3-lifecycle",
  "S3 buckets have at least one enabled lifecycle rule.",
  "medium",
  SETTING_TYPES.lifecycle,
  (bucket, settings) => {
    const rules = settings.flatMap((s) => list(s.props.rules)).filter(isRecord);
    const inline = known(() => list(bucket.props.lifecycleRules).filter(isRecord)) ?? [];
    if (rules.some((r) => r.status === "Enabled") || inline.some((r) => r.enabled === true)) return undefined;
    if (rules.length + inline.length > 0) {
      return `S3 bucket ${bucket.name} has lifecycle rules but none is Enabled; enable one so objects do not accumulate forever`;
    }
    return `S3 bucket ${bucket.name} has no lifecycle rule; add a BucketLifecycleConfiguration with an Enabled expiration rule so objects do not accumulate forever`;
  },
);
