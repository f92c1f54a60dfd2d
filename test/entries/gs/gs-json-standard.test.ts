import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { createDriverSet, type DriverSet } from '../../../src/config/factories.js'
import { loadSettings } from '../../../src/config/load.js'
import { repositoryFor } from '../../../src/config/repositories.js'
import type { Settings } from '../../../src/config/schema.js'
import { GsJsonStandardApp } from '../../../src/entries/gs-json-standard.js'
import { Catalog } from '../../../src/support/catalog.js'
import type { CatalogEntry } from '../../../src/support/catalog-driver.js'
import type { PerfmetDriver, PerfmetObservation } from '../../../src/support/perfmet-driver.js'
import { Storage } from '../../../src/support/storage.js'
import { fixedClock, formatPyTs, parseTimestamp } from '../../../src/util/dates.js'
import { parsePyJson, stringifyPy } from '../../../src/util/py-json.js'
import { createLogSink } from '../../helpers/log-sink.js'
import { makeZip, siteDocument, WORKED_DATETIME } from './gs-fixtures.js'

const MAC = '00-30-53-26-e6-e1'
const G1 = '2c6dff02-cb0c-4da0-adc5-28dd1946df40'
const G2 = 'ae256bab-37dc-499e-8882-9cfd5a0fde6b'
const G3 = '0d9a1c55-7f3e-4b8a-9c21-5e6f7a8b9c0d'
const BURNET = 'Burnet_Richcreek'
const LOOP = 'Loop 360_Barton Creek'
const row = (ts: string, offset: number, length = 14) =>
  `8,23,${ts},${offset},S,${length},26,G,0.4,0,466.02,0.0,35,32`

function fakePerfmet(observations: PerfmetObservation[]): PerfmetDriver {
  return {
    name: 'test',
    writeJob: async () => {},
    writeObservations: async (obs) => {
      observations.push(...obs)
    },
    readJobs: async () => [],
    readObservations: async () => [],
    latestJobDate: async () => null,
    close: async () => {},
  }
}

describe('gs-json-standard end to end (local lake, both ZIP layouts, site files, unit data)', function () {
  this.timeout(60_000)
  let dir: string
  let settings: Settings
  let drivers: DriverSet
  const observations: PerfmetObservation[] = []
  const { logger, lines } = createLogSink('warn')
  const clock = fixedClock('2019-06-04 03:00:00')
  const rawRepo = () => repositoryFor(settings.repositories, 'raw', false)
  const stdRepo = () => repositoryFor(settings.repositories, 'standardized', false)
  const runtime = () => ({
    settings,
    drivers: { ...drivers, perfmet: () => fakePerfmet(observations) },
    clock,
    logger,
  })
  const args = { start_date: '2019-06-01', end_date: '2019-06-03' }

  async function catalogRows(repository: string): Promise<CatalogEntry[]> {
    const out: CatalogEntry[] = []
    for await (const r of drivers.catalog().query({ repository, dataSource: 'gs' })) out.push(r)
    return out
  }
  const lakeText = (repository: string, key: string) =>
    readFile(join(settings.lakeDir, repository, key), 'utf8')

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gs-standard-'))
    settings = loadSettings({ cwd: dir, env: { CATALOG_ETL_CATALOG: 'memory', CATALOG_ETL_PERFMET: 'none' } })
    drivers = createDriverSet(settings, { debug: false })
    const catalog = new Catalog({ driver: drivers.catalog(), dataSource: 'gs', logger })
    const raw = new Storage({
      driver: drivers.storage(rawRepo()),
      repository: rawRepo(),
      dataSource: 'gs',
      catalog,
      tempDir: null,
      simulate: false,
      outputPath: null,
      logger,
    })
    const put = async (base: string, ext: string, day: string, body: string | Buffer) => {
      const date = parseTimestamp(day)
      const entry = raw.createCatalogEntry(base, ext, date, {
        processingDate: parseTimestamp(`${day} 03:00:00`),
      })
      await raw.writeBuffer(body, entry, { stage: true })
    }
    // Day 1, layout A: the worked-example rows (§9.10/§11.5), a second zone and an empty (quarantined) CSV.
    const zone1 = [row('18.6', -240), row('15820.0', -240), row('105452.4', -300, 11), row('999999.0', -300)]
    await put(
      BURNET,
      'zip',
      '2019-06-01',
      await makeZip([
        [`${MAC}/2019-06-01/${G1}.csv`, `${zone1.join('\r\n')}\r\n`],
        [`${MAC}/2019-06-01/${G2}.csv`, `${row('120000.0', -240)}\n`],
        [`${MAC}/2019-06-01/${G3}.csv`, ''],
      ]),
    )
    // Day 2, layout B (a nested ZIP).
    const inner = await makeZip([[`${G1}.csv`, `${row('10.0', -240)}\n`]])
    await put(BURNET, 'zip', '2019-06-02', await makeZip([[`${MAC}/2019-06-02.zip`, inner]]))
    // Another intersection whose ZIP is corrupt: its failure must not stop the others.
    await put(LOOP, 'zip', '2019-06-01', Buffer.from('PK\u0003\u0004 truncated download'))
    // Site files (dated the ingest run day) and unit data snapshots, as gs-insert-lake stores them.
    await put(
      BURNET,
      'site.json',
      '2019-06-02',
      stringifyPy(siteDocument(BURNET, '2019-06-02', WORKED_DATETIME)),
    )
    const synced = {
      DateTime: '6/3/2019 1:30:00 AM',
      TimeZoneId: '(UTC-05:00) Central',
      HostTimeUTC: '06/03/2019 06:30:00 AM',
    }
    await put(BURNET, 'site.json', '2019-06-03', stringifyPy(siteDocument(BURNET, '2019-06-03', synced)))
    await put(LOOP, 'site.json', '2019-06-02', stringifyPy(siteDocument(LOOP, '2019-06-02', synced)))
    for (const day of ['2019-06-02', '2019-06-03']) {
      const doc = {
        header: { data_type: 'gs_unit_data', collection_date: `${day} 00:00:00-05:00` },
        devices: [{ device_type: 'GRIDSMART', atd_device_id: 6548 }],
      }
      await put('Austin', 'unit_data.json', day, stringifyPy(doc))
    }
    await catalog.commitUpsert()
  })

  after(async () => {
    await drivers?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('writes one document per zone, copies site file and unit data, records observations', async () => {
    const result = await new GsJsonStandardApp(args, runtime()).run()
    expect(result.items).to.equal(3)
    expect(result.records).to.equal(2)
    expect(result.failures.map((f) => f.label)).to.deep.equal([
      '2019/06/01/gs/Loop 360_Barton Creek_gs_2019-06-01.zip',
    ])
    expect(result.failures[0]?.error.message).to.match(
      /^Loop 360_Barton Creek_gs_2019-06-01\.zip: not a readable ZIP archive/,
    )
    const key = `2019/06/01/gs/${BURNET}_gs_2019-06-01_${G1}.json`
    const doc = parsePyJson(await lakeText(stdRepo(), key)) as {
      header: unknown
      data: Record<string, unknown>[]
    }
    expect(doc.header).to.deep.equal({
      data_type: 'gridsmart',
      zip_name: `${BURNET}_gs_2019-06-01.zip`,
      origin_filename: `${G1}.csv`,
      target_filename: `${BURNET}_${G1}_2019-06-01.json`,
      collection_date: '2019-06-01 00:00:00-05:00',
      processing_date: '2019-06-04 03:00:00-05:00',
      version: 8,
      guid: G1,
      day_covered: -1,
    })
    expect(doc.data.map((r) => r.timestamp_adj)).to.deep.equal([
      '2019-05-31 22:02:11.600000-05:00',
      '2019-06-01 00:00:13-05:00',
      '2019-06-01 09:56:45.400000-05:00',
    ])
    const text = await lakeText(stdRepo(), key)
    expect(text).to.contain('"timestamp": 15820.0, "utc_offset": -240, "turn": "S", "vehicle_length": 14')

    const day2 = parsePyJson(
      await lakeText(stdRepo(), `2019/06/02/gs/${BURNET}_gs_2019-06-02_${G1}.json`),
    ) as typeof doc
    // The 2019-06-02 site file (on or before the day) is used, not the synced 06-03 one: still 58:07 fast.
    expect(day2.data.map((r) => r.timestamp_adj)).to.deep.equal(['2019-06-01 22:02:03-05:00'])

    const std = (await catalogRows(stdRepo())).map((r) => [
      formatPyTs(r.collectionDate),
      r.idBase,
      r.idExt,
      r.pointer,
    ])
    expect(std).to.deep.equal([
      ['2019-06-01 00:00:00-05:00', BURNET, `${G1}.json`, key],
      ['2019-06-01 00:00:00-05:00', BURNET, `${G2}.json`, `2019/06/01/gs/${BURNET}_gs_2019-06-01_${G2}.json`],
      [
        '2019-06-02 00:00:00-05:00',
        'Austin',
        'unit_data.json',
        '2019/06/02/gs/Austin_gs_2019-06-02_unit_data.json',
      ],
      ['2019-06-02 00:00:00-05:00', BURNET, `${G1}.json`, `2019/06/02/gs/${BURNET}_gs_2019-06-02_${G1}.json`],
      ['2019-06-02 00:00:00-05:00', BURNET, 'site.json', `2019/06/02/gs/${BURNET}_gs_2019-06-02_site.json`],
      [
        '2019-06-03 00:00:00-05:00',
        'Austin',
        'unit_data.json',
        '2019/06/03/gs/Austin_gs_2019-06-03_unit_data.json',
      ],
    ])
    for (const copied of [
      `2019/06/02/gs/${BURNET}_gs_2019-06-02_site.json`,
      '2019/06/03/gs/Austin_gs_2019-06-03_unit_data.json',
    ]) {
      expect(await lakeText(stdRepo(), copied)).to.equal(await lakeText(rawRepo(), copied))
    }

    const warned = lines.map((l) => String(l.msg))
    expect(
      warned.some((m) =>
        m.includes(`zone ${G3} (camera ${MAC}): quarantined, not written: empty count file`),
      ),
    ).to.equal(true)
    expect(
      warned.some((m) =>
        m.includes(`zone ${G1} (camera ${MAC}): rows left out: invalid time of day "999999.0" (1×)`),
      ),
    ).to.equal(true)

    expect(
      observations.map((o) => [
        o.sensorName,
        o.dataType,
        o.data,
        formatPyTs(o.collectionDate),
        o.timestampMin && formatPyTs(o.timestampMin),
        o.timestampMax && formatPyTs(o.timestampMax),
      ]),
    ).to.deep.equal([
      [
        BURNET,
        'Vehicle Counts',
        4,
        '2019-06-01 00:00:00-05:00',
        '2019-05-31 23:00:18.600000-05:00',
        '2019-06-01 11:00:00-05:00',
      ],
      [
        BURNET,
        'Vehicle Counts',
        1,
        '2019-06-02 00:00:00-05:00',
        '2019-06-01 23:00:10-05:00',
        '2019-06-01 23:00:10-05:00',
      ],
    ])
  })

  it('a second run processes nothing new (only the corrupt ZIP is retried)', async () => {
    const before = (await catalogRows(stdRepo())).length
    const again = await new GsJsonStandardApp(args, runtime()).run()
    expect(again.items).to.equal(1)
    expect(again.records).to.equal(0)
    expect(again.failures.map((f) => f.label)).to.deep.equal([
      '2019/06/01/gs/Loop 360_Barton Creek_gs_2019-06-01.zip',
    ])
    expect((await catalogRows(stdRepo())).length).to.equal(before)
  })
})
