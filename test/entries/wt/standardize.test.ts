import { expect } from 'chai'
import {
  localizeWtTime,
  parsePyInt,
  standardizeWtCsv,
  type WtStandardHeaderInput,
} from '../../../src/entries/wt/standardize.js'
import { InputError } from '../../../src/support/errors.js'
import { stringifyPy } from '../../../src/util/py-json.js'

const HEAD =
  'detID,intID,curDateTime,intName,detName,volume,occupancy,speed,status,uploadSuccess,detCountComparison,' +
  'dailyCumulative\r\n'
const header: WtStandardHeaderInput = {
  origin_filename: 'Austin_wt_2020-09-13.csv',
  target_filename: 'Austin_wt_2020-09-13.json',
  collection_date: '2020-09-13 00:00:00-05:00',
  processing_date: '2020-09-14 03:30:00-05:00',
}

describe('Wavetronix standardize (spec §9.6)', () => {
  it('turns the §11.2 sample into the §11.5 rawjson rows, typed, with the header of §9.6', () => {
    const csv =
      `${HEAD}2,1,2020-09-13 00:00:00,LAMARMANCHACA,NB_in,19,0,34,Working,100,1,19\r\n` +
      '1,1,2020-09-13 00:00:00,LAMARMANCHACA,NB_out,17,0,31,Working,100,0,17\r\n'
    const { document, counts, skipped } = standardizeWtCsv(csv, header)
    expect(stringifyPy(document)).to.equal(
      '{"header": {"data_type": "wavetronix", "origin_filename": "Austin_wt_2020-09-13.csv", ' +
        '"target_filename": "Austin_wt_2020-09-13.json", "collection_date": "2020-09-13 00:00:00-05:00", ' +
        '"processing_date": "2020-09-14 03:30:00-05:00"}, "data": [' +
        '{"detID": 2, "intID": 1, "curDateTime": "2020-09-13 00:00:00-05:00", "intName": "LAMARMANCHACA", ' +
        '"detName": "NB_in", "volume": 19, "occupancy": 0, "speed": 34, "status": "Working", "uploadSuccess": 100, ' +
        '"detCountComparison": 1, "dailyCumulative": 19}, ' +
        '{"detID": 1, "intID": 1, "curDateTime": "2020-09-13 00:00:00-05:00", "intName": "LAMARMANCHACA", ' +
        '"detName": "NB_out", "volume": 17, "occupancy": 0, "speed": 31, "status": "Working", ' +
        '"uploadSuccess": 100, "detCountComparison": 0, "dailyCumulative": 17}]}',
    )
    expect(counts).to.deep.equal([
      { sensorName: 'LAMARMANCHACA', volume: 36, min: '2020-09-13 00:00:00', max: '2020-09-13 00:00:00' },
    ])
    expect(skipped).to.deep.equal([])
  })

  it("localizes naive times with the original's rule (strptime forms, DST: standard time)", () => {
    const cases: [string, string | null][] = [
      ['2020-09-13 00:00:00', '2020-09-13 00:00:00-05:00'],
      ['2020-01-13 23:45:00', '2020-01-13 23:45:00-06:00'],
      ['2019-11-03 00:59:59', '2019-11-03 00:59:59-05:00'],
      ['2019-11-03 01:30:00', '2019-11-03 01:30:00-06:00'],
      ['2019-11-03 02:00:00', '2019-11-03 02:00:00-06:00'],
      ['2019-03-10 01:45:00', '2019-03-10 01:45:00-06:00'],
      ['2019-03-10 02:30:00', '2019-03-10 02:30:00-06:00'],
      ['2019-03-10 03:00:00', '2019-03-10 03:00:00-05:00'],
      ['2020-9-3 0:5:7', '2020-09-03 00:05:07-05:00'],
      ['2020-09-13  00:00:00', '2020-09-13 00:00:00-05:00'],
      ['2020-09-13T00:00:00', null],
      ['2020-09-13 00:00', null],
      ['2020-02-30 00:00:00', null],
      ['2020-09-13 24:00:00', null],
      ['2020-09-13 00:00:60', null],
      [' 2020-09-13 00:00:00', null],
      ['', null],
    ]
    for (const [text, expected] of cases) expect(localizeWtTime(text), text).to.equal(expected)
  })

  it("reads integers as Python's int() does", () => {
    const cases: [string | undefined, number | null][] = [
      ['19', 19],
      [' 19 ', 19],
      ['+3', 3],
      ['-0', 0],
      ['1_000', 1000],
      ['007', 7],
      ['', null],
      ['abc', null],
      ['1.5', null],
      ['1e3', null],
      ['1__0', null],
      ['99999999999999999999', null],
      [undefined, null],
    ]
    for (const [text, expected] of cases) expect(parsePyInt(text), String(text)).to.equal(expected)
    expect(Object.is(parsePyInt('-0'), 0)).to.equal(true)
  })

  it('leaves out rows that do not convert (the original aborted the run), saying where and why', () => {
    const csv =
      HEAD +
      '2,1,2020-09-13 00:00:00,LAMARMANCHACA,NB_in,19,0,34,Working,100,1,19\r\n' +
      '1,1,2020-09-13 00:00:00,LAMARMANCHACA,NB_out,17,0,,Working,100,0,17\r\n' +
      '\r\n' +
      '3,1,2020-09-13 00:15:00,LAMARMANCHACA,SB_in,abc,0,30,Working,100,0,5\r\n' +
      '4,1,2020-09-13 25:00:00,LAMARMANCHACA,SB_out,5,0,30,Working,100,0,5\r\n' +
      '5,1,2020-09-13 00:30:00,LAMARMANCHACA,EB_in,5\r\n' +
      '6,7,2020-09-13 00:45:00,"CONGRESS, OLTORF",EB_out,4,1,29,Working,100,0,4,extra\r\n'
    const { document, counts, skipped } = standardizeWtCsv(csv, header)
    expect(document.data.map((r) => r.detID)).to.deep.equal([2, 6])
    expect(document.data[1]?.intName).to.equal('CONGRESS, OLTORF')
    expect(skipped).to.deep.equal([
      { line: 3, reason: 'speed "" is not an integer' },
      { line: 5, reason: 'volume "abc" is not an integer' },
      { line: 6, reason: 'curDateTime "2020-09-13 25:00:00" is not YYYY-MM-DD HH:MM:SS' },
      { line: 7, reason: 'occupancy is missing' },
    ])
    expect(counts).to.deep.equal([
      { sensorName: 'LAMARMANCHACA', volume: 19, min: '2020-09-13 00:00:00', max: '2020-09-13 00:00:00' },
      { sensorName: 'CONGRESS, OLTORF', volume: 4, min: '2020-09-13 00:45:00', max: '2020-09-13 00:45:00' },
    ])
  })

  it('counts volume and the raw time range per non-empty intersection name', () => {
    const rows = [
      '1,1,2019-11-03 01:30:00,A,NB_in,5,0,30,Working,100,0,5',
      '1,1,2019-11-03 00:15:00,A,NB_in,7,0,30,Working,100,0,12',
      '1,1,2019-11-03 23:45:00,A,NB_in,1,0,30,Working,100,0,13',
      '9,2,2019-11-03 01:30:00,,NB_in,50,0,30,Working,100,0,50',
    ]
    const { counts, document } = standardizeWtCsv(`${HEAD}${rows.join('\n')}\n`, header)
    expect(document.data).to.have.length(4)
    expect(counts).to.deep.equal([
      { sensorName: 'A', volume: 13, min: '2019-11-03 00:15:00', max: '2019-11-03 23:45:00' },
    ])
  })

  it('fails the file when the header lacks a column, or the CSV is broken', () => {
    expect(() => standardizeWtCsv('detID,intID\r\n1,2\r\n', header)).to.throw(
      InputError,
      /curDateTime, intName/,
    )
    expect(() => standardizeWtCsv(`${HEAD}1,1,"2020-09-13 00:00:00`, header)).to.throw(
      InputError,
      /not valid CSV/,
    )
    expect(standardizeWtCsv(HEAD, header).document.data).to.deep.equal([])
  })
})
