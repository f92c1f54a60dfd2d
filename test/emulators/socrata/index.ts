import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { createPrng } from '../../../src/util/prng.js'
import {
  type DatasetSpec,
  type EmulatedDataset,
  createDataset as newDataset,
  RequestRefused,
  type TypeErrorMode,
} from './dataset.js'
import { type CannedResponse, createFaultQueue, type Fault } from './faults.js'
import {
  basicUser,
  DATASET_ID,
  json,
  NOT_LOGGED_IN,
  notFound,
  RESOURCE,
  type Reply,
  readBody,
  send,
  soqlReply,
  summaryBody,
  VIEWS,
} from './http.js'
import { SoqlError } from './soql.js'
import { metadataTypeName } from './types.js'

export type { ColumnSpec, DatasetSpec, TypeErrorMode } from './dataset.js'
export type { CannedResponse } from './faults.js'
export type { SocrataType } from './types.js'

/** Options of {@link startSocrataEmulator}. Everything tagged [A] in external-apis.md is a switch here. */
export interface SocrataEmulatorOptions {
  /** Basic-auth users, name → password. @default { publisher: 'publisher-secret' } */
  readonly users?: Readonly<Record<string, string>>
  /** Answer 429 to any request without an app token (header `X-App-Token` or `$$app_token`). @default false */
  readonly requireAppToken?: boolean
  /** Answer 429 to every Nth request (1-based count of all requests). @default 0 (off) */
  readonly throttleEvery?: number
  /** [A] `Retry-After` seconds on the emulator's own 429s (Socrata documents none). @default null (no header) */
  readonly retryAfterSeconds?: number | null
  /** [A] A bad value fails the whole request (400) or only its row (counted in `Errors`). @default 'request' */
  readonly typeErrors?: TypeErrorMode
  /** [A] A JSON number is accepted into a `text` column. @default true */
  readonly textAcceptsNumbers?: boolean
  /** Include `By RowIdentifier` and `By SID` in write summaries (§1.4: both forms exist). @default true */
  readonly includeByCounts?: boolean
  /** 413 for a write with more rows than this. @default unlimited */
  readonly maxRowsPerRequest?: number
  /** 413 for a request body larger than this many bytes. @default unlimited */
  readonly maxBodyBytes?: number
  /** Seed for shuffling query results that have no `$order` (§1.9 #10); `null` keeps insertion order. @default null */
  readonly shuffleSeed?: number | null
  /** Clock for `:created_at` / `:updated_at`. @default () => new Date() */
  readonly now?: () => Date
}

/** One request the emulator received. */
export interface RecordedRequest {
  readonly method: string
  /** Path without the query string. */
  readonly path: string
  readonly query: URLSearchParams
  /** Request headers (Node lower-cases the names). */
  readonly headers: IncomingHttpHeaders
  /** Raw body text. */
  readonly body: string
  /** Parsed JSON body, `undefined` when empty or not JSON. */
  readonly json: unknown
  /** Basic-auth user name sent, or null. */
  readonly user: string | null
  /** App token sent (header or `$$app_token`), or null. */
  readonly appToken: string | null
  /** Status answered; `null` when the connection was dropped. */
  status: number | null
  /** `answered` normally; otherwise which fault applied. */
  outcome: 'answered' | Fault['kind']
}

/** A running Socrata SODA emulator. */
export interface SocrataEmulator {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** `127.0.0.1:<port>` (what a driver takes as its Socrata host). */
  readonly host: string
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[]
  /** Basic-auth users, name → password (mutable). */
  readonly users: Map<string, string>
  /** Answer 429 to requests without an app token (mutable). */
  requireAppToken: boolean
  /** Adds an empty dataset (id in 4x4 form). */
  createDataset(id: string, spec: DatasetSpec): void
  /** Copies of the stored rows: user fields in wire form plus `:id`, `:created_at`, `:updated_at`. */
  rows(id: string): Record<string, unknown>[]
  /** Answers the next `n` (matching) requests with a canned response without touching any data. */
  failNext(n: number, response: CannedResponse): void
  /** Applies the next `n` (matching) requests, then answers `status` instead of the real result. */
  applyThenFail(n: number, status: number, options?: { method?: string }): void
  /** Drops the connection of the next `n` (matching) requests, before or after applying them. */
  dropConnection(n: number, options?: { afterApply?: boolean; method?: string }): void
  close(): Promise<void>
}

/** Starts a strict Socrata SODA 2.1 emulator on 127.0.0.1 (random port), following external-apis.md §1 and §5. */
export async function startSocrataEmulator(options: SocrataEmulatorOptions = {}): Promise<SocrataEmulator> {
  const datasets = new Map<string, EmulatedDataset>()
  const faults = createFaultQueue()
  const requests: RecordedRequest[] = []
  const random = options.shuffleSeed == null ? null : createPrng(options.shuffleSeed)
  const settings = {
    typeErrors: options.typeErrors ?? 'request',
    textAcceptsNumbers: options.textAcceptsNumbers ?? true,
    now: options.now ?? (() => new Date()),
    shuffle: random,
  }
  const includeByCounts = options.includeByCounts ?? true
  let served = 0

  function throttled(): Reply {
    const headers =
      options.retryAfterSeconds == null ? undefined : { 'Retry-After': String(options.retryAfterSeconds) }
    return json(
      429,
      { error: true, message: 'Too Many Requests: throttled; send an application token' },
      headers,
    )
  }

  function route(entry: RecordedRequest): Reply {
    const method = entry.method
    const views = VIEWS.exec(entry.path)
    const resource = RESOURCE.exec(entry.path)
    if (!views && !resource) return notFound(`No route for ${entry.path}`)
    served++
    if (
      (handle.requireAppToken && !entry.appToken) ||
      (options.throttleEvery && served % options.throttleEvery === 0)
    )
      return throttled()
    const credentials = basicUser(entry.headers.authorization)
    if (
      credentials === 'invalid' ||
      (credentials && handle.users.get(credentials.user) !== credentials.password)
    )
      return json(401, { error: true, message: 'Invalid username or password' })
    const id = (views?.[1] ?? resource?.[1]) as string
    const dataset = datasets.get(id)
    if (views) {
      if (method !== 'GET')
        return json(405, { error: true, message: `${method} on /api/views is not allowed` })
      if (!dataset) return notFound(`Cannot find view with id ${id}`)
      const columns = dataset.spec.columns.map((c) => ({
        fieldName: c.fieldName,
        dataTypeName: metadataTypeName(c.dataType),
      }))
      return json(200, { id, columns, rowIdentifierFieldName: dataset.spec.rowIdentifier ?? null })
    }
    const isWrite = method !== 'GET'
    if (!credentials && (isWrite || dataset?.spec.private)) return json(403, NOT_LOGGED_IN)
    if (!dataset) return notFound(`Cannot find view with id ${id}`)
    const rowId = resource?.[2] === undefined ? undefined : decodeURIComponent(resource[2])
    if (rowId !== undefined) {
      if (method === 'GET') {
        const row = dataset.getRow(rowId)
        return row ? json(200, row) : notFound(`Cannot find row ${rowId} in ${id}`)
      }
      if (method === 'DELETE') {
        const sid = dataset.deleteRow(rowId)
        return sid ? json(200, [{ typ: 'delete', id: sid }]) : notFound(`Cannot find row ${rowId} in ${id}`)
      }
      return json(405, { error: true, message: `${method} is not allowed on a single row` })
    }
    if (method === 'GET') {
      try {
        const result = dataset.query(entry.query)
        return json(200, result.rows, {
          'X-SODA2-Fields': JSON.stringify(result.fields),
          'X-SODA2-Types': JSON.stringify(result.types),
        })
      } catch (error) {
        if (error instanceof SoqlError) return soqlReply(error, id, entry.query.toString())
        throw error
      }
    }
    if (method === 'DELETE')
      return json(
        200,
        summaryBody(
          { created: 0, updated: 0, deleted: dataset.truncate(), errors: 0, byRowIdentifier: 0, bySid: 0 },
          includeByCounts,
        ),
      )
    if (method !== 'POST' && method !== 'PUT')
      return json(405, { error: true, message: `${method} is not allowed` })
    if (!Array.isArray(entry.json))
      return json(400, {
        code: 'invalid_request',
        error: true,
        message: 'The request body must be a JSON array of row objects',
      })
    if (options.maxRowsPerRequest !== undefined && entry.json.length > options.maxRowsPerRequest)
      return json(413, { error: true, message: 'Request Entity Too Large' })
    try {
      const summary = method === 'POST' ? dataset.upsert(entry.json) : dataset.replace(entry.json)
      return json(200, summaryBody(summary, includeByCounts))
    } catch (error) {
      if (error instanceof RequestRefused) return json(error.status, error.body)
      throw error
    }
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const body = raw.toString('utf8')
    let parsed: unknown
    try {
      parsed = body ? JSON.parse(body) : undefined
    } catch {
      parsed = undefined
    }
    const credentials = basicUser(req.headers.authorization)
    const header = req.headers['x-app-token']
    const entry: RecordedRequest = {
      method: req.method ?? 'GET',
      path: decodeURI(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      body,
      json: parsed,
      user: credentials && credentials !== 'invalid' ? credentials.user : null,
      appToken: (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('$$app_token'),
      status: null,
      outcome: 'answered',
    }
    requests.push(entry)
    const requestId = `emu${requests.length.toString(16).padStart(8, '0')}`
    const fault = faults.take(entry.method)
    if (fault) entry.outcome = fault.kind
    if (fault?.kind === 'drop') return void res.socket?.destroy()
    if (fault?.response.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.response.delayMs))
    if (fault?.kind === 'fail') {
      const { status, headers, body: canned } = fault.response
      entry.status = status
      return send(
        res,
        {
          status,
          body: canned ?? { error: true, message: `${status} ${STATUS_CODES[status] ?? ''}`.trim() },
          ...(headers ? { headers: { ...headers } } : {}),
        },
        requestId,
      )
    }
    let reply: Reply
    if (options.maxBodyBytes !== undefined && raw.length > options.maxBodyBytes)
      reply = json(413, { error: true, message: 'Request Entity Too Large' })
    else if (body && parsed === undefined && entry.method !== 'GET')
      reply = json(400, {
        code: 'invalid_request',
        error: true,
        message: 'Could not parse the JSON request body',
      })
    else reply = route(entry)
    if (fault?.kind === 'apply-then-drop') return void res.socket?.destroy()
    if (fault?.kind === 'apply-then-fail')
      reply = json(fault.response.status, {
        code: 'internal_error',
        error: true,
        message: STATUS_CODES[fault.response.status] ?? 'Server error',
      })
    entry.status = reply.status
    send(res, reply, requestId)
  }

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, json(500, { code: 'internal_error', error: true, message: String(error) }), 'emu-error')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  const handle: SocrataEmulator = {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    users: new Map(Object.entries(options.users ?? { publisher: 'publisher-secret' })),
    requireAppToken: options.requireAppToken ?? false,
    createDataset(id, spec) {
      if (!DATASET_ID.test(id)) throw new Error(`dataset id must look like abcd-1234, got ${id}`)
      datasets.set(id, newDataset(id, spec, settings))
    },
    rows(id) {
      const dataset = datasets.get(id)
      if (!dataset) throw new Error(`no dataset ${id}`)
      return dataset.rows()
    },
    failNext: (n, response) => faults.add('fail', n, response),
    applyThenFail: (n, status, extra = {}) => faults.add('apply-then-fail', n, { status, ...extra }),
    dropConnection: (n, extra = {}) =>
      faults.add(extra.afterApply ? 'apply-then-drop' : 'drop', n, {
        status: 0,
        ...(extra.method ? { method: extra.method } : {}),
      }),
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return handle
}
