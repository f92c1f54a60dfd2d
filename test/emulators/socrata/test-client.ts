import type { SocrataEmulator } from './index.js'

/** Default emulator user and password. */
export const USER = 'publisher'
/** Password of {@link USER}. */
export const PASSWORD = 'publisher-secret'

/** `Authorization` header value for HTTP Basic. */
export function basic(user = USER, password = PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

/** Options of {@link call}. */
export interface CallOptions {
  /** JSON body (serialised). */
  readonly body?: unknown
  /** Raw body text (wins over `body`). */
  readonly raw?: string
  /** `Authorization` value; `null` sends none. @default Basic of the default user */
  readonly auth?: string | null
  /** Extra headers. */
  readonly headers?: Readonly<Record<string, string>>
}

/** A parsed emulator answer. */
export interface CallResult {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** Parsed JSON body (`undefined` when not JSON). */
  readonly body: unknown
}

/** Sends one request to the emulator with `fetch`. */
export async function call(
  emulator: SocrataEmulator,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers }
  const auth = options.auth === undefined ? basic() : options.auth
  if (auth !== null) headers.Authorization = auth
  const raw = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  if (raw !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['Content-Type'] = 'application/json'
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    ...(raw === undefined ? {} : { body: raw }),
  })
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  return { status: response.status, headers: response.headers, text, body }
}
