import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { analysisCacheDir, readAnalysis, writeAnalysis } from "../../provider/analysis-cache";
import { skipWithoutEngine } from "../engine/fixtures/engine";
import { type ArgsField, componentArgsFields, schemaArgsFields } from "./fixtures/args-fields";
import { CHECKOUT_PLUGIN, getSchema, NODE_DIR, type PackageSchema, type SchemaProperty } from "./fixtures/component-package";
import { installedExample } from "./fixtures/package";

/**
 * The component package other languages use: the schema `pulumi package get-schema` reads from the plugin
 * (the real CLI, built by .ci/build-tools) names every component with every argument and output, each with
 * its type and description, every argument exactly as the TypeScript source declares it (read with the
 * TypeScript compiler, not listed by hand), and the installed package's plugin serves the same schema.
 */
const SERVED = ["AlertRules", "BlueGreenApp", "DatabaseBackups", "MonitoringStack", "PlatformDashboards", "PlatformNamespace", "PostgresBackup"];

describe("the component package's schema (pulumi package get-schema)", function () {
  this.timeout(600_000);
  let schema: PackageSchema;

  before(async function () {
    skipWithoutEngine(this);
    schema = await getSchema(CHECKOUT_PLUGIN);
  });

  it("is the package platform at the library's version, with exactly the seven components", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "package.json"), "utf8"));
    expect([schema.name, schema.version]).to.deep.equal(["platform", manifest.version]);
    expect(Object.keys(schema.resources).sort()).to.deep.equal(SERVED.map((c) => `platform:index:${c}`));
    for (const [token, resource] of Object.entries(schema.resources)) {
      expect(resource.isComponent, token).to.equal(true);
      expect(resource.description, token).to.match(/^[A-Z].{80,}\.$/s);
    }
  });

  it("gives every argument, output and type field a type and a description, and every reference resolves", () => {
    const problems: string[] = [];
    const check = (where: string, p: SchemaProperty) => {
      if (!p.description || p.description.length < 10 || /\[object Object\]/.test(p.description)) problems.push(`${where}: description ${JSON.stringify(p.description)}`);
      const typed = (q: SchemaProperty, at: string): void => {
        if (q.$ref) {
          // pulumi.json#/Any is one of the schema's built-in types (the replica's provider), the rest are the package's.
          if (q.$ref !== "pulumi.json#/Any" && !schema.types[q.$ref.replace("#/types/", "")]) problems.push(`${at}: ${q.$ref} does not resolve`);
        } else if (!q.type) problems.push(`${at}: no type`);
        if (q.items) typed(q.items, `${at}[]`);
        if (q.additionalProperties) typed(q.additionalProperties, `${at}{}`);
      };
      typed(p, where);
    };
    for (const [token, r] of Object.entries(schema.resources)) {
      for (const [name, p] of Object.entries(r.inputProperties)) check(`${token} input ${name}`, p);
      for (const [name, p] of Object.entries(r.properties)) check(`${token} output ${name}`, p);
    }
    // The SDK's schema generator (3.270, generateSchema) keeps no description on object and enum types
    // themselves: each argument that uses one carries the description, which is what the checks above demand.
    for (const [token, t] of Object.entries(schema.types)) {
      for (const [name, p] of Object.entries(t.properties ?? {})) check(`${token}.${name}`, p);
    }
    expect(problems).to.deep.equal([]);
  });

  describe("every argument of every public component, as its TypeScript source declares it", () => {
    // Derived from lib/*.ts with the TypeScript compiler: every class extending ComponentResource, every field of
    // its args type, recursively through interfaces, arrays and maps. A field added to an Args interface is in
    // this list without anyone naming it; the schema must hold it with the same requiredness, kind and JSDoc.
    const source = componentArgsFields();
    const line = (f: ArgsField) => `${f.path} ${f.required ? "required" : "optional"} ${f.kind}: ${f.description}`;

    it("finds exactly the served components among lib's classes", () => {
      expect([...source.keys()].sort()).to.deep.equal(SERVED);
    });

    for (const component of SERVED) {
      it(`${component}: every field, its requiredness, kind and description`, () => {
        const fields = source.get(component)!;
        expect(fields.length, "fields read from the source").to.be.at.least(8);
        expect(schemaArgsFields(schema, `platform:index:${component}`).map(line).sort()).to.deep.equal(fields.map(line).sort());
        // Only array items and map values go without a description of their own.
        expect(fields.filter((f) => !/(\[\]|\{\})$/.test(f.path) && f.description.length < 10).map((f) => f.path), "fields without a description").to.deep.equal([]);
      });
    }

    it("reaches the nested fields: thresholds, monitoring settings, database connections (the shared base included)", () => {
      const find = (component: string, fieldPath: string) => source.get(component)!.find((f) => f.path === fieldPath);
      expect(find("AlertRules", "thresholds.http.errorRatio")).to.deep.include({ required: true, kind: "number" });
      expect(find("AlertRules", "slos[].latency.thresholdSeconds")).to.deep.include({ required: true, kind: "number" });
      expect(find("PlatformDashboards", "alertThresholds.slo.ticketFor")).to.deep.include({ required: true, kind: "string" });
      expect(find("MonitoringStack", "monitoring.loki.storage")).to.deep.include({ required: true, kind: "enum" });
      expect(find("MonitoringStack", "caches[].password")).to.deep.include({ required: false, kind: "string" });
      for (const [component, list] of [["MonitoringStack", "databases[]"], ["DatabaseBackups", "databases[]"], ["PostgresBackup", "database"]]) {
        expect(find(component, `${list}.sslMode`), component).to.deep.include({ required: true, kind: "enum" });
        expect(find(component, `${list}.passwordSecret.key`), component).to.deep.include({ required: true, kind: "string" });
      }
      expect(find("DatabaseBackups", "databases[].pointInTimeRecovery.rdsCluster")).to.deep.include({ required: false, kind: "string" });
      expect(find("DatabaseBackups", "replica.provider")).to.deep.include({ required: true, kind: "any" });
    });
  });

  it("lists the outputs of the components served since 0.4.0", () => {
    const outputs = (c: string) => Object.keys(schema.resources[`platform:index:${c}`].properties).sort();
    expect(outputs("AlertRules")).to.deep.equal(["ruleGroups"]);
    expect(outputs("PlatformDashboards")).to.deep.equal(["configMapNames"]);
    expect(outputs("DatabaseBackups")).to.deep.equal(["bucketName", "kmsKeyArn", "replicaBucketName"]);
    expect(outputs("PostgresBackup")).to.deep.equal(["backupCronJobName", "restoreDrillCronJobName"]);
    expect(outputs("MonitoringStack")).to.deep.equal(["lokiBucketName", "namespace", "tempoBucketName", "urls"]);
    expect(schema.resources["platform:index:MonitoringStack"].properties.urls.$ref).to.equal("#/types/platform:index:MonitoringUrls");
    expect(Object.keys(schema.types["platform:index:MonitoringUrls"].properties!).sort()).to.deep.equal(["alertmanager", "blackboxExporter", "loki", "lokiPush", "prometheus", "pushgateway", "tempo", "tempoOtlpGrpc"]);
  });

  it("depends on no other package: the replica's AWS provider is an Any, not a reference into the aws schema", () => {
    expect((schema as unknown as { dependencies?: unknown }).dependencies).to.equal(undefined);
    expect(JSON.stringify(schema)).to.not.match(/"\$ref":"\/aws\//);
  });

  it("lists BlueGreenApp's arguments with the required ones, and its outputs", () => {
    const app = schema.resources["platform:index:BlueGreenApp"];
    expect(Object.keys(app.inputProperties).sort()).to.deep.equal(
      [
        "activeColor", "defaultLogLevel", "defaultTraceSamplingPercent", "env", "environment", "gate", "health", "hostname", "hpa", "images", "logLevel",
        "monitoringNamespace", "name", "namespace", "port", "previewReplicas", "replicas", "resources", "scaleDownDelaySeconds", "secretEnv", "secretsManagerEnv",
        "slos", "traceCollectorNamespace", "tracing",
      ].sort(),
    );
    expect([...(app.requiredInputs ?? [])].sort()).to.deep.equal(["activeColor", "environment", "images", "name", "namespace", "port", "replicas", "resources"]);
    expect(app.properties).to.deep.equal({
      activeServiceName: { type: "string", description: "Name of the Service that receives traffic (the app's name)." },
      previewServiceName: { type: "string", description: "Name of the Service that reaches the idle colour, for tests before a switch." },
    });
    expect(app.inputProperties.activeColor.$ref).to.equal("#/types/platform:index:Color");
    expect(app.inputProperties.previewReplicas.description).to.equal("Replicas the idle colour keeps (Argo Rollouts' previewReplicaCount, 0 to 100). Default: replicas in production; 0 in staging (1 with hpa).");
    expect(app.inputProperties.secretEnv).to.deep.include({ type: "object", additionalProperties: { type: "string" } });
  });

  it("lists PlatformNamespace's arguments with the required ones, and its output", () => {
    const ns = schema.resources["platform:index:PlatformNamespace"];
    expect(Object.keys(ns.inputProperties).sort()).to.deep.equal(["egress", "environment", "ingressFromNamespaces", "limitRange", "maxNodes", "monitoringNamespace", "name", "nodeAgents", "podSecurity", "quota", "team"]);
    expect([...(ns.requiredInputs ?? [])].sort()).to.deep.equal(["environment", "limitRange", "maxNodes", "name", "quota", "team"]);
    expect(Object.keys(ns.properties)).to.deep.equal(["namespaceName"]);
  });

  it("turns the closed sets of words into enums with their values", () => {
    const values = (name: string) => schema.types[`platform:index:${name}`].enum!.map((m) => `${m.name}=${m.value}`);
    expect(values("Environment")).to.deep.equal(["Staging=staging", "Production=production"]);
    expect(values("Color")).to.deep.equal(["Blue=blue", "Green=green"]);
    expect(values("LogLevel")).to.deep.equal(["Debug=DEBUG", "Info=INFO", "Warning=WARNING", "Error=ERROR"]);
    expect(values("OtlpProtocol")).to.deep.equal(["HttpProtobuf=http/protobuf", "Grpc=grpc"]);
    expect(values("PodSecurityLevel")).to.deep.equal(["Privileged=privileged", "Baseline=baseline", "Restricted=restricted"]);
    expect(values("SloWindow")).to.deep.equal(["Days28=28d", "Days30=30d"]);
    expect(values("SslMode")).to.deep.equal(["Disable=disable", "Require=require", "VerifyFull=verify-full"]);
    expect(values("ClusterFlavour")).to.deep.equal(["Eks=eks", "SelfManaged=self-managed"]);
    expect(values("StorageBackend")).to.deep.equal(["Filesystem=filesystem", "S3=s3"]);
  });

  it("says the plugin needs @pulumi/aws where it is not installed, instead of failing with a stack trace", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-no-aws-"));
    try {
      fs.mkdirSync(path.join(dir, "provider"));
      fs.copyFileSync(CHECKOUT_PLUGIN, path.join(dir, "provider", "pulumi-resource-platform"));
      const result = spawnSync(path.join(NODE_DIR, "node"), [path.join(dir, "provider", "pulumi-resource-platform")], { encoding: "utf8", timeout: 60_000, env: { PATH: "/usr/bin:/bin", HOME: dir } });
      expect([result.status, result.stdout, result.stderr]).to.deep.equal([
        1,
        "",
        "pulumi-resource-platform needs @pulumi/aws installed next to the platform package (npm install @pulumi/aws): DatabaseBackups, PostgresBackup and MonitoringStack create AWS resources.\n",
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is analysed once per version of the package: the plugin serves the cached analysis (provider/analysis-cache.ts)", async () => {
    const stored = readAnalysis(REPOSITORY_ROOT);
    expect(stored, "the analysis the first get-schema stored").to.not.equal(undefined);
    // The CLI normalises what the plugin serves (key order, empty config): the same package and resources.
    const served = JSON.parse(stored!.schema) as PackageSchema;
    expect([served.name, served.version, Object.keys(served.resources).sort()]).to.deep.equal([schema.name, schema.version, Object.keys(schema.resources).sort()]);
    expect(Object.keys(stored!.components).sort()).to.deep.equal(SERVED);
    // A cached analysis is served as it is: marked in a cache folder of its own, the mark shows in the schema.
    const cacheHome = fs.mkdtempSync(path.join(os.tmpdir(), "platform-analysis-cache-"));
    try {
      const marked = { ...schema, description: "served from the analysis cache" };
      writeAnalysis(REPOSITORY_ROOT, { schema: JSON.stringify(marked), components: stored!.components }, analysisCacheDir({ XDG_CACHE_HOME: cacheHome }));
      expect(await getSchema(CHECKOUT_PLUGIN, { XDG_CACHE_HOME: cacheHome })).to.deep.equal(marked);
    } finally {
      fs.rmSync(cacheHome, { recursive: true, force: true });
    }
  });

  it("is served the same by the installed package's plugin (built JavaScript, not the TypeScript source), which keeps Node's compile cache", async () => {
    const consumer = await installedExample("team-app");
    // Without NODE_COMPILE_CACHE (which alone turns the cache on, launcher or not), Node's folder for it is
    // <os.tmpdir()>/node-compile-cache.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-plugin-tmp-"));
    try {
      expect(await getSchema(path.join(consumer.projectDir, "node_modules", ".bin", "pulumi-resource-platform"), { TMPDIR: tmp, NODE_COMPILE_CACHE: "" })).to.deep.equal(schema);
      // The engine starts the plugin for every operation: the next start reads the code V8 compiled in this one.
      const cached = path.join(tmp, "node-compile-cache");
      const files = fs.existsSync(cached) ? fs.readdirSync(cached, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()) : [];
      expect(files.length, `files in ${cached}`).to.be.above(10);
    } finally {
      consumer.dispose();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
