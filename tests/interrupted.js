// A test process interrupted (Ctrl-C, or a CI timeout: tests/run-suite.js passes the signal on to each lane)
// would die at once: mocha installs no signal handler when it runs the files one after another, and a process
// killed by a signal runs no 'exit' handler. Exiting instead runs them: the fixtures' handlers kill the servers
// they started (tests/processes.ts' ServerProcess, the API server, MinIO, PostgreSQL) and remove the run's
// folders (tests/temp-dirs.ts). Root `after` hooks do not run; the exit code says which signal it was. The same
// signal often comes twice (the terminal signals every process, and mocha's or run-suite's parent passes it on
// again): a repeat must not cut the clean-up short. Loaded by .mocharc.json and by the fixtures that need it.
"use strict";
let exiting = false;
for (const [signal, number] of [["SIGINT", 2], ["SIGTERM", 15]]) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    process.stderr.write(`\n${signal}: stopping the servers this test process started and removing its folders\n`);
    process.exit(128 + number);
  });
}
