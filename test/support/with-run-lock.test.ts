import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import { DateTime } from 'luxon'
import sinon from 'sinon'
import { createMemoryRunLock } from '../../src/drivers/run-lock/memory.js'
import { type Lease, LockedError, LockLostError, type RunLock } from '../../src/support/run-lock.js'
import { withRunLock } from '../../src/support/with-run-lock.js'

use(chaiAsPromised)

const KEY = 'bt-json-standard/bt'

describe('withRunLock', () => {
  let fake: sinon.SinonFakeTimers
  let lock: RunLock
  beforeEach(() => {
    fake = sinon.useFakeTimers({
      now: Date.UTC(2019, 5, 1, 8),
      toFake: ['setTimeout', 'clearTimeout', 'Date'],
    })
    lock = createMemoryRunLock({ clock: { now: () => DateTime.fromMillis(Date.now(), { zone: 'utc' }) } })
  })
  afterEach(() => fake.restore())

  it('holds the lock while fn runs, renews it past the lease, and releases it afterwards', async () => {
    let release!: () => void
    const done = new Promise<void>((resolve) => {
      release = resolve
    })
    const run = withRunLock(lock, KEY, () => done.then(() => 'result'), {
      owner: 'cron-1',
      leaseMs: 60_000,
      renewEveryMs: 20_000,
    })
    await fake.tickAsync(10 * 60_000)
    const held = await lock.held(KEY)
    expect(held?.owner).to.equal('cron-1')
    expect(held?.expiresAt.toMillis()).to.be.greaterThan(Date.now())
    expect(await lock.acquire(KEY, { owner: 'cron-2', leaseMs: 1000 })).to.equal(null)
    release()
    expect(await run).to.equal('result')
    expect(await lock.held(KEY)).to.equal(null)
  })

  it('throws LockedError naming the holder when another run holds the lock, without calling fn', async () => {
    await lock.acquire(KEY, { owner: 'host-a:123:abcd', leaseMs: 600_000 })
    let called = false
    const error = await withRunLock(lock, KEY, async () => {
      called = true
    }).catch((e: unknown) => e)
    expect(called).to.equal(false)
    expect(error).to.be.instanceOf(LockedError)
    expect(error).to.include({ code: 'E_LOCKED', key: KEY })
    expect((error as LockedError).holder?.owner).to.equal('host-a:123:abcd')
    expect((error as Error).message).to.equal(
      `Another run holds the lock "${KEY}": host-a:123:abcd since 2019-06-01T08:00:00.000Z (lease until 2019-06-01T08:10:00.000Z).`,
    )
  })

  it('releases the lock when fn throws, and rethrows its error', async () => {
    const run = withRunLock(lock, KEY, async () => {
      throw new Error('boom')
    })
    await expect(run).to.be.rejectedWith('boom')
    expect(await lock.held(KEY)).to.equal(null)
  })

  it('aborts the signal with LockLostError when a renewal finds the lock taken', async () => {
    let seen: AbortSignal | null = null
    let lease: Lease | null = null
    const run = withRunLock(
      lock,
      KEY,
      (l, signal) => {
        seen = signal
        lease = l
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
      },
      { owner: 'slow', leaseMs: 60_000, renewEveryMs: 90_000 },
    ).catch((e: unknown) => e)
    await fake.tickAsync(61_000)
    expect(await lock.acquire(KEY, { owner: 'other', leaseMs: 600_000 })).to.not.equal(null)
    await fake.tickAsync(30_000)
    const error = await run
    expect(error).to.be.instanceOf(LockLostError)
    expect((error as Error).message).to.equal(
      `The run lock "${KEY}" was lost: its lease expired and could not be renewed.`,
    )
    expect((seen as AbortSignal | null)?.aborted).to.equal(true)
    expect((lease as Lease | null)?.owner).to.equal('slow')
    expect((await lock.held(KEY))?.owner).to.equal('other')
  })

  it('keeps renewing after a failed renewal and logs it', async () => {
    const warnings: string[] = []
    let failures = 1
    const flaky: RunLock = {
      ...lock,
      async acquire(key, options) {
        const lease = await lock.acquire(key, options)
        if (!lease) return null
        return {
          ...lease,
          get expiresAt() {
            return lease.expiresAt
          },
          async renew() {
            if (failures-- > 0) throw new Error('network down')
            return lease.renew()
          },
          release: () => lease.release(),
        }
      },
    }
    const logger = { warn: (_obj: unknown, msg: string) => warnings.push(msg) }
    let finish!: () => void
    const run = withRunLock(flaky, KEY, () => new Promise<void>((resolve) => (finish = resolve)), {
      leaseMs: 30_000,
      renewEveryMs: 10_000,
      logger: logger as never,
    })
    await fake.tickAsync(60_000)
    expect(warnings).to.deep.equal([`Renewing the run lock "${KEY}" failed; trying again`])
    expect(await lock.held(KEY)).to.not.equal(null)
    finish()
    await run
    expect(await lock.held(KEY)).to.equal(null)
  })
})
