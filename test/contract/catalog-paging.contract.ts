import { expect } from 'chai'
import type { CatalogDriver, CatalogEntry, CatalogQuery } from '../../src/support/catalog-driver.js'
import { at, collect, contractOrder, manyRows, row } from './catalog-fixtures.js'

function assertStrictOrder(entries: readonly CatalogEntry[], order: 'asc' | 'desc'): void {
  const compare = contractOrder(order)
  for (let i = 1; i < entries.length; i++) {
    const previous = entries[i - 1] as CatalogEntry
    const current = entries[i] as CatalogEntry
    if (compare(previous, current) >= 0) {
      expect.fail(
        `row ${i} out of order: ${previous.idBase}@${previous.collectionDate.toISO()} then ${current.idBase}@${current.collectionDate.toISO()}`,
      )
    }
  }
}

/**
 * The large-volume part of the catalog contract: many pages, batches over 1000 rows, and writes made while a
 * query is being read. Called inside {@link describeCatalogContract}'s suite with its current driver.
 */
export function describeCatalogPagingContract(
  getDriver: () => CatalogDriver,
  keyOf: (entry: CatalogEntry) => string,
): void {
  describe('paging and batches', () => {
    const base = { repository: 'rawjson', dataSource: 'bt' } as const
    const q = (query: Partial<CatalogQuery> = {}) => collect(getDriver().query({ ...base, ...query }))
    const rows = manyRows(2500, 25)

    it('streams 2,500 rows over many pages in order, without duplicates, both orders', async () => {
      await getDriver().upsert(rows)
      for (const order of ['asc', 'desc'] as const) {
        const found = await q({ order })
        expect(found).to.have.length(2500)
        assertStrictOrder(found, order)
        expect(found.map(keyOf)).to.deep.equal([...rows].sort(contractOrder(order)).map(keyOf))
      }
    })

    it('applies limit, window and filters across pages', async () => {
      await getDriver().upsert(rows)
      const expected = (order: 'asc' | 'desc', keep: (e: CatalogEntry) => boolean) =>
        rows.filter(keep).sort(contractOrder(order)).map(keyOf)
      expect((await q({ limit: 1234 })).map(keyOf)).to.deep.equal(expected('asc', () => true).slice(0, 1234))
      expect((await q({ order: 'desc', limit: 777 })).map(keyOf)).to.deep.equal(
        expected('desc', () => true).slice(0, 777),
      )
      const early = at('2020-01-05')
      const late = at('2020-01-20')
      const inWindow = (e: CatalogEntry) => e.collectionDate >= early && e.collectionDate < late
      expect((await q({ early, late })).map(keyOf)).to.deep.equal(expected('asc', inWindow))
      expect((await q({ early, late, order: 'desc' })).map(keyOf)).to.deep.equal(expected('desc', inWindow))
      const sevens = (e: CatalogEntry) => /^b00[0-9]7$/.test(e.idBase)
      expect((await q({ base: { like: 'b00_7' } })).map(keyOf)).to.deep.equal(expected('asc', sevens))
      expect((await q({ base: { like: 'b00_7' }, order: 'desc' })).map(keyOf)).to.deep.equal(
        expected('desc', sevens),
      )
      const exactDay = (await q({ early: at('2020-01-07'), exact: true, order: 'desc' })).map((e) => e.idBase)
      expect(exactDay).to.have.length(100)
      expect(exactDay).to.deep.equal([...exactDay].sort())
    })

    it('upserts more than 1,000 rows in one call, then replaces them all', async () => {
      const batch = manyRows(2345, 7)
      await getDriver().upsert(batch)
      expect(await q()).to.have.length(2345)
      await getDriver().upsert(
        batch.map((e) => ({ ...e, pointer: `new/${e.pointer}`, metadata: { n: e.pointer } })),
      )
      const found = await q()
      expect(found).to.have.length(2345)
      expect(
        found.every(
          (e) => e.pointer.startsWith('new/p') && (e.metadata as { n: string }).n === e.pointer.slice(4),
        ),
      ).to.equal(true)
    })

    for (const order of ['asc', 'desc'] as const) {
      it(`keeps order and never repeats rows when rows are inserted between page reads (${order})`, async () => {
        await getDriver().upsert(rows)
        const found: CatalogEntry[] = []
        let inserted = 0
        for await (const entry of getDriver().query({ ...base, order })) {
          found.push(entry)
          if (found.length > 10_000) expect.fail('the query never ends')
          if (found.length === 150 || found.length === 1100 || found.length === 2222) {
            const day = entry.collectionDate
            inserted++
            await getDriver().upsert([
              row({ date: day, idBase: `a${inserted}`, idExt: 'x.json', pointer: 'tie-before' }),
              row({ date: day, idBase: `c${inserted}`, idExt: 'x.json', pointer: 'tie-after' }),
              row({
                date: day.minus({ days: 30 }),
                idBase: `e${inserted}`,
                idExt: 'x.json',
                pointer: 'earlier',
              }),
              row({
                date: day.plus({ days: 30 }),
                idBase: `l${inserted}`,
                idExt: 'x.json',
                pointer: 'later',
              }),
              { ...entry, pointer: 'replaced' },
            ])
          }
        }
        assertStrictOrder(found, order)
        const keys = found.map(keyOf)
        expect(new Set(keys).size).to.equal(keys.length)
        const seen = new Set(keys)
        expect(rows.filter((e) => !seen.has(keyOf(e)))).to.deep.equal([])
        const behindCursor = ['tie-before', order === 'asc' ? 'earlier' : 'later']
        expect(found.filter((e) => behindCursor.includes(e.pointer))).to.deep.equal([])
      })
    }
  })
}
