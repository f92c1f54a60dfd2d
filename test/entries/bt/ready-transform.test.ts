import { expect } from 'chai'
import {
  asStandardizedDocument,
  compareCodePoints,
  coordinateText,
  deviceId,
  indexDevices,
  type JsonRow,
  readyDocumentChunks,
  readyTransform,
  sortRows,
} from '../../../src/entries/bt/ready-transform.js'
import { InputError } from '../../../src/support/errors.js'
import type { UnitDevice } from '../../../src/support/unit-data.js'
import { md5Hex } from '../../../src/util/hash.js'
import { parsePyJson, stringifyPy } from '../../../src/util/py-json.js'

/** The unit-data device of spec §11.5 (reader `lamar_6th`). */
const LAMAR_6TH: UnitDevice = {
  device_type: 'BLUETOOTH',
  atd_device_id: 72,
  device_name: 'lamar_6th',
  device_status: 'TURNED_ON',
  device_ip: '172.16.132.68',
  ip_comm_status: 'ONLINE',
  atd_location_id: 'LOC16-000585',
  coa_intersection_id: 5155322,
  lat: 30.2715378,
  lon: -97.7539673,
  primary_st: '6TH ST',
  primary_st_segment_id: 2019754,
  cross_st: 'LAMAR BLVD',
  cross_st_segment_id: 2019753,
  kits_id: null,
}
const LAMAR_6TH_ID = '545b7c56753af339ca16e388ebd1d9b2'

function device(name: string, ip: string, lat: number | null, lon: number | null): UnitDevice {
  return { ...LAMAR_6TH, device_name: name, device_ip: ip, lat, lon }
}

const LAMAR_MLK = device('lamar_mlk', '172.16.132.70', 30.2809, -97.7421)
const ANDERSON = device('anderson_mill_bethany', '172.16.131.20', 30.4, -97.8)
const HEADER = {
  data_type: 'bluetooth',
  file_type: 'unmatched',
  origin_filename: 'Austin_bt_2019-06-01_unmatched.txt',
  target_filename: 'Austin_bt_2019-06-01_unmatched.json',
  collection_date: '2019-06-01 00:00:00-05:00',
  processing_date: '2019-06-02 03:00:12.123456-05:00',
}
const NOW = '2019-06-03 04:00:00-05:00'

function iaf(host: string | null, reader: string | null, addr = 'MDY6RUY6QUY6QTA6NzM='): JsonRow {
  return {
    host_timestamp: host,
    ip_address: '172.16.131.20',
    field_timestamp: host,
    reader_id: reader,
    dev_addr: addr,
  }
}

function itmf(start: string, origin: string, dest: string, addr = 'RDM6QzI6NjE6RDA6MDM='): JsonRow {
  return {
    dev_addr: addr,
    origin_reader_id: origin,
    dest_reader_id: dest,
    start_time: start,
    end_time: start,
    travel_time_secs: '686',
    speed: '5',
    match_validity: 'invalid',
    filter_id: '125',
  }
}

describe('entries/bt/ready-transform', () => {
  describe('coordinateText: Python str() of a pandas float (spec §9.3 step 2)', () => {
    const cases: [unknown, boolean, string][] = [
      [30.2715378, false, '30.2715378'],
      [-97.7539673, false, '-97.7539673'],
      [30, false, '30.0'],
      [-97, false, '-97.0'],
      [0.1, false, '0.1'],
      [1e16, false, '1e+16'],
      [null, false, 'nan'],
      [undefined, false, 'nan'],
      [Number.NaN, false, 'nan'],
      [null, true, 'None'],
      [Number.NaN, true, 'nan'],
      [Number.POSITIVE_INFINITY, false, 'inf'],
      ['30.5', false, '30.5'],
    ]
    for (const [value, allMissing, text] of cases) {
      it(`${String(value)}${allMissing ? ' (column all missing)' : ''} → ${text}`, () =>
        expect(coordinateText(value, allMissing)).to.equal(text))
    }
  })

  describe('deviceId', () => {
    it('matches the published vector for lamar_6th', () => {
      expect(deviceId(LAMAR_6TH)).to.equal(LAMAR_6TH_ID)
    })

    it('formats an integral coordinate read back from JSON as a float (30 → 30.0)', () => {
      const d = device('x', '172.16.1.1', 30, -97)
      expect(deviceId(d)).to.equal(md5Hex('BLUETOOTH172.16.1.130.0-97.0'))
    })

    it('hashes a missing location as nan, or None when no device has one', () => {
      const d = device('x', '172.16.1.1', null, null)
      expect(deviceId(d)).to.equal(md5Hex('BLUETOOTH172.16.1.1nannan'))
      expect(deviceId(d, { latAllMissing: true, lonAllMissing: true })).to.equal(
        md5Hex('BLUETOOTH172.16.1.1NoneNone'),
      )
      const index = indexDevices([d, LAMAR_6TH])
      expect(index.devices[0]?.deviceId).to.equal(md5Hex('BLUETOOTH172.16.1.1nannan'))
      expect(indexDevices([d]).devices[0]?.deviceId).to.equal(md5Hex('BLUETOOTH172.16.1.1NoneNone'))
    })

    it('hashes a missing type or address as the empty string', () => {
      const d = { ...LAMAR_6TH, device_ip: null }
      expect(deviceId(d)).to.equal(md5Hex('BLUETOOTH30.2715378-97.7539673'))
    })
  })

  describe('indexDevices', () => {
    it('keeps unit-data order, lists repeated names together and never indexes a missing name', () => {
      const twin = device('lamar_6th', '172.16.132.99', 30.1, -97.1)
      const nameless = { ...LAMAR_MLK, device_name: null }
      const index = indexDevices([LAMAR_6TH, LAMAR_MLK, twin, nameless])
      expect(index.devices.map((d) => d.device.device_ip)).to.deep.equal([
        '172.16.132.68',
        '172.16.132.70',
        '172.16.132.99',
        '172.16.132.70',
      ])
      expect(index.byName.get('lamar_6th')?.map((d) => d.device.device_ip)).to.deep.equal([
        '172.16.132.68',
        '172.16.132.99',
      ])
      expect(index.byName.has(null)).to.equal(false)
      expect([...index.byName.keys()]).to.deep.equal(['lamar_6th', 'lamar_mlk'])
    })
  })

  describe('sorting (string order, missing values last, stable)', () => {
    it('orders by each column in turn', () => {
      const rows = [
        { t: 'b', r: 'x', n: 1 },
        { t: null, r: 'a', n: 2 },
        { t: 'a', r: 'z', n: 3 },
        { t: 'a', r: null, n: 4 },
        { t: 'a', r: 'y', n: 5 },
        { t: 'a', r: 'y', n: 6 },
        { t: 'B', r: 'y', n: 7 },
      ]
      expect(sortRows(rows, ['t', 'r']).map((r) => r.n)).to.deep.equal([7, 5, 6, 3, 4, 1, 2])
    })

    it('compares code points, not UTF-16 units', () => {
      expect(compareCodePoints('a\u{1F600}', 'a\uFFFD')).to.be.greaterThan(0)
      expect(compareCodePoints('a\uFFFD', 'a\u{1F600}')).to.be.lessThan(0)
      expect(compareCodePoints('ab', 'abc')).to.be.lessThan(0)
      expect(compareCodePoints('2019-06-01 00:00:00-05:00', '2019-06-01 00:00:00-05:00')).to.equal(0)
      expect(compareCodePoints('Z', 'a')).to.be.lessThan(0)
    })
  })

  describe('readyTransform: IAF (unmatched)', () => {
    const index = indexDevices([LAMAR_MLK, LAMAR_6TH, ANDERSON])
    const source = {
      header: HEADER,
      data: [
        iaf('2019-06-01 00:00:05-05:00', 'lamar_6th'),
        iaf('2019-06-01 00:00:00-05:00', 'unknown_reader'),
        iaf(null, 'anderson_mill_bethany'),
        iaf('2019-06-01 00:00:00-05:00', 'lamar_6th', 'A'),
        iaf('2019-06-01 00:00:00-05:00', 'anderson_mill_bethany'),
        iaf('2019-06-01 00:00:00-05:00', 'lamar_6th', 'B'),
      ],
    }
    const ready = readyTransform('unmatched', source, index, NOW)

    it('replaces processing_date in place and keeps the rest of the header', () => {
      expect(ready.header).to.deep.equal({ ...HEADER, processing_date: NOW })
      expect(Object.keys(ready.header)).to.deep.equal(Object.keys(HEADER))
      expect(source.header.processing_date).to.equal(HEADER.processing_date)
    })

    it('drops unknown readers, adds device_id last and sorts by host_timestamp then reader_id', () => {
      expect(ready.data.map((r) => [r.host_timestamp, r.reader_id, r.dev_addr])).to.deep.equal([
        ['2019-06-01 00:00:00-05:00', 'anderson_mill_bethany', 'MDY6RUY6QUY6QTA6NzM='],
        ['2019-06-01 00:00:00-05:00', 'lamar_6th', 'A'],
        ['2019-06-01 00:00:00-05:00', 'lamar_6th', 'B'],
        ['2019-06-01 00:00:05-05:00', 'lamar_6th', 'MDY6RUY6QUY6QTA6NzM='],
        [null, 'anderson_mill_bethany', 'MDY6RUY6QUY6QTA6NzM='],
      ])
      expect(Object.keys(ready.data[0] ?? {})).to.deep.equal([
        'host_timestamp',
        'ip_address',
        'field_timestamp',
        'reader_id',
        'dev_addr',
        'device_id',
      ])
      expect(ready.data[1]?.device_id).to.equal(LAMAR_6TH_ID)
    })

    it('lists the referenced devices in unit-data order with their ids; lat/lon stay floats', () => {
      expect(ready.devices.map((d) => d.device_name)).to.deep.equal(['lamar_6th', 'anderson_mill_bethany'])
      expect(Object.keys(ready.devices[0] ?? {})).to.deep.equal([...Object.keys(LAMAR_6TH), 'device_id'])
      expect(ready.devices[0]?.device_id).to.equal(LAMAR_6TH_ID)
      const text = stringifyPy(ready.devices[1])
      expect(text).to.contain('"lat": 30.4, "lon": -97.8')
      const integral = readyTransform(
        'unmatched',
        { header: HEADER, data: [iaf('2019-06-01 00:00:00-05:00', 'x')] },
        indexDevices([device('x', '172.16.1.1', 30, -97), device('y', '172.16.1.2', null, null)]),
        NOW,
      )
      expect(stringifyPy(integral.devices)).to.contain(
        '"coa_intersection_id": 5155322, "lat": 30.0, "lon": -97.0',
      )
    })

    it('repeats a row for a device name that occurs twice in the unit data', () => {
      const twin = device('lamar_6th', '172.16.132.99', 30.1, -97.1)
      const doubled = readyTransform(
        'unmatched',
        { header: HEADER, data: [iaf('2019-06-01 00:00:00-05:00', 'lamar_6th')] },
        indexDevices([LAMAR_6TH, twin]),
        NOW,
      )
      expect(doubled.data.map((r) => r.device_id)).to.deep.equal([
        LAMAR_6TH_ID,
        indexDevices([twin]).devices[0]?.deviceId,
      ])
      expect(doubled.devices).to.have.length(2)
    })

    it('gives empty data and devices when no reader is known', () => {
      const none = readyTransform('unmatched', { header: HEADER, data: [iaf('x', 'nobody')] }, index, NOW)
      expect([none.data, none.devices]).to.deep.equal([[], []])
    })
  })

  describe('readyTransform: ITMF (matched) and TMSR', () => {
    const index = indexDevices([ANDERSON, LAMAR_6TH, LAMAR_MLK])
    const ids = Object.fromEntries(index.devices.map((d) => [d.device.device_name, d.deviceId]))

    it('joins origin and destination, drops rows lacking either, sorts by time, origin, destination', () => {
      const data = [
        itmf('2019-05-31 23:48:20-05:00', 'lamar_mlk', 'lamar_6th'),
        itmf('2019-05-31 23:48:20-05:00', 'lamar_6th', 'lamar_mlk'),
        itmf('2019-05-31 23:40:00-05:00', 'lamar_mlk', 'unknown'),
        itmf('2019-05-31 23:40:00-05:00', 'unknown', 'lamar_6th'),
        itmf('2019-05-31 23:30:00-05:00', 'lamar_mlk', 'lamar_6th'),
      ]
      const ready = readyTransform(
        'matched',
        { header: { ...HEADER, file_type: 'matched' }, data },
        index,
        NOW,
      )
      expect(ready.data.map((r) => [r.start_time, r.origin_reader_id, r.dest_reader_id])).to.deep.equal([
        ['2019-05-31 23:30:00-05:00', 'lamar_mlk', 'lamar_6th'],
        ['2019-05-31 23:48:20-05:00', 'lamar_6th', 'lamar_mlk'],
        ['2019-05-31 23:48:20-05:00', 'lamar_mlk', 'lamar_6th'],
      ])
      expect(Object.keys(ready.data[0] ?? {}).slice(-2)).to.deep.equal(['origin_device_id', 'dest_device_id'])
      expect(ready.data[0]).to.include({ origin_device_id: ids.lamar_mlk, dest_device_id: ids.lamar_6th })
      expect(ready.devices.map((d) => d.device_name)).to.deep.equal(['lamar_6th', 'lamar_mlk'])
    })

    it('sorts TMSR rows by timestamp', () => {
      const row = (ts: string, o: string, d: string) => ({
        origin_reader_id: o,
        dest_reader_id: d,
        seg_length: '0.633',
        timestamp: ts,
      })
      const data = [
        row('2019-06-01 00:15:00-05:00', 'anderson_mill_bethany', 'lamar_6th'),
        row('2019-06-01 00:00:00-05:00', 'lamar_6th', 'anderson_mill_bethany'),
        row('2019-06-01 00:00:00-05:00', 'anderson_mill_bethany', 'lamar_6th'),
      ]
      const ready = readyTransform('traf_match_summary', { header: HEADER, data }, index, NOW)
      expect(ready.data.map((r) => [r.timestamp, r.origin_reader_id])).to.deep.equal([
        ['2019-06-01 00:00:00-05:00', 'anderson_mill_bethany'],
        ['2019-06-01 00:00:00-05:00', 'lamar_6th'],
        ['2019-06-01 00:15:00-05:00', 'anderson_mill_bethany'],
      ])
      expect(ready.devices.map((d) => d.device_name)).to.deep.equal(['anderson_mill_bethany', 'lamar_6th'])
    })
  })

  describe('readyDocumentChunks', () => {
    const index = indexDevices([LAMAR_6TH, ANDERSON])
    const rows = Array.from({ length: 7 }, (_, i) =>
      iaf(`2019-06-01 00:00:0${i}-05:00`, i % 2 ? 'lamar_6th' : 'anderson_mill_bethany'),
    )
    for (const size of [1, 3, 7, 100]) {
      it(`joins to exactly stringifyPy(doc) with ${size} row(s) per chunk`, () => {
        const doc = readyTransform('unmatched', { header: HEADER, data: rows }, index, NOW)
        expect([...readyDocumentChunks(doc, size)].join('')).to.equal(stringifyPy(doc))
      })
    }

    it('writes an empty document as Python does', () => {
      const doc = readyTransform('unmatched', { header: { a: 1 }, data: [] }, index, NOW)
      const text = [...readyDocumentChunks(doc)].join('')
      expect(text).to.equal(`{"header": {"a": 1, "processing_date": "${NOW}"}, "data": [], "devices": []}`)
      expect(parsePyJson(text)).to.deep.equal({
        header: { a: 1, processing_date: NOW },
        data: [],
        devices: [],
      })
    })
  })

  describe('asStandardizedDocument', () => {
    it('accepts {header, data} and rejects anything else with InputError', () => {
      expect(asStandardizedDocument({ header: {}, data: [] }, 'x').data).to.deep.equal([])
      for (const bad of [null, [], { header: {} }, { data: [] }, { header: {}, data: [1] }]) {
        expect(() => asStandardizedDocument(bad, 'f.json')).to.throw(InputError, 'f.json')
      }
    })
  })
})
