import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../processes";

const REPOSITORY_ROOT = path.resolve(__dirname, "../..");
const PROBE = path.join(__dirname, "fixtures", "shared-postgres-probe.ts");

/** Every process whose command line names `text` (a server's folder), as "<pid> <command line>". */
function processesNaming(text: string): string[] {
  return fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).flatMap((pid) => {
    try {
      const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
      return commandLine.includes(text) ? [`${pid} ${commandLine}`] : [];
    } catch {
      return []; // it exited while we looked
    }
  });
}

/** Whether `pid` runs: an exited process the container's init has not reaped yet (a zombie) does not. */
function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
  // "<pid> (<command>) <state> ...": the command may hold spaces and parentheses, the state follows the last ")".
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

/**
 * The backup labs share one PostgreSQL per mocha process (fixtures/shared-postgres.ts). A mocha of its own runs
 * fixtures/shared-postgres-probe.ts, where two suites use the shared server as two spec files would, so this
 * process's own shared server (if any) is not the one under test.
 */
describe("the shared PostgreSQL of the backup tests", function () {
  for (const probeFails of [false, true]) {
    it(`starts once per process and is stopped by the root hook, its folder removed${probeFails ? ", also when a test failed" : ""}`, async function () {
      this.timeout(300_000);
      const result = await run(
        process.execPath,
        [path.join(REPOSITORY_ROOT, "node_modules", "mocha", "bin", "mocha.js"), "--no-config", "--require", "tsx/cjs", "--extension", "ts", "--timeout", "300000", "--reporter", "spec", PROBE],
        { env: { PATH: "/usr/bin:/bin", HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, PROBE_FAIL: probeFails ? "1" : "0" }, timeoutMs: 240_000 },
      );
      const output = `${result.stdout}\n${result.stderr}`;
      expect(result.status, `mocha's exit status (its number of failures); output:\n${output}`).to.equal(probeFails ? 1 : 0);
      expect(result.stdout, "the passing tests").to.match(/\b2 passing\b/);
      if (probeFails) expect(result.stdout, "the planned failure").to.include("the probe's planned failure");
      const servers = [...result.stdout.matchAll(/^ *shared postgres: pid (\d+) folder (\S+) starts (\d+)$/gm)];
      expect(servers, `one line from each suite; output:\n${output}`).to.have.length(2);
      expect(new Set(servers.map((m) => `${m[1]} ${m[2]}`)).size, "both suites got the same server").to.equal(1);
      expect(servers.map((m) => Number(m[3])), "servers started in the process").to.deep.equal([1, 1]);
      const [, pid, folder] = servers[0];
      expect(folder, "a temporary folder").to.match(/\/platform-pg-[^/]+$/);
      expect(isRunning(Number(pid)), `the postmaster ${pid} is still running`).to.equal(false);
      expect(processesNaming(folder), "processes still using the server's folder").to.deep.equal([]);
      expect(fs.existsSync(folder), `${folder} is still there`).to.equal(false);
    });
  }
});
