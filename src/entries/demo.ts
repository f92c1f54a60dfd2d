import { relative } from 'node:path'
import { createDriverSet } from '../config/factories.js'
import type { Settings } from '../config/schema.js'
import { ConfigError } from '../support/errors.js'
import type { RunResult } from '../support/etl-app.js'
import type { Logger } from '../support/logger.js'
import { addDays, type Clock, startOfLocalDay } from '../util/dates.js'
import { BtExtractSocApp } from './bt-extract-soc.js'
import { BtInsertLakeApp } from './bt-insert-lake.js'
import { BtJsonStandardApp } from './bt-json-standard.js'
import { BtReadyApp } from './bt-ready.js'
import { simulateDemoDevices } from './demo-devices.js'
import { GsAggExtractSocApp } from './gs-agg-extract-soc.js'
import { GsInsertLakeApp } from './gs-insert-lake.js'
import { GsJsonStandardApp } from './gs-json-standard.js'
import { GsReadyApp } from './gs-ready.js'
import { GsReadyAggApp } from './gs-ready-agg.js'
import { WtExtractSocApp } from './wt-extract-soc.js'
import { WtInsertLakeApp } from './wt-insert-lake.js'
import { WtJsonStandardApp } from './wt-json-standard.js'
import { WtReadyApp } from './wt-ready.js'

/** Options of {@link runDemo}. */
export interface DemoOptions {
  readonly settings: Settings
  readonly logger: Logger
  readonly clock: Clock
  /** Days of synthetic data, ending yesterday. @default 7 */
  readonly days?: number
  /** Simulated readers. @default 24 */
  readonly readers?: number
  /** IAF rows per day. @default 4000 */
  readonly iafRows?: number
  /** Receives the summary text. */
  readonly write: (text: string) => void
}

/**
 * `catalog-etl demo`: simulates the AWAM share for the last N days (files already there are kept), writes the
 * Bluetooth unit data the local profile reads instead of Knack, then runs the Bluetooth pipeline (ingest,
 * standardize, ready, publish to CSV) on the embedded default. A second run finds nothing new.
 */
export async function runDemo(options: DemoOptions): Promise<RunResult[]> {
  const { settings, clock, write } = options
  const days = options.days ?? 7
  if (!Number.isInteger(days) || days < 1 || days > 366) {
    throw new ConfigError(`--days must be a whole number from 1 to 366 (got ${days}).`)
  }
  if (settings.profile !== 'local') throw new ConfigError('The demo runs on the local profile only.')
  const today = startOfLocalDay(clock.now())
  const dates = Array.from({ length: days }, (_, i) => addDays(today, i - days))
  const generated = await simulateDemoDevices(settings, dates, clock.now(), {
    ...(options.readers ? { readers: options.readers } : {}),
    ...(options.iafRows ? { iafRows: options.iafRows } : {}),
  })
  const drivers = createDriverSet(settings, { debug: false })
  const quiet = settings.log.level === 'info' ? options.logger.child({}, { level: 'error' }) : options.logger
  const runtime = { settings, logger: quiet, clock, drivers }
  const args = { start_date: days }
  const results: RunResult[] = []
  try {
    results.push(await new BtInsertLakeApp(args, runtime).run())
    results.push(await new BtJsonStandardApp(args, runtime).run())
    results.push(await new BtReadyApp(args, runtime).run())
    results.push(await new BtExtractSocApp(args, runtime).run())
    results.push(await new WtInsertLakeApp(args, runtime).run())
    results.push(await new WtJsonStandardApp(args, runtime).run())
    results.push(await new WtReadyApp(args, runtime).run())
    results.push(await new WtExtractSocApp(args, runtime).run())
    results.push(await new GsInsertLakeApp(args, runtime).run())
    results.push(await new GsJsonStandardApp(args, runtime).run())
    results.push(await new GsReadyApp(args, runtime).run())
    results.push(await new GsReadyAggApp(args, runtime).run())
    results.push(await new GsAggExtractSocApp(args, runtime).run())
  } finally {
    await drivers.close()
    await Promise.all(generated.cameras.map((camera) => camera.close()))
  }
  const shown = (path: string) => relative(process.cwd(), path) || '.'
  write(
    `catalog-etl demo: ${days} day(s) of simulated Bluetooth, Wavetronix and GRIDSMART data ` +
      `(new days generated: ${generated.awamDays} AWAM, ${generated.kitsDays} KITS)\n`,
  )
  write(`  AWAM share:  ${shown(settings.devices.awamDir)}\n`)
  write(`  KITS (sim):  ${shown(settings.devices.kits.dataDir ?? '')}\n`)
  write(
    `  cameras:     ${generated.cameras.map((c) => `${c.street1} & ${c.street2}`).join(', ')} (simulated)\n`,
  )
  for (const result of results) {
    const failed = result.failures.length > 0 ? `, ${result.failures.length} failed` : ''
    const waiting = result.items - result.records
    const note = waiting > 0 ? ` (${waiting} waiting for more data)` : ''
    write(`  ${result.app.padEnd(18)} ${result.records} item(s) processed${note}${failed}\n`)
  }
  if (results.every((r) => r.records === 0)) write('  Nothing new to process: the lake is up to date.\n')
  write(`  lake:        ${shown(settings.lakeDir)}\n`)
  write(`  published:   ${shown(settings.publisher.dir)} (Socrata-shaped CSV, one file per dataset)\n`)
  write('  inspect:     npx catalog-etl catalog query --source bt\n')
  return results
}
