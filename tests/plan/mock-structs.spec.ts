import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { useMockStack } from "../../plan/mocks";
import { recordRegistrations } from "../../plan/run-program";

// plan/mock-structs.ts keeps plain data in the Structs the SDK hands the recording mock monitor. These hold
// it to what a real Struct does: the same JavaScript back (key order included), the same bytes on the wire,
// the same refusals; real Structs for any other monitor; and the SDK's registrations really going through it
// (were the SDK to build its Structs some other way, the saving would silently stop applying).

const { Struct } = require("google-protobuf/google/protobuf/struct_pb.js") as {
  Struct: {
    new (): unknown;
    fromJavaScript(value: unknown): { toJavaScript(): unknown; serializeBinary(): Uint8Array; getFieldsMap(): { getLength(): number } };
    deserializeBinary(bytes: Uint8Array): { toJavaScript(): unknown };
  };
};
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { monitor?: unknown } } };

const SAMPLE = {
  spec: { replicas: 3, selector: { matchLabels: { "app.kubernetes.io/name": "api" } }, paused: false },
  metadata: { name: "api", labels: { zeta: "z", alpha: "a" }, annotations: {} },
  kind: "Deployment",
  list: [1, "two", null, true, { b: 2, a: 1 }, [0.5, -3]],
  empty: [],
  "__pulumi-ish": "quoted key",
};

/** The sample as a Struct gives it back: every object's keys sorted, values unchanged. */
const SAMPLE_BACK =
  '{"__pulumi-ish":"quoted key","empty":[],"kind":"Deployment","list":[1,"two",null,true,{"a":1,"b":2},[0.5,-3]],' +
  '"metadata":{"annotations":{},"labels":{"alpha":"a","zeta":"z"},"name":"api"},' +
  '"spec":{"paused":false,"replicas":3,"selector":{"matchLabels":{"app.kubernetes.io/name":"api"}}}}';

class ProbeConfigMap extends pulumi.CustomResource {
  constructor(name: string, inputs: pulumi.Inputs) {
    super("kubernetes:core/v1:ConfigMap", name, inputs);
  }
}

describe("plan: the mock monitor's plain Structs behave as protobuf Structs", () => {
  before(() => useMockStack("staging", {}, []));

  it("give back the data as a Struct does, object keys sorted, a fresh copy each time", () => {
    const struct = Struct.fromJavaScript(SAMPLE);
    expect(struct.constructor).to.not.equal(Struct);
    expect(JSON.stringify(struct.toJavaScript())).to.equal(SAMPLE_BACK);
    const first = struct.toJavaScript() as { metadata: { name: string } };
    first.metadata.name = "changed";
    expect(JSON.stringify(struct.toJavaScript())).to.equal(SAMPLE_BACK);
  });

  it("serialise to bytes a real Struct reads back as the same data", () => {
    const bytes = Struct.fromJavaScript(SAMPLE).serializeBinary();
    expect(bytes.length).to.be.greaterThan(100);
    expect(JSON.stringify(Struct.deserializeBinary(bytes).toJavaScript())).to.equal(SAMPLE_BACK);
  });

  it("fill their real fields for any other reader, and read those from then on", () => {
    const struct = Struct.fromJavaScript(SAMPLE);
    expect(struct.getFieldsMap().getLength()).to.equal(Object.keys(SAMPLE).length);
    expect(JSON.stringify(struct.toJavaScript())).to.equal(SAMPLE_BACK);
  });

  it("refuse what a Struct cannot hold with the Struct's own error", () => {
    expect(() => Struct.fromJavaScript({ a: [1, undefined] })).to.throw("Unexpected struct type.");
    expect(() => Struct.fromJavaScript({ f: () => 1 })).to.throw("Unexpected struct type.");
  });

  it("are real Structs while any other monitor is the SDK's (the real engine in the same process)", () => {
    const store = state.getStore();
    const recording = store.settings.monitor;
    store.settings.monitor = {};
    try {
      const struct = Struct.fromJavaScript(SAMPLE);
      expect(struct.constructor).to.equal(Struct);
      expect(JSON.stringify(struct.toJavaScript())).to.equal(SAMPLE_BACK);
    } finally {
      store.settings.monitor = recording;
    }
  });

  it("carry the SDK's registrations to the mock monitor, which records the inputs as sent", async () => {
    const built: string[] = [];
    const install = Struct.fromJavaScript;
    Struct.fromJavaScript = (value: unknown) => {
      const struct = install(value);
      built.push(struct.constructor === Struct ? "real" : "plain");
      return struct;
    };
    try {
      const record = await recordRegistrations("staging", () => {
        new ProbeConfigMap("probe", { apiVersion: "v1", kind: "ConfigMap", data: { zeta: "1", alpha: "2" } });
      });
      expect(built.length).to.be.greaterThan(0);
      expect(built.every((kind) => kind === "plain")).to.equal(true);
      const probe = record.resources.find((r) => r.name === "probe")!;
      expect(JSON.stringify(probe.inputs)).to.equal('{"apiVersion":"v1","data":{"alpha":"2","zeta":"1"},"kind":"ConfigMap"}');
    } finally {
      Struct.fromJavaScript = install;
    }
  });
});
