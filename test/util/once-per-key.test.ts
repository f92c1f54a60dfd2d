import { expect } from 'chai'
import { OncePerKey } from '../../src/util/once-per-key.js'

describe('OncePerKey', () => {
  it('shares one run between concurrent callers of a key, and keeps keys apart', async () => {
    const once = new OncePerKey()
    const calls: string[] = []
    const action = (key: string) => async () => {
      calls.push(key)
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    await Promise.all([once.run('a', action('a')), once.run('a', action('a')), once.run('b', action('b'))])
    await once.run('a', action('a'))
    expect(calls).to.deep.equal(['a', 'b'])
  })

  it('forgets a failed run so the next caller tries again; clear() forgets everything', async () => {
    const once = new OncePerKey()
    let attempts = 0
    const flaky = async () => {
      attempts += 1
      if (attempts === 1) throw new Error('first fails')
    }
    const first = await once.run('k', flaky).catch((e: Error) => e.message)
    expect(first).to.equal('first fails')
    await once.run('k', flaky)
    await once.run('k', flaky)
    expect(attempts).to.equal(2)
    once.clear()
    await once.run('k', flaky)
    expect(attempts).to.equal(3)
  })
})
