import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DateTime } from 'luxon'
import type { Settings } from '../config/schema.js'
import { createAwamReaders, createBtUnitData, writeAwamDay } from '../drivers/devices/awam-generator.js'
import {
  createGsUnitData,
  type SimulatedCamera,
  startSimulatedCamera,
} from '../drivers/devices/gridsmart/simulator.js'
import {
  createKitsIntersections,
  createKitsTables,
  createWtUnitData,
  writeKitsDay,
} from '../drivers/devices/kits/generator.js'
import { DEFAULT_KITS_TABLES } from '../drivers/devices/kits/queries.js'
import { createPgliteClient } from '../drivers/sql/sql-client.js'
import { ConfigError } from '../support/errors.js'
import type { UnitDataDocument } from '../support/unit-data.js'
import { type Clock, formatDay, startOfLocalDay } from '../util/dates.js'
import { stringifyPy } from '../util/py-json.js'
import { AWAM_FILE_TYPES, awamShareFileName } from './bt/awam-format.js'
import { KNACK_LOOKUPS } from './gs/matching.js'

/** Seed of the demo's simulated devices, so every demo lake looks the same. */
export const DEMO_SEED = 20190601

/** Sizes of the simulated devices. */
export interface DemoDeviceOptions {
  /** Bluetooth readers. @default 24 */
  readonly readers?: number
  /** IAF rows per day. @default 4000 */
  readonly iafRows?: number
  /** Wavetronix intersections. @default 6 */
  readonly intersections?: number
  /** GRIDSMART vehicle rows per zone and day. @default 300 */
  readonly gsRowsPerZone?: number
  /** The true time the simulated cameras' clocks follow. @default the system clock */
  readonly cameraClock?: Clock
}

/** Days generated per source (days already there are kept), and the simulated cameras (close them after the run). */
export interface DemoDevicesResult {
  readonly awamDays: number
  readonly kitsDays: number
  readonly cameras: readonly SimulatedCamera[]
}

/** The simulated GRIDSMART cameras of the demo: two normal ones, one with a drifting clock in another zone. */
const DEMO_CAMERAS = [
  { street1: 'Burnet', street2: 'Richcreek', layout: 'A', countVersion: 8 },
  { street1: 'Loop 360', street2: 'Barton Creek', layout: 'B', countVersion: 8 },
  {
    street1: 'Lamar',
    street2: 'Manchaca',
    layout: 'A',
    countVersion: 4,
    clockDriftMinutes: 37,
    timeZoneLabel: '(UTC-05:00) Eastern Time (US & Canada)',
  },
] as const

async function writeUnitData(dir: string, source: string, document: () => UnitDataDocument): Promise<void> {
  const path = join(dir, `${source}_unit_data.json`)
  if (existsSync(path)) return
  await mkdir(dir, { recursive: true })
  await writeFile(path, stringifyPy(document()))
}

/**
 * Simulates the devices of the local profile for `dates`: the AWAM share (Bluetooth files), the KITS tables in an
 * embedded database (Wavetronix history), GRIDSMART cameras as in-process HTTP servers on 127.0.0.1 (their unit data
 * is rewritten each time, since their ports change) and the unit data the local profile reads instead of Knack.
 */
export async function simulateDemoDevices(
  settings: Settings,
  dates: readonly DateTime[],
  now: DateTime,
  options: DemoDeviceOptions = {},
): Promise<DemoDevicesResult> {
  const awamDir = settings.devices.awamDir
  const readers = createAwamReaders(options.readers ?? 24, DEMO_SEED)
  const iafRows = options.iafRows ?? 4000
  await mkdir(awamDir, { recursive: true })
  let awamDays = 0
  for (const date of dates) {
    if (AWAM_FILE_TYPES.every((type) => existsSync(join(awamDir, awamShareFileName(type, date))))) continue
    await writeAwamDay(awamDir, date, {
      readers,
      seed: DEMO_SEED,
      iafRows,
      itmfRows: Math.round(iafRows / 6),
    })
    awamDays += 1
  }
  const today = startOfLocalDay(now)
  await writeUnitData(settings.unitData.dir, 'bt', () =>
    createBtUnitData(readers, { collectionDate: today, processingDate: now }),
  )

  const kits = settings.devices.kits
  if (kits.kind !== 'pglite' || !kits.dataDir) {
    throw new ConfigError(
      'The demo simulates KITS in an embedded database: devices.kits.kind must be "pglite".',
    )
  }
  const intersections = createKitsIntersections(options.intersections ?? 6, DEMO_SEED)
  const client = await createPgliteClient({ dataDir: kits.dataDir })
  let kitsDays = 0
  try {
    const tables = DEFAULT_KITS_TABLES.pg
    await createKitsTables(client, tables)
    for (const date of dates) {
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from ${tables.history} where cast(curdatetime as date) = cast($1 as date)`,
        [formatDay(date)],
      )
      if ((rows[0]?.n ?? 0) > 0) continue
      await writeKitsDay(client, date, { intersections, seed: DEMO_SEED, tables })
      kitsDays += 1
    }
  } finally {
    await client.close()
  }
  await writeUnitData(settings.unitData.dir, 'wt', () =>
    createWtUnitData(intersections, { collectionDate: today, processingDate: now }),
  )
  const cameras: SimulatedCamera[] = []
  try {
    for (const [index, camera] of DEMO_CAMERAS.entries()) {
      cameras.push(
        await startSimulatedCamera({
          ...camera,
          seed: DEMO_SEED + index,
          days: dates.map((d) => formatDay(d)),
          rowsPerZone: options.gsRowsPerZone ?? 300,
          ...(options.cameraClock ? { clock: options.cameraClock } : {}),
        }),
      )
    }
  } catch (error) {
    await Promise.all(cameras.map((c) => c.close()))
    throw error
  }
  await mkdir(settings.unitData.dir, { recursive: true })
  const overrides = DEMO_CAMERAS.map(
    (camera): Record<string, string | null> =>
      camera.street1 === 'Loop 360'
        ? { atd_location_id: KNACK_LOOKUPS['Loop 360_Barton Creek'] ?? null }
        : {},
  )
  await writeFile(
    join(settings.unitData.dir, 'gs_unit_data.json'),
    stringifyPy(createGsUnitData(cameras, overrides)),
  )
  return { awamDays, kitsDays, cameras }
}
