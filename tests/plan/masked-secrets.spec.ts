import { expect } from "chai";
import { maskSecrets, SECRET_PLACEHOLDER } from "../../plan/mocks";

// What the SDK hands the mock monitor for pulumi.secret(value): the wrapper with the runtime's signature.
const { specialSigKey, specialSecretSig } = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string };
const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

describe("secret inputs in the plan (plan/mocks.ts maskSecrets)", () => {
  it("a secret map keeps its keys and masks each value, so a Secret's stringData is still a map", () => {
    const paths: string[] = [];
    const inputs = { kind: "Secret", stringData: secret({ "admin-user": "admin", "admin-password": secret("hunter2-s3cr3t") }), type: "Opaque" };
    const masked = maskSecrets(inputs, "", paths);
    expect(masked).to.deep.equal({ kind: "Secret", stringData: { "admin-user": SECRET_PLACEHOLDER, "admin-password": SECRET_PLACEHOLDER }, type: "Opaque" });
    expect(paths).to.deep.equal(["stringData"]);
    expect(JSON.stringify(masked)).to.not.contain("hunter2").and.not.contain('"admin"');
  });

  it("any other secret value is the placeholder whole: strings, lists, and a map nested in a map", () => {
    const paths: string[] = [];
    const masked = maskSecrets({ a: secret("token"), b: secret(["x", "y"]), c: { d: secret({ e: { f: "deep" } }) } }, "", paths);
    expect(masked).to.deep.equal({ a: SECRET_PLACEHOLDER, b: SECRET_PLACEHOLDER, c: { d: { e: SECRET_PLACEHOLDER } } });
    expect(paths).to.deep.equal(["a", "b", "c.d"]);
    expect(JSON.stringify(masked)).to.not.match(/token|"x"|deep/);
  });
});
