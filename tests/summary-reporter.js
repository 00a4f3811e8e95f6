// Mocha's spec reporter plus one closing line in the plain form CI reads ("mocha: N passed, N failed, N skipped"),
// and, when SUITE_TIMING_FILE is set (tests/run-suite.js with SUITE_TIMING=1), the cost of each spec file.
const Mocha = require("mocha");
const { recordFileTimes } = require("./file-timing");

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    if (process.env.SUITE_TIMING_FILE) recordFileTimes(runner, process.env.SUITE_TIMING_FILE, process.env.SUITE_TIMING_CGROUP);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      process.stdout.write(`mocha: ${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}

module.exports = SpecWithSummary;
