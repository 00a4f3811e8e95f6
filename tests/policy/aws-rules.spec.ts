import { type PolicyResource, unknownCheckingProxy } from "@pulumi/policy";
import { expect } from "chai";
import { targetBucket } from "../../policy/rules/s3-correlation";
import { type FixtureResource, messagesOf, UNKNOWN_STRING, urnOf, violations } from "./fixtures";

const BUCKET = "aws:s3/bucket:Bucket";
const PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

const bucket = (name: string, inputs: Record<string, unknown> = {}): FixtureResource => ({ type: BUCKET, name, inputs: { forceDestroy: false, ...inputs } });

/** A settings resource as the mocks record it: `bucket` holds the bucket's id (its logical name) and it depends on the bucket. */
const setting = (type: string, bucketName: string, suffix: string, inputs: Record<string, unknown>): FixtureResource => ({
  type,
  name: `${bucketName}-${suffix}`,
  inputs: { bucket: bucketName, ...inputs },
  dependencies: [urnOf(BUCKET, bucketName)],
});

const ALL_FLAGS = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const kms = (algorithm: string) => ({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm }, bucketKeyEnabled: true }] });
const versioning = (status: string) => ({ versioningConfiguration: { status } });
const lifecycle = (status: string) => ({ rules: [{ id: "expire", status, filter: {}, expiration: { days: 30 } }] });

/** A bucket with every setting right. */
function goodBucket(name: string): FixtureResource[] {
  return [
    bucket(name),
    setting(PUBLIC_ACCESS, name, "public-access", ALL_FLAGS),
    setting(ENCRYPTION, name, "encryption", kms("aws:kms")),
    setting(VERSIONING, name, "versioning", versioning("Enabled")),
    setting(LIFECYCLE, name, "lifecycle", lifecycle("Enabled")),
  ];
}

const S3_POLICIES = ["s3-block-public-access", "s3-kms-encryption", "s3-versioning", "s3-lifecycle"];

async function s3Messages(resources: FixtureResource[]): Promise<string[][]> {
  const found = await violations(resources);
  return S3_POLICIES.map((p) => found.filter((v) => v.policy === p).map((v) => v.message));
}

const policyResource = (type: string, name: string, props: Record<string, unknown>, extra: Partial<PolicyResource> = {}): PolicyResource =>
  ({ type, name, urn: urnOf(type, name), props, dependencies: [], propertyDependencies: {}, ...extra }) as PolicyResource;

describe("policy: AWS rules", () => {
  describe("S3 buckets (s3-block-public-access, s3-kms-encryption, s3-versioning, s3-lifecycle)", () => {
    it("pass a bucket whose four settings resources are right, next to another bucket", async () => {
      expect(await s3Messages([...goodBucket("logs"), ...goodBucket("backups")])).to.deep.equal([[], [], [], []]);
    });

    it("pass a bucket configured inline (deprecated arguments the provider still reports)", async () => {
      const inline = bucket("legacy", {
        serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms:dsse" } } },
        versioning: { enabled: true },
        lifecycleRules: [{ enabled: true, expiration: { days: 30 } }],
      });
      expect(await s3Messages([inline, setting(PUBLIC_ACCESS, "legacy", "public-access", ALL_FLAGS)])).to.deep.equal([[], [], [], []]);
    });

    it("report a bucket with no settings at all, against the bucket's URN", async () => {
      const found = (await violations([bucket("logs")])).filter((v) => v.policy.startsWith("s3-"));
      expect(found.map((v) => [v.policy, v.enforcementLevel, v.urn, v.message])).to.deep.equal([
        [
          "s3-block-public-access",
          "mandatory",
          urnOf(BUCKET, "logs"),
          "S3 bucket logs has no BucketPublicAccessBlock; add one that sets blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets to true",
        ],
        ["s3-kms-encryption", "mandatory", urnOf(BUCKET, "logs"), "S3 bucket logs has no default encryption; add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms"],
        [
          "s3-versioning",
          "mandatory",
          urnOf(BUCKET, "logs"),
          "S3 bucket logs has no versioning; add a BucketVersioning with status Enabled so overwritten and deleted objects can be recovered",
        ],
        [
          "s3-lifecycle",
          "mandatory",
          urnOf(BUCKET, "logs"),
          "S3 bucket logs has no lifecycle rule; add a BucketLifecycleConfiguration with an Enabled expiration rule so objects do not accumulate forever",
        ],
      ]);
    });

    it("report settings with the wrong values", async () => {
      const resources = [
        bucket("logs"),
        setting(PUBLIC_ACCESS, "logs", "public-access", { blockPublicAcls: true, ignorePublicAcls: true }),
        setting(ENCRYPTION, "logs", "encryption", kms("AES256")),
        setting(VERSIONING, "logs", "versioning", versioning("Suspended")),
        setting(LIFECYCLE, "logs", "lifecycle", lifecycle("Disabled")),
      ];
      expect(await s3Messages(resources)).to.deep.equal([
        ["S3 bucket logs: BucketPublicAccessBlock logs-public-access does not set blockPublicPolicy, restrictPublicBuckets to true"],
        ["S3 bucket logs is encrypted with AES256, not KMS; set sseAlgorithm to aws:kms"],
        ["S3 bucket logs has versioning Suspended; set it to Enabled so overwritten and deleted objects can be recovered"],
        ["S3 bucket logs has lifecycle rules but none is Enabled; enable one so objects do not accumulate forever"],
      ]);
    });

    it("do not credit one bucket's settings to another", async () => {
      const [, ...logsSettings] = goodBucket("logs");
      const messages = await s3Messages([bucket("logs"), bucket("other"), ...logsSettings]);
      expect(messages.map((m) => m.filter((x) => x.startsWith("S3 bucket logs")))).to.deep.equal([[], [], [], []]);
      expect(messages.map((m) => m.length)).to.deep.equal([1, 1, 1, 1]);
    });

    describe("joining a setting to its bucket", () => {
      const logs = policyResource(BUCKET, "logs", { bucket: "logs-4f2a", id: "logs-4f2a" });
      const other = policyResource(BUCKET, "other", { bucket: "other-9c1d", id: "other-9c1d" });

      it("uses the engine's property dependencies first (the bucket name is unknown during a first preview)", () => {
        const s = policyResource(VERSIONING, "s", { bucket: "other-9c1d" }, { propertyDependencies: { bucket: [logs] } });
        expect(targetBucket(s, [logs, other])?.name).to.equal("logs");
      });

      it("then the bucket's name or id", () => {
        const byName = policyResource(VERSIONING, "s", { bucket: "other-9c1d" }, { dependencies: [logs] });
        expect(targetBucket(byName, [logs, other])?.name).to.equal("other");
      });

      it("then the only bucket among its dependencies (the mock runtime's record), and nothing when that is ambiguous", () => {
        expect(targetBucket(policyResource(VERSIONING, "s", { bucket: "logs" }, { dependencies: [other] }), [logs, other])?.name).to.equal("other");
        expect(targetBucket(policyResource(VERSIONING, "s", { bucket: "x" }, { dependencies: [logs, other] }), [logs, other])).to.equal(undefined);
      });

      it("skips a bucket name that is unknown during preview instead of failing the policy", () => {
        // What the analyzer hands a policy for a name computed at create time: the SDK's unknown-string sentinel behind its proxy.
        const props = unknownCheckingProxy({ bucket: UNKNOWN_STRING });
        expect(() => props.bucket).to.throw("string value at .bucket can't be known during preview");
        expect(targetBucket(policyResource(VERSIONING, "s", props, { dependencies: [other] }), [logs, other])?.name).to.equal("other");
      });
    });
  });

  describe("iam-no-admin-wildcards", () => {
    const doc = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

    it("passes scoped grants, Deny statements and policy documents given as objects", async () => {
      const resources: FixtureResource[] = [
        {
          type: "aws:iam/rolePolicy:RolePolicy",
          name: "loki-access",
          inputs: { role: "loki", policy: doc({ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["arn:aws:s3:::chunks/*"] }) },
        },
        {
          type: "aws:s3/bucketPolicy:BucketPolicy",
          name: "tls-only",
          inputs: { bucket: "chunks", policy: doc({ Effect: "Deny", Principal: "*", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }) },
        },
        {
          type: "aws:iam/policy:Policy",
          name: "read-all",
          inputs: { policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:Get*", Resource: "*" }] } },
        },
        { type: "aws:iam/role:Role", name: "app", inputs: { assumeRolePolicy: "{}", managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] } },
      ];
      expect(await messagesOf("iam-no-admin-wildcards", resources)).to.deep.equal([]);
    });

    it("reports Allow * on *, however it is attached, and a document that is not a policy", async () => {
      const resources: FixtureResource[] = [
        { type: "aws:iam/policy:Policy", name: "admin", inputs: { policy: doc({ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }) } },
        {
          type: "aws:iam/rolePolicy:RolePolicy",
          name: "ci",
          inputs: { policy: JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: ["s3:*", "*"], Resource: ["*"] } }) },
        },
        {
          type: "aws:iam/role:Role",
          name: "ops",
          inputs: {
            inlinePolicies: [{ name: "all", policy: doc({ Effect: "Allow", Action: "*:*", Resource: "*" }) }],
            managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
          },
        },
        { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "ops-admin", inputs: { role: "ops", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" } },
        { type: "aws:iam/userPolicy:UserPolicy", name: "broken", inputs: { user: "bot", policy: "{not json" } },
      ];
      expect(await messagesOf("iam-no-admin-wildcards", resources)).to.deep.equal([
        'admin: policy statement "Admin" allows Action "*" on Resource "*"; grant the specific actions on the specific ARNs',
        'ci: policy statement #0 allows Action "*" on Resource "*"; grant the specific actions on the specific ARNs',
        "ops: managedPolicyArns attaches arn:aws:iam::aws:policy/AdministratorAccess; grant the specific actions on the specific ARNs",
        'ops: inlinePolicies[0].policy statement #0 allows Action "*" on Resource "*"; grant the specific actions on the specific ARNs',
        "ops-admin: policyArn attaches arn:aws:iam::aws:policy/AdministratorAccess; grant the specific actions on the specific ARNs",
        "broken: policy is not a JSON policy document with a Statement",
      ]);
    });
  });
});
