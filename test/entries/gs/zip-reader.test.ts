import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { guidOfFileName, readCountsZip, safeSegments } from '../../../src/entries/gs/zip-reader.js'
import { InputError } from '../../../src/support/errors.js'
import { makeZip, renameEntry } from './gs-fixtures.js'

const MAC = '00-30-53-26-e6-e1'
const G1 = '2c6dff02-cb0c-4da0-adc5-28dd1946df40'
const G2 = 'ae256bab-37dc-499e-8882-9cfd5a0fde6b'
const LINE = '8,23,105452.4,-300,L,11,13,R,2,2,2,0,22,23\n'

/** The InputError a promise rejects with (fails the test when it resolves or rejects otherwise). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).to.be.instanceOf(InputError)
  return error as Error
}

const summary = (zip: Awaited<ReturnType<typeof readCountsZip>>) =>
  zip.cameras.map((c) => ({
    mac: c.mac,
    layout: c.layout,
    files: c.files.map((f) => [f.guid, f.data.toString()]),
  }))

describe('gs zip-reader: layouts of spec §11.3', () => {
  it('layout A: <mac>/<day>/<guid>.csv', async () => {
    const zip = await makeZip([
      [`${MAC}/2019-06-01/${G2}.csv`, 'two'],
      [`${MAC}/2019-06-01/${G1}.csv`, LINE],
      ['readme.txt', 'ignored'],
    ])
    const read = await readCountsZip(zip)
    expect(summary(read)).to.deep.equal([
      {
        mac: MAC,
        layout: 'A',
        files: [
          [G1, LINE],
          [G2, 'two'],
        ],
      },
    ])
    expect(read.problems).to.deep.equal([])
  })

  it('layout B: <mac>/<day>.zip holding the CSVs at its root (read from memory), from a file path', async () => {
    const inner = await makeZip([
      [`${G1}.csv`, LINE],
      [`${G2.replaceAll('-', '').toUpperCase()}.csv`, 'undashed'],
    ])
    const dir = await mkdtemp(join(tmpdir(), 'gs-zip-'))
    try {
      const path = join(dir, 'x.zip')
      await writeFile(path, await makeZip([[`${MAC}/2019-06-01.zip`, inner]]))
      const read = await readCountsZip(path, { label: 'x.zip' })
      expect(summary(read)).to.deep.equal([
        {
          mac: MAC,
          layout: 'B',
          files: [
            [G1, LINE],
            [G2, 'undashed'],
          ],
        },
      ])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('layout A with several day directories reads the expected day and reports the others', async () => {
    const zip = await makeZip([
      [`${MAC}/2019-05-31/${G1}.csv`, 'old'],
      [`${MAC}/2019-06-01/${G1}.csv`, 'new'],
    ])
    const read = await readCountsZip(zip, { day: '2019-06-01', label: 'z' })
    expect(summary(read)[0]?.files).to.deep.equal([[G1, 'new']])
    expect(read.problems).to.deep.equal([
      'z: directory "00-30-53-26-e6-e1/2019-05-31" ignored (only "00-30-53-26-e6-e1/2019-06-01" is read).',
    ])
  })

  it('a bad inner archive is reported and its camera skipped; the other camera is read', async () => {
    const zip = await makeZip([
      [`${MAC}/2019-06-01.zip`, 'not a zip at all'],
      [`00-30-53-26-e6-e2/2019-06-01/${G1}.csv`, LINE],
    ])
    const read = await readCountsZip(zip, { label: 'z.zip' })
    expect(read.cameras.map((c) => c.mac)).to.deep.equal(['00-30-53-26-e6-e2'])
    expect(read.problems[0]).to.match(
      /^z\.zip: inner archive "00-30-53-26-e6-e1\/2019-06-01\.zip" is unreadable/,
    )
  })
})

describe('gs zip-reader: untrusted input', () => {
  it('zip-slip: "../../evil.csv" and absolute names are ignored and reported; nothing is written anywhere', async () => {
    const built = await makeZip([
      ['xx/xx/evil.csv', LINE],
      ['/tmp/abs/x.csv'.replace('/', 'q'), LINE],
      [`${MAC}/2019-06-01/${G1}.csv`, LINE],
    ])
    const zip = renameEntry(
      renameEntry(built, 'xx/xx/evil.csv', '../../evil.csv'),
      'qtmp/abs/x.csv',
      '/tmp/abs/x.csv',
    )
    const read = await readCountsZip(zip, { label: 'evil.zip' })
    expect(summary(read)).to.deep.equal([{ mac: MAC, layout: 'A', files: [[G1, LINE]] }])
    expect(read.problems).to.deep.equal([
      'evil.zip: unsafe entry name "../../evil.csv" ignored.',
      'evil.zip: unsafe entry name "/tmp/abs/x.csv" ignored.',
    ])
  })

  it('a file name that is not a GUID is ignored: only the GUID part of a name is ever used', async () => {
    const read = await readCountsZip(
      await makeZip([
        [`${MAC}/2019-06-01/${G1}.csv`, LINE],
        [`${MAC}/2019-06-01/notes.csv`, LINE],
      ]),
      { label: 'z' },
    )
    expect(read.cameras[0]?.files.map((f) => f.guid)).to.deep.equal([G1])
    expect(read.problems).to.deep.equal([
      `z: "${MAC}/2019-06-01/notes.csv" is not named <GUID>.csv and was ignored.`,
    ])
  })

  const names: [string, string[] | null][] = [
    [`${MAC}/2019-06-01/${G1}.csv`, [MAC, '2019-06-01', `${G1}.csv`]],
    [`${MAC}/`, [MAC]],
    ['a\\b.csv', ['a', 'b.csv']],
    ['../../evil.csv', null],
    ['a/../../evil.csv', null],
    ['..\\evil.csv', null],
    ['/etc/passwd', null],
    ['C:/x.csv', null],
    ['a//b.csv', null],
    ['./a.csv', null],
    ['a/b\u0000.csv', null],
  ]
  for (const [name, segments] of names) {
    it(`entry name ${JSON.stringify(name)} → ${JSON.stringify(segments)}`, () => {
      expect(safeSegments(name)).to.deep.equal(segments)
    })
  }

  it('GUID file names: dashed or not, any case → dashed lower case; others null', () => {
    expect(guidOfFileName(`${G1}.csv`)).to.equal(G1)
    expect(guidOfFileName('2C6DFF02CB0C4DA0ADC528DD1946DF40.CSV')).to.equal(G1)
    expect(guidOfFileName('../2c6dff02cb0c4da0adc528dd1946df40.csv')).to.equal(null)
  })

  it('a corrupt ZIP → a clear InputError', async () => {
    const good = await makeZip([[`${MAC}/2019-06-01/${G1}.csv`, LINE.repeat(50)]])
    const cases: [string, Buffer, RegExp][] = [
      [
        'random bytes',
        Buffer.from('this is not a zip file, just text'),
        /bad\.zip: not a readable ZIP archive/,
      ],
      ['truncated', good.subarray(0, good.length - 30), /bad\.zip: not a readable ZIP archive/],
      [
        'damaged data',
        Buffer.concat([good.subarray(0, 60), Buffer.alloc(40, 0x41), good.subarray(100)]),
        /bad\.zip: corrupt ZIP archive/,
      ],
    ]
    for (const [what, bytes, message] of cases) {
      const error = await readCountsZip(bytes, { label: 'bad.zip' }).then(
        () => null,
        (e: unknown) => e,
      )
      expect(error, what).to.be.instanceOf(InputError)
      expect((error as Error).message, what).to.match(message)
    }
  })

  it('an archive without a MAC directory → InputError', async () => {
    const zip = await makeZip([[`2019-06-01/${G1}.csv`, LINE]])
    expect((await failure(readCountsZip(zip, { label: 'z' }))).message).to.match(
      /no camera \(MAC address\) directory/,
    )
  })

  it('over-size archives are refused: total bytes (also inside a nested ZIP) and entry count', async () => {
    const big = 'x'.repeat(10_000)
    const flat = await makeZip([
      [`${MAC}/2019-06-01/${G1}.csv`, big],
      [`${MAC}/2019-06-01/${G2}.csv`, big],
    ])
    expect(
      (await failure(readCountsZip(flat, { label: 'z', limits: { maxTotalBytes: 15_000 } }))).message,
    ).to.match(/z: the archive exceeds the size limit/)
    const nested = await makeZip([[`${MAC}/2019-06-01.zip`, await makeZip([[`${G1}.csv`, big.repeat(10)]])]])
    expect(
      (await failure(readCountsZip(nested, { label: 'n', limits: { maxTotalBytes: 50_000 } }))).message,
    ).to.match(/size limit/)
    expect((await failure(readCountsZip(flat, { label: 'z', limits: { maxEntries: 1 } }))).message).to.match(
      /2 entries \(limit 1\)/,
    )
    expect(
      (await readCountsZip(flat, { limits: { maxTotalBytes: 20_000, maxEntries: 2 } })).cameras,
    ).to.have.length(1)
  })
})
