import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { createDriverSet, type DriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import type { Settings } from '../../src/config/schema.js'
import {
  createAwamReaders,
  createBtUnitData,
  writeAwamDay,
} from '../../src/drivers/devices/awam-generator.js'
import { BtInsertLakeApp } from '../../src/entries/bt-insert-lake.js'
import { BtJsonStandardApp } from '../../src/entries/bt-json-standard.js'
import type { CatalogEntry } from '../../src/support/catalog-driver.js'
import { addDays, fixedClock, formatPyTs, parseTimestamp } from '../../src/util/dates.js'
import { parsePyJson, stringifyPy } from '../../src/util/py-json.js'
import { createLogSink } from '../helpers/log-sink.js'

const clock = fixedClock('2019-06-04 09:00:00')
const FIRST = parseTimestamp('2019-06-01 00:00:00-05:00')
const EXTS = ['unmatched', 'matched', 'traf_match_summary']

describe('Bluetooth apps end to end on the embedded default', function () {
  this.timeout(120_000)
  let dir: string
  let settings: Settings
  let drivers: DriverSet
  const { logger } = createLogSink('warn')
  const readers = createAwamReaders(6, 7)

  async function catalogRows(repository: string): Promise<CatalogEntry[]> {
    const out: CatalogEntry[] = []
    for await (const row of drivers.catalog().query({ repository, dataSource: 'bt' })) out.push(row)
    return out
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bt-apps-'))
    settings = loadSettings({ env: {}, cwd: dir })
    drivers = createDriverSet(settings, { debug: false })
    await mkdir(settings.devices.awamDir, { recursive: true })
    for (let i = 0; i < 3; i += 1) {
      await writeAwamDay(settings.devices.awamDir, addDays(FIRST, i), {
        readers,
        seed: 3,
        iafRows: 300,
        itmfRows: 60,
      })
    }
    await mkdir(settings.unitData.dir, { recursive: true })
    const unit = createBtUnitData(readers, { collectionDate: FIRST, processingDate: FIRST })
    await writeFile(join(settings.unitData.dir, 'bt_unit_data.json'), stringifyPy(unit))
  })

  after(async () => {
    await drivers.close()
    await rm(dir, { recursive: true, force: true })
  })

  const runtime = () => ({ settings, logger, clock, drivers })

  it('bt-insert-lake copies every share file to its raw key and stages one catalog row each', async () => {
    const result = await new BtInsertLakeApp({ start_date: '3' }, runtime()).run()
    expect(result).to.include({ items: 9, records: 9, exitCode: 0 })
    const rows = await catalogRows('atd-datalake-raw')
    expect(rows.map((r) => [formatPyTs(r.collectionDate), r.idBase, r.idExt, r.pointer])).to.deep.equal(
      [0, 1, 2].flatMap((i) => {
        const day = addDays(FIRST, i)
        const ymd = day.toFormat('yyyy-MM-dd')
        return [...EXTS]
          .sort()
          .map((t) => [
            formatPyTs(day),
            'Austin',
            `${t}.txt`,
            `${day.toFormat('yyyy/MM/dd')}/bt/Austin_bt_${ymd}_${t}.txt`,
          ])
      }),
    )
    expect(rows.every((r) => r.processingDate?.equals(clock.now()))).to.equal(true)
    const lakeFile = join(dir, 'lake', 'atd-datalake-raw', '2019/06/01/bt/Austin_bt_2019-06-01_matched.txt')
    const shareFile = join(settings.devices.awamDir, 'Austin_btmatch_06-01-2019.txt')
    expect(await readFile(lakeFile)).to.deep.equal(await readFile(shareFile))
  })

  it('bt-json-standard writes one JSON per raw file, the unit data once, and perfmet rows', async () => {
    const result = await new BtJsonStandardApp({ start_date: 3 }, runtime()).run()
    expect(result).to.include({ items: 9, records: 9, exitCode: 0 })
    const rows = await catalogRows('atd-datalake-rawjson')
    const exts = rows.map((r) => `${r.collectionDate.toFormat('MM-dd')} ${r.idExt}`)
    expect(exts).to.include.members(['06-01 matched.json', '06-03 unmatched.json', '06-04 unit_data.json'])
    expect(rows).to.have.length(10)
    const unitRow = rows.find((r) => r.idExt === 'unit_data.json')
    expect(unitRow?.pointer).to.equal('2019/06/04/bt/Austin_bt_2019-06-04_unit_data.json')
    expect((unitRow?.metadata as { data_type?: string } | undefined)?.data_type).to.equal('bt_unit_data')

    const text = await readFile(
      join(dir, 'lake', 'atd-datalake-rawjson', '2019/06/01/bt/Austin_bt_2019-06-01_unmatched.json'),
      'utf8',
    )
    expect(text.startsWith('{"header": {"data_type": "bluetooth", "file_type": "unmatched", ')).to.equal(true)
    const doc = parsePyJson(text) as { header: Record<string, string>; data: Record<string, string | null>[] }
    expect(doc.header).to.deep.equal({
      data_type: 'bluetooth',
      file_type: 'unmatched',
      origin_filename: 'Austin_bt_2019-06-01_unmatched.txt',
      target_filename: 'Austin_bt_2019-06-01_unmatched.json',
      collection_date: '2019-06-01 00:00:00-05:00',
      processing_date: '2019-06-04 09:00:00-05:00',
    })
    expect(doc.data).to.have.length(300)
    expect(Object.keys(doc.data[0] ?? {})).to.deep.equal([
      'host_timestamp',
      'ip_address',
      'field_timestamp',
      'reader_id',
      'dev_addr',
    ])
    expect(doc.data[0]?.host_timestamp).to.match(/^2019-06-01 \d\d:\d\d:\d\d-05:00$/)

    const jobs = await drivers.perfmet()?.readJobs(clock.now().startOf('day'), clock.now().endOf('day'))
    expect(jobs?.map((j) => [j.dataSource, j.stage, j.records])).to.deep.equal([
      ['Bluetooth', 'Ingest', 9],
      ['Bluetooth', 'Standardize', 9],
    ])
    const standardize = jobs?.find((j) => j.stage === 'Standardize')
    expect(standardize?.collectionStart?.equals(FIRST)).to.equal(true)
    expect(standardize?.collectionEnd?.equals(addDays(FIRST, 3))).to.equal(true)
  })

  it('a second run of each app processes nothing new', async () => {
    const ingest = await new BtInsertLakeApp({ start_date: 3 }, runtime()).run()
    const standard = await new BtJsonStandardApp({ start_date: 3 }, runtime()).run()
    expect([ingest.items, standard.items]).to.deep.equal([0, 0])
  })

  it('-F reprocesses, replacing rows instead of duplicating them', async () => {
    const before = (await catalogRows('atd-datalake-raw')).length
    const result = await new BtInsertLakeApp({ start_date: 3, force: true }, runtime()).run()
    expect(result.items).to.equal(9)
    expect(await catalogRows('atd-datalake-raw')).to.have.length(before)
  })

  it('same-day files wait for the next day unless an end date is given; -0 -o writes local copies only', async () => {
    const today = clock.now().startOf('day')
    await writeAwamDay(settings.devices.awamDir, today, { readers, seed: 3, iafRows: 50, itmfRows: 10 })
    const plain = await new BtInsertLakeApp({ start_date: 3 }, runtime()).run()
    expect(plain.items).to.equal(0)
    const out = join(dir, 'copies')
    const simulated = await new BtInsertLakeApp(
      { start_date: 0, end_date: '2019-06-05', simulate: true, output_filepath: out },
      runtime(),
    ).run()
    expect(simulated.items).to.equal(3)
    expect((await readdir(out)).sort()).to.deep.equal([
      'Austin_bt_2019-06-04_matched.txt',
      'Austin_bt_2019-06-04_traf_match_summary.txt',
      'Austin_bt_2019-06-04_unmatched.txt',
    ])
    expect(existsSync(join(dir, 'lake', 'atd-datalake-raw', '2019/06/04'))).to.equal(false)
    expect((await catalogRows('atd-datalake-raw')).filter((r) => r.collectionDate >= today)).to.have.length(0)
  })

  it('--debug writes to the -test repositories and the separate debug catalog', async () => {
    const debugDrivers = createDriverSet(settings, { debug: true })
    try {
      const result = await new BtInsertLakeApp(
        { start_date: '2019-06-01', end_date: '2019-06-01', debug: true },
        { ...runtime(), drivers: debugDrivers },
      ).run()
      expect(result.items).to.equal(3)
      expect(existsSync(join(dir, 'lake', 'atd-datalake-raw-test', '2019/06/01/bt'))).to.equal(true)
      const debugRows: CatalogEntry[] = []
      for await (const r of debugDrivers
        .catalog()
        .query({ repository: 'atd-datalake-raw-test', dataSource: 'bt' })) {
        debugRows.push(r)
      }
      expect(debugRows).to.have.length(3)
      expect(await catalogRows('atd-datalake-raw-test')).to.have.length(0)
    } finally {
      await debugDrivers.close()
    }
  })
})
