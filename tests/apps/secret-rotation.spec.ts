import { expect } from "chai";
import { SECRET_CHECKSUM_ANNOTATION, secretChecksum } from "../../components/core";
import { StackPlan, STACKS } from "../harness";
import { stackApp } from "./fixtures/apps-config";
import { planApp, SECRET_VALUES } from "./fixtures/plan-app";


async function checksums(stack: (typeof STACKS)[number], secrets: Record<string, string>): Promise<Record<string, unknown>> {
  const plan = new StackPlan(await planApp(stack, stackApp(stack), secrets));
  return Object.fromEntries(["blue", "green"].map((c) => [c, plan.object("Deployment", `api-${c}`).spec.template.metadata.annotations?.[SECRET_CHECKSUM_ANNOTATION]]));
}

describe("a rotated secret reaches the pods", () => {
  for (const stack of STACKS) {
    it(`${stack}: both colours' pod templates carry a checksum that changes with any secret value and with nothing else`, async () => {
      const before = await checksums(stack, SECRET_VALUES);
      const again = await checksums(stack, SECRET_VALUES);
      const rotated = await checksums(stack, { ...SECRET_VALUES, apiDatabaseUrl: `${SECRET_VALUES.apiDatabaseUrl}-rotated` });
      for (const color of ["blue", "green"]) {
        expect(before[color], color).to.match(/^[0-9a-f]{64}$/);
        expect(again[color], `${color}: unchanged secrets`).to.equal(before[color]);
        expect(rotated[color], `${color}: rotated apiDatabaseUrl`).to.not.equal(before[color]);
      }
    });

    it(`${stack}: the checksum is keyed, shown in clear in the plan, and no secret appears in any Deployment`, async () => {
      const record = await planApp(stack, stackApp(stack), SECRET_VALUES);
      for (const deployment of record.resources.filter((r) => r.inputs.kind === "Deployment")) {
        expect(deployment.secretPaths, deployment.name).to.deep.equal([]);
        const text = JSON.stringify(deployment.inputs);
        for (const value of Object.values(SECRET_VALUES)) expect(text, deployment.name).to.not.include(value);
      }
    });
  }

  it("the checksum is an HMAC: without the salt the same values give another digest, and the order of keys does not matter", () => {
    const values = { DATABASE_URL: "postgres://x", SENTRY_DSN: "https://y" };
    expect(secretChecksum("salt-a", values)).to.equal(secretChecksum("salt-a", { SENTRY_DSN: "https://y", DATABASE_URL: "postgres://x" }));
    expect(secretChecksum("salt-a", values)).to.not.equal(secretChecksum("salt-b", values));
  });
});
