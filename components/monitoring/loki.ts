import * as aws from "../core/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmChartArgs } from "./charts";
import { LOKI_RETAINED_DATA_PREFIXES, LOKI_SERVICE_ACCOUNT, type LokiObjectStorage, lokiValues } from "./loki-values";
import { serviceAccountTrustPolicy } from "../core/aws-policies";
import { irreplaceable } from "../core/data-protection";
import { hardenedBucket } from "../core/hardened-bucket";
import { lokiBucketAccessPolicy } from "./loki-storage-policies";
import type { MonitoringInput } from "./monitoring-input";

export interface LokiArgs extends MonitoringInput {
  /** Region of the chunk bucket (the stack's aws:region). */
  readonly awsRegion: string;
  /** IAM OIDC provider of the cluster; required for S3 storage. */
  readonly oidcProviderArn: string;
}

/**
 * Loki, monolithic. With S3 storage it also owns its chunk bucket (private, KMS-encrypted, versioned,
 * TLS-only, its chunks and index expiring a week after log retention) and an IRSA role for its ServiceAccount:
 * no static keys.
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
      // The logs outlive the stack: a destroy leaves the bucket (its lifecycle expires the chunks and index) instead of failing on it.
      const bucket = hardenedBucket(
        `${name}-chunks`,
        {
          tags: { environment: args.environment, component: "loki" },
          retention: args.logRetention,
          expirationRuleId: "expire-after-log-retention",
          // Not the whole bucket: the delete requests and the ruler's rules live there too, kept for good.
          expiringPrefixes: LOKI_RETAINED_DATA_PREFIXES,
        },
        { ...child, ...irreplaceable(args.environment, true) },
      );
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
