import { existsSync } from 'node:fs'
import { expect } from 'chai'
import type { DateTime } from 'luxon'
import { createDriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import type { AppDefinition } from '../../src/support/app-definition.js'
import type { AppContext } from '../../src/support/context.js'
import { ArgumentError } from '../../src/support/errors.js'
import { EtlApp } from '../../src/support/etl-app.js'
import type { ItemProvider, KeyMode, ProviderItem, WorkItem } from '../../src/support/items.js'
import { createCatalogProvider } from '../../src/support/providers/catalog-provider.js'
import { addDays, fixedClock, parseTimestamp } from '../../src/util/dates.js'
import { createLogSink } from '../helpers/log-sink.js'

const DAY = parseTimestamp('2019-06-01 00:00:00-05:00')

function listOf(items: { ext: string; date: DateTime }[]): ItemProvider {
  return {
    async *list() {
      for (const { ext, date } of items) {
        const item: ProviderItem = {
          base: 'Austin',
          ext,
          date,
          dateEnd: null,
          payload: null,
          label: `${ext}@${date.toISODate()}`,
        }
        yield item
      }
    },
  }
}

class ProbeApp extends EtlApp {
  static readonly definition: AppDefinition = {
    name: 'probe',
    original: 'probe.py',
    description: 'test app',
    dataSource: 'bt',
    purposeTgt: 'raw',
    perfmetStage: 'Ingest',
    needsTempDir: true,
    options: [],
  }
  readonly definition = ProbeApp.definition
  protected readonly keyMode: KeyMode = 'base+ext'
  readonly events: string[] = []
  tempDir: string | null = null
  failOn = new Set<string>()
  sourceItems: { ext: string; date: DateTime }[] = []

  protected source(): ItemProvider {
    return listOf(this.sourceItems)
  }
  protected target(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('raw'),
      dataSource: 'bt',
    })
  }
  protected override async beforeLoop(ctx: AppContext) {
    this.tempDir = ctx.tempDir
    this.events.push(`before temp=${ctx.tempDir !== null && existsSync(ctx.tempDir)}`)
  }
  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    this.events.push(`item ${item.label} staged=${ctx.catalog.stagedCount}`)
    if (this.failOn.has(item.label)) throw new Error(`broken ${item.label}`)
    const storage = ctx.storageTgt
    if (!storage) return 0
    await storage.writeBuffer(
      'x',
      storage.createCatalogEntry('Austin', item.identifier.ext, item.identifier.date),
      {
        stage: true,
      },
    )
    ctx.perfmet?.recordCollect(item.identifier.date, true)
    return 1
  }
  protected override async afterLoop(_ctx: AppContext, records: number) {
    this.events.push(`after ${records}`)
  }
}

/** A probe whose items may run concurrently; records the peak number in flight. */
class ParallelProbeApp extends ProbeApp {
  static readonly parallelDefinition: AppDefinition = { ...ProbeApp.definition, concurrentItems: true }
  override readonly definition = ParallelProbeApp.parallelDefinition
  inFlight = 0
  peak = 0
  protected override async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    this.inFlight += 1
    this.peak = Math.max(this.peak, this.inFlight)
    await new Promise((resolve) => setTimeout(resolve, 5))
    try {
      return await super.processItem(item, ctx)
    } finally {
      this.inFlight -= 1
    }
  }
}

describe('EtlApp lifecycle', () => {
  const clock = fixedClock('2019-06-10 08:00:00')

  function runtime() {
    const settings = loadSettings({
      env: { CATALOG_ETL_STORAGE: 'memory', CATALOG_ETL_CATALOG: 'memory', CATALOG_ETL_PERFMET: 'none' },
      cwd: '/nonexistent-cwd',
    })
    const drivers = createDriverSet(settings, { debug: false })
    return { settings, drivers, clock, logger: createLogSink('error').logger }
  }

  it('the constructor does no I/O and does not validate dates until run()', async () => {
    const app = new ProbeApp({}, runtime())
    expect(app.events).to.deep.equal([])
    const error = await app.run().catch((e: unknown) => e)
    expect(error).to.be.instanceOf(ArgumentError)
  })

  it('accepts snake_case, kebab-case and camelCase argument names', async () => {
    for (const args of [
      { start_date: '2019-06-01' },
      { 'start-date': '2019-06-01' },
      { startDate: '2019-06-01' },
    ]) {
      const app = new ProbeApp(args, runtime())
      app.sourceItems = [{ ext: 'a', date: DAY }]
      expect((await app.run()).items).to.equal(1)
    }
  })

  it('flushes staged catalog rows when the date changes and at the end; removes the temp dir', async () => {
    const app = new ProbeApp({ start_date: '2019-06-01' }, runtime())
    app.sourceItems = [
      { ext: 'a', date: DAY },
      { ext: 'b', date: DAY },
      { ext: 'a', date: addDays(DAY, 1) },
      { ext: 'b', date: addDays(DAY, 1) },
    ]
    const result = await app.run()
    expect(result).to.include({ records: 4, items: 4, exitCode: 0 })
    expect(app.events).to.deep.equal([
      'before temp=true',
      'item a@2019-06-01 staged=0',
      'item b@2019-06-01 staged=1',
      'item a@2019-06-02 staged=0',
      'item b@2019-06-02 staged=1',
      'after 4',
    ])
    expect(app.tempDir && existsSync(app.tempDir)).to.equal(false)
  })

  it('--concurrency N runs up to N items at once in an app that allows it, one at a time in one that does not', async () => {
    const items = [0, 1, 2].flatMap((d) => ['a', 'b', 'c'].map((ext) => ({ ext, date: addDays(DAY, d) })))
    const rt = runtime()
    const parallel = new ParallelProbeApp({ start_date: '2019-06-01', concurrency: 3 }, rt)
    parallel.sourceItems = items
    expect(await parallel.run()).to.include({ records: 9, items: 9, exitCode: 0 })
    expect(parallel.peak).to.equal(3)
    const rows = []
    for await (const row of rt.drivers.catalog().query({ repository: 'atd-datalake-raw', dataSource: 'bt' }))
      rows.push(`${row.idExt}@${row.collectionDate.toISODate()}`)
    expect(rows.sort()).to.deep.equal(items.map((i) => `${i.ext}@${i.date.toISODate()}`).sort())

    const sequential = new ProbeApp({ start_date: '2019-06-01', concurrency: 3, force: true }, runtime())
    sequential.sourceItems = items
    expect(await sequential.run()).to.include({ items: 9, exitCode: 0 })
    const staged = sequential.events.filter((e) => e.startsWith('item ')).map((e) => e.split(' ')[2])
    expect(staged).to.deep.equal([0, 1, 2].flatMap(() => ['staged=0', 'staged=1', 'staged=2']))
  })

  it('rejects a --concurrency outside 1-64', async () => {
    for (const concurrency of [0, 65, 1.5, 'x']) {
      const error = await new ProbeApp({ start_date: '2019-06-01', concurrency }, runtime())
        .run()
        .catch((e) => e)
      expect(error, String(concurrency)).to.be.instanceOf(ArgumentError)
    }
  })

  it('a failing item is recorded, the rest carry on, staged rows of good items land, exit code 2', async () => {
    const rt = runtime()
    const app = new ProbeApp({ start_date: '2019-06-01' }, rt)
    app.sourceItems = [
      { ext: 'a', date: DAY },
      { ext: 'b', date: DAY },
      { ext: 'c', date: DAY },
    ]
    app.failOn.add('b@2019-06-01')
    const result = await app.run()
    expect(result.exitCode).to.equal(2)
    expect(result.records).to.equal(2)
    expect(result.failures.map((f) => [f.label, f.error.message])).to.deep.equal([
      ['b@2019-06-01', 'broken b@2019-06-01'],
    ])
    const rows = []
    for await (const row of rt.drivers.catalog().query({ repository: 'atd-datalake-raw', dataSource: 'bt' }))
      rows.push(row.idExt)
    expect(rows).to.deep.equal(['a', 'c'])
    const again = new ProbeApp({ start_date: '2019-06-01' }, rt)
    again.sourceItems = app.sourceItems
    const retry = await again.run()
    expect(retry.items).to.equal(1)
    expect(retry.exitCode).to.equal(0)
  })

  it('refuses drivers built for the other mode (a --debug run can never use production drivers)', async () => {
    const rt = runtime()
    const app = new ProbeApp({ start_date: '2019-06-01', debug: true }, rt)
    const error = await app.run().catch((e: unknown) => e)
    expect(error).to.be.instanceOf(ArgumentError)
    expect((error as Error).message).to.contain('production targets, but the run is --debug')
  })

  it('notifies observers of the run, each item and its outcome, and the end (an observer error is only logged)', async () => {
    const events: string[] = []
    const observer = {
      runStarted: (info: { app: string; args: { startDate: DateTime | null } }) => {
        events.push(`start ${info.app} ${info.args.startDate?.toISODate()}`)
      },
      itemStarted: (item: WorkItem, index: number) => {
        events.push(`item ${index} ${item.label}`)
      },
      itemFinished: (item: WorkItem, outcome: { status: string }) => {
        events.push(`done ${item.label} ${outcome.status}`)
      },
      runFinished: (info: { status: string; items: number; failed: number }) => {
        events.push(`end ${info.status} ${info.items} ${info.failed}`)
      },
    }
    const broken = {
      itemFinished: () => {
        throw new Error('observer bug')
      },
    }
    const app = new ProbeApp({ start_date: '2019-06-01' }, { ...runtime(), observers: [observer, broken] })
    app.sourceItems = [
      { ext: 'a', date: DAY },
      { ext: 'b', date: DAY },
    ]
    app.failOn.add('b@2019-06-01')
    const result = await app.run()
    expect(result.exitCode).to.equal(2)
    expect(events).to.deep.equal([
      'start probe 2019-06-01',
      'item 0 a@2019-06-01',
      'done a@2019-06-01 ok',
      'item 1 b@2019-06-01',
      'done b@2019-06-01 failed',
      'end partial 2 1',
    ])
  })

  it('--max-failures stops a clearly broken run (fatal) after committing the good items', async () => {
    const rt = runtime()
    const app = new ProbeApp({ start_date: '2019-06-01', max_failures: 2 }, rt)
    app.sourceItems = ['a', 'b', 'c', 'd', 'e'].map((ext) => ({ ext, date: DAY }))
    app.failOn.add('b@2019-06-01')
    app.failOn.add('c@2019-06-01')
    const error = await app.run().catch((e: unknown) => e)
    expect((error as Error).message).to.contain('Stopped after 2 failed item(s) (--max-failures 2)')
    expect(app.events.filter((e) => e.startsWith('item')).length).to.equal(3)
    const rows = []
    for await (const row of rt.drivers
      .catalog()
      .query({ repository: 'atd-datalake-raw', dataSource: 'bt' })) {
      rows.push(row.idExt)
    }
    expect(rows).to.deep.equal(['a'])
    const bad = await new ProbeApp({ start_date: '2019-06-01', max_failures: 0 }, runtime())
      .run()
      .catch((e) => e)
    expect(bad).to.be.instanceOf(ArgumentError)
  })

  it('removes the temp dir even when the run fails fatally', async () => {
    const rt = runtime()
    const app = new ProbeApp({ start_date: '2019-06-01' }, rt)
    app.sourceItems = [
      { ext: 'a', date: addDays(DAY, 1) },
      { ext: 'b', date: DAY },
    ]
    const error = await app.run().catch((e: unknown) => e)
    expect((error as { code?: string }).code).to.equal('E_INPUT')
    expect(app.tempDir && existsSync(app.tempDir)).to.equal(false)
  })
})
