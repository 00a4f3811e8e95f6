import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { SCRIPTS_DIR, TERMINATION_GRACE_PERIOD_SECONDS } from "../../components/backups";
import { POSTGRES_SERVER_CA_FILE } from "../../components/databases";
import { runProgram } from "../../plan/run-program";
import { editedStackFile, planStack, StackPlan, STACKS } from "../harness";

const expected = {
  staging: {
    schedule: "0 3 * * *",
    retentionDays: 7,
    keepLast: 3,
    prefix: "staging",
    lockMode: "GOVERNANCE",
    drillDeadlineSeconds: 2 * 8 * 3600,
    annotations: {
      "platform.io/recovery-point-objective": "24h",
      "platform.io/recovery-point-source": 'backup schedule "0 3 * * *" (UTC)',
      "platform.io/recovery-time-objective": "8h",
    },
  },
  production: {
    schedule: "0 2 * * *",
    retentionDays: 30,
    keepLast: 7,
    prefix: "production",
    lockMode: "COMPLIANCE",
    drillDeadlineSeconds: 2 * 4 * 3600,
    annotations: {
      "platform.io/point-in-time-recovery-retention-days": "7",
      "platform.io/recovery-point-objective": "5m",
      "platform.io/recovery-point-source": "RDS point-in-time recovery (cluster orders)",
      "platform.io/recovery-time-objective": "4h",
    },
  },
} as const;

// ARNs as AWS forms them (the mock's key id is the key's logical name); each stack in its own account.
const ACCOUNT = { staging: "210987654321", production: "123456789012" } as const;
const BUCKET_ARN = "arn:aws:s3:::platform-backups-storage-bucket";
const KEY_ARN = (stack: keyof typeof ACCOUNT) => `arn:aws:kms:eu-west-1:${ACCOUNT[stack]}:key/platform-backups-storage-key`;
const REPLICA_BUCKET_ARN = "arn:aws:s3:::platform-backups-storage-replica-bucket";
const REPLICA_KEY_ARN = (stack: keyof typeof ACCOUNT) => `arn:aws:kms:eu-central-1:${ACCOUNT[stack]}:key/platform-backups-storage-replica-key`;
const REPLICA_PROVIDER = (stack: string) => `urn:pulumi:${stack}::platform::platform:index:Platform$pulumi:providers:aws::platform-backup-replica`;

describe("database backups (cluster and cloud side)", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      const want = expected[stack];

      it("runs the verified backup nightly at the stack's hour, never twice at once, within bounded time", async () => {
        const cron = (await planStack(stack)).object("CronJob", "backups", "pg-backup-orders");
        expect(cron.spec).to.include({
          schedule: want.schedule,
          timeZone: "Etc/UTC",
          concurrencyPolicy: "Forbid",
          startingDeadlineSeconds: 3600,
          successfulJobsHistoryLimit: 1,
          failedJobsHistoryLimit: 1,
        });
        // backup.runDeadline's default, 4h, for both attempts: BackupTooOld's maximum age (29h) allows for it.
        expect(cron.spec.jobTemplate.spec).to.include({ backoffLimit: 1, activeDeadlineSeconds: 14400 });
        expect(cron.metadata.labels).to.include({ "platform.io/component": "backup", "platform.io/database": "orders" });
      });

      it("states the database's recovery objectives on the backup CronJob", async () => {
        const cron = (await planStack(stack)).object("CronJob", "backups", "pg-backup-orders");
        expect(cron.metadata.annotations).to.deep.equal(want.annotations);
      });

      it("runs non-root on a read-only root filesystem, scratch on a per-pod volume that fails writes when full, scripts from the ConfigMap", async () => {
        const pod = (await planStack(stack)).object("CronJob", "backups", "pg-backup-orders").spec.jobTemplate.spec.template.spec;
        expect(pod.serviceAccountName).to.equal("pg-backup");
        expect(pod.securityContext).to.include({ runAsNonRoot: true, runAsUser: 10001 });
        const [container] = pod.containers;
        expect(container.securityContext).to.deep.equal({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(container.command).to.deep.equal(["/bin/bash", "/scripts/pg-backup.sh"]);
        // A generic ephemeral volume: a full disk is ENOSPC for the script, not an eviction by the kubelet.
        expect(pod.volumes).to.deep.equal([
          { name: "scripts", configMap: { name: "pg-backup-scripts-orders", defaultMode: 0o555 } },
          {
            name: "scratch",
            ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "20Gi" } } } } },
          },
          { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
        ]);
        expect(container.volumeMounts).to.deep.equal([
          { name: "scripts", mountPath: "/scripts", readOnly: true },
          { name: "scratch", mountPath: "/scratch" },
          { name: "tmp", mountPath: "/tmp" },
        ]);
        const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
        expect(env).to.include({ SCRATCH_DIR: "/scratch", TMPDIR: "/tmp", HOME: "/tmp" });
      });

      it("gives the scripts' bounded clean-up after TERM its time: a 90 s grace period", async () => {
        const plan = await planStack(stack);
        for (const name of ["pg-backup-orders", "pg-restore-drill-orders"]) {
          expect(plan.object("CronJob", "backups", name).spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds, name).to.equal(90);
        }
        expect(TERMINATION_GRACE_PERIOD_SECONDS).to.equal(90);
      });

      it("takes the database password from the credentials Secret and talks to S3 only through IRSA", async () => {
        const plan = await planStack(stack);
        const env = plan.object("CronJob", "backups", "pg-backup-orders").spec.jobTemplate.spec.template.spec.containers[0].env;
        const byName = Object.fromEntries(env.map((e: { name: string }) => [e.name, e]));
        expect(byName.PGPASSWORD).to.deep.equal({ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "db-orders-credentials", key: "password" } } });
        expect(byName.BACKUP_PREFIX.value).to.equal(`${want.prefix}/orders`);
        expect(byName.BACKUP_KMS_KEY_ID.value).to.equal(KEY_ARN(stack));
        expect(byName.BACKUP_RETENTION_DAYS.value).to.equal(String(want.retentionDays));
        expect(byName.BACKUP_KEEP_LAST.value).to.equal(String(want.keepLast));
        expect(byName.PUSHGATEWAY_URL.value).to.equal("http://pushgateway-prometheus-pushgateway.monitoring.svc.cluster.local:9091");
        for (const forbidden of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) expect(byName, forbidden).to.not.have.property(forbidden);
        // Production checks the server's certificate, which needs the CA bundle the backup image carries; staging only encrypts.
        expect(byName.PGSSLMODE.value).to.equal(stack === "production" ? "verify-full" : "require");
        if (stack === "production") expect(byName.PGSSLROOTCERT).to.deep.equal({ name: "PGSSLROOTCERT", value: "/etc/ssl/certs/postgres-server-ca.pem" });
        else expect(byName).to.not.have.property("PGSSLROOTCERT");
        expect(plan.resources.filter((r) => r.type === "aws:iam/accessKey:AccessKey")).to.deep.equal([]);
        const sa = plan.object("ServiceAccount", "backups", "pg-backup");
        expect(sa.metadata.annotations).to.deep.equal({ "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT[stack]}:role/platform-backups-storage-irsa` });
        expect(sa.automountServiceAccountToken).to.equal(false);
      });

      it("restore-drills weekly into a throwaway PostgreSQL sidecar, checking the configured tables", async () => {
        const cron = (await planStack(stack)).object("CronJob", "backups", "pg-restore-drill-orders");
        expect(cron.spec).to.include({ schedule: "0 5 * * 0", concurrencyPolicy: "Forbid" });
        // Twice the recovery time objective, so a restore slower than the objective is measured, not cut off.
        expect(cron.spec.jobTemplate.spec.activeDeadlineSeconds).to.equal(want.drillDeadlineSeconds);
        const pod = cron.spec.jobTemplate.spec.template.spec;
        expect(pod.volumes.find((v: { name: string }) => v.name === "drill-data")).to.deep.equal({
          name: "drill-data",
          ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "40Gi" } } } } },
        });
        expect(pod.initContainers.map((c: { name: string; restartPolicy: string }) => [c.name, c.restartPolicy])).to.deep.equal([["drill-postgres", "Always"]]);
        // The drill starts once the sidecar's startup probe passes; its readiness probe alone would not hold it back.
        expect(pod.initContainers[0].startupProbe).to.deep.equal({ exec: { command: ["pg_isready", "-h", "127.0.0.1", "-U", "postgres"] }, periodSeconds: 2, failureThreshold: 150 });
        const env = Object.fromEntries(pod.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
        // Neither stack file sets backup.drillMinRows: every drill table must hold at least one row, as before.
        expect(env).to.include({ PGHOST: "127.0.0.1", DRILL_TABLES: stack === "production" ? "public.orders,public.customers" : "public.orders", DRILL_MIN_ROWS: "1" });
        expect(env).to.not.have.property("PGPASSWORD");
      });

      it("opens exactly the path from the job pods to the Pushgateway, on both sides, port 9091", async () => {
        const plan = await planStack(stack);
        const jobs = { matchExpressions: [{ key: "platform.io/component", operator: "In", values: ["backup", "restore-drill"] }] };
        const pushgateway = { matchLabels: { "app.kubernetes.io/name": "prometheus-pushgateway", "app.kubernetes.io/instance": "pushgateway" } };
        const ports = [{ protocol: "TCP", port: 9091 }];
        expect(plan.object("NetworkPolicy", "backups", "backup-jobs-to-pushgateway").spec).to.deep.equal({
          podSelector: jobs,
          policyTypes: ["Egress"],
          egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: pushgateway }], ports }],
        });
        expect(plan.object("NetworkPolicy", "monitoring", "pushgateway-from-backup-jobs").spec).to.deep.equal({
          podSelector: pushgateway,
          policyTypes: ["Ingress"],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "backups" } }, podSelector: jobs }], ports }],
        });
        // The selectors match what the CronJobs' pods carry.
        for (const cron of ["pg-backup-orders", "pg-restore-drill-orders"]) {
          const podLabels = plan.object("CronJob", "backups", cron).spec.jobTemplate.spec.template.metadata.labels;
          expect(jobs.matchExpressions[0].values).to.include(podLabels["platform.io/component"]);
        }
      });

      it("mounts exactly the repository's scripts", async () => {
        const cm = (await planStack(stack)).object("ConfigMap", "backups", "pg-backup-scripts-orders");
        // Every file of the scripts directory, so a new library the scripts source cannot be left out.
        expect(Object.keys(cm.data).sort(), "ConfigMap keys").to.deep.equal(fs.readdirSync(SCRIPTS_DIR).sort());
        expect(Object.keys(cm.data).sort()).to.deep.equal(["pg-backup.sh", "pg-common.sh", "pg-restore-drill.sh"]);
        for (const file of Object.keys(cm.data)) expect(cm.data[file], file).to.equal(fs.readFileSync(path.join(SCRIPTS_DIR, file), "utf8"));
      });

      it(`locks every backup version for the retention, in ${want.lockMode} mode, enabled in place on the versioned bucket`, async () => {
        const plan = await planStack(stack);
        const lock = plan.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "platform-backups-storage-object-lock");
        expect(lock.inputs).to.deep.equal({
          bucket: "platform-backups-storage-bucket",
          objectLockEnabled: "Enabled",
          rule: { defaultRetention: { mode: want.lockMode, days: want.retentionDays } },
        });
        expect(lock.dependencies).to.include(plan.one("aws:s3/bucketVersioning:BucketVersioning", "platform-backups-storage-versioning").urn);
        // objectLockEnabled on the bucket itself would replace the existing bucket.
        expect(plan.one("aws:s3/bucket:Bucket", "platform-backups-storage-bucket").inputs).to.not.have.property("objectLockEnabled");
      });

      it("keeps backups in a private, versioned, TLS-only bucket encrypted with its own rotating KMS key", async () => {
        const plan = await planStack(stack);
        expect(plan.one("aws:kms/key:Key", "platform-backups-storage-key").inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
        expect(plan.one("aws:s3/bucket:Bucket", "platform-backups-storage-bucket").inputs).to.include({ forceDestroy: false });
        const pab = plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "platform-backups-storage-public-access").inputs;
        expect(pab).to.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        expect(plan.one("aws:s3/bucket:Bucket", "platform-backups-storage-bucket").inputs.tags).to.deep.equal({ environment: stack, component: "database-backups" });
        const sse = plan.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "platform-backups-storage-encryption").inputs as any;
        expect(sse.rules[0].applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN(stack) });
        expect((plan.one("aws:s3/bucketVersioning:BucketVersioning", "platform-backups-storage-versioning").inputs as any).versioningConfiguration.status).to.equal("Enabled");
        const policy = JSON.parse(plan.one("aws:s3/bucketPolicy:BucketPolicy", "platform-backups-storage-policy").inputs.policy as string);
        expect(policy.Statement.map((s: { Sid: string; Effect: string }) => [s.Sid, s.Effect])).to.deep.equal([
          ["DenyInsecureTransport", "Deny"],
          ["DenyUploadsWithoutTheBackupKey", "Deny"],
        ]);
      });

      it("expires no current backup by age (the jobs keep the newest), only deleted versions, bare delete markers and abandoned uploads", async () => {
        const lifecycle = (await planStack(stack)).one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "platform-backups-storage-lifecycle").inputs as any;
        expect(lifecycle.rules).to.deep.equal([
          {
            id: "remove-deleted-backups",
            status: "Enabled",
            filter: { prefix: `${want.prefix}/` },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
            expiration: { expiredObjectDeleteMarker: true },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ]);
      });

      it("lets the backup role list, read, write, abort uploads and delete (a delete marker) on its own prefix, and use its key; and denies destroying a version or loosening a lock", async () => {
        const plan = await planStack(stack);
        const trust = JSON.parse(plan.one("aws:iam/role:Role", "platform-backups-storage-irsa").inputs.assumeRolePolicy as string);
        const conditions = trust.Statement[0].Condition.StringEquals;
        expect(Object.values(conditions)).to.have.members(["system:serviceaccount:backups:pg-backup", "sts.amazonaws.com"]);
        const access = JSON.parse(plan.one("aws:iam/rolePolicy:RolePolicy", "platform-backups-storage-irsa-access").inputs.policy as string);
        expect(access.Statement).to.deep.equal([
          { Sid: "ListOwnPrefix", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [BUCKET_ARN], Condition: { StringLike: { "s3:prefix": [`${want.prefix}/*`] } } },
          { Sid: "ReadWriteOwnPrefix", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], Resource: [`${BUCKET_ARN}/${want.prefix}/*`] },
          { Sid: "HideOwnPrefixObjects", Effect: "Allow", Action: ["s3:DeleteObject"], Resource: [`${BUCKET_ARN}/${want.prefix}/*`] },
          { Sid: "UseBackupKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: [KEY_ARN(stack)] },
          {
            Sid: "NeverDestroyBackups",
            Effect: "Deny",
            Action: [
              "s3:DeleteObjectVersion",
              "s3:BypassGovernanceRetention",
              "s3:PutObjectRetention",
              "s3:PutObjectLegalHold",
              "s3:PutBucketObjectLockConfiguration",
              "s3:PutLifecycleConfiguration",
              "s3:PutBucketVersioning",
              "s3:PutBucketPolicy",
              "s3:DeleteBucketPolicy",
              "s3:PutReplicationConfiguration",
            ],
            Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
          },
        ]);
        const allowed = access.Statement.filter((s: { Effect: string }) => s.Effect === "Allow").flatMap((s: { Action: string[] }) => s.Action);
        for (const action of allowed) expect(action).to.not.contain("*");
      });

      it("replicates to its own bucket in eu-central-1, under the same Object Lock, encrypted there with a key of that region", async () => {
        const plan = await planStack(stack);
        const provider = plan.one("pulumi:providers:aws", "platform-backup-replica");
        expect(provider.inputs.region).to.equal("eu-central-1");
        const replicaResources = plan.resources.filter((r) => r.name.startsWith("platform-backups-storage-replica-"));
        expect(replicaResources.map((r) => r.type).sort()).to.deep.equal([
          "aws:kms/alias:Alias",
          "aws:kms/key:Key",
          "aws:s3/bucket:Bucket",
          "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
          "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
          "aws:s3/bucketPolicy:BucketPolicy",
          "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          "aws:s3/bucketVersioning:BucketVersioning",
        ]);
        for (const r of replicaResources) expect(r.provider, `${r.name} is created in the replica region`).to.equal(REPLICA_PROVIDER(stack));
        expect(plan.one("aws:kms/key:Key", "platform-backups-storage-replica-key").inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
        expect(plan.one("aws:s3/bucket:Bucket", "platform-backups-storage-replica-bucket").inputs).to.deep.equal({
          forceDestroy: false,
          tags: { environment: stack, component: "database-backups", role: "offsite-replica" },
        });
        const sse = plan.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "platform-backups-storage-replica-encryption").inputs as any;
        expect(sse.rules[0].applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: "aws:kms", kmsMasterKeyId: REPLICA_KEY_ARN(stack) });
        expect(plan.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "platform-backups-storage-replica-object-lock").inputs.rule).to.deep.equal({
          defaultRetention: { mode: want.lockMode, days: want.retentionDays },
        });

        const replication = plan.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "platform-backups-storage-replication-config");
        expect(replication.provider, "configured on the primary bucket, through the stack's account provider").to.equal(
          `urn:pulumi:${stack}::platform::platform:index:Platform$pulumi:providers:aws::platform-account`,
        );
        expect(replication.inputs).to.deep.equal({
          bucket: "platform-backups-storage-bucket",
          role: `arn:aws:iam::${ACCOUNT[stack]}:role/platform-backups-storage-replication`,
          rules: [
            {
              id: "offsite-replica",
              status: "Enabled",
              priority: 1,
              filter: { prefix: `${want.prefix}/` },
              deleteMarkerReplication: { status: "Enabled" },
              sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
              destination: {
                bucket: REPLICA_BUCKET_ARN,
                storageClass: "STANDARD_IA",
                encryptionConfiguration: { replicaKmsKeyId: REPLICA_KEY_ARN(stack) },
                metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
              },
            },
          ],
        });
        // S3 refuses a replication configuration before both buckets are versioned.
        for (const versioning of ["platform-backups-storage-versioning", "platform-backups-storage-replica-versioning"]) {
          expect(replication.dependencies).to.include(plan.one("aws:s3/bucketVersioning:BucketVersioning", versioning).urn);
        }
      });

      it("lets only S3 assume the replication role, which reads the stack's versions and writes them to the replica, each key only through S3 in its region", async () => {
        const plan = await planStack(stack);
        const role = plan.one("aws:iam/role:Role", "platform-backups-storage-replication");
        expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement).to.deep.equal([{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }]);
        const policy = JSON.parse(plan.one("aws:iam/rolePolicy:RolePolicy", "platform-backups-storage-replication-access").inputs.policy as string);
        expect(policy.Statement).to.deep.equal([
          { Sid: "ReadReplicationConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: [BUCKET_ARN] },
          {
            Sid: "ReadSourceVersions",
            Effect: "Allow",
            Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
            Resource: [`${BUCKET_ARN}/${want.prefix}/*`],
          },
          { Sid: "WriteReplica", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: [`${REPLICA_BUCKET_ARN}/${want.prefix}/*`] },
          {
            Sid: "DecryptWithSourceKey",
            Effect: "Allow",
            Action: ["kms:Decrypt"],
            Resource: [KEY_ARN(stack)],
            Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" }, StringLike: { "kms:EncryptionContext:aws:s3:arn": [BUCKET_ARN, `${BUCKET_ARN}/${want.prefix}/*`] } },
          },
          {
            Sid: "EncryptWithReplicaKey",
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:GenerateDataKey"],
            Resource: [REPLICA_KEY_ARN(stack)],
            Condition: {
              StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" },
              StringLike: { "kms:EncryptionContext:aws:s3:arn": [REPLICA_BUCKET_ARN, `${REPLICA_BUCKET_ARN}/${want.prefix}/*`] },
            },
          },
        ]);
      });
    });
  }
});

describe("database backups without an off-site replica (backupReplicaRegion empty)", () => {
  it("creates no replica, no replication role and no replica provider", async () => {
    const stackFile = editedStackFile("staging", (config) => (config["platform:backupReplicaRegion"] = ""));
    const record = await runProgram("staging", { stackFile });
    const names = record.resources.map((r) => r.name);
    expect(names.filter((n) => /replica|replication/.test(n))).to.deep.equal([]);
    // Only the stack's own account provider.
    expect(record.resources.filter((r) => r.type === "pulumi:providers:aws").map((r) => r.name)).to.deep.equal(["platform-account"]);
    expect(names).to.include.members(["platform-backups-storage-bucket", "platform-backups-storage-object-lock"]);
  });
});

describe("database backups of a large database (dumpVolumeSize, restoreVolumeSize)", () => {
  it("sizes the backup's and the drill's dump volume and the drill's database volume from the database entry", async () => {
    const stackFile = editedStackFile("production", (config) => {
      config["platform:databases"][0].backup.dumpVolumeSize = "150Gi";
      config["platform:databases"][0].backup.restoreVolumeSize = "600Gi";
    });
    const plan = new StackPlan(await runProgram("production", { stackFile }));
    const volume = (cronJob: string, name: string) =>
      plan.object("CronJob", "backups", cronJob).spec.jobTemplate.spec.template.spec.volumes.find((v: { name: string }) => v.name === name).ephemeral.volumeClaimTemplate.spec.resources.requests.storage;
    expect(volume("pg-backup-orders", "scratch")).to.equal("150Gi");
    expect(volume("pg-restore-drill-orders", "scratch")).to.equal("150Gi");
    expect(volume("pg-restore-drill-orders", "drill-data")).to.equal("600Gi");
  });

  it("a database's backup.runDeadline is its backup Job's deadline, both attempts included; the drill keeps its own", async () => {
    // A slower database needs a longer run, and BackupTooOld a maximum age that allows for it (29h + 2h).
    const stackFile = editedStackFile("production", (config) => {
      config["platform:databases"][0].backup.runDeadline = "6h";
      config["platform:alertThresholds"].backups.maxAge = "31h";
    });
    const plan = new StackPlan(await runProgram("production", { stackFile }));
    expect(plan.object("CronJob", "backups", "pg-backup-orders").spec.jobTemplate.spec).to.include({ backoffLimit: 1, activeDeadlineSeconds: 6 * 3600 });
    expect(plan.object("CronJob", "backups", "pg-restore-drill-orders").spec.jobTemplate.spec.activeDeadlineSeconds).to.equal(2 * 4 * 3600);
  });
});

describe("a database's restore-drill row minimum (backup.drillMinRows)", () => {
  for (const [stack, minRows] of [
    ["staging", 50],
    ["production", 10000],
  ] as const) {
    it(`${stack}: the drill Job gets the database entry's drillMinRows as DRILL_MIN_ROWS; the backup Job does not`, async () => {
      const stackFile = editedStackFile(stack, (config) => {
        config["platform:databases"][0].backup.drillMinRows = minRows;
      });
      const plan = new StackPlan(await runProgram(stack, { stackFile }));
      const env = (cronJob: string) => plan.object("CronJob", "backups", cronJob).spec.jobTemplate.spec.template.spec.containers[0].env as { name: string; value?: string }[];
      expect(env("pg-restore-drill-orders").filter((e) => e.name === "DRILL_MIN_ROWS")).to.deep.equal([{ name: "DRILL_MIN_ROWS", value: String(minRows) }]);
      expect(env("pg-backup-orders").map((e) => e.name)).to.not.include("DRILL_MIN_ROWS");
    });
  }
});

describe("the backup image (components/backups/image/Dockerfile)", () => {
  it("stores the database servers' CA bundle where the jobs' PGSSLROOTCERT points, from an https URL (AWS RDS's global bundle by default)", () => {
    const dockerfile = fs.readFileSync(path.join(__dirname, "..", "..", "components", "backups", "image", "Dockerfile"), "utf8");
    expect(dockerfile).to.include("ARG POSTGRES_SERVER_CA_URL=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem\n");
    expect(dockerfile).to.include(`"$POSTGRES_SERVER_CA_URL" -o ${POSTGRES_SERVER_CA_FILE} \\\n`);
    expect(dockerfile).to.include("--proto '=https'");
  });
});
