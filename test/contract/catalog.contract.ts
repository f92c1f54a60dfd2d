import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import { DateTime } from 'luxon'
import type { CatalogDriver, CatalogEntry, CatalogQuery } from '../../src/support/catalog-driver.js'
import { at, CHICAGO, collect, contractOrder, keyOf, row, view } from './catalog-fixtures.js'
import { describeCatalogPagingContract } from './catalog-paging.contract.js'

use(chaiAsPromised)

/** What a test file hands to {@link describeCatalogContract}: a fresh, empty driver per test. */
export type MakeCatalogDriver = () => Promise<{ driver: CatalogDriver; cleanup?: () => Promise<void> }>

/**
 * The catalog contract (src/support/catalog-driver.ts, spec §4.1–4.3), run unchanged against every
 * driver. `makeDriver` must return a driver over an empty catalog; `cleanup` runs after each test.
 * Identifiers are lowercase ASCII so the expected order holds under any PostgreSQL collation.
 */
export function describeCatalogContract(label: string, makeDriver: MakeCatalogDriver): void {
  describe(`catalog contract: ${label}`, () => {
    let driver: CatalogDriver
    let cleanup: (() => Promise<void>) | undefined
    const q = (query: Partial<CatalogQuery> = {}): Promise<CatalogEntry[]> =>
      collect(driver.query({ repository: 'rawjson', dataSource: 'bt', ...query }))

    beforeEach(async () => {
      ;({ driver, cleanup } = await makeDriver())
    })
    afterEach(async () => {
      await cleanup?.()
      await driver.close()
    })

    it('has a name and yields nothing from an empty catalog', async () => {
      expect(driver.name).to.be.a('string').and.not.equal('')
      expect(await q()).to.deep.equal([])
      expect(await q({ repository: 'nowhere', order: 'desc', limit: 5 })).to.deep.equal([])
    })

    it('returns an inserted row with every column, dates in America/Chicago', async () => {
      const input = row({ collectionEnd: at('2019-06-02'), metadata: { header: 'x' } })
      await driver.upsert([input])
      const [found, ...rest] = await q()
      expect(rest).to.have.length(0)
      expect(view(found as CatalogEntry)).to.deep.equal(view(input))
      expect(found?.collectionDate.zoneName).to.equal(CHICAGO)
      expect(found?.processingDate?.zoneName).to.equal(CHICAGO)
      expect(found?.collectionDate.toISO()).to.equal('2019-06-01T00:00:00.000-05:00')
    })

    it('accepts an empty upsert', async () => {
      await driver.upsert([])
      expect(await q()).to.deep.equal([])
    })

    it('replaces every column of the row with the same primary key, including nulls', async () => {
      await driver.upsert([
        row({
          pointer: 'old',
          collectionEnd: at('2019-06-02'),
          metadata: { a: 1 },
          processingDate: at('2019-06-02'),
        }),
      ])
      const replacement = row({ pointer: 'new', collectionEnd: null, metadata: null, processingDate: null })
      await driver.upsert([replacement])
      const found = await q()
      expect(found.map(view)).to.deep.equal([view(replacement)])
    })

    it('keys on (collection_date, repository, data_source, id_base, id_ext)', async () => {
      const rows = [
        row(),
        row({ date: '2019-06-02' }),
        row({ idExt: 'unmatched.json' }),
        row({ idBase: 'other' }),
        row({ repository: 'ready' }),
        row({ dataSource: 'wt' }),
      ]
      await driver.upsert(rows)
      expect(await q()).to.have.length(4)
      expect(await q({ repository: 'ready' })).to.have.length(1)
      expect(await q({ dataSource: 'wt' })).to.have.length(1)
    })

    it('treats the same instant written with another offset as the same key', async () => {
      await driver.upsert([row({ pointer: 'central' })])
      await driver.upsert([row({ date: at('2019-06-01T05:00:00Z'), pointer: 'utc' })])
      const found = await q()
      expect(found.map((e) => [e.pointer, e.collectionDate.toISO()])).to.deep.equal([
        ['utc', '2019-06-01T00:00:00.000-05:00'],
      ])
    })

    it('isolates repositories and data sources', async () => {
      await driver.upsert([
        row({ pointer: 'a' }),
        row({ repository: 'raw', pointer: 'b' }),
        row({ dataSource: 'gs', pointer: 'c' }),
      ])
      expect((await q()).map((e) => e.pointer)).to.deep.equal(['a'])
      expect(
        (await q({ repository: 'raw' })).map((e) => [e.repository, e.dataSource, e.pointer]),
      ).to.deep.equal([['raw', 'bt', 'b']])
      expect(
        (await q({ dataSource: 'gs' })).map((e) => [e.repository, e.dataSource, e.pointer]),
      ).to.deep.equal([['rawjson', 'gs', 'c']])
      expect(await q({ repository: 'raw', dataSource: 'gs' })).to.deep.equal([])
    })

    it('orders by date then id_base, id_ext ascending; desc reverses only the dates', async () => {
      const rows = [
        row({ date: '2019-06-02', idBase: 'b', idExt: 'y.json' }),
        row({ date: '2019-06-01', idBase: 'b', idExt: 'x.json' }),
        row({ date: '2019-06-02', idBase: 'a', idExt: 'z.json' }),
        row({ date: '2019-06-03', idBase: 'a', idExt: 'x.json' }),
        row({ date: '2019-06-02', idBase: 'b', idExt: 'x.json' }),
        row({ date: '2019-06-01', idBase: 'a', idExt: 'y.json' }),
      ]
      await driver.upsert(rows)
      const show = (entries: CatalogEntry[]) =>
        entries.map((e) => `${e.collectionDate.toISODate()} ${e.idBase} ${e.idExt}`)
      expect(show(await q())).to.deep.equal([
        '2019-06-01 a y.json',
        '2019-06-01 b x.json',
        '2019-06-02 a z.json',
        '2019-06-02 b x.json',
        '2019-06-02 b y.json',
        '2019-06-03 a x.json',
      ])
      expect(show(await q({ order: 'desc' }))).to.deep.equal([
        '2019-06-03 a x.json',
        '2019-06-02 a z.json',
        '2019-06-02 b x.json',
        '2019-06-02 b y.json',
        '2019-06-01 a y.json',
        '2019-06-01 b x.json',
      ])
      expect(show(await q({ order: 'asc' }))).to.deep.equal(show([...rows].sort(contractOrder('asc'))))
    })

    describe('filters', () => {
      const ids: Array<[string, string]> = [
        ['austin', 'matched.json'],
        ['austin', 'unmatched.json'],
        ['austin', 'matchedxjson'],
        ['abc', 'a.c'],
        ['a_c', 'x.json'],
        ['ac', 'x.json'],
        ['abbc', 'x.json'],
        ['a%', 'x.json'],
        ['austinite', 'x.json'],
      ]
      const bases = async (query: Partial<CatalogQuery>) =>
        (await q(query)).map((e) => `${e.idBase}/${e.idExt}`)
      beforeEach(async () => {
        await driver.upsert(ids.map(([idBase, idExt]) => row({ idBase, idExt })))
      })

      const cases: Array<[string, Partial<CatalogQuery>, string[]]> = [
        [
          'exact base',
          { base: 'austin' },
          ['austin/matched.json', 'austin/matchedxjson', 'austin/unmatched.json'],
        ],
        [
          'exact ext',
          { ext: 'x.json' },
          ['a%/x.json', 'a_c/x.json', 'abbc/x.json', 'ac/x.json', 'austinite/x.json'],
        ],
        ['exact base and ext', { base: 'austin', ext: 'matched.json' }, ['austin/matched.json']],
        ['exact text with % is literal', { base: 'a%' }, ['a%/x.json']],
        [
          'like with %',
          { base: { like: 'austin%' } },
          ['austin/matched.json', 'austin/matchedxjson', 'austin/unmatched.json', 'austinite/x.json'],
        ],
        [
          'like with % inside',
          { ext: { like: '%matched.json' } },
          ['austin/matched.json', 'austin/unmatched.json'],
        ],
        ['like with _ (exactly one character)', { base: { like: 'a_c' } }, ['a_c/x.json', 'abc/a.c']],
        ['like of a literal dot', { ext: { like: 'matched.json' } }, ['austin/matched.json']],
        ['like with escaped _', { base: { like: 'a\\_c' } }, ['a_c/x.json']],
        ['like is case-sensitive', { base: { like: 'AUSTIN%' } }, []],
        ['like on both', { base: { like: 'a%' }, ext: { like: '_._' } }, ['abc/a.c']],
        ['no match', { base: 'nobody' }, []],
      ]
      for (const [title, query, expected] of cases) {
        it(title, async () => {
          expect((await bases(query)).sort()).to.deep.equal([...expected].sort())
        })
      }
    })

    describe('date window', () => {
      const days = ['2019-06-01', '2019-06-02', '2019-06-03', '2019-06-04']
      const dates = async (query: Partial<CatalogQuery>) =>
        (await q(query)).map((e) => e.collectionDate.toISODate())
      beforeEach(async () => {
        await driver.upsert(days.map((date) => row({ date })))
      })

      const cases: Array<[string, Partial<CatalogQuery>, string[]]> = [
        ['no bounds', {}, days],
        ['early is inclusive', { early: at('2019-06-02') }, days.slice(1)],
        ['late is exclusive', { late: at('2019-06-03') }, days.slice(0, 2)],
        ['early and late', { early: at('2019-06-02'), late: at('2019-06-04') }, ['2019-06-02', '2019-06-03']],
        ['early equal to late is empty', { early: at('2019-06-02'), late: at('2019-06-02') }, []],
        [
          'bounds between midnights',
          { early: at('2019-06-01T00:00:01'), late: at('2019-06-03T23:59:59') },
          ['2019-06-02', '2019-06-03'],
        ],
        ['exact date', { early: at('2019-06-03'), exact: true }, ['2019-06-03']],
        [
          'exact ignores late',
          { early: at('2019-06-03'), late: at('2019-06-02'), exact: true },
          ['2019-06-03'],
        ],
        ['exact matches the instant, not the day', { early: at('2019-06-03T00:00:01'), exact: true }, []],
        ['exact without early has no date filter', { exact: true, late: at('2019-06-02') }, days],
        ['null bounds are no bounds', { early: null, late: null }, days],
        [
          'bounds given in another offset',
          { early: at('2019-06-02T05:00:00Z'), late: at('2019-06-03T05:00:00Z') },
          ['2019-06-02'],
        ],
      ]
      for (const [title, query, expected] of cases) {
        it(title, async () => {
          expect(await dates(query)).to.deep.equal(expected)
          expect(await dates({ ...query, order: 'desc' })).to.deep.equal([...expected].reverse())
        })
      }

      it('limit caps the rows, in either order', async () => {
        expect(await dates({ limit: 2 })).to.deep.equal(days.slice(0, 2))
        expect(await dates({ order: 'desc', limit: 1 })).to.deep.equal(['2019-06-04'])
        expect(await dates({ early: at('2019-06-02'), limit: 1 })).to.deep.equal(['2019-06-02'])
        expect(await dates({ limit: 0 })).to.deep.equal([])
        expect(await dates({ limit: 99 })).to.deep.equal(days)
      })
    })

    it('round-trips dates: milliseconds, DST-day midnights, both passes of the repeated hour', async () => {
      const cases: Array<[string, string]> = [
        ['2019-03-10T00:00:00.000-06:00', '2019-03-10T03:00:00.000-05:00'],
        ['2019-03-11T00:00:00.000-05:00', '2019-03-11T00:00:00.000-05:00'],
        ['2019-11-03T00:00:00.000-05:00', '2019-11-03T01:30:00.000-05:00'],
        ['2019-11-03T01:30:00.000-05:00', '2019-11-03T01:30:00.000-06:00'],
        ['2019-11-03T01:30:00.000-06:00', '2019-11-04T00:00:00.000-06:00'],
        ['2019-06-01T12:34:56.789-05:00', '2019-06-01T12:34:56.001-05:00'],
      ]
      await driver.upsert(
        cases.map(([date, processing], i) =>
          row({ date: at(date), processingDate: at(processing), pointer: `p${i}` }),
        ),
      )
      const found = await q()
      expect(
        found.map((e) => [e.collectionDate.toISO(), e.processingDate?.toISO(), e.collectionDate.zoneName]),
      ).to.deep.equal(
        [...cases].sort((a, b) => at(a[0]).toMillis() - at(b[0]).toMillis()).map(([d, p]) => [d, p, CHICAGO]),
      )
    })

    it('stores collection_end null or set', async () => {
      await driver.upsert([
        row({ idBase: 'a', collectionEnd: null }),
        row({ idBase: 'b', collectionEnd: at('2019-06-01T06:15:00.250') }),
      ])
      const found = await q()
      expect(found.map((e) => e.collectionEnd?.toISO() ?? null)).to.deep.equal([
        null,
        '2019-06-01T06:15:00.250-05:00',
      ])
    })

    it('round-trips metadata as JSON', async () => {
      const values: unknown[] = [
        null,
        {
          device_type: 'BLUETOOTH',
          atd_device_id: 72,
          lat: 30.2715378,
          kits_id: null,
          nested: { list: [1, 'two', false] },
        },
        [1, 2, { a: 'é ✓ 😀' }],
        'just text',
        42.5,
        true,
        {},
      ]
      await driver.upsert(values.map((metadata, i) => row({ idBase: `m${i}`, metadata })))
      expect((await q()).map((e) => e.metadata)).to.deep.equal(values)
    })

    it('rejects an upsert holding the same key twice and writes nothing', async () => {
      await expect(driver.upsert([row({ idBase: 'a' }), row({ pointer: 'one' }), row({ pointer: 'two' })])).to
        .be.rejected
      expect(await q()).to.deep.equal([])
    })

    it('rejects an invalid date', async () => {
      await expect(driver.upsert([row({ date: DateTime.invalid('test') })])).to.be.rejected
    })

    it('stops with the abort reason when the signal aborts', async () => {
      await driver.upsert([row({ idBase: 'a' }), row({ idBase: 'b' }), row({ idBase: 'c' })])
      const controller = new AbortController()
      const seen: string[] = []
      const run = async () => {
        for await (const entry of driver.query(
          { repository: 'rawjson', dataSource: 'bt' },
          { signal: controller.signal },
        )) {
          seen.push(entry.idBase)
          controller.abort()
        }
      }
      await expect(run()).to.be.rejectedWith(/abort/i)
      expect(seen).to.deep.equal(['a'])
    })

    it('closes idempotently', async () => {
      await driver.close()
      await driver.close()
    })

    describeCatalogPagingContract(() => driver, keyOf)
  })
}
