import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the proxy did with one request. */
export interface ProxiedRequest {
  readonly method: string
  /** Path and query string as received. */
  readonly url: string
  /** `forwarded`: passed through; `injected`: answered without forwarding; `applied-then-failed`: forwarded, then answered with an error. */
  readonly outcome: 'forwarded' | 'injected' | 'applied-then-failed'
  /** Status sent back to the client. */
  readonly status: number
  /** Status the target answered (when forwarded). */
  readonly targetStatus: number | null
}

/** A fault-injecting HTTP proxy in front of a real server (127.0.0.1, random port). */
export interface FaultProxy {
  /** Base URL of the proxy. */
  readonly url: string
  /** Answers the next `n` requests with `status` and `body` (default: a PostgREST-style JSON error) without forwarding them. */
  failNext(n: number, status: number, body?: string): void
  /** Forwards the next `n` requests (so writes are applied) and then answers `status` instead of the real response. */
  failAfterForwarding(n: number, status: number): void
  /** Every request seen, in arrival order. */
  readonly requests: ProxiedRequest[]
  /** Stops listening and drops open connections; later requests fail to connect. */
  close(): Promise<void>
}

interface Fault {
  kind: 'before' | 'after'
  remaining: number
  status: number
  body: string | undefined
}

const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length'])

function errorBody(status: number): string {
  return JSON.stringify({ code: 'PGRST000', message: `injected fault ${status}`, details: null, hint: null })
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function forward(
  target: URL,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HOP_HEADERS.has(name) && typeof value === 'string') headers[name] = value
  }
  headers['content-length'] = String(body.length)
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (res) => {
        readBody(res).then((data) => {
          const out: Record<string, string> = {}
          for (const [name, value] of Object.entries(res.headers)) {
            if (!HOP_HEADERS.has(name) && typeof value === 'string') out[name] = value
          }
          resolve({ status: res.statusCode ?? 502, headers: out, body: data })
        }, reject)
      },
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | string,
): void {
  const data = typeof body === 'string' ? Buffer.from(body) : body
  res.writeHead(status, { ...headers, 'content-length': String(data.length) })
  res.end(data)
}

/** Starts a {@link FaultProxy} forwarding to `targetUrl`. */
export async function createFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl)
  const faults: Fault[] = []
  const requests: ProxiedRequest[] = []
  const json = { 'content-type': 'application/json; charset=utf-8' }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req)
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const fault = faults[0]
    if (fault) {
      fault.remaining--
      if (fault.remaining <= 0) faults.shift()
    }
    if (fault?.kind === 'before') {
      requests.push({ method, url, outcome: 'injected', status: fault.status, targetStatus: null })
      send(res, fault.status, json, fault.body ?? errorBody(fault.status))
      return
    }
    const answer = await forward(target, req, body)
    if (fault?.kind === 'after') {
      requests.push({
        method,
        url,
        outcome: 'applied-then-failed',
        status: fault.status,
        targetStatus: answer.status,
      })
      send(res, fault.status, json, errorBody(fault.status))
      return
    }
    requests.push({ method, url, outcome: 'forwarded', status: answer.status, targetStatus: answer.status })
    send(res, answer.status, answer.headers, answer.body)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 502, json, JSON.stringify({ message: `proxy error: ${String(error)}` }))
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(n, status, body) {
      if (n > 0) faults.push({ kind: 'before', remaining: n, status, body })
    },
    failAfterForwarding(n, status) {
      if (n > 0) faults.push({ kind: 'after', remaining: n, status, body: undefined })
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}

/** One request seen by {@link recordingFetch}. */
export interface RecordedCall {
  readonly method: string
  readonly url: URL
  readonly headers: Headers
  readonly body: string | null
}

/** A real `fetch` that records every request it sends (for asserting the exact wire requests). */
export function recordingFetch(): { fetch: typeof fetch; calls: RecordedCall[] } {
  const calls: RecordedCall[] = []
  const wrapped: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const body = typeof init?.body === 'string' ? init.body : null
    calls.push({ method: init?.method ?? 'GET', url, headers: new Headers(init?.headers), body })
    return fetch(input, init)
  }
  return { fetch: wrapped, calls }
}
