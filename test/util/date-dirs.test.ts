import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { DateTime } from 'luxon'
import { ArgumentError } from '../../src/support/errors.js'
import {
  compileDateFormat,
  createDateDir,
  type DateDir,
  type DateDirDef,
  scanDateDir,
} from '../../src/util/date-dirs.js'
import { formatPyTs, localizeWall } from '../../src/util/dates.js'

const day = (iso: string) => {
  const [year = 0, month = 0, dayOfMonth = 0] = iso.split('-').map(Number)
  return localizeWall({ year, month, day: dayOfMonth })
}

const BT: DateDirDef = { prefix: 'Austin_bt_', dateFormat: '%m-%d-%Y', postfix: '.txt' }

describe('date-dirs: compileDateFormat (strptime subset)', () => {
  const cases: [string, string, Record<string, number> | null][] = [
    ['%m-%d-%Y', '06-01-2019', { year: 2019, month: 6, day: 1 }],
    ['%m-%d-%Y', '6-1-2019', { year: 2019, month: 6, day: 1 }],
    ['%Y_%m_%d', '2019_06_01', { year: 2019, month: 6, day: 1 }],
    ['%Y%m%d', '20190601', { year: 2019, month: 6, day: 1 }],
    ['%Y%m%d', '2019611', { year: 2019, month: 6, day: 11 }],
    [
      '%Y-%m-%d_%H%M%S',
      '2019-06-01_083005',
      { year: 2019, month: 6, day: 1, hour: 8, minute: 30, second: 5 },
    ],
    ['%Y%%%m', '2019%06', { year: 2019, month: 6, day: 1 }],
    ['%H:%M', '7:05', { year: 1900, month: 1, day: 1, hour: 7, minute: 5 }],
    ['day %d of %Y-%m', 'DAY 3 OF 2019-06', { year: 2019, month: 6, day: 3 }],
    ['%m-%d-%Y', 'summary_15_06-01-2019', null],
    ['%m-%d-%Y', '06-01-19', null],
    ['%m-%d-%Y', '13-01-2019', null],
    ['%m-%d-%Y', '00-01-2019', null],
    ['%m-%d-%Y', '06-32-2019', null],
    ['%m-%d-%Y', '06-01-2019x', null],
    ['%m-%d-%Y', '06.01.2019', null],
    ['%Y_%m_%d', '2019-06-01', null],
  ]
  for (const [format, text, expected] of cases) {
    it(`${format} on ${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
      const parsed = compileDateFormat(format)(text)
      if (expected === null) expect(parsed).to.equal(null)
      else expect(parsed).to.deep.equal({ year: 1900, month: 1, day: 1, ...expected })
    })
  }

  for (const format of ['%Q', '%Y-%Y', '%Y-%m-%d%']) {
    it(`rejects the format ${JSON.stringify(format)}`, () => {
      expect(() => compileDateFormat(format)).to.throw(ArgumentError, /directive/)
    })
  }
})

describe('date-dirs: scanDateDir on a real directory', () => {
  let dir = ''
  let dated: DateDir
  const duplicates: string[] = []

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'date-dirs-'))
    const files = [
      'Austin_bt_06-01-2019.txt',
      'Austin_bt_6-1-2019.txt',
      'Austin_bt_06-02-2019.txt',
      'Austin_bt_6-3-2019.txt',
      'Austin_bt_03-10-2019.txt',
      'Austin_bt_summary_15_06-01-2019.txt',
      'Austin_btmatch_06-01-2019.txt',
      'Austin_bt_06-04-2019.csv',
      'Austin_bt_02-30-2019.txt',
      'austin_bt_06-08-2019.txt',
      'Austin_bt_.txt',
    ]
    for (const name of files) await writeFile(join(dir, name), name)
    await mkdir(join(dir, 'Austin_bt_06-05-2019.txt'))
    await symlink(join(dir, 'Austin_bt_06-02-2019.txt'), join(dir, 'Austin_bt_06-06-2019.txt'))
    await symlink(join(dir, 'missing.txt'), join(dir, 'Austin_bt_06-07-2019.txt'))
    dated = await scanDateDir(dir, BT, { onDuplicate: (name) => duplicates.push(name) })
  })

  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps matching files only, sorted by date, first name per date wins', () => {
    expect(dated.dir).to.equal(dir)
    expect(dated.entries.map((e) => e.name)).to.deep.equal([
      'Austin_bt_03-10-2019.txt',
      'Austin_bt_06-01-2019.txt',
      'Austin_bt_06-02-2019.txt',
      'Austin_bt_6-3-2019.txt',
      'Austin_bt_06-06-2019.txt',
    ])
    expect(dated.entries.map((e) => e.path)).to.deep.equal(dated.entries.map((e) => join(dir, e.name)))
    expect(duplicates).to.deep.equal(['Austin_bt_6-1-2019.txt'])
  })

  it('dates are Central midnights with the right offset, also on a DST day', () => {
    expect(dated.getDates().map(formatPyTs)).to.deep.equal([
      '2019-03-10 00:00:00-06:00',
      '2019-06-01 00:00:00-05:00',
      '2019-06-02 00:00:00-05:00',
      '2019-06-03 00:00:00-05:00',
      '2019-06-06 00:00:00-05:00',
    ])
    expect(formatPyTs(dated.getMostRecentDate() as DateTime)).to.equal('2019-06-06 00:00:00-05:00')
  })

  const resolveCases: [string, string, Parameters<DateDir['resolveFile']>[1], string | null][] = [
    ['exact', '2019-06-02', {}, 'Austin_bt_06-02-2019.txt'],
    ['no exact match', '2019-06-04', {}, null],
    ['before everything', '2019-01-01', {}, null],
    ['nextFuture, exact', '2019-06-02', { nextFuture: true }, 'Austin_bt_06-02-2019.txt'],
    ['nextFuture, gap', '2019-06-04', { nextFuture: true }, 'Austin_bt_06-06-2019.txt'],
    ['nextFuture, before everything', '2019-01-01', { nextFuture: true }, 'Austin_bt_03-10-2019.txt'],
    ['nextFuture, after everything', '2019-06-07', { nextFuture: true }, null],
    ['mostRecent, gap', '2019-06-04', { mostRecent: true }, 'Austin_bt_6-3-2019.txt'],
    [
      'mostRecent, exact → the one before (quirk)',
      '2019-06-02',
      { mostRecent: true },
      'Austin_bt_06-01-2019.txt',
    ],
    ['mostRecent, exact first entry', '2019-03-10', { mostRecent: true }, 'Austin_bt_03-10-2019.txt'],
    ['mostRecent, before everything', '2019-01-01', { mostRecent: true }, null],
    ['mostRecent, after everything', '2019-06-30', { mostRecent: true }, 'Austin_bt_06-06-2019.txt'],
    ['both flags', '2019-06-02', { mostRecent: true, nextFuture: true }, null],
  ]
  for (const [name, date, options, expected] of resolveCases) {
    it(`resolveFile: ${name}`, () => expect(dated.resolveFile(day(date), options)).to.equal(expected))
  }

  it('resolveFile matches by instant and can return the full path', () => {
    const sameInstant = DateTime.fromISO('2019-06-02T05:00:00Z', { zone: 'utc' })
    expect(dated.resolveFile(sameInstant)).to.equal('Austin_bt_06-02-2019.txt')
    expect(dated.resolveFile(day('2019-06-02').plus({ hours: 1 }))).to.equal(null)
    expect(dated.resolveFile(day('2019-06-04'), { nextFuture: true, fullPath: true })).to.equal(
      join(dir, 'Austin_bt_06-06-2019.txt'),
    )
  })

  const rangeCases: [string | null, string | null, boolean, string[]][] = [
    ['2019-06-01', '2019-06-03', true, ['06-01', '06-02', '6-3']],
    ['2019-06-01', '2019-06-03', false, ['06-02']],
    ['2019-05-31', '2019-06-04', false, ['06-01', '06-02', '6-3']],
    [null, '2019-06-02', true, ['03-10', '06-01', '06-02']],
    [null, '2019-06-02', false, ['03-10', '06-01']],
    ['2019-06-02', null, false, ['6-3', '06-06']],
    ['2019-06-02', null, true, ['06-02', '6-3', '06-06']],
    [null, null, true, ['03-10', '06-01', '06-02', '6-3', '06-06']],
    ['2019-07-01', '2019-08-01', true, []],
  ]
  for (const [early, late, inclusive, expected] of rangeCases) {
    it(`getFileRange(${early}, ${late}, inclusive ${inclusive})`, () => {
      const result = dated.getFileRange(early ? day(early) : null, late ? day(late) : null, { inclusive })
      expect(result).to.deep.equal(expected.map((d) => `Austin_bt_${d}-2019.txt`))
    })
  }

  it('getFileRange defaults to inclusive and can return full paths', () => {
    expect(dated.getFileRange(day('2019-06-02'), day('2019-06-02'), { fullPath: true })).to.deep.equal([
      join(dir, 'Austin_bt_06-02-2019.txt'),
    ])
  })

  it('finds directories instead of files with findDirs, and reads dates in the zone option', async () => {
    const dirs = await scanDateDir(dir, { ...BT, findDirs: true }, { zone: 'UTC' })
    expect(dirs.entries.map((e) => e.name)).to.deep.equal(['Austin_bt_06-05-2019.txt'])
    expect(formatPyTs(dirs.entries[0]?.date as DateTime)).to.equal('2019-06-05 00:00:00+00:00')
  })

  it('parses times of day as Central wall times (pytz rules on DST days)', async () => {
    const sub = join(dir, 'timed')
    await mkdir(sub)
    for (const name of ['gs_2019-11-03_0130.zip', 'gs_2019-03-10_0230.zip', 'gs_2019-06-01_2400.zip']) {
      await writeFile(join(sub, name), '')
    }
    const timed = await scanDateDir(sub, { prefix: 'gs_', dateFormat: '%Y-%m-%d_%H%M', postfix: '.zip' })
    expect(timed.getDates().map(formatPyTs)).to.deep.equal([
      '2019-03-10 02:30:00-06:00',
      '2019-11-03 01:30:00-06:00',
    ])
  })

  it('handles an empty result and a missing directory', async () => {
    const none = await scanDateDir(dir, { prefix: 'nothing_', dateFormat: '%Y', postfix: '' })
    expect(none.entries).to.deep.equal([])
    expect(none.getMostRecentDate()).to.equal(null)
    expect(none.resolveFile(day('2019-06-01'), { nextFuture: true })).to.equal(null)
    expect(none.getFileRange(null, null)).to.deep.equal([])
    let error: unknown
    await scanDateDir(join(dir, 'no-such-dir'), BT).catch((e: unknown) => {
      error = e
    })
    expect((error as NodeJS.ErrnoException).code).to.equal('ENOENT')
  })
})

describe('date-dirs: createDateDir', () => {
  it('sorts given entries by date', () => {
    const entries = ['2019-06-03', '2019-06-01', '2019-06-02'].map((d) => ({
      date: day(d),
      name: `${d}.json`,
      path: `/x/${d}.json`,
    }))
    const dated = createDateDir('/x', entries)
    expect(dated.entries.map((e) => e.name)).to.deep.equal([
      '2019-06-01.json',
      '2019-06-02.json',
      '2019-06-03.json',
    ])
    expect(dated.resolveFile(day('2019-06-02'), { fullPath: true })).to.equal('/x/2019-06-02.json')
  })
})
