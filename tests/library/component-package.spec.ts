import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { engineUnavailable } from "../engine/fixtures/engine";
import { CHECKOUT_PLUGIN, getSchema, type PackageSchema, type SchemaProperty } from "./fixtures/component-package";
import { installedExample } from "./fixtures/package";

/**
 * The component package other languages use: the schema `pulumi package get-schema` reads from the plugin
 * (the real CLI, built by .ci/build-tools) names every component with every argument and output, each with
 * its type and description, and the installed package's plugin serves the same schema as the checkout's.
 */
describe("the component package's schema (pulumi package get-schema)", function () {
  this.timeout(600_000);
  let schema: PackageSchema;

  before(async function () {
    const unavailable = engineUnavailable();
    if (unavailable) {
      console.log(`      skipped: ${unavailable}`);
      this.skip();
    }
    schema = await getSchema(CHECKOUT_PLUGIN);
  });

  it("is the package platform at the library's version, with exactly the two components", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "package.json"), "utf8"));
    expect([schema.name, schema.version]).to.deep.equal(["platform", manifest.version]);
    expect(Object.keys(schema.resources).sort()).to.deep.equal(["platform:index:BlueGreenApp", "platform:index:PlatformNamespace"]);
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
          if (!schema.types[q.$ref.replace("#/types/", "")]) problems.push(`${at}: ${q.$ref} does not resolve`);
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
  });

  it("is served the same by the installed package's plugin (built JavaScript, no tsx)", async () => {
    const consumer = await installedExample("team-app");
    try {
      expect(await getSchema(path.join(consumer.projectDir, "node_modules", ".bin", "pulumi-resource-platform"))).to.deep.equal(schema);
    } finally {
      consumer.dispose();
    }
  });
});
