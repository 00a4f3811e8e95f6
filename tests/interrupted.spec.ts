import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { NODE } from "./harness";
import { alive } from "./interrupted.js";
import { waitFor } from "./processes";

const ROOT = path.join(__dirname, "..");

describe("an interrupted test process (tests/interrupted.js)", () => {
  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    it(`${signal}, sent twice: exits ${code}, its servers and commands killed and its folders removed`, async function () {
      this.timeout(60_000);
      const child = spawn(NODE, [path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js"), "--no-config", "--require", "tsx/cjs", "--require", "./tests/interrupted.js", "--extension", "ts", "--timeout", "0", "tests/fixtures/interrupted-run.ts"], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      let started: { pid: number; dir: string; command: number[]; pidFile: string } | undefined;
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (status) => resolve(status)));
      try {
        const ready = await waitFor("the interrupted run to start its server", async () => /^READY (.*)$/m.exec(output)?.[1], 30_000, async () => output, 50);
        started = JSON.parse(ready) as { pid: number; dir: string; command: number[]; pidFile: string };
        const { pid, dir, command } = started;
        expect(alive(pid), "the server before the signal").to.equal(true);
        expect(command.map(alive), "the command and the process below it before the signal").to.deep.equal([true, true]);
        expect(fs.existsSync(path.join(dir, "file")), "the folder before the signal").to.equal(true);
        child.kill(signal);
        // The repeat a terminal or a parent process sends, while the exit handlers run.
        await new Promise((resolve) => setTimeout(resolve, 100));
        child.kill(signal);
        expect(await exited, output).to.equal(code);
        expect(output).to.contain(`${signal}: stopping the servers and commands this test process started and removing its folders`);
        await waitFor("the server to be gone", async () => (alive(pid) ? undefined : true), 10_000, async () => `pid ${pid} still there`, 50);
        await waitFor("the command to be gone", async () => (command.some(alive) ? undefined : true), 10_000, async () => `${command.filter(alive).join(", ")} still there`, 50);
        expect(fs.existsSync(dir), `${dir} left behind`).to.equal(false);
      } finally {
        child.kill("SIGKILL");
        // What a failed check would otherwise leave.
        for (const pid of started ? [started.pid, ...started.command] : []) if (alive(pid)) process.kill(pid, "SIGKILL");
        if (started) fs.rmSync(started.dir, { recursive: true, force: true });
        if (started) fs.rmSync(started.pidFile, { force: true });
      }
    });
  }
});
