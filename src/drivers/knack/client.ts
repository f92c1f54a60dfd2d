import type { Agent as HttpAgent } from 'node:http'
import type { Agent as HttpsAgent } from 'node:https'
import axios, { type AxiosResponse, isAxiosError, type Method } from 'axios'
import pThrottle from 'p-throttle'
import { ConfigError, EtlError } from '../../support/errors.js'
import type { Logger } from '../../support/logger.js'
import { withRetry } from '../../util/retry.js'

/** Knack's largest page (spec external-apis §2.4). */
export const KNACK_MAX_ROWS_PER_PAGE = 1000

/** One filter rule (`{"field": "field_884", "operator": "is", "value": "BLUETOOTH"}`; spec external-apis §2.5). */
export interface KnackFilterRule {
  readonly field: string
  readonly operator: string
  readonly value?: unknown
  readonly range?: number
  readonly type?: string
}

/** A Knack filter: `{match, rules}` or a bare array of rules (⇒ `and`). */
export type KnackFilters =
  | { readonly match: 'and' | 'or'; readonly rules: readonly KnackFilterRule[] }
  | readonly KnackFilterRule[]

/** A record as Knack sends it: `id`, `field_N` (display) and `field_N_raw` (structured) values. */
export type KnackRecord = Readonly<Record<string, unknown>> & { readonly id: string }

/** Options of a record listing. */
export interface KnackListOptions {
  readonly filters?: KnackFilters | undefined
  /** `both` (Knack's default: `field_N` and `field_N_raw`), `raw` or `html`. */
  readonly format?: 'both' | 'raw' | 'html' | undefined
  readonly sortField?: string | undefined
  readonly sortOrder?: 'asc' | 'desc' | undefined
}

/** One field in the application metadata; `name` is the label users see (`SENSOR_TYPE`). */
export interface KnackFieldMeta {
  readonly key: string
  readonly name: string
  readonly type: string
}

/** One object in the application metadata. */
export interface KnackObjectMeta {
  readonly key: string
  readonly name: string
  readonly fields: readonly KnackFieldMeta[]
}

/** `GET /v1/applications/:appId` → `application` (the schema knackpy maps field keys to labels with). */
export interface KnackAppMetadata {
  readonly id?: string
  readonly name?: string
  readonly objects: readonly KnackObjectMeta[]
}

/** Fields of a {@link KnackError}. */
export interface KnackErrorInit {
  /** HTTP status; 0 when no response arrived (network failure, timeout). */
  readonly status: number
  readonly method: string
  /** Path below the base URL (`/objects/object_56/records`), no query string, never a key. */
  readonly path: string
  /** Knack's error message (or the network error). */
  readonly knackMessage: string
  /** Attempts made when this error was raised. */
  readonly attempts: number
  /** Set when a 429 says the daily plan quota is used up (`X-PlanLimit-Remaining: 0`): not retried. */
  readonly quotaExhausted?: boolean
}

/** A failed Knack request (code `E_HTTP`). Never carries the API key (no axios config, no headers). */
export class KnackError extends EtlError {
  override name = 'KnackError'
  /** HTTP status; 0 when no response arrived. */
  readonly status: number
  readonly method: string
  /** Path below the base URL, without query string. */
  readonly path: string
  /** Knack's message, verbatim. */
  readonly knackMessage: string
  /** Attempts made. */
  readonly attempts: number
  /** Whether the daily plan quota is exhausted. */
  readonly quotaExhausted: boolean

  constructor(init: KnackErrorInit) {
    const what = init.status === 0 ? 'no response' : `HTTP ${init.status}`
    const tries = init.attempts > 1 ? ` after ${init.attempts} attempts` : ''
    const quota = init.quotaExhausted ? ' (daily API quota exhausted; it resets with the plan day)' : ''
    super('E_HTTP', `Knack ${init.method} ${init.path} failed${tries}: ${what}: ${init.knackMessage}${quota}`)
    this.status = init.status
    this.method = init.method
    this.path = init.path
    this.knackMessage = init.knackMessage
    this.attempts = init.attempts
    this.quotaExhausted = init.quotaExhausted ?? false
  }

  /** Whether another attempt may succeed: no response, 408, 429 (not the daily quota) or 5xx. */
  get transient(): boolean {
    if (this.status === 429) return !this.quotaExhausted
    return this.status === 0 || this.status === 408 || this.status >= 500
  }
}

/** Options of {@link createKnackClient}. */
export interface KnackClientOptions {
  /** API root. @default 'https://api.knack.com/v1' */
  readonly baseUrl?: string | undefined
  /** Application id (`X-Knack-Application-Id`). */
  readonly appId: string
  /** REST API key (`X-Knack-REST-API-Key`); view-based calls to public views use the literal `knack`. @default 'knack' */
  readonly apiKey?: string | undefined
  /** User token for login-protected views (`Authorization`, no `Bearer`). */
  readonly userToken?: string | undefined
  /** Per-attempt timeout in ms. @default 10000 */
  readonly timeoutMs?: number | undefined
  /**
   * Request rate, 1–10 per second (Knack allows 10). Requests are spaced evenly (`1000 / n` ms apart, like
   * knack-api-helper's 125 ms), so network jitter cannot bunch a second's worth into Knack's window. @default 9
   */
  readonly maxRequestsPerSecond?: number | undefined
  /** Retries after the first attempt (429, 5xx, 408, network errors, timeouts). @default 5 */
  readonly retries?: number | undefined
  /** First backoff delay in ms. @default 300 */
  readonly minDelayMs?: number | undefined
  /** Longest backoff delay in ms. @default 5000 */
  readonly maxDelayMs?: number | undefined
  /** Longest wait for a 429's `X-RateLimit-Reset` before retrying, in ms. @default 2000 */
  readonly maxResetWaitMs?: number | undefined
  /** Receives a `warn` line per retry and a `debug` line per page (method, path, status; never the key). */
  readonly logger?: Logger | undefined
  /** Agent for `http:` URLs (tests, proxies). */
  readonly httpAgent?: HttpAgent | undefined
  /** Agent for `https:` URLs. */
  readonly httpsAgent?: HttpsAgent | undefined
}

/** A Knack REST API v1 client: paged reads as async iterables, view writes; throttled, retried, raising {@link KnackError}. */
export interface KnackClient {
  /** All records of an object (object-based auth), page by page (1000 rows), stopping at the first empty page. */
  getObjectRecords(objectKey: string, options?: KnackListOptions): AsyncIterable<KnackRecord>
  /** All records of a view (view-based auth), paged like {@link KnackClient.getObjectRecords}. */
  getViewRecords(scene: string, view: string, options?: KnackListOptions): AsyncIterable<KnackRecord>
  /** Creates a record through a form view; resolves the record Knack returns. Retried: a write that was applied but not acknowledged may be created twice. */
  createViewRecord(
    scene: string,
    view: string,
    values: Readonly<Record<string, unknown>>,
  ): Promise<KnackRecord>
  /** Updates the given fields of a record through a view. */
  updateViewRecord(
    scene: string,
    view: string,
    id: string,
    values: Readonly<Record<string, unknown>>,
  ): Promise<KnackRecord>
  /** Deletes a record through a view. */
  deleteViewRecord(scene: string, view: string, id: string): Promise<void>
  /** The application schema (objects with their fields' keys, labels and types); no auth needed. */
  getApplicationMetadata(): Promise<KnackAppMetadata>
}

const KEY_PATTERN = /^[a-z]+_\d+$/
const RECORD_ID = /^[0-9a-f]{24}$/i

function checkKey(kind: string, value: string, pattern = KEY_PATTERN): string {
  if (!pattern.test(value)) throw new ConfigError(`Invalid Knack ${kind} "${value}".`)
  return value
}

function knackMessage(data: unknown, fallback: string): string {
  if (data && typeof data === 'object') {
    const errors = (data as { errors?: unknown }).errors
    if (Array.isArray(errors)) {
      const texts = errors.map((e) => (typeof e === 'string' ? e : (e as { message?: unknown })?.message))
      const joined = texts.filter((t) => typeof t === 'string').join('; ')
      if (joined) return joined
    }
    return JSON.stringify(data).slice(0, 300)
  }
  const text = String(data ?? '').trim()
  return text ? text.slice(0, 300) : fallback
}

/** Creates a client; its request throttle lives in the returned object. */
export function createKnackClient(options: KnackClientOptions): KnackClient {
  const appId = options.appId
  const apiKey = options.apiKey ?? 'knack'
  if (!appId) throw new ConfigError('Knack client needs an application id (appId).')
  const perSecond = options.maxRequestsPerSecond ?? 9
  if (!Number.isInteger(perSecond) || perSecond < 1 || perSecond > 10) {
    throw new ConfigError(`Knack maxRequestsPerSecond must be an integer from 1 to 10, got ${perSecond}.`)
  }
  const maxResetWait = options.maxResetWaitMs ?? 2000
  const logger = options.logger
  const scrub = (text: string): string => (apiKey.length >= 8 ? text.replaceAll(apiKey, '[redacted]') : text)
  const http = axios.create({
    baseURL: (options.baseUrl ?? 'https://api.knack.com/v1').replace(/\/+$/, ''),
    timeout: options.timeoutMs ?? 10_000,
    validateStatus: () => true,
    ...(options.httpAgent ? { httpAgent: options.httpAgent } : {}),
    ...(options.httpsAgent ? { httpsAgent: options.httpsAgent } : {}),
  })
  const throttle = pThrottle({ limit: 1, interval: Math.ceil(1000 / perSecond) })
  const send = throttle((config: Parameters<typeof http.request>[0]) => http.request(config))

  function authHeaders(withKey: boolean): Record<string, string> {
    if (!withKey) return {}
    return {
      'X-Knack-Application-Id': appId,
      'X-Knack-REST-API-Key': apiKey,
      ...(options.userToken ? { Authorization: options.userToken } : {}),
    }
  }

  async function waitForReset(response: AxiosResponse): Promise<void> {
    const reset = Number(response.headers['x-ratelimit-reset'])
    if (!Number.isFinite(reset) || reset <= 0) return
    const wait = Math.min(Math.max(reset * 1000 - Date.now(), 0), maxResetWait)
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  }

  async function attempt(
    method: Method,
    path: string,
    config: { params?: Record<string, string>; data?: unknown; auth: boolean },
    attemptNo: number,
  ): Promise<unknown> {
    let response: AxiosResponse
    try {
      response = await send({
        method,
        url: path,
        params: config.params,
        data: config.data,
        headers: {
          ...authHeaders(config.auth),
          ...(config.data === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
      })
    } catch (error) {
      const code = isAxiosError(error) ? (error.code ?? 'ERROR') : 'ERROR'
      const text = error instanceof Error ? error.message : String(error)
      throw new KnackError({
        status: 0,
        method,
        path,
        knackMessage: scrub(`${code}: ${text}`),
        attempts: attemptNo,
      })
    }
    if (response.status >= 200 && response.status < 300) return response.data
    const quotaExhausted = response.status === 429 && response.headers['x-planlimit-remaining'] === '0'
    const error = new KnackError({
      status: response.status,
      method,
      path,
      knackMessage: scrub(knackMessage(response.data, response.statusText || 'error')),
      attempts: attemptNo,
      quotaExhausted,
    })
    if (error.transient && response.status === 429) await waitForReset(response)
    throw error
  }

  function request(
    method: Method,
    path: string,
    config: { params?: Record<string, string>; data?: unknown; auth?: boolean } = {},
  ): Promise<unknown> {
    const full = { ...config, auth: config.auth ?? true }
    return withRetry((attemptNo) => attempt(method, path, full, attemptNo), {
      retries: options.retries ?? 5,
      minDelayMs: options.minDelayMs ?? 300,
      maxDelayMs: options.maxDelayMs ?? 5000,
      isTransient: (error) => error instanceof KnackError && error.transient,
      onRetry: ({ attempt: failed, retriesLeft, error }) => {
        const status = error instanceof KnackError ? error.status : null
        logger?.warn({ method, path, status, attempt: failed, retriesLeft }, 'Knack request failed; retrying')
      },
    })
  }

  function malformed(path: string, what: string): KnackError {
    return new KnackError({
      status: 200,
      method: 'GET',
      path,
      knackMessage: `malformed response: ${what}`,
      attempts: 1,
    })
  }

  async function* list(path: string, options: KnackListOptions = {}): AsyncGenerator<KnackRecord> {
    const params: Record<string, string> = { rows_per_page: String(KNACK_MAX_ROWS_PER_PAGE) }
    if (options.filters) params.filters = JSON.stringify(options.filters)
    if (options.format) params.format = options.format
    if (options.sortField) params.sort_field = options.sortField
    if (options.sortOrder) params.sort_order = options.sortOrder
    for (let page = 1; ; page++) {
      const body = (await request('GET', path, { params: { ...params, page: String(page) } })) as Record<
        string,
        unknown
      > | null
      const records = body?.records
      const totalPages = Number(body?.total_pages)
      if (!Array.isArray(records)) throw malformed(path, 'no records array')
      if (!Number.isFinite(totalPages)) throw malformed(path, 'no total_pages')
      logger?.debug({ path, page, records: records.length, totalPages }, 'Knack page read')
      yield* records as KnackRecord[]
      if (records.length === 0 || page >= totalPages) return
    }
  }

  const viewPath = (scene: string, view: string) =>
    `/pages/${checkKey('scene key', scene)}/views/${checkKey('view key', view)}/records`
  const recordPath = (scene: string, view: string, id: string) =>
    `${viewPath(scene, view)}/${checkKey('record id', id, RECORD_ID)}`

  return {
    getObjectRecords: (objectKey, listOptions) =>
      list(`/objects/${checkKey('object key', objectKey)}/records`, listOptions),
    getViewRecords: (scene, view, listOptions) => list(viewPath(scene, view), listOptions),
    async createViewRecord(scene, view, values) {
      return (await request('POST', viewPath(scene, view), { data: values })) as KnackRecord
    },
    async updateViewRecord(scene, view, id, values) {
      return (await request('PUT', recordPath(scene, view, id), { data: values })) as KnackRecord
    },
    async deleteViewRecord(scene, view, id) {
      await request('DELETE', recordPath(scene, view, id))
    },
    async getApplicationMetadata() {
      const path = `/applications/${encodeURIComponent(appId)}`
      const body = (await request('GET', path, { auth: false })) as { application?: KnackAppMetadata } | null
      const application = body?.application
      if (!application || !Array.isArray(application.objects)) throw malformed(path, 'no application.objects')
      return application
    },
  }
}
