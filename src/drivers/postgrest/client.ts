import { EtlError } from '../../support/errors.js'
import type { Logger } from '../../support/logger.js'
import { withRetry } from '../../util/retry.js'

/** HTTP statuses retried with backoff: 0 (network failure or timeout), 408, 429, 500, 502, 503, 504. */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([0, 408, 429, 500, 502, 503, 504])

/** Fields of a {@link PostgrestError}. */
export interface PostgrestErrorInit {
  /** HTTP status; 0 when no response arrived (network failure, timeout). */
  readonly status: number
  /** PostgREST's or PostgreSQL's error code (`PGRST301`, `42501`, …), or the network error code. */
  readonly postgrestCode: string | null
  /** PostgREST's `message`, verbatim. */
  readonly postgrestMessage: string
  readonly details: string | null
  readonly hint: string | null
  /** HTTP method of the request. */
  readonly method: string
  /** URL path of the request (`/data_lake_cat`), never a token. */
  readonly path: string
  /** Which attempt failed (1 = the first). */
  readonly attempt: number
  /** Extra sentence appended to the message (e.g. how to fix a permission error). */
  readonly note?: string | undefined
}

/**
 * A failed PostgREST request: an error response (4xx/5xx, carrying PostgREST's `code`, `message`, `details`,
 * `hint`) or no response at all (`status` 0). Code `E_HTTP`. Never holds the bearer token.
 */
export class PostgrestError extends EtlError {
  override name = 'PostgrestError'
  /** HTTP status; 0 when no response arrived. */
  readonly status: number
  /** PostgREST's or PostgreSQL's error code (`PGRST301`, `42501`, `23505`…); `null` when absent. */
  readonly postgrestCode: string | null
  /** PostgREST's `message`, verbatim. */
  readonly postgrestMessage: string
  /** PostgREST's `details`. */
  readonly details: string | null
  /** PostgREST's `hint`. */
  readonly hint: string | null
  /** HTTP method. */
  readonly method: string
  /** URL path (no query string, no credentials). */
  readonly path: string
  /** Which attempt failed (1 = the first); after retries, the number of attempts made. */
  readonly attempt: number

  constructor(init: PostgrestErrorInit) {
    const what = init.status === 0 ? 'no response' : `HTTP ${init.status}`
    const code = init.postgrestCode ? ` ${init.postgrestCode}` : ''
    const hint = init.hint ? ` (hint: ${init.hint})` : ''
    const tries = init.attempt > 1 ? ` after ${init.attempt} attempts` : ''
    const note = init.note ? ` ${init.note}` : ''
    super(
      'E_HTTP',
      `PostgREST ${init.method} ${init.path} failed${tries}: ${what}${code}: ${init.postgrestMessage}${hint}${note}`,
    )
    this.status = init.status
    this.postgrestCode = init.postgrestCode
    this.postgrestMessage = init.postgrestMessage
    this.details = init.details
    this.hint = init.hint
    this.method = init.method
    this.path = init.path
    this.attempt = init.attempt
  }

  /** Whether another attempt may succeed ({@link TRANSIENT_STATUSES}). */
  get transient(): boolean {
    return TRANSIENT_STATUSES.has(this.status)
  }
}

/** Options of {@link createPostgrestClient}. */
export interface PostgrestClientOptions {
  /** Base URL of the PostgREST server (`http://host:3000`); table routes are appended. */
  readonly url: string
  /** Exposed schema, sent as `Accept-Profile` / `Content-Profile`. @default 'api' */
  readonly schema?: string | undefined
  /** JWT sent as `Authorization: Bearer …`; omitted means PostgREST's anonymous role. */
  readonly token?: string | undefined
  /** The `fetch` to use (tests wrap it to record requests). @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined
  /** Per-attempt timeout in ms; a timed-out attempt counts as a network failure and is retried. @default 30000 */
  readonly timeoutMs?: number | undefined
  /** Retries after the first attempt of each request. @default 4 */
  readonly retries?: number | undefined
  /** First backoff delay in ms. @default 200 */
  readonly minDelayMs?: number | undefined
  /** Longest backoff delay in ms. @default 5000 */
  readonly maxDelayMs?: number | undefined
  /** Receives one `warn` line per retry (method, path, status, attempt). */
  readonly logger?: Logger | undefined
}

/** A postgrest-js response, as the drivers read it. */
export interface PostgrestResult {
  /** Parsed JSON body on success (`null` when empty). */
  readonly data: unknown
  /** PostgREST's error body (`{ code, message, details, hint }`), or postgrest-js's for a network failure. */
  readonly error: {
    readonly message?: string
    readonly code?: string | null
    readonly details?: string | null
    readonly hint?: string | null
  } | null
  /** HTTP status; 0 when no response arrived. */
  readonly status: number
}

/** The subset of postgrest-js's filter builder the drivers use (rows are plain JSON, so typed loosely). */
export interface PostgrestChain extends PromiseLike<PostgrestResult> {
  eq(column: string, value: string): PostgrestChain
  gte(column: string, value: string): PostgrestChain
  lt(column: string, value: string): PostgrestChain
  like(column: string, pattern: string): PostgrestChain
  or(filters: string): PostgrestChain
  order(column: string, options: { ascending: boolean }): PostgrestChain
  limit(count: number): PostgrestChain
  abortSignal(signal: AbortSignal): PostgrestChain
  setHeader(name: string, value: string): PostgrestChain
}

/** The subset of postgrest-js's query builder (one table) the drivers use. */
export interface PostgrestTable {
  select(columns: string): PostgrestChain
  upsert(rows: object, options: { onConflict: string; defaultToNull?: boolean }): PostgrestChain
}

/** One request for {@link PostgrestHttpClient.request}. */
export interface PostgrestRequest {
  /** Table (route) name. */
  readonly table: string
  /** HTTP method the builder produces (used in errors and logs). */
  readonly method: 'GET' | 'POST'
  /** Builds the request on the table's postgrest-js builder; called again for every attempt. */
  readonly build: (table: PostgrestTable) => PostgrestChain
  /** Cancels the request and its retries; the rejection is the signal's reason. */
  readonly signal?: AbortSignal | undefined
}

/** One column of a keyset ordering. */
export interface KeysetColumn {
  /** Column name (a trusted identifier, never user input). */
  readonly column: string
  /** Descending instead of ascending. @default false */
  readonly descending?: boolean | undefined
}

/** A keyset-paged read for {@link PostgrestHttpClient.pages}. */
export interface KeysetQuery<Row> {
  /** Table (route) name. */
  readonly table: string
  /** The `select` list. */
  readonly select: string
  /** Adds the query's own filters to each page request. */
  readonly filter: (chain: PostgrestChain) => PostgrestChain
  /** The ordering; it must be unique (a key) or pages could skip rows. */
  readonly order: readonly KeysetColumn[]
  /** The row's values of the `order` columns, as PostgREST returned them (exact text, e.g. microseconds). */
  readonly keyOf: (row: Row) => readonly string[]
  /** Rows per request. */
  readonly pageSize: number
  /** Total rows wanted. @default unlimited */
  readonly limit?: number | undefined
  /** Cancels the read (between and during requests). */
  readonly signal?: AbortSignal | undefined
}

/** A PostgREST client: postgrest-js requests with bearer auth, timeouts, retries and typed errors. */
export interface PostgrestHttpClient {
  /** Base URL without a trailing slash. */
  readonly url: string
  /** Exposed schema sent in the profile headers. */
  readonly schema: string
  /** Runs one request with retries; resolves to the response body (`null` for `return=minimal`). */
  request(request: PostgrestRequest): Promise<unknown>
  /** Streams a read page by page with keyset paging (never `offset`); a short page ends it. */
  pages<Row>(query: KeysetQuery<Row>): AsyncGenerator<Row[]>
}

/** Quotes a value for PostgREST's logic-tree grammar (`or=(…)`): `"…"` with `\` and `"` escaped. */
export function quoteLogicValue(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
}

/**
 * The `or` filter (without the outer parentheses) selecting the rows strictly after `values` in the
 * `order`: `a.gt.A,and(a.eq.A,or(b.gt.B,…))`, with `lt` for descending columns.
 */
export function keysetFilter(order: readonly KeysetColumn[], values: readonly string[]): string {
  if (order.length === 0 || order.length !== values.length)
    throw new Error('keyset needs one value per column')
  const build = (i: number): string => {
    const { column, descending } = order[i] as KeysetColumn
    const value = quoteLogicValue(values[i] as string)
    const step = `${column}.${descending ? 'lt' : 'gt'}.${value}`
    if (i === order.length - 1) return step
    const rest = i + 1 === order.length - 1 ? build(i + 1) : `or(${build(i + 1)})`
    return `${step},and(${column}.eq.${value},${rest})`
  }
  return build(0)
}

function networkDetail(details: string | null | undefined): string | null {
  if (!details) return null
  const cause = /Caused by: ([^\n]*)/.exec(details)
  return cause?.[1] ?? details.split('\n')[0] ?? null
}

type PostgrestModule = typeof import('@supabase/postgrest-js')

/**
 * Creates a {@link PostgrestHttpClient}. postgrest-js is imported on first use; its own retries are off
 * so that every request is retried by {@link withRetry} on {@link TRANSIENT_STATUSES}.
 */
export function createPostgrestClient(options: PostgrestClientOptions): PostgrestHttpClient {
  const url = options.url.replace(/\/+$/, '')
  const schema = options.schema ?? 'api'
  const baseFetch = options.fetch ?? globalThis.fetch
  const timeoutMs = options.timeoutMs ?? 30_000
  const headers: Record<string, string> = options.token ? { Authorization: `Bearer ${options.token}` } : {}
  let loading: Promise<PostgrestModule> | undefined
  const load = (): Promise<PostgrestModule> => {
    loading ??= import('@supabase/postgrest-js')
    return loading
  }

  const attempt = async (request: PostgrestRequest, attemptNumber: number): Promise<unknown> => {
    const { PostgrestClient: Client } = await load()
    const signal = request.signal
    signal?.throwIfAborted()
    const timeout = AbortSignal.timeout(timeoutMs)
    let path = `/${request.table}`
    const recordingFetch: typeof fetch = (input, init) => {
      path = new URL(input instanceof Request ? input.url : String(input)).pathname
      return baseFetch(input, init)
    }
    const client = new Client(url, { headers, schema, fetch: recordingFetch, retry: false })
    const table = client.from(request.table) as unknown as PostgrestTable
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout
    const result = await request.build(table).abortSignal(combined)
    if (!result.error && result.status >= 200 && result.status < 300) return result.data
    if (signal?.aborted) throw signal.reason
    const error = result.error ?? {}
    const network = result.status === 0
    const denied = error.code === '42501'
    throw new PostgrestError({
      status: result.status,
      postgrestCode: error.code || null,
      postgrestMessage:
        network && timeout.aborted ? `timed out after ${timeoutMs} ms` : (error.message ?? ''),
      details: network ? networkDetail(error.details) : (error.details ?? null),
      hint: network ? null : (error.hint ?? null),
      method: request.method,
      path,
      attempt: attemptNumber,
      note: denied
        ? options.token
          ? "The token's role lacks the grant on this table."
          : 'No token was configured, so the request ran as the anonymous role.'
        : network
          ? `(${networkDetail(error.details) ?? 'network failure'})`
          : undefined,
    })
  }

  const request = (spec: PostgrestRequest): Promise<unknown> =>
    withRetry((n) => attempt(spec, n), {
      retries: options.retries ?? 4,
      minDelayMs: options.minDelayMs ?? 200,
      maxDelayMs: options.maxDelayMs ?? 5000,
      ...(spec.signal ? { signal: spec.signal } : {}),
      isTransient: (error) => error instanceof PostgrestError && error.transient && !spec.signal?.aborted,
      onRetry: ({ attempt: n, retriesLeft, error }) => {
        const failure = error as PostgrestError
        options.logger?.warn(
          { method: failure.method, path: failure.path, status: failure.status, attempt: n, retriesLeft },
          `PostgREST request failed, retrying: ${failure.message}`,
        )
      },
    })

  async function* pages<Row>(query: KeysetQuery<Row>): AsyncGenerator<Row[]> {
    let remaining = query.limit ?? Number.POSITIVE_INFINITY
    let after: readonly string[] | undefined
    while (remaining > 0) {
      const pageLimit = Math.min(query.pageSize, remaining)
      const cursor = after
      const data = await request({
        table: query.table,
        method: 'GET',
        signal: query.signal,
        build: (table) => {
          let chain = query.filter(table.select(query.select))
          if (cursor) chain = chain.or(keysetFilter(query.order, cursor))
          for (const { column, descending } of query.order)
            chain = chain.order(column, { ascending: !descending })
          return chain.limit(pageLimit)
        },
      })
      const rows = Array.isArray(data) ? (data as Row[]) : []
      if (rows.length > pageLimit)
        throw new Error(`PostgREST returned ${rows.length} rows for limit ${pageLimit}`)
      if (rows.length > 0) yield rows
      const last = rows.at(-1)
      if (!last || rows.length < pageLimit) return
      remaining -= rows.length
      after = query.keyOf(last)
    }
  }

  return { url, schema, request, pages }
}
