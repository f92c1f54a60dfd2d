import { expect } from 'chai'
import {
  clockCorrection,
  convertCountCsv,
  parseUsTime,
  v4Instant,
  v8TimeOfDayMs,
  zoneLabelOffset,
} from '../../../src/entries/gs/counts.js'
import { InputError } from '../../../src/support/errors.js'
import { parseTimestamp } from '../../../src/util/dates.js'
import { stringifyPy } from '../../../src/util/py-json.js'
import { WORKED_DATETIME } from './gs-fixtures.js'

const JUNE_1 = parseTimestamp('2019-06-01')
const worked = clockCorrection(WORKED_DATETIME)
const noDrift = { deltaMs: 0, labelOffsetMinutes: -300 }
const hms = (h: number, m: number, s: number, ms = 0) => ((h * 60 + m) * 60 + s) * 1000 + ms

describe('gs counts: clock correction (spec §9.10 step 7, §10 item 29)', () => {
  it('reproduces the worked example: deviceTime 07:31:55Z, timeDelta −00:58:07', () => {
    expect(worked).to.deep.equal({ deltaMs: -(58 * 60 + 7) * 1000, labelOffsetMinutes: -300 })
  })

  const labels: [string, number | null][] = [
    ['(UTC-05:00) Eastern Time (US & Canada)', -300],
    ['(UTC-06:00) Central Time (US & Canada)', -360],
    ['(UTC-07:00) Mountain Time (US & Canada)', -420],
    ['(UTC+05:30) Chennai, Kolkata', 330],
    ['(UTC) Coordinated Universal Time', 0],
    ['(UTC-0500) already without colon', -300],
    ['Central Standard Time', null],
    ['(UTC-25:00) nonsense', null],
  ]
  for (const [label, offset] of labels) {
    it(`zone label ${JSON.stringify(label)} → ${offset}`, () =>
      expect(zoneLabelOffset(label)).to.equal(offset))
  }

  const times: [string, number | null][] = [
    ['06/02/2019 06:33:48 AM', Date.UTC(2019, 5, 2, 6, 33, 48)],
    ['6/2/2019 2:31:55 AM', Date.UTC(2019, 5, 2, 2, 31, 55)],
    ['6/2/2019 12:00:01 AM', Date.UTC(2019, 5, 2, 0, 0, 1)],
    ['6/2/2019 12:00:01 PM', Date.UTC(2019, 5, 2, 12, 0, 1)],
    ['6/2/2019 1:00:00 pm', Date.UTC(2019, 5, 2, 13)],
    ['2/30/2019 1:00:00 AM', null],
    ['6/2/2019 13:00:00 PM', null],
    ['2019-06-02 06:33:48', null],
  ]
  for (const [text, ms] of times) {
    it(`parses ${JSON.stringify(text)} (%m/%d/%Y %I:%M:%S %p)`, () => expect(parseUsTime(text)).to.equal(ms))
  }

  it('a device in a Central label whose clock is right has no correction; drift is the difference', () => {
    const synced = {
      DateTime: '6/2/2019 1:33:48 AM',
      TimeZoneId: '(UTC-05:00) Central',
      HostTimeUTC: '06/02/2019 06:33:48 AM',
    }
    expect(clockCorrection(synced).deltaMs).to.equal(0)
    const slow = { ...synced, DateTime: '6/2/2019 1:03:48 AM' }
    expect(clockCorrection(slow).deltaMs).to.equal(30 * 60_000)
  })

  it('names the missing or unparseable field', () => {
    const { HostTimeUTC: _h, ...noHost } = WORKED_DATETIME
    expect(() => clockCorrection(noHost)).to.throw(InputError, /HostTimeUTC is missing/)
    expect(() => clockCorrection(undefined)).to.throw(InputError, /missing/)
    expect(() => clockCorrection({ ...WORKED_DATETIME, TimeZoneId: 'Eastern' })).to.throw(
      InputError,
      /TimeZoneId/,
    )
  })
})

describe('gs counts: v8 time of day and v4 timestamps', () => {
  const table: [string, number][] = [
    ['105452.4', hms(10, 54, 52, 400)],
    ['15820.0', hms(1, 58, 20)],
    ['18.6', hms(0, 0, 18, 600)],
    ['0', 0],
    ['18.25', hms(0, 0, 18, 200)], // half-even: 2.5 → 2
    ['18.35', hms(0, 0, 18, 400)], // half-even: 3.5 → 4
    ['18.251', hms(0, 0, 18, 300)],
    // §10 item 18: tenths rounding to 10 carry into the next second (the original dropped these rows)
    ['105452.96', hms(10, 54, 53)],
    ['105459.95', hms(10, 55, 0)],
    ['235959.97', hms(24, 0, 0)],
  ]
  for (const [cell, ms] of table) {
    it(`HHMMSS.f ${cell} → ${ms} ms after midnight`, () => expect(v8TimeOfDayMs(cell)).to.equal(ms))
  }
  for (const bad of ['246000', '106000.0', '105960', 'abc', '', '-5.0', '1e3']) {
    it(`rejects ${JSON.stringify(bad)}`, () => expect(() => v8TimeOfDayMs(bad)).to.throw(InputError))
  }
  it('reads v4 YYYYMMDDTHHMMSS[.f…] as UTC', () => {
    expect(v4Instant('20180321T101530.5')).to.equal(Date.UTC(2018, 2, 21, 10, 15, 30, 500))
    expect(v4Instant('20180321T101530')).to.equal(Date.UTC(2018, 2, 21, 10, 15, 30))
    expect(v4Instant('20180321T101530.123456')).to.equal(Date.UTC(2018, 2, 21, 10, 15, 30, 123))
    expect(() => v4Instant('20180231T101530')).to.throw(InputError)
  })
})

describe('gs counts: convertCountCsv', () => {
  it('§11.3 v8 sample lines → the §11.5 rawjson row and day_covered −1 (worked example)', () => {
    // The §11.5 value 22:02:11.6 CDT = 03:02:11.6Z; + 58:07 = 04:00:18.6Z, i.e. timestamp 18.6 with utc_offset −240.
    const csv = [
      '8,23,18.6,-240,S,14,26,G,0.4,0,466.02,0.0,35,32',
      '8,23,15820.0,-240,S,14,26,G,0.4,0,466.02,0.0,35,32',
      '8,23,105452.4,-300,L,11,13,R,2,2,2,0,22,23',
    ].join('\r\n')
    const zone = convertCountCsv(`${csv}\r\n`, { day: JUNE_1, correction: worked })
    expect(zone.version).to.equal(8)
    expect(zone.rows.map((r) => r.timestamp_adj)).to.deep.equal([
      '2019-05-31 22:02:11.600000-05:00',
      '2019-06-01 00:00:13-05:00',
      '2019-06-01 09:56:45.400000-05:00',
    ])
    expect(stringifyPy(zone.rows[2])).to.equal(
      '{"count_version": 8, "site_version": 23, "timestamp": 105452.4, "utc_offset": -300, "turn": "L", ' +
        '"vehicle_length": 11, "speed": 13, "light_state": "R", "seconds_in_zone": 2.0, "vehicles_in_zone": 2, ' +
        '"light_state_sec": 2.0, "sec_since_green": 0.0, "zone_freeflow_speed": 22, "zone_freeflow_speed_cal": 23, ' +
        '"timestamp_adj": "2019-06-01 09:56:45.400000-05:00"}',
    )
    expect(stringifyPy(zone.rows[1]?.timestamp)).to.equal('15820.0')
    expect(zone.dayCovered).to.equal(-1)
    expect(zone.parsed).to.deep.equal({
      count: 3,
      min: Date.UTC(2019, 5, 1, 4, 0, 18, 600),
      max: Date.UTC(2019, 5, 1, 15, 54, 52, 400),
    })
  })

  const covered: [string, number, number][] = [
    ['clock right, Central device', 0, 0],
    ['device 10 min slow (starts after midnight)', 10 * 60_000, 1],
    ['device 10 min fast', -10 * 60_000, -1],
  ]
  for (const [what, deltaMs, expected] of covered) {
    it(`day_covered ${expected}: ${what}`, () => {
      const zone = convertCountCsv('8,23,100.0,-300,S,14,26,G,0.4,0,1,0.0,35,32', {
        day: JUNE_1,
        correction: { deltaMs, labelOffsetMinutes: -300 },
      })
      expect(zone.dayCovered).to.equal(expected)
    })
  }

  it('DST fall-back day: both passes of 01:30 stay distinct (utc_offset −300 then −360)', () => {
    const day = parseTimestamp('2019-11-03')
    const zone = convertCountCsv(
      '8,23,13000.0,-300,S,1,1,G,1,0,1,0,1,1\n8,23,13000.0,-360,S,1,1,G,1,0,1,0,1,1\n8,23,230000.0,-360,S,1,1,G,1,0,1,0,1,1',
      {
        day,
        correction: noDrift,
      },
    )
    expect(zone.rows.map((r) => r.timestamp_adj)).to.deep.equal([
      '2019-11-03 01:30:00-05:00',
      '2019-11-03 01:30:00-06:00',
      '2019-11-03 23:00:00-06:00',
    ])
    expect(zone.dayCovered).to.equal(0)
  })

  it('DST spring-forward day: 03:00 CDT follows 01:59 CST; the day starts at 00:00 CST', () => {
    const day = parseTimestamp('2019-03-10')
    const zone = convertCountCsv(
      '8,23,15900.0,-360,S,1,1,G,1,0,1,0,1,1\n8,23,30000.0,-300,S,1,1,G,1,0,1,0,1,1',
      {
        day,
        correction: noDrift,
      },
    )
    expect(zone.rows.map((r) => r.timestamp_adj)).to.deep.equal([
      '2019-03-10 01:59:00-06:00',
      '2019-03-10 03:00:00-05:00',
    ])
    expect(zone.dayCovered).to.equal(0)
  })

  it('a tenths value rounding to 10 is kept (carried into the next second), not dropped', () => {
    const zone = convertCountCsv('8,23,235959.96,-300,S,1,1,G,1,0,1,0,1,1', {
      day: JUNE_1,
      correction: noDrift,
    })
    expect(zone.rows.map((r) => r.timestamp_adj)).to.deep.equal(['2019-06-02 00:00:00-05:00'])
  })

  it('v4 row (§11.3): UTC timestamp + delta, int count_version, 16 typed columns, day_covered', () => {
    const zone = convertCountCsv('4,5,20180321T101530.5,12345,1,15,27,S,SLR,1.2,4.1,2,G,3.5,987654,D', {
      day: parseTimestamp('2018-03-21'),
      correction: { deltaMs: 60_000, labelOffsetMinutes: -300 },
    })
    expect(stringifyPy(zone.rows[0])).to.equal(
      '{"count_version": 4, "site_version": 5, "timestamp": "20180321T101530.5", "internal_veh_id": 12345, ' +
        '"internal_veh_type": 1, "vehicle_length": 15, "speed": 27, "turn": "S", "allowable_turns": "SLR", ' +
        '"seconds_in_zone": 1.2, "seconds_since_last_exit": 4.1, "queue_length": 2, "light_state_on_exit": "G", ' +
        '"sec_since_green": 3.5, "internal_frame_count": 987654, "day_night": "D", ' +
        '"timestamp_adj": "2018-03-21 05:16:30.500000-05:00"}',
    )
    expect(zone.dayCovered).to.equal(-1)
  })

  it('v7: rows kept without timestamp_adj, one warning, no day_covered', () => {
    const zone = convertCountCsv('7,23,105452.4,-300,L,11,13,R,2,2,0.93', { day: JUNE_1, correction: worked })
    expect(zone.rows[0]).to.not.have.property('timestamp_adj')
    expect(stringifyPy(zone.rows[0]?.confidence)).to.equal('0.93')
    expect(zone.dayCovered).to.equal(null)
    expect(zone.warnings).to.have.length(1)
  })

  it('no clock correction: rows kept without timestamp_adj, still counted for perfmet', () => {
    const zone = convertCountCsv('8,23,100.0,-300,S,14,26,G,0.4,0,1,0.0,35,32', {
      day: JUNE_1,
      correction: null,
    })
    expect(zone.rows[0]).to.not.have.property('timestamp_adj')
    expect(zone.dayCovered).to.equal(null)
    expect(zone.parsed.count).to.equal(1)
  })

  it('blank cells are null, an int column keeps ints (11.0 → 11) and fractions (11.5 stays 11.5)', () => {
    const zone = convertCountCsv(
      '8,23,100.0,-300,S,11.0,,G,0.4,0,1,0.0,35,32\n8,23,101.0,-300,,11.5,3,G,,0,1,0.0,35,32',
      {
        day: JUNE_1,
        correction: noDrift,
      },
    )
    expect(
      zone.rows.map((r) => stringifyPy([r.vehicle_length, r.speed, r.turn, r.seconds_in_zone])),
    ).to.deep.equal(['[11, null, "S", 0.4]', '[11.5, 3, null, null]'])
  })

  it('drops rows that do not convert, counting them per reason; keeps the others', () => {
    const csv = [
      '8,23,100.0,-300,S,14,26,G,0.4,0,1,0.0,35,32',
      '8,23,999999.0,-300,S,14,26,G,0.4,0,1,0.0,35,32',
      '8,23,101.0,-300,S,fourteen,26,G,0.4,0,1,0.0,35,32',
      '8,23,102.0,-300,S,14,26,G,0.4,0,1,0.0,35,32,extra',
      '8,23,,-300,S,14,26,G,0.4,0,1,0.0,35,32',
    ].join('\n')
    const zone = convertCountCsv(csv, { day: JUNE_1, correction: noDrift })
    expect(zone.rows).to.have.length(1)
    expect([...zone.dropped.values()].reduce((a, b) => a + b, 0)).to.equal(4)
    expect([...zone.dropped.keys()].join('|')).to.match(
      /time of day.*non-numeric value "fourteen".*15 fields.*missing timestamp/,
    )
  })

  const quarantined: [string, string, RegExp][] = [
    ['an empty file', '', /empty count file/],
    ['blank lines only', '\n\n', /empty count file/],
    ['an unknown version', '9,23,100.0,-300,S', /unknown count-file API version "9"/],
    ['garbled text', 'PK\u0003\u0004\u0000garbage,"', /unparseable CSV|unknown count-file/],
    ['only bad rows', '8,23,abc,-300,S,14,26,G,0.4,0,1,0.0,35,32', /no convertible rows/],
  ]
  for (const [what, text, message] of quarantined) {
    it(`${what} → InputError (the app quarantines the zone)`, () => {
      expect(() => convertCountCsv(text, { day: JUNE_1, correction: noDrift })).to.throw(InputError, message)
    })
  }
})
