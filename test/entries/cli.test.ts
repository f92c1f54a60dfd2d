import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { runCli } from '../../src/entries/cli.js'
import { APPS } from '../../src/entries/registry.js'
import { COMMON_OPTIONS } from '../../src/support/app-args.js'
import { fixedClock } from '../../src/util/dates.js'
import { createLogSink } from '../helpers/log-sink.js'

async function cli(argv: string[], cwd: string) {
  let out = ''
  let err = ''
  const { logger } = createLogSink('warn')
  const code = await runCli(argv, {
    cwd,
    env: {},
    stdout: (t) => {
      out += t
    },
    stderr: (t) => {
      err += t
    },
    clock: fixedClock('2019-06-04 09:00:00'),
    logger,
  })
  return { code, out, err }
}

describe('CLI (in-process)', function () {
  this.timeout(120_000)
  let cwd: string
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'cli-'))
  })
  after(async () => {
    await rm(cwd, { recursive: true, force: true })
  })

  it('--help lists every app and the operational commands', async () => {
    const { code, out } = await cli(['--help'], cwd)
    expect(code).to.equal(0)
    for (const app of APPS) expect(out).to.contain(app.definition.name)
    expect(out).to.contain('catalog').and.contain('demo')
  })

  for (const app of APPS) {
    it(`${app.definition.name} --help lists every common and custom flag with both spellings`, async () => {
      const { code, out } = await cli([app.definition.name, '--help'], cwd)
      expect(code).to.equal(0)
      for (const option of [...COMMON_OPTIONS, ...app.definition.options]) {
        expect(out).to.contain(`--${option.name}`)
        if (option.name.includes('_')) expect(out).to.contain(`--${option.name.replaceAll('_', '-')}`)
        if (option.short) expect(out).to.contain(`-${option.short},`)
      }
    })
  }

  it('a run without -r or -s is a fatal argument error (exit 1)', async () => {
    const { code, err } = await cli(['bt-json-standard', '--lake-dir', join(cwd, 'lake')], cwd)
    expect(code).to.equal(1)
    expect(err).to.contain('A last_run_date or start_date must be specified')
  })

  it('an unparseable date names the value and the accepted forms', async () => {
    const { code, err } = await cli(['bt-insert-lake', '-s', 'yesterday-ish'], cwd)
    expect(code).to.equal(1)
    expect(err).to.contain('"yesterday-ish"').and.contain('YYYY-MM-DD')
  })

  it('unknown commands and flags are usage errors', async () => {
    expect((await cli(['bt-nonsense'], cwd)).code).to.equal(1)
    const unknownFlag = await cli(['bt-insert-lake', '-s', '1', '--frobnicate'], cwd)
    expect(unknownFlag.code).to.equal(1)
    expect(unknownFlag.err).to.contain('frobnicate')
  })

  it('an invalid setting in the environment fails with the valid choices', async () => {
    let err = ''
    const code = await runCli(['catalog', 'query'], {
      cwd,
      env: { CATALOG_ETL_STORAGE: 'ftp' },
      stdout: () => {},
      stderr: (t) => {
        err += t
      },
    })
    expect(code).to.equal(1)
    expect(err).to.contain('"storage.kind"').and.contain('"local"')
  })

  it('demo generates data, runs the bt and wt apps, and the second run processes nothing; catalog query shows the rows', async () => {
    const lake = ['--lake-dir', join(cwd, 'lake')]
    const first = await cli(['demo', '--days', '2', ...lake], cwd)
    expect(first.code, first.err).to.equal(0)
    expect(first.out).to.match(/bt-insert-lake\s+6 item\(s\) processed/)
    expect(first.out).to.match(/bt-json-standard\s+6 item\(s\) processed/)
    expect(first.out).to.match(/bt-extract-soc\s+6 item\(s\) processed/)
    expect(first.out).to.match(/wt-extract-soc\s+2 item\(s\) processed/)
    const second = await cli(['demo', '--days', '2', ...lake], cwd)
    expect(second.out).to.contain('Nothing new to process')

    const table = await cli(
      ['catalog', 'query', '--source', 'bt', '--repository', 'atd-datalake-raw', ...lake],
      cwd,
    )
    expect(table.code).to.equal(0)
    expect(table.out).to.contain('2019/06/02/bt/Austin_bt_2019-06-02_matched.txt')
    expect(table.out).to.contain('(6 rows)')

    const json = await cli(
      [
        'catalog',
        'query',
        '--json',
        '-s',
        '2019-06-03',
        '-e',
        '2019-06-04',
        '--repository',
        'atd-datalake-raw',
        '--repository',
        'atd-datalake-rawjson',
        '--source',
        'bt',
        ...lake,
      ],
      cwd,
    )
    const rows = JSON.parse(json.out) as { pointer: string; collection_date: string }[]
    expect(rows.map((r) => r.pointer)).to.have.members([
      '2019/06/03/bt/Austin_bt_2019-06-03_matched.txt',
      '2019/06/03/bt/Austin_bt_2019-06-03_traf_match_summary.txt',
      '2019/06/03/bt/Austin_bt_2019-06-03_unmatched.txt',
      '2019/06/03/bt/Austin_bt_2019-06-03_matched.json',
      '2019/06/03/bt/Austin_bt_2019-06-03_traf_match_summary.json',
      '2019/06/03/bt/Austin_bt_2019-06-03_unmatched.json',
    ])
    expect(rows.every((r) => r.collection_date === '2019-06-03 00:00:00-05:00')).to.equal(true)
  })
})
