import { expect } from "chai";
import * as path from "node:path";
import { toolPath, toolsDir } from "../../plan/tools";
import { type ApiServer, sharedApiServer } from "../cluster/fixtures/api-server";
import { skipWithoutEngine } from "../engine/fixtures/engine";
import { pluginAfterEngineStopped } from "./fixtures/component-package";
import { installedExample } from "./fixtures/package";
import { typeAndName } from "./fixtures/checkout-app";
import { type YamlStack, yamlExampleStack } from "./fixtures/yaml-stack";

/**
 * examples/yaml-backup: a YAML program that instantiates PostgresBackup, one of the components served since
 * 0.4.0, through the component package, previewed by the real engine against the test kube-apiserver with
 * the installed package's plugin: nested objects, lists, numbers and enums cross the language boundary into
 * the objects the component renders, and a bad argument fails the preview with the component's message.
 */
describe("a YAML program using a newly served component (examples/yaml-backup: PostgresBackup)", function () {
  this.timeout(900_000);
  let server: ApiServer;
  let consumer: Awaited<ReturnType<typeof installedExample>>;
  let yaml: YamlStack;

  before(async function () {
    skipWithoutEngine(this);
    toolPath("pulumi-language-yaml"); // fails loudly, with the command that builds it, when it is missing
    server = await sharedApiServer(this);
    consumer = await installedExample("team-app");
    yaml = await yamlExampleStack("yaml-backup", path.join(consumer.projectDir, "node_modules", ".bin"), server);
  });

  after(() => {
    yaml?.dispose();
    consumer?.dispose();
  });

  it("previews the backup and restore-drill CronJobs with the YAML program's values, through its provider", async () => {
    const run = await yaml.preview();
    expect(run.failed).to.equal(false);
    const expectedWarnings = [`using pulumi-resource-kubernetes from $PATH at ${toolsDir()}/pulumi-resource-kubernetes`, `using pulumi-resource-platform from $PATH at ${yaml.pluginPath}`];
    expect(run.diagnostics.filter((d) => d.severity === "error" || !expectedWarnings.includes(d.message))).to.deep.equal([]);
    expect([...new Set(run.ops.values())]).to.deep.equal(["create"]);
    expect([...run.ops.keys()].map(typeAndName)).to.have.members([
      "pulumi:pulumi:Stack::team-orders-backup-yaml-dev",
      "pulumi:providers:kubernetes::cluster",
      "pulumi:providers:platform::default",
      "pulumi:providers:pulumi::default",
      "kubernetes:core/v1:Namespace::team-backups",
      "platform:index:PostgresBackup::orders",
      "platform:backups:PostgresBackup::orders",
      "kubernetes:core/v1:ConfigMap::orders-scripts",
      "kubernetes:batch/v1:CronJob::orders-backup",
      "kubernetes:batch/v1:CronJob::orders-restore-drill",
    ]);
    const objects = [...run.ops.keys()].filter((urn) => typeAndName(urn).startsWith("kubernetes:"));
    expect([...new Set(objects.map((urn) => typeAndName(run.providers.get(urn)!.replace(/::[^:]+$/, ""))))]).to.deep.equal(["pulumi:providers:kubernetes::cluster"]);

    const inputsOf = (typeName: string) => [...run.inputs.entries()].find(([urn]) => typeAndName(urn) === typeName)![1] as any;
    const backup = inputsOf("kubernetes:batch/v1:CronJob::orders-backup");
    expect(backup.metadata.namespace).to.equal("team-backups");
    expect(backup.spec.schedule).to.equal("30 1 * * *");
    const container = backup.spec.jobTemplate.spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).to.deep.include({
      PGHOST: "orders.db.internal",
      PGPORT: "5432",
      PGSSLMODE: "verify-full",
      PGPASSWORD: { secretKeyRef: { name: "orders-db", key: "password" } },
      BACKUP_BUCKET: "platform-production-backups",
      BACKUP_PREFIX: "production/orders",
      BACKUP_KEEP_LAST: "14",
      BACKUP_RETENTION_DAYS: "30",
    });
    const drill = inputsOf("kubernetes:batch/v1:CronJob::orders-restore-drill");
    expect(drill.spec.schedule, "the default drill schedule").to.equal("0 5 * * 0");
    const drillEnv = drill.spec.jobTemplate.spec.template.spec.containers.flatMap((c: any) => c.env ?? []);
    expect(drillEnv.find((e: any) => e.name === "DRILL_TABLES").value).to.equal("public.orders,public.order_lines");
  });

  it("fails the preview on a bucket that is no bucket name with the component's key-path message, creating nothing of it", async () => {
    await yaml.stack.setConfig("backupBucket", { value: "Team_Backups" });
    let run;
    try {
      run = await yaml.preview();
    } finally {
      await yaml.stack.removeConfig("backupBucket");
    }
    expect(run.failed).to.equal(true);
    // The plugin may report the engine's shutdown cancelling its invoke (a race), beside the component's message.
    expect(run.diagnostics.filter((d) => d.severity === "error" && !pluginAfterEngineStopped(d.message)).map((d) => d.message)).to.deep.equal([
      "platform:index:PostgresBackup resource 'orders' has a problem: Invalid arguments of PostgresBackup \"orders\" (1 problem):\n" +
        "  - bucket: must be an S3 bucket name (or an Output of one, such as DatabaseBackups' bucketName) (got \"Team_Backups\")",
    ]);
    expect([...run.ops.keys()].filter((urn) => urn.includes("PostgresBackup")), "nothing of the backup").to.deep.equal([]);
  });
});
