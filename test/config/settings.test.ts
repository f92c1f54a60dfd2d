import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { DATA_SOURCES, findDataSource } from '../../src/config/data-sources.js'
import { createDriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import { DEFAULT_REPOSITORIES, repositoryFor } from '../../src/config/repositories.js'
import { ConfigError } from '../../src/support/errors.js'

describe('settings', () => {
  let cwd: string
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'settings-'))
  })
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true })
  })

  it('defaults to the local profile with everything under ./lake', () => {
    const s = loadSettings({ env: {}, cwd })
    expect(s.profile).to.equal('local')
    expect(s.lakeDir).to.equal(join(cwd, 'lake'))
    expect(s.storage.kind).to.equal('local')
    expect(s.catalog.kind).to.equal('pglite')
    expect(s.catalog.production.dataDir).to.equal(join(cwd, 'lake', '.catalog'))
    expect(s.catalog.debug.dataDir).to.equal(join(cwd, 'lake', '.catalog-debug'))
    expect(s.unitData.dir).to.equal(join(cwd, 'lake', 'unit-data'))
    expect(s.publisher.dir).to.equal(join(cwd, 'lake', 'publish'))
    expect(s.unitLocation).to.equal('Austin')
    expect(s.timezone).to.equal('America/Chicago')
    expect(Object.isFrozen(s)).to.equal(true)
    expect(Object.isFrozen(s.catalog.production)).to.equal(true)
  })

  it('applies profile → config file → env → flags, later layers winning', async () => {
    await writeFile(
      join(cwd, 'catalog-etl.config.json'),
      JSON.stringify({ lakeDir: 'from-file', log: { level: 'warn' }, unitLocation: 'FileTown' }),
    )
    const fileOnly = loadSettings({ env: {}, cwd })
    expect(fileOnly.lakeDir).to.equal(join(cwd, 'from-file'))
    expect(fileOnly.log.level).to.equal('warn')
    expect(fileOnly.unitLocation).to.equal('FileTown')

    const withEnv = loadSettings({
      env: { CATALOG_ETL_LAKE_DIR: 'from-env', CATALOG_ETL_LOG_LEVEL: 'debug' },
      cwd,
    })
    expect(withEnv.lakeDir).to.equal(join(cwd, 'from-env'))
    expect(withEnv.log.level).to.equal('debug')
    expect(withEnv.catalog.production.dataDir).to.equal(join(cwd, 'from-env', '.catalog'))

    const withFlags = loadSettings({
      env: { CATALOG_ETL_LAKE_DIR: 'from-env' },
      cwd,
      overrides: { lakeDir: 'from-flag' },
    })
    expect(withFlags.lakeDir).to.equal(join(cwd, 'from-flag'))
    expect(withFlags.unitData.dir).to.equal(join(cwd, 'from-flag', 'unit-data'))
  })

  it('reads an explicit config file (option or CATALOG_ETL_CONFIG)', async () => {
    await writeFile(
      join(cwd, 'other.json'),
      JSON.stringify({ catalog: { kind: 'memory' }, perfmet: { kind: 'none' } }),
    )
    expect(loadSettings({ env: {}, cwd, configFile: 'other.json' }).catalog.kind).to.equal('memory')
    expect(loadSettings({ env: { CATALOG_ETL_CONFIG: 'other.json' }, cwd }).catalog.kind).to.equal('memory')
  })

  const invalid: [string, Record<string, string>, RegExp][] = [
    ['unknown profile', { CATALOG_ETL_PROFILE: 'cloud' }, /Unknown profile "cloud".*"local"/],
    [
      'unknown storage kind',
      { CATALOG_ETL_STORAGE: 'ftp' },
      /"storage.kind".*valid values: "local", "memory"/,
    ],
    ['unknown catalog kind', { CATALOG_ETL_CATALOG: 'mysql' }, /"catalog.kind".*"pglite"/],
    ['bad log level', { CATALOG_ETL_LOG_LEVEL: 'loud' }, /"log.level"/],
  ]
  for (const [name, env, pattern] of invalid) {
    it(`rejects ${name} with a ConfigError listing the valid values`, () => {
      expect(() => loadSettings({ env, cwd })).to.throw(ConfigError, pattern)
    })
  }

  it('rejects a broken config file with its path', async () => {
    await writeFile(join(cwd, 'catalog-etl.config.json'), '{ nope')
    expect(() => loadSettings({ env: {}, cwd })).to.throw(ConfigError, /catalog-etl\.config\.json/)
  })

  it('refuses a debug catalog target equal to the production one', () => {
    const env = { CATALOG_ETL_CATALOG_DIR: 'same', CATALOG_ETL_DEBUG_CATALOG_DIR: 'same' }
    expect(() => loadSettings({ env, cwd })).to.throw(ConfigError, /debug catalog target must differ/)
  })

  it('maps purposes to production and debug repositories (spec §1.2)', () => {
    const table: [keyof typeof DEFAULT_REPOSITORIES, string, string][] = [
      ['raw', 'atd-datalake-raw', 'atd-datalake-raw-test'],
      ['standardized', 'atd-datalake-rawjson', 'atd-datalake-rawjson-test'],
      ['ready', 'atd-datalake-ready', 'atd-datalake-ready-test'],
      ['public', 'socrata', 'socrata-test'],
    ]
    for (const [purpose, prod, debug] of table) {
      expect(repositoryFor(DEFAULT_REPOSITORIES, purpose, false)).to.equal(prod)
      expect(repositoryFor(DEFAULT_REPOSITORIES, purpose, true)).to.equal(debug)
    }
  })

  it('maps data-source codes and long names (spec §1.1)', () => {
    expect(DATA_SOURCES.bt.name).to.equal('Bluetooth')
    expect(DATA_SOURCES.wt.name).to.equal('Wavetronix')
    expect(DATA_SOURCES.gs.name).to.equal('GRIDSMART')
    expect(findDataSource('gridsmart')?.code).to.equal('gs')
    expect(findDataSource('xx')).to.equal(undefined)
  })

  it('builds drivers lazily, once each, and names unknown publishing variants', async () => {
    const settings = loadSettings({
      env: { CATALOG_ETL_CATALOG: 'memory', CATALOG_ETL_PERFMET: 'none' },
      cwd,
    })
    const drivers = createDriverSet(settings, { debug: false })
    expect(drivers.storage('atd-datalake-raw')).to.equal(drivers.storage('atd-datalake-raw'))
    expect(drivers.catalog()).to.equal(drivers.catalog())
    expect(drivers.perfmet()).to.equal(null)
    expect(drivers.datasetId('bt', 'matched')).to.equal('x44q-icha')
    expect(drivers.datasetId('bt', 'unmatched')).to.equal('qnpj-zrb9')
    expect(drivers.datasetId('bt', 'traf_match_summary')).to.equal('v7zg-5jg9')
    expect(drivers.datasetId('wt', 'default')).to.equal('i626-g7ub')
    expect(drivers.datasetId('gs', 'default')).to.equal('sh59-i6y9')
    expect(() => drivers.datasetId('bt', 'other')).to.throw(
      ConfigError,
      /traf_match_summary, matched, unmatched/,
    )
    await drivers.close()
    await drivers.close()
  })

  it('refuses perfmet "catalog" without the pglite catalog when the settings load', () => {
    expect(() => loadSettings({ env: { CATALOG_ETL_CATALOG: 'memory' }, cwd })).to.throw(
      ConfigError,
      /perfmet/,
    )
  })

  it('names unknown settings (a typo is an error, not a silent default)', async () => {
    await writeFile(join(cwd, 'catalog-etl.config.json'), JSON.stringify({ lakedir: 'x' }))
    expect(() => loadSettings({ env: {}, cwd })).to.throw(ConfigError, /Unknown setting "lakedir".*lakeDir/)
    await writeFile(join(cwd, 'catalog-etl.config.json'), JSON.stringify({ catalog: { knd: 'memory' } }))
    expect(() => loadSettings({ env: {}, cwd })).to.throw(ConfigError, /Unknown setting "catalog.knd"/)
  })
})
