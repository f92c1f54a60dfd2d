import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { DateTime } from 'luxon'
import { EtlError } from './errors.js'

/** Who holds a run lock, since when, and until when the lease runs unless it is renewed. */
export interface LockHolder {
  /** The holder's owner id (see {@link defaultLockOwner}). */
  readonly owner: string
  /** When the holder acquired the lock (a renewal keeps it). */
  readonly acquiredAt: DateTime
  /** When the lease ends; after it, anyone may take the lock over. */
  readonly expiresAt: DateTime
}

/** A held run lock. */
export interface Lease {
  /** The lock key (see {@link runLockKey}). */
  readonly key: string
  /** This lease's owner id. */
  readonly owner: string
  /** When the lock was acquired. */
  readonly acquiredAt: DateTime
  /** The end of the lease as last granted (moves on each successful {@link Lease.renew}). */
  readonly expiresAt: DateTime
  /**
   * Extends the lease by its length from now. Resolves `false` when the lock was lost (it expired and someone
   * else took it, or it was released); a network or database failure rejects.
   */
  renew(): Promise<boolean>
  /** Frees the lock if this owner still holds it; idempotent. */
  release(): Promise<void>
}

/** Options of {@link RunLock.acquire}. */
export interface AcquireOptions {
  /** Unique id of the acquiring run; acquiring again under the same owner extends its own lease. */
  readonly owner: string
  /** Length of the lease in milliseconds (at least 1). */
  readonly leaseMs: number
}

/**
 * A lock per key with a lease, shared by every process that runs the same apps (the overlap lock of cron runs).
 * Acquiring is one atomic step: it succeeds when the key is free, its lease has expired, or the same owner holds
 * it. A run that is killed never releases its lock; it frees itself when the lease ends.
 */
export interface RunLock {
  /** Takes the lock, or resolves `null` when someone else holds an unexpired lease (see {@link RunLock.held}). */
  acquire(key: string, options: AcquireOptions): Promise<Lease | null>
  /** The current holder of an unexpired lease on `key`, or `null` when it is free. */
  held(key: string): Promise<LockHolder | null>
  /** Releases the driver's resources (not the locks); idempotent. */
  close(): Promise<void>
}

/** Longest accepted lock key, in characters. */
export const MAX_LOCK_KEY_LENGTH = 200

/** The lock key of one app and data source: `<app>/<ds>` (`bt-json-standard/bt`). */
export function runLockKey(app: string, dataSource: string): string {
  return `${app}/${dataSource}`
}

/** A unique owner id for this process and run: `<host>:<pid>:<random>`. */
export function defaultLockOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
}

/**
 * Whether `owner` (an id made by {@link defaultLockOwner}) names a process of this host that no longer runs. Such a
 * lock was left by a killed run (`kill -9`, OOM) and may be taken over at once instead of waiting for its lease.
 * Owners of other hosts, of this process, of a running process, or not in the `<host>:<pid>:<random>` form are not
 * dead. Caveat: hosts that share one catalog database must have distinct host names (containers started with the
 * same `--hostname` would see each other's pids as dead).
 */
export function isDeadLocalOwner(owner: string, host: string = hostname()): boolean {
  const parts = owner.split(':')
  if (parts.length < 3) return false
  const pidText = parts[parts.length - 2] as string
  if (parts.slice(0, -2).join(':') !== host || !/^[1-9][0-9]*$/.test(pidText)) return false
  const pid = Number(pidText)
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/**
 * Checks the arguments every driver receives the same way.
 * @throws EtlError `E_ARGS` for an empty or too long key or owner, or a lease that is not a positive number.
 */
export function checkAcquire(key: string, options: AcquireOptions): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_LOCK_KEY_LENGTH)
    throw new EtlError('E_ARGS', `A run lock key must be 1 to ${MAX_LOCK_KEY_LENGTH} characters.`)
  if (typeof options.owner !== 'string' || options.owner.length === 0 || options.owner.length > 200)
    throw new EtlError('E_ARGS', 'A run lock owner must be 1 to 200 characters.')
  if (!Number.isFinite(options.leaseMs) || options.leaseMs < 1)
    throw new EtlError('E_ARGS', `A run lock lease must be at least 1 ms (got ${options.leaseMs}).`)
}

/** Describes a holder for messages: `owner since <ISO> (lease until <ISO>)`. */
export function describeHolder(holder: LockHolder): string {
  return `${holder.owner} since ${holder.acquiredAt.toUTC().toISO()} (lease until ${holder.expiresAt.toUTC().toISO()})`
}

/**
 * Another run holds the lock of this app and data source (code `E_LOCKED`): the overlapping run refuses to start.
 */
export class LockedError extends EtlError {
  override name = 'LockedError'
  /** The lock key. */
  readonly key: string
  /** The holder when the acquisition failed; `null` when it was released in the meantime. */
  readonly holder: LockHolder | null

  constructor(key: string, holder: LockHolder | null) {
    super(
      'E_LOCKED',
      holder
        ? `Another run holds the lock "${key}": ${describeHolder(holder)}.`
        : `Another run held the lock "${key}" a moment ago; try again.`,
    )
    this.key = key
    this.holder = holder
  }
}

/** The lease of a run was lost while it ran (it could not be renewed before someone else took it). */
export class LockLostError extends EtlError {
  override name = 'LockLostError'
  /** The lock key. */
  readonly key: string

  constructor(key: string) {
    super('E_LOCKED', `The run lock "${key}" was lost: its lease expired and could not be renewed.`)
    this.key = key
  }
}

/** What a driver supplies to {@link createLease}. */
export interface LeaseInit {
  readonly key: string
  readonly owner: string
  /** The holder row as granted by the acquisition. */
  readonly granted: LockHolder
  /** Extends the lease; resolves the new holder row, or `null` when the lock is no longer this owner's. */
  readonly renew: () => Promise<LockHolder | null>
  /** Deletes the lock row if this owner holds it. */
  readonly release: () => Promise<void>
}

/** Builds a {@link Lease} over a driver's renew and release steps (release runs at most once). */
export function createLease(init: LeaseInit): Lease {
  let expiresAt = init.granted.expiresAt
  let released = false
  return {
    key: init.key,
    owner: init.owner,
    acquiredAt: init.granted.acquiredAt,
    get expiresAt() {
      return expiresAt
    },
    async renew() {
      if (released) return false
      const row = await init.renew()
      if (!row) return false
      expiresAt = row.expiresAt
      return true
    },
    async release() {
      if (released) return
      released = true
      await init.release()
    },
  }
}
