/**
 * Runs an async action at most once per key while it succeeds: concurrent callers of the same key share one
 * run, later callers get its settled promise, and a failed run is forgotten so that the next caller tries again.
 * For "write this shared file once per run" steps of apps whose items run concurrently.
 */
export class OncePerKey {
  readonly #runs = new Map<string, Promise<void>>()

  /** Runs `action` unless a run for `key` is in flight or has succeeded; resolves when that run has. */
  run(key: string, action: () => Promise<void>): Promise<void> {
    const known = this.#runs.get(key)
    if (known) return known
    const run = action()
    this.#runs.set(key, run)
    run.catch(() => {
      if (this.#runs.get(key) === run) this.#runs.delete(key)
    })
    return run
  }

  /** Forgets every run (a new app run starts). */
  clear(): void {
    this.#runs.clear()
  }
}
