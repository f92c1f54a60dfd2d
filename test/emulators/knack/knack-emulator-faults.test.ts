import { expect } from 'chai'
import { call, FIELDS, records } from './emulator-test-helpers.js'
import { type KnackEmulator, startKnackEmulator } from './knack-emulator.js'

describe('Knack emulator: writes, limits and faults (spec external-apis §2, §5)', () => {
  let emu: KnackEmulator
  beforeEach(async () => {
    emu = await startKnackEmulator()
    emu.setObject('object_1', records(2505), FIELDS)
  })
  afterEach(() => emu.close())

  describe('writes through a view (§2.3, §2.7 item 9–10)', () => {
    beforeEach(() => {
      emu.setView('scene_5', 'view_5', [], {
        fields: [
          { key: 'field_15', label: 'data_source' },
          { key: 'field_18', label: 'data', type: 'number' },
          { key: 'field_20', label: 'collection_date', type: 'date_time' },
          { key: 'field_30', label: 'hidden' },
        ],
        shown: ['field_15', 'field_18', 'field_20'],
      })
    })

    it('creates (24-hex id), updates partially, deletes ({"delete": true}), 404 for unknown ids', async () => {
      const path = '/pages/scene_5/views/view_5/records'
      const created = await call(emu, path, {
        method: 'POST',
        auth: 'view',
        body: {
          field_15: 'Bluetooth',
          field_18: 7,
          field_20: { date: '06/01/2019', hours: 12, minutes: 0, am_pm: 'AM' },
          field_30: 'x',
        },
      })
      expect(created.status).to.equal(200)
      const id = created.body.id as string
      expect(id).to.match(/^[0-9a-f]{24}$/)
      expect(created.body).to.not.have.property('field_30')
      expect(emu.viewRecords('scene_5', 'view_5')[0]?.values.field_30).to.equal(null)
      const updated = await call(emu, `${path}/${id}`, { method: 'PUT', auth: 'view', body: { field_18: 9 } })
      expect(updated.body).to.include({ field_15: 'Bluetooth', field_18: 9 })
      expect((updated.body.field_20_raw as { unix_timestamp: number }).unix_timestamp).to.equal(
        Date.UTC(2019, 5, 1),
      )
      const one = await call(emu, `${path}/${id}`, { auth: 'view' })
      expect(one.body).to.include({ id, field_18: 9 })
      const deleted = await call(emu, `${path}/${id}`, { method: 'DELETE', auth: 'view' })
      expect(deleted.body).to.deep.equal({ delete: true })
      expect((await call(emu, `${path}/${id}`, { method: 'DELETE', auth: 'view' })).status).to.equal(404)
    })

    it('rejects unknown fields, a missing JSON Content-Type and invalid dates with 400', async () => {
      const path = '/pages/scene_5/views/view_5/records'
      const unknown = await call(emu, path, { method: 'POST', auth: 'view', body: { field_99: 1 } })
      expect(unknown.status).to.equal(400)
      const plain = await call(emu, path, {
        method: 'POST',
        auth: 'view',
        body: { field_15: 'x' },
        headers: { 'Content-Type': 'text/plain' },
      })
      expect(plain.status).to.equal(400)
      const badDate = await call(emu, path, {
        method: 'POST',
        auth: 'view',
        body: { field_20: '13/45/2019' },
      })
      expect(badDate.status).to.equal(400)
      expect(emu.viewRecords('scene_5', 'view_5')).to.have.length(0)
    })
  })

  describe('rate limits (§2.6)', () => {
    it('answers 429 with the documented headers for the 11th request within one second', async () => {
      await emu.close()
      const fixed = Date.UTC(2024, 0, 1, 12, 0, 0, 100)
      emu = await startKnackEmulator({ now: () => fixed })
      emu.setObject('object_1', records(1), FIELDS)
      const answers = await Promise.all(
        Array.from({ length: 15 }, () => call(emu, '/objects/object_1/records')),
      )
      expect(answers.filter((a) => a.status === 200)).to.have.length(10)
      const refused = answers.filter((a) => a.status === 429)
      expect(refused).to.have.length(5)
      const first = refused[0] as (typeof refused)[number]
      expect(first.body).to.equal('Rate limit exceeded')
      expect(first.headers.get('x-ratelimit-limit')).to.equal('10')
      expect(first.headers.get('x-ratelimit-remaining')).to.equal('0')
      expect(first.headers.get('x-ratelimit-reset')).to.equal(String(Math.floor(fixed / 1000) + 1))
      expect(first.headers.get('x-planlimit-limit')).to.equal('10000')
      expect(first.headers.get('x-planlimit-remaining')).to.equal('9990')
      expect(emu.dailyUsed).to.equal(10)
    })

    it('keeps answering 429 once the daily quota is used up, until the day is reset', async () => {
      emu.rateLimit.daily = 2
      expect((await call(emu, '/objects/object_1/records')).status).to.equal(200)
      expect((await call(emu, '/objects/object_1/records')).status).to.equal(200)
      for (let i = 0; i < 2; i++) {
        const refused = await call(emu, '/objects/object_1/records')
        expect(refused.status).to.equal(429)
        expect(refused.headers.get('x-planlimit-remaining')).to.equal('0')
      }
      emu.resetDailyQuota()
      expect((await call(emu, '/objects/object_1/records')).status).to.equal(200)
    })
  })

  describe('scripted faults (§5)', () => {
    it('failNext answers the next n matching requests, then serves normally', async () => {
      emu.failNext(2, { status: 503, path: 'object_1' })
      const statuses = []
      for (let i = 0; i < 3; i++) statuses.push((await call(emu, '/objects/object_1/records')).status)
      expect(statuses).to.deep.equal([503, 503, 200])
      expect(emu.requests.map((r) => r.status)).to.deep.equal([503, 503, 200])
    })

    it('a scripted 429 carries the rate-limit headers', async () => {
      emu.failNext(1, { status: 429 })
      const refused = await call(emu, '/objects/object_1/records')
      expect(refused.status).to.equal(429)
      expect(refused.headers.get('x-ratelimit-remaining')).to.equal('0')
      expect(refused.headers.get('x-ratelimit-reset')).to.match(/^\d+$/)
    })

    it('dropConnection closes the socket without an answer; delayMs delays the answer', async () => {
      emu.dropConnection(1)
      let failed = false
      await call(emu, '/objects/object_1/records').catch(() => {
        failed = true
      })
      expect(failed).to.equal(true)
      emu.failNext(1, { delayMs: 150 })
      const started = Date.now()
      expect((await call(emu, '/objects/object_1/records')).status).to.equal(200)
      expect(Date.now() - started).to.be.at.least(140)
    })

    it('applyThenFail commits the write, then answers the error', async () => {
      emu.setView('scene_4', 'view_4', [], { fields: [{ key: 'field_9', label: 'data_source' }] })
      emu.applyThenFail(1, 502)
      const answer = await call(emu, '/pages/scene_4/views/view_4/records', {
        method: 'POST',
        auth: 'view',
        body: { field_9: 'Bluetooth' },
      })
      expect(answer.status).to.equal(502)
      expect(emu.viewRecords('scene_4', 'view_4').map((r) => r.values.field_9)).to.deep.equal(['Bluetooth'])
    })
  })
})
