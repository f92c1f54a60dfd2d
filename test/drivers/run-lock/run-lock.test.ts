import { expect } from 'chai'
import { DateTime } from 'luxon'
import { createMemoryRunLock } from '../../../src/drivers/run-lock/memory.js'
import { createSqlRunLock } from '../../../src/drivers/sql/run-lock-sql.js'
import { createPgliteClient, type SqlClient } from '../../../src/drivers/sql/sql-client.js'
import { describeRunLockContract } from '../../contract/run-lock.contract.js'

describe('run locks (memory, PGlite)', function () {
  this.timeout(60_000)

  describeRunLockContract('memory', async () => {
    const lock = createMemoryRunLock()
    return { a: lock, b: lock }
  })

  let pglite: SqlClient | null = null
  after(async () => {
    await pglite?.close()
  })
  describeRunLockContract('PGlite (SQL)', async () => {
    pglite ??= await createPgliteClient()
    await pglite.query('drop table if exists api.etl_run_lock')
    const client = pglite
    return {
      a: createSqlRunLock({ client, migrate: true }),
      b: createSqlRunLock({ client, migrate: true }),
    }
  })

  describe('memory specifics', () => {
    it('follows its injected clock for expiry', async () => {
      let now = DateTime.fromISO('2019-06-01T03:00:00', { zone: 'America/Chicago' })
      const lock = createMemoryRunLock({ clock: { now: () => now } })
      const lease = await lock.acquire('bt-ready/bt', { owner: 'one', leaseMs: 60_000 })
      expect(lease?.expiresAt.toISO()).to.equal('2019-06-01T03:01:00.000-05:00')
      now = now.plus({ seconds: 59 })
      expect(await lock.acquire('bt-ready/bt', { owner: 'two', leaseMs: 60_000 })).to.equal(null)
      now = now.plus({ seconds: 1 })
      expect(await lock.held('bt-ready/bt')).to.equal(null)
      expect((await lock.acquire('bt-ready/bt', { owner: 'two', leaseMs: 60_000 }))?.owner).to.equal('two')
    })
  })

  describe('SQL specifics', () => {
    it('wraps database failures as DriverError E_DRIVER naming the key', async () => {
      const broken = createSqlRunLock({
        client: {
          query: () => Promise.reject(new Error('connection refused')),
          close: async () => {},
        },
      })
      const error = await broken
        .acquire('wt-ready/wt', { owner: 'x', leaseMs: 1000 })
        .catch((e: unknown) => e)
      expect(error).to.include({ name: 'DriverError', code: 'E_DRIVER' })
      expect((error as Error).message).to.contain('"wt-ready/wt"')
      expect((error as Error).cause).to.have.property('message', 'connection refused')
    })
  })
})
