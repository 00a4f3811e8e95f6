import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NODE } from "./harness";
import { runTempDir } from "./temp-dirs";

describe("the run's temporary folders (tests/temp-dirs.ts)", () => {
  it("makes a new folder under the OS temp folder with the prefix, there until the run ends", () => {
    const dir = runTempDir("platform-temp-dirs-test-");
    expect(path.dirname(dir)).to.equal(os.tmpdir());
    expect(path.basename(dir)).to.match(/^platform-temp-dirs-test-\w{6}$/);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it("removes them, contents and all, when the process using it exits", () => {
    const script = `
      const fs = require("node:fs");
      const { runTempDir } = require(${JSON.stringify(path.join(__dirname, "temp-dirs.ts"))});
      const dir = runTempDir("platform-temp-dirs-test-");
      fs.mkdirSync(dir + "/nested");
      fs.writeFileSync(dir + "/nested/file", "x");
      console.log(dir);
    `;
    const child = spawnSync(NODE, ["--require", "tsx/cjs", "-e", script], { cwd: path.join(__dirname, ".."), encoding: "utf8" });
    expect(child.status, child.stderr).to.equal(0);
    const dir = child.stdout.trim();
    expect(dir.startsWith(path.join(os.tmpdir(), "platform-temp-dirs-test-")), dir).to.equal(true);
    expect(fs.existsSync(dir), `${dir} left behind`).to.equal(false);
  });
});
