import { expect } from 'chai'
import { gsPublishRow, gsRecordId, intersectionName } from '../../../src/entries/gs/publish-row.js'
import { md5Hex } from '../../../src/util/hash.js'
import { pyFloat } from '../../../src/util/py-json.js'

const DEVICE = { atd_device_id: 6548, primary_st: ' BURNET RD', cross_st: 'RICHCREEK RD ', reversed: false }
const OPTS = { binDurationSec: 900, noUnassigned: false }

const agg = (fields: Record<string, unknown> = {}) => ({
  timestamp: '2019-06-01 00:00:00-05:00',
  zone_approach: 'Eastbound',
  turn: 'S',
  heavy_vehicle: 1,
  volume: 3,
  speed_avg: pyFloat(22.5),
  speed_std: pyFloat(0),
  seconds_in_zone_avg: pyFloat(1.3),
  seconds_in_zone_std: pyFloat(1.084),
  ...fields,
})

describe('GRIDSMART Socrata rows (spec §9.13)', () => {
  it('record_id test vector of the spec', () => {
    expect(gsRecordId('BURNET RD / RICHCREEK RD', '2019-06-01T00:00:00', true, 'EASTBOUND', 'THRU')).to.equal(
      '917670d982798f49b6a6de48ff959156',
    )
  })

  it('maps a row to the published record, in column order', () => {
    const { row, notes } = gsPublishRow(agg(), DEVICE, OPTS)
    expect(notes).to.deep.equal([])
    expect(row).to.deep.equal({
      atd_device_id: 6548,
      read_date: '2019-06-01T00:00:00',
      intersection_name: 'BURNET RD / RICHCREEK RD',
      direction: 'EASTBOUND',
      movement: 'THRU',
      heavy_vehicle: true,
      volume: 3,
      speed_average: 22.5,
      speed_stddev: 0,
      seconds_in_zone_average: 1.3,
      seconds_in_zone_stddev: 1.084,
      month: 6,
      day: 1,
      year: 2019,
      hour: 0,
      minute: 0,
      day_of_week: 6,
      bin_duration: 900,
      record_id: '917670d982798f49b6a6de48ff959156',
    })
    expect(Object.keys(row ?? {})[0]).to.equal('atd_device_id')
  })

  const directions: [string, string | null][] = [
    ['Southbound', 'SOUTHBOUND'],
    ['Northbound', 'NORTHBOUND'],
    ['Westbound', 'WESTBOUND'],
    ['Unassigned', 'UNASSIGNED'],
    ['Sideways', null],
  ]
  for (const [approach, direction] of directions) {
    it(`direction ${approach} → ${direction}`, () => {
      expect(gsPublishRow(agg({ zone_approach: approach }), DEVICE, OPTS).row?.direction ?? null).to.equal(
        direction,
      )
    })
  }

  const movements: [string, string, boolean][] = [
    ['S', 'THRU', false],
    ['L', 'LEFT TURN', false],
    ['R', 'RIGHT TURN', false],
    ['U', 'U-TURN', false],
    ['X', 'X', true],
  ]
  for (const [turn, movement, warned] of movements) {
    it(`movement ${turn} → ${movement}`, () => {
      const { row, notes } = gsPublishRow(agg({ turn }), DEVICE, OPTS)
      expect(row?.movement).to.equal(movement)
      expect(notes.includes('unknown-movement')).to.equal(warned)
    })
  }

  it('-u leaves out Unassigned; without it they are published with a counted note', () => {
    const row = agg({ zone_approach: 'Unassigned' })
    expect(gsPublishRow(row, DEVICE, { ...OPTS, noUnassigned: true })).to.deep.equal({
      row: null,
      notes: ['unassigned-skipped'],
    })
    expect(gsPublishRow(row, DEVICE, OPTS).notes).to.deep.equal(['unassigned'])
  })

  it('heavy 0 hashes False; -a 5 gives bin_duration 300; local wall time, Sunday = 0; NaN → null', () => {
    const row = agg({ heavy_vehicle: 0, timestamp: '2019-11-03 01:05:00-06:00', speed_avg: Number.NaN })
    const out = gsPublishRow(row, DEVICE, { binDurationSec: 300, noUnassigned: false }).row
    expect(out).to.deep.include({
      read_date: '2019-11-03T01:05:00',
      heavy_vehicle: false,
      hour: 1,
      minute: 5,
      day_of_week: 0,
      bin_duration: 300,
      speed_average: null,
      record_id: md5Hex('BURNET RD / RICHCREEK RD2019-11-03T01:05:00FalseEASTBOUNDTHRU'),
    })
  })

  it('null streets count as empty', () => {
    expect(intersectionName({ primary_st: null, cross_st: '6TH ST' })).to.equal(' / 6TH ST')
  })
})
