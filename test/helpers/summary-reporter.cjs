'use strict'
/**
 * Mocha reporter: the usual spec output, then one plain final line `N passed, N failed`
 * that CI reads.
 */
const Mocha = require('mocha')

const { EVENT_RUN_END } = Mocha.Runner.constants

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options)
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures } = runner.stats ?? { passes: 0, failures: 0 }
      process.stdout.write(`\n${passes} passed, ${failures} failed\n`)
    })
  }
}

module.exports = SummaryReporter
