// Opt-in cost of each spec file, for `SUITE_TIMING=1 node tests/run-suite.js` (see run-suite.js): the reporter
// of a lane calls `recordFileTimes(runner)` when SUITE_TIMING_FILE names where to write them. Files run one
// after another in a mocha process, so a file's share is the interval from its first top-level suite to its
// last one (its own hooks and tests; the root hooks that stop the run's shared servers after the last file
// are their own line). CPU is user+system seconds of the lane: this process, the children it has reaped
// and, when run-suite.js put the lane in a cpuacct cgroup (SUITE_TIMING_CGROUP), everything in it, also the
// servers that daemonize (PostgreSQL's postmaster under pg_ctl, which no process of the lane reaps).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Mocha = require("mocha");

const TICKS_PER_SECOND = 100; // USER_HZ: the unit of /proc/<pid>/stat's times on Linux

/** Seconds of CPU of this process and of its reaped children (utime, stime, cutime, cstime). */
function processCpu() {
  const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  // After the ") ", field 14 (utime) of stat(5) is index 11.
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  return { self: (utime + stime) / TICKS_PER_SECOND, children: (cutime + cstime) / TICKS_PER_SECOND };
}

/** Seconds of CPU of everything in the lane's cgroup, or undefined without one. */
function cgroupCpu(cgroup) {
  return cgroup ? Number(fs.readFileSync(`${cgroup}/cpuacct.usage`, "utf8")) / 1e9 : undefined;
}

function snapshot(cgroup) {
  return { wall: Number(process.hrtime.bigint()) / 1e9, ...processCpu(), cgroup: cgroupCpu(cgroup) };
}

function difference(from, to) {
  const self = to.self - from.self;
  const children = to.children - from.children;
  const cgroup = from.cgroup === undefined ? undefined : to.cgroup - from.cgroup;
  return { wall: to.wall - from.wall, self, children, cpu: cgroup ?? self + children };
}

/** Records a line per spec file (and the loading before, the root hooks after) into `file` as JSON. */
function recordFileTimes(runner, file, cgroup) {
  // The reporter is made after mocha loaded (and tsx transpiled) every spec file: that cost is "loading".
  const start = { wall: Number(process.hrtime.bigint()) / 1e9 - process.uptime(), self: 0, children: 0, cgroup: cgroup ? 0 : undefined };
  const rows = [{ file: "(start, loading every spec file)", ...difference(start, snapshot(cgroup)) }];
  let open; // { file, from, lastEnd }
  const beforeFiles = snapshot(cgroup);
  const close = () => {
    if (open) rows.push({ file: open.file, ...difference(open.from, open.lastEnd) });
  };
  const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_RUN_END } = Mocha.Runner.constants;
  runner.on(EVENT_SUITE_BEGIN, (suite) => {
    if (!suite.parent?.root || !suite.file) return;
    if (open?.file === suite.file) return;
    const now = snapshot(cgroup);
    if (open) rows.push({ file: open.file, ...difference(open.from, now) });
    else rows.push({ file: "(root hooks before the first file)", ...difference(beforeFiles, now) });
    open = { file: suite.file, from: now, lastEnd: now };
  });
  runner.on(EVENT_SUITE_END, (suite) => {
    if (suite.parent?.root && open?.file === suite.file) open.lastEnd = snapshot(cgroup);
  });
  runner.once(EVENT_RUN_END, () => {
    close();
    const end = snapshot(cgroup);
    if (open) rows.push({ file: "(root hooks after the last file)", ...difference(open.lastEnd, end) });
    rows.push({ file: "(lane total)", ...difference(start, end) });
    const named = rows.map((r) => ({ ...r, file: path.isAbsolute(r.file) ? path.relative(process.cwd(), r.file) : r.file }));
    fs.writeFileSync(file, JSON.stringify(named));
  });
}

module.exports = { recordFileTimes };
