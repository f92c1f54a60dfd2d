import pRetry, { AbortError } from 'p-retry'

/** Options of {@link withRetry}. */
export interface RetryOptions {
  /** Retries after the first attempt. @default 4 */
  readonly retries?: number
  /** Delay before the first retry, in ms. @default 200 */
  readonly minDelayMs?: number
  /** Upper bound of any delay, in ms. @default 5000 */
  readonly maxDelayMs?: number
  /** Whether an error is worth another attempt (network errors, 429, 5xx). Others fail at once. */
  readonly isTransient: (error: unknown) => boolean
  /** Called before each retry (for logging the attempt). */
  readonly onRetry?: (info: { attempt: number; retriesLeft: number; error: unknown }) => void
  /** Stops retrying (and waiting) when aborted. */
  readonly signal?: AbortSignal
}

/**
 * Runs `fn` with bounded exponential backoff and full jitter (p-retry), retrying only errors that
 * `isTransient` accepts. The final error is the last one `fn` threw, unchanged.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  return pRetry(
    async (attempt) => {
      try {
        return await fn(attempt)
      } catch (error) {
        if (!options.isTransient(error)) throw new AbortError(error instanceof Error ? error : String(error))
        throw error
      }
    },
    {
      retries: options.retries ?? 4,
      minTimeout: options.minDelayMs ?? 200,
      maxTimeout: options.maxDelayMs ?? 5000,
      factor: 2,
      randomize: true,
      ...(options.signal ? { signal: options.signal } : {}),
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft > 0 && options.isTransient(error)) {
          options.onRetry?.({ attempt: attemptNumber, retriesLeft, error })
        }
      },
    },
  )
}
