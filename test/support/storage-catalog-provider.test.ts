import { expect } from 'chai'
import { createMemoryCatalog } from '../../src/drivers/catalog/memory.js'
import { createMemoryStorage } from '../../src/drivers/storage/memory.js'
import { Catalog } from '../../src/support/catalog.js'
import { EtlError } from '../../src/support/errors.js'
import { silentLogger } from '../../src/support/logger.js'
import { createStorageCatalogProvider } from '../../src/support/providers/catalog-provider.js'
import { Storage } from '../../src/support/storage.js'
import { parseTimestamp } from '../../src/util/dates.js'

describe('storage-catalog provider', () => {
  it('lists the rows of the storage’s own repository and data source', async () => {
    const logger = silentLogger()
    const driver = createMemoryCatalog()
    const catalog = new Catalog({ driver, dataSource: 'bt', logger })
    const options = { catalog, tempDir: null, simulate: false, outputPath: null, logger, dataSource: 'bt' }
    const raw = new Storage({ ...options, driver: createMemoryStorage(), repository: 'atd-datalake-raw' })
    const other = new Storage({ ...options, driver: createMemoryStorage(), repository: 'atd-datalake-ready' })
    const day = parseTimestamp('2019-06-01')
    await raw.writeBuffer('x', raw.createCatalogEntry('Austin', 'matched.txt', day))
    await other.writeBuffer('x', other.createCatalogEntry('Austin', 'matched.json', day))
    const labels: string[] = []
    for await (const item of createStorageCatalogProvider(raw).list({ start: day, end: null }))
      labels.push(item.label)
    expect(labels).to.deep.equal(['2019/06/01/bt/Austin_bt_2019-06-01_matched.txt'])
    const none = createStorageCatalogProvider(raw, { ext: { like: '%.json' } }).list({
      start: day,
      end: null,
    })
    for await (const item of none) expect.fail(`unexpected ${item.label}`)
  })

  it('refuses a storage without a catalog', () => {
    const storage = { repository: 'r', dataSource: 'bt', catalog: null }
    expect(() => createStorageCatalogProvider(storage)).to.throw(EtlError, /no catalog/)
  })
})
