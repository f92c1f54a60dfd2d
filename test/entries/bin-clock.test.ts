import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect } from 'chai'
import { createAwamReaders, writeAwamDay } from '../../src/drivers/devices/awam-generator.js'
import { parseTimestamp } from '../../src/util/dates.js'

const run = promisify(execFile)

describe('the catalog-etl binary', function () {
  this.timeout(60_000)
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bin-clock-'))
    const share = join(dir, 'share')
    await mkdir(share, { recursive: true })
    await writeAwamDay(share, parseTimestamp('2019-06-02'), {
      readers: createAwamReaders(2, 1),
      seed: 1,
      iafRows: 5,
    })
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('CATALOG_ETL_CLOCK freezes "now": -s 1 then means the day before the frozen date', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        'bin/catalog-etl.js',
        'bt-insert-lake',
        '-s',
        '1',
        '-d',
        join(dir, 'share'),
        '--dry-run',
        '--lake-dir',
        join(dir, 'lake'),
        '--log-level',
        'error',
      ],
      { env: { ...process.env, CATALOG_ETL_CLOCK: '2019-06-03T10:00:00' } },
    )
    expect(stdout).to.contain('bt-insert-lake: dry run, 3 item(s) would be processed')
    expect(stdout).to.contain('2019-06-02 00:00:00-05:00')
  })
})
