/**
 * A strict Knack REST API v1 emulator (spec external-apis §2 and §5): a node:http server on 127.0.0.1 serving
 * object- and view-based record routes and the application metadata, with Knack's auth headers, paging, filters,
 * rate limits, the local-time-as-UTC timestamp quirk, strict writes, a request log and scripted faults.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRateLimiter } from './limiter.js'
import { createStore, HttpFailure, type ListQuery } from './store.js'
import type { KnackEmulator, KnackEmulatorOptions, KnackRequestLogEntry, ScriptedFault } from './types.js'

export type { KnackFieldDef, KnackFieldType } from './fields.js'
export type { RateLimitSettings } from './limiter.js'
export type { SeedRecord, StoredRecord, ViewOptions } from './store.js'
export type { KnackEmulator, KnackEmulatorOptions, KnackRequestLogEntry, ScriptedFault } from './types.js'

interface QueuedFault {
  remaining: number
  readonly fault: ScriptedFault
  readonly drop: boolean
}

const json = (value: unknown): string => JSON.stringify(value)
const errorBody = (message: string): string => json({ errors: [{ message }] })

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function positiveInt(text: string | null, fallback: number, name: string): number {
  if (text === null || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) throw new HttpFailure(400, `${name} must be a positive integer`)
  return value
}

/** Starts an emulator on 127.0.0.1 (random port). */
export async function startKnackEmulator(options: KnackEmulatorOptions = {}): Promise<KnackEmulator> {
  const appId = options.appId ?? '5d79512148c4af00106d1507'
  const apiKey = options.apiKey ?? 'emulator-api-key-0123456789'
  const now = options.now ?? Date.now
  const store = createStore()
  const limiter = createRateLimiter(options.rateLimit ?? {}, now)
  const requests: KnackRequestLogEntry[] = []
  const faults: QueuedFault[] = []
  let applyFailures: { remaining: number; status: number } | null = null
  const timers = new Set<NodeJS.Timeout>()

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })

  function send(
    res: ServerResponse,
    entry: KnackRequestLogEntry,
    status: number,
    body: string,
    headers = {},
  ) {
    entry.status = status
    const type = status === 429 ? 'text/plain' : 'application/json; charset=utf-8'
    res.writeHead(status, { 'Content-Type': type, ...headers })
    res.end(body)
  }

  function drop(res: ServerResponse, entry: KnackRequestLogEntry) {
    entry.status = 0
    res.socket?.destroy()
  }

  function takeFault(entry: KnackRequestLogEntry): QueuedFault | null {
    const found = faults.find(
      (f) =>
        f.remaining > 0 &&
        (!f.fault.method || f.fault.method.toUpperCase() === entry.method) &&
        (!f.fault.path || entry.path.includes(f.fault.path)),
    )
    if (!found) return null
    found.remaining -= 1
    if (found.remaining === 0) faults.splice(faults.indexOf(found), 1)
    return found
  }

  function scripted(fault: ScriptedFault): { status: number; body: string; headers: Record<string, string> } {
    const status = fault.status ?? 500
    const limitHeaders = status === 429 ? { ...limiter.peek(), 'X-RateLimit-Remaining': '0' } : undefined
    let body: string
    if (typeof fault.body === 'string') body = fault.body
    else if (fault.body !== undefined) body = json(fault.body)
    else body = status === 429 ? 'Rate limit exceeded' : errorBody(`Scripted failure ${status}`)
    return { status, body, headers: { ...limitHeaders, ...fault.headers } }
  }

  function checkAuth(entry: KnackRequestLogEntry, viewLogin: boolean | null): void {
    const status = options.authFailureStatus ?? 401
    if (entry.headers['x-knack-application-id'] !== appId) {
      throw new HttpFailure(status, 'Invalid or missing X-Knack-Application-Id')
    }
    const key = entry.headers['x-knack-rest-api-key']
    const accepted = viewLogin === null ? key === apiKey : key === apiKey || key === 'knack'
    if (!accepted) throw new HttpFailure(status, 'Invalid or missing X-Knack-REST-API-Key')
    if (viewLogin && !entry.headers.authorization) {
      throw new HttpFailure(options.protectedViewStatus ?? 403, 'This view requires a user token')
    }
  }

  function listQuery(url: URL): ListQuery {
    let rowsPerPage = positiveInt(url.searchParams.get('rows_per_page'), 25, 'rows_per_page')
    if (rowsPerPage > 1000) {
      if (options.overMaxRowsPerPage === 'reject') throw new HttpFailure(400, 'rows_per_page must be ≤ 1000')
      rowsPerPage = 1000
    }
    const format = url.searchParams.get('format') ?? 'both'
    const formats: Record<string, ListQuery['format']> = {
      both: 'both',
      raw: 'raw',
      html: 'html',
      formatted: 'html',
    }
    const chosen = formats[format]
    if (!chosen) throw new HttpFailure(400, `Unknown format "${format}"`)
    const order = url.searchParams.get('sort_order') ?? 'asc'
    if (order !== 'asc' && order !== 'desc') throw new HttpFailure(400, 'sort_order must be asc or desc')
    return {
      page: positiveInt(url.searchParams.get('page'), 1, 'page'),
      rowsPerPage,
      filters: url.searchParams.get('filters'),
      format: chosen,
      sortField: url.searchParams.get('sort_field'),
      sortOrder: order,
    }
  }

  async function route(url: URL, entry: KnackRequestLogEntry): Promise<{ status: number; body: unknown }> {
    const parts = url.pathname.split('/').filter(Boolean)
    if (parts[0] !== 'v1') throw new HttpFailure(404, 'Not found')
    if (parts[1] === 'applications' && parts.length === 3 && entry.method === 'GET') {
      if (parts[2] !== appId) throw new HttpFailure(404, 'Application not found')
      return { status: 200, body: store.metadata(appId) }
    }
    let objectKey: string
    let shown: readonly string[] | null = null
    let rest: string[]
    if (parts[1] === 'objects' && parts[3] === 'records' && parts.length <= 5) {
      checkAuth(entry, null)
      objectKey = parts[2] as string
      rest = parts.slice(4)
    } else if (parts[1] === 'pages' && parts[3] === 'views' && parts[5] === 'records' && parts.length <= 7) {
      const view = store.view(parts[2] as string, parts[4] as string)
      checkAuth(entry, view.loginRequired)
      objectKey = view.object
      shown = view.shown
      rest = parts.slice(6)
    } else {
      throw new HttpFailure(404, 'Not found')
    }
    const id = rest[0]
    if (entry.method !== 'GET' && entry.method !== 'DELETE') {
      const type = entry.headers['content-type'] ?? ''
      if (!type.toLowerCase().startsWith('application/json')) {
        throw new HttpFailure(400, 'Content-Type must be application/json')
      }
    }
    const decision = limiter.check(true)
    if (decision.refused) throw Object.assign(new HttpFailure(429, 'Rate limit exceeded'), decision)
    if (entry.method === 'GET' && id === undefined) {
      const query = listQuery(url)
      emulator.onList?.(objectKey, query.page)
      return { status: 200, body: store.list(objectKey, shown, query) }
    }
    if (entry.method === 'GET' && id !== undefined)
      return { status: 200, body: store.getOne(objectKey, shown, id) }
    if (entry.method === 'POST' && id === undefined)
      return { status: 200, body: store.create(objectKey, shown, entry.body) }
    if (entry.method === 'PUT' && id !== undefined) {
      return { status: 200, body: store.update(objectKey, shown, id, entry.body) }
    }
    if (entry.method === 'DELETE' && id !== undefined)
      return { status: 200, body: store.remove(objectKey, id) }
    throw new HttpFailure(404, `Cannot ${entry.method} ${url.pathname}`)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
    }
    const text = await readBody(req)
    const entry: KnackRequestLogEntry = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: null,
      time: now(),
      status: null,
    }
    requests.push(entry)
    const fault = takeFault(entry)
    if (fault?.drop) return drop(res, entry)
    if (fault?.fault.delayMs) await sleep(fault.fault.delayMs)
    if (fault && fault.fault.status !== undefined) {
      const answer = scripted(fault.fault)
      return send(res, entry, answer.status, answer.body, answer.headers)
    }
    try {
      if (text !== '') {
        try {
          ;(entry as { body: unknown }).body = JSON.parse(text)
        } catch {
          throw new HttpFailure(400, 'Request body is not valid JSON')
        }
      }
      const result = await route(url, entry)
      if (entry.method !== 'GET' && applyFailures && applyFailures.remaining > 0) {
        applyFailures.remaining -= 1
        if (applyFailures.status === 0) return drop(res, entry)
        return send(res, entry, applyFailures.status, errorBody(`Scripted failure ${applyFailures.status}`))
      }
      send(res, entry, result.status, json(result.body))
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error
      if (error.status === 429) {
        const limitHeaders = (error as HttpFailure & { headers?: Record<string, string> }).headers ?? {}
        return send(res, entry, 429, 'Rate limit exceeded', limitHeaders)
      }
      send(res, entry, error.status, errorBody(error.message))
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' })
      res.end(errorBody(`Emulator error: ${(error as Error).message}`))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port

  const emulator: KnackEmulator = {
    url: `http://127.0.0.1:${port}/v1`,
    appId,
    apiKey,
    requests,
    rateLimit: limiter.settings,
    get dailyUsed() {
      return limiter.dailyUsed
    },
    setObject: (key, records, fields) => store.setObject(key, records, fields),
    setView: (scene, view, records, viewOptions) => store.setView(scene, view, records, viewOptions),
    announceExtra(container, extra) {
      const [scene, view] = container.split('/')
      store.announceExtra(view ? store.view(scene as string, view).object : container, extra)
    },
    records: (objectKey) => store.records(objectKey),
    viewRecords: (scene, view) => store.records(store.view(scene, view).object),
    failNext(n, fault) {
      faults.push({ remaining: n, fault, drop: false })
    },
    applyThenFail(n, status) {
      applyFailures = { remaining: n, status }
    },
    dropConnection(n) {
      faults.push({ remaining: n, fault: {}, drop: true })
    },
    resetDailyQuota: () => limiter.resetDaily(),
    onList: null,
    async close() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return emulator
}
