import { expect } from 'chai'
import { columnKind, deviceFrame, frameRecord, pyStrOf } from '../../../src/entries/wt/device-frame.js'
import { readyWt, wtDeviceId } from '../../../src/entries/wt/ready.js'
import { md5Hex } from '../../../src/util/hash.js'
import { pyFloat, stringifyPy } from '../../../src/util/py-json.js'

const DEVICES = [
  {
    device_type: 'RADAR',
    atd_device_id: 900,
    device_name: null,
    device_ip: '10.0.0.1',
    lat: 30,
    lon: -97.75,
    primary_st: 'A',
    kits_id: 1,
  },
  {
    device_type: 'RADAR',
    atd_device_id: 901,
    device_name: 'r2',
    device_ip: '10.0.0.2',
    lat: 30.5,
    lon: -97.5,
    primary_st: null,
    kits_id: 2,
  },
  {
    device_type: 'RADAR',
    atd_device_id: 902,
    device_name: null,
    device_ip: '10.0.0.3',
    lat: null,
    lon: -97.25,
    primary_st: 'C',
    kits_id: 2,
  },
  {
    device_type: 'RADAR',
    atd_device_id: 903,
    device_name: null,
    device_ip: '10.0.0.4',
    lat: 30.25,
    lon: -97,
    primary_st: 'D',
    kits_id: null,
  },
]
const DATA = [
  { detID: 5, intID: 2, curDateTime: '2020-09-13 00:15:00-05:00', volume: 1 },
  { detID: 1, intID: 1, curDateTime: '2020-09-13 00:15:00-05:00', volume: 2 },
  { detID: 3, intID: 3, curDateTime: '2020-09-13 00:00:00-05:00', volume: 3 },
  { detID: 2, intID: 2, curDateTime: '2020-09-13 00:00:00-05:00', volume: 4 },
]
const HEADER = {
  data_type: 'wavetronix',
  origin_filename: 'Austin_wt_2020-09-13.csv',
  target_filename: 'Austin_wt_2020-09-13.json',
  collection_date: '2020-09-13 00:00:00-05:00',
  processing_date: '2020-09-14 03:30:00-05:00',
}

describe('Wavetronix ready (spec §9.7)', () => {
  it('hashes device_id from the Python str() of type, name, ip, lat and lon', () => {
    const frame = deviceFrame(DEVICES)
    const ids = DEVICES.map((d) => wtDeviceId(frameRecord(d, frame)))
    expect(ids).to.deep.equal([
      md5Hex('RADARNone10.0.0.130.0-97.75'),
      md5Hex('RADARr210.0.0.230.5-97.5'),
      md5Hex('RADARNone10.0.0.3nan-97.25'),
      md5Hex('RADARNone10.0.0.430.25-97.0'),
    ])
    expect(ids.slice(0, 3)).to.deep.equal([
      'b2dabb31084f0c0417d24f4040c390ed',
      'af4d1d6e04c2564b7b7d731e55ce0f1c',
      'd15e7d5f35163fd1b3856d328a2c49fe',
    ])
    const noCoordinates = { device_type: 'RADAR', device_name: 'x', device_ip: null, lat: null, lon: null }
    expect(wtDeviceId(frameRecord(noCoordinates, deviceFrame([noCoordinates])))).to.equal(
      md5Hex('RADARxNoneNoneNone'),
    )
  })

  it('infers the pandas kind of each unit-data column', () => {
    const cases: [string, unknown[], string][] = [
      ['kits_id', [1, 2], 'int'],
      ['kits_id', [1, null], 'float'],
      ['kits_id', [1, 2.5], 'float'],
      ['lat', [30, 31], 'float'],
      ['device_name', [null, null], 'object'],
      ['device_name', ['a', null], 'object'],
      ['mixed', [1, 'a'], 'object'],
      ['flag', [true, false], 'bool'],
      ['flag', [true, null], 'object'],
      ['gap', [1, undefined], 'float'],
    ]
    for (const [name, values, kind] of cases)
      expect(columnKind(name, values), `${name} ${values}`).to.equal(kind)
    const cells: [unknown, string][] = [
      [null, 'None'],
      [Number.NaN, 'nan'],
      [Number.POSITIVE_INFINITY, 'inf'],
      [pyFloat(30), '30.0'],
      [30, '30'],
      [-97.7539673, '-97.7539673'],
      [true, 'True'],
      ['text', 'text'],
    ]
    for (const [value, text] of cells) expect(pyStrOf(value)).to.equal(text)
  })

  it('inner-joins rows on intID == kits_id, sorts by curDateTime then detID, keeps referenced devices', () => {
    const ready = readyWt({ header: HEADER, data: DATA }, DEVICES, '2020-09-14 06:30:00.250000-05:00')
    expect(stringifyPy(ready)).to.equal(
      '{"header": {"data_type": "wavetronix", "origin_filename": "Austin_wt_2020-09-13.csv", ' +
        '"target_filename": "Austin_wt_2020-09-13.json", "collection_date": "2020-09-13 00:00:00-05:00", ' +
        '"processing_date": "2020-09-14 06:30:00.250000-05:00"}, "data": [' +
        '{"detID": 2, "intID": 2, "curDateTime": "2020-09-13 00:00:00-05:00", "volume": 4, ' +
        '"device_id": "af4d1d6e04c2564b7b7d731e55ce0f1c"}, ' +
        '{"detID": 2, "intID": 2, "curDateTime": "2020-09-13 00:00:00-05:00", "volume": 4, ' +
        '"device_id": "d15e7d5f35163fd1b3856d328a2c49fe"}, ' +
        '{"detID": 1, "intID": 1, "curDateTime": "2020-09-13 00:15:00-05:00", "volume": 2, ' +
        '"device_id": "b2dabb31084f0c0417d24f4040c390ed"}, ' +
        '{"detID": 5, "intID": 2, "curDateTime": "2020-09-13 00:15:00-05:00", "volume": 1, ' +
        '"device_id": "af4d1d6e04c2564b7b7d731e55ce0f1c"}, ' +
        '{"detID": 5, "intID": 2, "curDateTime": "2020-09-13 00:15:00-05:00", "volume": 1, ' +
        '"device_id": "d15e7d5f35163fd1b3856d328a2c49fe"}], "devices": [' +
        '{"device_type": "RADAR", "atd_device_id": 900, "device_name": null, "device_ip": "10.0.0.1", ' +
        '"lat": 30.0, "lon": -97.75, "primary_st": "A", "kits_id": 1.0, ' +
        '"device_id": "b2dabb31084f0c0417d24f4040c390ed"}, ' +
        '{"device_type": "RADAR", "atd_device_id": 901, "device_name": "r2", "device_ip": "10.0.0.2", ' +
        '"lat": 30.5, "lon": -97.5, "primary_st": null, "kits_id": 2.0, ' +
        '"device_id": "af4d1d6e04c2564b7b7d731e55ce0f1c"}, ' +
        '{"device_type": "RADAR", "atd_device_id": 902, "device_name": null, "device_ip": "10.0.0.3", ' +
        '"lat": NaN, "lon": -97.25, "primary_st": "C", "kits_id": 2.0, ' +
        '"device_id": "d15e7d5f35163fd1b3856d328a2c49fe"}]}',
    )
  })

  it('keeps integer columns as ints when no device has a gap, and produces empty lists for no rows', () => {
    const devices = [DEVICES[0], { ...DEVICES[1], lat: 31, primary_st: 'B' }] as typeof DEVICES
    const ready = readyWt({ header: HEADER, data: DATA }, devices, 'now')
    expect(stringifyPy(ready.devices.map((d) => [d.kits_id, d.lat]))).to.equal('[[1, 30.0], [2, 31.0]]')
    const empty = readyWt({ header: HEADER, data: [] }, devices, 'now')
    expect([empty.data, empty.devices]).to.deep.equal([[], []])
    expect(readyWt({ header: HEADER, data: DATA }, [], 'now').data).to.deep.equal([])
  })
})
