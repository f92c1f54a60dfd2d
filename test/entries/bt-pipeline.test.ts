import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { parse } from 'csv-parse/sync'
import { DateTime } from 'luxon'
import { createDriverSet, type DriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import type { Settings } from '../../src/config/schema.js'
import {
  createAwamReaders,
  createBtUnitData,
  writeAwamDay,
} from '../../src/drivers/devices/awam-generator.js'
import { BtExtractSocApp } from '../../src/entries/bt-extract-soc.js'
import { BtInsertLakeApp } from '../../src/entries/bt-insert-lake.js'
import { BtJsonStandardApp } from '../../src/entries/bt-json-standard.js'
import { BtReadyApp } from '../../src/entries/bt-ready.js'
import type { CatalogEntry } from '../../src/support/catalog-driver.js'
import { addDays, fixedClock, formatPyTs, parseTimestamp } from '../../src/util/dates.js'
import { md5Hex } from '../../src/util/hash.js'
import { parsePyJson, stringifyPy } from '../../src/util/py-json.js'
import { createLogSink } from '../helpers/log-sink.js'

type Row = Record<string, unknown>
type Doc = { header: Record<string, unknown>; data: Row[]; devices?: Row[] }

const clock = fixedClock('2019-06-04 09:00:00')
const FIRST = parseTimestamp('2019-06-01 00:00:00-05:00')
const DAYS = [0, 1, 2].map((i) => addDays(FIRST, i))
const TYPES = ['matched', 'traf_match_summary', 'unmatched'] as const
const DATASET = { matched: 'x44q-icha', traf_match_summary: 'v7zg-5jg9', unmatched: 'qnpj-zrb9' } as const
const ymd = (day: DateTime) => day.toFormat('yyyy-MM-dd')
const key = (day: DateTime, type: string) =>
  `${day.toFormat('yyyy/MM/dd')}/bt/Austin_bt_${ymd(day)}_${type}.json`

/** Python's str() of a float coordinate, written independently of the app's helpers. */
const floatText = (v: unknown) => (v === null ? 'nan' : Number.isInteger(v) ? `${v}.0` : String(v))
const soc = (t: unknown) => (typeof t === 'string' ? `${t.slice(0, 10)}T${t.slice(11, 19)}` : null)
const str = (v: unknown) => (v === null || v === undefined ? 'None' : String(v))
const csvCell = (v: unknown) => (v === null || v === undefined ? '' : String(v))

/** The expected CSV cells and record_id of one ready row, computed independently of the app's helpers. */
function expectedRow(type: string, r: Row, name: (id: unknown) => unknown, number: (a: unknown) => unknown) {
  const o = name(r.origin_device_id)
  const d = name(r.dest_device_id)
  let cells: unknown[]
  let hashed: unknown[]
  if (type === 'unmatched') {
    const [host, reader, addr] = [soc(r.host_timestamp), name(r.device_id), number(r.dev_addr)]
    cells = [host, soc(r.field_timestamp), reader, addr]
    hashed = [host, reader, addr]
  } else if (type === 'matched') {
    const [addr, start, end] = [number(r.dev_addr), soc(r.start_time), soc(r.end_time)]
    const weekday = start && DateTime.fromISO(start, { zone: 'utc' }).setLocale('en-US').toFormat('cccc')
    cells = [addr, o, d, r.travel_time_secs, r.speed, r.match_validity, r.filter_id, start, end, weekday]
    hashed = [start, end, o, d, addr]
  } else {
    const ts = soc(r.timestamp)
    const sides = ['origin_road', 'origin_cross_st', 'origin_dir', 'dest_road', 'dest_cross_st', 'dest_dir']
    const stats = ['avg_travel_time', 'avg_speed', 'interval', 'samples', 'std_dev']
    cells = [o, d, ...sides.map((c) => r[c]), r.seg_length, ts, ...stats.map((c) => r[c])]
    hashed = [ts, o, d, r.seg_length]
  }
  return [...cells.map(csvCell), md5Hex(hashed.map(str).join(''))]
}

function byKeys(columns: string[]) {
  return (a: Row, b: Row) => {
    for (const c of columns) {
      const x = a[c] as string | null
      const y = b[c] as string | null
      if (x === y) continue
      if (x === null) return 1
      if (y === null) return -1
      return x < y ? -1 : 1
    }
    return 0
  }
}

describe('Bluetooth pipeline: insert-lake → json-standard → ready → extract-soc', function () {
  this.timeout(120_000)
  let dir: string
  let settings: Settings
  let drivers: DriverSet
  let devices: Row[]
  const { logger } = createLogSink('warn')
  const readers = createAwamReaders(8, 11)
  const runtime = (c = clock) => ({ settings, logger, clock: c, drivers })

  async function rows(repository: string): Promise<CatalogEntry[]> {
    const out: CatalogEntry[] = []
    for await (const row of drivers.catalog().query({ repository, dataSource: 'bt' })) out.push(row)
    return out
  }
  const lakeDoc = async (repo: string, pointer: string) =>
    parsePyJson(await readFile(join(settings.lakeDir, repo, pointer), 'utf8')) as Doc
  const csvText = (id: string, base = settings.publisher.dir) => readFile(join(base, `${id}.csv`), 'utf8')

  /** The published CSV rows of every ready file, computed independently from the ready documents. */
  async function expectedCsv(skip: (day: DateTime, type: string) => boolean) {
    const out: Record<string, string[][]> = { matched: [], traf_match_summary: [], unmatched: [] }
    for (const day of DAYS) {
      const numbers = new Map<unknown, number>()
      const number = (address: unknown) => {
        if (!numbers.has(address)) numbers.set(address, numbers.size + 1)
        return numbers.get(address)
      }
      for (const type of TYPES) {
        const doc = await lakeDoc('atd-datalake-ready', key(day, type))
        const name = new Map(doc.devices?.map((d) => [d.device_id, d.device_name as string]))
        for (const r of doc.data) {
          const row = expectedRow(type, r, (id) => name.get(id), number)
          if (!skip(day, type)) out[type]?.push(row)
        }
      }
    }
    return out
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bt-pipeline-'))
    settings = loadSettings({ env: {}, cwd: dir })
    drivers = createDriverSet(settings, { debug: false })
    await mkdir(settings.devices.awamDir, { recursive: true })
    for (const [i, day] of DAYS.entries()) {
      const options = { readers, seed: 5, iafRows: 240, itmfRows: 60, anomalies: i === 1 }
      await writeAwamDay(settings.devices.awamDir, day, options)
    }
    const unit = createBtUnitData(readers.slice(0, 7), { collectionDate: FIRST, processingDate: FIRST })
    devices = unit.devices.map((d, i) =>
      i === 2 ? { ...d, lat: null, lon: null } : i === 3 ? { ...d, lat: 30 } : d,
    )
    await mkdir(settings.unitData.dir, { recursive: true })
    await writeFile(join(settings.unitData.dir, 'bt_unit_data.json'), stringifyPy({ ...unit, devices }))
    expect((await new BtInsertLakeApp({ start_date: 3 }, runtime()).run()).records).to.equal(9)
    expect((await new BtJsonStandardApp({ start_date: 3 }, runtime()).run()).records).to.equal(9)
  })

  after(async () => {
    await drivers.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('bt-ready writes one ready document per standardized file (joins, sort, device ids)', async () => {
    const result = await new BtReadyApp({ start_date: 3 }, runtime()).run()
    expect(result).to.include({ items: 9, records: 9, exitCode: 0 })
    const ready = await rows('atd-datalake-ready')
    expect(ready.map((r) => r.pointer)).to.deep.equal(DAYS.flatMap((d) => TYPES.map((t) => key(d, t))))
    expect(ready.every((r) => r.processingDate?.equals(clock.now()))).to.equal(true)

    const ids = devices.map((d) => md5Hex(`BLUETOOTH${d.device_ip}${floatText(d.lat)}${floatText(d.lon)}`))
    const idOf = new Map(devices.map((d, i) => [d.device_name, ids[i]]))
    for (const day of DAYS) {
      for (const type of TYPES) {
        const std = await lakeDoc('atd-datalake-rawjson', key(day, type))
        const text = await readFile(join(settings.lakeDir, 'atd-datalake-ready', key(day, type)), 'utf8')
        const doc = parsePyJson(text) as Doc
        expect(doc.header).to.deep.equal({ ...std.header, processing_date: '2019-06-04 09:00:00-05:00' })
        let expected: Row[]
        if (type === 'unmatched') {
          expected = std.data
            .filter((r) => idOf.has(r.reader_id))
            .map((r) => ({ ...r, device_id: idOf.get(r.reader_id) }))
            .sort(byKeys(['host_timestamp', 'reader_id']))
        } else {
          const time = type === 'matched' ? 'start_time' : 'timestamp'
          expected = std.data
            .filter((r) => idOf.has(r.origin_reader_id) && idOf.has(r.dest_reader_id))
            .map((r) => ({
              ...r,
              origin_device_id: idOf.get(r.origin_reader_id),
              dest_device_id: idOf.get(r.dest_reader_id),
            }))
            .sort(byKeys([time, 'origin_reader_id', 'dest_reader_id']))
        }
        expect(doc.data).to.deep.equal(expected)
        expect(doc.data.length).to.be.lessThan(std.data.length)
        const used = new Set(expected.flatMap((r) => [r.device_id, r.origin_device_id, r.dest_device_id]))
        const expectedDevices = devices
          .map((d, i) => ({ ...d, device_id: ids[i] }))
          .filter((d) => used.has(d.device_id))
        expect(doc.devices).to.deep.equal(expectedDevices)
        expect(text).to.match(/^\{"header": \{"data_type": "bluetooth", "file_type": "/)
        if (used.has(ids[3])) expect(text).to.contain(`"lat": 30.0, "lon": ${devices[3]?.lon}`)
        if (used.has(ids[2])) expect(text).to.contain('"lat": null, "lon": null')
      }
    }
  })

  it('bt-extract-soc publishes every ready file with record ids and the daily device numbering', async () => {
    const day3 = DAYS[2] as DateTime
    const published = {
      repository: 'socrata',
      dataSource: 'bt',
      idBase: 'Austin',
      collectionEnd: null,
      metadata: null,
    }
    await drivers.catalog().upsert([
      {
        ...published,
        idExt: 'matched.json',
        pointer: 'x44q-icha',
        collectionDate: day3,
        processingDate: FIRST,
      },
    ])
    const result = await new BtExtractSocApp({ start_date: 3 }, runtime()).run()
    expect(result).to.include({ items: 8, records: 8, exitCode: 0 })
    const expected = await expectedCsv((day, type) => day.equals(day3) && type === 'matched')
    for (const type of TYPES) {
      const [header, ...body] = parse(await csvText(DATASET[type])) as string[][]
      expect(header?.at(-1)).to.equal('record_id')
      expect(body).to.deep.equal(expected[type])
      expect(body.length).to.be.greaterThan(50)
    }
    const iaf = parse(await csvText(DATASET.unmatched), { columns: true }) as Row[]
    expect(iaf[0]).to.have.keys(
      'host_read_time',
      'field_device_read_time',
      'reader_identifier',
      'device_address',
      'record_id',
    )
    expect(iaf.some((r) => r.field_device_read_time === '')).to.equal(true)
  })

  it('records each published file in the catalog under repository socrata', async () => {
    const socrata = await rows('socrata')
    expect(socrata.map((r) => [formatPyTs(r.collectionDate), r.idBase, r.idExt, r.pointer])).to.deep.equal(
      DAYS.flatMap((day) => TYPES.map((t) => [formatPyTs(day), 'Austin', `${t}.json`, DATASET[t]])),
    )
    const fake = socrata.filter((r) => !r.processingDate?.equals(clock.now()))
    expect(fake.map((r) => r.pointer)).to.deep.equal(['x44q-icha'])
    const jobs = await drivers.perfmet()?.readJobs(clock.now().startOf('day'), clock.now().endOf('day'))
    expect(
      jobs?.filter((j) => j.stage === 'Ready' || j.stage === 'Publish').map((j) => [j.stage, j.records]),
    ).to.deep.equal([
      ['Publish', 8],
      ['Ready', 9],
    ])
  })

  it('a second run of ready and extract-soc does nothing', async () => {
    const before = await Promise.all(TYPES.map((t) => csvText(DATASET[t])))
    const ready = await new BtReadyApp({ start_date: 3 }, runtime()).run()
    const publish = await new BtExtractSocApp({ start_date: 3 }, runtime()).run()
    expect([ready.items, publish.items]).to.deep.equal([0, 0])
    expect(await Promise.all(TYPES.map((t) => csvText(DATASET[t])))).to.deep.equal(before)
  })

  it('-0 publishes and records nothing, even forced', async () => {
    const later = fixedClock('2019-06-05 09:00:00')
    const before = await Promise.all(TYPES.map((t) => csvText(DATASET[t])))
    const catalogBefore = (await rows('socrata')).map((r) => formatPyTs(r.processingDate as DateTime))
    const readyBefore = (await rows('atd-datalake-ready')).map((r) =>
      formatPyTs(r.processingDate as DateTime),
    )
    const args = { start_date: '2019-06-01', force: true, simulate: true }
    const ready = await new BtReadyApp(args, runtime(later)).run()
    const publish = await new BtExtractSocApp(args, runtime(later)).run()
    expect([ready.records, publish.records]).to.deep.equal([9, 9])
    expect(await Promise.all(TYPES.map((t) => csvText(DATASET[t])))).to.deep.equal(before)
    expect((await rows('socrata')).map((r) => formatPyTs(r.processingDate as DateTime))).to.deep.equal(
      catalogBefore,
    )
    expect(
      (await rows('atd-datalake-ready')).map((r) => formatPyTs(r.processingDate as DateTime)),
    ).to.deep.equal(readyBefore)
  })

  it('-F -0 -o day by day gives the same rows as one run (numbering never depends on the run)', async () => {
    const out = join(dir, 'copies')
    for (const day of DAYS) {
      const args = {
        start_date: ymd(day),
        end_date: ymd(day),
        force: true,
        simulate: true,
        output_filepath: out,
      }
      expect((await new BtExtractSocApp(args, runtime()).run()).records).to.equal(3)
    }
    const expected = await expectedCsv(() => false)
    for (const type of TYPES) {
      const [, ...body] = parse(await csvText(DATASET[type], out)) as string[][]
      expect(body).to.deep.equal(expected[type])
    }
  })
})

describe('Bluetooth pipeline on the spring-forward day 2019-03-10', function () {
  this.timeout(120_000)
  let dir: string
  let settings: Settings
  let drivers: DriverSet
  const { logger } = createLogSink('warn')
  const readers = createAwamReaders(3, 2)
  const day = parseTimestamp('2019-03-10 00:00:00-06:00')

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bt-pipeline-dst-'))
    settings = loadSettings({ env: {}, cwd: dir })
    drivers = createDriverSet(settings, { debug: false })
    await mkdir(settings.devices.awamDir, { recursive: true })
    await writeAwamDay(settings.devices.awamDir, day, { readers, seed: 9, iafRows: 120, itmfRows: 30 })
    await mkdir(settings.unitData.dir, { recursive: true })
    const unit = createBtUnitData(readers, { collectionDate: day, processingDate: day })
    await writeFile(join(settings.unitData.dir, 'bt_unit_data.json'), stringifyPy(unit))
  })

  after(async () => {
    await drivers.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('publishes the wall times of the day as written, the skipped hour included', async () => {
    const runtime = { settings, logger, clock: fixedClock('2019-03-12 09:00:00'), drivers }
    const args = { start_date: '2019-03-10', end_date: '2019-03-10' }
    for (const App of [BtInsertLakeApp, BtJsonStandardApp, BtReadyApp, BtExtractSocApp]) {
      expect((await new App(args, runtime).run()).records).to.equal(3)
    }
    const tmsr = parse(await readFile(join(settings.publisher.dir, 'v7zg-5jg9.csv'), 'utf8'), {
      columns: true,
    }) as Row[]
    const times = [...new Set(tmsr.map((r) => r.timestamp as string))]
    const wall = Array.from({ length: 96 }, (_, k) => {
      const p2 = (n: number) => String(n).padStart(2, '0')
      return `2019-03-10T${p2(Math.floor(k / 4))}:${p2((k % 4) * 15)}:00`
    })
    expect(times).to.deep.equal(wall)
    const ready = parsePyJson(
      await readFile(
        join(
          settings.lakeDir,
          'atd-datalake-ready',
          '2019/03/10/bt/Austin_bt_2019-03-10_traf_match_summary.json',
        ),
        'utf8',
      ),
    ) as Doc
    expect(ready.data.map((r) => r.timestamp)).to.include('2019-03-10 02:30:00-06:00')
    const iaf = parse(await readFile(join(settings.publisher.dir, 'qnpj-zrb9.csv'), 'utf8'), {
      columns: true,
    }) as Row[]
    expect(iaf.every((r) => String(r.host_read_time).startsWith('2019-03-'))).to.equal(true)
    expect(iaf.map((r) => r.record_id)).to.deep.equal(
      iaf.map((r) => md5Hex(`${r.host_read_time}${r.reader_identifier}${r.device_address}`)),
    )
  })
})
