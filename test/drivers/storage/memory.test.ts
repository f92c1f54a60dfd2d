import { Readable } from 'node:stream'
import { expect } from 'chai'
import { createMemoryStorage } from '../../../src/drivers/storage/memory.js'
import { describeStorageContract, readAll } from '../../contract/storage.contract.js'

describeStorageContract('memory', async () => ({ driver: createMemoryStorage() }))

describe('memory storage driver', () => {
  it('stamps objects with the injected clock and hands out copies of the date', async () => {
    const times = [new Date('2019-06-02T05:00:00Z'), new Date('2019-06-03T05:00:00Z')]
    let call = 0
    const driver = createMemoryStorage({ now: () => times[call++] ?? new Date(0) })
    await driver.put('a.txt', Buffer.from('1'))
    const info = await driver.head('a.txt')
    expect(info?.modified.toISOString()).to.equal('2019-06-02T05:00:00.000Z')
    info?.modified.setTime(0)
    expect((await driver.head('a.txt'))?.modified.toISOString()).to.equal('2019-06-02T05:00:00.000Z')
    await driver.put('a.txt', Buffer.from('2'))
    for await (const listed of driver.list('')) {
      expect(listed.modified.toISOString()).to.equal('2019-06-03T05:00:00.000Z')
    }
  })

  it('keeps instances apart and does not share stored buffers with readers', async () => {
    const one = createMemoryStorage()
    const two = createMemoryStorage()
    await one.put('k', Buffer.from('abc'))
    expect(await two.get('k')).to.equal(null)
    const first = await one.get('k')
    expect(first).to.be.instanceOf(Readable)
    ;(await readAll(first as Readable)).fill(0)
    expect((await readAll((await one.get('k')) as Readable)).toString()).to.equal('abc')
  })
})
