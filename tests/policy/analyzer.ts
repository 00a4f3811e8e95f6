import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { RecordedResource } from "../../plan/mocks";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import type { ResolvedPolicyConfig } from "../../policy/offline";

/**
 * The policy pack as the Pulumi CLI runs it: the nodejs language host resolves
 * `@pulumi/pulumi/cmd/run-policy-pack` from the pack folder and starts it there with the engine address and the
 * pack path; the pack's index.ts (compiled by ts-node, type-checked) serves the analyzer on 127.0.0.1 and prints
 * its port. This client then speaks the engine's side of the Analyzer gRPC protocol.
 */

export const POLICY_DIR = path.join(REPOSITORY_ROOT, "policy");

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

export interface Diagnostic {
  readonly policy: string;
  readonly enforcementLevel: (typeof LEVELS)[number];
  readonly urn: string;
  readonly message: string;
}

function call<T>(run: (done: (err: grpc.ServiceError | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value))));
}

/** Plain JSON for protobuf's Struct (no undefined, no class instances). */
function struct(value: Record<string, unknown>): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}

function options(resource: RecordedResource): pb.AnalyzerResourceOptions {
  const opts = new pb.AnalyzerResourceOptions();
  opts.setProtect(resource.options.protect);
  opts.setIgnorechangesList([...resource.options.ignoreChanges]);
  opts.setDeletebeforereplace(resource.options.deleteBeforeReplace);
  opts.setDeletebeforereplacedefined(true);
  opts.setAdditionalsecretoutputsList([...resource.options.additionalSecretOutputs]);
  if (resource.parent) opts.setParent(resource.parent);
  return opts;
}

function diagnostics(list: pb.AnalyzeDiagnostic[]): Diagnostic[] {
  return list.map((d) => ({ policy: d.getPolicyname(), enforcementLevel: LEVELS[d.getEnforcementlevel()], urn: d.getUrn(), message: d.getMessage() }));
}

export class PolicyAnalyzer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: AnalyzerClient,
  ) {}

  /** Starts the pack's analyzer the way the CLI does and connects to the port it prints. */
  static start(): Promise<PolicyAnalyzer> {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [POLICY_DIR] });
    const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    return new Promise((resolve, reject) => {
      child.stderr!.on("data", (chunk) => (stderr += chunk));
      child.stdout!.on("data", (chunk) => {
        stdout += chunk;
        const port = /^(\d+)\n/.exec(stdout)?.[1];
        if (port) resolve(new PolicyAnalyzer(child, new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure())));
      });
      child.once("exit", (code) => reject(new Error(`policy pack exited with ${code} before serving:\n${stdout}${stderr}`)));
    });
  }

  info(): Promise<pb.AnalyzerInfo> {
    return call((done) => this.client.getAnalyzerInfo(new Empty(), done));
  }

  /** Sends the pack config the way the CLI does after reconciling it (defaults, `all`, the policy's entry). */
  async configure(config: ReadonlyMap<string, ResolvedPolicyConfig>): Promise<void> {
    const request = new pb.ConfigureAnalyzerRequest();
    for (const [name, entry] of config) {
      const policyConfig = new pb.PolicyConfig();
      policyConfig.setEnforcementlevel(LEVELS.indexOf(entry.enforcementLevel));
      policyConfig.setProperties(struct({ ...entry.properties }));
      request.getPolicyconfigMap().set(name, policyConfig);
    }
    await call((done) => this.client.configure(request, done));
  }

  /** Analyze: one resource with its inputs, as the engine sends each registration. */
  async analyze(resource: RecordedResource): Promise<Diagnostic[]> {
    const request = new pb.AnalyzeRequest();
    request.setType(resource.type);
    request.setUrn(resource.urn);
    request.setName(resource.name);
    request.setProperties(struct(resource.inputs));
    request.setOptions(options(resource));
    const response = await call<pb.AnalyzeResponse>((done) => this.client.analyze(request, done));
    return diagnostics(response.getDiagnosticsList());
  }

  /** AnalyzeStack: every resource at the end of the operation (inputs standing in for outputs, as the mocks echo them). */
  async analyzeStack(resources: readonly RecordedResource[]): Promise<Diagnostic[]> {
    const request = new pb.AnalyzeStackRequest();
    request.setResourcesList(
      resources.map((r) => {
        const resource = new pb.AnalyzerResource();
        resource.setType(r.type);
        resource.setUrn(r.urn);
        resource.setName(r.name);
        resource.setProperties(struct(r.inputs));
        resource.setOptions(options(r));
        if (r.parent) resource.setParent(r.parent);
        resource.setDependenciesList([...r.dependencies]);
        // The engine tells which input each dependency feeds; the S3 rules join settings to buckets by it.
        for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
          const dependencies = new pb.AnalyzerPropertyDependencies();
          dependencies.setUrnsList([...urns]);
          resource.getPropertydependenciesMap().set(key, dependencies);
        }
        return resource;
      }),
    );
    const response = await call<pb.AnalyzeResponse>((done) => this.client.analyzeStack(request, done));
    return diagnostics(response.getDiagnosticsList());
  }

  stop(): void {
    this.client.close();
    this.child.kill();
  }
}
