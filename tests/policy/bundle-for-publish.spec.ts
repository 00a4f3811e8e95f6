import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { runTempDir } from "../temp-dirs";

// `pulumi policy publish` uploads one folder, and the pack imports the stack validation's secret detector from
// stacks/: the bundle is what can be published. TypeScript, resolving every import of the copy, is the judge
// of whether it stands alone.
describe("policy/bundle-for-publish.sh: a pack that stands alone for pulumi policy publish", () => {
  const bundle = path.join(runTempDir("platform-policy-bundle-"), "pack");
  const run = spawnSync("bash", [path.join(REPOSITORY_ROOT, "policy", "bundle-for-publish.sh"), bundle], { encoding: "utf8" });

  it("copies the pack with the detector inside it, imported from there", () => {
    expect(run.status, run.stderr).to.equal(0);
    expect(fs.readFileSync(path.join(bundle, "rules", "secret-detection.ts"), "utf8")).to.equal(fs.readFileSync(path.join(REPOSITORY_ROOT, "stacks", "secret-detection.ts"), "utf8"));
    expect(fs.readFileSync(path.join(bundle, "rules", "no-plaintext-secrets.ts"), "utf8")).to.contain('from "./secret-detection"');
    expect(fs.existsSync(path.join(bundle, "bundle-for-publish.sh"))).to.equal(false);
  });

  it("type-checks on its own (its packages installed beside it), where the pack in the repository would import outside its folder", () => {
    fs.symlinkSync(path.join(REPOSITORY_ROOT, "node_modules"), path.join(bundle, "node_modules"));
    const tsc = (dir: string) => spawnSync(path.join(REPOSITORY_ROOT, "node_modules", ".bin", "tsc"), ["-p", path.join(dir, "tsconfig.json"), "--noEmit"], { encoding: "utf8" });
    const checked = tsc(bundle);
    expect(checked.status, checked.stdout + checked.stderr).to.equal(0);
    // The same check fails on a plain copy of the folder, which is what publishing policy/ itself would upload.
    const plain = path.join(path.dirname(bundle), "plain");
    fs.cpSync(path.join(REPOSITORY_ROOT, "policy"), plain, { recursive: true, filter: (src) => !src.includes("node_modules") });
    fs.symlinkSync(path.join(REPOSITORY_ROOT, "node_modules"), path.join(plain, "node_modules"));
    const broken = tsc(plain);
    expect(broken.status).to.not.equal(0);
    expect(broken.stdout).to.contain("stacks/secret-detection");
  });

  it("refuses to write into a folder that exists", () => {
    const again = spawnSync("bash", [path.join(REPOSITORY_ROOT, "policy", "bundle-for-publish.sh"), bundle], { encoding: "utf8" });
    expect([again.status, again.stderr.trim()]).to.deep.equal([2, `bundle-for-publish: ${bundle} exists; name a new folder`]);
  });
});
