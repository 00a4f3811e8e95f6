import * as aws from "../core/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccountTrustPolicy } from "../core/aws-policies";
import { irreplaceable } from "../core/data-protection";
import { hardenedBucket } from "../core/hardened-bucket";
import { helmChartArgs } from "./charts";
import type { LokiArgs } from "./loki";
import { tempoHeadlessService } from "./tempo-headless-service";
import { tempoBucketAccessPolicy } from "./tempo-storage-policies";
import { TEMPO_SERVICE_ACCOUNT, type TempoInput, type TempoObjectStorage, tempoValues } from "./tempo-values";

export type TempoArgs = TempoInput & Pick<LokiArgs, "awsRegion" | "oidcProviderArn">;

/**
 * Tempo, the trace store, single binary. With S3 storage it also owns its block bucket (hardened like
 * Loki's: private, KMS-encrypted, versioned, TLS-only, expiring a week after trace retention) and an
 * IRSA role for its ServiceAccount. helm.v3.Release, like Loki: a StatefulSet whose volume holds the WAL.
 */
export class Tempo extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly bucket?: aws.s3.Bucket;
  public readonly role?: aws.iam.Role;
  /** The governing Service of Tempo's StatefulSet, which the chart does not render. */
  public readonly headlessService: k8s.core.v1.Service;

  constructor(name: string, args: TempoArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:monitoring:Tempo", name, {}, opts);
    let storage: pulumi.Output<TempoObjectStorage> | undefined;
    if (args.monitoring.tempo.storage === "s3") {
      const child = { parent: this };
      const bucket = hardenedBucket(
        `${name}-blocks`,
        { tags: { environment: args.environment, component: "tempo" }, retention: args.traceRetention, expirationRuleId: "expire-after-trace-retention" },
        // Like Loki's chunks: the traces outlive the stack, and the lifecycle empties the bucket.
        { ...child, ...irreplaceable(args.environment, true) },
      );
      const role = new aws.iam.Role(
        `${name}-irsa`,
        {
          description: `Tempo (${args.environment}) reads and writes its block bucket`,
          assumeRolePolicy: JSON.stringify(serviceAccountTrustPolicy(args.oidcProviderArn, args.namespace, TEMPO_SERVICE_ACCOUNT)),
          tags: { environment: args.environment, component: "tempo" },
        },
        child,
      );
      new aws.iam.RolePolicy(`${name}-irsa-bucket-access`, { role: role.name, policy: bucket.arn.apply((arn) => JSON.stringify(tempoBucketAccessPolicy(arn))) }, child);
      storage = pulumi.all([bucket.bucket, role.arn]).apply(([bucketName, roleArn]) => ({ bucketName, roleArn, region: args.awsRegion }));
      this.bucket = bucket;
      this.role = role;
    }
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        ...helmChartArgs("tempo", args.namespace, storage ? storage.apply((s) => tempoValues(args, s)) : tempoValues(args)),
        atomic: true,
        cleanupOnFail: true,
        timeout: 600,
        maxHistory: 10,
      },
      { parent: this },
    );
    const headless = tempoHeadlessService(args.namespace);
    this.headlessService = new k8s.core.v1.Service(`${name}-headless`, headless as k8s.core.v1.ServiceArgs, { parent: this });
    this.registerOutputs({ release: this.release.status, bucket: this.bucket?.bucket, headlessService: this.headlessService.metadata.name });
  }
}
