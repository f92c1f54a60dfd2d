import { inspect } from 'node:util'
import * as chai from 'chai'
import chaiAsPromised from 'chai-as-promised'
import {
  createKnackClient,
  type KnackClient,
  type KnackClientOptions,
  KnackError,
  type KnackRecord,
} from '../../../src/drivers/knack/client.js'
import { ConfigError } from '../../../src/support/errors.js'
import { type KnackEmulator, startKnackEmulator } from '../../emulators/knack/knack-emulator.js'
import { createLogSink } from '../../helpers/log-sink.js'

chai.use(chaiAsPromised)
const { expect } = chai

const API_KEY = 'secret-knack-key-3f9a1c2b7d'
const FIELDS = [
  { key: 'field_1', label: 'NAME' },
  { key: 'field_2', label: 'N', type: 'number' as const },
]
const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ field_1: `r${i + 1}`, field_2: i + 1 }))

async function collect(iterable: AsyncIterable<KnackRecord>): Promise<KnackRecord[]> {
  const out: KnackRecord[] = []
  for await (const record of iterable) out.push(record)
  return out
}

describe('Knack client (src/drivers/knack/client.ts) against the emulator', () => {
  let emu: KnackEmulator
  let client: KnackClient
  const make = (extra: Partial<KnackClientOptions> = {}) =>
    createKnackClient({
      baseUrl: emu.url,
      appId: emu.appId,
      apiKey: API_KEY,
      minDelayMs: 5,
      maxDelayMs: 20,
      ...extra,
    })

  beforeEach(async () => {
    emu = await startKnackEmulator({ apiKey: API_KEY })
    client = make()
  })
  afterEach(() => emu.close())

  const pages = () => emu.requests.filter((r) => r.path.endsWith('/records')).map((r) => r.query.page)

  describe('paging (spec external-apis §2.4)', () => {
    const cases = [
      { name: 'no records: one request', held: 0, extra: 0, expectRecords: 0, expectPages: ['1'] },
      { name: 'a short last page', held: 2345, extra: 0, expectRecords: 2345, expectPages: ['1', '2', '3'] },
      {
        name: 'an exact multiple of 1000 stops at total_pages',
        held: 2000,
        extra: 0,
        expectRecords: 2000,
        expectPages: ['1', '2'],
      },
      {
        name: 'announced but empty pages: stops at the first empty page',
        held: 2000,
        extra: 1005,
        expectRecords: 2000,
        expectPages: ['1', '2', '3'],
      },
      {
        name: 'more pages than announced: stops at total_pages',
        held: 2500,
        extra: -1000,
        expectRecords: 2000,
        expectPages: ['1', '2'],
      },
    ]
    for (const c of cases) {
      it(c.name, async () => {
        emu.setObject('object_1', rows(c.held), FIELDS)
        emu.announceExtra('object_1', c.extra)
        const records = await collect(client.getObjectRecords('object_1'))
        expect(records).to.have.length(c.expectRecords)
        expect(pages()).to.deep.equal(c.expectPages)
        expect(emu.requests.every((r) => r.query.rows_per_page === '1000')).to.equal(true)
        if (c.expectRecords > 0) expect(records.at(-1)?.field_1).to.equal(`r${c.expectRecords}`)
      })
    }

    it('sends filters as JSON and format; reads view records with view-based auth', async () => {
      emu.setObject('object_1', rows(5), FIELDS)
      const filters = {
        match: 'or' as const,
        rules: [{ field: 'field_2', operator: 'higher than', value: 3 }],
      }
      const records = await collect(client.getObjectRecords('object_1', { filters, format: 'raw' }))
      expect(records.map((r) => r.field_1_raw)).to.deep.equal(['r4', 'r5'])
      expect(records[0]).to.not.have.property('field_1')
      expect(JSON.parse(emu.requests[0]?.query.filters ?? '')).to.deep.equal(filters)

      const viewClient = make({ apiKey: 'knack' })
      emu.setView('scene_4', 'view_4', rows(3), { fields: FIELDS })
      const viewRows = await collect(viewClient.getViewRecords('scene_4', 'view_4'))
      expect(viewRows.map((r) => r.field_1)).to.deep.equal(['r1', 'r2', 'r3'])
      expect(emu.requests.at(-1)?.headers['x-knack-rest-api-key']).to.equal('knack')
    })
  })

  describe('rate limiting (spec external-apis §2.6)', () => {
    it('50 quick calls never exceed 10 requests in any second (emulator limiter: sliding window)', async () => {
      emu.rateLimit.window = 'sliding'
      emu.setObject('object_1', rows(1), FIELDS)
      const all = await Promise.all(
        Array.from({ length: 50 }, () => collect(client.getObjectRecords('object_1'))),
      )
      expect(all.every((r) => r.length === 1)).to.equal(true)
      expect(emu.requests).to.have.length(50)
      expect(emu.requests.filter((r) => r.status === 429)).to.have.length(0)
      const times = emu.requests.map((r) => r.time).sort((a, b) => a - b)
      const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length))
      expect(busiest).to.be.at.most(10)
    }).timeout(20_000)

    it('retries a scripted 429, waiting for X-RateLimit-Reset', async () => {
      emu.setObject('object_1', rows(2), FIELDS)
      const resetSec = Math.floor(Date.now() / 1000) + 1
      emu.failNext(1, { status: 429, headers: { 'X-RateLimit-Reset': String(resetSec) } })
      const records = await collect(client.getObjectRecords('object_1'))
      expect(records).to.have.length(2)
      expect(emu.requests.map((r) => r.status)).to.deep.equal([429, 200])
      expect(emu.requests[1]?.time).to.be.at.least(resetSec * 1000 - 5)
    })

    it('does not retry a 429 for the exhausted daily quota', async () => {
      emu.setObject('object_1', rows(2), FIELDS)
      emu.rateLimit.daily = 0
      const error = await expect(collect(client.getObjectRecords('object_1'))).to.be.rejectedWith(KnackError)
      expect(error).to.include({ status: 429, quotaExhausted: true, attempts: 1 })
      expect(error.message).to.match(/daily API quota exhausted/)
      expect(emu.requests).to.have.length(1)
    })

    it('refuses maxRequestsPerSecond above Knack’s 10', () => {
      expect(() => make({ maxRequestsPerSecond: 11 })).to.throw(ConfigError, /1 to 10/)
    })
  })

  describe('retries and failures', () => {
    it('retries 5xx, dropped connections and timeouts, logging each retry without the key', async () => {
      const { logger, lines } = createLogSink()
      client = make({ logger, timeoutMs: 200 })
      emu.setObject('object_1', rows(3), FIELDS)
      emu.failNext(1, { status: 502 })
      emu.dropConnection(1)
      emu.failNext(1, { delayMs: 400 })
      const records = await collect(client.getObjectRecords('object_1'))
      expect(records).to.have.length(3)
      expect(emu.requests).to.have.length(4)
      const warnings = lines.filter((l) => l.msg === 'Knack request failed; retrying')
      expect(warnings.map((l) => l.status)).to.deep.equal([502, 0, 0])
      expect(JSON.stringify(lines)).to.not.include(API_KEY)
    })

    it('raises KnackError after the last retry, with status, method, path and Knack’s message, never the key', async () => {
      const { logger, lines } = createLogSink()
      client = make({ logger, retries: 2 })
      emu.setObject('object_1', rows(3), FIELDS)
      emu.failNext(5, { status: 503, body: { errors: [{ message: `Service down (${API_KEY})` }] } })
      const error = await expect(collect(client.getObjectRecords('object_1'))).to.be.rejectedWith(KnackError)
      expect(error).to.include({
        code: 'E_HTTP',
        status: 503,
        method: 'GET',
        path: '/objects/object_1/records',
        attempts: 3,
      })
      expect(error.message).to.equal(
        'Knack GET /objects/object_1/records failed after 3 attempts: HTTP 503: Service down ([redacted])',
      )
      expect(emu.requests).to.have.length(3)
      for (const text of [
        error.message,
        inspect(error, { depth: 20 }),
        JSON.stringify(error),
        JSON.stringify(lines),
      ]) {
        expect(text).to.not.include(API_KEY)
      }
    })

    it('does not retry an auth failure (wrong key) and raises it', async () => {
      emu.setObject('object_1', rows(3), FIELDS)
      client = make({ apiKey: 'wrong-key-0000000000' })
      const error = await expect(collect(client.getObjectRecords('object_1'))).to.be.rejectedWith(
        KnackError,
        /HTTP 401/,
      )
      expect(error.status).to.equal(401)
      expect(emu.requests).to.have.length(1)
    })

    it('raises a network failure as status 0 after the retries', async () => {
      client = make({ retries: 1 })
      emu.dropConnection(2)
      const error = await expect(client.getApplicationMetadata()).to.be.rejectedWith(
        KnackError,
        /no response/,
      )
      expect(error).to.include({ status: 0, attempts: 2 })
    })
  })

  describe('view writes and metadata', () => {
    beforeEach(() => {
      emu.setView('scene_4', 'view_4', [], {
        fields: [
          { key: 'field_9', label: 'data_source' },
          { key: 'field_11', label: 'seconds', type: 'number' },
          { key: 'field_13', label: 'processing_date', type: 'date_time' },
        ],
      })
      client = make({ apiKey: 'knack' })
    })

    it('creates, updates and deletes records through a view', async () => {
      const created = await client.createViewRecord('scene_4', 'view_4', {
        field_9: 'Bluetooth',
        field_11: 812.4,
        field_13: { date: '06/02/2019', hours: 3, minutes: 0, am_pm: 'AM' },
      })
      expect(created.id).to.match(/^[0-9a-f]{24}$/)
      expect(emu.requests[0]?.headers['content-type']).to.match(/^application\/json/)
      const updated = await client.updateViewRecord('scene_4', 'view_4', created.id, { field_11: 1 })
      expect(updated).to.include({ field_9: 'Bluetooth', field_11: 1 })
      await client.deleteViewRecord('scene_4', 'view_4', created.id)
      expect(emu.viewRecords('scene_4', 'view_4')).to.have.length(0)
      expect(emu.requests.map((r) => r.method)).to.deep.equal(['POST', 'PUT', 'DELETE'])
    })

    it('a create applied but answered 502 is retried and so duplicated (the client cannot tell)', async () => {
      emu.applyThenFail(1, 502)
      await client.createViewRecord('scene_4', 'view_4', { field_9: 'Bluetooth' })
      expect(emu.viewRecords('scene_4', 'view_4')).to.have.length(2)
    })

    it('rejects a write with an unknown field (400, not retried)', async () => {
      await expect(client.createViewRecord('scene_4', 'view_4', { field_99: 1 })).to.be.rejectedWith(
        KnackError,
        /HTTP 400: Field "field_99" does not exist/,
      )
      expect(emu.requests).to.have.length(1)
    })

    it('reads the application metadata without sending the key', async () => {
      const app = await client.getApplicationMetadata()
      const view = app.objects.find((o) => o.key === 'scene_4/view_4')
      expect(view?.fields.map((f) => f.name)).to.deep.equal(['data_source', 'seconds', 'processing_date'])
      expect(emu.requests[0]?.headers).to.not.have.property('x-knack-rest-api-key')
    })
  })
})
