/**
 * HTTP client of one GRIDSMART camera (spec §9.9, §11.3): the JSON documents ingest stores and the daily counts
 * ZIP, with a timeout on every request (also downloads, which the original left unbounded), a size limit, and
 * retries with backoff of what failed transiently (no answer, a dropped connection, HTTP 408/429/5xx).
 */
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { DateTime } from 'luxon'
import yauzl from 'yauzl'
import { EtlError } from '../../../support/errors.js'
import type { Logger } from '../../../support/logger.js'
import { type Clock, formatDay, parseTimestamp, systemClock } from '../../../util/dates.js'
import { type RetryOptions, withRetry } from '../../../util/retry.js'
import { GRIDSMART_PORT } from './site.js'

/** Default size limit of a counts ZIP (256 MiB). */
export const DEFAULT_MAX_ZIP_BYTES = 256 * 1024 * 1024

/** Size limit of a JSON document from a camera (16 MiB). */
export const MAX_JSON_BYTES = 16 * 1024 * 1024

/** A camera request that failed: names the device and the URL. */
export class GridsmartError extends EtlError {
  override name = 'GridsmartError'
  /** `host:port` of the camera. */
  readonly device: string
  /** The URL requested. */
  readonly url: string
  /** Whether another attempt may succeed (no answer, a dropped connection, HTTP 408/429/5xx). */
  readonly transient: boolean
  constructor(
    device: string,
    url: string,
    problem: string,
    options?: { cause?: unknown; transient?: boolean },
  ) {
    super('E_HTTP', `GRIDSMART device ${device}: ${url}: ${problem}`, options)
    this.device = device
    this.url = url
    this.transient = options?.transient === true
  }
}

/** HTTP statuses worth another attempt. */
function transientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

/** Options of {@link createGridsmartClient}. */
export interface GridsmartClientOptions {
  /** Host name or IP address of the camera. */
  readonly host: string
  /** API port. @default 8902 */
  readonly port?: number
  /**
   * Milliseconds allowed for a JSON request, and for a download both until the response headers and between two
   * received chunks (an idle timeout, so a large ZIP on a slow link still completes). @default 15000
   */
  readonly timeoutMs?: number
  /** Largest counts ZIP accepted; a larger one is aborted and its partial file deleted. @default 256 MiB */
  readonly maxZipBytes?: number
  /** The fetch implementation. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch
  /** Source of `HostTimeUTC`. @default the system clock */
  readonly clock?: Clock
  /** Cancels every request of the client. */
  readonly signal?: AbortSignal
  /**
   * Retries of a request that failed transiently (see {@link GridsmartError.transient}), with backoff and jitter.
   * @default { retries: 2, minDelayMs: 500, maxDelayMs: 4000 }
   */
  readonly retry?: Partial<Pick<RetryOptions, 'retries' | 'minDelayMs' | 'maxDelayMs'>>
  /** Receives a warning for each retried request. */
  readonly logger?: Logger
}

/** `datetime.json` as ingest keeps it: the camera's clock and zone label plus the host's UTC time. */
export interface GsDatetimeDocument {
  /** Device wall time, `M/D/YYYY h:mm:ss AM|PM`. */
  readonly DateTime: string
  /** Zone label, e.g. `(UTC-05:00) Eastern Time (US & Canada)`. */
  readonly TimeZoneId: string
  /** Host time in UTC when the document was read, `MM/DD/YYYY HH:MM:SS AM|PM`. */
  readonly HostTimeUTC: string
}

/** A counts ZIP written to disk. */
export interface GsDownload {
  readonly path: string
  readonly bytes: number
  /** Number of entries in the archive. */
  readonly entries: number
}

/** One camera's API. */
export interface GridsmartClient {
  /** `host:port`. */
  readonly device: string
  /** `/api/site.json` (a JSON object). */
  site(): Promise<Record<string, unknown>>
  /** `/api/datetime.json` trimmed to `DateTime`, `TimeZoneId` and the added `HostTimeUTC`. */
  datetime(): Promise<GsDatetimeDocument>
  /** `/api/system/hardwareinfo.json` (a JSON object). */
  hardwareInfo(): Promise<Record<string, unknown>>
  /** `/api/counts.json`: the days with counts, as Central midnights, ascending and unique. */
  countDays(): Promise<DateTime[]>
  /**
   * `/api/counts/bydate/<YYYY-MM-DD>` streamed into `destPath`, then checked to be a readable ZIP archive.
   * On any failure the partial file is deleted.
   */
  downloadCounts(day: DateTime, destPath: string): Promise<GsDownload>
}

const DAY_TEXT = /^\d{4}-\d{2}-\d{2}$/

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Creates the client of the camera at `host:port`. No I/O until a method is called. */
export function createGridsmartClient(options: GridsmartClientOptions): GridsmartClient {
  const port = options.port ?? GRIDSMART_PORT
  const device = `${options.host}:${port}`
  const timeoutMs = options.timeoutMs ?? 15_000
  const maxZipBytes = options.maxZipBytes ?? DEFAULT_MAX_ZIP_BYTES
  const doFetch = options.fetch ?? globalThis.fetch
  const clock = options.clock ?? systemClock()
  const urlOf = (path: string) => `http://${device}/api/${path}`

  /** Starts a request whose controller the caller may abort (timeouts); throws GridsmartError on non-2xx. */
  async function request(url: string, controller: AbortController): Promise<Response> {
    const timer = setTimeout(
      () => controller.abort(new Error(`no response within ${timeoutMs} ms`)),
      timeoutMs,
    )
    try {
      const response = await doFetch(url, { signal: controller.signal, redirect: 'error' })
      if (!response.ok) {
        await response.body?.cancel().catch(() => {})
        throw new GridsmartError(device, url, `HTTP ${response.status} ${response.statusText}`.trim(), {
          transient: transientStatus(response.status),
        })
      }
      return response
    } catch (error) {
      if (error instanceof GridsmartError) throw error
      const why = controller.signal.aborted ? reason(controller.signal.reason) : reason(error)
      throw new GridsmartError(device, url, `request failed: ${why}`, {
        cause: error,
        transient: !cancelled(),
      })
    } finally {
      clearTimeout(timer)
    }
  }

  /** Whether the client's own signal was aborted (a cancel, never retried). */
  function cancelled(): boolean {
    return options.signal?.aborted === true
  }

  /** Runs one request with the client's retry policy. */
  function withRetries<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    return withRetry(attempt, {
      retries: 2,
      minDelayMs: 500,
      maxDelayMs: 4000,
      ...options.retry,
      isTransient: (error) => error instanceof GridsmartError && error.transient && !cancelled(),
      ...(options.signal ? { signal: options.signal } : {}),
      onRetry: ({ attempt: n, retriesLeft, error }) =>
        options.logger?.warn(
          { device, attempt: n, retriesLeft, err: error },
          `GRIDSMART device ${device}: ${what} failed (attempt ${n}); retrying`,
        ),
    })
  }

  /** A controller for one request that also follows the client's cancel signal; `dispose` unlinks it. */
  function linkedController(): { controller: AbortController; dispose: () => void } {
    const controller = new AbortController()
    const signal = options.signal
    if (signal?.aborted) controller.abort(signal.reason)
    const onCancel = () => controller.abort(signal?.reason ?? new Error('cancelled'))
    signal?.addEventListener('abort', onCancel, { once: true })
    return { controller, dispose: () => signal?.removeEventListener('abort', onCancel) }
  }

  function getJson(path: string): Promise<unknown> {
    return withRetries(path, () => getJsonOnce(path))
  }

  async function getJsonOnce(path: string): Promise<unknown> {
    const url = urlOf(path)
    const { controller, dispose } = linkedController()
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    try {
      const response = await request(url, controller)
      const chunks: Buffer[] = []
      let size = 0
      try {
        for await (const chunk of Readable.fromWeb(response.body as never)) {
          size += (chunk as Buffer).length
          if (size > MAX_JSON_BYTES) {
            controller.abort(new Error('too large'))
            throw new GridsmartError(device, url, `the document exceeds ${MAX_JSON_BYTES} bytes`)
          }
          chunks.push(chunk as Buffer)
        }
      } catch (error) {
        if (error instanceof GridsmartError) throw error
        const why = controller.signal.aborted ? reason(controller.signal.reason) : reason(error)
        throw new GridsmartError(device, url, `reading the response failed: ${why}`, {
          cause: error,
          transient: !cancelled(),
        })
      }
      const text = Buffer.concat(chunks).toString('utf8')
      try {
        return JSON.parse(text)
      } catch (error) {
        throw new GridsmartError(device, url, `the response is not JSON (${reason(error)})`, { cause: error })
      }
    } finally {
      clearTimeout(timer)
      dispose()
    }
  }

  async function getObject(path: string): Promise<Record<string, unknown>> {
    const value = await getJson(path)
    if (!isObject(value)) throw new GridsmartError(device, urlOf(path), 'expected a JSON object')
    return value
  }

  async function datetime(): Promise<GsDatetimeDocument> {
    const path = 'datetime.json'
    const doc = await getObject(path)
    const hostTime = clock.now().toUTC().setLocale('en-US').toFormat('MM/dd/yyyy hh:mm:ss a')
    for (const key of ['DateTime', 'TimeZoneId'] as const) {
      if (typeof doc[key] !== 'string' || doc[key] === '') {
        throw new GridsmartError(device, urlOf(path), `"${key}" is missing or not a string`)
      }
    }
    return { DateTime: doc.DateTime as string, TimeZoneId: doc.TimeZoneId as string, HostTimeUTC: hostTime }
  }

  async function countDays(): Promise<DateTime[]> {
    const path = 'counts.json'
    const value = await getJson(path)
    if (!Array.isArray(value)) throw new GridsmartError(device, urlOf(path), 'expected a JSON list of days')
    const days = new Map<number, DateTime>()
    for (const item of value) {
      let day: DateTime | null = null
      if (typeof item === 'string' && DAY_TEXT.test(item)) {
        try {
          day = parseTimestamp(item)
        } catch {
          day = null
        }
      }
      if (!day) {
        throw new GridsmartError(device, urlOf(path), `${JSON.stringify(item)} is not a YYYY-MM-DD day`)
      }
      days.set(day.toMillis(), day)
    }
    return [...days.values()].sort((a, b) => a.toMillis() - b.toMillis())
  }

  function downloadCounts(day: DateTime, destPath: string): Promise<GsDownload> {
    return withRetries(`counts of ${formatDay(day)}`, () => downloadCountsOnce(day, destPath))
  }

  async function downloadCountsOnce(day: DateTime, destPath: string): Promise<GsDownload> {
    const url = urlOf(`counts/bydate/${formatDay(day)}`)
    const { controller, dispose } = linkedController()
    let bytes = 0
    let idle: NodeJS.Timeout | undefined
    const arm = () => {
      clearTimeout(idle)
      idle = setTimeout(() => controller.abort(new Error(`no data for ${timeoutMs} ms`)), timeoutMs)
    }
    try {
      const response = await request(url, controller)
      const declared = Number(response.headers.get('content-length') ?? Number.NaN)
      if (declared > maxZipBytes) {
        await response.body?.cancel().catch(() => {})
        throw new GridsmartError(device, url, `the ZIP is ${declared} bytes; the limit is ${maxZipBytes}`)
      }
      arm()
      const limit = async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          bytes += chunk.length
          if (bytes > maxZipBytes) {
            controller.abort(new Error('size limit'))
            throw new GridsmartError(device, url, `the ZIP exceeds the limit of ${maxZipBytes} bytes`)
          }
          arm()
          yield chunk
        }
      }
      try {
        await pipeline(Readable.fromWeb(response.body as never), limit, createWriteStream(destPath))
      } catch (error) {
        if (error instanceof GridsmartError) throw error
        const why = controller.signal.aborted ? reason(controller.signal.reason) : reason(error)
        throw new GridsmartError(device, url, `download failed: ${why}`, {
          cause: error,
          transient: !cancelled(),
        })
      }
      const entries = await countZipEntries(destPath).catch((error: unknown) => {
        throw new GridsmartError(device, url, `the response is not a readable ZIP (${reason(error)})`, {
          cause: error,
        })
      })
      return { path: destPath, bytes, entries }
    } catch (error) {
      await rm(destPath, { force: true })
      throw error
    } finally {
      clearTimeout(idle)
      dispose()
    }
  }

  return {
    device,
    site: () => getObject('site.json'),
    datetime,
    hardwareInfo: () => getObject('system/hardwareinfo.json'),
    countDays,
    downloadCounts,
  }
}

/** Reads a ZIP's central directory; resolves the number of entries, rejects when it is not a ZIP. */
export function countZipEntries(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (error, zip) => {
      if (error || !zip) {
        reject(error ?? new Error('cannot open'))
        return
      }
      let count = 0
      zip.on('entry', () => {
        count += 1
        zip.readEntry()
      })
      zip.on('end', () => resolve(count))
      zip.on('error', reject)
      zip.readEntry()
    })
  })
}
