/** Public types of the Knack emulator (options, request log, scripted faults, the handle). */
import type { KnackFieldDef } from './fields.js'
import type { RateLimitSettings } from './limiter.js'
import type { SeedRecord, StoredRecord, ViewOptions } from './store.js'

/** Options of {@link startKnackEmulator}. */
export interface KnackEmulatorOptions {
  /** Application id expected in `X-Knack-Application-Id`. @default '5d79512148c4af00106d1507' */
  readonly appId?: string
  /** Object-based API key expected in `X-Knack-REST-API-Key`. @default 'emulator-api-key-0123456789' */
  readonly apiKey?: string
  /** Initial limiter settings (10 req/s, fixed window, daily 10,000). */
  readonly rateLimit?: Partial<RateLimitSettings>
  /** Clock for the limiter and the log, ms since the epoch. @default Date.now */
  readonly now?: () => number
  /** `rows_per_page` above 1000: clamp to 1000 or answer 400 [A]. @default 'clamp' */
  readonly overMaxRowsPerPage?: 'clamp' | 'reject'
  /** Status for a missing or wrong app id / API key [A]. @default 401 */
  readonly authFailureStatus?: number
  /** Status for a login-protected view without a user token [A]. @default 403 */
  readonly protectedViewStatus?: number
}

/** One request as the emulator saw it. */
export interface KnackRequestLogEntry {
  readonly method: string
  /** Path without the query string (`/v1/objects/object_56/records`). */
  readonly path: string
  /** Query parameters, decoded. */
  readonly query: Readonly<Record<string, string>>
  /** Request headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>
  /** Parsed JSON body (writes), else `null`. */
  readonly body: unknown
  /** Arrival time (the emulator's clock). */
  readonly time: number
  /** Status answered; 0 when the connection was dropped; `null` while pending. */
  status: number | null
}

/** A scripted response for {@link KnackEmulator.failNext}. */
export interface ScriptedFault {
  /** Status to answer; omitted = only delay, then answer normally. 429 gets the documented headers by default. */
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  /** Body (an object is sent as JSON). Default: `{"errors":[{"message"}]}` (429: `Rate limit exceeded`). */
  readonly body?: string | object
  /** Wait before answering (longer than the client timeout simulates a read timeout). */
  readonly delayMs?: number
  /** Only requests with this method count. */
  readonly method?: string
  /** Only requests whose path contains this text count. */
  readonly path?: string
}

/** Handle of a running emulator. */
export interface KnackEmulator {
  /** Base URL including `/v1` (pass as the client's `baseUrl`). */
  readonly url: string
  readonly appId: string
  readonly apiKey: string
  /** Every request, in arrival order. */
  readonly requests: KnackRequestLogEntry[]
  /** Live limiter settings: assign fields to change them. */
  readonly rateLimit: RateLimitSettings
  /** Requests counted against the daily quota so far. */
  readonly dailyUsed: number
  /** Replaces an object's records (values by field key) and, when given, its field definitions. */
  setObject(key: string, records: readonly SeedRecord[], fields?: readonly KnackFieldDef[]): void
  /** Defines a view (backed by `options.object` or a private object) and seeds its records. */
  setView(scene: string, view: string, records: readonly SeedRecord[], options?: ViewOptions): void
  /** Makes an object (or `scene/view`) announce `extra` more records than it holds (negative: fewer). */
  announceExtra(container: string, extra: number): void
  /** Stored records of an object, values by field key. */
  records(objectKey: string): StoredRecord[]
  /** Stored records behind a view. */
  viewRecords(scene: string, view: string): StoredRecord[]
  /** Answers the next `n` matching requests with a scripted response (before auth and limits). */
  failNext(n: number, fault: ScriptedFault): void
  /** Applies the next `n` writes (POST/PUT/DELETE), then answers `status` (0: drops the connection). */
  applyThenFail(n: number, status: number): void
  /** Drops the connection of the next `n` requests without answering. */
  dropConnection(n: number): void
  /** Starts a new day for the plan quota. */
  resetDailyQuota(): void
  /**
   * Called before each listing is answered (object key, requested page): lets a test change the records between
   * page requests (spec §2.7 item 3). `null` = nothing.
   */
  onList: ((objectKey: string, page: number) => void) | null
  /** Stops the server and drops open connections. */
  close(): Promise<void>
}
