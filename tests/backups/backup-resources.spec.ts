import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { SCRIPTS_DIR } from "../../components/backups";
import { planStack, STACKS } from "../harness";

const expected = {
  staging: { schedule: "0 3 * * *", retentionDays: 7, prefix: "staging" },
  production: { schedule: "0 2 * * *", retentionDays: 30, prefix: "production" },
} as const;

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
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 5,
        });
        expect(cron.spec.jobTemplate.spec).to.include({ backoffLimit: 1, activeDeadlineSeconds: 14400 });
        expect(cron.metadata.labels).to.include({ "platform.io/component": "backup", "platform.io/database": "orders" });
      });

      it("runs non-root on a read-only root filesystem, scratch on an emptyDir, scripts from the ConfigMap", async () => {
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
        expect(pod.volumes).to.deep.equal([
          { name: "scripts", configMap: { name: "pg-backup-scripts-orders", defaultMode: 0o555 } },
          { name: "scratch", emptyDir: { sizeLimit: "20Gi" } },
        ]);
      });

      it("takes the database password from the credentials Secret and talks to S3 only through IRSA", async () => {
        const plan = await planStack(stack);
        const env = plan.object("CronJob", "backups", "pg-backup-orders").spec.jobTemplate.spec.template.spec.containers[0].env;
        const byName = Object.fromEntries(env.map((e: { name: string }) => [e.name, e]));
        expect(byName.PGPASSWORD).to.deep.equal({ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "db-orders-credentials", key: "password" } } });
        expect(byName.BACKUP_PREFIX.value).to.equal(`${want.prefix}/orders`);
        expect(byName.BACKUP_KMS_KEY_ID.value).to.equal("arn:aws:kms:us-east-1:123456789012:platform-backups-storage-key");
        expect(byName.PUSHGATEWAY_URL.value).to.equal("http://pushgateway-prometheus-pushgateway.monitoring.svc.cluster.local:9091");
        for (const forbidden of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) expect(byName, forbidden).to.not.have.property(forbidden);
        expect(plan.resources.filter((r) => r.type === "aws:iam/accessKey:AccessKey")).to.deep.equal([]);
        const sa = plan.object("ServiceAccount", "backups", "pg-backup");
        expect(sa.metadata.annotations).to.deep.equal({ "eks.amazonaws.com/role-arn": "arn:aws:iam:us-east-1:123456789012:platform-backups-storage-irsa" });
        expect(sa.automountServiceAccountToken).to.equal(false);
      });

      it("restore-drills weekly into a throwaway PostgreSQL sidecar, checking the configured tables", async () => {
        const cron = (await planStack(stack)).object("CronJob", "backups", "pg-restore-drill-orders");
        expect(cron.spec).to.include({ schedule: "0 5 * * 0", concurrencyPolicy: "Forbid" });
        const pod = cron.spec.jobTemplate.spec.template.spec;
        expect(pod.initContainers.map((c: { name: string; restartPolicy: string }) => [c.name, c.restartPolicy])).to.deep.equal([["drill-postgres", "Always"]]);
        const env = Object.fromEntries(pod.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
        expect(env).to.include({ PGHOST: "127.0.0.1", DRILL_TABLES: stack === "production" ? "public.orders,public.customers" : "public.orders" });
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

      it("keeps backups in a private, versioned, TLS-only bucket encrypted with its own rotating KMS key", async () => {
        const plan = await planStack(stack);
        expect(plan.one("aws:kms/key:Key", "platform-backups-storage-key").inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
        expect(plan.one("aws:s3/bucket:Bucket", "platform-backups-storage-bucket").inputs).to.include({ forceDestroy: false });
        const pab = plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "platform-backups-storage-public-access").inputs;
        expect(pab).to.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        const sse = plan.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "platform-backups-storage-encryption").inputs as any;
        expect(sse.rules[0].applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:platform-backups-storage-key" });
        expect((plan.one("aws:s3/bucketVersioning:BucketVersioning", "platform-backups-storage-versioning").inputs as any).versioningConfiguration.status).to.equal("Enabled");
        const policy = JSON.parse(plan.one("aws:s3/bucketPolicy:BucketPolicy", "platform-backups-storage-policy").inputs.policy as string);
        expect(policy.Statement.map((s: { Sid: string; Effect: string }) => [s.Sid, s.Effect])).to.deep.equal([
          ["DenyInsecureTransport", "Deny"],
          ["DenyUploadsWithoutTheBackupKey", "Deny"],
        ]);
      });

      it(`expires backups after ${want.retentionDays} days, old versions and abandoned temporary uploads a day later`, async () => {
        const lifecycle = (await planStack(stack)).one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "platform-backups-storage-lifecycle").inputs as any;
        expect(lifecycle.rules).to.deep.equal([
          {
            id: "expire-backups-after-retention",
            status: "Enabled",
            filter: { prefix: `${want.prefix}/` },
            expiration: { days: want.retentionDays },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
          { id: "expire-incoming-orders", status: "Enabled", filter: { prefix: `${want.prefix}/orders/.incoming/` }, expiration: { days: 1 } },
        ]);
      });

      it("lets the backup role do only put/get/list on its own prefix, delete its temporary uploads, and use its key", async () => {
        const plan = await planStack(stack);
        const trust = JSON.parse(plan.one("aws:iam/role:Role", "platform-backups-storage-irsa").inputs.assumeRolePolicy as string);
        const conditions = trust.Statement[0].Condition.StringEquals;
        expect(Object.values(conditions)).to.have.members(["system:serviceaccount:backups:pg-backup", "sts.amazonaws.com"]);
        const access = JSON.parse(plan.one("aws:iam/rolePolicy:RolePolicy", "platform-backups-storage-irsa-access").inputs.policy as string);
        const bucket = "arn:aws:s3:us-east-1:123456789012:platform-backups-storage-bucket";
        expect(access.Statement).to.deep.equal([
          { Sid: "ListOwnPrefix", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket], Condition: { StringLike: { "s3:prefix": [`${want.prefix}/*`] } } },
          { Sid: "ReadWriteOwnPrefix", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [`${bucket}/${want.prefix}/*`] },
          { Sid: "DeleteOwnIncomingUploads", Effect: "Allow", Action: ["s3:DeleteObject"], Resource: [`${bucket}/${want.prefix}/*/.incoming/*`] },
          { Sid: "UseBackupKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: ["arn:aws:kms:us-east-1:123456789012:platform-backups-storage-key"] },
        ]);
        for (const statement of access.Statement) for (const action of statement.Action) expect(action).to.not.contain("*");
      });
    });
  }
});
