import { mkdtemp, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { awamShareFileName } from '../../src/entries/bt/awam-format.js'
import { runCli } from '../../src/entries/cli.js'
import { addDays, type Clock, parseTimestamp } from '../../src/util/dates.js'
import { writeBtShare } from '../helpers/bt-share.js'

// --reprocess-newer on the embedded default: a stage re-processes exactly the items whose source was rewritten after
// the stage last processed them, and nothing else.

const FIRST = parseTimestamp('2019-06-01 00:00:00-05:00')
const WINDOW = ['-s', '2019-06-01', '-e', '2019-06-04']

describe('--reprocess-newer picks up rewritten sources, and only those', function () {
  this.timeout(120_000)
  let dir = ''
  let lake = ''
  let now = parseTimestamp('2019-06-10 03:00:00')
  const clock: Clock = { now: () => now }

  const plan = async (app: string, extra: readonly string[] = []): Promise<string[]> => {
    let out = ''
    const code = await runCli(
      [app, ...WINDOW, ...extra, '--dry-run', '--lake-dir', lake, '--log-level', 'silent'],
      {
        clock,
        env: { CATALOG_ETL_AWAM_DIR: join(dir, 'awam'), CATALOG_ETL_UNIT_DATA_DIR: join(dir, 'unit-data') },
        cwd: dir,
        stdout: (t) => {
          out += t
        },
      },
    )
    expect(code).to.equal(0)
    return out
      .split('\n')
      .filter((line) => line.startsWith('  '))
      .map((line) =>
        line.trim().split(/\s+/).slice(0, 1).concat(line.trim().split(/\s+/).slice(3, 4)).join(' '),
      )
  }
  const run = async (app: string, extra: readonly string[] = []) => {
    const window = extra.includes('-s') ? [] : WINDOW
    const code = await runCli([app, ...window, ...extra, '--lake-dir', lake, '--log-level', 'silent'], {
      clock,
      env: { CATALOG_ETL_AWAM_DIR: join(dir, 'awam'), CATALOG_ETL_UNIT_DATA_DIR: join(dir, 'unit-data') },
      cwd: dir,
      stdout: () => undefined,
    })
    expect(code, app).to.equal(0)
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reprocess-newer-'))
    lake = join(dir, 'lake')
    const awam = join(dir, 'awam')
    await writeBtShare({
      awamDir: awam,
      unitDataDir: join(dir, 'unit-data'),
      first: FIRST,
      days: 3,
      readers: 3,
      readerSeed: 8,
      seed: 8,
      iafRows: 20,
      itmfRows: 4,
    })
    const old = new Date('2019-06-05T00:00:00Z')
    for (let day = 0; day < 3; day += 1) {
      for (const type of ['unmatched', 'matched', 'traf_match_summary'] as const)
        await utimes(join(awam, awamShareFileName(type, addDays(FIRST, day))), old, old)
    }
  })

  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('re-processes one re-ingested day downstream, and a re-delivered share file upstream', async () => {
    await run('bt-insert-lake')
    now = now.plus({ hours: 1 })
    await run('bt-json-standard')
    expect(await plan('bt-json-standard', ['--reprocess-newer'])).to.deep.equal([])

    now = now.plus({ hours: 1 })
    await run('bt-insert-lake', ['-s', '2019-06-02', '-e', '2019-06-02', '-F'])
    expect(await plan('bt-json-standard')).to.deep.equal([])
    const newer = await plan('bt-json-standard', ['--reprocess-newer'])
    expect(newer.map((l) => l.split(' ')[0])).to.deep.equal(['2019-06-02', '2019-06-02', '2019-06-02'])
    now = now.plus({ hours: 1 })
    await run('bt-json-standard', ['--reprocess-newer'])
    expect(await plan('bt-json-standard', ['--reprocess-newer'])).to.deep.equal([])

    const share = join(dir, 'awam', awamShareFileName('matched', addDays(FIRST, 2)))
    const later = new Date(now.plus({ minutes: 5 }).toMillis())
    await utimes(share, later, later)
    expect(await plan('bt-insert-lake')).to.deep.equal([])
    const redelivered = await plan('bt-insert-lake', ['--reprocess-newer'])
    expect(redelivered).to.have.length(1)
    expect(redelivered[0]).to.match(/^2019-06-03 /)
  })
})
