import { expect } from "chai";
import { parseStackSettings } from "../../stacks/parse";
import { readStackConfig } from "../../plan/stack-file";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { stackApps } from "./fixtures/apps-config";
import { STACKS } from "../harness";

describe("apps in the committed stack files", () => {
  for (const stack of STACKS) {
    it(`${stack}: are the apps the BlueGreenApp tests exercise`, () => {
      const file = readStackConfig(REPOSITORY_ROOT, stack);
      const values = Object.fromEntries(Object.entries(file.values).filter(([k]) => k.startsWith("platform:")).map(([k, v]) => [k.slice(9), v]));
      const secretKeys = new Set(file.secretKeys.map((k) => k.slice(9)));
      expect(parseStackSettings(stack, { values, secretKeys }).apps).to.deep.equal(stackApps(stack));
    });
  }
});
