import { expect } from "chai";
import { planStack, STACKS } from "../harness";

/** What must never be deleted by accident, per stack: [type, name, protect, retainOnDelete]. */
const EXPECTED = {
  staging: [
    // The data outlives the stack: a destroy forgets the bucket and its key together instead of deleting the key alone.
    ["aws:kms/key:Key", "platform-backups-storage-key", false, true],
    ["aws:s3/bucket:Bucket", "platform-backups-storage-bucket", false, true],
    // The off-site replica likewise.
    ["aws:kms/key:Key", "platform-backups-storage-replica-key", false, true],
    ["aws:s3/bucket:Bucket", "platform-backups-storage-replica-bucket", false, true],
  ],
  production: [
    ["aws:kms/key:Key", "platform-backups-storage-key", true, true],
    ["aws:s3/bucket:Bucket", "platform-backups-storage-bucket", true, true],
    ["aws:kms/key:Key", "platform-backups-storage-replica-key", true, true],
    ["aws:s3/bucket:Bucket", "platform-backups-storage-replica-bucket", true, true],
    // Loki's chunks and Tempo's blocks: the bucket with its settings, kept as a whole (core/hardened-bucket.ts).
    ...(["loki-chunks", "tempo-blocks"] as const).flatMap((bucket) =>
      [
        ["aws:s3/bucket:Bucket", ""],
        ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "-lifecycle"],
        ["aws:s3/bucketPolicy:BucketPolicy", "-tls-only"],
        ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "-public-access"],
        ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "-encryption"],
        ["aws:s3/bucketVersioning:BucketVersioning", "-versioning"],
      ].map(([type, suffix]) => [type, `platform-monitoring-${bucket}${suffix}`, true, true] as const),
    ),
    // Namespaces whose quota admits volumes: deleting one deletes its PersistentVolumeClaims.
    ["kubernetes:core/v1:Namespace", "platform-apps-ns", true, false],
    // Its jobs' scratch volumes are generic ephemeral claims: its quota admits claims like the others'.
    ["kubernetes:core/v1:Namespace", "platform-backups-ns", true, false],
    ["kubernetes:core/v1:Namespace", "platform-monitoring-ns", true, false],
    // A replaced generated password locks the backup jobs and the exporter out of the database.
    ["random:index/randomPassword:RandomPassword", "platform-db-orders-password", true, false],
  ],
} as const;

describe("what cannot be recreated is protected", () => {
  for (const stack of STACKS) {
    it(`${stack}: exactly these resources are protected or retained on delete`, async () => {
      const plan = await planStack(stack);
      const kept = plan.resources
        .filter((r) => r.options.protect || r.options.retainOnDelete)
        .map((r) => [r.type, r.name, r.options.protect, r.options.retainOnDelete])
        .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
      const expected = [...EXPECTED[stack]].map((row) => [...row]).sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
      expect(kept).to.deep.equal(expected);
    });
  }
});

describe("CRDs a chart templates are kept by Helm", () => {
  // cert-manager and ESO template their CRDs (kube-prometheus-stack and Envoy Gateway ship theirs in crds/,
  // which Helm never deletes): without the keep policy, an uninstall or an upgrade that drops one deletes the
  // CRD and every custom resource of its kind, the app Secrets ESO owns with them.
  for (const stack of STACKS) {
    it(`${stack}: every CRD of the cert-manager and External Secrets releases has helm.sh/resource-policy: keep`, async () => {
      const plan = await planStack(stack);
      const crds = plan.resources.filter(
        (r) => r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" && /^platform-(cert-manager|external-secrets)-release:/.test(r.name),
      );
      expect(crds.map((r) => r.name.split(":")[1])).to.include.members([
        "certificates.cert-manager.io",
        "clusterissuers.cert-manager.io",
        "externalsecrets.external-secrets.io",
        "clustersecretstores.external-secrets.io",
      ]);
      const notKept = crds.filter((r) => (r.inputs.metadata as { annotations?: Record<string, string> }).annotations?.["helm.sh/resource-policy"] !== "keep");
      expect(notKept.map((r) => r.name)).to.deep.equal([]);
    });
  }
});

