import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createDriverSet } from '../src/config/factories.js'
import {
  createKitsIntersections,
  createKitsTables,
  createWtUnitData,
  writeKitsDay,
} from '../src/drivers/devices/kits/generator.js'
import { createKitsSource } from '../src/drivers/devices/kits/kits-source.js'
import { createPgKitsClient } from '../src/drivers/devices/kits/pg-adapter.js'
import type { KitsTables } from '../src/drivers/devices/kits/types.js'
import { BtExtractSocApp } from '../src/entries/bt-extract-soc.js'
import { BtInsertLakeApp } from '../src/entries/bt-insert-lake.js'
import { BtJsonStandardApp } from '../src/entries/bt-json-standard.js'
import { BtReadyApp } from '../src/entries/bt-ready.js'
import { WtExtractSocApp } from '../src/entries/wt-extract-soc.js'
import { WtInsertLakeApp } from '../src/entries/wt-insert-lake.js'
import { WtJsonStandardApp } from '../src/entries/wt-json-standard.js'
import { WtReadyApp } from '../src/entries/wt-ready.js'
import type { RunResult } from '../src/support/etl-app.js'
import { addDays, fixedClock } from '../src/util/dates.js'
import { stringifyPy } from '../src/util/py-json.js'
import { createLogSink } from '../test/helpers/log-sink.js'
import { getTestServices, stopTestServices, type TestServices } from '../test/services/index.js'
import { BENCH_FIRST_DAY, benchDay, createRunBuckets, productionSettings, writeBtDays } from './p3-setup.js'
import { createLatencyProxy } from './p4-latency-proxy.js'
import { type BenchModule, type Figure, median } from './types.js'

/** Added to every S3 and PostgREST request (simulated remote servers); override with BENCH_P4_LATENCY_MS. */
const LATENCY_MS = Number(process.env.BENCH_P4_LATENCY_MS ?? 20)
const INTERSECTIONS = 8

interface Contest {
  readonly services: TestServices
  readonly dir: string
  readonly days: number
  readonly tables: KitsTables
  readonly catalogUrl: string
  readonly s3Endpoint: string
}

interface Outcome {
  readonly seconds: number
  readonly items: number
  readonly perApp: string
}

async function catchUp(contest: Contest, concurrency: number, round: number): Promise<Outcome> {
  const { services, dir, days } = contest
  const name = `p4c${concurrency}r${round}`
  const settings = await productionSettings({
    services,
    dir,
    name,
    repositories: await createRunBuckets(services, name),
    catalogUrl: contest.catalogUrl,
    s3Endpoint: contest.s3Endpoint,
    awamDir: join(dir, 'awam'),
    unitDataDir: join(dir, 'unit-data'),
  })
  const drivers = createDriverSet(settings, { debug: false })
  const kits = createKitsSource({
    client: createPgKitsClient({ url: services.pg.url }),
    tables: contest.tables,
  })
  const runtime = {
    settings,
    drivers,
    logger: createLogSink('silent').logger,
    clock: fixedClock(`${benchDay(days + 1)} 03:00:00`),
  }
  const args = { start_date: benchDay(0), end_date: benchDay(days), concurrency }
  const results: RunResult[] = []
  const started = performance.now()
  try {
    for (const app of [
      new BtInsertLakeApp(args, runtime),
      new BtJsonStandardApp(args, runtime),
      new BtReadyApp(args, runtime),
      new BtExtractSocApp(args, runtime),
      new WtInsertLakeApp(args, runtime, { kits }),
      new WtJsonStandardApp(args, runtime),
      new WtReadyApp(args, runtime),
      new WtExtractSocApp(args, runtime),
    ]) {
      const result = await app.run()
      if (result.exitCode !== 0) throw new Error(`${result.app}: ${result.failures.length} item(s) failed`)
      results.push(result)
    }
  } finally {
    await kits.close()
    await drivers.close()
  }
  return {
    seconds: (performance.now() - started) / 1000,
    items: results.reduce((sum, r) => sum + r.items, 0),
    perApp: results.map((r) => `${r.app} ${r.items}`).join(', '),
  }
}

async function writeKits(
  services: TestServices,
  tables: KitsTables,
  dir: string,
  days: number,
): Promise<void> {
  const admin = await services.pg.client()
  try {
    await createKitsTables(admin, tables)
    const intersections = createKitsIntersections(INTERSECTIONS, 21)
    for (let day = 0; day < days; day += 1) {
      await writeKitsDay(admin, addDays(BENCH_FIRST_DAY, day), { intersections, seed: 9, tables })
    }
    const unit = createWtUnitData(intersections, {
      collectionDate: BENCH_FIRST_DAY,
      processingDate: BENCH_FIRST_DAY,
    })
    await mkdir(join(dir, 'unit-data'), { recursive: true })
    await writeFile(join(dir, 'unit-data', 'wt_unit_data.json'), stringifyPy(unit))
  } finally {
    await admin.close()
  }
}

/**
 * P4: D days of Bluetooth and Wavetronix data through all eight stages on S3 + PostgREST (production profile,
 * CSV publishing), with `concurrency` 1 and 8 alternately, each run into its own fresh buckets.
 */
const module: BenchModule = {
  id: 'P4',
  title: 'end-to-end catch-up at concurrency 1 vs 8',
  async run(ctx) {
    const days = ctx.quick ? 10 : 30
    const rounds = ctx.quick ? 1 : 2
    const services = await getTestServices()
    const s3 = await createLatencyProxy(services.s3.endpoint, LATENCY_MS)
    const postgrest = await createLatencyProxy(services.postgrest.url, LATENCY_MS)
    const schema = `bench_kits_${process.pid}`
    const tables: KitsTables = { history: `${schema}.sysdethistoryrm`, detectors: `${schema}.detectorsrm` }
    try {
      await writeBtDays(join(ctx.tmpDir, 'awam'), join(ctx.tmpDir, 'unit-data'), days)
      await writeKits(services, tables, ctx.tmpDir, days)
      const contest: Contest = {
        services,
        dir: ctx.tmpDir,
        days,
        tables,
        catalogUrl: postgrest.url,
        s3Endpoint: s3.url,
      }
      const times: Record<1 | 8, number[]> = { 1: [], 8: [] }
      const items = new Set<number>()
      for (let round = 0; round < rounds; round += 1) {
        for (const concurrency of [1, 8] as const) {
          const outcome = await catchUp(contest, concurrency, round)
          ctx.log(`round ${round + 1} c${concurrency}: ${outcome.seconds.toFixed(2)} s (${outcome.perApp})`)
          times[concurrency].push(outcome.seconds)
          items.add(outcome.items)
        }
      }
      if (items.size !== 1)
        throw new Error(`runs processed different item counts: ${[...items].join(' vs ')}`)
      const [c1, c8] = [median(times[1]), median(times[8])]
      const note =
        `${days} days × (bt: 3 AWAM files, 5 readers, 150 IAF / 30 ITMF rows; wt: KITS on PostgreSQL, ` +
        `${INTERSECTIONS} intersections), 8 stages, ${[...items][0]} items per run, production profile ` +
        `(S3 + PostgREST, CSV publishing), +${LATENCY_MS} ms per S3/PostgREST request via a delaying proxy, ` +
        `median of ${rounds} alternating round(s)`
      const figures: Figure[] = [
        {
          id: 'P4.c1.s',
          label: 'catch-up, concurrency 1',
          value: c1,
          unit: 's',
          higherIsBetter: false,
          note,
        },
        {
          id: 'P4.c8.s',
          label: 'catch-up, concurrency 8',
          value: c8,
          unit: 's',
          higherIsBetter: false,
          note,
        },
        {
          id: 'P4.speedup',
          label: 'speed-up of concurrency 8 over 1',
          value: c1 / c8,
          unit: '×',
          higherIsBetter: true,
          target: { op: '>=', value: 1.7 },
          note,
        },
      ]
      return figures
    } finally {
      const admin = await services.pg.client()
      await admin.query(`drop schema if exists ${schema} cascade`).finally(() => admin.close())
      await s3.close()
      await postgrest.close()
      await stopTestServices()
    }
  },
}

export default module
