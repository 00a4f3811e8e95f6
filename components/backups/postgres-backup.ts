import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  backupCronJob,
  backupCronJobMetadata,
  backupScriptsConfigMap,
  type PostgresBackupSpec,
  type RecoveryPoint,
  recoveryAnnotations,
  restoreDrillCronJob,
  restoreDrillCronJobMetadata,
} from "./backup-cronjobs";

/** Everything but the cloud facts, which the component resolves: bucket, key, and what RDS says about PITR. */
export type PostgresBackupArgs = Omit<PostgresBackupSpec, "bucket" | "kmsKeyArn" | "recoveryPoint"> & {
  readonly bucket: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly recoveryPoint: pulumi.Input<RecoveryPoint>;
};

// kubernetes-types and the provider's input types describe the same API, but TypeScript cannot relate
// them once lifted into an Output; the builder's return type is the checked one.
const asCronJobSpec = (spec: pulumi.Output<unknown>) => spec as pulumi.Output<k8s.types.input.batch.v1.CronJobSpec>;

/** The nightly verified backup and the weekly restore drill of one database. */
export class PostgresBackup extends pulumi.ComponentResource {
  public readonly backup: k8s.batch.v1.CronJob;
  public readonly drill: k8s.batch.v1.CronJob;

  constructor(name: string, args: PostgresBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:backups:PostgresBackup", name, {}, opts);
    const scripts = new k8s.core.v1.ConfigMap(`${name}-scripts`, backupScriptsConfigMap(args), { parent: this });
    const spec = pulumi
      .all([args.bucket, args.kmsKeyArn, args.recoveryPoint])
      .apply(([bucket, kmsKeyArn, recoveryPoint]) => ({ ...args, bucket, kmsKeyArn, recoveryPoint: recoveryPoint as RecoveryPoint }));
    const afterScripts = { parent: this, dependsOn: [scripts] };
    // Name and labels are known now; the spec waits for the bucket name and key ARN, the annotations for RDS.
    this.backup = new k8s.batch.v1.CronJob(
      `${name}-backup`,
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { ...backupCronJobMetadata(args), annotations: spec.apply(recoveryAnnotations) },
        spec: asCronJobSpec(spec.apply((s) => backupCronJob(s).spec)),
      },
      afterScripts,
    );
    this.drill = new k8s.batch.v1.CronJob(
      `${name}-restore-drill`,
      { apiVersion: "batch/v1", kind: "CronJob", metadata: restoreDrillCronJobMetadata(args), spec: asCronJobSpec(spec.apply((s) => restoreDrillCronJob(s).spec)) },
      afterScripts,
    );
    this.registerOutputs({ backupCronJob: this.backup.metadata.name, restoreDrillCronJob: this.drill.metadata.name });
  }
}
