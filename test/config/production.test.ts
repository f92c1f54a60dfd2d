import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { inspect } from 'node:util'
import { expect } from 'chai'
import { createDriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import { Secret, secretFromEnv } from '../../src/config/secret.js'
import { ConfigError } from '../../src/support/errors.js'
import { createLogger } from '../../src/support/logger.js'

const BASE_ENV = {
  CATALOG_ETL_PROFILE: 'production',
  CATALOG_ETL_CATALOG_URL: 'http://127.0.0.1:3000',
}

describe('production profile and secrets', () => {
  let cwd: string
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'prod-settings-'))
  })
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true })
  })

  it('selects S3 storage, the PostgREST catalog and perfmet beside it', () => {
    const s = loadSettings({ env: BASE_ENV, cwd })
    expect(s.profile).to.equal('production')
    expect(s.storage.kind).to.equal('s3')
    expect(s.storage.s3).to.include({
      endpoint: null,
      region: 'us-east-1',
      forcePathStyle: false,
      maxAttempts: 5,
    })
    expect(s.catalog.kind).to.equal('postgrest')
    expect(s.catalog.schema).to.equal('api')
    expect(s.catalog.production.url).to.equal('http://127.0.0.1:3000')
    expect(s.catalog.debug.url).to.equal(null)
    expect(s.perfmet.kind).to.equal('catalog')
    expect(s.devices.awamDir).to.equal('/app/awam')
  })

  it('requires the catalog URL and refuses a debug target equal to production', () => {
    expect(() => loadSettings({ env: { CATALOG_ETL_PROFILE: 'production' }, cwd })).to.throw(
      ConfigError,
      /catalog.production.url \(or CATALOG_ETL_CATALOG_URL\)/,
    )
    const same = { ...BASE_ENV, CATALOG_ETL_DEBUG_CATALOG_URL: BASE_ENV.CATALOG_ETL_CATALOG_URL }
    expect(() => loadSettings({ env: same, cwd })).to.throw(ConfigError, /debug catalog target must differ/)
    expect(() => loadSettings({ env: { ...BASE_ENV, CATALOG_ETL_CATALOG_URL: 'not a url' }, cwd })).to.throw(
      ConfigError,
      /must be a URL/,
    )
  })

  it('a --debug run without a debug target cannot build a catalog (it would be production)', () => {
    const drivers = createDriverSet(loadSettings({ env: BASE_ENV, cwd }), { debug: true })
    expect(() => drivers.catalog()).to.throw(ConfigError, /--debug needs its own catalog target/)
  })

  it('reads S3 settings from env, AWS_REGION as a fallback for the region', () => {
    const env = {
      ...BASE_ENV,
      CATALOG_ETL_S3_ENDPOINT: 'http://127.0.0.1:9000',
      CATALOG_ETL_S3_FORCE_PATH_STYLE: 'true',
      CATALOG_ETL_S3_MAX_ATTEMPTS: '3',
      AWS_REGION: 'us-west-2',
    }
    const s = loadSettings({ env, cwd })
    expect(s.storage.s3).to.include({
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      maxAttempts: 3,
    })
    expect(s.storage.s3.region).to.equal('us-west-2')
    expect(
      loadSettings({ env: { ...env, CATALOG_ETL_S3_REGION: 'eu-west-1' }, cwd }).storage.s3.region,
    ).to.equal('eu-west-1')
    expect(() => loadSettings({ env: { ...env, CATALOG_ETL_S3_MAX_ATTEMPTS: '0' }, cwd })).to.throw(
      ConfigError,
    )
  })

  it('takes secrets from env or from a file named by env, never printing them', async () => {
    await writeFile(join(cwd, 'token'), 'file-token-123\n')
    const fromFile = loadSettings({
      env: { ...BASE_ENV, CATALOG_ETL_CATALOG_TOKEN_FILE: join(cwd, 'token') },
      cwd,
    })
    expect(fromFile.catalog.production.token?.reveal()).to.equal('file-token-123')
    const env = {
      ...BASE_ENV,
      CATALOG_ETL_CATALOG_TOKEN: 'env-token-456',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'very-secret-key',
    }
    const s = loadSettings({ env, cwd })
    expect(s.catalog.production.token?.reveal()).to.equal('env-token-456')
    expect(s.storage.s3.credentials?.secretAccessKey.reveal()).to.equal('very-secret-key')
    const shown = [JSON.stringify(s), inspect(s, { depth: 10 }), String(s.catalog.production.token)].join(
      '\n',
    )
    for (const secret of ['env-token-456', 'AKIAEXAMPLE', 'very-secret-key'])
      expect(shown).not.to.contain(secret)
    let logged = ''
    const logger = createLogger({
      destination: new Writable({
        write(chunk, _e, done) {
          logged += chunk.toString()
          done()
        },
      }),
    })
    logger.info({ settings: s }, 'settings')
    for (const secret of ['env-token-456', 'AKIAEXAMPLE', 'very-secret-key'])
      expect(logged).not.to.contain(secret)
  })

  it('rejects half-configured or doubly-configured secrets', async () => {
    expect(() => loadSettings({ env: { ...BASE_ENV, AWS_ACCESS_KEY_ID: 'x' }, cwd })).to.throw(
      ConfigError,
      /both/,
    )
    await writeFile(join(cwd, 'empty'), '')
    expect(() => secretFromEnv({ T: 'a', T_FILE: join(cwd, 'x') }, 'T')).to.throw(
      ConfigError,
      /either T or T_FILE/,
    )
    expect(() => secretFromEnv({ T_FILE: join(cwd, 'missing') }, 'T')).to.throw(ConfigError, /T_FILE/)
    expect(() => secretFromEnv({ T_FILE: join(cwd, 'empty') }, 'T')).to.throw(ConfigError, /empty/)
    expect(secretFromEnv({}, 'T')).to.equal(null)
  })

  it('a config file cannot carry a secret (tokens are not settings)', async () => {
    await writeFile(
      join(cwd, 'catalog-etl.config.json'),
      JSON.stringify({ catalog: { production: { url: 'http://x', token: 'leaked' } } }),
    )
    expect(() => loadSettings({ env: BASE_ENV, cwd })).to.throw(
      ConfigError,
      /Unknown setting "catalog.production.token"/,
    )
  })

  it('publishes to Socrata with a configurable host; --debug needs a separate portal', () => {
    const env = {
      ...BASE_ENV,
      CATALOG_ETL_SOCRATA_HOST: '127.0.0.1:8080',
      CATALOG_ETL_SOCRATA_PROTOCOL: 'http',
      CATALOG_ETL_SOCRATA_USERNAME: 'publisher',
      CATALOG_ETL_SOCRATA_PASSWORD: 'pw-secret',
      CATALOG_ETL_SOCRATA_APP_TOKEN: 'app-token-secret',
    }
    const s = loadSettings({ env, cwd })
    expect(s.publisher.kind).to.equal('socrata')
    expect(s.publisher.socrata).to.include({
      host: '127.0.0.1:8080',
      protocol: 'http',
      chunkSize: 10000,
      debugHost: null,
    })
    expect(JSON.stringify(s)).not.to.contain('pw-secret')
    const production = createDriverSet(s, { debug: false })
    expect(production.publisher('wt', 'default')).to.include({ name: 'socrata', identifier: 'i626-g7ub' })
    const debug = createDriverSet(s, { debug: true })
    expect(() => debug.publisher('wt', 'default')).to.throw(
      ConfigError,
      /--debug needs its own Socrata portal/,
    )
    expect(() =>
      loadSettings({ env: { ...env, CATALOG_ETL_DEBUG_SOCRATA_HOST: '127.0.0.1:8080' }, cwd }),
    ).to.throw(ConfigError, /debugHost must differ/)
    expect(() => loadSettings({ env: { ...env, CATALOG_ETL_SOCRATA_HOST: 'https://x.org' }, cwd })).to.throw(
      ConfigError,
      /host name/,
    )
  })

  it('Secret prints as [redacted]', () => {
    const secret = new Secret('s3cr3t', 'TEST')
    expect(`${secret}`).to.equal('[redacted]')
    expect(JSON.stringify({ secret })).to.equal('{"secret":"[redacted]"}')
    expect(inspect(secret)).to.equal('Secret([redacted] from TEST)')
  })
})
