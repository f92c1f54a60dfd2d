import { expect } from 'chai'
import type { KitsRecord } from '../../../src/drivers/devices/kits/types.js'
import { formatCsvCell, formatWtRawCsv } from '../../../src/entries/wt/raw-csv.js'
import { localizeWall, parseTimestamp } from '../../../src/util/dates.js'

const record = (over: Partial<KitsRecord>): KitsRecord => ({
  detID: 2,
  intID: 1,
  curDateTime: parseTimestamp('2020-09-13 00:00:00'),
  intName: 'LAMARMANCHACA',
  detName: 'NB_in',
  volume: 19,
  occupancy: 0,
  speed: 34,
  status: 'Working',
  uploadSuccess: 100,
  detCountComparison: 1,
  dailyCumulative: 19,
  ...over,
})

describe('Wavetronix raw CSV (spec §9.5, §11.2)', () => {
  it('writes the spec sample byte for byte: header row, CRLF line ends', () => {
    const text = formatWtRawCsv([
      record({}),
      record({
        detID: 1,
        detName: 'NB_out',
        volume: 17,
        speed: 31,
        detCountComparison: 0,
        dailyCumulative: 17,
      }),
    ])
    expect(text).to.equal(
      'detID,intID,curDateTime,intName,detName,volume,occupancy,speed,status,uploadSuccess,detCountComparison,' +
        'dailyCumulative\r\n' +
        '2,1,2020-09-13 00:00:00,LAMARMANCHACA,NB_in,19,0,34,Working,100,1,19\r\n' +
        '1,1,2020-09-13 00:00:00,LAMARMANCHACA,NB_out,17,0,31,Working,100,0,17\r\n',
    )
  })

  it('writes only the header for a day without records', () => {
    expect(formatWtRawCsv([])).to.equal(
      'detID,intID,curDateTime,intName,detName,volume,occupancy,speed,status,uploadSuccess,detCountComparison,' +
        'dailyCumulative\r\n',
    )
  })

  it("quotes cells like Python's csv module (QUOTE_MINIMAL) and writes null as an empty cell", () => {
    const cases: [string | number | null, string][] = [
      ['plain', 'plain'],
      ['', ''],
      [null, ''],
      [0, '0'],
      [-3, '-3'],
      ['A,B', '"A,B"'],
      ['say "hi"', '"say ""hi"""'],
      ['two\nlines', '"two\nlines"'],
      ['cr\r', '"cr\r"'],
      [' spaced ', ' spaced '],
      ["it's", "it's"],
    ]
    for (const [value, expected] of cases) expect(formatCsvCell(value), String(value)).to.equal(expected)
  })

  it('writes each time as its own wall clock, DST days included', () => {
    const cases: [KitsRecord['curDateTime'], string][] = [
      [localizeWall({ year: 2019, month: 11, day: 3, hour: 1, minute: 30 }), '2019-11-03 01:30:00'],
      [localizeWall({ year: 2019, month: 3, day: 10, hour: 2, minute: 30 }), '2019-03-10 02:30:00'],
      [
        localizeWall({ year: 2019, month: 6, day: 1, hour: 23, minute: 45, second: 59 }),
        '2019-06-01 23:45:59',
      ],
    ]
    for (const [curDateTime, expected] of cases) {
      const line = formatWtRawCsv([record({ curDateTime, intName: null, speed: null })]).split('\r\n')[1]
      expect(line).to.equal(`2,1,${expected},,NB_in,19,0,,Working,100,1,19`)
    }
  })
})
