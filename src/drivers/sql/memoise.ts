/**
 * Wraps an async initialiser so that it runs at most once at a time and its result is shared; when it
 * rejects, the memo is cleared so that the next call tries again.
 */
export function memoiseAsync<T>(init: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined
  return () => {
    pending ??= init().catch((error: unknown) => {
      pending = undefined
      throw error
    })
    return pending
  }
}
