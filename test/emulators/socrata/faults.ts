/** What a scripted fault does to one request (external-apis.md §5, "fault injection API"). */
export type FaultKind = 'fail' | 'apply-then-fail' | 'drop' | 'apply-then-drop'

/** A canned answer for {@link FaultQueue.failNext}. */
export interface CannedResponse {
  readonly status: number
  /** Extra response headers (e.g. `{ 'Retry-After': '1' }`). */
  readonly headers?: Readonly<Record<string, string>>
  /** Response body: an object is sent as JSON; a string as is. @default `{"error":true,"message":"<status> …"}` */
  readonly body?: string | object
  /** Wait this long before answering (e.g. to exceed a client timeout). @default 0 */
  readonly delayMs?: number
  /** Only requests with this method consume the fault. @default any method */
  readonly method?: string
}

/** One scripted fault with its remaining count. */
export interface Fault {
  readonly kind: FaultKind
  remaining: number
  readonly response: CannedResponse
}

/** Scripted faults, consumed in the order they were added, each by the next matching requests. */
export interface FaultQueue {
  add(kind: FaultKind, n: number, response: CannedResponse): void
  /** Takes one use of the first fault matching `method`, or `null`. */
  take(method: string): Fault | null
}

/** Creates an empty fault queue. */
export function createFaultQueue(): FaultQueue {
  const faults: Fault[] = []
  return {
    add(kind, n, response) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`fault count must be a positive integer, got ${n}`)
      faults.push({ kind, remaining: n, response })
    },
    take(method) {
      const index = faults.findIndex((f) => !f.response.method || f.response.method.toUpperCase() === method)
      const fault = faults[index]
      if (!fault) return null
      fault.remaining--
      if (fault.remaining === 0) faults.splice(index, 1)
      return fault
    },
  }
}
