import type { DateTime } from 'luxon'
import {
  type AcquireOptions,
  checkAcquire,
  createLease,
  type Lease,
  type LockHolder,
  type RunLock,
} from '../../support/run-lock.js'
import { type Clock, systemClock } from '../../util/dates.js'

/** Options of {@link createMemoryRunLock}. */
export interface MemoryRunLockOptions {
  /** Time source of the leases. @default systemClock() */
  readonly clock?: Clock
}

/**
 * A {@link RunLock} inside one process (tests, embedding, several apps chained in one process). Locks vanish
 * with the object; it does not protect against other processes.
 */
export function createMemoryRunLock(options: MemoryRunLockOptions = {}): RunLock {
  const clock = options.clock ?? systemClock()
  const rows = new Map<string, LockHolder>()

  const live = (key: string, now: DateTime): LockHolder | null => {
    const row = rows.get(key)
    return row && row.expiresAt > now ? row : null
  }

  return {
    async acquire(key: string, acquire: AcquireOptions): Promise<Lease | null> {
      checkAcquire(key, acquire)
      const { owner, leaseMs } = acquire
      const now = clock.now()
      const current = live(key, now)
      if (current && current.owner !== owner) return null
      const granted: LockHolder = {
        owner,
        acquiredAt: current ? current.acquiredAt : now,
        expiresAt: now.plus({ milliseconds: leaseMs }),
      }
      rows.set(key, granted)
      return createLease({
        key,
        owner,
        granted,
        async renew() {
          const row = rows.get(key)
          if (!row || row.owner !== owner) return null
          const next = { ...row, expiresAt: clock.now().plus({ milliseconds: leaseMs }) }
          rows.set(key, next)
          return next
        },
        async release() {
          if (rows.get(key)?.owner === owner) rows.delete(key)
        },
      })
    },
    async held(key: string) {
      return live(key, clock.now())
    },
    async close() {},
  }
}
