import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { parse } from 'csv-parse/sync'
import { createDriverSet, type DriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import type { Settings } from '../../src/config/schema.js'
import { GsAggExtractSocApp } from '../../src/entries/gs-agg-extract-soc.js'
import { GsReadyApp } from '../../src/entries/gs-ready.js'
import { GsReadyAggApp } from '../../src/entries/gs-ready-agg.js'
import { Catalog, type CatalogEntry } from '../../src/support/catalog.js'
import { Storage } from '../../src/support/storage.js'
import { fixedClock, formatPyTs, parseTimestamp } from '../../src/util/dates.js'
import { md5Hex } from '../../src/util/hash.js'
import { parsePyJson } from '../../src/util/py-json.js'
import { createLogSink } from '../helpers/log-sink.js'

import {
  BASE,
  DEVICES,
  dashed,
  EB,
  GUID_FILES,
  guidDoc,
  LOST,
  NB,
  SITE,
  siteFile,
  UN,
  v8,
} from './gs/pipeline-fixtures.js'

const clock = fixedClock('2019-06-03 09:00:00')

describe('GRIDSMART pipeline end to end (gs-ready → gs-ready-agg → gs-agg-extract-soc, spec §9.11–§9.13)', function () {
  this.timeout(120_000)
  const { logger, lines } = createLogSink('info')
  let dir: string
  let settings: Settings
  let drivers: DriverSet

  const runtime = () => ({ settings, drivers, clock, logger })
  const readDoc = async (key: string) =>
    parsePyJson(await readFile(join(settings.lakeDir, 'atd-datalake-ready', key), 'utf8')) as Record<
      string,
      unknown
    >
  async function catalogRows(repository: string): Promise<CatalogEntry[]> {
    const out: CatalogEntry[] = []
    for await (const row of drivers.catalog().query({ repository, dataSource: 'gs' })) out.push(row)
    return out
  }
  const published = async () =>
    parse(await readFile(join(settings.publisher.dir, 'sh59-i6y9.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[]

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gs-pipeline-'))
    settings = loadSettings({ env: {}, cwd: dir })
    drivers = createDriverSet(settings, { debug: false })
    const catalog = new Catalog({ driver: drivers.catalog(), dataSource: 'gs', logger })
    const rawjson = new Storage({
      driver: drivers.storage('atd-datalake-rawjson'),
      repository: 'atd-datalake-rawjson',
      dataSource: 'gs',
      catalog,
      tempDir: null,
      simulate: false,
      outputPath: null,
      logger,
    })
    const runDay = parseTimestamp('2019-06-02')
    const put = (base: string, ext: string, date: string, doc: unknown) =>
      rawjson.writeJson(
        doc,
        rawjson.createCatalogEntry(base, ext, parseTimestamp(date), { processingDate: runDay }),
      )
    for (const day of ['2019-06-02', '2019-06-03']) {
      await put('Austin', 'unit_data.json', day, {
        header: {
          data_type: 'gs_unit_data',
          target_filename: `Austin_gs_${day}_unit_data.json`,
          collection_date: `${day} 00:00:00-05:00`,
          processing_date: `${day} 03:00:00-05:00`,
        },
        devices: DEVICES,
      })
    }
    await put(BASE, 'site.json', '2019-06-02', siteFile(SITE, '172.16.42.27', BASE))
    const lostSite = {
      ...SITE,
      Location: { Street1: 'Oak Hill', Street2: 'Dr', Latitude: 30.2, Longitude: -97.9 },
    }
    await put(LOST, 'site.json', '2019-06-02', siteFile(lostSite, '10.9.9.9', LOST))
    for (const [base, id, day, covered, data] of GUID_FILES) {
      await put(base, `${dashed(id)}.json`, day, guidDoc(base, id, day, covered, data))
    }
  })

  after(async () => {
    await drivers?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('gs-ready rebuilds the local day from the adjacent files and matches the device; a missing next day blocks', async () => {
    const result = await new GsReadyApp({ start_date: '2019-06-01' }, runtime()).run()
    expect(result).to.include({ items: 3, records: 2, exitCode: 0 })
    expect((await catalogRows('atd-datalake-ready')).map((r) => r.pointer)).to.deep.equal([
      '2019/06/01/gs/Burnet_Richcreek_gs_2019-06-01_counts.json',
      '2019/06/01/gs/Oak Hill_Dr_gs_2019-06-01_counts.json',
    ])
    const doc = await readDoc('2019/06/01/gs/Burnet_Richcreek_gs_2019-06-01_counts.json')
    expect(doc.header).to.deep.equal({
      data_type: 'gridsmart',
      zip_name: 'Burnet_Richcreek_gs_2019-06-01.zip',
      collection_date: '2019-06-01 00:00:00-05:00',
      version: 8,
      processing_date: '2019-06-03 09:00:00-05:00',
    })
    const counts = doc.counts as Record<string, unknown>[]
    expect(counts.map((r) => [r.timestamp_adj, r.zone])).to.deep.equal([
      ['2019-06-01 00:00:13-05:00', EB],
      ['2019-06-01 00:00:53-05:00', EB],
      ...[1, 3, 5, 7, 9].map((m) => [`2019-06-01 00:0${m}:00-05:00`, NB]),
      ['2019-06-01 08:01:00-05:00', UN],
      ['2019-06-01 23:59:30.500000-05:00', EB],
    ])
    expect(counts[0]).to.deep.equal({
      ...v8(15820.0, 'S', 14, 26, 0.4, '2019-06-01 00:00:13-05:00'),
      zone: EB,
    })
    expect(Number.isNaN(counts[6]?.vehicle_length)).to.equal(true)
    expect(doc.device).to.deep.equal({ ...DEVICES[0], reversed: false })
    expect(doc.site).to.deep.equal(SITE)
    const lost = await readDoc('2019/06/01/gs/Oak Hill_Dr_gs_2019-06-01_counts.json')
    expect(lost.device).to.deep.equal([])
    expect(lines.some((l) => String(l.msg).includes('The next day is needed but missing'))).to.equal(true)
  })

  it('gs-ready -n writes the blocked day; a second run finds nothing', async () => {
    const result = await new GsReadyApp({ start_date: '2019-06-01', ignore_next: true }, runtime()).run()
    expect(result).to.include({ items: 1, records: 1 })
    const doc = await readDoc('2019/06/02/gs/Burnet_Richcreek_gs_2019-06-02_counts.json')
    expect((doc.counts as Record<string, unknown>[]).map((r) => r.timestamp_adj)).to.deep.equal([
      '2019-06-02 00:30:00-05:00',
    ])
    expect(await new GsReadyApp({ start_date: '2019-06-01' }, runtime()).run()).to.include({ items: 0 })
  })

  it('gs-ready-agg writes agg15 with the §11.5 row, and agg5 with -a 5', async () => {
    const r15 = await new GsReadyAggApp({ start_date: '2019-06-01' }, runtime()).run()
    expect(r15).to.include({ items: 3, records: 3, exitCode: 0 })
    const text = await readFile(
      join(settings.lakeDir, 'atd-datalake-ready', '2019/06/01/gs/Burnet_Richcreek_gs_2019-06-01_agg15.json'),
      'utf8',
    )
    expect(text).to.include(
      '{"timestamp": "2019-06-01 00:00:00-05:00", "zone_approach": "Northbound", "turn": "L", "heavy_vehicle": 1, ' +
        '"volume": 5, "speed_avg": 0.0, "speed_std": 0.0, "seconds_in_zone_avg": 1.3, "seconds_in_zone_std": 1.084}',
    )
    const agg = parsePyJson(text) as { header: Record<string, unknown>; data: Record<string, unknown>[] }
    expect(agg.header).to.deep.include({
      processing_date: '2019-06-03 09:00:00-05:00',
      agg_interval_sec: 900,
    })
    expect(
      agg.data.map((r) => [r.timestamp, r.zone_approach, r.turn, r.heavy_vehicle, r.volume]),
    ).to.deep.equal([
      ['2019-06-01 00:00:00-05:00', 'Eastbound', 'S', 0, 1],
      ['2019-06-01 00:00:00-05:00', 'Eastbound', 'S', 1, 1],
      ['2019-06-01 00:00:00-05:00', 'Northbound', 'L', 1, 5],
      ['2019-06-01 08:00:00-05:00', 'Unassigned', 'R', 0, 1],
      ['2019-06-01 23:45:00-05:00', 'Eastbound', 'S', 0, 1],
    ])
    const r5 = await new GsReadyAggApp({ start_date: '2019-06-01', agg: 5 }, runtime()).run()
    expect(r5).to.include({ items: 3, records: 3 })
    const agg5 = await readDoc('2019/06/01/gs/Burnet_Richcreek_gs_2019-06-01_agg5.json')
    expect((agg5.header as Record<string, unknown>).agg_interval_sec).to.equal(300)
    expect(
      (agg5.data as Record<string, unknown>[]).filter((r) => r.zone_approach === 'Northbound'),
    ).to.have.length(2)
    expect(await new GsReadyAggApp({ start_date: '2019-06-01' }, runtime()).run()).to.include({ items: 0 })
  })

  it('gs-agg-extract-soc publishes with record_id, skips documents without a device, honours -a and -u', async () => {
    const r15 = await new GsAggExtractSocApp({ start_date: '2019-06-01' }, runtime()).run()
    expect(r15).to.include({ items: 3, records: 2, exitCode: 0 })
    const rows = await published()
    expect(rows).to.have.length(6)
    expect(rows.find((r) => r.record_id === '917670d982798f49b6a6de48ff959156')).to.deep.equal({
      atd_device_id: '6548',
      read_date: '2019-06-01T00:00:00',
      intersection_name: 'BURNET RD / RICHCREEK RD',
      direction: 'EASTBOUND',
      movement: 'THRU',
      heavy_vehicle: 'True',
      volume: '1',
      speed_average: '20',
      speed_stddev: '0',
      seconds_in_zone_average: '2',
      seconds_in_zone_stddev: '0',
      month: '6',
      day: '1',
      year: '2019',
      hour: '0',
      minute: '0',
      day_of_week: '6',
      bin_duration: '900',
      record_id: '917670d982798f49b6a6de48ff959156',
    })
    expect(rows.find((r) => r.direction === 'UNASSIGNED')?.movement).to.equal('RIGHT TURN')
    expect(rows.find((r) => r.read_date === '2019-06-02T00:30:00')?.record_id).to.equal(
      md5Hex('BURNET RD / RICHCREEK RD2019-06-02T00:30:00FalseNORTHBOUNDLEFT TURN'),
    )
    expect(
      lines.some((l) => String(l.msg).includes('Oak Hill_Dr_gs_2019-06-01_agg15.json has no device')),
    ).to.equal(true)
    const socrata = await catalogRows('socrata')
    expect(socrata.map((r) => [formatPyTs(r.collectionDate), r.idBase, r.idExt, r.pointer])).to.deep.equal([
      ['2019-06-01 00:00:00-05:00', BASE, 'agg15.json', 'sh59-i6y9'],
      ['2019-06-02 00:00:00-05:00', BASE, 'agg15.json', 'sh59-i6y9'],
    ])

    const r5 = await new GsAggExtractSocApp(
      { start_date: '2019-06-01', agg: 5, no_unassigned: true },
      runtime(),
    ).run()
    expect(r5).to.include({ items: 3, records: 2 })
    const five = (await published()).filter((r) => r.bin_duration === '300')
    expect(five.length).to.be.greaterThan(0)
    expect(five.some((r) => r.direction === 'UNASSIGNED')).to.equal(false)
    expect(await new GsAggExtractSocApp({ start_date: '2019-06-01' }, runtime()).run()).to.include({
      items: 1,
    })
  })
})
