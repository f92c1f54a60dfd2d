import { Readable } from 'node:stream'
import { expect } from 'chai'
import type { AwamFileType } from '../../../src/entries/bt/awam-format.js'
import { AWAM_FORMATS } from '../../../src/entries/bt/awam-format.js'
import {
  type AwamRow,
  collectUnmatchedStats,
  type StandardizeAwamOptions,
  standardizeAwam,
  standardizeAwamRow,
} from '../../../src/entries/bt/standardize-awam.js'

const HEADER = {
  origin_filename: 'Austin_bt_2019-06-01_unmatched.txt',
  target_filename: 'Austin_bt_2019-06-01_unmatched.json',
  collection_date: '2019-06-01 00:00:00-05:00',
  processing_date: '2019-06-02 03:00:12.123456-05:00',
}

const IAF_LINES = [
  '06/01/2019 12:00:00 AM,172.16.131.20,05/31/2019 11:59:56 PM,anderson_mill_bethany,MDY6RUY6QUY6QTA6NzM=',
  '06/01/2019 12:04:41 AM,172.16.129.38,06/01/2019 12:04:43 AM,51st_manor,MjE6ODQ6NTU6OEE6MjU=',
]
const IAF_SAMPLE = `${IAF_LINES.join('\r\n')}\r\n`
const ITMF_LINES = [
  'RDM6QzI6NjE6RDA6MDM=,lamar_mlk,lamar_6th,5/31/2019 11:48:20 PM,5/31/2019 11:59:46 PM,686,5,invalid,125',
  'OUM6Mjg6ODQ6MUU6ODg=,burnet_anderson,burnet_us183,5/31/2019 11:57:34 PM,5/31/2019 11:59:50 PM,136,32,valid,125',
]
const TMSR_LINES = [
  '51st_springdale,51st_manor,51st,Springdale,Westbound,51st,Manor,Eastbound,0.633,6/1/2019 12:00 AM,-1,-1,15,0,-1',
  '51st_manor,51st_springdale,51st,Manor,Eastbound,51st,Springdale,Westbound,0.633,6/1/2019 12:00 AM,61,37,15,1,0',
]

async function run(
  input: string | Buffer[] | Readable,
  fileType: AwamFileType,
  extra: Partial<StandardizeAwamOptions> = {},
) {
  const warnings: string[] = []
  const rows: AwamRow[] = []
  const stream =
    input instanceof Readable
      ? input
      : Readable.from(typeof input === 'string' ? [Buffer.from(input)] : input)
  const result = standardizeAwam(stream, {
    fileType,
    header: HEADER,
    onWarning: (m) => warnings.push(m),
    onRow: (r) => rows.push(r),
    ...extra,
  })
  const chunks: string[] = []
  for await (const chunk of result.chunks) chunks.push(chunk)
  const text = chunks.join('')
  const doc = JSON.parse(text) as { header: unknown; data: AwamRow[] }
  return { text, chunks, doc, stats: result.stats(), warnings, rows, stream }
}

describe('entries/bt/standardize-awam', () => {
  describe('standardizeAwamRow (spec §9.2, §11.1 → §11.5)', () => {
    it('IAF sample line', () => {
      expect(standardizeAwamRow('unmatched', (IAF_LINES[0] as string).split(','))).to.deep.equal({
        host_timestamp: '2019-06-01 00:00:00-05:00',
        ip_address: '172.16.131.20',
        field_timestamp: '2019-05-31 23:59:56-05:00',
        reader_id: 'anderson_mill_bethany',
        dev_addr: 'MDY6RUY6QUY6QTA6NzM=',
      })
    })

    it('ITMF sample line: numbers stay strings, times without leading zeros', () => {
      const row = standardizeAwamRow('matched', (ITMF_LINES[0] as string).split(','))
      expect(Object.keys(row)).to.deep.equal(AWAM_FORMATS.matched.columns)
      expect(Object.values(row)).to.deep.equal([
        ...['RDM6QzI6NjE6RDA6MDM=', 'lamar_mlk', 'lamar_6th', '2019-05-31 23:48:20-05:00'],
        ...['2019-05-31 23:59:46-05:00', '686', '5', 'invalid', '125'],
      ])
    })

    it('TMSR sample line: minute times, -1 kept as text', () => {
      const row = standardizeAwamRow('traf_match_summary', (TMSR_LINES[0] as string).split(','))
      const head = (TMSR_LINES[0] as string).split(',').slice(0, 9)
      expect(Object.keys(row)).to.deep.equal(AWAM_FORMATS.traf_match_summary.columns)
      const tail = ['2019-06-01 00:00:00-05:00', '-1', '-1', '15', '0', '-1']
      expect(Object.values(row)).to.deep.equal([...head, ...tail])
    })

    const iafTimes: [string, string | null][] = [
      ['06/01/2019 12:00:00 AM', '2019-06-01 00:00:00-05:00'],
      ['06/01/2019 12:59:59 AM', '2019-06-01 00:59:59-05:00'],
      ['06/01/2019 01:00:00 AM', '2019-06-01 01:00:00-05:00'],
      ['06/01/2019 11:59:59 AM', '2019-06-01 11:59:59-05:00'],
      ['06/01/2019 12:00:00 PM', '2019-06-01 12:00:00-05:00'],
      ['06/01/2019 12:30:15 PM', '2019-06-01 12:30:15-05:00'],
      ['06/01/2019 01:00:00 PM', '2019-06-01 13:00:00-05:00'],
      ['06/01/2019 11:59:59 PM', '2019-06-01 23:59:59-05:00'],
      ['6/1/2019 1:02:03 PM', '2019-06-01 13:02:03-05:00'],
      ['06/01/2019 01:02:03 pm', '2019-06-01 13:02:03-05:00'],
      ['01/15/2020 08:00:00 AM', '2020-01-15 08:00:00-06:00'],
      ['11/03/2019 01:30:00 AM', '2019-11-03 01:30:00-06:00'],
      ['03/10/2019 02:30:00 AM', '2019-03-10 02:30:00-06:00'],
      ['06/01/2019 13:00:00 AM', null],
      ['06/01/2019 00:00:00 AM', null],
      ['06/31/2019 10:00:00 AM', null],
      ['06/01/2019 10:00 AM', null],
      ['06/01/2019 10:00:00', null],
      [' 06/01/2019 10:00:00 AM', null],
      ['06/01/2019 10:00:00 AM x', null],
      ['garbage', null],
      ['', null],
    ]
    for (const [text, expected] of iafTimes) {
      it(`IAF time ${JSON.stringify(text)} → ${String(expected)}`, () => {
        const row = standardizeAwamRow('unmatched', [text, 'ip', text, 'r', 'a'])
        expect(row.host_timestamp).to.equal(expected)
        expect(row.field_timestamp).to.equal(expected)
      })
    }

    it('the streaming conversion gives the same times as the per-row function', async () => {
      const input = iafTimes.map(([text]) => `${text},ip,${text},r,a`).join('\r\n')
      const { doc } = await run(input, 'unmatched')
      expect(doc.data.map((r) => r.host_timestamp)).to.deep.equal(iafTimes.map(([, expected]) => expected))
    })

    it('TMSR time needs the minute format: seconds make it unparseable', () => {
      const base = ['o', 'd', 'r', 'c', 'N', 'r', 'c', 'S', '1.0']
      expect(standardizeAwamRow('traf_match_summary', [...base, '6/1/2019 11:45 PM']).timestamp).to.equal(
        '2019-06-01 23:45:00-05:00',
      )
      expect(standardizeAwamRow('traf_match_summary', [...base, '6/1/2019 11:45:00 PM']).timestamp).to.equal(
        null,
      )
    })

    it('empty field → "", missing trailing columns → null', () => {
      expect(standardizeAwamRow('unmatched', ['06/01/2019 12:00:00 AM', '', ''])).to.deep.equal({
        host_timestamp: '2019-06-01 00:00:00-05:00',
        ip_address: '',
        field_timestamp: null,
        reader_id: null,
        dev_addr: null,
      })
    })

    it('extra columns are kept as a list under the key "null" (Python DictReader restkey None)', () => {
      const row = standardizeAwamRow('unmatched', ['06/01/2019 12:00:00 AM', 'ip', '', 'r', 'a', 'x', ''])
      expect(Object.keys(row)).to.deep.equal([...AWAM_FORMATS.unmatched.columns, 'null'])
      expect(row.null).to.deep.equal(['x', ''])
    })
  })

  describe('standardizeAwam (streaming document)', () => {
    it('writes the byte-exact Python text for the §11.1 IAF sample', async () => {
      const { text, stats, warnings } = await run(IAF_SAMPLE, 'unmatched')
      expect(text).to.equal(
        '{"header": {"data_type": "bluetooth", "file_type": "unmatched", ' +
          '"origin_filename": "Austin_bt_2019-06-01_unmatched.txt", "target_filename": "Austin_bt_2019-06-01_unmatched.json", ' +
          '"collection_date": "2019-06-01 00:00:00-05:00", "processing_date": "2019-06-02 03:00:12.123456-05:00"}, ' +
          '"data": [{"host_timestamp": "2019-06-01 00:00:00-05:00", "ip_address": "172.16.131.20", ' +
          '"field_timestamp": "2019-05-31 23:59:56-05:00", "reader_id": "anderson_mill_bethany", "dev_addr": "MDY6RUY6QUY6QTA6NzM="}, ' +
          '{"host_timestamp": "2019-06-01 00:04:41-05:00", "ip_address": "172.16.129.38", ' +
          '"field_timestamp": "2019-06-01 00:04:43-05:00", "reader_id": "51st_manor", "dev_addr": "MjE6ODQ6NTU6OEE6MjU="}]}',
      )
      expect(stats).to.deep.include({ rows: 2, badTimes: 0 })
      expect(warnings).to.deep.equal([])
    })

    it('header keys in the original order, with data_type and file_type', async () => {
      for (const fileType of ['unmatched', 'matched', 'traf_match_summary'] as const) {
        const { doc } = await run('', fileType)
        const keys = 'data_type file_type origin_filename target_filename collection_date processing_date'
        expect(Object.keys(doc.header as object)).to.deep.equal(keys.split(' '))
        expect(doc.header).to.deep.include({ data_type: 'bluetooth', file_type: fileType })
        expect(doc.data).to.deep.equal([])
      }
    })

    it('an empty file gives "data": []', async () => {
      const { text } = await run('', 'matched')
      expect(text.endsWith('"data": []}')).to.equal(true)
    })

    it('converts the ITMF and TMSR samples', async () => {
      const itmf = await run(ITMF_LINES.join('\r\n'), 'matched')
      expect(itmf.doc.data.map((r) => [r.start_time, r.end_time, r.speed, r.match_validity])).to.deep.equal([
        ['2019-05-31 23:48:20-05:00', '2019-05-31 23:59:46-05:00', '5', 'invalid'],
        ['2019-05-31 23:57:34-05:00', '2019-05-31 23:59:50-05:00', '32', 'valid'],
      ])
      const tmsr = await run(`${TMSR_LINES.join('\r\n')}\r\n`, 'traf_match_summary')
      expect(tmsr.doc.data[1]).to.deep.include({
        timestamp: '2019-06-01 00:00:00-05:00',
        avg_travel_time: '61',
        std_dev: '0',
      })
      expect(tmsr.stats).to.deep.include({ rows: 2, badTimes: 0, readers: [] })
    })

    it('keeps bad rows: unparseable time, short row, extra column, garbage line; counts bad times', async () => {
      const input = [
        '06/01/2019 13:00:00 AM,172.16.131.20,06/01/2019 12:00:01 AM,lamar_6th,QQ==',
        '06/01/2019 12:00:02 AM,172.16.131.20',
        '06/01/2019 12:00:03 AM,172.16.131.20,,lamar_6th,QQ==,extra1,extra2',
        'hello world',
        '',
        '06/01/2019 12:00:04 AM,,06/01/2019 12:00:04 AM,lamar_6th,',
      ].join('\r\n')
      const { doc, stats, warnings } = await run(input, 'unmatched')
      const ts = (sec: number) => `2019-06-01 00:00:0${sec}-05:00`
      expect(doc.data.map((r) => Object.values(r))).to.deep.equal([
        [null, '172.16.131.20', ts(1), 'lamar_6th', 'QQ=='],
        [ts(2), '172.16.131.20', null, null, null],
        [ts(3), '172.16.131.20', null, 'lamar_6th', 'QQ==', ['extra1', 'extra2']],
        [null, null, null, null, null],
        [ts(4), '', ts(4), 'lamar_6th', ''],
      ])
      expect(Object.keys(doc.data[2] ?? {}).at(-1)).to.equal('null')
      expect(stats).to.deep.include({ rows: 5, badTimes: 5 })
      expect(warnings).to.deep.equal([])
    })

    it('accepts LF, CR and CRLF line ends and skips blank lines', async () => {
      const a = '06/01/2019 12:00:00 AM,ip,06/01/2019 12:00:00 AM,r1,x'
      const { doc } = await run(
        `${a}\n\n${a.replace('r1', 'r2')}\r${a.replace('r1', 'r3')}\r\n\r\n`,
        'unmatched',
      )
      expect(doc.data.map((r) => r.reader_id)).to.deep.equal(['r1', 'r2', 'r3'])
    })

    it('handles CSV quoting like Python (quoted comma, doubled quote)', async () => {
      const { doc } = await run('06/01/2019 12:00:00 AM,"a,b",,"say ""hi""",x\r\n', 'unmatched')
      expect(doc.data[0]).to.deep.include({ ip_address: 'a,b', reader_id: 'say "hi"' })
    })

    it('escapes non-ASCII in values, also when a UTF-8 character is split across input chunks', async () => {
      const bytes = Buffer.from('06/01/2019 12:00:00 AM,ip,,caf\u00e9_6th,x\r\n')
      const split = [...bytes].map((b) => Buffer.from([b]))
      const { text, doc } = await run(split, 'unmatched')
      expect(doc.data[0]?.reader_id).to.equal('café_6th')
      expect(text).to.contain('"reader_id": "caf\\u00e9_6th"')
    })

    it('a CSV error mid-file stops reading, keeps the rows so far and warns', async () => {
      const good = '06/01/2019 12:00:00 AM,ip,06/01/2019 12:00:00 AM,r1,x\r\n'
      const huge = `06/01/2019 12:00:01 AM,${'y'.repeat(140_000)}\r\n`
      const after = '06/01/2019 12:00:02 AM,ip,06/01/2019 12:00:02 AM,r3,x\r\n'
      const { doc, stats, warnings, stream } = await run(good + good + huge + after, 'unmatched')
      expect(doc.data).to.have.length(2)
      expect(stats.rows).to.equal(2)
      expect(warnings).to.have.length(1)
      expect(warnings[0]).to.match(
        /CSV parse error in Austin_bt_2019-06-01_unmatched\.txt: .*keeping the 2 rows/,
      )
      expect(stream.destroyed).to.equal(true)
    })

    it('an unclosed quote is a CSV error at the end of the file', async () => {
      const good = '06/01/2019 12:00:00 AM,ip,06/01/2019 12:00:00 AM,r1,x\r\n'
      const { doc, warnings } = await run(`${good}06/01/2019 12:00:00 AM,"oops\r\n${good}`, 'unmatched')
      expect(doc.data).to.have.length(1)
      expect(warnings).to.have.length(1)
    })

    it('streams large input in several chunks, every row once, valid JSON', async () => {
      const lines: string[] = []
      for (let i = 0; i < 3000; i += 1) {
        lines.push(
          `06/01/2019 ${String((i % 12) + 1).padStart(2, '0')}:00:00 PM,172.16.1.1,,reader_${i % 7},QQ==`,
        )
      }
      const { doc, chunks, stats } = await run(lines.join('\r\n'), 'unmatched')
      expect(chunks.length).to.be.greaterThan(2)
      expect(doc.data).to.have.length(3000)
      expect(stats.rows).to.equal(3000)
      expect(stats.badTimes).to.equal(3000)
      expect(stats.readers).to.have.length(7)
    })

    it('destroys the input when the consumer stops early', async () => {
      const stream = Readable.from([Buffer.from(IAF_SAMPLE.repeat(2000))])
      const result = standardizeAwam(stream, { fileType: 'unmatched', header: HEADER })
      for await (const chunk of result.chunks) {
        expect(chunk).to.match(/^\{"header"/)
        break
      }
      expect(stream.destroyed).to.equal(true)
    })

    it('throws input stream errors (not a CSV error)', async () => {
      const stream = new Readable({
        read() {
          this.destroy(new Error('disk on fire'))
        },
      })
      const result = standardizeAwam(stream, { fileType: 'unmatched', header: HEADER })
      let caught: unknown = null
      try {
        for await (const _ of result.chunks) {
          // drain
        }
      } catch (err) {
        caught = err
      }
      expect((caught as Error)?.message).to.equal('disk on fire')
    })

    it('reports per-reader stats for unmatched files and calls onRow', async () => {
      const { stats, rows } = await run(IAF_SAMPLE, 'unmatched')
      expect(rows).to.have.length(2)
      expect(stats.readers).to.deep.equal([
        {
          sensorName: 'anderson_mill_bethany',
          count: 1,
          min: '2019-06-01 00:00:00-05:00',
          max: '2019-06-01 00:00:00-05:00',
        },
        {
          sensorName: '51st_manor',
          count: 1,
          min: '2019-06-01 00:04:41-05:00',
          max: '2019-06-01 00:04:41-05:00',
        },
      ])
    })
  })

  describe('collectUnmatchedStats', () => {
    const row = (reader: string | null, ts: string | null): AwamRow => ({
      host_timestamp: ts,
      ip_address: 'ip',
      field_timestamp: ts,
      reader_id: reader,
      dev_addr: 'x',
    })

    it('a null first timestamp does not crash; min/max come from the non-null ones; count includes all rows', () => {
      const c = collectUnmatchedStats()
      c.add(row('lamar_6th', null))
      c.add(row('lamar_6th', '2019-06-01 00:00:05-05:00'))
      c.add(row('lamar_6th', '2019-06-01 00:00:01-05:00'))
      c.add(row('lamar_6th', '2019-06-01 23:00:00-05:00'))
      c.add(row('lamar_6th', null))
      expect(c.results()).to.deep.equal([
        {
          sensorName: 'lamar_6th',
          count: 5,
          min: '2019-06-01 00:00:01-05:00',
          max: '2019-06-01 23:00:00-05:00',
        },
      ])
    })

    it('a reader with only null timestamps has null min/max', () => {
      const c = collectUnmatchedStats()
      c.add(row('r', null))
      expect(c.results()).to.deep.equal([{ sensorName: 'r', count: 1, min: null, max: null }])
    })

    it('skips rows without a non-empty reader_id and keeps first-appearance order', () => {
      const c = collectUnmatchedStats()
      c.add(row('b', '2019-06-01 00:00:02-05:00'))
      c.add(row('', '2019-06-01 00:00:02-05:00'))
      c.add(row(null, '2019-06-01 00:00:02-05:00'))
      c.add(row('a', '2019-06-01 00:00:03-05:00'))
      c.add(row('b', '2019-06-01 00:00:01-05:00'))
      expect(c.results().map((r) => [r.sensorName, r.count, r.min, r.max])).to.deep.equal([
        ['b', 2, '2019-06-01 00:00:01-05:00', '2019-06-01 00:00:02-05:00'],
        ['a', 1, '2019-06-01 00:00:03-05:00', '2019-06-01 00:00:03-05:00'],
      ])
    })

    it('uses string order (as the original), not instant order', () => {
      const c = collectUnmatchedStats()
      c.add(row('r', '2019-11-03 01:30:00-05:00'))
      c.add(row('r', '2019-11-03 01:10:00-06:00'))
      expect(c.results()[0]).to.deep.include({
        min: '2019-11-03 01:10:00-06:00',
        max: '2019-11-03 01:30:00-05:00',
      })
    })

    it('true min/max equals the original "max only if min not updated" rule on any sequence', () => {
      const values = ['c', 'a', 'e', 'b', 'e', 'a', 'd', 'f', 'a']
      let min = values[0] as string
      let max = min
      for (const v of values.slice(1)) {
        if (v < min) min = v
        else if (v > max) max = v
      }
      const c = collectUnmatchedStats()
      for (const v of values) c.add(row('r', v))
      expect(c.results()[0]).to.deep.include({ min, max })
    })
  })
})
