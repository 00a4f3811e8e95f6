// A test process interrupted (Ctrl-C, or a CI timeout: tests/run-suite.js passes the signal on to each lane)
// would die at once: mocha installs no signal handler when it runs the files one after another, and a process
// killed by a signal runs no 'exit' handler. Exiting instead runs them: the fixtures' handlers kill the servers
// the run started (tests/processes.ts, the API server, MinIO, PostgreSQL) and remove its folders
// (tests/temp-dirs.ts). Root `after` hooks do not run; the exit code says which signal it was.
"use strict";
for (const [signal, number] of [["SIGINT", 2], ["SIGTERM", 15]]) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the servers this test process started and removing its folders\n`);
    process.exit(128 + number);
  });
}
