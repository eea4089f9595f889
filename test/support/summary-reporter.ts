/**
 * A vitest reporter that closes the run with the plain line CI reads:
 * `tests: N passed, N failed, N skipped`.
 */
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const testModule of testModules) {
      const failedBefore = failed;
      for (const testCase of testModule.children.allTests()) {
        const state = testCase.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      // A module that failed with no failing test (an import error, a failing beforeAll hook whose tests were
      // skipped) counts as one failure, so the closing line never says "0 failed" for a red run.
      if (testModule.state() === "failed" && failed === failedBefore) failed++;
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
