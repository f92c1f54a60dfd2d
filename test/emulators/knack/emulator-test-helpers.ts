/** Test helpers of the Knack emulator's own tests: raw HTTP calls and seed records. */
import type { KnackEmulator, KnackFieldDef } from './knack-emulator.js'

/** Fields of the test object `object_1`. */
export const FIELDS: KnackFieldDef[] = [
  { key: 'field_1', label: 'NAME' },
  { key: 'field_2', label: 'COUNT', type: 'number' },
  { key: 'field_3', label: 'MODIFIED', type: 'date_time' },
  { key: 'field_4', label: 'KIND', type: 'multiple_choice' },
  { key: 'field_5', label: 'PLACE', type: 'connection' },
  { key: 'field_6', label: 'ACTIVE', type: 'boolean' },
]

/** Which credentials a request carries. */
export type Auth = 'object' | 'view' | 'none'

/** One request to the emulator with fetch; the body is parsed as JSON when it is JSON. */
export async function call(
  emu: KnackEmulator,
  path: string,
  init: { method?: string; auth?: Auth; body?: unknown; headers?: Record<string, string> } = {},
) {
  const auth = init.auth ?? 'object'
  const headers: Record<string, string> = { ...init.headers }
  if (auth !== 'none') {
    headers['X-Knack-Application-Id'] = emu.appId
    headers['X-Knack-REST-API-KEY'] = auth === 'object' ? emu.apiKey : 'knack'
  }
  if (init.body !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/json'
  const response = await fetch(`${emu.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {}
  return { status: response.status, headers: response.headers, body: body as Record<string, unknown> }
}

/** `n` records `r1…rn` with `field_2` = 1…n. */
export const records = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ field_1: `r${i + 1}`, field_2: i + 1 }))
/** `field_1` of each record of a listing. */
export const names = (body: Record<string, unknown>) =>
  (body.records as Record<string, unknown>[]).map((r) => r.field_1)
