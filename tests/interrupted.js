// A test process interrupted (Ctrl-C, or a CI timeout: tests/run-suite.js passes the signal on to each lane)
// would die at once: mocha installs no signal handler when it runs the files one after another, and a process
// killed by a signal runs no 'exit' handler. Exiting instead runs them: the fixtures' handlers kill the servers
// they started (tests/processes.ts' ServerProcess, the API server, MinIO, PostgreSQL) and remove the run's
// folders (tests/temp-dirs.ts). Before that, every process below this one is stopped (commands in flight, the
// Pulumi CLI and its plugins, servers no fixture registers, nested test processes, which clean up after
// themselves the same way): TERM, then KILL after 3 s. Root `after` hooks do not run; the exit code says
// which signal it was. The same signal often comes twice (the terminal signals every process, and mocha's or
// run-suite's parent passes it on again): a repeat must not cut the clean-up short. Loaded by .mocharc.json and
// by the fixtures that need it.
"use strict";
const fs = require("node:fs");

/**
 * Every process below this one (children, theirs, and so on), read from /proc; empty where there is none.
 * The signal run-suite passes on reaches this process alone, and a command in a process group of its own
 * (tests/processes.ts' `run`: pg_dump, aws) does not get the terminal's either: still running, it would
 * outlive the interrupted test process.
 */
function descendants(root) {
  const children = new Map();
  let entries;
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so the fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // Gone since the listing.
    }
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function send(pids, name) {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // Ended meanwhile.
    }
  }
}

/** Whether a process of that pid is there (and not a zombie waiting for its parent). */
const alive = (pid) => {
  try {
    return !/^\d+ \(.*\) Z /s.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

/**
 * TERM to every process below this one, a moment for them to end (a nested test process runs its own exit
 * handlers then), KILL to what is left. All are found first: a child whose parent ends first is handed to init,
 * out of reach. Synchronous, as the process exits right after.
 */
function stopDescendants(graceMs = 3000) {
  const pids = descendants(process.pid);
  send(pids, "SIGTERM");
  const deadline = Date.now() + graceMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (pids.some(alive) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 50);
  send(pids.filter(alive), "SIGKILL");
}

let exiting = false;
for (const [signal, number] of [["SIGINT", 2], ["SIGTERM", 15]]) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    process.stderr.write(`\n${signal}: stopping the servers and commands this test process started and removing its folders\n`);
    stopDescendants();
    process.exit(128 + number);
  });
}

module.exports = { alive, descendants };
