// Mocha's spec reporter, plus a machine-readable summary for .ci/run (which must print the real
// counts). The summary path comes from SKILLFORGE_TEST_SUMMARY; without it this is plain spec.
const Mocha = require('mocha');
const fs = require('node:fs');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const out = process.env.SKILLFORGE_TEST_SUMMARY;
      if (!out) return;
      const s = runner.stats || {};
      fs.writeFileSync(out, JSON.stringify({ passes: s.passes || 0, failures: s.failures || 0, pending: s.pending || 0 }));
    });
  }
}
module.exports = SummaryReporter;
