import { randomUUID } from 'node:crypto'
import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import type { RunLock } from '../../src/support/run-lock.js'

use(chaiAsPromised)

/** Two handles on the same lock store (for a database: two connections), fresh per test. */
export type MakeRunLocks = () => Promise<{ a: RunLock; b: RunLock; cleanup?: () => Promise<void> }>

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The behaviour every {@link RunLock} driver must show (real time: the leases are short). */
export function describeRunLockContract(name: string, make: MakeRunLocks): void {
  describe(`RunLock contract: ${name}`, () => {
    let a: RunLock
    let b: RunLock
    let cleanup: (() => Promise<void>) | undefined
    let key: string
    beforeEach(async () => {
      ;({ a, b, cleanup } = await make())
      key = `test-${randomUUID()}/bt`
    })
    afterEach(async () => {
      await a.close()
      await b.close()
      await cleanup?.()
    })

    it('grants a free key and describes the holder', async () => {
      const lease = await a.acquire(key, { owner: 'run-1', leaseMs: 60_000 })
      expect(lease).to.not.equal(null)
      expect(lease?.key).to.equal(key)
      expect(lease?.owner).to.equal('run-1')
      const span = (lease?.expiresAt.toMillis() ?? 0) - (lease?.acquiredAt.toMillis() ?? 0)
      expect(span).to.be.closeTo(60_000, 50)
      const held = await b.held(key)
      expect(held?.owner).to.equal('run-1')
      expect(held?.acquiredAt.toMillis()).to.equal(lease?.acquiredAt.toMillis())
      expect(held?.expiresAt.toMillis()).to.equal(lease?.expiresAt.toMillis())
      expect(await b.held(`${key}-other`)).to.equal(null)
    })

    it('refuses a second owner while the lease runs, and keys are independent', async () => {
      await a.acquire(key, { owner: 'run-1', leaseMs: 60_000 })
      expect(await b.acquire(key, { owner: 'run-2', leaseMs: 60_000 })).to.equal(null)
      expect((await b.held(key))?.owner).to.equal('run-1')
      expect(await b.acquire(`${key}-wt`, { owner: 'run-2', leaseMs: 60_000 })).to.not.equal(null)
    })

    it('gives the same owner its own lock back, keeping acquiredAt', async () => {
      const first = await a.acquire(key, { owner: 'run-1', leaseMs: 60_000 })
      await sleep(5)
      const again = await b.acquire(key, { owner: 'run-1', leaseMs: 120_000 })
      expect(again?.acquiredAt.toMillis()).to.equal(first?.acquiredAt.toMillis())
      expect(again?.expiresAt.toMillis()).to.be.greaterThan(first?.expiresAt.toMillis() ?? 0)
    })

    it('frees the key on release (idempotent); a release by a former owner frees nothing', async () => {
      const lease = await a.acquire(key, { owner: 'run-1', leaseMs: 60_000 })
      await lease?.release()
      await lease?.release()
      expect(await a.held(key)).to.equal(null)
      expect(await lease?.renew()).to.equal(false)
      const next = await b.acquire(key, { owner: 'run-2', leaseMs: 60_000 })
      expect(next).to.not.equal(null)
      await lease?.release()
      expect((await a.held(key))?.owner).to.equal('run-2')
    })

    it('lets a stale lock expire after its lease; the stale lease can no longer renew or release', async () => {
      const stale = await a.acquire(key, { owner: 'killed-run', leaseMs: 150 })
      expect(await b.acquire(key, { owner: 'run-2', leaseMs: 60_000 })).to.equal(null)
      await sleep(300)
      expect(await b.held(key)).to.equal(null)
      const next = await b.acquire(key, { owner: 'run-2', leaseMs: 60_000 })
      expect(next?.owner).to.equal('run-2')
      expect(await stale?.renew()).to.equal(false)
      await stale?.release()
      expect((await a.held(key))?.owner).to.equal('run-2')
    })

    it('keeps the lock while the lease is renewed', async () => {
      const lease = await a.acquire(key, { owner: 'run-1', leaseMs: 400 })
      const firstExpiry = lease?.expiresAt.toMillis() ?? 0
      await sleep(250)
      expect(await lease?.renew()).to.equal(true)
      expect(lease?.expiresAt.toMillis()).to.be.greaterThan(firstExpiry)
      await sleep(250)
      expect(await b.acquire(key, { owner: 'run-2', leaseMs: 60_000 })).to.equal(null)
      expect((await b.held(key))?.owner).to.equal('run-1')
    })

    it('lets exactly one of several concurrent acquirers win (20 races on free keys)', async () => {
      for (let race = 0; race < 20; race += 1) {
        const raceKey = `${key}-${race}`
        const results = await Promise.all(
          [0, 1, 2, 3].map((i) =>
            (i % 2 === 0 ? a : b).acquire(raceKey, { owner: `racer-${i}`, leaseMs: 60_000 }),
          ),
        )
        const winners = results.filter((lease) => lease !== null)
        expect(winners, `race ${race}`).to.have.length(1)
        expect((await a.held(raceKey))?.owner).to.equal(winners[0]?.owner)
      }
    })

    it('lets exactly one of several concurrent acquirers take over an expired lock (20 races)', async () => {
      for (let race = 0; race < 20; race += 1) {
        const raceKey = `${key}-stale-${race}`
        await a.acquire(raceKey, { owner: 'killed-run', leaseMs: 1 })
      }
      await sleep(20)
      for (let race = 0; race < 20; race += 1) {
        const raceKey = `${key}-stale-${race}`
        const results = await Promise.all(
          [0, 1, 2, 3].map((i) =>
            (i % 2 === 0 ? a : b).acquire(raceKey, { owner: `racer-${i}`, leaseMs: 60_000 }),
          ),
        )
        expect(
          results.filter((lease) => lease !== null),
          `race ${race}`,
        ).to.have.length(1)
      }
    })

    it('rejects an empty key, an empty owner and a lease under 1 ms', async () => {
      await expect(a.acquire('', { owner: 'x', leaseMs: 1000 })).to.be.rejectedWith(/key/)
      await expect(a.acquire(key, { owner: '', leaseMs: 1000 })).to.be.rejectedWith(/owner/)
      await expect(a.acquire(key, { owner: 'x', leaseMs: 0 })).to.be.rejectedWith(/lease/)
      expect(await a.held(key)).to.equal(null)
    })
  })
}
