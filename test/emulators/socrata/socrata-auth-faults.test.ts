import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import { type SocrataEmulator, type SocrataEmulatorOptions, startSocrataEmulator } from './index.js'
import { basic, call } from './test-client.js'

use(chaiAsPromised)

const QUAKES = 'quak-0001'

describe('Socrata emulator: authentication, throttling and fault injection (external-apis.md §1.2, §1.8, §5)', () => {
  let emu: SocrataEmulator
  const start = async (options: SocrataEmulatorOptions = {}) => {
    emu = await startSocrataEmulator(options)
    emu.createDataset(QUAKES, {
      columns: [{ fieldName: 'earthquake_id', dataType: 'text' }],
      rowIdentifier: 'earthquake_id',
    })
  }
  afterEach(async () => {
    await emu.close()
  })

  describe('authentication and throttling (§1.2, §1.8)', () => {
    beforeEach(() => start())
    const post = (options: Parameters<typeof call>[3]) =>
      call(emu, 'POST', `/resource/${QUAKES}.json`, { body: [{ earthquake_id: 'a' }], ...options })

    it('403 with sodapy’s body for a write without Authorization; 401 for a wrong password; 200 when right', async () => {
      const anonymous = await post({ auth: null })
      expect(anonymous.status).to.equal(403)
      expect(anonymous.body).to.deep.equal({
        message: 'You must be logged in to access this resource',
        error: true,
      })
      const wrong = await post({ auth: basic('publisher', 'nope') })
      expect(wrong.status).to.equal(401)
      expect(wrong.body).to.have.property('message').that.is.a('string')
      expect((await post({ auth: 'OAuth abc' })).status).to.equal(401)
      expect((await post({})).status).to.equal(200)
      expect(emu.requests.map((r) => r.user)).to.deep.equal([null, 'publisher', null, 'publisher'])
    })

    it('users can be changed on the handle', async () => {
      emu.users.set('key-id', 'key-secret')
      expect((await post({ auth: basic('key-id', 'key-secret') })).status).to.equal(200)
    })

    it('public reads need no auth; private datasets answer 403 to anonymous reads', async () => {
      emu.createDataset('priv-0001', { columns: [{ fieldName: 'a', dataType: 'text' }], private: true })
      expect((await call(emu, 'GET', `/resource/${QUAKES}.json`, { auth: null })).status).to.equal(200)
      expect((await call(emu, 'GET', '/resource/priv-0001.json', { auth: null })).status).to.equal(403)
      expect((await call(emu, 'GET', '/resource/priv-0001.json')).status).to.equal(200)
    })

    it('429 without an app token when required; the header name is case-insensitive and $$app_token works', async () => {
      emu.requireAppToken = true
      const throttled = await post({})
      expect(throttled.status).to.equal(429)
      expect(throttled.headers.get('retry-after')).to.equal(null)
      expect((await post({ headers: { 'X-App-token': 'tok' } })).status).to.equal(200)
      expect((await call(emu, 'GET', `/resource/${QUAKES}.json?$$app_token=tok`)).status).to.equal(200)
      expect(emu.requests.map((r) => r.appToken)).to.deep.equal([null, 'tok', 'tok'])
    })

    it('429 on every Nth request, with Retry-After only when configured ([A])', async () => {
      await emu.close()
      await start({ throttleEvery: 2, retryAfterSeconds: 3 })
      const statuses: number[] = []
      let retryAfter: string | null = null
      for (let i = 0; i < 4; i++) {
        const reply = await post({})
        statuses.push(reply.status)
        if (reply.status === 429) retryAfter = reply.headers.get('retry-after')
      }
      expect(statuses).to.deep.equal([200, 429, 200, 429])
      expect(retryAfter).to.equal('3')
    })
  })

  describe('fault injection (§5)', () => {
    beforeEach(() => start())
    const post = (id: string) =>
      call(emu, 'POST', `/resource/${QUAKES}.json`, { body: [{ earthquake_id: id }] })

    it('failNext answers canned responses without applying, then behaves normally', async () => {
      emu.failNext(2, { status: 503, headers: { 'Retry-After': '1' }, body: { message: 'busy' } })
      const a = await post('a')
      expect([a.status, a.headers.get('retry-after'), a.body]).to.deep.equal([503, '1', { message: 'busy' }])
      expect((await post('a')).status).to.equal(503)
      expect(emu.rows(QUAKES)).to.deep.equal([])
      expect((await post('a')).status).to.equal(200)
      expect(emu.requests.map((r) => r.outcome)).to.deep.equal(['fail', 'fail', 'answered'])
    })

    it('202 then 200 on the identical retry (§1.9 #3)', async () => {
      emu.failNext(1, { status: 202, body: { message: 'Request Processing' } })
      expect((await post('a')).status).to.equal(202)
      expect((await post('a')).body).to.include({ 'Rows Created': 1 })
    })

    it('applyThenFail commits the write and answers 500; the retry turns the create into an update', async () => {
      emu.applyThenFail(1, 500)
      const failed = await post('a')
      expect(failed.status).to.equal(500)
      expect(failed.body).to.include({ error: true })
      expect(emu.rows(QUAKES)).to.have.length(1)
      expect((await post('a')).body).to.include({ 'Rows Created': 0, 'Rows Updated': 1 })
      expect(emu.rows(QUAKES)).to.have.length(1)
    })

    it('dropConnection resets the socket before or after applying; faults can target one method', async () => {
      emu.dropConnection(1, { method: 'POST' })
      expect((await call(emu, 'GET', `/resource/${QUAKES}.json`)).status).to.equal(200)
      await expect(post('a')).to.be.rejectedWith(TypeError)
      expect(emu.rows(QUAKES)).to.have.length(0)
      emu.dropConnection(1, { afterApply: true })
      await expect(post('a')).to.be.rejectedWith(TypeError)
      expect(emu.rows(QUAKES)).to.have.length(1)
      expect(emu.requests.map((r) => [r.method, r.status])).to.deep.equal([
        ['GET', 200],
        ['POST', null],
        ['POST', null],
      ])
    })
  })
})
