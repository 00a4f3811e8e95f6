import type { PolicyResource } from "@pulumi/policy";
import { known, str } from "./values";

/**
 * AWS provider 6+ configures a bucket through separate resources (public access block, encryption,
 * versioning, lifecycle), each naming its bucket in the `bucket` input. Stack policies must therefore join
 * them back to their bucket, and the join has to work where the bucket's name is not known yet (a first
 * `pulumi preview`) as well as under the offline plan, whose mocks record inputs and dependencies only.
 */

export const BUCKET_TYPES: readonly string[] = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

export const SETTING_TYPES = {
  publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  encryption: [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  ],
  versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
  lifecycle: [
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
  ],
  objectLock: ["aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"],
  replication: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
} as const satisfies Record<string, readonly string[]>;

function isBucket(resource: PolicyResource): boolean {
  return BUCKET_TYPES.includes(resource.type);
}

/** The bucket a settings resource configures, or undefined if nothing identifies it. */
export function targetBucket(setting: PolicyResource, buckets: readonly PolicyResource[]): PolicyResource | undefined {
  // 1. The engine tells which resources the `bucket` input came from, known or not (not under mocks).
  const fromProperty = (setting.propertyDependencies.bucket ?? []).filter(isBucket);
  if (fromProperty.length === 1) return fromProperty[0];
  // 2. The bucket's name (its id) once known, e.g. a literal name or an imported bucket.
  const name = known(() => str(setting.props.bucket));
  if (name) {
    const named = buckets.find((b) => known(() => str(b.props.bucket)) === name || known(() => str(b.props.id)) === name);
    if (named) return named;
  }
  // 3. The one bucket the resource depends on (what the mock runtime records).
  const fromDependencies = setting.dependencies.filter(isBucket);
  return fromDependencies.length === 1 ? fromDependencies[0] : undefined;
}

/** Each bucket of the stack with the settings resources of `types` that configure it. */
export function bucketsWithSettings(resources: readonly PolicyResource[], types: readonly string[]): Map<PolicyResource, PolicyResource[]> {
  const buckets = resources.filter(isBucket);
  const result = new Map<PolicyResource, PolicyResource[]>(buckets.map((b) => [b, []]));
  for (const setting of resources.filter((r) => types.includes(r.type))) {
    const bucket = targetBucket(setting, buckets);
    if (bucket) result.get(bucket)?.push(setting);
  }
  return result;
}
