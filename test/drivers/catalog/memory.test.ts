import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import { compareCodePoints, compileLike } from '../../../src/drivers/catalog/like-pattern.js'
import { createMemoryCatalog } from '../../../src/drivers/catalog/memory.js'
import { describeCatalogContract } from '../../contract/catalog.contract.js'
import { collect, row } from '../../contract/catalog-fixtures.js'

use(chaiAsPromised)

describeCatalogContract('memory (pageSize 97)', async () => ({
  driver: createMemoryCatalog({ pageSize: 97 }),
}))
describeCatalogContract('memory (default page size)', async () => ({ driver: createMemoryCatalog() }))

describe('memory catalog specifics', () => {
  const all = { repository: 'rawjson', dataSource: 'bt' } as const

  describe('compileLike (PostgreSQL LIKE rules)', () => {
    const cases: Array<[string, string, boolean]> = [
      ['abc', 'abc', true],
      ['abc', 'ABC', false],
      ['a%', 'a', true],
      ['a%', 'abc', true],
      ['%c', 'abc', true],
      ['%', '', true],
      ['a_c', 'abc', true],
      ['a_c', 'ac', false],
      ['a_c', 'abbc', false],
      ['a_c', 'a😀c', true],
      ['a.c', 'abc', false],
      ['a.c', 'a.c', true],
      ['a\\%', 'a%', true],
      ['a\\%', 'ab', false],
      ['a\\_', 'a_', true],
      ['a\\\\b', 'a\\b', true],
      ['(x)+[y]', '(x)+[y]', true],
      ['a%', 'a\nb', true],
      ['$^', '$^', true],
    ]
    for (const [pattern, value, expected] of cases) {
      it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(value)}`, () => {
        expect(compileLike(pattern).test(value)).to.equal(expected)
      })
    }

    it('rejects a trailing escape character', () => {
      expect(() => compileLike('abc\\')).to.throw(/escape/)
    })
  })

  it('compares strings by code point (PostgreSQL C collation)', () => {
    const words = ['b', 'a', 'B', '😀', '\uFFFD', 'ab', 'é', '']
    expect([...words].sort(compareCodePoints)).to.deep.equal(['', 'B', 'a', 'ab', 'b', 'é', '\uFFFD', '😀'])
  })

  it('orders identifiers by code point', async () => {
    const driver = createMemoryCatalog()
    await driver.upsert(['b', 'B', '😀', '\uFFFD', 'a'].map((idBase) => row({ idBase })))
    const found = await collect(driver.query(all))
    expect(found.map((e) => e.idBase)).to.deep.equal(['B', 'a', 'b', '\uFFFD', '😀'])
  })

  it('pages see rows inserted after the cursor, like keyset paging', async () => {
    const driver = createMemoryCatalog({ pageSize: 2 })
    await driver.upsert([row({ idBase: 'a' }), row({ idBase: 'b' }), row({ idBase: 'c' })])
    const seen: string[] = []
    for await (const entry of driver.query(all)) {
      seen.push(entry.idBase)
      if (seen.length > 100) expect.fail('the query never ends')
      if (seen.length === 1) await driver.upsert([row({ idBase: 'd' }), row({ idBase: '0' })])
    }
    expect(seen).to.deep.equal(['a', 'b', 'c', 'd'])
  })

  it('hands out copies: changing returned metadata does not change the catalog', async () => {
    const driver = createMemoryCatalog()
    const metadata = { list: [1] }
    await driver.upsert([row({ metadata })])
    metadata.list.push(2)
    const [first] = await collect(driver.query(all))
    const returned = first?.metadata as { list: number[] }
    returned.list.push(3)
    const [second] = await collect(driver.query(all))
    expect(second?.metadata).to.deep.equal({ list: [1] })
  })

  it('rejects use after close', async () => {
    const driver = createMemoryCatalog()
    await driver.close()
    await expect(driver.upsert([row()])).to.be.rejectedWith(/closed/)
    await expect(collect(driver.query(all))).to.be.rejectedWith(/closed/)
  })

  it('validates queries and options', async () => {
    const driver = createMemoryCatalog()
    await expect(collect(driver.query({ ...all, limit: -1 }))).to.be.rejectedWith(RangeError)
    await expect(collect(driver.query({ ...all, limit: 1.5 }))).to.be.rejectedWith(RangeError)
    await expect(collect(driver.query({ ...all, base: { like: 3 } as never }))).to.be.rejectedWith(TypeError)
    expect(() => createMemoryCatalog({ pageSize: 0 })).to.throw(RangeError)
  })
})
