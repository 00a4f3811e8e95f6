import { createHmac, randomBytes } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { installMockStructs } from "./mock-structs";

/**
 * The one mock runtime of this repository (the plan tool and every test use it: within a process the last
 * `setMocks` wins). It records each registered resource — custom and component — with its parent,
 * dependencies and inputs, masking every secret input as "[secret]" (a map keeps its keys) so nothing
 * downstream can print one.
 */

export const SECRET_PLACEHOLDER = "[secret]";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** URN of the parent resource; undefined only for the stack itself. */
  readonly parent?: string;
  readonly custom: boolean;
  /** Inputs as the engine receives them, secrets replaced by "[secret]" (a secret map by its keys, each "[secret]"). */
  readonly inputs: Record<string, unknown>;
  /** Dotted paths of inputs that are secret. */
  readonly secretPaths: readonly string[];
  readonly dependencies: readonly string[];
  /** URN of the explicit provider a custom resource uses; undefined means the engine's default provider. */
  readonly provider?: string;
  /** Explicit providers by package, as a component passes them to its children (remote components use them). */
  readonly providers?: Readonly<Record<string, string>>;
  /** Which dependencies feed which top-level input (only inputs that have some); policies join settings by it. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly options: {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: readonly string[];
    readonly deleteBeforeReplace: boolean;
    readonly additionalSecretOutputs: readonly string[];
  };
  /** For an object a Helm chart renders (plan/render-charts.ts): its release, chart and hook. */
  readonly renderedFrom?: {
    readonly release: string;
    readonly namespace: string;
    readonly chart: string;
    readonly version: string;
    readonly hook?: string;
  };
}

function isSecretWrapper(value: unknown): value is { value: unknown } {
  return value !== null && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/**
 * A masked secret that was a map: its keys, each value the placeholder. The keys of a Secret's `stringData`
 * name files and variables, not secrets, and the object keeps the shape its schema demands (kubeconform
 * -strict and the API server refuse a string where a map belongs).
 */
export function maskedMap(value: object): Record<string, string> {
  return Object.fromEntries(Object.keys(value).map((k) => [k, SECRET_PLACEHOLDER]));
}

const isPlainMap = (value: unknown): value is object => value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype;

/** Replaces secret wrappers by the placeholder (a map by maskedMap), collecting their paths. */
export function maskSecrets(value: unknown, path: string, secretPaths: string[]): unknown {
  if (isSecretWrapper(value)) {
    secretPaths.push(path);
    const inner = unwrapSecrets(value.value);
    return isPlainMap(inner) ? maskedMap(inner) : SECRET_PLACEHOLDER;
  }
  if (Array.isArray(value)) return value.map((v, i) => maskSecrets(v, `${path}[${i}]`, secretPaths));
  if (value !== null && typeof value === "object") {
    if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskSecrets(v, path ? `${path}.${k}` : k, secretPaths);
    return out;
  }
  return value;
}

/** A secret input's place (path segments from the inputs, a masked map's keys included) and its fingerprint. */
export interface SecretFingerprint {
  readonly segments: readonly (string | number)[];
  readonly digest: string;
}

/**
 * Keyed with a random key of this process, never written anywhere: two plans of one process (`--diff`)
 * compare secrets by it, and it says nothing else about a value, not even across runs.
 */
const FINGERPRINT_KEY = randomBytes(32);
const fingerprintOf = (value: unknown) => createHmac("sha256", FINGERPRINT_KEY).update(JSON.stringify(value) ?? "undefined").digest("hex");

/**
 * The fingerprint of every secret in `value`, by dotted path: a masked map (a Secret's stringData) one per
 * key, as the plan shows it; any other secret one for the whole value.
 */
function secretFingerprints(value: unknown, segments: readonly (string | number)[] = [], into = new Map<string, SecretFingerprint>()): Map<string, SecretFingerprint> {
  const dotted = (s: readonly (string | number)[]) => s.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
  if (isSecretWrapper(value)) {
    const inner = unwrapSecrets(value.value);
    const entries: [readonly (string | number)[], unknown][] = isPlainMap(inner) ? Object.entries(inner).map(([k, v]) => [[...segments, k], v]) : [[segments, inner]];
    for (const [at, v] of entries) into.set(dotted(at), { segments: at, digest: fingerprintOf(v) });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => secretFingerprints(v, [...segments, i], into));
  } else if (value !== null && typeof value === "object" && !pulumi.asset.Asset.isInstance(value) && !pulumi.asset.Archive.isInstance(value)) {
    for (const [k, v] of Object.entries(value)) secretFingerprints(v, [...segments, k], into);
  }
  return into;
}

/** Fingerprints of each recorded resource's secret inputs, kept beside the record so no file or output holds them. */
const recordedFingerprints = new WeakMap<RecordedResource, ReadonlyMap<string, SecretFingerprint>>();

/** The fingerprints of a recorded resource's secret inputs (none for a resource the mock monitor did not record). */
export function fingerprintsOf(resource: RecordedResource): ReadonlyMap<string, SecretFingerprint> {
  return recordedFingerprints.get(resource) ?? new Map();
}

function unwrapSecrets(value: unknown): unknown {
  if (isSecretWrapper(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** Where an explicit aws provider points: its region and the one account it allows. */
interface AwsTarget {
  readonly region: string;
  readonly account: string;
}

/** A resource without an explicit aws provider (only tests register one): the engine's default provider. */
const DEFAULT_AWS_TARGET: AwsTarget = { region: "us-east-1", account: "123456789012" };

/**
 * The ARN AWS gives a resource of this type, in the formats AWS uses: S3 bucket ARNs name neither region
 * nor account, IAM ARNs no region, KMS keys `key/<id>` (the mock's key id is the logical name).
 */
function mockArn(type: string, name: string, plain: Record<string, unknown>, target: AwsTarget): string {
  const [service, resource] = type.split(":")[1].split("/");
  const named = String(plain.name ?? name);
  if (service === "s3") return `arn:aws:s3:::${String(plain.bucket ?? name)}`;
  if (service === "iam") return `arn:aws:iam::${target.account}:${resource === "policy" ? "policy" : "role"}/${named}`;
  if (service === "kms") return `arn:aws:kms:${target.region}:${target.account}:${resource === "alias" ? named : `key/${name}`}`;
  return `arn:aws:${service}:${target.region}:${target.account}:${named}`;
}

/** What the real providers would report after create, where a program reads it back (ids, names, ARNs). */
function mockState(type: string, name: string, inputs: Record<string, unknown>, target = DEFAULT_AWS_TARGET): { id: string; state: Record<string, unknown> } {
  const plain = unwrapSecrets(inputs) as Record<string, unknown>;
  // Explicit providers (the stack's account, the backup replica's region): their id is their name.
  if (type.startsWith("pulumi:providers:")) return { id: name, state: inputs };
  if (type.startsWith("kubernetes:")) {
    const metadata = { ...((plain.metadata as Record<string, unknown>) ?? {}) };
    // The provider auto-names objects without metadata.name; the mock keeps the logical name so output is stable.
    metadata.name ??= name;
    const id = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : String(metadata.name);
    return { id, state: { ...inputs, metadata } };
  }
  if (type.startsWith("random:")) {
    // Deterministic stand-ins; the provider marks `result` secret, so they are masked wherever they flow.
    return { id: name, state: { ...inputs, result: `mock-${name}-result`, hex: "00", b64Std: "AA==", b64Url: "AA" } };
  }
  if (type.startsWith("aws:")) {
    return { id: name, state: { ...inputs, arn: mockArn(type, name, plain, target), bucket: plain.bucket ?? name, name: plain.name ?? name } };
  }
  throw new Error(`Mock not implemented for resource type ${type} (${name}); add it to plan/mocks.ts`);
}

class Recorder {
  private resources = new Map<string, RecordedResource>();

  reset(): void {
    this.resources = new Map();
  }

  add(resource: RecordedResource): void {
    if (this.resources.has(resource.urn)) {
      throw new Error(`Two resources share the URN ${resource.urn}: give the second a different name`);
    }
    this.resources.set(resource.urn, resource);
  }

  list(): RecordedResource[] {
    return [...this.resources.values()];
  }
}

export const recorder = new Recorder();

/** The region and allowed account of each explicit aws provider, by its provider reference (`<urn>::<id>`). */
const awsTargets = new Map<string, AwsTarget>();

/**
 * What the data sources the program reads would return for the committed stacks' accounts. Each answer is
 * the healthy case; the policy tests cover the unhealthy ones with fixtures.
 */
const CALLS: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {
  // RDS automated backups (point-in-time recovery) kept 7 days.
  "aws:rds/getCluster:getCluster": (inputs) => ({ clusterIdentifier: inputs.clusterIdentifier, backupRetentionPeriod: 7 }),
  "aws:rds/getInstance:getInstance": (inputs) => ({ dbInstanceIdentifier: inputs.dbInstanceIdentifier, backupRetentionPeriod: 7 }),
};

const mocks: pulumi.runtime.Mocks = {
  // Components have no provider: the engine only records them, so their state is their (empty) inputs.
  newResource: (args) => {
    if (!args.custom) return { id: undefined, state: args.inputs };
    return mockState(args.type, args.name, args.inputs, args.provider ? awsTargets.get(args.provider) : undefined);
  },
  call: (args) => {
    const answer = CALLS[args.token];
    if (!answer) throw new Error(`Mock not implemented for call ${args.token}; add it to plan/mocks.ts`);
    return answer(args.inputs);
  },
};

interface RegisterRequest {
  getProvider(): string;
  getProvidersMap(): { toObject(): [string, string][] };
  getRetainondelete(): boolean | undefined;
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): unknown;
  getImportid(): string;
  getTransformsList(): { getToken(): string }[];
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(each: (value: { getUrnsList(): string[] }, key: string) => void): void };
  getProtect(): boolean;
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
  getAdditionalsecretoutputsList(): string[];
}

/** The SDK's MockMonitor (runtime/mocks.js), as far as its registerResource uses it. */
interface MockMonitorInternals {
  registerResource(req: RegisterRequest, callback: (err: unknown, resp: unknown) => void): Promise<void>;
  newUrn(parent: string, type: string, name: string): string;
  readonly mocks: pulumi.runtime.Mocks;
  readonly resources: Map<string, { urn: string; id: string | null; state: Record<string, unknown> }>;
  readonly transformCallbacks: Map<string, pulumi.ResourceTransform>;
  __recording?: boolean;
}

/** What a protobuf Struct of `value` gives back: the same data, object keys sorted (google-protobuf's Map iterates them sorted). */
function asStructReturnsIt(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asStructReturnsIt);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = asStructReturnsIt((value as Record<string, unknown>)[key]);
    if (key === "__proto__") Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}

/** What `plainWire` throws for a value the SDK's own serialisation must handle. */
const NOT_PLAIN = new Error("not plain data");

/**
 * `serializeProperties(label, value)` of the SDK (runtime/rpc.js) for plain data — strings, numbers, booleans,
 * null, arrays and plain objects, which is what the mocks' states are made of — computed without the SDK's
 * promise and microtask per value. It follows the SDK's rules: functions and undefined values are left out
 * of objects, undefined array items become null. Anything else (assets, resources, outputs, promises, class
 * instances) throws NOT_PLAIN, and the caller leaves the whole state to the SDK.
 */
function plainWire(value: unknown): unknown {
  if (value === undefined || value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
  if (typeof value === "function") return undefined;
  if (typeof value !== "object") throw NOT_PLAIN;
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Array.prototype) {
    const items = value as unknown[];
    const out: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = plainWire(items[i]);
      out.push(item === undefined ? null : item);
    }
    return out;
  }
  if (prototype !== Object.prototype && prototype !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    // The SDK recognises outputs, resources and assets by such marker properties (`__pulumiOutput`...).
    if (key.startsWith("__pulumi")) throw NOT_PLAIN;
    const item = plainWire((value as Record<string, unknown>)[key]);
    if (item !== undefined) out[key] = item;
  }
  return out;
}

/**
 * The mock monitor's registerResource, recording each registration. The SDK's own (runtime/mocks.js) hands
 * the mocks neither the parent nor the dependencies, yet the plan prints a tree and tests assert ordering.
 * It also answers with the resource's state as a protobuf Struct, which the SDK at once reads back into the
 * same JavaScript: building and reading that Struct was a large share of each registration's cost, and it
 * carries nothing the SDK needs. So this does what the SDK's registerResource does, step by step (the same
 * mocks, the monitor's own URNs, transforms and record of resources, a real RegisterResourceResponse), but
 * reads the request once, serialises a plain state without a promise per value (`plainWire`), and answers
 * with the state as the Struct would give it back.
 */
function recordRegistrations(monitor: MockMonitorInternals): void {
  if (monitor.__recording) return;
  monitor.__recording = true;
  const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { monitor?: Partial<MockMonitorInternals> } } };
  installMockStructs(() => state.getStore().settings.monitor?.__recording === true);
  const { deserializeProperties, serializeProperties } = require("@pulumi/pulumi/runtime/rpc") as {
    deserializeProperties(struct: unknown, keepUnknowns?: boolean): Record<string, unknown>;
    serializeProperties(label: string, props: Record<string, unknown>): Promise<Record<string, unknown>>;
  };
  const { RegisterResourceResponse } = require("@pulumi/pulumi/proto/resource_pb") as {
    RegisterResourceResponse: new () => { setUrn(urn: string): void; setId(id: string): void; getObject(): unknown };
  };
  const wireState = async (state: Record<string, unknown>): Promise<Record<string, unknown>> => {
    if (state !== null && typeof state === "object" && Object.getPrototypeOf(state) === Object.prototype) {
      try {
        return plainWire(state) as Record<string, unknown>;
      } catch (err) {
        if (err !== NOT_PLAIN) throw err;
      }
    }
    return serializeProperties("", state);
  };
  monitor.registerResource = async (req, callback) => {
    try {
      const type = req.getType();
      const name = req.getName();
      const parent = req.getParent() || undefined;
      const urn = monitor.newUrn(req.getParent(), type, name);
      const propertyDependencies: Record<string, string[]> = {};
      req.getPropertydependenciesMap().forEach((value, key) => {
        const urns = value.getUrnsList();
        if (urns.length > 0) propertyDependencies[key] = [...urns].sort();
      });
      const provider = providerUrn(req.getProvider());
      const providers = Object.fromEntries(req.getProvidersMap().toObject().map(([pkg, ref]) => [pkg, providerUrn(ref)!]));
      refuseDisabledDefaultProvider(urn, type, req.getCustom(), provider, providers);
      const transforms = req
        .getTransformsList()
        .map((callback) => monitor.transformCallbacks.get(callback.getToken()))
        .filter((transform) => transform !== undefined);
      const deserialized = deserializeProperties(req.getObject());
      const secretPaths: string[] = [];
      const inputs = maskSecrets(deserialized, "", secretPaths) as Record<string, unknown>;
      // The mock gives a provider's id as its name; resources refer to it as <urn>::<id>.
      if (type === "pulumi:providers:aws" && typeof inputs.region === "string") awsTargets.set(`${urn}::${name}`, awsTarget(inputs));
      const resource: RecordedResource = {
        urn,
        type,
        name,
        parent,
        custom: req.getCustom(),
        inputs,
        secretPaths,
        dependencies: [...req.getDependenciesList()].sort(),
        ...(Object.keys(propertyDependencies).length > 0 ? { propertyDependencies } : {}),
        ...(provider ? { provider } : {}),
        ...(Object.keys(providers).length > 0 ? { providers } : {}),
        options: {
          protect: req.getProtect(),
          retainOnDelete: req.getRetainondelete() === true,
          ignoreChanges: req.getIgnorechangesList(),
          deleteBeforeReplace: req.getDeletebeforereplace(),
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        },
      };
      if (secretPaths.length > 0) recordedFingerprints.set(resource, secretFingerprints(deserialized));
      recorder.add(resource);
      const result = await monitor.mocks.newResource({
        type,
        name,
        inputs: deserialized,
        provider: req.getProvider(),
        custom: req.getCustom(),
        id: req.getImportid(),
        transforms,
      });
      const state = await wireState(result.state);
      monitor.resources.set(urn, { urn, id: result.id ?? null, state });
      const response = new RegisterResourceResponse();
      response.setUrn(urn);
      response.setId(result.id || "");
      // The SDK reads the state only through the Struct's toJavaScript().
      response.getObject = () => ({ toJavaScript: () => asStructReturnsIt(state) });
      callback(null, response);
    } catch (err) {
      callback(err, undefined);
    }
  };
}

/** An aws provider's region and account, from its inputs (lists reach the engine JSON-encoded). */
function awsTarget(inputs: Record<string, unknown>): AwsTarget {
  const allowed = typeof inputs.allowedAccountIds === "string" ? (JSON.parse(inputs.allowedAccountIds) as string[]) : [];
  return { region: String(inputs.region), account: allowed[0] ?? DEFAULT_AWS_TARGET.account };
}

/** A provider reference is `<urn>::<id>`; the record keeps the URN. */
function providerUrn(reference: string): string | undefined {
  return reference ? reference.slice(0, reference.lastIndexOf("::")) : undefined;
}

/**
 * What the engine does when `pulumi:disable-default-providers` lists a package: a resource of that package
 * without an explicit provider fails the update. A remote component (helm.v4.Chart) hands its providers
 * to the children the provider creates, so it must carry one for its own package.
 */
function refuseDisabledDefaultProvider(urn: string, type: string, custom: boolean, provider: string | undefined, providers: Record<string, string>): void {
  if (type.startsWith("pulumi:")) return;
  const pkg = type.split(":")[0];
  if (!(disabledDefaultProviders.has(pkg) || disabledDefaultProviders.has("*"))) return;
  const explicit = custom ? provider : providers[pkg];
  if (!explicit && (custom || isRemoteComponent(type))) {
    throw new Error(`Default provider for '${pkg}' disabled. '${urn}' must use an explicit provider.`);
  }
}

/**
 * `pulumi:disable-default-providers` of the stack being run, read once when its config is set: parsing the
 * whole config for every registration cost a large plan a second.
 */
let disabledDefaultProviders: ReadonlySet<string> = new Set();

function readDisabledDefaultProviders(config: Record<string, string>): ReadonlySet<string> {
  const text = config["pulumi:disable-default-providers"];
  const disabled: unknown = text ? JSON.parse(text) : [];
  return new Set(Array.isArray(disabled) ? disabled.map(String) : []);
}

/** Component types that a provider implements (multi-language components), as opposed to this program's own. */
function isRemoteComponent(type: string): boolean {
  return !type.startsWith("platform:") && !type.startsWith("pulumi:");
}

export const PROJECT = "platform";

/**
 * Points the Pulumi runtime at the recording mocks for `stack` and sets the stack's configuration.
 * Config keys are project-qualified (`platform:environment`); secretKeys lists the secure ones.
 */
export function useMockStack(stack: string, config: Record<string, string>, secretKeys: readonly string[], projectDir = path.resolve(__dirname, "..")): void {
  pulumi.runtime.setMocks(mocks, PROJECT, stack, false);
  // The engine tells a program its project's folder (the loader reads Pulumi.yaml's secret declarations
  // there); setMocks leaves it unset.
  const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { options: { rootDirectory?: string } } } };
  state.getStore().settings.options.rootDirectory = projectDir;
  const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): MockMonitorInternals };
  recordRegistrations(settings.getMonitor());
  pulumi.runtime.setAllConfig(config, [...secretKeys]);
  disabledDefaultProviders = readDisabledDefaultProviders(config);
  recorder.reset();
}

/** Resolves once every registration the program started has reached the mock monitor. */
export async function settle(): Promise<RecordedResource[]> {
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
  return recorder.list();
}
