import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DateTime } from 'luxon'
import {
  type AwamReader,
  createAwamReaders,
  createBtUnitData,
  writeAwamDay,
} from '../../src/drivers/devices/awam-generator.js'
import { addDays } from '../../src/util/dates.js'
import { stringifyPy } from '../../src/util/py-json.js'

/** What {@link writeBtShare} writes. */
export interface BtShareOptions {
  readonly awamDir: string
  readonly unitDataDir: string
  /** First data day. */
  readonly first: DateTime
  readonly days: number
  /** Number of readers and the seed they are generated from. */
  readonly readers: number
  readonly readerSeed: number
  /** Seed of the rows. */
  readonly seed: number
  readonly iafRows: number
  readonly itmfRows: number
}

/**
 * Writes `days` days of synthetic AWAM files into `awamDir` and the matching Bluetooth unit data
 * (`bt_unit_data.json`, dated `first`) into `unitDataDir`; returns the readers.
 */
export async function writeBtShare(options: BtShareOptions): Promise<readonly AwamReader[]> {
  const readers = createAwamReaders(options.readers, options.readerSeed)
  await mkdir(options.awamDir, { recursive: true })
  for (let day = 0; day < options.days; day += 1) {
    await writeAwamDay(options.awamDir, addDays(options.first, day), {
      readers,
      seed: options.seed,
      iafRows: options.iafRows,
      itmfRows: options.itmfRows,
    })
  }
  await mkdir(options.unitDataDir, { recursive: true })
  const unit = createBtUnitData(readers, { collectionDate: options.first, processingDate: options.first })
  await writeFile(join(options.unitDataDir, 'bt_unit_data.json'), stringifyPy(unit))
  return readers
}
