import { expect } from 'chai'
import { DateTime, FixedOffsetZone } from 'luxon'
import { ArgumentError } from '../../src/support/errors.js'
import {
  addDays,
  EARLIEST_TIME,
  formatDay,
  formatPyTs,
  formatSocTs,
  LOCAL_ZONE,
  localizeWall,
  parseTimestamp,
  startOfLocalDay,
  toLocal,
} from '../../src/util/dates.js'

const wall = (text: string, zone = LOCAL_ZONE) => {
  const [date = '', time = '00:00:00'] = text.split(' ')
  const [year = 0, month = 0, day = 0] = date.split('-').map(Number)
  const [hour = 0, minute = 0, second = 0] = time.split(':').map(Number)
  return localizeWall({ year, month, day, hour, minute, second }, zone)
}
const py = (dt: DateTime | null) => (dt === null ? null : formatPyTs(dt))
const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' })
const hoursBetween = (a: DateTime, b: DateTime) => (b.toMillis() - a.toMillis()) / 3_600_000

describe('dates: constants and formatting', () => {
  it('uses America/Chicago and 2000-01-01 Central midnight as the earliest time', () => {
    expect(LOCAL_ZONE).to.equal('America/Chicago')
    expect(formatPyTs(EARLIEST_TIME)).to.equal('2000-01-01 00:00:00-06:00')
    expect(EARLIEST_TIME.zoneName).to.equal('America/Chicago')
  })

  const ms = (n: number) => wall('2019-06-01 00:00:13').plus({ milliseconds: n })
  const at5z = utc('2019-06-01T05:00:00')
  const pyCases: [string, DateTime, string][] = [
    ['summer midnight', wall('2019-06-01'), '2019-06-01 00:00:00-05:00'],
    ['winter', wall('2019-01-15 08:09:10'), '2019-01-15 08:09:10-06:00'],
    ['600 ms → six fraction digits', ms(600), '2019-06-01 00:00:13.600000-05:00'],
    ['1 ms', ms(1), '2019-06-01 00:00:13.001000-05:00'],
    ['UTC', at5z, '2019-06-01 05:00:00+00:00'],
    ['positive half-hour offset', at5z.setZone('Asia/Kolkata'), '2019-06-01 10:30:00+05:30'],
    ['fixed +09:00', at5z.setZone(FixedOffsetZone.instance(540)), '2019-06-01 14:00:00+09:00'],
    ['non-existent wall time', wall('2019-03-10 02:30:00'), '2019-03-10 02:30:00-06:00'],
    ['zero-padded year', DateTime.utc(999, 2, 3), '0999-02-03 00:00:00+00:00'],
  ]
  for (const [name, dt, expected] of pyCases) {
    it(`formatPyTs: ${name}`, () => expect(formatPyTs(dt)).to.equal(expected))
  }

  const otherCases: [DateTime, string, string][] = [
    [wall('2019-06-01 13:45:07'), '2019-06-01T13:45:07', '2019-06-01'],
    [ms(600), '2019-06-01T00:00:13', '2019-06-01'],
    [utc('2019-06-01T03:00:00'), '2019-06-01T03:00:00', '2019-06-01'],
    [utc('2019-06-01T03:00:00').setZone(LOCAL_ZONE), '2019-05-31T22:00:00', '2019-05-31'],
    [wall('2019-03-10 02:30:00'), '2019-03-10T02:30:00', '2019-03-10'],
  ]
  for (const [dt, soc, day] of otherCases) {
    it(`formatSocTs/formatDay use the value's own offset: ${formatPyTs(dt)}`, () => {
      expect(formatSocTs(dt)).to.equal(soc)
      expect(formatDay(dt)).to.equal(day)
    })
  }

  it('rejects an invalid DateTime with an ArgumentError', () => {
    const invalid = DateTime.invalid('test')
    expect(() => formatPyTs(invalid)).to.throw(ArgumentError)
    expect(() => formatSocTs(invalid)).to.throw(ArgumentError)
  })
})

describe('dates: parseTimestamp', () => {
  const cases: [string, string][] = [
    ['2019-06-01 00:00:00-05:00', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01 00:00:13.600000-05:00', '2019-06-01 00:00:13.600000-05:00'],
    ['2019-06-01 05:00:00+00', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01 05:00:00.5+00', '2019-06-01 00:00:00.500000-05:00'],
    ['2019-06-02T03:00:20.104616-05:00', '2019-06-02 03:00:20.104000-05:00'],
    ['2019-06-01T05:00:00Z', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01T05:00:00.000Z', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01T05:00:00+00:00', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01 05:00:00 UTC', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01T00:00:00-05', '2019-06-01 00:00:00-05:00'],
    ['2019-06-01T10:30:00+0530', '2019-06-01 00:00:00-05:00'],
    ['2019-01-01T06:00:00+00:00', '2019-01-01 00:00:00-06:00'],
    ['2019-06-01', '2019-06-01 00:00:00-05:00'],
    ['2019-01-15 08:00:00', '2019-01-15 08:00:00-06:00'],
    ['2019-06-01T08:00', '2019-06-01 08:00:00-05:00'],
    ['  2019-06-01 08:00:00  ', '2019-06-01 08:00:00-05:00'],
    ['2019-11-03 01:30:00', '2019-11-03 01:30:00-06:00'],
    ['2019-11-03 01:30:00-05:00', '2019-11-03 01:30:00-05:00'],
    ['2019-03-10 02:30:00', '2019-03-10 02:30:00-06:00'],
  ]
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => expect(formatPyTs(parseTimestamp(text))).to.equal(expected))
  }

  it('shows offset text as that instant in the requested zone and reads naive text in it', () => {
    expect(formatPyTs(parseTimestamp('2019-06-01 05:00:00', 'UTC'))).to.equal('2019-06-01 05:00:00+00:00')
    expect(formatPyTs(parseTimestamp('2019-06-01 00:00:00-05:00', 'UTC'))).to.equal(
      '2019-06-01 05:00:00+00:00',
    )
    expect(parseTimestamp('2019-06-01 00:00:00-05:00').zoneName).to.equal('America/Chicago')
  })

  const junk = [
    ...['', 'junk', '2019-13-01', '2019-02-30', '2019-06-01 24:00:00', '2019-06-01 12:60:00'],
    ...[
      '2019-06-01 12:00:60',
      '06/01/2019',
      '2019-6-1',
      '2019-06-01T00:00:00+25:00',
      '2019-06-01-05:00',
      'Infinity',
    ],
  ]
  for (const text of junk) {
    it(`throws ArgumentError for ${JSON.stringify(text)}`, () => {
      expect(() => parseTimestamp(text)).to.throw(ArgumentError, /Cannot parse timestamp/)
    })
  }
})

describe('dates: localizeWall (pytz is_dst=False)', () => {
  const cases: [string, string, string | null][] = [
    ['2019-06-01 12:00:00', '2019-06-01 12:00:00-05:00', '2019-06-01T17:00:00.000Z'],
    ['2019-01-01 12:00:00', '2019-01-01 12:00:00-06:00', '2019-01-01T18:00:00.000Z'],
    ['2019-11-03 00:59:59', '2019-11-03 00:59:59-05:00', '2019-11-03T05:59:59.000Z'],
    ['2019-11-03 01:00:00', '2019-11-03 01:00:00-06:00', '2019-11-03T07:00:00.000Z'],
    ['2019-11-03 01:30:00', '2019-11-03 01:30:00-06:00', '2019-11-03T07:30:00.000Z'],
    ['2019-11-03 02:00:00', '2019-11-03 02:00:00-06:00', '2019-11-03T08:00:00.000Z'],
    ['2019-03-10 01:59:59', '2019-03-10 01:59:59-06:00', '2019-03-10T07:59:59.000Z'],
    ['2019-03-10 02:00:00', '2019-03-10 02:00:00-06:00', '2019-03-10T08:00:00.000Z'],
    ['2019-03-10 02:30:00', '2019-03-10 02:30:00-06:00', '2019-03-10T08:30:00.000Z'],
    ['2019-03-10 03:00:00', '2019-03-10 03:00:00-05:00', '2019-03-10T08:00:00.000Z'],
  ]
  for (const [text, expected, instant] of cases) {
    it(`${text} → ${expected}`, () => {
      const dt = wall(text)
      expect(formatPyTs(dt)).to.equal(expected)
      expect(dt.toUTC().toISO()).to.equal(instant)
    })
  }

  it('returns normal times in the IANA zone and skipped times in a fixed -06:00 zone', () => {
    expect(wall('2019-11-03 01:30:00').zoneName).to.equal('America/Chicago')
    expect(wall('2019-03-10 02:30:00').zone.equals(FixedOffsetZone.instance(-360))).to.equal(true)
  })

  it('applies the same rules in other zones', () => {
    expect(py(wall('2019-10-27 02:30:00', 'Europe/Berlin'))).to.equal('2019-10-27 02:30:00+01:00')
    expect(py(wall('2019-03-31 02:30:00', 'Europe/Berlin'))).to.equal('2019-03-31 02:30:00+01:00')
    expect(py(wall('2019-06-01 02:30:00', 'UTC'))).to.equal('2019-06-01 02:30:00+00:00')
  })

  it('rejects impossible fields and unknown zones', () => {
    expect(() => localizeWall({ year: 2019, month: 13, day: 1 })).to.throw(ArgumentError)
    expect(() => localizeWall({ year: 2019, month: 4, day: 31 })).to.throw(ArgumentError)
    expect(() => localizeWall({ year: 2019, month: 6, day: 1, hour: 24 })).to.throw(ArgumentError)
    expect(() => localizeWall({ year: 2019, month: 6, day: 1 }, 'Mars/Base')).to.throw(ArgumentError, /zone/)
  })
})

describe('dates: DST days, startOfLocalDay and addDays', () => {
  const starts: [DateTime, string][] = [
    [wall('2019-03-10 15:00:00'), '2019-03-10 00:00:00-06:00'],
    [wall('2019-03-11 00:00:01'), '2019-03-11 00:00:00-05:00'],
    [wall('2019-11-03 23:00:00'), '2019-11-03 00:00:00-05:00'],
    [wall('2019-11-04 09:00:00'), '2019-11-04 00:00:00-06:00'],
    [wall('2019-03-10 02:30:00'), '2019-03-10 00:00:00-06:00'],
    [utc('2019-06-01T03:00:00'), '2019-05-31 00:00:00-05:00'],
    [utc('2019-03-10T12:00:00').setZone('Asia/Tokyo'), '2019-03-10 00:00:00-06:00'],
  ]
  for (const [dt, expected] of starts) {
    it(`startOfLocalDay(${formatPyTs(dt)}) = ${expected}`, () =>
      expect(py(startOfLocalDay(dt))).to.equal(expected))
  }

  const adds: [string, number, string, number | null][] = [
    ['2019-03-10', 1, '2019-03-11 00:00:00-05:00', 23],
    ['2019-11-03', 1, '2019-11-04 00:00:00-06:00', 25],
    ['2019-03-11', -1, '2019-03-10 00:00:00-06:00', -23],
    ['2019-11-04', -1, '2019-11-03 00:00:00-05:00', -25],
    ['2019-03-09', 2, '2019-03-11 00:00:00-05:00', 47],
    ['2019-06-01', 0, '2019-06-01 00:00:00-05:00', 0],
    ['2019-06-08', -7, '2019-06-01 00:00:00-05:00', -168],
    ['2019-03-09 08:00:00', 1, '2019-03-10 08:00:00-05:00', 23],
    ['2019-03-09 02:30:00', 1, '2019-03-10 02:30:00-06:00', 24],
    ['2019-11-02 01:30:00', 1, '2019-11-03 01:30:00-06:00', 25],
    ['2019-03-10 02:30:00', 1, '2019-03-11 02:30:00-05:00', null],
  ]
  for (const [from, n, expected, hours] of adds) {
    it(`addDays(${from}, ${n}) = ${expected}`, () => {
      const start = wall(from)
      const result = addDays(start, n)
      expect(formatPyTs(result)).to.equal(expected)
      if (hours !== null) expect(hoursBetween(start, result)).to.equal(hours)
    })
  }

  it('counts days on the Central calendar for values shown in another zone', () => {
    expect(py(addDays(utc('2019-06-01T03:00:00'), 1))).to.equal('2019-06-01 22:00:00-05:00')
  })

  it('toLocal keeps the instant', () => {
    const dt = toLocal(utc('2019-06-01T05:00:00'))
    expect(dt.zoneName).to.equal('America/Chicago')
    expect(formatPyTs(dt)).to.equal('2019-06-01 00:00:00-05:00')
  })
})
