import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import {
  createSocrataPublisher,
  SocrataError,
  type SocrataPublisherOptions,
} from '../../../src/drivers/publisher/socrata.js'
import { ConfigError, DriverError } from '../../../src/support/errors.js'
import { silentLogger } from '../../../src/support/logger.js'
import { Publisher } from '../../../src/support/publisher.js'
import type { PublishRow } from '../../../src/support/publisher-driver.js'
import {
  type SocrataEmulator,
  type SocrataEmulatorOptions,
  startSocrataEmulator,
} from '../../emulators/socrata/index.js'
import { basic, PASSWORD, USER } from '../../emulators/socrata/test-client.js'
import { createLogSink } from '../../helpers/log-sink.js'

use(chaiAsPromised)

const DATASET = 'sh59-i6y9'
const APP_TOKEN = 'app-token-value'
const COLUMNS = [
  { fieldName: 'record_id', dataType: 'text' },
  { fieldName: 'device_name', dataType: 'text' },
  { fieldName: 'volume', dataType: 'number' },
  { fieldName: 'timestamp', dataType: 'floating_timestamp' },
] as const

const row = (n: number): PublishRow => ({
  record_id: `rec-${n}`,
  device_name: `cam-${n % 7}`,
  volume: n,
  timestamp: '2024-05-01T10:15:00',
})
const rows = (n: number): PublishRow[] => Array.from({ length: n }, (_, i) => row(i))

describe('Socrata publisher driver (against the Socrata emulator)', function () {
  this.timeout(60_000)
  let emu: SocrataEmulator
  const start = async (options: SocrataEmulatorOptions = {}) => {
    emu = await startSocrataEmulator(options)
    emu.createDataset(DATASET, { columns: COLUMNS, rowIdentifier: 'record_id' })
  }
  const make = (extra: Partial<SocrataPublisherOptions> = {}) =>
    createSocrataPublisher({
      host: emu.host,
      protocol: 'http',
      datasetId: DATASET,
      username: USER,
      password: PASSWORD,
      appToken: APP_TOKEN,
      retries: 3,
      minDelayMs: 5,
      maxDelayMs: 20,
      timeoutMs: 10_000,
      ...extra,
    })
  const posts = () => emu.requests.filter((r) => r.method === 'POST')
  const stored = () => emu.rows(DATASET).map((r) => r.record_id as string)

  beforeEach(() => start())
  afterEach(async () => {
    await emu.close()
  })

  it('is identified by the dataset id and prefers 10,000-row chunks by default', () => {
    const driver = make()
    expect([driver.name, driver.identifier, driver.preferredChunk]).to.deep.equal([
      'socrata',
      DATASET,
      10_000,
    ])
    expect(make({ chunkSize: 500 }).preferredChunk).to.equal(500)
  })

  it('through the Publisher facade: 25,001 rows at chunk 10,000 → 3 POSTs; an empty flush sends nothing', async () => {
    const publisher = new Publisher({ driver: make(), copy: null, simulate: false, logger: silentLogger() })
    await publisher.flush()
    expect(emu.requests).to.have.length(0)
    for (const r of rows(25_001)) await publisher.addRow(r)
    await publisher.close()
    expect(posts().map((r) => (r.json as unknown[]).length)).to.deep.equal([10_000, 10_000, 5_001])
    expect(posts().every((r) => r.path === `/resource/${DATASET}.json`)).to.equal(true)
    expect(new Set(stored()).size).to.equal(25_001)
    expect(publisher.rowCount).to.equal(25_001)
  })

  it('sends no request for an empty write', async () => {
    await make().write([])
    expect(emu.requests).to.have.length(0)
  })

  it('lower-cases keys and sends Basic auth, the app token and a JSON content type to the configured host', async () => {
    emu.requireAppToken = true
    await make().write([{ Record_ID: 'A1', DEVICE_NAME: 'cam', Volume: 3, timestamp: null }])
    const [request] = emu.requests
    expect(request?.json).to.deep.equal([{ record_id: 'A1', device_name: 'cam', volume: 3, timestamp: null }])
    expect(request?.headers.authorization).to.equal(basic())
    expect(request?.headers['x-app-token']).to.equal(APP_TOKEN)
    expect(request?.headers['content-type']).to.match(/^application\/json/)
    expect(emu.rows(DATASET)).to.have.length(1)
    expect(emu.rows(DATASET)[0]).to.include({ record_id: 'A1', volume: '3' })
  })

  it('refuses keys that collide once lower-cased, before any request', async () => {
    await expect(make().write([{ a: 1, A: 2 }])).to.be.rejectedWith(/collide/)
    expect(emu.requests).to.have.length(0)
  })

  it('wrong password → 401 SocrataError with Socrata’s message, not retried, no secret in the message', async () => {
    const error = await make({ password: 'wrong-password' })
      .write(rows(2))
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(error).to.be.instanceOf(SocrataError)
    const e = error as SocrataError
    expect([e.code, e.status, e.transient, e.datasetId]).to.deep.equal(['E_HTTP', 401, false, DATASET])
    expect(e.message).to.contain('Invalid username or password').and.contain('HTTP 401')
    expect(e.message).not.to.contain('wrong-password')
    expect(emu.requests).to.have.length(1)
  })

  it('no credentials → 403 "You must be logged in" with a hint', async () => {
    const driver = make({ username: undefined, password: undefined })
    await expect(driver.write(rows(1))).to.be.rejectedWith(
      /HTTP 403.*You must be logged in.*No Socrata credentials/,
    )
  })

  it('429 with Retry-After is retried after the requested wait', async () => {
    emu.failNext(1, { status: 429, headers: { 'Retry-After': '1' } })
    const started = Date.now()
    await make().write(rows(3))
    expect(Date.now() - started).to.be.at.least(950)
    expect(posts()).to.have.length(2)
    expect(stored()).to.have.length(3)
  })

  it('a Retry-After longer than maxRetryAfterMs is cut to it', async () => {
    emu.failNext(1, { status: 429, headers: { 'Retry-After': '120' } })
    const started = Date.now()
    await make({ maxRetryAfterMs: 50 }).write(rows(1))
    expect(Date.now() - started).to.be.below(5_000)
    expect(posts()).to.have.length(2)
  })

  it('503 and 202 are retried; a warn line per retry carries no secret', async () => {
    const { logger, lines } = createLogSink()
    emu.failNext(2, { status: 503 })
    emu.failNext(1, { status: 202, body: { message: 'Request Processing' } })
    await make({ logger }).write(rows(4))
    expect(posts().map((r) => r.status)).to.deep.equal([503, 503, 202, 200])
    expect(stored()).to.have.length(4)
    const warnings = lines.filter((l) => l.level === 40)
    expect(warnings.map((l) => l.status)).to.deep.equal([503, 503, 202])
    const logged = JSON.stringify(lines)
    for (const secret of [PASSWORD, APP_TOKEN, basic().slice(6)]) expect(logged).not.to.contain(secret)
  })

  it('gives up after the configured retries with the attempt count in the message', async () => {
    emu.failNext(10, { status: 500, body: { code: 'internal', error: true, message: 'boom' } })
    await expect(make({ retries: 2 }).write(rows(1))).to.be.rejectedWith(
      SocrataError,
      /after 3 attempts: HTTP 500 internal: boom/,
    )
    expect(posts()).to.have.length(3)
  })

  it('"applied then 500" followed by the retry publishes each row exactly once', async () => {
    await make().write(rows(5))
    emu.applyThenFail(1, 500)
    const next = [row(3), row(4), row(5), row(6)].map((r) => ({ ...r, volume: 99 }))
    await make().write(next)
    expect(posts().map((r) => r.status)).to.deep.equal([200, 500, 200])
    expect(posts()[2]?.json).to.have.length(4)
    const all = emu.rows(DATASET)
    expect(all.map((r) => r.record_id)).to.have.members([
      'rec-0',
      'rec-1',
      'rec-2',
      'rec-3',
      'rec-4',
      'rec-5',
      'rec-6',
    ])
    expect(all.filter((r) => r.volume === '99').map((r) => r.record_id)).to.have.members([
      'rec-3',
      'rec-4',
      'rec-5',
      'rec-6',
    ])
  })

  it('a connection dropped before or after applying is retried without duplicates', async () => {
    emu.dropConnection(1)
    emu.dropConnection(1, { afterApply: true })
    await make().write(rows(3))
    expect(posts().map((r) => r.outcome)).to.deep.equal(['drop', 'apply-then-drop', 'answered'])
    expect(stored()).to.have.members(['rec-0', 'rec-1', 'rec-2'])
  })

  it('a timed-out attempt is retried', async () => {
    emu.failNext(1, { status: 503, delayMs: 1_000 })
    await make({ timeoutMs: 200 }).write(rows(2))
    expect(posts()).to.have.length(2)
    expect(stored()).to.have.length(2)
  })

  it('a 200 whose Errors > 0 is a SocrataError (E_PUBLISH) naming the dataset and the failed count; not retried', async () => {
    await emu.close()
    await start({ typeErrors: 'row' })
    const bad = [row(0), { ...row(1), volume: 'n/a' }, { ...row(2), record_id: null }]
    const error = await make()
      .write(bad)
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(error).to.be.instanceOf(SocrataError)
    const e = error as SocrataError
    expect([e.code, e.status, e.failedRows, e.transient]).to.deep.equal(['E_PUBLISH', 200, 2, false])
    expect(e.message)
      .to.contain(DATASET)
      .and.contain('2 of 3 row(s) failed')
      .and.contain('does not say which')
    expect(posts()).to.have.length(1)
  })

  it('names the failed rows when the reply lists them (snake_case summary variant)', async () => {
    emu.failNext(1, {
      status: 200,
      body: {
        rows_created: 1,
        rows_updated: 0,
        rows_deleted: 0,
        errors: [{ error: 'bad volume', input_index: 1, primary_key: 'rec-1' }],
      },
    })
    const attempt = make().write(rows(2))
    await expect(attempt).to.be.rejectedWith(
      SocrataError,
      /1 of 2 row\(s\) failed.*#1 \(row id "rec-1"\): bad volume/,
    )
  })

  it('an unknown column → 400 "Illegal field name sent", not retried; the facade wraps it as E_PUBLISH', async () => {
    const publisher = new Publisher({ driver: make(), copy: null, simulate: false, logger: silentLogger() })
    await publisher.addRow({ ...row(1), unknown_column: 'x' })
    const error = await publisher.flush().then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).to.be.instanceOf(DriverError)
    expect((error as DriverError).code).to.equal('E_PUBLISH')
    const cause = (error as DriverError).cause as SocrataError
    expect([cause.status, cause.socrataMessage]).to.deep.equal([400, 'Illegal field name sent'])
    expect(cause.message).to.contain('unknown_column')
    expect(emu.requests).to.have.length(1)
  })

  it('an unreachable host fails with status 0 after the retries', async () => {
    const closed = await startSocrataEmulator()
    const host = closed.host
    await closed.close()
    const driver = make({ host, retries: 1 })
    await expect(driver.write(rows(1))).to.be.rejectedWith(SocrataError, /no response \(ECONNREFUSED/)
  })

  it('validates its options', () => {
    const bad: [Partial<SocrataPublisherOptions>, RegExp][] = [
      [{ host: 'https://data.austintexas.gov' }, /host/],
      [{ host: 'data.austintexas.gov/resource' }, /host/],
      [{ datasetId: 'SH59_I6Y9' }, /dataset id/],
      [{ password: undefined }, /username.*password/],
      [{ chunkSize: 0 }, /chunk size/],
    ]
    for (const [options, message] of bad) expect(() => make(options)).to.throw(ConfigError, message)
    expect(() => make({ host: 'data.austintexas.gov' })).not.to.throw()
  })

  it('close() is a no-op', async () => {
    const driver = make()
    await driver.close()
    await driver.write(rows(1))
    expect(stored()).to.have.length(1)
  })
})
