import { expect } from 'chai'
import { parse } from 'csv-parse'
import { createAwamRecordSplitter, MAX_RECORD_SIZE } from '../../../src/entries/bt/awam-records.js'
import { createPrng } from '../../../src/util/prng.js'

/** What csv-parse alone makes of `text` (the reference): the records before any error, and the error message. */
function reference(text: string): Promise<{ records: string[][]; error: string | null }> {
  return new Promise((resolve) => {
    const records: string[][] = []
    const parser = parse({
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      max_record_size: MAX_RECORD_SIZE,
    })
    parser.on('data', (record: string[]) => records.push(record))
    parser.once('error', (error) => resolve({ records, error: error.message }))
    parser.once('end', () => resolve({ records, error: null }))
    parser.end(text)
  })
}

async function split(
  text: string,
  cuts: readonly number[],
): Promise<{ records: string[][]; error: string | null }> {
  const records: string[][] = []
  const splitter = createAwamRecordSplitter(records)
  const bytes = Buffer.from(text, 'utf8')
  let from = 0
  for (const cut of [...cuts, bytes.length]) {
    const error = await splitter.write(bytes.subarray(from, cut))
    from = cut
    if (error) return { records, error: error.message }
  }
  const error = await splitter.end()
  return { records, error: error ? error.message : null }
}

const PIECES = [
  'a',
  'b',
  '12',
  ',',
  ',',
  ',',
  '\n',
  '\n',
  '\r\n',
  '\r',
  '"',
  ' ',
  'é',
  '😀',
  '5/1/2019 1:02:03 AM',
  '""',
]

function randomText(random: () => number, length: number, quotes: boolean): string {
  let out = ''
  while (out.length < length) {
    const piece = PIECES[Math.floor(random() * PIECES.length)] as string
    if (!quotes && piece.includes('"')) continue
    out += piece
  }
  return out
}

describe('AWAM record splitter (fast path + csv-parse fallback)', () => {
  const cases: [string, string][] = [
    ['plain LF', 'a,b,c\n1,2,3\n'],
    ['CRLF and CR ends, blank lines', 'a,b\r\n\r\n1,2\r3,4\n\n5'],
    ['ragged rows and empty fields', 'a,,c\n,\n1\n'],
    ['a quote later switches to the parser', 'a,b\n"x,y",z\nq,"r\ns",t\nend,1\n'],
    ['a stray quote inside a field', 'a,b"c,d\ne,f\n'],
    ['an unclosed quote at the end is an error after the rows before it', 'a,b\nc,"d\ne\n'],
    ['a record over the size limit', `a,b\n${'x'.repeat(MAX_RECORD_SIZE + 5)}\nc,d\n`],
    ['no final line break', 'a,b\nc,d'],
    ['a lone CR at the very end', 'a,b\r'],
    ['BOM stays in the first field', '\ufeffa,b\n'],
  ]
  for (const [name, text] of cases) {
    it(`${name}: the same records (and error) as csv-parse, whole and byte by byte`, async () => {
      const want = await reference(text)
      const bytes = Buffer.byteLength(text)
      for (const cuts of [[], Array.from({ length: Math.min(bytes, 400) - 1 }, (_, i) => i + 1)]) {
        const got = await split(text, cuts)
        expect(got.records, JSON.stringify(cuts.length)).to.deep.equal(
          want.records.slice(0, got.records.length),
        )
        if (want.error === null) expect(got).to.deep.equal(want)
        else expect(got.error).to.be.a('string')
      }
    })
  }

  it('300 random texts, cut into random chunks, give csv-parse’s records', async () => {
    const random = createPrng(20190601)
    for (let i = 0; i < 300; i += 1) {
      const text = randomText(random, 20 + Math.floor(random() * 400), i % 3 !== 0)
      const want = await reference(text)
      const bytes = Buffer.byteLength(text)
      const cuts = Array.from({ length: Math.floor(random() * 6) }, () => Math.floor(random() * bytes)).sort(
        (a, b) => a - b,
      )
      expect(await split(text, cuts), JSON.stringify({ text, cuts })).to.deep.equal(want)
    }
  })
})
