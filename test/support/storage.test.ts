import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { expect } from 'chai'
import { createMemoryCatalog } from '../../src/drivers/catalog/memory.js'
import { createMemoryStorage } from '../../src/drivers/storage/memory.js'
import { Catalog } from '../../src/support/catalog.js'
import type { CatalogDriver } from '../../src/support/catalog-driver.js'
import { DriverError, InvalidKeyError, NotFoundError } from '../../src/support/errors.js'
import { Storage } from '../../src/support/storage.js'
import type { StorageDriver } from '../../src/support/storage-driver.js'
import { parseTimestamp } from '../../src/util/dates.js'
import { createLogSink } from '../helpers/log-sink.js'

const DAY = parseTimestamp('2019-06-01 00:00:00-05:00')

async function rows(catalog: CatalogDriver, repository: string) {
  const out = []
  for await (const row of catalog.query({ repository, dataSource: 'bt' })) out.push(row)
  return out
}

async function keys(driver: StorageDriver) {
  const out: string[] = []
  for await (const info of driver.list('')) out.push(info.key)
  return out
}

function setup(
  options: { simulate?: boolean; outputPath?: string | null; ds?: string; repository?: string } = {},
) {
  const driver = createMemoryStorage()
  const catalogDriver = createMemoryCatalog()
  const { logger, lines } = createLogSink()
  const catalog = new Catalog({ driver: catalogDriver, dataSource: options.ds ?? 'bt', logger })
  const storage = new Storage({
    driver,
    repository: options.repository ?? 'atd-datalake-raw',
    dataSource: options.ds ?? 'bt',
    catalog,
    tempDir: null,
    simulate: options.simulate ?? false,
    outputPath: options.outputPath ?? null,
    logger,
  })
  return { driver, catalogDriver, catalog, storage, lines }
}

describe('Storage facade', () => {
  describe('file names and keys (spec §5.1, §5.2)', () => {
    const cases: [string, string, string, string, string][] = [
      ['bt', 'Austin', 'unmatched.txt', '2019-06-01', '2019/06/01/bt/Austin_bt_2019-06-01_unmatched.txt'],
      [
        'bt',
        'Austin',
        'traf_match_summary.json',
        '2019-06-01',
        '2019/06/01/bt/Austin_bt_2019-06-01_traf_match_summary.json',
      ],
      ['bt', 'Austin', 'unit_data.json', '2019-06-02', '2019/06/02/bt/Austin_bt_2019-06-02_unit_data.json'],
      ['wt', 'Austin', 'csv', '2020-09-13', '2020/09/13/wt/Austin_wt_2020-09-13.csv'],
      ['wt', 'Austin', 'json', '2020-09-13', '2020/09/13/wt/Austin_wt_2020-09-13.json'],
      ['gs', 'Burnet_Richcreek', 'zip', '2019-06-01', '2019/06/01/gs/Burnet_Richcreek_gs_2019-06-01.zip'],
      [
        'gs',
        'Burnet_Richcreek',
        'site.json',
        '2019-06-02',
        '2019/06/02/gs/Burnet_Richcreek_gs_2019-06-02_site.json',
      ],
      [
        'gs',
        'Burnet_Richcreek',
        '2c6dff02-cb0c-4da0-adc5-28dd1946df40.json',
        '2019-06-01',
        '2019/06/01/gs/Burnet_Richcreek_gs_2019-06-01_2c6dff02-cb0c-4da0-adc5-28dd1946df40.json',
      ],
      [
        'gs',
        'Loop 360_Barton Creek',
        'agg15.json',
        '2019-06-01',
        '2019/06/01/gs/Loop 360_Barton Creek_gs_2019-06-01_agg15.json',
      ],
    ]
    for (const [ds, base, ext, day, key] of cases) {
      it(`${ds} ${base} ${ext} → ${key}`, () => {
        const { storage } = setup({ ds })
        expect(storage.makePath(base, ext, parseTimestamp(day))).to.equal(key)
      })
    }

    it('uses the date’s own calendar fields (a Central midnight stays in its local day folder)', () => {
      const { storage } = setup()
      const midnight = parseTimestamp('2019-11-03 00:00:00-05:00')
      expect(storage.makePath('Austin', 'matched.txt', midnight)).to.equal(
        '2019/11/03/bt/Austin_bt_2019-11-03_matched.txt',
      )
    })

    it('rejects identifiers that would escape the repository', () => {
      const { storage } = setup({ ds: 'gs' })
      expect(() => storage.makePath('x', 'zip', DAY, '../../etc/passwd')).to.throw(InvalidKeyError)
      expect(() => storage.makePath('a\u0000b', 'zip', DAY)).to.throw(InvalidKeyError)
      expect(() => storage.makePath('a/../../b', 'zip', DAY)).to.throw(InvalidKeyError)
    })
  })

  describe('writes and the simulate / -o matrix (spec §5.1)', () => {
    let out: string
    beforeEach(async () => {
      out = await mkdtemp(join(tmpdir(), 'storage-facade-'))
    })
    afterEach(async () => {
      await rm(out, { recursive: true, force: true })
    })

    const matrix = [
      { simulate: false, local: false, repo: true, catalog: true, copy: false },
      { simulate: true, local: false, repo: false, catalog: false, copy: false },
      { simulate: true, local: true, repo: false, catalog: false, copy: true },
      { simulate: false, local: true, repo: true, catalog: true, copy: true },
    ]
    for (const row of matrix) {
      it(`simulate=${row.simulate} -o=${row.local}: repository ${row.repo}, catalog ${row.catalog}, local copy ${row.copy}`, async () => {
        const { storage, driver, catalogDriver } = setup({
          simulate: row.simulate,
          outputPath: row.local ? out : null,
        })
        const entry = storage.createCatalogEntry('Austin', 'matched.txt', DAY)
        await storage.writeBuffer('a,b\r\n', entry)
        expect(await keys(driver)).to.deep.equal(
          row.repo ? ['2019/06/01/bt/Austin_bt_2019-06-01_matched.txt'] : [],
        )
        expect((await rows(catalogDriver, 'atd-datalake-raw')).length).to.equal(row.catalog ? 1 : 0)
        const files = await readdir(out)
        expect(files).to.deep.equal(row.copy ? ['Austin_bt_2019-06-01_matched.txt'] : [])
        if (row.copy) expect(await readFile(join(out, files[0] as string), 'utf8')).to.equal('a,b\r\n')
      })
    }

    it('rebuilds the entry for its own repository and recomputes the pointer', async () => {
      const { storage, catalogDriver } = setup()
      const foreign = {
        ...storage.createCatalogEntry('Austin', 'matched.txt', DAY),
        repository: 'elsewhere',
        pointer: 'x/y',
      }
      const written = await storage.writeBuffer(Buffer.from('x'), foreign)
      expect(written.repository).to.equal('atd-datalake-raw')
      expect(written.pointer).to.equal('2019/06/01/bt/Austin_bt_2019-06-01_matched.txt')
      const [row] = await rows(catalogDriver, 'atd-datalake-raw')
      expect(row?.pointer).to.equal(written.pointer)
    })

    it('stages rows when asked and writes them on flushCatalog, de-duplicated by key', async () => {
      const { storage, catalogDriver, catalog } = setup()
      const entry = storage.createCatalogEntry('Austin', 'matched.txt', DAY)
      await storage.writeBuffer('1', entry, { stage: true })
      await storage.writeBuffer('2', entry, { stage: true })
      expect(await rows(catalogDriver, 'atd-datalake-raw')).to.have.length(0)
      expect(catalog.stagedCount).to.equal(1)
      expect(await storage.flushCatalog()).to.equal(1)
      expect(await rows(catalogDriver, 'atd-datalake-raw')).to.have.length(1)
      expect(await storage.flushCatalog()).to.equal(0)
    })

    it('writes files from a path, a stream and an async iterable', async () => {
      const { storage } = setup()
      const path = join(out, 'src.txt')
      await writeFile(path, 'from file')
      await storage.writeFile(path, storage.createCatalogEntry('Austin', 'a.txt', DAY))
      await storage.writeBuffer(
        Readable.from(['from ', 'stream']),
        storage.createCatalogEntry('Austin', 'b.txt', DAY),
      )
      async function* gen() {
        yield 'from '
        yield Buffer.from('iterable')
      }
      await storage.writeBuffer(gen(), storage.createCatalogEntry('Austin', 'c.txt', DAY))
      const read = async (ext: string) =>
        (await storage.retrieveBuffer(storage.makePath('Austin', ext, DAY))).toString()
      expect(await read('a.txt')).to.equal('from file')
      expect(await read('b.txt')).to.equal('from stream')
      expect(await read('c.txt')).to.equal('from iterable')
    })

    it('does not write the catalog row when the object write fails (files first, then rows)', async () => {
      const { storage, driver, catalogDriver } = setup()
      driver.put = async () => {
        throw new Error('disk full')
      }
      const entry = storage.createCatalogEntry('Austin', 'matched.txt', DAY)
      const error = await storage.writeBuffer('x', entry).catch((e: unknown) => e)
      expect(error).to.be.instanceOf(DriverError)
      expect((error as DriverError).code).to.equal('E_STORAGE')
      expect((error as Error).message)
        .to.contain('disk full')
        .and.contain('atd-datalake-raw')
      expect(((error as Error).cause as Error).message).to.equal('disk full')
      expect(await rows(catalogDriver, 'atd-datalake-raw')).to.have.length(0)
    })
  })

  describe('reads', () => {
    it('reads JSON with the NaN tokens the original wrote', async () => {
      const { storage, driver } = setup()
      await driver.put('k.json', Buffer.from('{"a": NaN, "b": [1, Infinity], "c": "NaN"}'))
      const doc = (await storage.retrieveJson('k.json')) as { a: number; b: number[]; c: string }
      expect(Number.isNaN(doc.a)).to.equal(true)
      expect(doc.b[1]).to.equal(Number.POSITIVE_INFINITY)
      expect(doc.c).to.equal('NaN')
    })

    it('a missing object is a NotFoundError naming key and repository', async () => {
      const { storage } = setup()
      const error = await storage.openRead('2019/06/01/bt/none.txt').catch((e: unknown) => e)
      expect(error).to.be.instanceOf(NotFoundError)
      expect((error as Error).message)
        .to.contain('2019/06/01/bt/none.txt')
        .and.contain('atd-datalake-raw')
    })

    it('downloads into a directory under the object’s own file name', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'storage-dl-'))
      try {
        const { storage, driver } = setup()
        await driver.put('2019/06/01/bt/f.txt', Buffer.from('body'))
        const path = await storage.retrieveFilePath('2019/06/01/bt/f.txt', dir)
        expect(path).to.equal(join(dir, 'f.txt'))
        expect(await readFile(path, 'utf8')).to.equal('body')
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    })

    it('looks up the catalog row of an identifier', async () => {
      const { storage } = setup()
      await storage.writeBuffer('x', storage.createCatalogEntry('Austin', 'matched.txt', DAY))
      const row = await storage.catalogLookup('Austin', 'matched.txt', DAY)
      expect(row?.pointer).to.equal('2019/06/01/bt/Austin_bt_2019-06-01_matched.txt')
      expect(await storage.catalogLookup('Austin', 'unmatched.txt', DAY)).to.equal(null)
    })
  })
})
