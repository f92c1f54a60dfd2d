import axios, { type AxiosResponse, isAxiosError } from 'axios'
import { ConfigError, EtlError } from '../../support/errors.js'
import type { Logger } from '../../support/logger.js'
import type { PublisherDriver, PublishRow } from '../../support/publisher-driver.js'
import { withRetry } from '../../util/retry.js'

/**
 * Statuses retried with backoff: 0 (no response: reset, timeout), 202 ("Request Processing": Socrata says retry
 * until 200), 408, 429, 500, 502, 503, 504. An upsert keyed by row identifier is idempotent, so a retry after a
 * write that was applied but not acknowledged publishes nothing twice.
 */
export const SOCRATA_TRANSIENT_STATUSES: ReadonlySet<number> = new Set([0, 202, 408, 429, 500, 502, 503, 504])

/** One failed row as Socrata's reply identifies it (only the snake_case summary variant lists them). */
export interface SocrataFailedRow {
  /** 0-based index of the row in the chunk sent. */
  readonly index: number | null
  /** Row identifier value. */
  readonly primaryKey: string | null
  /** Socrata's reason. */
  readonly error: string | null
}

/** Constructor argument of {@link SocrataError}: its fields (the optional ones default to none) and the message. */
export type SocrataErrorInit = Pick<
  SocrataError,
  'status' | 'datasetId' | 'socrataMessage' | 'socrataCode' | 'attempt' | 'message'
> &
  Partial<Pick<SocrataError, 'failedRows' | 'failedRowDetails' | 'retryAfterMs'>>

/**
 * A failed Socrata publish: an error response or no response (code `E_HTTP`), or a 200 summary with
 * `Errors` > 0 (code `E_PUBLISH`). Never holds credentials or the app token.
 */
export class SocrataError extends EtlError {
  override name = 'SocrataError'
  /** HTTP status; 0 when no response arrived. */
  readonly status: number
  /** Dataset 4x4 id. */
  readonly datasetId: string
  /** Socrata's `message`, verbatim. */
  readonly socrataMessage: string
  /** Socrata's `code` / `errorCode`, or the network error code. */
  readonly socrataCode: string | null
  /** Rows counted in `Errors` (summary failures), else null. */
  readonly failedRows: number | null
  /** The failed rows, when the reply names them (empty otherwise). */
  readonly failedRowDetails: readonly SocrataFailedRow[]
  /** `Retry-After` in ms, when sent. */
  readonly retryAfterMs: number | null
  /** Which attempt failed (after retries: the number of attempts made). */
  readonly attempt: number

  constructor(init: SocrataErrorInit) {
    super(init.failedRows == null ? 'E_HTTP' : 'E_PUBLISH', init.message)
    this.status = init.status
    this.datasetId = init.datasetId
    this.socrataMessage = init.socrataMessage
    this.socrataCode = init.socrataCode
    this.failedRows = init.failedRows ?? null
    this.failedRowDetails = init.failedRowDetails ?? []
    this.retryAfterMs = init.retryAfterMs ?? null
    this.attempt = init.attempt
  }

  /** Whether another attempt may succeed ({@link SOCRATA_TRANSIENT_STATUSES}; never a summary failure). */
  get transient(): boolean {
    return this.failedRows === null && SOCRATA_TRANSIENT_STATUSES.has(this.status)
  }
}

/** Options of {@link createSocrataPublisher}. */
export interface SocrataPublisherOptions {
  /** Socrata domain, optionally with a port (`data.austintexas.gov`, `127.0.0.1:8080`); no scheme, no path. */
  readonly host: string
  /** Dataset id in 4x4 form (`sh59-i6y9`). */
  readonly datasetId: string
  /** HTTP Basic user (Socrata user name or API key id). */
  readonly username?: string | undefined
  /** HTTP Basic password (or API key secret). */
  readonly password?: string | undefined
  /** Application token, sent as `X-App-Token`. */
  readonly appToken?: string | undefined
  /** Rows per request (the facade's chunk). @default 10000 (the original's `SOC_CHUNK`) */
  readonly chunkSize?: number | undefined
  /** Per-attempt timeout in ms; a timed-out attempt is retried. @default 120000 */
  readonly timeoutMs?: number | undefined
  /** Retries after the first attempt of each chunk. @default 4 */
  readonly retries?: number | undefined
  /** First backoff delay in ms. @default 1000 */
  readonly minDelayMs?: number | undefined
  /** Longest backoff delay in ms. @default 30000 */
  readonly maxDelayMs?: number | undefined
  /** Longest `Retry-After` wait honoured, in ms (longer asks are cut to this). @default 60000 */
  readonly maxRetryAfterMs?: number | undefined
  /** Receives a `warn` line per retry and a `debug` line per accepted chunk (never credentials). */
  readonly logger?: Logger | undefined
  /** URL scheme. @default 'https' (`'http'` only for a local emulator: Socrata refuses Basic auth over HTTP) */
  readonly protocol?: 'https' | 'http' | undefined
}

const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/
const DATASET_ID = /^[a-z0-9]{4}-[a-z0-9]{4}$/
const MAX_LISTED = 10

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text.trim() === '') return null
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

function retryAfterMs(response: AxiosResponse, bound: number): number | null {
  const value = response.headers['retry-after']
  if (typeof value !== 'string' || value.trim() === '') return null
  const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - Date.now()
  return Number.isNaN(ms) ? null : Math.min(Math.max(ms, 0), bound)
}

/** Lower-cases every key (Socrata API field names are lower-case); two keys that collide are an error. */
function lowerKeys(row: PublishRow, index: number, datasetId: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(row)) {
    const lower = key.toLowerCase()
    if (lower in out)
      throw new EtlError(
        'E_PUBLISH',
        `Socrata ${datasetId}: row ${index} has keys that collide when lower-cased ("${lower}").`,
      )
    out[lower] = value
  }
  return out
}

interface Summary {
  created: number
  updated: number
  deleted: number
  errors: number
  details: SocrataFailedRow[]
}

/** Reads an upsert summary: `{"Rows Created",…,"Errors"}` or the snake_case variant; missing keys are 0. */
function readSummary(body: unknown): Summary | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null
  const b = body as Record<string, unknown>
  const count = (...keys: string[]): number => {
    for (const key of keys) if (typeof b[key] === 'number') return b[key] as number
    return 0
  }
  const list = Array.isArray(b.errors) ? (b.errors as Record<string, unknown>[]) : []
  const details = list.map((e) => ({
    index: typeof e?.input_index === 'number' ? e.input_index : null,
    primaryKey: e?.primary_key == null ? null : String(e.primary_key),
    error: e?.error == null ? null : String(e.error),
  }))
  const errors = Math.max(count('Errors', 'errors'), details.length, b.error === true ? 1 : 0)
  return {
    created: count('Rows Created', 'rows_created'),
    updated: count('Rows Updated', 'rows_updated'),
    deleted: count('Rows Deleted', 'rows_deleted'),
    errors,
    details,
  }
}

function describeRows(details: readonly SocrataFailedRow[]): string {
  if (details.length === 0) return "Socrata's summary does not say which rows failed"
  const listed = details.slice(0, MAX_LISTED).map((d) => {
    const at = d.index === null ? '' : `#${d.index}`
    const key = d.primaryKey === null ? '' : ` (row id ${JSON.stringify(d.primaryKey)})`
    return `${at}${key}${d.error ? `: ${d.error}` : ''}`.trim()
  })
  const more = details.length > MAX_LISTED ? `; …and ${details.length - MAX_LISTED} more` : ''
  return `failed rows: ${listed.join('; ')}${more}`
}

/**
 * Publishes rows to a Socrata dataset by upsert (`POST /resource/<id>.json`, keyed by the dataset's row
 * identifier): the original's `PublishSocrataConn`, but on the configured host, with the app token, retries on
 * 429 (honouring `Retry-After`), 5xx and network errors, and a 200 reply whose `Errors` > 0 treated as a failure.
 */
export function createSocrataPublisher(options: SocrataPublisherOptions): PublisherDriver {
  const { host, datasetId, username, password, appToken, logger } = options
  const protocol = options.protocol ?? 'https'
  const chunkSize = options.chunkSize ?? 10_000
  const problems: [boolean, string][] = [
    [
      !HOST.test(host),
      `Socrata host must be a domain with an optional port (no scheme, no path), got "${host}".`,
    ],
    [!DATASET_ID.test(datasetId), `Socrata dataset id must look like "abcd-1234", got "${datasetId}".`],
    [
      protocol !== 'https' && protocol !== 'http',
      `Socrata protocol must be "https" or "http", got "${protocol}".`,
    ],
    [
      (username === undefined) !== (password === undefined),
      'Socrata credentials need both a username (API key id) and a password (API key secret).',
    ],
    [
      !Number.isInteger(chunkSize) || chunkSize < 1,
      `Socrata chunk size must be a positive integer, got ${chunkSize}.`,
    ],
  ]
  for (const [bad, message] of problems) if (bad) throw new ConfigError(message)
  const maxRetryAfter = options.maxRetryAfterMs ?? 60_000
  const path = `/resource/${datasetId}.json`
  const where = `Socrata POST ${protocol}://${host}${path}`
  const client = axios.create({
    baseURL: `${protocol}://${host}`,
    timeout: options.timeoutMs ?? 120_000,
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...(appToken ? { 'X-App-Token': appToken } : {}),
    },
    ...(username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxBodyLength: Number.POSITIVE_INFINITY,
    maxContentLength: Number.POSITIVE_INFINITY,
  })

  function failure(
    attempt: number,
    init: Omit<SocrataErrorInit, 'datasetId' | 'attempt' | 'message'>,
    detail: string,
  ): SocrataError {
    const tries = attempt > 1 ? ` after ${attempt} attempts` : ''
    return new SocrataError({ ...init, datasetId, attempt, message: `${where} failed${tries}: ${detail}` })
  }

  function httpError(response: AxiosResponse, attempt: number): SocrataError {
    const parsed = parseJson(response.data)
    const b = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>
    const raw = String(response.data ?? '').slice(0, 200)
    const text = typeof b.message === 'string' ? b.message : raw || response.statusText
    const code = typeof b.code === 'string' ? b.code : typeof b.errorCode === 'string' ? b.errorCode : null
    const data = b.data === undefined ? '' : JSON.stringify(b.data)
    const note =
      response.status === 401
        ? ' Check the Socrata username/password (API key id/secret).'
        : response.status === 403 && username === undefined
          ? ' No Socrata credentials are configured.'
          : ''
    const retryAfter = retryAfterMs(response, maxRetryAfter)
    const init = {
      status: response.status,
      socrataMessage: text,
      socrataCode: code,
      retryAfterMs: retryAfter,
    }
    const detail = data && data.length <= 200 ? ` ${data}` : ''
    return failure(attempt, init, `HTTP ${response.status}${code ? ` ${code}` : ''}: ${text}${detail}${note}`)
  }

  function networkError(error: unknown, attempt: number): SocrataError {
    const code = isAxiosError(error) ? (error.code ?? null) : null
    const text = error instanceof Error ? error.message : String(error)
    const init = { status: 0, socrataMessage: text, socrataCode: code }
    return failure(attempt, init, `no response (${code ?? 'error'}: ${text})`)
  }

  function summaryError(body: unknown, summary: Summary | null, sent: number, attempt: number): SocrataError {
    if (!summary) {
      const shown = JSON.stringify(body)?.slice(0, 200)
      const init = { status: 200, socrataMessage: String(body), socrataCode: null, failedRows: sent }
      return failure(
        attempt,
        init,
        `unexpected reply (not an upsert summary), ${sent} row(s) not confirmed: ${shown}`,
      )
    }
    const counts = `created ${summary.created}, updated ${summary.updated}, deleted ${summary.deleted}`
    return new SocrataError({
      status: 200,
      datasetId,
      socrataMessage: `Errors: ${summary.errors}`,
      socrataCode: null,
      failedRows: summary.errors,
      failedRowDetails: summary.details,
      attempt,
      message: `Socrata upsert to dataset ${datasetId}: ${summary.errors} of ${sent} row(s) failed (${counts}); ${describeRows(summary.details)}.`,
    })
  }

  async function write(rows: readonly PublishRow[]): Promise<void> {
    if (rows.length === 0) return
    const payload = JSON.stringify(rows.map((row, index) => lowerKeys(row, index, datasetId)))
    let wait = 0
    let failedAt = 0
    const summary = await withRetry(
      async (attempt) => {
        const remaining = wait - (Date.now() - failedAt)
        if (remaining > 0) await sleep(remaining)
        wait = 0
        let response: AxiosResponse
        try {
          response = await client.post(path, payload)
        } catch (error) {
          throw networkError(error, attempt)
        }
        if (response.status !== 200) {
          const error = httpError(response, attempt)
          wait = error.retryAfterMs ?? 0
          failedAt = Date.now()
          throw error
        }
        const body = parseJson(response.data)
        const parsed = readSummary(body)
        if (!parsed || parsed.errors > 0)
          throw summaryError(body ?? response.data, parsed, rows.length, attempt)
        return parsed
      },
      {
        retries: options.retries ?? 4,
        minDelayMs: options.minDelayMs ?? 1000,
        maxDelayMs: options.maxDelayMs ?? 30_000,
        isTransient: (error) => error instanceof SocrataError && error.transient,
        onRetry: ({ attempt, retriesLeft, error }) => {
          const { status, socrataCode: code, retryAfterMs } = error as SocrataError
          const fields = { dataset: datasetId, host, status, code, attempt, retriesLeft, retryAfterMs }
          logger?.warn(fields, 'socrata: upsert attempt failed, retrying')
        },
      },
    )
    const { created, updated, deleted } = summary
    logger?.debug(
      { dataset: datasetId, rows: rows.length, created, updated, deleted },
      'socrata: upsert accepted',
    )
  }

  return {
    name: 'socrata',
    identifier: datasetId,
    preferredChunk: chunkSize,
    write,
    close: async () => {},
  }
}
