import { expect } from 'chai'
import {
  asReadyInput,
  createDeviceNumbering,
  dayOfWeek,
  iafRow,
  itmfRow,
  numberAddresses,
  PUBLISH_COLUMNS,
  publishRows,
  pythonStr,
  recordId,
  socTime,
  tmsrRow,
} from '../../../src/entries/bt/publish-rows.js'
import { InputError } from '../../../src/support/errors.js'
import { md5Hex } from '../../../src/util/hash.js'

const DEVICES = [
  { device_name: 'anderson_mill_bethany', device_id: 'id-amb' },
  { device_name: 'lamar_mlk', device_id: 'id-mlk' },
  { device_name: 'lamar_6th', device_id: 'id-6th' },
  { device_name: '51st_springdale', device_id: 'id-51s' },
  { device_name: '51st_manor', device_id: 'id-51m' },
]
const NAMES = new Map(DEVICES.map((d) => [d.device_id, d.device_name]))

/** The sample rows of spec §11.1/§11.5 after standardize and ready. */
const IAF_LINE = {
  host_timestamp: '2019-06-01 00:00:00-05:00',
  ip_address: '172.16.132.68',
  field_timestamp: '2019-05-31 23:59:56-05:00',
  reader_id: 'anderson_mill_bethany',
  dev_addr: 'MDY6RUY6QUY6QTA6NzM=',
  device_id: 'id-amb',
}
const ITMF_LINE = {
  dev_addr: 'RDM6QzI6NjE6RDA6MDM=',
  origin_reader_id: 'lamar_mlk',
  dest_reader_id: 'lamar_6th',
  start_time: '2019-05-31 23:48:20-05:00',
  end_time: '2019-05-31 23:59:46-05:00',
  travel_time_secs: '686',
  speed: '5',
  match_validity: 'invalid',
  filter_id: '125',
  origin_device_id: 'id-mlk',
  dest_device_id: 'id-6th',
}
const TMSR_LINE = {
  origin_reader_id: '51st_springdale',
  dest_reader_id: '51st_manor',
  origin_road: '51st',
  origin_cross_st: 'Springdale',
  origin_dir: 'Westbound',
  dest_road: '51st',
  dest_cross_st: 'Manor',
  dest_dir: 'Eastbound',
  seg_length: '0.633',
  timestamp: '2019-06-01 00:00:00-05:00',
  avg_travel_time: '-1',
  avg_speed: '-1',
  interval: '15',
  samples: '0',
  std_dev: '-1',
  origin_device_id: 'id-51s',
  dest_device_id: 'id-51m',
}

describe('entries/bt/publish-rows', () => {
  describe('record_id vectors (spec §9.4)', () => {
    it('IAF: 2019-06-01T00:00:00 + anderson_mill_bethany + 1', () => {
      const row = iafRow(IAF_LINE, NAMES, createDeviceNumbering())
      expect(row).to.deep.equal({
        host_read_time: '2019-06-01T00:00:00',
        field_device_read_time: '2019-05-31T23:59:56',
        reader_identifier: 'anderson_mill_bethany',
        device_address: 1,
        record_id: 'e2ee4628d9685e9f18098ad3a9e35605',
      })
    })

    it('ITMF: 2019-05-31T23:48:20 + 2019-05-31T23:59:46 + lamar_mlk + lamar_6th + 1', () => {
      const row = itmfRow(ITMF_LINE, NAMES, createDeviceNumbering())
      expect(row).to.deep.equal({
        device_address: 1,
        origin_reader_identifier: 'lamar_mlk',
        destination_reader_identifier: 'lamar_6th',
        travel_time_seconds: '686',
        speed_miles_per_hour: '5',
        match_validity: 'invalid',
        filter_identifier: '125',
        start_time: '2019-05-31T23:48:20',
        end_time: '2019-05-31T23:59:46',
        day_of_week: 'Friday',
        record_id: '34fecbdad8f23fa1e7a820841a31b8b5',
      })
    })

    it('TMSR: 2019-06-01T00:00:00 + 51st_springdale + 51st_manor + 0.633', () => {
      const row = tmsrRow(TMSR_LINE, NAMES)
      expect(row.record_id).to.equal('56a11f1cdbeaac47d33d4cf061752ae8')
      expect(Object.keys(row)).to.deep.equal([...PUBLISH_COLUMNS.traf_match_summary, 'record_id'])
      expect(row).to.include({
        origin_reader_identifier: '51st_springdale',
        destination_reader_identifier: '51st_manor',
        origin_roadway: '51st',
        origin_cross_street: 'Springdale',
        destination_direction: 'Eastbound',
        segment_length_miles: '0.633',
        timestamp: '2019-06-01T00:00:00',
        average_travel_time_seconds: '-1',
        standard_deviation: '-1',
      })
    })

    it('columns follow the original order, record_id last', () => {
      expect(Object.keys(iafRow(IAF_LINE, NAMES, createDeviceNumbering()))).to.deep.equal([
        ...PUBLISH_COLUMNS.unmatched,
        'record_id',
      ])
      expect(Object.keys(itmfRow(ITMF_LINE, NAMES, createDeviceNumbering()))).to.deep.equal([
        ...PUBLISH_COLUMNS.matched,
        'record_id',
      ])
    })
  })

  describe('pythonStr and recordId', () => {
    const cases: [unknown, string][] = [
      ['abc', 'abc'],
      ['', ''],
      [null, 'None'],
      [undefined, 'None'],
      [true, 'True'],
      [12, '12'],
      [0.633, '0.633'],
      [Number.NaN, 'nan'],
    ]
    for (const [value, text] of cases)
      it(`str(${String(value)}) → ${text}`, () => expect(pythonStr(value)).to.equal(text))

    it('hashes the concatenation with a fresh hash per row', () => {
      expect(recordId({ a: 'x', b: 2, c: null }, ['c', 'a', 'b'])).to.equal(md5Hex('Nonex2'))
    })
  })

  describe('socTime and dayOfWeek (wall time in the text’s own offset)', () => {
    const cases: [string, string, string][] = [
      ['2019-06-01 00:00:00-05:00', '2019-06-01T00:00:00', 'Saturday'],
      ['2019-05-31 23:59:46-05:00', '2019-05-31T23:59:46', 'Friday'],
      ['2019-06-01 00:00:13.600000-05:00', '2019-06-01T00:00:13', 'Saturday'],
      ['2019-03-10 02:30:00-06:00', '2019-03-10T02:30:00', 'Sunday'],
      ['2019-03-10 03:30:00-05:00', '2019-03-10T03:30:00', 'Sunday'],
      ['2019-11-03 01:30:00-05:00', '2019-11-03T01:30:00', 'Sunday'],
      ['2019-11-03 01:30:00-06:00', '2019-11-03T01:30:00', 'Sunday'],
      ['2019-11-04 00:00:00-06:00', '2019-11-04T00:00:00', 'Monday'],
      ['2019-06-01T05:00:00Z', '2019-06-01T05:00:00', 'Saturday'],
      ['2019-06-01 00:00', '2019-06-01T00:00:00', 'Saturday'],
    ]
    for (const [text, soc, weekday] of cases) {
      it(`${text} → ${soc}, ${weekday}`, () => {
        expect(socTime(text)).to.equal(soc)
        expect(dayOfWeek(text)).to.equal(weekday)
      })
    }

    it('keeps null as null and rejects text that is no time', () => {
      expect(socTime(null)).to.equal(null)
      expect(dayOfWeek(null)).to.equal(null)
      expect(() => socTime('2019-02-30 00:00:00-06:00', 'start_time')).to.throw(InputError, 'start_time')
      expect(() => socTime('06/01/2019 12:00:00 AM')).to.throw(InputError)
      expect(() => socTime(5)).to.throw(InputError)
    })
  })

  describe('null field times (the original crashed, spec §10b)', () => {
    it('publishes a null field time as null; the record_id does not use it', () => {
      const row = iafRow({ ...IAF_LINE, field_timestamp: null }, NAMES, createDeviceNumbering())
      expect(row.field_device_read_time).to.equal(null)
      expect(row.record_id).to.equal('e2ee4628d9685e9f18098ad3a9e35605')
    })

    it('hashes a null host time as None', () => {
      const row = iafRow({ ...IAF_LINE, host_timestamp: null }, NAMES, createDeviceNumbering())
      expect(row.host_read_time).to.equal(null)
      expect(row.record_id).to.equal(md5Hex('Noneanderson_mill_bethany1'))
    })

    it('gives a null day_of_week with a null start time', () => {
      const row = itmfRow({ ...ITMF_LINE, start_time: null }, NAMES, createDeviceNumbering())
      expect([row.start_time, row.day_of_week]).to.deep.equal([null, null])
    })
  })

  describe('daily device numbering', () => {
    it('gives each new address the next integer; "" and null are addresses too', () => {
      const numbering = createDeviceNumbering()
      expect(['a', 'b', 'a', '', null, undefined, 'c', ''].map((x) => numbering.number(x))).to.deep.equal([
        1, 2, 1, 3, 4, 4, 5, 3,
      ])
      expect(numbering.size).to.equal(5)
    })

    it('numbers ITMF first and lets IAF continue the same map within a day', () => {
      const numbering = createDeviceNumbering()
      const itmf = publishRows(
        'matched',
        {
          data: [ITMF_LINE, { ...ITMF_LINE, dev_addr: 'X' }, ITMF_LINE],
          devices: DEVICES,
        },
        numbering,
      )
      const iaf = publishRows(
        'unmatched',
        {
          data: [{ ...IAF_LINE, dev_addr: 'Y' }, { ...IAF_LINE, dev_addr: 'X' }, IAF_LINE],
          devices: DEVICES,
        },
        numbering,
      )
      expect(itmf.map((r) => r.device_address)).to.deep.equal([1, 2, 1])
      expect(iaf.map((r) => r.device_address)).to.deep.equal([3, 2, 4])
      expect(iaf[1]?.record_id).to.equal(md5Hex('2019-06-01T00:00:00anderson_mill_bethany2'))
    })

    it('priming from the ITMF rows gives the same IAF numbers as publishing them', () => {
      const numbering = createDeviceNumbering()
      numberAddresses([ITMF_LINE, { ...ITMF_LINE, dev_addr: 'X' }], numbering)
      const iaf = publishRows(
        'unmatched',
        { data: [{ ...IAF_LINE, dev_addr: 'X' }, IAF_LINE], devices: DEVICES },
        numbering,
      )
      expect(iaf.map((r) => r.device_address)).to.deep.equal([2, 3])
    })

    it('a new day starts again at 1', () => {
      const day1 = createDeviceNumbering()
      const day2 = createDeviceNumbering()
      publishRows('unmatched', { data: [IAF_LINE, { ...IAF_LINE, dev_addr: 'Z' }], devices: DEVICES }, day1)
      const rows = publishRows(
        'unmatched',
        { data: [{ ...IAF_LINE, dev_addr: 'Z' }], devices: DEVICES },
        day2,
      )
      expect(rows[0]?.device_address).to.equal(1)
    })

    it('TMSR rows leave the numbering alone', () => {
      const numbering = createDeviceNumbering()
      publishRows('traf_match_summary', { data: [TMSR_LINE, TMSR_LINE], devices: DEVICES }, numbering)
      expect(numbering.size).to.equal(0)
    })
  })

  describe('input checks', () => {
    it('a row referencing an unknown device is an InputError', () => {
      expect(() => iafRow({ ...IAF_LINE, device_id: 'nope' }, NAMES, createDeviceNumbering())).to.throw(
        InputError,
        'nope',
      )
    })

    it('asReadyInput accepts {data, devices} only', () => {
      expect(asReadyInput({ header: {}, data: [], devices: [] }, 'x').devices).to.deep.equal([])
      for (const bad of [null, { data: [] }, { devices: [] }, { data: [1], devices: [] }]) {
        expect(() => asReadyInput(bad, 'r.json')).to.throw(InputError, 'r.json')
      }
    })

    it('a repeated device_id keeps the last device name', () => {
      const devices = [...DEVICES, { device_name: 'renamed', device_id: 'id-amb' }]
      const [row] = publishRows('unmatched', { data: [IAF_LINE], devices }, createDeviceNumbering())
      expect(row?.reader_identifier).to.equal('renamed')
    })
  })
})
