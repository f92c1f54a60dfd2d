import type { IncomingMessage, ServerResponse } from 'node:http'
import type { WriteSummary } from './dataset.js'
import type { SoqlError } from './soql.js'

/** A dataset id in 4x4 form. */
export const DATASET_ID = /^[a-z0-9]{4}-[a-z0-9]{4}$/
/** `/resource/{id}[/{rowId}][.json]`. */
export const RESOURCE = /^\/resource\/([a-z0-9]{4}-[a-z0-9]{4})(?:\/([^/]+?))?(?:\.json)?$/
/** `/api/views/{id}[.json]` (metadata; whole-dataset delete refused). */
export const VIEWS = /^\/api\/views\/([a-z0-9]{4}-[a-z0-9]{4})(?:\.json)?$/
/** sodapy's fixture body for a 403. */
export const NOT_LOGGED_IN = { message: 'You must be logged in to access this resource', error: true }

/** A response to send. */
export type Reply = { status: number; body: unknown; headers?: Record<string, string> }
/** A JSON reply. */
export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  ...(headers ? { headers } : {}),
})
/** 404 in the generic `{code, error, message}` shape. */
export const notFound = (message: string): Reply => json(404, { code: 'not_found', error: true, message })

/** Reads a whole request body. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Decodes `Authorization: Basic …`: null when absent, `invalid` when not Basic or not `user:password`. */
export function basicUser(header: string | undefined): { user: string; password: string } | null | 'invalid' {
  if (!header) return null
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim())
  if (!m) return 'invalid'
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? 'invalid' : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** The upsert/replace summary in Socrata's capitalised form. */
export function summaryBody(s: WriteSummary, byCounts: boolean): Record<string, number> {
  const body: Record<string, number> = {
    'Rows Created': s.created,
    'Rows Updated': s.updated,
    'Rows Deleted': s.deleted,
    Errors: s.errors,
  }
  if (byCounts) Object.assign(body, { 'By RowIdentifier': s.byRowIdentifier, 'By SID': s.bySid })
  return body
}

/** A SoQL refusal in the §1.7 shape of its kind (`code` for malformed, `errorCode` otherwise). */
export function soqlReply(error: SoqlError, id: string, query: string): Reply {
  if (error.kind === 'malformed')
    return json(400, {
      code: 'query.compiler.malformed',
      error: true,
      message: error.message,
      data: { query },
    })
  return json(400, {
    message: error.message,
    errorCode: `query.soql.${error.kind}`,
    data: { dataset: id, ...(error.column ? { column: error.column } : {}) },
  })
}

/** Writes a reply with the JSON content type and a request id. */
export function send(res: ServerResponse, reply: Reply, requestId: string): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'X-Socrata-RequestId': requestId,
    ...reply.headers,
  })
  res.end(text)
}
