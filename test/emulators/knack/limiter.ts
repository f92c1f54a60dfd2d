/**
 * Knack's request limits as a state machine (spec external-apis §2.6): 10 requests per second and a daily plan
 * quota, both answered with 429 and the documented `X-RateLimit-*` / `X-PlanLimit-*` headers. Requests refused
 * within a second do not count ("ignored"); the daily quota stays exhausted until {@link RateLimiter.resetDaily}.
 */

/** Limiter settings; change them at run time through the emulator handle. */
export interface RateLimitSettings {
  /** Whether any limit applies. @default true */
  enabled: boolean
  /** Requests allowed per second. @default 10 */
  perSecond: number
  /** `fixed`: epoch-aligned one-second buckets; `sliding`: any 1000 ms span. @default 'fixed' */
  window: 'fixed' | 'sliding'
  /** Requests allowed per day (the plan quota; Corporate = 10,000). @default 10000 */
  daily: number
}

/** What the limiter decided for one request. */
export interface LimitDecision {
  /** `null` when allowed, else which limit refused it. */
  readonly refused: 'second' | 'daily' | null
  /** The `X-RateLimit-*` and `X-PlanLimit-*` headers for the response. */
  readonly headers: Record<string, string>
}

/** The limiter state. */
export interface RateLimiter {
  readonly settings: RateLimitSettings
  /** Decides for one request arriving now; `countsDaily` is false for calls outside the quota. */
  check(countsDaily: boolean): LimitDecision
  /** The headers a refusal would carry now, without counting a request. */
  peek(): Record<string, string>
  /** Starts a new day: the daily quota is full again. */
  resetDaily(): void
  /** Requests counted against the daily quota so far. */
  readonly dailyUsed: number
}

/** Default limiter settings (Knack's documented limits, Corporate plan). */
export const DEFAULT_RATE_LIMIT: Readonly<RateLimitSettings> = {
  enabled: true,
  perSecond: 10,
  window: 'fixed',
  daily: 10000,
}

/** Creates a limiter reading time from `now` (ms since the epoch). */
export function createRateLimiter(initial: Partial<RateLimitSettings>, now: () => number): RateLimiter {
  const settings: RateLimitSettings = { ...DEFAULT_RATE_LIMIT, ...initial }
  let bucket = -1
  let bucketCount = 0
  let recent: number[] = []
  let dailyUsed = 0

  function windowState(at: number): { used: number; resetSec: number } {
    if (settings.window === 'fixed') {
      const current = Math.floor(at / 1000)
      if (current !== bucket) {
        bucket = current
        bucketCount = 0
      }
      return { used: bucketCount, resetSec: current + 1 }
    }
    recent = recent.filter((t) => t > at - 1000)
    const oldest = recent[0] ?? at
    return { used: recent.length, resetSec: Math.ceil((oldest + 1000) / 1000) }
  }

  function headers(used: number, resetSec: number, at: number): Record<string, string> {
    const nextMidnight = (Math.floor(at / 86400000) + 1) * 86400000
    return {
      'X-PlanLimit-Limit': String(settings.daily),
      'X-PlanLimit-Remaining': String(Math.max(0, settings.daily - dailyUsed)),
      'X-PlanLimit-Reset': String(nextMidnight - at),
      'X-RateLimit-Limit': String(settings.perSecond),
      'X-RateLimit-Remaining': String(Math.max(0, settings.perSecond - used)),
      'X-RateLimit-Reset': String(resetSec),
    }
  }

  return {
    settings,
    get dailyUsed() {
      return dailyUsed
    },
    resetDaily() {
      dailyUsed = 0
    },
    peek() {
      const at = now()
      const state = windowState(at)
      return headers(state.used, state.resetSec, at)
    },
    check(countsDaily) {
      const at = now()
      const state = windowState(at)
      if (!settings.enabled) return { refused: null, headers: {} }
      if (countsDaily && dailyUsed >= settings.daily) {
        return { refused: 'daily', headers: headers(state.used, state.resetSec, at) }
      }
      if (state.used >= settings.perSecond) {
        return { refused: 'second', headers: headers(state.used, state.resetSec, at) }
      }
      if (settings.window === 'fixed') bucketCount += 1
      else recent.push(at)
      if (countsDaily) dailyUsed += 1
      return { refused: null, headers: headers(state.used + 1, state.resetSec, at) }
    },
  }
}
