import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { onPath, resolveTool } from "../tools";
import { ACTION_INPUTS } from "./action-inputs";

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
  readonly if?: string;
}

interface Job {
  readonly "runs-on"?: string;
  readonly container?: string;
  readonly steps?: readonly Step[];
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly needs?: string | readonly string[];
  readonly environment?: string;
  readonly concurrency?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
  readonly if?: string;
  readonly permissions?: Record<string, string>;
  readonly strategy?: { matrix?: { include?: readonly Record<string, unknown>[] } & Record<string, unknown> };
}

interface Workflow {
  readonly name: string;
  readonly on: Record<string, any>;
  readonly permissions?: Record<string, string>;
  readonly env?: Record<string, unknown>;
  readonly jobs: Record<string, Job>;
}

const WORKFLOW_DIR = path.join(REPOSITORY_ROOT, ".github", "workflows");
const STACKS = ["staging", "production"];

const files = fs
  .readdirSync(WORKFLOW_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const workflows = new Map(files.map((f) => [f, parse(fs.readFileSync(path.join(WORKFLOW_DIR, f), "utf8")) as Workflow]));
const scripts = (JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

function workflow(file: string): Workflow {
  const found = workflows.get(file);
  expect(found, `.github/workflows/${file}`).to.not.equal(undefined);
  return found!;
}

function* steps(): Generator<[string, string, Step]> {
  for (const [file, wf] of workflows) for (const [id, job] of Object.entries(wf.jobs)) for (const step of job.steps ?? []) yield [`${file} ${id}`, id, step];
}

function needs(job: Job): readonly string[] {
  return job.needs === undefined ? [] : typeof job.needs === "string" ? [job.needs] : job.needs;
}

/** A text for each stack when it names the stack through a placeholder, else the text itself. */
function perStack(text: string): string[] {
  const placeholder = /\$\{\{\s*(matrix|inputs)\.stack\s*\}\}|\$\{?STACK\}?|\$\{?stack\}?/g;
  return placeholder.test(text) ? STACKS.map((s) => text.replace(placeholder, s)) : [text];
}

/** Repository paths a shell script mentions (`bash .ci/run`, `policy/config/$STACK.json`, `Pulumi.$STACK.yaml`). */
function pathsIn(script: string): string[] {
  const found = [...script.matchAll(/(?:^|[\s"'=(])((?:\.ci|policy|plan|stacks|components|tests|bench|scripts)\/[\w.${}/-]*[\w}]|Pulumi\.[\w${}]+\.yaml)/g)].map((m) => m[1]);
  const packs = [...script.matchAll(/--policy-pack(?:-config)?[ =]"?([^\s"]+)/g)].map((m) => m[1]);
  return [...found, ...packs];
}

/** The step of `job` that runs `action` (owner/repo[/path]) with `with.command`, if given. */
function usesOf(job: Job, action: string, command?: string): Step[] {
  return (job.steps ?? []).filter((s) => s.uses?.split("@")[0] === action && (command === undefined || s.with?.command === command));
}

describe("GitHub Actions workflows", () => {
  it("are the five pipelines, each parsed as YAML with a name, triggers, permissions and jobs", () => {
    expect(files).to.deep.equal(["deploy.yml", "drift.yml", "promote-blue-green.yml", "pull-request.yml", "security.yml"]);
    for (const [file, wf] of workflows) {
      expect(wf.name, file).to.be.a("string").and.not.equal("");
      expect(wf.on, `${file}: on`).to.be.an("object");
      // Least privilege by default; jobs widen it where they need to.
      expect(wf.permissions, `${file}: top-level permissions`).to.deep.equal({ contents: "read" });
      expect(Object.keys(wf.jobs), `${file}: jobs`).to.not.have.lengthOf(0);
    }
  });

  it("have jobs that run steps (each either `uses` or `run`) or call a reusable workflow, needing only jobs that exist", () => {
    for (const [file, wf] of workflows) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const where = `${file} jobs.${id}`;
        if (job.uses) {
          expect(job.steps, where).to.equal(undefined);
        } else {
          expect(job["runs-on"], `${where}: runs-on`).to.be.a("string");
          expect(job.steps, `${where}: steps`).to.be.an("array").that.is.not.empty;
          for (const [i, step] of job.steps!.entries()) {
            expect([step.uses, step.run].filter((x) => x !== undefined), `${where}.steps[${i}]: exactly one of uses/run`).to.have.lengthOf(1);
          }
          const ids = job.steps!.flatMap((s) => (s.id ? [s.id] : []));
          expect(new Set(ids).size, `${where}: step ids`).to.equal(ids.length);
        }
        for (const need of needs(job)) expect(wf.jobs, `${where}: needs ${need}`).to.have.property(need);
      }
    }
  });

  it("pin every action to a release and pass it only inputs it declares, the required ones included", () => {
    const used = [
      ...[...steps()].flatMap(([where, , step]) => (step.uses ? [[where, step.uses, step.with ?? {}] as const] : [])),
      ...[...workflows].flatMap(([file, wf]) => Object.entries(wf.jobs).flatMap(([id, job]) => (job.uses ? [[`${file} ${id}`, job.uses, job.with ?? {}] as const] : []))),
    ];
    expect(used.length).to.be.greaterThan(20);
    for (const [where, uses, given] of used) {
      expect(uses, `${where}: ${uses} is pinned to a version tag or commit`).to.match(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
      const known = ACTION_INPUTS[uses];
      expect(known, `${where}: add the inputs of ${uses} to tests/workflows/action-inputs.ts`).to.not.equal(undefined);
      const unknown = Object.keys(given).filter((k) => !known.inputs.includes(k));
      expect(unknown, `${where}: ${uses} has no such inputs`).to.deep.equal([]);
      expect(known.required.filter((k) => !(k in given)), `${where}: ${uses} required inputs`).to.deep.equal([]);
    }
  });

  it("run only npm scripts package.json defines and reference only files that exist", () => {
    let checkedScripts = 0;
    let checkedPaths = 0;
    for (const [where, , step] of steps()) {
      const texts = [step.run ?? "", ...Object.entries(step.with ?? {}).filter(([k]) => k === "policyPacks" || k === "policyPackConfigs").map(([, v]) => String(v))];
      for (const text of texts) {
        for (const [, name] of text.matchAll(/\bnpm\s+run(?:\s+--?[\w-]+)*\s+([\w:.-]+)/g)) {
          expect(scripts, `${where}: npm run ${name}`).to.have.property(name);
          checkedScripts++;
        }
        if (/\bnpm\s+(test|t)\b/.test(text)) expect(scripts, `${where}: npm test`).to.have.property("test");
        const candidates = step.run ? pathsIn(text) : [text];
        for (const candidate of candidates.flatMap(perStack)) {
          expect(fs.existsSync(path.join(REPOSITORY_ROOT, candidate)), `${where}: ${candidate} exists`).to.equal(true);
          checkedPaths++;
        }
      }
    }
    expect([checkedScripts, checkedPaths].every((n) => n > 0), "the checks found something to check").to.equal(true);
  });

  it("give an OIDC token only to jobs that assume an AWS role, and the Pulumi token to every pulumi command", () => {
    for (const [file, wf] of workflows) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const assumes = usesOf(job, "aws-actions/configure-aws-credentials").length > 0;
        expect(job.permissions?.["id-token"] === "write", `${file} ${id}: id-token: write`).to.equal(assumes);
        for (const step of job.steps ?? []) {
          const runsPulumi = (step.uses?.startsWith("pulumi/actions@") && step.with?.command !== undefined) || /(^|\n)\s*pulumi /.test(step.run ?? "");
          if (!runsPulumi) continue;
          const token = step.env?.PULUMI_ACCESS_TOKEN ?? job.env?.PULUMI_ACCESS_TOKEN;
          expect(token, `${file} ${id} ${step.name ?? step.uses}: PULUMI_ACCESS_TOKEN`).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
        }
      }
    }
  });

  describe("pull-request.yml", () => {
    const wf = workflow("pull-request.yml");

    it("runs on pull requests: .ci/run (the local mirror), then the offline plan of both stacks against the base branch", () => {
      expect(Object.keys(wf.on)).to.deep.equal(["pull_request"]);
      const test = wf.jobs.test;
      expect(test.container).to.equal("debian:12");
      const runs = test.steps!.map((s) => s.run ?? "");
      expect(runs).to.include("bash .ci/run");
      expect(fs.readFileSync(path.join(REPOSITORY_ROOT, ".ci", "run"), "utf8")).to.match(/^bash \.ci\/setup\nnpm test\n/m);
      const plan = test.steps!.find((s) => s.id === "plan")!;
      expect(plan.run).to.contain('for stack in staging production; do');
      expect(plan.run).to.contain('npm run --silent plan -- --stack "$stack" --diff "origin/$BASE_REF"');
      expect(plan.run).to.contain('>> "$GITHUB_STEP_SUMMARY"');
      expect(plan.env).to.deep.equal({ BASE_REF: "${{ github.base_ref }}" });
      expect(usesOf(test, "actions/checkout")[0].with).to.deep.equal({ "fetch-depth": 0 });
      const comment = usesOf(test, "marocchino/sticky-pull-request-comment")[0];
      expect(comment.with).to.deep.equal({ header: "offline-plan", path: "plan.md" });
      expect(comment.if).to.contain("always()");
    });

    it("scans every image the plan's manifests name with a pinned Trivy, failing on critical vulnerabilities that have a fix", () => {
      const steps = wf.jobs.test.steps!;
      const install = steps.find((s) => s.name === "Install Trivy")!;
      expect(install.run).to.equal("go install github.com/aquasecurity/trivy/cmd/trivy@v0.74.0");
      const scan = steps.find((s) => s.name === "Scan every image the stacks run")!;
      expect(steps.indexOf(scan), "after the offline plan wrote the manifests").to.be.greaterThan(steps.findIndex((s) => s.id === "plan"));
      expect(scan.run).to.contain("npm run --silent images -- --stack staging --stack production > images.txt");
      expect(scan.run).to.contain('trivy" image --scanners vuln --severity CRITICAL --ignore-unfixed --exit-code 1 --no-progress "$image" || status=1');
      expect(scan.run).to.match(/exit "\$status"\n?$/);
    });

    it("previews staging and production with the policy pack and each stack's pack config, after the tests", () => {
      const preview = wf.jobs.preview;
      expect(needs(preview)).to.deep.equal(["test"]);
      const stacks = preview.strategy!.matrix!.include!.map((m) => m.stack);
      expect(stacks).to.deep.equal(STACKS);
      const [step] = usesOf(preview, "pulumi/actions", "preview");
      expect(step.with).to.include({
        "stack-name": "${{ matrix.stack }}",
        policyPacks: "policy",
        policyPackConfigs: "policy/config/${{ matrix.stack }}.json",
        "comment-on-pr": true,
      });
      expect(fs.existsSync(path.join(REPOSITORY_ROOT, "policy", "PulumiPolicy.yaml"))).to.equal(true);
      const [aws] = usesOf(preview, "aws-actions/configure-aws-credentials");
      expect(aws.with!["role-to-assume"]).to.equal("${{ secrets[matrix.aws-role] }}");
    });
  });

  describe("deploy.yml", () => {
    const wf = workflow("deploy.yml");

    it("updates staging on every push to main, then production behind the production environment", () => {
      expect(wf.on).to.deep.equal({ push: { branches: ["main"] } });
      expect(needs(wf.jobs.staging)).to.deep.equal(["test"]);
      expect(needs(wf.jobs.production)).to.deep.equal(["staging"]);
      for (const stack of STACKS) {
        const job = wf.jobs[stack];
        expect(job.environment, `${stack} environment`).to.equal(stack);
        expect(job.concurrency).to.deep.equal({ group: `pulumi-${stack}`, "cancel-in-progress": false });
        const [up] = usesOf(job, "pulumi/actions", "up");
        expect(up.with).to.include({ "stack-name": stack, policyPacks: "policy", policyPackConfigs: `policy/config/${stack}.json` });
      }
      expect(wf.jobs.test.steps!.map((s) => s.run)).to.include("bash .ci/run");
    });
  });

  describe("promote-blue-green.yml", () => {
    const wf = workflow("promote-blue-green.yml");
    const job = wf.jobs.promote;

    it("is started by hand with the app and the colour (and the stack), and applies behind the stack's environment", () => {
      const inputs = wf.on.workflow_dispatch.inputs;
      expect(Object.keys(inputs)).to.deep.equal(["stack", "app", "color"]);
      expect(inputs.color).to.include({ type: "choice", required: true });
      expect(inputs.color.options).to.deep.equal(["blue", "green"]);
      expect(inputs.stack.options).to.deep.equal(STACKS);
      expect(inputs.app).to.include({ type: "string", required: true });
      expect(job.environment).to.equal("${{ inputs.stack }}");
      expect(job.permissions).to.deep.equal({ contents: "write", "id-token": "write" });
      const set = job.steps!.find((s) => s.run?.includes("pulumi config set"))!;
      expect(set.run).to.contain('pulumi config set --stack "$STACK" --path "apps[$INDEX].activeColor" "$COLOR"');
      const order = job.steps!.map((s) => s.id ?? s.name ?? s.uses);
      expect(order.indexOf("resolve")).to.be.lessThan(order.indexOf("Set the active colour (pulumi config set)"));
      expect(order.indexOf("Commit the stack file to main")).to.be.lessThan(order.indexOf("pulumi/actions@v7", order.indexOf("Commit the stack file to main")));
      expect(usesOf(job, "pulumi/actions", "up")[0].with).to.include({ "stack-name": "${{ inputs.stack }}", policyPacks: "policy" });
    });

    describe("the step that finds the app's index in platform:apps", () => {
      const script = job.steps!.find((s) => s.id === "resolve")!.run!;
      let dir: string;
      before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "promote-"));
        const stackFile = [
          "config:",
          "  platform:environment: staging",
          "  platform:apps:",
          "    - name: api",
          "      activeColor: green",
          "    - name: web",
          "      activeColor: blue",
          "",
        ].join("\n");
        fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), stackFile);
        fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), "config:\n  platform:environment: production\n");
        fs.writeFileSync(path.join(dir, "step.sh"), script);
      });
      after(() => fs.rmSync(dir, { recursive: true, force: true }));

      function resolve(env: Record<string, string>): { status: number | null; stdout: string; output: string } {
        const output = path.join(dir, `output-${Object.values(env).join("-")}`);
        fs.writeFileSync(output, "");
        const run = spawnSync("bash", ["step.sh"], {
          cwd: dir,
          encoding: "utf8",
          env: { PATH: `${path.dirname(process.execPath)}:${process.env.PATH}`, NODE_PATH: path.join(REPOSITORY_ROOT, "node_modules"), GITHUB_OUTPUT: output, ...env },
        });
        return { status: run.status, stdout: run.stdout, output: fs.readFileSync(output, "utf8") };
      }

      it("writes the index and current colour of the app to the step outputs", () => {
        expect(resolve({ STACK: "staging", APP: "web", COLOR: "green" })).to.deep.equal({ status: 0, stdout: "", output: "index=1\ncurrent=blue\n" });
      });

      it("fails with an annotation naming the apps for an unknown app, a stack file without apps, or another colour", () => {
        expect(resolve({ STACK: "staging", APP: "shop", COLOR: "green" })).to.deep.equal({
          status: 1,
          stdout: '::error::Pulumi.staging.yaml has no app "shop" in platform:apps (apps: api, web)\n',
          output: "",
        });
        expect(resolve({ STACK: "production", APP: "api", COLOR: "blue" })).to.deep.equal({
          status: 1,
          stdout: "::error::Pulumi.production.yaml has no platform:apps list\n",
          output: "",
        });
        expect(resolve({ STACK: "staging", APP: "api", COLOR: "red" })).to.deep.equal({
          status: 1,
          stdout: '::error::color must be blue or green (got "red")\n',
          output: "",
        });
      });
    });
  });

  describe("drift.yml", () => {
    const wf = workflow("drift.yml");

    it("runs on a schedule and compares cloud with state and main with state for both stacks", () => {
      expect(wf.on.schedule).to.deep.equal([{ cron: "23 6 * * 1-5" }]);
      const job = wf.jobs.drift;
      expect(job.strategy!.matrix!.include!.map((m) => m.stack)).to.deep.equal(STACKS);
      const runs = job.steps!.map((s) => s.run ?? "");
      expect(runs).to.include('pulumi refresh --stack "$STACK" --preview-only --expect-no-changes --diff --non-interactive');
      expect(runs.find((r) => r.startsWith("pulumi preview"))).to.equal(
        'pulumi preview --stack "$STACK" --expect-no-changes --diff --non-interactive --policy-pack policy --policy-pack-config "policy/config/$STACK.json"',
      );
      expect(job.steps!.at(-1)!.if).to.equal("failure() && (steps.refresh.outcome == 'failure' || steps.preview.outcome == 'failure')");
    });
  });

  describe("security.yml", () => {
    const wf = workflow("security.yml");

    it("audits runtime dependencies, scans the lockfile with OSV-Scanner and the code with CodeQL", () => {
      expect(Object.keys(wf.on)).to.deep.equal(["pull_request", "push", "schedule"]);
      expect(wf.jobs["npm-audit"].steps!.map((s) => s.run).filter(Boolean)).to.deep.equal(["npm audit --omit=dev --audit-level=high"]);
      expect(wf.jobs["osv-scanner"].uses).to.equal("google/osv-scanner-action/.github/workflows/osv-scanner-reusable.yml@v2.5.0");
      expect(wf.jobs.codeql.strategy!.matrix!.language).to.deep.equal(["javascript-typescript", "actions"]);
      expect(wf.jobs.codeql.steps!.map((s) => s.uses).filter(Boolean)).to.deep.equal([
        "actions/checkout@v7",
        "github/codeql-action/init@v4",
        "github/codeql-action/analyze@v4",
      ]);
    });
  });

  it("pass actionlint (with shellcheck on every run: script)", () => {
    const actionlint = resolveActionlint();
    const run = spawnSync(actionlint, ["-no-color", ...files.map((f) => path.join(".github", "workflows", f))], { cwd: REPOSITORY_ROOT, encoding: "utf8" });
    expect(run.stdout + run.stderr).to.equal("");
    expect(run.status).to.equal(0);
  });

  it("has actionlint catch what it should: an unknown job key and script injection", () => {
    const actionlint = resolveActionlint();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "actionlint-"));
    try {
      const bad = ["on: pull_request", "jobs:", "  a:", "    runs-on: ubuntu-24.04", "    step: []", "  b:", "    runs-on: ubuntu-24.04", "    steps:", '      - run: echo "${{ github.event.pull_request.title }}"', ""].join("\n");
      fs.writeFileSync(path.join(dir, "bad.yml"), bad);
      const run = spawnSync(actionlint, ["-no-color", "-oneline", path.join(dir, "bad.yml")], { encoding: "utf8" });
      expect(run.status).to.equal(1);
      expect(run.stdout).to.contain('unexpected key "step" for "job" section');
      expect(run.stdout).to.contain('"github.event.pull_request.title" is potentially untrusted');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** actionlint from $ACTIONLINT, .ci/build-tools' folder, ~/go/bin (where `go install` puts it) or PATH. */
const resolveActionlint = () => resolveTool("actionlint", { env: "ACTIONLINT", fallbacks: onPath("actionlint") });
