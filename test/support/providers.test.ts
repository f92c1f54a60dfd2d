import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { DateTime } from 'luxon'
import type { CatalogEntry, CatalogQuery } from '../../src/support/catalog-driver.js'
import type { ProviderItem, ProviderWindow } from '../../src/support/items.js'
import { createCatalogProvider } from '../../src/support/providers/catalog-provider.js'
import { createDateListProvider } from '../../src/support/providers/date-list-provider.js'
import { createFileProvider } from '../../src/support/providers/file-provider.js'

const ZONE = 'America/Chicago'
const d = (iso: string): DateTime => DateTime.fromISO(iso, { zone: ZONE })
const win = (start: string | null, end: string | null): ProviderWindow => ({
  start: start === null ? null : d(start),
  end: end === null ? null : d(end),
})

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of iterable) out.push(x)
  return out
}

const summary = (it: ProviderItem<unknown>): string =>
  `${it.base}|${it.ext}|${it.date.toISO()}|${it.dateEnd?.toISO() ?? '-'}|${it.label}`

describe('catalog provider (LastUpdCatProv, spec §3.2)', () => {
  const entry = (idBase: string, idExt: string, day: string, end: string | null = null): CatalogEntry => ({
    repository: 'atd-datalake-raw',
    dataSource: 'bt',
    idBase,
    idExt,
    pointer: `2019/06/01/bt/${idBase}_${idExt}`,
    collectionDate: d(day),
    collectionEnd: end === null ? null : d(end),
    processingDate: null,
    metadata: null,
  })
  const rows = [
    entry('Austin', 'matched.txt', '2019-06-01'),
    entry('Austin', 'unmatched.txt', '2019-06-02', '2019-06-04'),
  ]
  const fakeCatalog = () => {
    const queries: CatalogQuery[] = []
    return {
      queries,
      async *query(q: CatalogQuery) {
        queries.push(q)
        yield* rows
      },
    }
  }
  const base = { repository: 'atd-datalake-raw', dataSource: 'bt' }

  const cases: { name: string; window: ProviderWindow; query: CatalogQuery }[] = [
    {
      name: 'both bounds null → exact query without a date',
      window: win(null, null),
      query: { ...base, early: null, exact: true },
    },
    {
      name: 'start == end → exact query on that instant',
      window: win('2020-10-01', '2020-10-01'),
      query: { ...base, early: d('2020-10-01'), exact: true },
    },
    {
      name: 'normal window → early inclusive, late exclusive',
      window: win('2018-07-01', '2018-07-12'),
      query: { ...base, early: d('2018-07-01'), late: d('2018-07-12') },
    },
    {
      name: 'start only → early, no late',
      window: win('2018-07-01', null),
      query: { ...base, early: d('2018-07-01'), late: null },
    },
    {
      name: 'end only → late, no early',
      window: win(null, '2018-07-12'),
      query: { ...base, early: null, late: d('2018-07-12') },
    },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const catalog = fakeCatalog()
      await collect(createCatalogProvider({ catalog, ...base }).list(c.window))
      expect(catalog.queries).to.have.length(1)
      const [q] = catalog.queries
      expect(Object.keys(q ?? {}).sort()).to.deep.equal(Object.keys(c.query).sort())
      for (const [key, value] of Object.entries(c.query)) {
        const got = (q as unknown as Record<string, unknown>)[key]
        if (DateTime.isDateTime(value)) expect(DateTime.isDateTime(got) && +got).to.equal(+value)
        else expect(got).to.deep.equal(value)
      }
    })
  }

  it('passes base/ext filters through and maps rows to items', async () => {
    const catalog = fakeCatalog()
    const provider = createCatalogProvider({ catalog, ...base, base: 'Austin', ext: { like: '%.txt' } })
    const items = await collect(provider.list(win('2019-06-01', '2019-06-05')))
    expect(catalog.queries[0]).to.include({ base: 'Austin' })
    expect(catalog.queries[0]?.ext).to.deep.equal({ like: '%.txt' })
    expect(items.map(summary)).to.deep.equal([
      'Austin|matched.txt|2019-06-01T00:00:00.000-05:00|-|2019/06/01/bt/Austin_matched.txt',
      'Austin|unmatched.txt|2019-06-02T00:00:00.000-05:00|2019-06-04T00:00:00.000-05:00|2019/06/01/bt/Austin_unmatched.txt',
    ])
    expect(items[1]?.payload).to.equal(rows[1])
  })
})

describe('file provider (LastUpdFileProv, spec §3.2, AWAM patterns of §9.1)', () => {
  let dir = ''
  const patterns = [
    {
      def: { prefix: 'Austin_bt_', dateFormat: '%m-%d-%Y', postfix: '.txt' },
      base: 'Austin',
      ext: 'unmatched.txt',
    },
    {
      def: { prefix: 'Austin_btmatch_', dateFormat: '%m-%d-%Y', postfix: '.txt' },
      base: 'Austin',
      ext: 'matched.txt',
    },
    {
      def: { prefix: 'Austin_bt_summary_15_', dateFormat: '%m-%d-%Y', postfix: '.txt' },
      base: 'Austin',
      ext: 'traf_match_summary.txt',
    },
  ]
  const files = [
    'Austin_bt_06-02-2019.txt',
    'Austin_btmatch_06-01-2019.txt',
    'Austin_bt_summary_15_06-01-2019.txt',
    'Austin_bt_06-01-2019.txt',
    'Austin_bt_summary_15_06-03-2019.txt',
    'Austin_bt_11-03-2019.txt',
    'Austin_bt_notes.txt',
    'Austin_bt_06-04-2019.csv',
  ]
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-provider-'))
    for (const name of files) await writeFile(join(dir, name), 'x')
    await mkdir(join(dir, 'Austin_btmatch_06-02-2019.txt'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  const listed = async (window: ProviderWindow, impliedDuration?: { days: number }) =>
    (await collect(createFileProvider({ dir, patterns, impliedDuration }).list(window))).map(
      (it) => `${it.date.toISODate()} ${it.ext} ${it.label === join(dir, it.payload.name) ? 'ok' : it.label}`,
    )

  it('lists each date ascending, patterns in list order; names that do not parse are ignored', async () => {
    expect(await listed(win(null, null))).to.deep.equal([
      '2019-06-01 unmatched.txt ok',
      '2019-06-01 matched.txt ok',
      '2019-06-01 traf_match_summary.txt ok',
      '2019-06-02 unmatched.txt ok',
      '2019-06-03 traf_match_summary.txt ok',
      '2019-11-03 unmatched.txt ok',
    ])
  })

  it('applies the window rule: start inclusive, end exclusive', async () => {
    expect(await listed(win('2019-06-02', '2019-06-03'))).to.deep.equal(['2019-06-02 unmatched.txt ok'])
    expect(await listed(win('2019-06-03', null))).to.deep.equal([
      '2019-06-03 traf_match_summary.txt ok',
      '2019-11-03 unmatched.txt ok',
    ])
  })

  it('start == end lists exactly that date', async () => {
    expect(await listed(win('2019-06-01', '2019-06-01'))).to.have.length(3)
    expect(await listed(win('2019-06-04', '2019-06-04'))).to.deep.equal([])
  })

  it('builds items: full path label and payload, Central midnight, dateEnd from impliedDuration', async () => {
    const provider = createFileProvider({ dir, patterns, impliedDuration: { days: 1 } })
    const items = await collect(provider.list(win('2019-11-03', null)))
    expect(items).to.have.length(1)
    const [it] = items
    expect(it?.label).to.equal(join(dir, 'Austin_bt_11-03-2019.txt'))
    expect(it?.payload).to.deep.equal({ path: it?.label, name: 'Austin_bt_11-03-2019.txt', patternIndex: 0 })
    expect(it?.date.toISO()).to.equal('2019-11-03T00:00:00.000-05:00')
    expect(it?.dateEnd?.toISO()).to.equal('2019-11-04T00:00:00.000-06:00')
    const plain = await collect(createFileProvider({ dir, patterns }).list(win('2019-11-03', null)))
    expect(plain[0]?.dateEnd).to.equal(null)
  })

  it('reports the file modification time as `updated` only when asked (withModified)', async () => {
    const when = new Date('2019-11-04T09:30:00Z')
    await utimes(join(dir, 'Austin_bt_11-03-2019.txt'), when, when)
    const window = win('2019-11-03', null)
    const [withTime] = await collect(createFileProvider({ dir, patterns, withModified: true }).list(window))
    expect(withTime?.updated?.toMillis()).to.equal(when.getTime())
    const [without] = await collect(createFileProvider({ dir, patterns }).list(window))
    expect(without?.updated).to.equal(null)
  })
})

describe('date-list provider (LastUpdDB, spec §3.2)', () => {
  const days = ['2019-06-03', '2019-06-01', '2019-06-02', '2019-06-01'].map(d)
  const make = (asIterable: boolean) => {
    const windows: ProviderWindow[] = []
    const provider = createDateListProvider({
      base: 'Austin',
      ext: 'csv',
      listDates: (window) => {
        windows.push(window)
        if (!asIterable) return Promise.resolve(days)
        return (async function* () {
          yield* days
        })()
      },
    })
    return { provider, windows }
  }

  for (const asIterable of [false, true]) {
    it(`sorts and de-duplicates the days (${asIterable ? 'async iterable' : 'promised array'})`, async () => {
      const { provider, windows } = make(asIterable)
      const items = await collect(provider.list(win(null, null)))
      expect(items.map(summary)).to.deep.equal([
        'Austin|csv|2019-06-01T00:00:00.000-05:00|-|Austin_2019-06-01.csv',
        'Austin|csv|2019-06-02T00:00:00.000-05:00|-|Austin_2019-06-02.csv',
        'Austin|csv|2019-06-03T00:00:00.000-05:00|-|Austin_2019-06-03.csv',
      ])
      expect(+(items[0]?.payload as DateTime)).to.equal(+d('2019-06-01'))
      expect(windows).to.deep.equal([{ start: null, end: null }])
    })
  }

  it('passes a normal window through', async () => {
    const { provider, windows } = make(false)
    await collect(provider.list(win('2019-06-01', '2019-06-03')))
    expect(windows[0]?.start?.toISODate()).to.equal('2019-06-01')
    expect(windows[0]?.end?.toISODate()).to.equal('2019-06-03')
  })

  it('start == end: asks with no late bound (as the original) but lists only that day', async () => {
    const { provider, windows } = make(false)
    const items = await collect(provider.list(win('2019-06-02', '2019-06-02')))
    expect(windows[0]?.start?.toISODate()).to.equal('2019-06-02')
    expect(windows[0]?.end).to.equal(null)
    expect(items.map((it) => it.label)).to.deep.equal(['Austin_2019-06-02.csv'])
  })
})
