import { join } from 'node:path'
import { createDriverSet } from '../src/config/factories.js'
import { BtInsertLakeApp } from '../src/entries/bt-insert-lake.js'
import { BtJsonStandardApp } from '../src/entries/bt-json-standard.js'
import { BtReadyApp } from '../src/entries/bt-ready.js'
import { fixedClock } from '../src/util/dates.js'
import { createFaultProxy } from '../test/helpers/fault-proxy.js'
import { createLogSink } from '../test/helpers/log-sink.js'
import { getTestServices, stopTestServices } from '../test/services/index.js'
import { benchDay, createRunBuckets, productionSettings, writeBtDays } from './p3-setup.js'
import type { BenchModule, Figure } from './types.js'

const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE'])

/** `METHOD /table` → count, most frequent first. */
function breakdown(requests: readonly { method: string; url: string }[]): string {
  const counts = new Map<string, number>()
  for (const { method, url } of requests) {
    const key = `${method} ${url.split('?')[0]}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} ×${n}`)
    .join(', ')
}

/**
 * P3: HTTP requests that reach PostgREST (counted by a forwarding proxy) while bt-insert-lake, bt-json-standard
 * and bt-ready run over D days of small synthetic AWAM data on S3 + PostgREST (production profile).
 */
const module: BenchModule = {
  id: 'P3',
  title: 'catalog requests per processed item on PostgREST',
  async run(ctx) {
    const days = ctx.quick ? 60 : 120
    const services = await getTestServices()
    const proxy = await createFaultProxy(services.postgrest.url)
    try {
      const awamDir = join(ctx.tmpDir, 'awam')
      const unitDataDir = join(ctx.tmpDir, 'unit-data')
      await writeBtDays(awamDir, unitDataDir, days)
      const settings = await productionSettings({
        services,
        dir: ctx.tmpDir,
        name: 'p3',
        repositories: await createRunBuckets(services, 'p3'),
        catalogUrl: proxy.url,
        awamDir,
        unitDataDir,
      })
      const drivers = createDriverSet(settings, { debug: false })
      const runtime = {
        settings,
        drivers,
        logger: createLogSink('silent').logger,
        clock: fixedClock(`${benchDay(days + 1)} 03:00:00`),
      }
      const args = { start_date: benchDay(0), end_date: benchDay(days) }
      let items = 0
      const perStage: string[] = []
      try {
        for (const app of [
          new BtInsertLakeApp(args, runtime),
          new BtJsonStandardApp(args, runtime),
          new BtReadyApp(args, runtime),
        ]) {
          const before = proxy.requests.length
          const result = await app.run()
          if (result.exitCode !== 0)
            throw new Error(`${result.app}: ${result.failures.length} item(s) failed`)
          items += result.items
          const seen = proxy.requests.slice(before)
          const writes = seen.filter((r) => WRITES.has(r.method)).length
          perStage.push(
            `${result.app}: ${result.items} items, ${seen.length - writes} reads, ${writes} writes ` +
              `(${breakdown(seen)})`,
          )
        }
      } finally {
        await drivers.close()
      }
      const writes = proxy.requests.filter((r) => WRITES.has(r.method))
      const catalogWrites = writes.filter((r) => r.url.startsWith('/data_lake_cat'))
      const otherWrites = writes.length - catalogWrites.length
      const reads = proxy.requests.filter((r) => r.method === 'GET' || r.method === 'HEAD')
      for (const line of perStage) ctx.log(line)
      ctx.log(`writes: ${breakdown(writes)}`)
      ctx.log(`reads: ${breakdown(reads)}`)
      const note =
        `${days} days × 3 AWAM files (5 readers, 150 IAF / 30 ITMF rows), bt-insert-lake + bt-json-standard + ` +
        'bt-ready, production profile (S3 + PostgREST, perfmet on PostgREST), every request through a counting proxy'
      const figures: Figure[] = [
        {
          id: 'P3.writesPer100Items',
          label: 'catalog write requests (POST/PATCH/PUT/DELETE on data_lake_cat) per 100 items',
          value: items === 0 ? Number.NaN : (catalogWrites.length * 100) / items,
          unit: 'req/100 items',
          higherIsBetter: false,
          target: { op: '<=', value: 1 },
          note: `${catalogWrites.length} catalog writes (default batching: 500 rows or 30 s); ${note}`,
        },
        {
          id: 'P3.perfmetWritesPer100Items',
          label: 'perfmet write requests per 100 items (not catalog)',
          value: items === 0 ? Number.NaN : (otherWrites * 100) / items,
          unit: 'req/100 items',
          higherIsBetter: false,
          note: `${otherWrites} writes to the perfmet tables (a job row per run, observations per day)`,
        },
        {
          id: 'P3.readsPerItem',
          label: 'PostgREST read requests (GET) per item',
          value: items === 0 ? Number.NaN : reads.length / items,
          unit: 'req/item',
          higherIsBetter: false,
          note: `${reads.length} reads; ${note}`,
        },
        { id: 'P3.items', label: 'items processed', value: items, unit: 'items', higherIsBetter: true, note },
      ]
      return figures
    } finally {
      await proxy.close()
      await stopTestServices()
    }
  },
}

export default module
