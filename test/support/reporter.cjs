// Mocha's spec reporter, plus a machine-readable summary for .ci/run (which must print the real
// counts, summed over the mocha runs of one `npm test`, and name what failed at the end of its
// output, where a reader of a long CI log looks first). The summary path comes from
// SKILLFORGE_TEST_SUMMARY; without it this is plain spec.
const Mocha = require('mocha');
const fs = require('node:fs');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    const failed = [];
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      const message = String((err && err.message) || err).split('\n')[0].slice(0, 300);
      failed.push({ title: test.fullTitle(), file: test.file || '', message });
    });
    runner.once(EVENT_RUN_END, () => {
      const out = process.env.SKILLFORGE_TEST_SUMMARY;
      if (!out) return;
      const s = runner.stats || {};
      // npm test runs mocha more than once (scripts/test.sh): each run adds its counts to the file.
      let before = { passes: 0, failures: 0, pending: 0, failed: [] };
      try {
        const text = fs.readFileSync(out, 'utf8');
        if (text.trim()) before = { failed: [], ...JSON.parse(text) };
      } catch {
        // no summary yet
      }
      fs.writeFileSync(
        out,
        JSON.stringify({
          passes: before.passes + (s.passes || 0),
          failures: before.failures + (s.failures || 0),
          pending: before.pending + (s.pending || 0),
          failed: [...before.failed, ...failed],
        }),
      );
    });
  }
}
module.exports = SummaryReporter;
