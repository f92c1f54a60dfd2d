import { createServer, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** A streaming HTTP proxy that adds a fixed delay to every request (simulating a remote server). */
export interface LatencyProxy {
  /** Base URL of the proxy (`http://127.0.0.1:<port>`). */
  readonly url: string
  /** Requests forwarded so far. */
  readonly count: () => number
  close(): Promise<void>
}

/**
 * Starts a {@link LatencyProxy} forwarding to `targetUrl`; each request waits `delayMs` before it is forwarded.
 * Headers (the `Host` included, so that signed S3 requests stay valid) and bodies pass through unchanged.
 */
export async function createLatencyProxy(targetUrl: string, delayMs: number): Promise<LatencyProxy> {
  const target = new URL(targetUrl)
  let forwarded = 0
  const server = createServer((req, res) => {
    forwarded += 1
    req.pause()
    sleep(delayMs).then(() => {
      const outgoing = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        },
      )
      outgoing.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end()
        else res.destroy()
      })
      req.pipe(outgoing)
      req.resume()
    }, res.destroy.bind(res))
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
