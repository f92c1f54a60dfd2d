#!/usr/bin/env node
import { fixedClock } from '../util/dates.js'
import { runCli } from './cli.js'

const controller = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`catalog-etl: ${signal} received, stopping after committing finished items\n`)
    controller.abort(new Error(`Interrupted by ${signal}`))
  })
}
const frozen = process.env.CATALOG_ETL_CLOCK
process.exitCode = await runCli(process.argv.slice(2), {
  signal: controller.signal,
  ...(frozen ? { clock: fixedClock(frozen) } : {}),
})
