import type { Logger } from './logger.js'
import {
  defaultLockOwner,
  isDeadLocalOwner,
  type Lease,
  LockedError,
  LockLostError,
  type RunLock,
} from './run-lock.js'

/** Default lease of {@link withRunLock}: 10 minutes (a killed run blocks the next one at most this long). */
export const DEFAULT_LEASE_MS = 600_000

/** The timer functions {@link withRunLock} schedules renewals with (injected by tests). */
export interface RunLockTimers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Options of {@link withRunLock}. */
export interface WithRunLockOptions {
  /** Owner id of this run. @default defaultLockOwner() */
  readonly owner?: string
  /** Lease length in ms. @default DEFAULT_LEASE_MS */
  readonly leaseMs?: number
  /** Renewal interval in ms; keep it well under the lease. @default leaseMs / 3 */
  readonly renewEveryMs?: number
  /** Timers for the renewals. @default globalThis setTimeout / clearTimeout */
  readonly timers?: RunLockTimers
  /**
   * Decides whether a lock held by `owner` was left by a process that is gone, so that it is taken over at once
   * instead of after its lease. @default isDeadLocalOwner (a dead process of this host)
   */
  readonly isOwnerDead?: (owner: string) => boolean
  /** Receives a warning when a renewal or the release fails, or a dead run's lock is taken over. */
  readonly logger?: Logger
}

const SYSTEM_TIMERS: RunLockTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * Acquires `key`; when a process that is gone holds it, takes the lock over: acquires it under the dead owner's id
 * (which only extends that owner's own row), releases it, and acquires again, so a live competitor still wins or
 * loses atomically.
 */
async function acquireOrTakeOver(
  lock: RunLock,
  key: string,
  owner: string,
  leaseMs: number,
  options: WithRunLockOptions,
): Promise<Lease> {
  const first = await lock.acquire(key, { owner, leaseMs })
  if (first) return first
  const holder = await lock.held(key).catch(() => null)
  if (holder && (options.isOwnerDead ?? isDeadLocalOwner)(holder.owner)) {
    const stale = await lock.acquire(key, { owner: holder.owner, leaseMs })
    if (stale) {
      await stale.release()
      options.logger?.warn(
        { key, owner: holder.owner },
        `Took over the run lock "${key}" of ${holder.owner}, a process that no longer runs`,
      )
    }
    const lease = await lock.acquire(key, { owner, leaseMs })
    if (lease) return lease
  }
  throw new LockedError(key, await lock.held(key).catch(() => null))
}

/**
 * Runs `fn` while holding the lock `key`: acquires it (taking over the lock of a dead process of this host, see
 * {@link isDeadLocalOwner}; otherwise throwing {@link LockedError} naming the holder), renews the
 * lease every `renewEveryMs` while `fn` runs, and releases it when `fn` settles. When a renewal finds the lock lost,
 * the signal given to `fn` aborts with {@link LockLostError}; `fn` should pass it on (e.g. as the app's
 * `runtime.signal`). A failed renewal is logged and tried again at the next tick; a failed release is logged (the
 * lease then ends by itself).
 */
export async function withRunLock<T>(
  lock: RunLock,
  key: string,
  fn: (lease: Lease, signal: AbortSignal) => Promise<T>,
  options: WithRunLockOptions = {},
): Promise<T> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
  const renewEveryMs = options.renewEveryMs ?? Math.max(1, Math.floor(leaseMs / 3))
  const timers = options.timers ?? SYSTEM_TIMERS
  const lease = await acquireOrTakeOver(lock, key, options.owner ?? defaultLockOwner(), leaseMs, options)
  const controller = new AbortController()
  let stopped = false
  let handle: unknown = null
  let inFlight: Promise<void> = Promise.resolve()

  const tick = async (): Promise<void> => {
    try {
      if (!(await lease.renew())) {
        stopped = true
        options.logger?.warn({ key }, `The run lock "${key}" was lost`)
        controller.abort(new LockLostError(key))
      }
    } catch (error) {
      options.logger?.warn({ err: error, key }, `Renewing the run lock "${key}" failed; trying again`)
    }
  }
  const schedule = (): void => {
    if (stopped) return
    handle = timers.setTimeout(() => {
      handle = null
      if (stopped) return
      inFlight = tick().then(schedule)
    }, renewEveryMs)
  }

  schedule()
  try {
    return await fn(lease, controller.signal)
  } finally {
    stopped = true
    if (handle !== null) timers.clearTimeout(handle)
    await inFlight
    await lease.release().catch((error: unknown) => {
      options.logger?.warn(
        { err: error, key },
        `Releasing the run lock "${key}" failed; it expires by itself`,
      )
    })
  }
}
