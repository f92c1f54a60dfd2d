import { expect } from 'chai'
import {
  aggregateCounts,
  heavyVehicle,
  meanStd,
  round3,
  siteMovements,
} from '../../../src/entries/gs/aggregate.js'
import { stringifyPy } from '../../../src/util/py-json.js'

const NB = 'ae256bab37dc499e88829cfd5a0fde6b'
const EB = '2c6dff02cb0c4da0adc528dd1946df40'
const HIDDEN = '11111111222233334444555555555555'

const SITE = {
  CameraDevices: [
    {
      Fisheye: {
        IsConfigured: true,
        CameraMasks: {
          ZoneMasks: [
            { Vehicle: { Id: NB, ApproachType: 'Northbound', TurnType: 'Left', IncludeInData: true } },
            { Vehicle: { Id: EB, ApproachType: 'Eastbound', TurnType: 'Straight', IncludeInData: true } },
            { Vehicle: { Id: HIDDEN, ApproachType: 'Unassigned', TurnType: 'Right', IncludeInData: false } },
          ],
        },
      },
    },
  ],
}

const row = (zone: string, t: string, fields: Record<string, unknown> = {}) => ({
  zone,
  timestamp_adj: t,
  turn: 'L',
  vehicle_length: 20,
  speed: 0,
  seconds_in_zone: 1,
  ...fields,
})

describe('GRIDSMART aggregation (spec §9.12)', () => {
  it('reproduces the agg row of spec §11.5 exactly (JSON text included)', () => {
    const seconds = [0.1, 0.2, 1.8, 1.9, 2.5]
    const rows = seconds.map((s, i) =>
      row(NB, `2019-06-01 00:0${i * 2}:00-05:00`, {
        seconds_in_zone: s,
        vehicle_length: i === 4 ? null : 17 + i,
      }),
    )
    const result = aggregateCounts(rows, SITE, 15)
    expect(result.missingLength).to.equal(1)
    expect(stringifyPy(result.rows)).to.equal(
      '[{"timestamp": "2019-06-01 00:00:00-05:00", "zone_approach": "Northbound", "turn": "L", "heavy_vehicle": 1, ' +
        '"volume": 5, "speed_avg": 0.0, "speed_std": 0.0, "seconds_in_zone_avg": 1.3, "seconds_in_zone_std": 1.084}]',
    )
  })

  it('groups by bin, approach, turn (from the row) and heavy flag, sorted by those keys; unknown zones dropped', () => {
    const rows = [
      row(NB, '2019-06-01 00:20:00-05:00', { turn: 'U', vehicle_length: 10, speed: 30 }),
      row(EB, '2019-06-01 00:14:59.900000-05:00', { turn: 'S', vehicle_length: 16.9, speed: 20 }),
      row(EB, '2019-06-01 00:01:00-05:00', { turn: 'S', vehicle_length: 40, speed: 10 }),
      row(NB, '2019-06-01 00:05:00-05:00', { turn: 'L', vehicle_length: 12, speed: 25 }),
      row(EB, '2019-06-01 00:03:00-05:00', { turn: 'S', vehicle_length: 5, speed: 24 }),
      row('ffffffffffffffffffffffffffffffff', '2019-06-01 00:03:00-05:00'),
      row(HIDDEN, '2019-06-01 00:03:00-05:00', { turn: 'R' }),
      row(NB, '2019-06-01 00:04:00-05:00', { turn: null }),
    ]
    const result = aggregateCounts(rows, SITE, 15)
    expect(result.unknownZone).to.equal(1)
    expect(result.nullKey).to.equal(1)
    expect(
      result.rows.map((r) => [
        r.timestamp,
        r.zone_approach,
        r.turn,
        r.heavy_vehicle,
        r.volume,
        +r.speed_avg,
        +r.speed_std,
      ]),
    ).to.deep.equal([
      ['2019-06-01 00:00:00-05:00', 'Eastbound', 'S', 0, 2, 22, 2.828],
      ['2019-06-01 00:00:00-05:00', 'Eastbound', 'S', 1, 1, 10, 0],
      ['2019-06-01 00:00:00-05:00', 'Northbound', 'L', 0, 1, 25, 0],
      ['2019-06-01 00:00:00-05:00', 'Unassigned', 'R', 1, 1, 0, 0],
      ['2019-06-01 00:15:00-05:00', 'Northbound', 'U', 0, 1, 30, 0],
    ])
  })

  it('-a 5 gives 5-minute bins', () => {
    const rows = ['00:00:00', '00:04:59', '00:05:00', '00:14:00'].map((t) => row(NB, `2019-06-01 ${t}-05:00`))
    const result = aggregateCounts(rows, SITE, 5)
    expect(result.rows.map((r) => [r.timestamp, r.volume])).to.deep.equal([
      ['2019-06-01 00:00:00-05:00', 2],
      ['2019-06-01 00:05:00-05:00', 1],
      ['2019-06-01 00:10:00-05:00', 1],
    ])
  })

  it('2019-11-03: the two passes of 01:00 are separate bins, labelled with their own offsets', () => {
    const rows = ['2019-11-03 01:05:00-06:00', '2019-11-03 01:05:00-05:00', '2019-11-03 01:14:00-05:00'].map(
      (t) => row(NB, t),
    )
    const result = aggregateCounts(rows, SITE, 15)
    expect(result.rows.map((r) => [r.timestamp, r.volume])).to.deep.equal([
      ['2019-11-03 01:00:00-05:00', 2],
      ['2019-11-03 01:00:00-06:00', 1],
    ])
  })

  it('2019-03-10: bins either side of the skipped hour', () => {
    const rows = ['2019-03-10 01:55:00-06:00', '2019-03-10 03:05:00-05:00'].map((t) => row(NB, t))
    const result = aggregateCounts(rows, SITE, 15)
    expect(result.rows.map((r) => r.timestamp)).to.deep.equal([
      '2019-03-10 01:45:00-06:00',
      '2019-03-10 03:00:00-05:00',
    ])
  })

  it('all-missing speeds give NaN; a single value gives std 0', () => {
    const rows = [
      row(NB, '2019-06-01 00:01:00-05:00', { speed: null }),
      row(NB, '2019-06-01 00:02:00-05:00', { speed: Number.NaN }),
    ]
    const [agg] = aggregateCounts(rows, SITE, 15).rows
    expect(stringifyPy(agg)).to.include('"speed_avg": NaN, "speed_std": NaN')
    expect(meanStd([3, null])).to.deep.equal([3, 0])
  })

  it('helpers: heavy threshold 17 ft (missing = heavy), numpy rounding, movements of every mask', () => {
    expect([16.9, 17, null, undefined, Number.NaN, 'x'].map(heavyVehicle)).to.deep.equal([0, 1, 1, 1, 1, 1])
    expect([1.0845, 2.5e-3, 0.0005, 0.0015, 1.08397416943394].map(round3)).to.deep.equal([
      1.084, 0.002, 0, 0.002, 1.084,
    ])
    expect([...siteMovements(SITE).keys()]).to.deep.equal([NB, EB, HIDDEN])
  })
})
