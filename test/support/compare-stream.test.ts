import { expect } from 'chai'
import { DateTime } from 'luxon'
import { compareItems, sameDayCutoff } from '../../src/support/compare.js'
import { EtlError } from '../../src/support/errors.js'
import type { ItemProvider, WorkItem } from '../../src/support/items.js'
import {
  arrayProvider,
  collect,
  d,
  item,
  opts,
  prng,
  randomScenario,
  referenceCompare,
  show,
} from './compare-fixtures.js'

const daily = (from: string, count: number) =>
  Array.from({ length: count }, (_, i) => item('A', 'csv', d(from).plus({ days: i }).toISODate() as string))

describe('compareItems: ordering, laziness, equivalence with the original, streaming', () => {
  it('rejects a source listing that goes backwards, naming the item', async () => {
    const source = arrayProvider([
      item('A', 'csv', '2019-06-02', null, 'a2'),
      item('A', 'csv', '2019-06-01', null, 'a1'),
    ])
    const err = await collect(compareItems(source, null, opts({}))).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(EtlError)
    expect((err as EtlError).code).to.equal('E_INPUT')
    expect((err as EtlError).message).to.match(/Source listing .*a1/)
  })

  it('rejects a target listing that goes backwards, naming the item', async () => {
    const source = arrayProvider([item('A', 'csv', '2019-06-05')])
    const target = arrayProvider([
      item('B', 'csv', '2019-06-02', null, 't2'),
      item('A', 'csv', '2019-06-01', null, 't1'),
    ])
    const err = await collect(compareItems(source, target, opts({}))).catch((e: unknown) => e)
    expect((err as EtlError).code).to.equal('E_INPUT')
    expect((err as EtlError).message).to.match(/Target listing .*t1/)
  })

  it('does not pull the target when there are no source items', async () => {
    let pulled = 0
    const target: ItemProvider = {
      async *list() {
        pulled += 1
        yield item('A', 'csv', '2019-06-01')
      },
    }
    expect(await collect(compareItems(arrayProvider([]), target, opts({})))).to.deep.equal([])
    expect(pulled).to.equal(0)
  })

  it('stops with the abort reason when the signal fires', async () => {
    const controller = new AbortController()
    const source = arrayProvider(daily('2019-06-01', 5))
    const seen: string[] = []
    const err = await (async () => {
      for await (const w of compareItems(source, null, opts({ signal: controller.signal }))) {
        seen.push(show(w))
        controller.abort(new Error('stop'))
      }
    })().catch((e: unknown) => e)
    expect((err as Error).message).to.equal('stop')
    expect(seen).to.have.length(1)
  })

  it('sameDayCutoff is the local midnight of now, also on DST days', () => {
    const now = DateTime.fromISO('2019-06-05T15:30:00Z')
    expect(sameDayCutoff(now).toISO()).to.equal('2019-06-05T00:00:00.000-05:00')
    const fallBack = DateTime.fromISO('2019-11-03T20:00:00Z')
    expect(sameDayCutoff(fallBack).toISO()).to.equal('2019-11-03T00:00:00.000-05:00')
  })

  it('matches the materialised original on 400 random scenarios', async () => {
    const rand = prng(20190601)
    const full = (w: WorkItem) => `${show(w)}|${w.label}|${w.provItem.dateEnd?.toISO() ?? '-'}`
    let nonEmpty = 0
    for (let n = 0; n < 400; n += 1) {
      const { source, target, options } = randomScenario(rand)
      const withTarget = rand() < 0.9
      const forced: string[] = []
      const got = await collect(
        compareItems(arrayProvider(source), withTarget ? arrayProvider(target) : null, {
          ...options,
          onForce: (m) => forced.push(m),
        }),
      )
      const ref = await referenceCompare(
        arrayProvider(source),
        withTarget ? arrayProvider(target) : null,
        options,
      )
      const context = `scenario ${n}: ${JSON.stringify({ options, source, target })}`
      expect(got.map(full), context).to.deep.equal(ref.items.map(full))
      expect(forced, context).to.deep.equal(ref.forced)
      if (got.length > 0 && got.length < source.length) nonEmpty += 1
    }
    expect(nonEmpty).to.be.greaterThan(50)
  })

  it('streams: the target is pulled only about one day ahead of the source (200,000 targets)', async () => {
    const days = Array.from({ length: 400 }, (_, i) => d('2018-01-01').plus({ days: i }))
    const perDay = 500
    let pulled = 0
    let maxAhead = 0
    const target: ItemProvider = {
      async *list() {
        for (const day of days) {
          for (let k = 0; k < perDay; k += 1) {
            pulled += 1
            yield { base: `t${k}`, ext: 'json', date: day, dateEnd: null, payload: null, label: '' }
          }
        }
      },
    }
    const source: ItemProvider = {
      async *list() {
        for (const [i, day] of days.slice(0, 300).entries()) {
          yield {
            base: i % 2 === 0 ? 't250' : 'S',
            ext: 'json',
            date: day,
            dateEnd: null,
            payload: null,
            label: '',
          }
          maxAhead = Math.max(maxAhead, pulled - perDay * i)
        }
      },
    }
    const got = await collect(compareItems(source, target, opts({})))
    expect(got).to.have.length(150)
    expect(maxAhead).to.be.greaterThan(perDay).and.lessThan(1000)
    expect(pulled).to.be.at.most(300 * perDay + 1)
  })
})
