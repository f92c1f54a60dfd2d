import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { parse } from 'csv-parse/sync'
import { createDriverSet, type DriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import type { Settings } from '../../src/config/schema.js'
import {
  createKitsIntersections,
  createKitsTables,
  createWtUnitData,
  type KitsHistoryRow,
  type KitsIntersection,
  writeKitsDay,
} from '../../src/drivers/devices/kits/generator.js'
import { createKitsSource } from '../../src/drivers/devices/kits/kits-source.js'
import { createPgKitsClient } from '../../src/drivers/devices/kits/pg-adapter.js'
import type { KitsSource, KitsTables } from '../../src/drivers/devices/kits/types.js'
import type { SqlClient } from '../../src/drivers/sql/sql-client.js'
import { pyStrOf } from '../../src/entries/wt/device-frame.js'
import { WtExtractSocApp } from '../../src/entries/wt-extract-soc.js'
import { WtInsertLakeApp } from '../../src/entries/wt-insert-lake.js'
import { WtJsonStandardApp } from '../../src/entries/wt-json-standard.js'
import { WtReadyApp } from '../../src/entries/wt-ready.js'
import type { CatalogEntry } from '../../src/support/catalog-driver.js'
import { addDays, fixedClock, formatPyTs, parseTimestamp } from '../../src/util/dates.js'
import { md5Hex } from '../../src/util/hash.js'
import { parsePyJson, pyFloat, stringifyPy } from '../../src/util/py-json.js'
import { createLogSink } from '../helpers/log-sink.js'
import { getTestServices } from '../services/index.js'

const clock = fixedClock('2019-11-05 09:00:00')
const FIRST = parseTimestamp('2019-11-02')
const DAYS = ['2019-11-02', '2019-11-03', '2019-11-04']
const RAW_HEADER =
  'detID,intID,curDateTime,intName,detName,volume,occupancy,speed,status,uploadSuccess,detCountComparison,' +
  'dailyCumulative'
type Doc = {
  header: Record<string, unknown>
  data: Record<string, unknown>[]
  devices?: Record<string, unknown>[]
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

describe('Wavetronix pipeline end to end (KITS on PostgreSQL → local lake → CSV publishing)', function () {
  this.timeout(180_000)
  const schema = `t_wt_${process.pid}`
  const tables: KitsTables = { history: `${schema}.sysdethistoryrm`, detectors: `${schema}.detectorsrm` }
  const intersections: KitsIntersection[] = createKitsIntersections(3, 21)
  const written = new Map<string, KitsHistoryRow[]>()
  const { logger, lines } = createLogSink('warn')
  let dir: string
  let settings: Settings
  let drivers: DriverSet
  let admin: SqlClient
  let kits: KitsSource

  const runtime = () => ({ settings, drivers, clock, logger })
  const lake = (repository: string, key: string) => join(settings.lakeDir, repository, key)
  async function catalogRows(repository: string): Promise<CatalogEntry[]> {
    const out: CatalogEntry[] = []
    for await (const row of drivers.catalog().query({ repository, dataSource: 'wt' })) out.push(row)
    return out
  }
  const readDoc = async (repository: string, key: string) =>
    parsePyJson(await readFile(lake(repository, key), 'utf8')) as Doc

  /** The raw CSV line the original wrote for a generated row. */
  function rawLine(row: KitsHistoryRow): { key: string; line: string } {
    const n = intersections.find((i) => i.detectors.some((d) => d.detId === row.detId)) as KitsIntersection
    const detName = n.detectors.find((d) => d.detId === row.detId)?.detName as string
    const cells = [
      row.detId,
      n.intId,
      row.wall,
      n.intName,
      detName,
      row.volume,
      row.occupancy,
      row.speed ?? '',
    ]
    cells.push(row.status, row.uploadSuccess, row.detCountComparison, row.dailyCumulative)
    return { key: `${row.wall}|${n.intName}|${detName}`, line: cells.join(',') }
  }

  /** The generated values after `detName` of detector 2 at 2019-11-02 00:00, as raw CSV text. */
  function lamarValues(): string {
    const row = written.get('2019-11-02')?.find((r) => r.detId === 2 && r.wall === '2019-11-02 00:00:00')
    return rawLine(row as KitsHistoryRow)
      .line.split(',')
      .slice(5)
      .join(',')
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wt-pipeline-'))
    settings = loadSettings({ env: {}, cwd: dir })
    drivers = createDriverSet(settings, { debug: false })
    const services = await getTestServices()
    admin = await services.pg.client()
    await createKitsTables(admin, tables)
    for (const date of [...DAYS, '2019-11-05']) {
      const anomalies = date === '2019-11-04'
      written.set(
        date,
        await writeKitsDay(admin, parseTimestamp(date), { intersections, seed: 9, tables, anomalies }),
      )
    }
    await mkdir(settings.unitData.dir, { recursive: true })
    const unit = createWtUnitData(intersections, { collectionDate: FIRST, processingDate: FIRST })
    await writeFile(join(settings.unitData.dir, 'wt_unit_data.json'), stringifyPy(unit))
    kits = createKitsSource({ client: createPgKitsClient({ url: services.pg.url }), tables })
  })

  after(async () => {
    await kits?.close()
    await drivers?.close()
    await admin?.query(`drop schema if exists ${schema} cascade`)
    await admin?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('wt-insert-lake writes one CSV per KITS day (today waits), exactly as the original', async () => {
    const result = await new WtInsertLakeApp({ start_date: 3 }, runtime(), { kits }).run()
    expect(result).to.include({ items: 3, records: 3, exitCode: 0 })
    const rows = await catalogRows('atd-datalake-raw')
    expect(rows.map((r) => [formatPyTs(r.collectionDate), r.idBase, r.idExt, r.pointer])).to.deep.equal(
      DAYS.map((d, i) => [
        formatPyTs(addDays(FIRST, i)),
        'Austin',
        'csv',
        `${d.replaceAll('-', '/')}/wt/Austin_wt_${d}.csv`,
      ]),
    )
    expect(rows.every((r) => r.processingDate?.equals(clock.now()))).to.equal(true)
    const expected = (date: string) =>
      (written.get(date) ?? []).map(rawLine).sort((a, b) => byText(a.key, b.key) || byText(a.line, b.line))
    const text = await readFile(lake('atd-datalake-raw', '2019/11/02/wt/Austin_wt_2019-11-02.csv'), 'utf8')
    expect(text).to.equal(`${[RAW_HEADER, ...expected('2019-11-02').map((e) => e.line)].join('\r\n')}\r\n`)
    expect(text.split('\r\n')).to.include(`2,1,2019-11-02 00:00:00,LAMARMANCHACA,NB_in,${lamarValues()}`)
    const dst = (await readFile(lake('atd-datalake-raw', '2019/11/03/wt/Austin_wt_2019-11-03.csv'), 'utf8'))
      .split('\r\n')
      .slice(1, -1)
    expect([...dst].sort(byText)).to.deep.equal(
      expected('2019-11-03')
        .map((e) => e.line)
        .sort(byText),
    )
    const keys = dst.map((line) => line.split(',').slice(2, 5).join('|'))
    expect(keys).to.deep.equal([...keys].sort(byText))
    expect(dst.filter((line) => line.startsWith('1,1,2019-11-03 01:30:00,'))).to.have.length(2)
  })

  it('wt-json-standard writes the rawjson documents, the unit data once and Vehicle Counts observations', async () => {
    const result = await new WtJsonStandardApp({ start_date: 3 }, runtime()).run()
    expect(result).to.include({ items: 3, records: 3, exitCode: 0 })
    const rows = await catalogRows('atd-datalake-rawjson')
    expect(rows.map((r) => r.pointer)).to.deep.equal([
      ...DAYS.map((d) => `${d.replaceAll('-', '/')}/wt/Austin_wt_${d}.json`),
      '2019/11/05/wt/Austin_wt_2019-11-05_unit_data.json',
    ])
    const doc = await readDoc('atd-datalake-rawjson', '2019/11/02/wt/Austin_wt_2019-11-02.json')
    expect(doc.header).to.deep.equal({
      data_type: 'wavetronix',
      origin_filename: 'Austin_wt_2019-11-02.csv',
      target_filename: 'Austin_wt_2019-11-02.json',
      collection_date: '2019-11-02 00:00:00-05:00',
      processing_date: '2019-11-05 09:00:00-06:00',
    })
    const first = written.get('2019-11-02')?.find((r) => r.detId === 2 && r.wall.endsWith(' 00:00:00'))
    expect(doc.data.find((r) => r.detID === 2)).to.deep.equal({
      detID: 2,
      intID: 1,
      curDateTime: '2019-11-02 00:00:00-05:00',
      intName: 'LAMARMANCHACA',
      detName: 'NB_in',
      volume: first?.volume,
      occupancy: first?.occupancy,
      speed: first?.speed,
      status: 'Working',
      uploadSuccess: 100,
      detCountComparison: first?.detCountComparison,
      dailyCumulative: first?.dailyCumulative,
    })
    expect(doc.data).to.have.length(written.get('2019-11-02')?.length ?? -1)
    const dst = await readDoc('atd-datalake-rawjson', '2019/11/03/wt/Austin_wt_2019-11-03.json')
    const times = new Set(dst.data.map((r) => r.curDateTime))
    expect([...times].filter((t) => String(t).startsWith('2019-11-03 01:30'))).to.deep.equal([
      '2019-11-03 01:30:00-06:00',
    ])
    expect(times.has('2019-11-03 00:45:00-05:00')).to.equal(true)
    const anomalous = await readDoc('atd-datalake-rawjson', '2019/11/04/wt/Austin_wt_2019-11-04.json')
    expect(anomalous.data).to.have.length((written.get('2019-11-04')?.length ?? 0) - 1)
    const skipWarning = lines.find((l) => String(l.msg).includes('left out 1 row(s)'))
    expect(String(skipWarning?.msg)).to.match(/Austin_wt_2019-11-04\.csv: .*speed "" is not an integer/)

    const unit = await readDoc('atd-datalake-rawjson', '2019/11/05/wt/Austin_wt_2019-11-05_unit_data.json')
    expect(unit.header.data_type).to.equal('wt_unit_data')
    const obs = (await drivers.perfmet()?.readObservations(FIRST, addDays(FIRST, 1))) ?? []
    const volume = (name: string) =>
      (written.get('2019-11-02') ?? [])
        .filter((r) =>
          intersections.find((n) => n.intName === name)?.detectors.some((d) => d.detId === r.detId),
        )
        .reduce((sum, r) => sum + r.volume, 0)
    expect(
      obs.map((o) =>
        [o.dataSource, o.dataType, o.sensorName, o.data, o.timestampMin, o.timestampMax].map(String),
      ),
    ).to.deep.equal(
      [...intersections]
        .sort((a, b) => byText(a.intName, b.intName))
        .map((n) =>
          [
            'Wavetronix',
            'Vehicle Counts',
            n.intName,
            volume(n.intName),
            parseTimestamp('2019-11-02 00:00:00'),
            parseTimestamp('2019-11-02 23:45:00'),
          ].map(String),
        ),
    )
  })

  it('wt-ready joins rows to the radars of the unit data captured after the day', async () => {
    const result = await new WtReadyApp({ start_date: 3 }, runtime()).run()
    expect(result).to.include({ items: 3, records: 3, exitCode: 0 })
    const rows = await catalogRows('atd-datalake-ready')
    expect(rows.map((r) => r.pointer)).to.deep.equal(
      DAYS.map((d) => `${d.replaceAll('-', '/')}/wt/Austin_wt_${d}.json`),
    )
    const text = await readFile(lake('atd-datalake-ready', '2019/11/02/wt/Austin_wt_2019-11-02.json'), 'utf8')
    const doc = parsePyJson(text) as Doc
    expect(doc.header.processing_date).to.equal('2019-11-05 09:00:00-06:00')
    const withRadar = intersections.filter((n) => n.hasRadar)
    const ids = new Map(
      withRadar.map((n) => [
        n.intId,
        md5Hex(`RADARNone${n.ip}${pyStrOf(pyFloat(n.lat))}${pyStrOf(pyFloat(n.lon))}`),
      ]),
    )
    const detectors = withRadar.reduce((sum, n) => sum + n.detectors.length, 0)
    expect(doc.data).to.have.length(detectors * 96)
    expect(doc.data.every((r) => r.device_id === ids.get(r.intID as number))).to.equal(true)
    const order = doc.data.map((r) => `${r.curDateTime}|${String(r.detID).padStart(5, '0')}`)
    expect(order).to.deep.equal([...order].sort(byText))
    expect(doc.devices?.map((d) => d.kits_id)).to.deep.equal(withRadar.map((n) => n.intId))
    expect(text).to.include(`"kits_id": ${withRadar[0]?.intId}.0, "device_id": "${ids.get(1)}"}`)
  })

  it('wt-extract-soc publishes every ready row with its row_id and records the days in the socrata repository', async () => {
    const result = await new WtExtractSocApp({ start_date: 3 }, runtime()).run()
    expect(result).to.include({ items: 3, records: 3, exitCode: 0 })
    const csv = await readFile(join(settings.publisher.dir, 'i626-g7ub.csv'), 'utf8')
    const published = parse(csv, { columns: true }) as Record<string, string>[]
    const ready = await Promise.all(
      DAYS.map((d) => readDoc('atd-datalake-ready', `${d.replaceAll('-', '/')}/wt/Austin_wt_${d}.json`)),
    )
    expect(published).to.have.length(ready.reduce((sum, d) => sum + d.data.length, 0))
    expect(csv.split('\r\n')[0]).to.equal(
      'detid,int_id,curdatetime,intname,detname,volume,occupancy,speed,month,day,year,hour,minute,day_of_week,' +
        'timebin,direction,row_id',
    )
    const firstRow = ready[0]?.data[0] as Record<string, unknown>
    expect(published[0]).to.deep.include({
      detid: String(firstRow.detID),
      curdatetime: '2019-11-02T00:00:00',
      intname: String(firstRow.intName),
      month: '11',
      day: '2',
      year: '2019',
      day_of_week: '6',
      timebin: '00:00',
      row_id: md5Hex(`${firstRow.intName}2019-11-02T00:00:00${firstRow.detID}`),
    })
    const sunday = published.filter((r) => r.day === '3')
    expect(sunday.every((r) => r.day_of_week === '0')).to.equal(true)
    expect(new Set(sunday.map((r) => r.row_id)).size).to.be.below(sunday.length)
    expect(
      lines.some((l) => /Austin_wt_2019-11-03\.json: \d+ row\(s\) repeat the row_id/.test(String(l.msg))),
    ).to.equal(true)
    const jobs =
      (await drivers.perfmet()?.readJobs(clock.now().startOf('day'), clock.now().endOf('day'))) ?? []
    expect(
      jobs.map((j) => [j.dataSource, j.stage, j.records, formatPyTs(j.collectionStart ?? FIRST)]),
    ).to.deep.equal([
      ['Wavetronix', 'Ingest', 3, '2019-11-02 00:00:00-05:00'],
      ['Wavetronix', 'Publish', 3, '2019-11-02 00:00:00-05:00'],
      ['Wavetronix', 'Ready', 3, '2019-11-02 00:00:00-05:00'],
      ['Wavetronix', 'Standardize', 3, '2019-11-02 00:00:00-05:00'],
    ])
    expect(jobs.every((j) => j.collectionEnd?.equals(parseTimestamp('2019-11-05')))).to.equal(true)
    const socrata = await catalogRows('socrata')
    expect(socrata.map((r) => [formatPyTs(r.collectionDate), r.idBase, r.idExt, r.pointer])).to.deep.equal(
      DAYS.map((_, i) => [formatPyTs(addDays(FIRST, i)), 'Austin', 'json', 'i626-g7ub']),
    )
  })

  it('a second run of every app finds nothing new and publishes nothing', async () => {
    const before = await readFile(join(settings.publisher.dir, 'i626-g7ub.csv'), 'utf8')
    const results = [
      await new WtInsertLakeApp({ start_date: 3 }, runtime(), { kits }).run(),
      await new WtJsonStandardApp({ start_date: 3 }, runtime()).run(),
      await new WtReadyApp({ start_date: 3 }, runtime()).run(),
      await new WtExtractSocApp({ start_date: 3 }, runtime()).run(),
    ]
    expect(results.map((r) => r.items)).to.deep.equal([0, 0, 0, 0])
    expect(await readFile(join(settings.publisher.dir, 'i626-g7ub.csv'), 'utf8')).to.equal(before)
  })

  it('wt-insert-lake takes its KITS source from the settings; SQL Server without credentials is a clear error', async () => {
    const mssql = loadSettings({
      env: { CATALOG_ETL_KITS: 'mssql', CATALOG_ETL_KITS_SERVER: 'kits.example' },
      cwd: dir,
    })
    const mssqlDrivers = createDriverSet(mssql, { debug: false })
    try {
      await new WtInsertLakeApp({ start_date: 3 }, { ...runtime(), settings: mssql, drivers: mssqlDrivers })
        .run()
        .then(
          () => expect.fail('expected a rejection'),
          (error: Error) =>
            expect(error.message).to.match(/CATALOG_ETL_KITS_USER and CATALOG_ETL_KITS_PASSWORD/),
        )
    } finally {
      await mssqlDrivers.close()
    }
  })
})
