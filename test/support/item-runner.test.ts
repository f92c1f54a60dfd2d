import { expect } from 'chai'
import type { DateTime } from 'luxon'
import { createMemoryCatalog } from '../../src/drivers/catalog/memory.js'
import { Catalog, type CatalogEntry } from '../../src/support/catalog.js'
import { runWorkItems } from '../../src/support/item-runner.js'
import type { WorkItem } from '../../src/support/items.js'
import { addDays, parseTimestamp } from '../../src/util/dates.js'
import { createPrng } from '../../src/util/prng.js'
import { createLogSink } from '../helpers/log-sink.js'

const DAY = parseTimestamp('2019-06-01')

function workItem(ext: string, date: DateTime): WorkItem {
  return {
    identifier: { base: 'A', ext, date },
    priorLastUpdate: true,
    provItem: { base: 'A', ext, date, dateEnd: null, payload: null, label: `${ext}@${date.toISODate()}` },
    label: `${ext}@${date.toISODate()}`,
  }
}

/** `perDay` items on each of `days` days, ascending. */
function workList(days: number, perDay: number): WorkItem[] {
  const out: WorkItem[] = []
  for (let d = 0; d < days; d += 1)
    for (let i = 0; i < perDay; i += 1) out.push(workItem(`f${i}`, addDays(DAY, d)))
  return out
}

interface Harness {
  readonly catalog: Catalog
  readonly log: string[]
  /** Each driver upsert call, as the days (ISO) of its rows. */
  readonly commits: string[][]
  pulled: number
  listing(items: readonly WorkItem[]): AsyncIterable<WorkItem>
  failCommitOn: string | null
}

function harness(): Harness {
  const driver = createMemoryCatalog()
  const h: Harness = {
    log: [],
    commits: [],
    pulled: 0,
    failCommitOn: null,
    catalog: new Catalog({
      driver: {
        ...driver,
        async upsert(entries: readonly CatalogEntry[]) {
          const days = entries.map((e) => e.collectionDate.toISODate() as string)
          if (h.failCommitOn !== null && days.includes(h.failCommitOn)) throw new Error('catalog down')
          h.commits.push(days)
          h.log.push(`commit ${[...new Set(days)].join(',')}`)
          await driver.upsert(entries)
        },
      },
      dataSource: 'bt',
      logger: createLogSink('silent').logger,
    }),
    async *listing(items) {
      for (const item of items) {
        h.pulled += 1
        h.log.push(`pull ${item.label}`)
        yield item
      }
    },
  }
  return h
}

const entryFor = (catalog: Catalog, item: WorkItem): CatalogEntry =>
  catalog.buildEntry({
    repository: 'r',
    base: item.identifier.base,
    ext: item.identifier.ext,
    collectionDate: item.identifier.date,
    pointer: item.label,
  })

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('runWorkItems: concurrency with per-day catalog order', () => {
  it('concurrency 1 is the sequential loop: pull, process, and commit a day before the next day starts', async () => {
    const h = harness()
    const started = await runWorkItems(h.listing(workList(2, 2)), {
      concurrency: 1,
      catalog: h.catalog,
      process: async (item) => {
        h.log.push(`start ${item.label}`)
        await tick(1)
        h.catalog.stageUpsert(entryFor(h.catalog, item))
        h.log.push(`end ${item.label}`)
      },
    })
    expect(started).to.equal(4)
    expect(h.log).to.deep.equal([
      'pull f0@2019-06-01',
      'start f0@2019-06-01',
      'end f0@2019-06-01',
      'pull f1@2019-06-01',
      'start f1@2019-06-01',
      'end f1@2019-06-01',
      'pull f0@2019-06-02',
      'commit 2019-06-01',
      'start f0@2019-06-02',
      'end f0@2019-06-02',
      'pull f1@2019-06-02',
      'start f1@2019-06-02',
      'end f1@2019-06-02',
      'commit 2019-06-02',
    ])
  })

  for (const concurrency of [2, 3, 8]) {
    it(`concurrency ${concurrency}: never more in flight, each day committed whole, in order, after its items`, async () => {
      const h = harness()
      const random = createPrng(concurrency)
      const items = workList(6, 3)
      let inFlight = 0
      let peak = 0
      const finished = new Set<string>()
      await runWorkItems(h.listing(items), {
        concurrency,
        catalog: h.catalog,
        process: async (item) => {
          inFlight += 1
          peak = Math.max(peak, inFlight)
          await tick(Math.floor(random() * 8))
          h.catalog.stageUpsert(entryFor(h.catalog, item))
          await tick(Math.floor(random() * 4))
          finished.add(item.label)
          h.log.push(`end ${item.label}`)
          inFlight -= 1
        },
      })
      expect(peak).to.equal(concurrency)
      const days = items.map((i) => i.identifier.date.toISODate() as string)
      const uniqueDays = [...new Set(days)]
      expect(h.commits.map((c) => [...new Set(c)])).to.deep.equal(uniqueDays.map((d) => [d]))
      expect(h.commits.map((c) => c.length)).to.deep.equal(uniqueDays.map(() => 3))
      for (const day of uniqueDays) {
        const commitAt = h.log.indexOf(`commit ${day}`)
        const lastEnd = Math.max(
          ...h.log.flatMap((line, i) => (line.startsWith('end ') && line.endsWith(`@${day}`) ? [i] : [])),
        )
        expect(commitAt, day).to.be.greaterThan(lastEnd)
      }
      expect(finished.size).to.equal(items.length)
    })
  }

  it('pulls the listing only when a slot is free', async () => {
    const h = harness()
    let maxAhead = 0
    let done = 0
    await runWorkItems(h.listing(workList(3, 4)), {
      concurrency: 3,
      catalog: h.catalog,
      process: async () => {
        maxAhead = Math.max(maxAhead, h.pulled - done)
        await tick(2)
        done += 1
      },
    })
    expect(maxAhead).to.equal(3)
  })

  it('a fatal rejection starts nothing more, lets the items in flight finish, commits them, and is rethrown', async () => {
    const h = harness()
    const ended: string[] = []
    const error = await runWorkItems(h.listing(workList(4, 2)), {
      concurrency: 2,
      catalog: h.catalog,
      process: async (item, index) => {
        h.catalog.stageUpsert(entryFor(h.catalog, item))
        if (index === 2) throw new Error('fatal')
        await tick(5)
        ended.push(item.label)
      },
    }).catch((e: unknown) => e)
    expect((error as Error).message).to.equal('fatal')
    expect(ended).to.deep.equal(['f0@2019-06-01', 'f1@2019-06-01'])
    expect(h.commits).to.deep.equal([['2019-06-01', '2019-06-01'], ['2019-06-02']])
    expect(h.pulled).to.equal(3)
  })

  it('stop() ends the run after the items in flight', async () => {
    const h = harness()
    let failures = 0
    const started = await runWorkItems(h.listing(workList(5, 2)), {
      concurrency: 2,
      catalog: h.catalog,
      process: async (_item, index) => {
        await tick(1)
        if (index === 1) failures += 1
      },
      stop: () => failures >= 1,
    })
    expect(started).to.be.within(2, 3)
  })

  it('a failed commit stops the run, commits no later day and is rethrown', async () => {
    const h = harness()
    h.failCommitOn = '2019-06-02'
    const error = await runWorkItems(h.listing(workList(4, 1)), {
      concurrency: 1,
      catalog: h.catalog,
      process: async (item) => {
        h.catalog.stageUpsert(entryFor(h.catalog, item))
      },
    }).catch((e: unknown) => e)
    expect((error as Error).message).to.contain('catalog down')
    expect(h.commits).to.deep.equal([['2019-06-01']])
    expect(h.pulled).to.equal(3)
  })

  it('a commit policy gathers finished days, in order, into batches of at least `rows` rows', async () => {
    const h = harness()
    await runWorkItems(h.listing(workList(7, 2)), {
      concurrency: 3,
      catalog: h.catalog,
      commit: { rows: 5, maxWaitMs: 60_000 },
      process: async (item) => {
        await tick(1)
        h.catalog.stageUpsert(entryFor(h.catalog, item))
      },
    })
    expect(h.commits.map((c) => c.length)).to.deep.equal([6, 6, 2])
    expect(h.commits.flat()).to.deep.equal(workList(7, 2).map((i) => i.identifier.date.toISODate() as string))
  })

  it('a commit policy commits what waits after maxWaitMs even when no more items finish', async () => {
    const h = harness()
    let release: () => void = () => undefined
    const slow = new Promise<void>((resolve) => {
      release = resolve
    })
    const run = runWorkItems(h.listing(workList(3, 1)), {
      concurrency: 1,
      catalog: h.catalog,
      commit: { rows: 100, maxWaitMs: 20 },
      process: async (item, index) => {
        h.catalog.stageUpsert(entryFor(h.catalog, item))
        if (index === 2) await slow
      },
    })
    await tick(80)
    expect(h.commits).to.deep.equal([['2019-06-01', '2019-06-02']])
    release()
    await run
    expect(h.commits).to.deep.equal([['2019-06-01', '2019-06-02'], ['2019-06-03']])
  })

  it('rows staged outside an item go to the default stage', async () => {
    const h = harness()
    await runWorkItems(h.listing(workList(1, 1)), {
      concurrency: 4,
      catalog: h.catalog,
      process: async () => {},
    })
    h.catalog.stageUpsert(entryFor(h.catalog, workItem('x', DAY)))
    expect(h.catalog.stagedCount).to.equal(1)
    expect(await h.catalog.commitUpsert()).to.equal(1)
  })
})
