#!/usr/bin/env node
// The checks `npm test` runs before the suite, at once: the type check (`npm run typecheck`, incremental) and the
// lint (`npm run lint`). Neither writes anything but its own cache, so on two CPUs they take the time of the
// longer one instead of the sum. Each one's output is printed whole when it ends; the exit status is non-zero
// if either failed, and the suite does not start.
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const CHECKS = ["typecheck", "lint"];

const children = new Set();
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => children.forEach((c) => c.kill(signal)));

function runCheck(script) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    const output = [];
    child.stdout.on("data", (d) => output.push(d));
    child.stderr.on("data", (d) => output.push(d));
    child.on("error", (err) => output.push(Buffer.from(`${err}\n`)));
    child.on("close", (code, signal) => {
      children.delete(child);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`npm run ${script}: ${code === 0 ? "ok" : `FAILED (${code ?? signal})`} in ${seconds} s\n${Buffer.concat(output).toString("utf8")}`);
      resolve(code === 0);
    });
  });
}

Promise.all(CHECKS.map(runCheck)).then((ok) => process.exit(ok.every(Boolean) ? 0 : 1));
