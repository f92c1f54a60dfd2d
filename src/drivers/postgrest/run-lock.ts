import { DateTime } from 'luxon'
import {
  type AcquireOptions,
  checkAcquire,
  createLease,
  type Lease,
  type LockHolder,
  type RunLock,
} from '../../support/run-lock.js'
import { withRetry } from '../../util/retry.js'
import { RUN_LOCK_FUNCTIONS } from '../sql/run-lock-schema.js'
import { PostgrestError } from './client.js'

/** Options of {@link createPostgrestRunLock}. */
export interface PostgrestRunLockOptions {
  /** Base URL of the PostgREST server (`http://host:3000`). */
  readonly url: string
  /** Exposed schema holding the lock functions, sent as `Content-Profile`. @default 'api' */
  readonly schema?: string | undefined
  /** JWT of a role that may write the catalog; omitted means the anonymous role (which is refused). */
  readonly token?: string | undefined
  /** The `fetch` to use. @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined
  /** Per-attempt timeout in ms. @default 30000 */
  readonly timeoutMs?: number | undefined
  /** Retries after the first attempt (network failures, 408, 429, 5xx). @default 4 */
  readonly retries?: number | undefined
  /** First backoff delay in ms. @default 200 */
  readonly minDelayMs?: number | undefined
  /** Longest backoff delay in ms. @default 5000 */
  readonly maxDelayMs?: number | undefined
}

interface LockRow {
  owner: string
  acquired_at: string
  expires_at: string
}

function toHolder(row: LockRow): LockHolder {
  return {
    owner: row.owner,
    acquiredAt: DateTime.fromISO(row.acquired_at, { zone: 'utc' }),
    expiresAt: DateTime.fromISO(row.expires_at, { zone: 'utc' }),
  }
}

/**
 * A {@link RunLock} through PostgREST: `POST /rpc/etl_try_lock`, `/rpc/etl_release_lock` and
 * `/rpc/etl_lock_holder` (migration `004_run_lock`). The functions check that the token's role may write the
 * catalog, then run one atomic statement each. A retried `etl_try_lock` is harmless: the same owner gets its own
 * lock back.
 */
export function createPostgrestRunLock(options: PostgrestRunLockOptions): RunLock {
  const url = options.url.replace(/\/+$/, '')
  const schema = options.schema ?? 'api'
  const doFetch = options.fetch ?? globalThis.fetch
  const timeoutMs = options.timeoutMs ?? 30_000
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'Content-Profile': schema,
    'Accept-Profile': schema,
    ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
  }

  const attempt = async (name: string, body: object, attemptNumber: number): Promise<unknown> => {
    const path = `/rpc/${name}`
    let response: Response
    try {
      response = await doFetch(`${url}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error)
      throw new PostgrestError({
        status: 0,
        postgrestCode: null,
        postgrestMessage: cause,
        details: null,
        hint: null,
        method: 'POST',
        path,
        attempt: attemptNumber,
      })
    }
    const text = await response.text()
    const parsed: unknown = text ? JSON.parse(text) : null
    if (response.ok) return parsed
    const error = (parsed ?? {}) as { code?: string; message?: string; details?: string; hint?: string }
    throw new PostgrestError({
      status: response.status,
      postgrestCode: error.code ?? null,
      postgrestMessage: error.message ?? text,
      details: error.details ?? null,
      hint: error.hint ?? null,
      method: 'POST',
      path,
      attempt: attemptNumber,
      note: error.code === '42501' ? 'The token must be of a role that may write the catalog.' : undefined,
    })
  }

  const rpc = (name: string, body: object): Promise<unknown> =>
    withRetry((n) => attempt(name, body, n), {
      retries: options.retries ?? 4,
      minDelayMs: options.minDelayMs ?? 200,
      maxDelayMs: options.maxDelayMs ?? 5000,
      isTransient: (error) => error instanceof PostgrestError && error.transient,
    })

  const rows = (data: unknown): LockRow[] => (Array.isArray(data) ? (data as LockRow[]) : [])
  const tryLock = async (key: string, owner: string, leaseMs: number): Promise<LockHolder | null> => {
    const row = rows(await rpc(RUN_LOCK_FUNCTIONS.tryLock, { key, owner, lease_seconds: leaseMs / 1000 }))[0]
    return row && row.owner === owner ? toHolder(row) : null
  }

  return {
    async acquire(key: string, acquire: AcquireOptions): Promise<Lease | null> {
      checkAcquire(key, acquire)
      const { owner, leaseMs } = acquire
      const granted = await tryLock(key, owner, leaseMs)
      if (!granted) return null
      return createLease({
        key,
        owner,
        granted,
        renew: () => tryLock(key, owner, leaseMs),
        async release() {
          await rpc(RUN_LOCK_FUNCTIONS.releaseLock, { key, owner })
        },
      })
    },
    async held(key: string) {
      const row = rows(await rpc(RUN_LOCK_FUNCTIONS.lockHolder, { key }))[0]
      return row ? toHolder(row) : null
    },
    async close() {},
  }
}
