import { expect } from 'chai'
import { withRetry } from '../../src/util/retry.js'

class Transient extends Error {}

describe('withRetry', () => {
  it('retries transient errors with backoff and returns the eventual result', async () => {
    const seen: number[] = []
    let calls = 0
    const result = await withRetry(
      async () => {
        calls += 1
        if (calls < 3) throw new Transient(`fail ${calls}`)
        return 'ok'
      },
      {
        isTransient: (e) => e instanceof Transient,
        minDelayMs: 1,
        maxDelayMs: 5,
        onRetry: (i) => seen.push(i.attempt),
      },
    )
    expect(result).to.equal('ok')
    expect(calls).to.equal(3)
    expect(seen).to.deep.equal([1, 2])
  })

  it('fails at once, with the original error, on a permanent error', async () => {
    let calls = 0
    const permanent = new Error('401 unauthorized')
    const error = await withRetry(
      async () => {
        calls += 1
        throw permanent
      },
      { isTransient: (e) => e instanceof Transient, minDelayMs: 1 },
    ).catch((e: unknown) => e)
    expect(calls).to.equal(1)
    expect(error).to.equal(permanent)
  })

  it('gives up after the retry budget with the last transient error', async () => {
    let calls = 0
    const error = await withRetry(
      async () => {
        calls += 1
        throw new Transient(`fail ${calls}`)
      },
      { retries: 2, isTransient: () => true, minDelayMs: 1, maxDelayMs: 2 },
    ).catch((e: unknown) => e)
    expect(calls).to.equal(3)
    expect((error as Error).message).to.equal('fail 3')
  })

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController()
    let calls = 0
    const pending = withRetry(
      async () => {
        calls += 1
        if (calls === 1) setTimeout(() => controller.abort(new Error('stop')), 5)
        throw new Transient('again')
      },
      { retries: 10, isTransient: () => true, minDelayMs: 50, maxDelayMs: 50, signal: controller.signal },
    )
    const error = await pending.catch((e: unknown) => e)
    expect(error).to.be.instanceOf(Error)
    expect(calls).to.be.lessThan(3)
  })
})
