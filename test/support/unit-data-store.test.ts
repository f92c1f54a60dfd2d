import { expect } from 'chai'
import { createMemoryCatalog } from '../../src/drivers/catalog/memory.js'
import { createMemoryStorage } from '../../src/drivers/storage/memory.js'
import { Catalog } from '../../src/support/catalog.js'
import type { CatalogDriver } from '../../src/support/catalog-driver.js'
import { Storage } from '../../src/support/storage.js'
import type { StorageDriver } from '../../src/support/storage-driver.js'
import { makeUnitDataDocument, UnitDataStore } from '../../src/support/unit-data.js'
import { fixedClock, parseTimestamp } from '../../src/util/dates.js'
import { createLogSink } from '../helpers/log-sink.js'

describe('UnitDataStore', () => {
  function setup() {
    const calls = { queries: 0, gets: 0 }
    const memoryCatalog = createMemoryCatalog()
    const catalogDriver: CatalogDriver = {
      ...memoryCatalog,
      query(query, options) {
        calls.queries += 1
        return memoryCatalog.query(query, options)
      },
    }
    const memoryStorage = createMemoryStorage()
    const driver: StorageDriver = {
      ...memoryStorage,
      get(key) {
        calls.gets += 1
        return memoryStorage.get(key)
      },
    }
    const { logger } = createLogSink('silent')
    const catalog = new Catalog({ driver: catalogDriver, dataSource: 'bt', logger })
    const storage = new Storage({
      driver,
      repository: 'atd-datalake-rawjson',
      dataSource: 'bt',
      catalog,
      tempDir: null,
      simulate: false,
      outputPath: null,
      logger,
    })
    return { calls, store: new UnitDataStore(storage, 'Austin') }
  }
  const snapshot = (when: string) =>
    makeUnitDataDocument([], { dataSource: 'bt', areaBase: 'Austin', clock: fixedClock(when) })

  it('returns the nearest snapshot after the data day, asking the catalog once per date and downloading each snapshot once', async () => {
    const { calls, store } = setup()
    await store.store(snapshot('2019-06-02 03:00:00'))
    await store.store(snapshot('2019-06-04 03:00:00'))
    calls.queries = 0
    const day = (d: string) => parseTimestamp(d)
    const first = await Promise.all([store.retrieve(day('2019-06-01')), store.retrieve(day('2019-06-01'))])
    expect(first.map((d) => d?.header.collection_date)).to.deep.equal([
      '2019-06-02 00:00:00-05:00',
      '2019-06-02 00:00:00-05:00',
    ])
    expect((await store.retrieve(day('2019-06-03')))?.header.collection_date).to.equal(
      '2019-06-04 00:00:00-05:00',
    )
    expect((await store.retrieve(day('2019-06-02')))?.header.collection_date).to.equal(
      '2019-06-04 00:00:00-05:00',
    )
    expect(await store.retrieve(day('2019-06-05'))).to.equal(null)
    expect((await store.retrieve())?.header.collection_date).to.equal('2019-06-04 00:00:00-05:00')
    expect(await store.retrieve(day('2019-06-01'))).to.equal(first[0])
    expect(calls.queries).to.equal(5)
    expect(calls.gets).to.equal(2)
  })
})
