import { request } from 'node:http'
import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import { type SocrataEmulator, type SocrataEmulatorOptions, startSocrataEmulator } from './index.js'
import { basic, call } from './test-client.js'

use(chaiAsPromised)

const QUAKES = 'quak-0001'
const QUAKE_COLUMNS = [
  { fieldName: 'earthquake_id', dataType: 'text' },
  { fieldName: 'region', dataType: 'text' },
  { fieldName: 'magnitude', dataType: 'number' },
  { fieldName: 'datetime', dataType: 'floating_timestamp' },
  { fieldName: 'location', dataType: 'location' },
] as const

/** The upsert payload of the SODA Producer upsert page (SOC-UPSERT), minus columns the dataset lacks. */
const DOC_PAYLOAD = [
  {
    earthquake_id: 'demo1234',
    region: 'Washington',
    location: { latitude: 47.59815, longitude: -122.33454 },
    magnitude: 1.2,
    datetime: '2014-03-26T22:38:01',
  },
  {
    earthquake_id: '71842370',
    region: 'Northern California',
    magnitude: 1.4,
    datetime: '2012-09-14T22:14:21',
  },
  { earthquake_id: '00388609', ':deleted': true },
]

describe('Socrata emulator: upsert, strictness, replace (external-apis.md §1.3–§1.7, §1.9)', () => {
  let emu: SocrataEmulator
  const start = async (options: SocrataEmulatorOptions = {}) => {
    emu = await startSocrataEmulator({ now: () => new Date('2024-05-01T12:00:00Z'), ...options })
    emu.createDataset(QUAKES, { columns: QUAKE_COLUMNS, rowIdentifier: 'earthquake_id' })
  }
  const seedDocRows = () =>
    call(emu, 'POST', `/resource/${QUAKES}.json`, {
      body: [
        { earthquake_id: '71842370', region: 'old', magnitude: 1 },
        { earthquake_id: '00388609', region: 'gone' },
      ],
    })
  afterEach(async () => {
    await emu.close()
  })

  describe('upsert by row identifier (§1.3, §1.4)', () => {
    beforeEach(() => start())

    it('creates, updates and deletes as in the documented example, and a retry gives updates and 1 error', async () => {
      await seedDocRows()
      const first = await call(emu, 'POST', `/resource/${QUAKES}.json`, { body: DOC_PAYLOAD })
      expect(first.status).to.equal(200)
      expect(first.headers.get('content-type')).to.match(/^application\/json/)
      expect(first.body).to.deep.equal({
        'Rows Created': 1,
        'Rows Updated': 1,
        'Rows Deleted': 1,
        Errors: 0,
        'By RowIdentifier': 2,
        'By SID': 0,
      })
      const retry = await call(emu, 'POST', `/resource/${QUAKES}.json`, { body: DOC_PAYLOAD })
      expect(retry.status).to.equal(200)
      expect(retry.body).to.include({ 'Rows Created': 0, 'Rows Updated': 2, 'Rows Deleted': 0, Errors: 1 })
      const ids = emu.rows(QUAKES).map((r) => r.earthquake_id)
      expect(ids).to.have.members(['71842370', 'demo1234'])
    })

    it('omits the By keys when configured (the four-key form)', async () => {
      await emu.close()
      await start({ includeByCounts: false })
      const reply = await call(emu, 'POST', `/resource/${QUAKES}`, { body: [{ earthquake_id: 'a' }] })
      expect(Object.keys(reply.body as object)).to.deep.equal([
        'Rows Created',
        'Rows Updated',
        'Rows Deleted',
        'Errors',
      ])
    })

    it('merges an update: omitted keys stay, explicit null clears ([A])', async () => {
      await seedDocRows()
      await call(emu, 'POST', `/resource/${QUAKES}.json`, {
        body: [{ earthquake_id: '71842370', region: null }],
      })
      const row = emu.rows(QUAKES).find((r) => r.earthquake_id === '71842370')
      expect(row).to.include({ magnitude: '1' })
      expect(row).not.to.have.property('region')
    })

    it('counts a row without the row identifier in Errors and leaves the dataset unchanged ([A])', async () => {
      const reply = await call(emu, 'POST', `/resource/${QUAKES}.json`, {
        body: [{ region: 'nowhere' }, { earthquake_id: 'ok' }],
      })
      expect(reply.body).to.include({ 'Rows Created': 1, Errors: 1 })
      expect(emu.rows(QUAKES)).to.have.length(1)
    })

    it('stamps system fields and keeps :id and :created_at across updates', async () => {
      let now = new Date('2024-05-01T12:00:00Z')
      await emu.close()
      await start({ now: () => now })
      await call(emu, 'POST', `/resource/${QUAKES}.json`, {
        body: [{ earthquake_id: 'x', magnitude: '2.5' }],
      })
      const [before] = emu.rows(QUAKES)
      now = new Date('2024-05-02T08:30:00Z')
      await call(emu, 'POST', `/resource/${QUAKES}.json`, { body: [{ earthquake_id: 'x', magnitude: 3 }] })
      const [after] = emu.rows(QUAKES)
      expect(before?.[':id']).to.match(/^row-\w{4}~\w{4}~\w{4}$/)
      expect(after).to.deep.include({
        ':id': before?.[':id'],
        ':created_at': '2024-05-01T12:00:00.000Z',
        ':updated_at': '2024-05-02T08:30:00.000Z',
        magnitude: '3',
      })
    })

    it('with only the internal :id: appends rows without :id and updates or deletes by :id (§1.3)', async () => {
      emu.createDataset('noid-0001', { columns: [{ fieldName: 'name', dataType: 'text' }] })
      await call(emu, 'POST', '/resource/noid-0001.json', { body: [{ name: 'a' }, { name: 'a' }] })
      const [first] = emu.rows('noid-0001')
      const reply = await call(emu, 'POST', '/resource/noid-0001.json', {
        body: [
          { ':id': first?.[':id'], name: 'b' },
          { ':id': 'row-none~none~none', name: 'c' },
        ],
      })
      expect(reply.body).to.include({ 'Rows Updated': 1, Errors: 1, 'By SID': 1 })
      expect(emu.rows('noid-0001').map((r) => r.name)).to.deep.equal(['b', 'a'])
    })

    it('accepts a body with no Content-Type at all (sodapy sends none)', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          `${emu.url}/resource/${QUAKES}.json`,
          { method: 'POST', headers: { Authorization: basic() } },
          (res) => {
            res.resume()
            resolve(res.statusCode ?? 0)
          },
        )
        req.on('error', reject)
        req.end(JSON.stringify([{ earthquake_id: 'nc' }]))
      })
      expect(status).to.equal(200)
      expect(emu.requests.at(-1)?.headers['content-type']).to.equal(undefined)
    })
  })

  describe('strictness (§1.4, §1.6, §1.7)', () => {
    beforeEach(() => start())

    it('refuses a payload with an unknown column as a whole: 400 "Illegal field name sent"', async () => {
      const reply = await call(emu, 'POST', `/resource/${QUAKES}.json`, {
        body: [{ earthquake_id: 'a' }, { earthquake_id: 'b', Region: 'x' }],
      })
      expect(reply.status).to.equal(400)
      expect(reply.body).to.deep.include({ error: true, message: 'Illegal field name sent' })
      expect(emu.rows(QUAKES)).to.deep.equal([])
    })

    const TYPE_CASES: [string, unknown, boolean][] = [
      ['region', 'text', true],
      ['region', 42, true],
      ['region', true, false],
      ['region', ['a', 'b'], false],
      ['magnitude', 1.5, true],
      ['magnitude', '-2.5e3', true],
      ['magnitude', 'abc', false],
      ['magnitude', false, false],
      ['datetime', '2014-03-26T22:38:01', true],
      ['datetime', '2014-03-26', true],
      ['datetime', '2014-03-26T22:38:01-05:00', false],
      ['datetime', '2014-02-30T00:00:00', false],
      ['location', { latitude: 30.27, longitude: -97.74 }, true],
      ['location', '(30.27, -97.74)', true],
      ['location', 'Austin', false],
    ]
    for (const [field, value, valid] of TYPE_CASES) {
      it(`${field} = ${JSON.stringify(value)} is ${valid ? 'accepted' : 'refused with 400 (default mode)'}`, async () => {
        const reply = await call(emu, 'POST', `/resource/${QUAKES}.json`, {
          body: [{ earthquake_id: 'r', [field]: value }],
        })
        expect(reply.status).to.equal(valid ? 200 : 400)
        if (!valid) expect((reply.body as { message: string }).message).to.contain(field)
      })
    }

    it('per-row type errors are counted in Errors instead when typeErrors = "row" ([A])', async () => {
      await emu.close()
      await start({ typeErrors: 'row' })
      const reply = await call(emu, 'POST', `/resource/${QUAKES}.json`, {
        body: [
          { earthquake_id: 'a', magnitude: 'x' },
          { earthquake_id: 'b', magnitude: 2 },
        ],
      })
      expect(reply.status).to.equal(200)
      expect(reply.body).to.include({ 'Rows Created': 1, Errors: 1 })
      expect(emu.rows(QUAKES).map((r) => r.earthquake_id)).to.deep.equal(['b'])
    })

    it('refuses numbers in text columns when textAcceptsNumbers = false ([A])', async () => {
      await emu.close()
      await start({ textAcceptsNumbers: false })
      const reply = await call(emu, 'POST', `/resource/${QUAKES}.json`, { body: [{ earthquake_id: 7 }] })
      expect(reply.status).to.equal(400)
    })

    it('answers 400 for a body that is not JSON or not an array', async () => {
      expect((await call(emu, 'POST', `/resource/${QUAKES}.json`, { raw: '[{' })).status).to.equal(400)
      expect(
        (await call(emu, 'POST', `/resource/${QUAKES}.json`, { body: { earthquake_id: 'a' } })).status,
      ).to.equal(400)
      expect((await call(emu, 'POST', `/resource/${QUAKES}.json`, { body: ['a'] })).status).to.equal(400)
    })

    it('answers 404 not_found for an unknown 4x4 on GET and POST (§1.9 #7)', async () => {
      for (const method of ['GET', 'POST']) {
        const reply = await call(
          emu,
          method,
          '/resource/none-0000.json',
          method === 'POST' ? { body: [] } : {},
        )
        expect(reply.status).to.equal(404)
        expect(reply.body).to.deep.equal({
          code: 'not_found',
          error: true,
          message: 'Cannot find view with id none-0000',
        })
      }
    })

    it('answers 413 above the configured row or byte limit (§1.9 #9)', async () => {
      await emu.close()
      await start({ maxRowsPerRequest: 2, maxBodyBytes: 200 })
      const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ earthquake_id: `q${i}` }))
      expect((await call(emu, 'POST', `/resource/${QUAKES}.json`, { body: rows(2) })).status).to.equal(200)
      expect((await call(emu, 'POST', `/resource/${QUAKES}.json`, { body: rows(3) })).status).to.equal(413)
      const big = [{ earthquake_id: 'x'.repeat(300) }]
      expect((await call(emu, 'POST', `/resource/${QUAKES}.json`, { body: big })).status).to.equal(413)
    })

    it('refuses DELETE /api/views/{id}.json and keeps the dataset; serves its metadata on GET (§1.1)', async () => {
      await seedDocRows()
      expect((await call(emu, 'DELETE', `/api/views/${QUAKES}.json`)).status).to.equal(405)
      expect(emu.rows(QUAKES)).to.have.length(2)
      const meta = await call(emu, 'GET', `/api/views/${QUAKES}.json`)
      expect((meta.body as { columns: unknown[] }).columns).to.deep.include({
        fieldName: 'datetime',
        dataTypeName: 'calendar_date',
      })
    })
  })

  describe('replace, single rows, truncate (§1.1, §1.3, §1.9 #13)', () => {
    beforeEach(() => start())

    it('PUT replaces the dataset: absent rows go, kept rows keep :id and get a new :updated_at', async () => {
      let now = new Date('2024-05-01T00:00:00Z')
      await emu.close()
      await start({ now: () => now })
      await seedDocRows()
      const kept = emu.rows(QUAKES).find((r) => r.earthquake_id === '71842370')
      now = new Date('2024-06-01T00:00:00Z')
      const reply = await call(emu, 'PUT', `/resource/${QUAKES}.json`, {
        body: [{ earthquake_id: '71842370', region: 'new' }, { earthquake_id: 'n1' }],
      })
      expect(reply.body).to.include({ 'Rows Created': 1, 'Rows Updated': 1 })
      const rows = emu.rows(QUAKES)
      expect(rows.map((r) => r.earthquake_id)).to.have.members(['71842370', 'n1'])
      const after = rows.find((r) => r.earthquake_id === '71842370')
      expect(after).to.deep.include({
        ':id': kept?.[':id'],
        region: 'new',
        ':updated_at': '2024-06-01T00:00:00.000Z',
      })
      expect(after).not.to.have.property('magnitude')
    })

    it('GET and DELETE one row by its row identifier; DELETE answers [{typ, id}]', async () => {
      await seedDocRows()
      const one = await call(emu, 'GET', `/resource/${QUAKES}/71842370.json`)
      expect(one.body).to.deep.equal({ earthquake_id: '71842370', region: 'old', magnitude: '1' })
      const sid = emu.rows(QUAKES).find((r) => r.earthquake_id === '00388609')?.[':id']
      const deleted = await call(emu, 'DELETE', `/resource/${QUAKES}/00388609`)
      expect(deleted.body).to.deep.equal([{ typ: 'delete', id: sid }])
      expect((await call(emu, 'GET', `/resource/${QUAKES}/00388609.json`)).status).to.equal(404)
    })

    it('DELETE /resource/{id} truncates (soda-js) and the recorded log keeps every request', async () => {
      await seedDocRows()
      const reply = await call(emu, 'DELETE', `/resource/${QUAKES}`)
      expect(reply.body).to.include({ 'Rows Deleted': 2 })
      expect(emu.rows(QUAKES)).to.deep.equal([])
      expect(emu.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
        `POST /resource/${QUAKES}.json`,
        `DELETE /resource/${QUAKES}`,
      ])
    })
  })
})
