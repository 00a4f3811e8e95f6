import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmChartArgs } from "./charts";
import { LOKI_SERVICE_ACCOUNT, type LokiObjectStorage, lokiValues } from "./loki-values";
import { serviceAccountTrustPolicy, tlsOnlyBucketPolicy } from "../core/aws-policies";
import { irreplaceable } from "../core/data-protection";
import { lokiBucketAccessPolicy, lokiBucketExpirationDays } from "./loki-storage-policies";
import type { MonitoringInput } from "./monitoring-input";

export interface LokiArgs extends MonitoringInput {
  /** Region of the chunk bucket (the stack's aws:region). */
  readonly awsRegion: string;
  /** IAM OIDC provider of the cluster; required for S3 storage. */
  readonly oidcProviderArn: string;
}

/**
 * Loki, monolithic. With S3 storage it also owns its chunk bucket (private, KMS-encrypted, versioned,
 * TLS-only, expiring a week after log retention) and an IRSA role for its ServiceAccount: no static keys.
 * helm.v3.Release: Loki runs as a StatefulSet whose PVCs and rolling upgrades Helm's history helps recover.
 */
export class Loki extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly bucket?: aws.s3.Bucket;
  public readonly role?: aws.iam.Role;

  constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:monitoring:Loki", name, {}, opts);
    let storage: pulumi.Output<LokiObjectStorage> | undefined;
    if (args.monitoring.loki.storage === "s3") {
      const child = { parent: this };
      // The logs outlive the stack: a destroy leaves the bucket (and its lifecycle empties it) instead of failing on it.
      const bucket = new aws.s3.Bucket(
        `${name}-chunks`,
        { forceDestroy: false, tags: { environment: args.environment, component: "loki" } },
        { ...child, ...irreplaceable(args.environment, true) },
      );
      new aws.s3.BucketPublicAccessBlock(
        `${name}-chunks-public-access`,
        { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        child,
      );
      new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-chunks-encryption`,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] },
        child,
      );
      new aws.s3.BucketVersioning(`${name}-chunks-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child);
      new aws.s3.BucketLifecycleConfiguration(
        `${name}-chunks-lifecycle`,
        {
          bucket: bucket.id,
          rules: [
            {
              id: "expire-after-log-retention",
              status: "Enabled",
              filter: {},
              expiration: { days: lokiBucketExpirationDays(args.logRetention) },
              noncurrentVersionExpiration: { noncurrentDays: 7 },
              abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
          ],
        },
        child,
      );
      new aws.s3.BucketPolicy(`${name}-chunks-tls-only`, { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) }, child);
      const role = new aws.iam.Role(
        `${name}-irsa`,
        {
          description: `Loki (${args.environment}) reads and writes its chunk bucket`,
          assumeRolePolicy: JSON.stringify(serviceAccountTrustPolicy(args.oidcProviderArn, args.namespace, LOKI_SERVICE_ACCOUNT)),
          tags: { environment: args.environment, component: "loki" },
        },
        child,
      );
      new aws.iam.RolePolicy(`${name}-irsa-bucket-access`, { role: role.name, policy: bucket.arn.apply((arn) => JSON.stringify(lokiBucketAccessPolicy(arn))) }, child);
      storage = pulumi.all([bucket.bucket, role.arn]).apply(([bucketName, roleArn]) => ({ bucketName, roleArn, region: args.awsRegion }));
      this.bucket = bucket;
      this.role = role;
    }
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        ...helmChartArgs("loki", args.namespace, storage ? storage.apply((s) => lokiValues(args, s)) : lokiValues(args)),
        atomic: true,
        cleanupOnFail: true,
        timeout: 900,
        maxHistory: 10,
      },
      { parent: this },
    );
    this.registerOutputs({ release: this.release.status, bucket: this.bucket?.bucket });
  }
}
