import { expect } from 'chai'
import { createMemoryJournal } from '../../src/drivers/journal/memory.js'
import { DriverError, EtlError } from '../../src/support/errors.js'
import type { WorkItem } from '../../src/support/items.js'
import { createJournalObserver } from '../../src/support/journal-observer.js'
import {
  itemKey,
  journalOf,
  redactSecrets,
  sanitizeArgs,
  toJournalError,
} from '../../src/support/run-journal.js'
import { fixedClock, parseTimestamp } from '../../src/util/dates.js'
import { at } from '../contract/catalog-fixtures.js'

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const value of iterable) out.push(value)
  return out
}

describe('run journal helpers', () => {
  const cases: [string, string][] = [
    [
      'connect postgres://admin:hunter2@db:5432/catalog failed',
      'connect postgres://admin:[redacted]@db:5432/catalog failed',
    ],
    ['HTTP 401 with Authorization: Bearer abc.def-ghi', 'HTTP 401 with Authorization: Bearer [redacted]'],
    ['token eyJhbGciOi.eyJyb2xlIjoid3JpdGVyIn0.sig_nature rejected', 'token [redacted] rejected'],
    ['GET /x?api_key=s3cr3t&limit=1', 'GET /x?api_key=[redacted]&limit=1'],
    ['password: "pa ss" and secret=abc', 'password: [redacted] and secret=[redacted]'],
    ['{"password":"x y","user":"u"}', '{"password":[redacted],"user":"u"}'],
    ['plain message', 'plain message'],
  ]
  for (const [input, expected] of cases) {
    it(`redacts ${JSON.stringify(input)}`, () => {
      expect(redactSecrets(input)).to.equal(expected)
    })
  }

  it('keeps message, code and the cause chain (with AggregateError members), never the stack', () => {
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    const middle = new AggregateError(
      [root, new Error('second try: postgres://u:pw@h/db')],
      'all attempts failed',
    )
    const error = new DriverError('E_CATALOG', 'catalog upsert failed', { cause: middle })
    const journal = toJournalError(error)
    expect(journal).to.deep.equal({
      message: 'catalog upsert failed',
      code: 'E_CATALOG',
      causes: [
        'all attempts failed',
        'connect ECONNREFUSED 127.0.0.1:5432',
        'second try: postgres://u:[redacted]@h/db',
      ],
    })
    expect(toJournalError('plain')).to.deep.equal({ message: 'plain', code: null, causes: [] })
    const loop = new EtlError('E_INPUT', 'loop') as Error & { cause?: unknown }
    loop.cause = loop
    expect(toJournalError(loop).causes).to.deep.equal([])
  })

  it('sanitises run arguments: no secrets, no yargs internals, dates as ISO text', () => {
    const args = sanitizeArgs({
      _: ['x'],
      $0: 'catalog-etl',
      sourcedir: '/mnt/awam',
      'api-key': 'k',
      password: 'p',
      start_date: at('2019-06-01'),
      nested: { token: 't', n: 1 },
      fn: () => 1,
      missing: undefined,
    })
    expect(args).to.deep.equal({
      sourcedir: '/mnt/awam',
      start_date: '2019-06-01T00:00:00.000-05:00',
      nested: { n: 1 },
    })
  })

  it('identifies items by base, ext and instant, whatever the zone', () => {
    const a = itemKey({ base: 'b', ext: 'e', date: at('2019-06-01') })
    expect(itemKey({ base: 'b', ext: 'e', date: at('2019-06-01T05:00:00Z') })).to.equal(a)
    expect(itemKey({ base: 'b', ext: 'e2', date: at('2019-06-01') })).to.not.equal(a)
  })

  it('finds the journal of a driver set only when the set offers one', () => {
    const journal = createMemoryJournal()
    expect(journalOf({})).to.equal(null)
    expect(journalOf({ journal: () => journal })).to.equal(journal)
  })
})

describe('createJournalObserver', () => {
  const work = (ext: string): WorkItem => ({
    identifier: { base: 'Austin', ext, date: at('2019-06-01') },
    priorLastUpdate: true,
    provItem: { base: 'Austin', ext, date: at('2019-06-01'), dateEnd: null, payload: null, label: ext },
    label: `/share/${ext}`,
  })

  it('records the run, every item outcome and the end, and classifies quarantined errors', async () => {
    const journal = createMemoryJournal()
    const observer = createJournalObserver(journal, { clock: fixedClock('2019-06-02 03:00:05') })
    await observer.runStarted?.({
      app: 'bt-insert-lake',
      dataSource: 'bt',
      args: {
        lastRunDate: null,
        startDate: at('2019-06-01'),
        endDate: null,
        force: false,
        simulate: false,
        debug: false,
        dryRun: false,
        maxFailures: null,
        lookbackDays: 0,
        reprocessNewer: false,
        concurrency: 1,
        outputPath: null,
      },
      custom: { sourcedir: '/mnt/awam', password: 'x' },
      startedAt: parseTimestamp('2019-06-02 03:00:00'),
    })
    const runId = observer.runId
    expect(runId).to.be.a('string')
    await observer.itemFinished?.(work('a.txt'), { status: 'ok', records: 2, durationMs: 5 })
    await observer.itemFinished?.(work('b.txt'), {
      status: 'failed',
      error: new Error('broken', { cause: new Error('token=abc') }),
      durationMs: 1,
    })
    const quarantine = Object.assign(new Error('garbled zone'), { quarantined: true })
    await observer.itemFinished?.(work('c.txt'), {
      status: 'failed',
      error: new Error('wrapped', { cause: quarantine }),
      durationMs: 1,
    })
    await observer.runFinished?.({
      status: 'partial',
      records: 2,
      items: 3,
      failed: 2,
      finishedAt: at('2019-06-02T03:01'),
    })
    const [run] = await collect(journal.runs())
    expect(run?.runId).to.equal(runId)
    expect(run?.status).to.equal('partial')
    expect(run?.summary).to.deep.equal({ records: 2, items: 3, failed: 2 })
    expect(run?.args).to.include({
      sourcedir: '/mnt/awam',
      force: false,
      start_date: '2019-06-01T00:00:00.000-05:00',
    })
    expect(run?.args).to.not.have.property('password')
    const items = await collect(journal.items())
    expect(
      items.map((i) => `${i.ext} ${i.status} ${i.records} ${i.error?.causes.join('|') ?? ''}`),
    ).to.deep.equal(['a.txt ok 2 ', 'b.txt failed 0 token=[redacted]', 'c.txt quarantined 0 garbled zone'])
    expect(items[0]?.recordedAt.toISO()).to.equal('2019-06-02T03:00:05.000-05:00')
    expect(items[0]?.label).to.equal('/share/a.txt')
  })
})
