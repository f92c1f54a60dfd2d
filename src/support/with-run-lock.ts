import type { Logger } from './logger.js'
import { defaultLockOwner, type Lease, LockedError, LockLostError, type RunLock } from './run-lock.js'

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
  /** Receives a warning when a renewal or the release fails. */
  readonly logger?: Logger
}

const SYSTEM_TIMERS: RunLockTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * Runs `fn` while holding the lock `key`: acquires it (or throws {@link LockedError} naming the holder), renews the
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
  const lease = await lock.acquire(key, { owner: options.owner ?? defaultLockOwner(), leaseMs })
  if (!lease) throw new LockedError(key, await lock.held(key).catch(() => null))
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
