import { createReadStream } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { DateTime } from 'luxon'
import {
  createAwamReaders,
  createBtUnitData,
  writeAwamDay,
} from '../../../src/drivers/devices/awam-generator.js'
import { AWAM_FILE_TYPES, type AwamFileType } from '../../../src/entries/bt/awam-format.js'
import { type AwamRow, standardizeAwam } from '../../../src/entries/bt/standardize-awam.js'
import { createPrng } from '../../../src/util/prng.js'
import { stringifyPy } from '../../../src/util/py-json.js'

const DAY = DateTime.fromObject({ year: 2019, month: 6, day: 1 }, { zone: 'America/Chicago' })

async function standardize(path: string, fileType: AwamFileType) {
  const rows: AwamRow[] = []
  const warnings: string[] = []
  const result = standardizeAwam(createReadStream(path), {
    fileType,
    header: { origin_filename: 'o', target_filename: 't', collection_date: 'c', processing_date: 'p' },
    onRow: (r) => rows.push(r),
    onWarning: (m) => warnings.push(m),
  })
  let text = ''
  for await (const chunk of result.chunks) text += chunk
  JSON.parse(text)
  return { rows, warnings, stats: result.stats() }
}

describe('drivers/devices/awam-generator', () => {
  let dir = ''
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'awam-gen-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  describe('createPrng', () => {
    it('is deterministic per seed and uniform in [0, 1)', () => {
      const a = createPrng(42)
      const b = createPrng(42)
      const c = createPrng(43)
      const xs = Array.from({ length: 1000 }, () => a())
      expect(xs).to.deep.equal(Array.from({ length: 1000 }, () => b()))
      expect(xs.slice(0, 5)).to.not.deep.equal(Array.from({ length: 5 }, () => c()))
      expect(Math.min(...xs)).to.be.at.least(0)
      expect(Math.max(...xs)).to.be.below(1)
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length
      expect(mean).to.be.closeTo(0.5, 0.05)
    })
  })

  describe('createAwamReaders', () => {
    it('gives unique, realistic ids and addresses, deterministically', () => {
      const readers = createAwamReaders(150, 5)
      expect(readers).to.have.length(150)
      expect(createAwamReaders(150, 5)).to.deep.equal(readers)
      expect(createAwamReaders(150, 6)).to.not.deep.equal(readers)
      expect(new Set(readers.map((r) => r.readerId)).size).to.equal(150)
      expect(new Set(readers.map((r) => r.ip)).size).to.equal(150)
      const lower = readers.filter((r) => /^[a-z0-9]+(_[a-z0-9]+)+$/.test(r.readerId))
      const mixed = readers.filter((r) => /[A-Z]/.test(r.readerId))
      expect(lower.length).to.be.greaterThan(120)
      expect(mixed.length).to.be.greaterThan(5)
      expect(mixed[0]?.readerId).to.match(/^[A-Z][a-z0-9]*(_[a-z0-9]+)*_and_[A-Z0-9][a-z0-9]*(_[a-z0-9]+)*$/)
      for (const r of readers) {
        expect(r.ip).to.match(/^172\.16\.\d{1,3}\.\d{1,3}$/)
        expect(r.lat).to.be.within(30.1, 30.45)
        expect(r.lon).to.be.within(-97.9, -97.6)
        expect(Number.isInteger(r.lat) || Number.isInteger(r.lon)).to.equal(false)
        expect(r.atdLocationId).to.match(/^LOC16-\d{6}$/)
      }
    })

    it('keeps ids unique beyond the street combinations', () => {
      const readers = createAwamReaders(500, 1)
      expect(new Set(readers.map((r) => r.readerId)).size).to.equal(500)
    })
  })

  describe('createBtUnitData', () => {
    it('builds the §6.1 document with the BT column order and Knack-converted types', () => {
      const readers = createAwamReaders(3, 2)
      const doc = createBtUnitData(readers, {
        collectionDate: DAY.plus({ days: 1 }),
        processingDate: DAY.plus({ days: 1, hours: 3, seconds: 12, milliseconds: 123 }),
      })
      expect(doc.header).to.deep.equal({
        data_type: 'bt_unit_data',
        target_filename: 'Austin_bt_2019-06-02_unit_data.json',
        collection_date: '2019-06-02 00:00:00-05:00',
        processing_date: '2019-06-02 03:00:12.123000-05:00',
      })
      expect(doc.devices).to.have.length(3)
      const device = doc.devices[0] as Record<string, unknown>
      expect(Object.keys(device)).to.deep.equal([
        'device_type',
        'atd_device_id',
        'device_name',
        'device_status',
        'device_ip',
        'ip_comm_status',
        'atd_location_id',
        'coa_intersection_id',
        'lat',
        'lon',
        'primary_st',
        'primary_st_segment_id',
        'cross_st',
        'cross_st_segment_id',
        'kits_id',
      ])
      const r = readers[0]
      expect(device).to.deep.include({
        device_type: 'BLUETOOTH',
        device_name: r?.readerId,
        device_ip: r?.ip,
        device_status: 'TURNED_ON',
        kits_id: null,
      })
      for (const key of [
        'atd_device_id',
        'coa_intersection_id',
        'primary_st_segment_id',
        'cross_st_segment_id',
      ]) {
        expect(Number.isInteger(device[key]), key).to.equal(true)
      }
      const text = stringifyPy(doc)
      expect(text).to.match(/^\{"header": \{"data_type": "bt_unit_data", /)
      expect(text).to.contain(`"lat": ${r?.lat}, "lon": ${r?.lon}, `)
      expect(text).to.contain('"kits_id": null}')
    })
  })

  describe('writeAwamDay', () => {
    const readers = createAwamReaders(12, 11)

    it('writes the three share files with their names, CRLF lines and an mtime of 23:59 that day', async () => {
      const result = await writeAwamDay(dir, DAY, { readers, seed: 1, iafRows: 400, itmfRows: 80 })
      expect((await readdir(dir)).sort()).to.deep.equal([
        'Austin_bt_06-01-2019.txt',
        'Austin_bt_summary_15_06-01-2019.txt',
        'Austin_btmatch_06-01-2019.txt',
      ])
      expect(result.rows).to.deep.equal({ unmatched: 400, matched: 80, traf_match_summary: 24 * 96 })
      for (const fileType of AWAM_FILE_TYPES) {
        const text = await readFile(result.paths[fileType], 'utf8')
        expect(text.endsWith('\r\n')).to.equal(true)
        expect(text.split('\r\n')).to.have.length(result.rows[fileType] + 1)
        expect(text.replace(/\r\n/g, '')).to.not.match(/[\r\n]/)
        const { mtime } = await stat(result.paths[fileType])
        expect(mtime.toISOString()).to.equal('2019-06-02T04:59:00.000Z')
      }
    })

    it('is deterministic by seed (and differs across seeds and days)', async () => {
      const a = await writeAwamDay(join(dir), DAY, { readers, seed: 7, iafRows: 300, itmfRows: 50 })
      const first = await Promise.all(AWAM_FILE_TYPES.map((t) => readFile(a.paths[t], 'utf8')))
      await writeAwamDay(dir, DAY, { readers, seed: 7, iafRows: 300, itmfRows: 50 })
      const again = await Promise.all(AWAM_FILE_TYPES.map((t) => readFile(a.paths[t], 'utf8')))
      expect(again).to.deep.equal(first)
      await writeAwamDay(dir, DAY, { readers, seed: 8, iafRows: 300, itmfRows: 50 })
      const other = await readFile(a.paths.unmatched, 'utf8')
      expect(other).to.not.equal(first[0])
      const next = await writeAwamDay(dir, DAY.plus({ days: 1 }), {
        readers,
        seed: 7,
        iafRows: 300,
        itmfRows: 50,
      })
      expect(await readFile(next.paths.unmatched, 'utf8')).to.not.equal(first[0])
    })

    it('writes the §11.1 formats: padded IAF times, unpadded ITMF/TMSR times, base64 MACs, -1 for no data', async () => {
      const result = await writeAwamDay(dir, DAY, { readers, seed: 3, iafRows: 2000, itmfRows: 300 })
      const ids = new Set(readers.map((r) => r.readerId))
      const lines = async (t: AwamFileType) =>
        (await readFile(result.paths[t], 'utf8')).trimEnd().split('\r\n')
      const iaf = (await lines('unmatched')).map((l) => l.split(','))
      const padded = /^(05\/31|06\/01)\/2019 (0[1-9]|1[0-2]):[0-5]\d:[0-5]\d (AM|PM)$/
      const mac = (b64: string) => Buffer.from(b64, 'base64').toString('latin1')
      for (const f of iaf) {
        expect(f).to.have.length(5)
        expect(f[0]).to.match(padded)
        expect(f[2]).to.match(padded)
        expect(ids.has(f[3] as string)).to.equal(true)
        expect(f[4]).to.match(/=$/)
        expect(mac(f[4] as string)).to.match(/^([0-9A-F]{2}:){4}[0-9A-F]{2}$/)
      }
      const itmf = (await lines('matched')).map((l) => l.split(','))
      const unpadded = /^([1-9]|1[0-2])\/([1-9]|[12]\d|3[01])\/2019 ([1-9]|1[0-2]):[0-5]\d:[0-5]\d (AM|PM)$/
      for (const f of itmf) {
        expect(f).to.have.length(9)
        expect(f[3]).to.match(unpadded)
        expect(f[4]).to.match(unpadded)
        expect(ids.has(f[1] as string) && ids.has(f[2] as string)).to.equal(true)
        expect(f[1]).to.not.equal(f[2])
        expect(['valid', 'invalid']).to.include(f[7])
        expect(f[8]).to.equal('125')
      }
      const tmsr = (await lines('traf_match_summary')).map((l) => l.split(','))
      const noData = tmsr.filter((f) => f.slice(10).join(',') === '-1,-1,15,0,-1')
      expect(noData.length).to.be.greaterThan(0)
      expect(noData.length).to.be.lessThan(tmsr.length)
      for (const f of tmsr) {
        expect(f).to.have.length(15)
        expect(f[9]).to.match(/^6\/1\/2019 ([1-9]|1[0-2]):(00|15|30|45) (AM|PM)$/)
        expect(f[8]).to.match(/^\d\.\d{3}$/)
      }
      expect(tmsr[0]?.[9]).to.equal('6/1/2019 12:00 AM')
      expect(tmsr.at(-1)?.[9]).to.equal('6/1/2019 11:45 PM')
      const pairs = new Set(tmsr.map((f) => `${f[0]}>${f[1]}`))
      expect(pairs.size * 96).to.equal(tmsr.length)
    })

    it('parses back with the standardizer with zero bad times; IAF sorted by host time; field time close', async () => {
      const result = await writeAwamDay(dir, DAY, { readers, seed: 4, iafRows: 3000, itmfRows: 400 })
      for (const fileType of AWAM_FILE_TYPES) {
        const { stats, warnings } = await standardize(result.paths[fileType], fileType)
        expect(stats.rows).to.equal(result.rows[fileType])
        expect(stats.badTimes, fileType).to.equal(0)
        expect(warnings).to.deep.equal([])
      }
      const { rows } = await standardize(result.paths.unmatched, 'unmatched')
      const host = rows.map((r) => r.host_timestamp as string)
      expect(host).to.deep.equal([...host].sort())
      expect(host[0]?.startsWith('2019-06-01 ')).to.equal(true)
      expect(host.at(-1)?.startsWith('2019-06-01 ')).to.equal(true)
      for (const r of rows) {
        const delta =
          DateTime.fromSQL(r.field_timestamp as string).toMillis() -
          DateTime.fromSQL(r.host_timestamp as string).toMillis()
        expect(Math.abs(delta)).to.be.at.most(6000)
      }
      const matched = await standardize(result.paths.matched, 'matched')
      const ends = matched.rows.map((r) => r.end_time as string)
      expect(ends).to.deep.equal([...ends].sort())
      for (const r of matched.rows) expect((r.start_time as string) <= (r.end_time as string)).to.equal(true)
    })

    it('with anomalies: unparseable times (the first IAF row among them), an empty field time, short rows', async () => {
      const result = await writeAwamDay(dir, DAY, {
        readers,
        seed: 4,
        iafRows: 300,
        itmfRows: 60,
        anomalies: true,
      })
      const iaf = await standardize(result.paths.unmatched, 'unmatched')
      expect(iaf.rows[0]?.host_timestamp).to.equal(null)
      expect(iaf.rows.some((r) => r.field_timestamp === null && r.dev_addr === null)).to.equal(true)
      expect(iaf.rows.some((r) => r.field_timestamp === null && typeof r.dev_addr === 'string')).to.equal(
        true,
      )
      expect(iaf.stats.badTimes).to.equal(3)
      const firstReader = iaf.rows[0]?.reader_id
      expect(iaf.stats.readers.find((r) => r.sensorName === firstReader)?.min).to.be.a('string')
      const itmf = await standardize(result.paths.matched, 'matched')
      expect(itmf.stats.badTimes).to.equal(2)
      expect(itmf.rows.some((r) => r.filter_id === null)).to.equal(true)
      const tmsr = await standardize(result.paths.traf_match_summary, 'traf_match_summary')
      expect(tmsr.stats.badTimes).to.equal(2)
      expect(tmsr.rows).to.have.length(24 * 96)
    })

    it('streams a 40 MB IAF file', async function () {
      this.timeout(120_000)
      const result = await writeAwamDay(dir, DAY, { readers, seed: 5, iafRows: 400_000, itmfRows: 10 })
      const { size } = await stat(result.paths.unmatched)
      expect(size).to.be.greaterThan(38_000_000)
      expect(result.rows.unmatched).to.equal(400_000)
    })

    it('handles no readers and a single reader (no pairs)', async () => {
      const none = await writeAwamDay(dir, DAY, { readers: [], seed: 1 })
      expect(none.rows).to.deep.equal({ unmatched: 0, matched: 0, traf_match_summary: 0 })
      const one = await writeAwamDay(dir, DAY, { readers: readers.slice(0, 1), seed: 1 })
      expect(one.rows).to.deep.equal({ unmatched: 200, matched: 0, traf_match_summary: 0 })
      const two = await writeAwamDay(dir, DAY, { readers: readers.slice(0, 2), seed: 1 })
      expect(two.rows.traf_match_summary).to.equal(2 * 96)
    })
  })
})
