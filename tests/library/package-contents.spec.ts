import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { npmPack, packedLibrary } from "./fixtures/package";

/** What `npm pack` publishes: the built library, its sources for the component package's schema, and nothing else. */
describe("the package's contents (npm pack)", function () {
  this.timeout(600_000);
  const manifest = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "package.json"), "utf8"));
  let files: string[];

  before(async () => {
    await packedLibrary(); // builds dist/ (prepack)
    const listing = await npmPack(["--dry-run", "--ignore-scripts"]);
    files = listing.files.map((f) => f.path).sort();
    expect(listing.files.find((f) => f.path === "provider/pulumi-resource-platform")?.mode, "the plugin launcher is executable").to.equal(0o755);
  });

  it("lists the same files as the packed tarball", async () => {
    expect((await packedLibrary()).files.map((f) => f.path).sort()).to.deep.equal(files);
  });

  it("holds only the library: no tests, plan or policy tooling, charts, stack files, examples or build outputs", () => {
    const allowed = /^(package\.json|README\.md|CHANGELOG\.md|dist\/(lib|provider|components|stacks)\/.+\.(js|d\.ts|sh)|(lib|stacks)\/[^/]+\.ts|components\/.+\.ts|provider\/(package\.json|tsconfig\.json|pulumi-resource-platform))$/;
    expect(files.filter((f) => !allowed.test(f)), "files outside the library").to.deep.equal([]);
    expect(files.filter((f) => /\.spec\.ts$|^(tests|plan|policy|bench|docs|charts|build|examples|\.ci)\/|^Pulumi\./.test(f))).to.deep.equal([]);
  });

  it("builds every module of the entry to JavaScript with declarations, and ships the files the components read", () => {
    for (const module of ["index", "types", "args-error", "platform-namespace", "blue-green-app", "alert-thresholds", "alert-rules", "platform-dashboards", "backups", "postgres-connection", "database-backups", "postgres-backup", "monitoring", "monitoring-settings", "monitoring-stack", "program", "component-package"]) {
      expect(files, module).to.include.members([`lib/${module}.ts`, `dist/lib/${module}.js`, `dist/lib/${module}.d.ts`]);
    }
    expect(files).to.include.members(["dist/components/apps/gate/blue-green-gate.sh", "dist/components/backups/scripts/pg-backup.sh", "dist/components/backups/scripts/pg-restore-drill.sh", "dist/components/backups/scripts/pg-common.sh", "dist/provider/main.js"]);
  });

  it("points exports, types and bin at files it contains, and has no main: the program is not published", () => {
    // npm publishes package.json's main whatever `files` says, so there is none: programs that install the
    // package resolve it through exports (Node) and types (TypeScript), and Pulumi runs index.ts (below).
    expect(manifest.main).to.equal(undefined);
    expect(files).to.not.include("index.ts");
    const targets = [manifest.types, manifest.bin["pulumi-resource-platform"], ...Object.values<any>(manifest.exports).flatMap((e) => (typeof e === "string" ? [e] : Object.values(e)))];
    expect(targets.map((t: string) => t.replace(/^\.\//, "")).filter((t) => !files.includes(t))).to.deep.equal([]);
    expect(Object.keys(manifest.exports)).to.deep.equal([".", "./backups", "./monitoring", "./program", "./package.json"]);
  });

  it("still runs index.ts as the repository's program: Pulumi's Node host requires the project folder", () => {
    // What @pulumi/pulumi's cmd/run does for a CommonJS project: require("<project>/"), with ts-node registered.
    const result = spawnSync(path.join(REPOSITORY_ROOT, "node_modules", ".bin", "node"), ["-r", "ts-node/register/transpile-only", "-e", "require(process.cwd() + '/')"], {
      cwd: REPOSITORY_ROOT,
      encoding: "utf8",
      timeout: 120_000,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" },
    });
    // Without the engine there is no stack configuration: the loader's report proves index.ts ran.
    expect(result.stderr).to.match(/Invalid configuration for stack "stack" \(\d+ problems\):\n {2}- environment: is required but not set/);
  });

  it("has a semantic version with its CHANGELOG entry, and takes the Pulumi SDKs as peer dependencies", () => {
    expect(manifest.version).to.match(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/);
    expect(fs.readFileSync(path.join(REPOSITORY_ROOT, "CHANGELOG.md"), "utf8")).to.match(new RegExp(`^## ${manifest.version.replace(/\./g, "\\.")} — \\d{4}-\\d{2}-\\d{2}$`, "m"));
    expect(Object.keys(manifest.peerDependencies).sort()).to.deep.equal(["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/pulumi", "@pulumi/random"]);
    expect(Object.keys(manifest.dependencies).filter((d) => d.startsWith("@pulumi/")), "a second copy of a Pulumi SDK breaks resource registration").to.deep.equal([]);
    // The examples install the tarball npm pack names after the version, and README shows that command.
    for (const name of ["team-app", "team-monitoring"]) {
      const example = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "examples", name, "package.json"), "utf8"));
      expect(example.dependencies.platform, name).to.equal(`file:platform-${manifest.version}.tgz`);
    }
    expect(fs.readFileSync(path.join(REPOSITORY_ROOT, "README.md"), "utf8")).to.include(`npm install @pulumi/pulumi @pulumi/kubernetes @pulumi/random ./platform-${manifest.version}.tgz`);
  });
});
