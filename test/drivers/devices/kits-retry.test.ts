import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import {
  createKitsIntersections,
  createKitsTables,
  writeKitsDay,
} from '../../../src/drivers/devices/kits/generator.js'
import { createKitsSource } from '../../../src/drivers/devices/kits/kits-source.js'
import { createPgKitsClient } from '../../../src/drivers/devices/kits/pg-adapter.js'
import type { KitsSqlClient } from '../../../src/drivers/devices/kits/types.js'
import { createPgliteClient } from '../../../src/drivers/sql/sql-client.js'
import { isTransientSqlError } from '../../../src/drivers/sql/transient-sql-error.js'
import { parseTimestamp } from '../../../src/util/dates.js'
import { createLogSink } from '../../helpers/log-sink.js'

const errorWith = (fields: Record<string, unknown>) => Object.assign(new Error('db error'), fields)

describe('isTransientSqlError', () => {
  const cases: [string, unknown, boolean][] = [
    ['socket reset', errorWith({ code: 'ECONNRESET' }), true],
    ['connection refused', errorWith({ code: 'ECONNREFUSED' }), true],
    ['mssql ConnectionError ESOCKET', errorWith({ name: 'ConnectionError', code: 'ESOCKET' }), true],
    ['mssql RequestError ETIMEOUT', errorWith({ name: 'RequestError', code: 'ETIMEOUT' }), true],
    ['SQL Server deadlock victim 1205', errorWith({ number: 1205 }), true],
    [
      'Azure SQL busy 40501 inside originalError',
      errorWith({ originalError: errorWith({ number: 40501 }) }),
      true,
    ],
    ['pg admin shutdown 57P01', errorWith({ code: '57P01' }), true],
    ['pg connection failure 08006', errorWith({ code: '08006' }), true],
    ['pg serialization failure 40001', errorWith({ code: '40001' }), true],
    ['pg deadlock 40P01 as a cause', errorWith({ cause: errorWith({ code: '40P01' }) }), true],
    ['pg undefined table 42P01', errorWith({ code: '42P01' }), false],
    ['pg bad password 28P01', errorWith({ code: '28P01' }), false],
    ['SQL Server invalid object 208', errorWith({ number: 208 }), false],
    ['SQL Server login failed 18456', errorWith({ number: 18456, code: 'ELOGIN' }), false],
    ['a plain Error', new Error('boom'), false],
    ['not an error', 'text', false],
  ]
  for (const [name, error, transient] of cases) {
    it(`${name} → ${transient ? 'transient' : 'permanent'}`, () => {
      expect(isTransientSqlError(error)).to.equal(transient)
    })
  }
})

describe('KITS source retries transient query failures (embedded PostgreSQL)', function () {
  this.timeout(60_000)
  let dataDir = ''
  const day = parseTimestamp('2019-06-01')

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kits-retry-'))
    const client = await createPgliteClient({ dataDir })
    try {
      await createKitsTables(client)
      await writeKitsDay(client, day, { intersections: createKitsIntersections(2, 5), seed: 2 })
    } finally {
      await client.close()
    }
  })
  after(async () => {
    await rm(dataDir, { recursive: true, force: true })
  })

  /** The real adapter, with the first `failures` queries failing with `error` before reaching the database. */
  function flaky(failures: number, error: Error): KitsSqlClient & { calls: number } {
    const real = createPgKitsClient({ client: () => createPgliteClient({ dataDir }), ownsClient: true })
    const wrapper = {
      dialect: real.dialect,
      calls: 0,
      async query(text: string, params: readonly string[]) {
        wrapper.calls += 1
        if (wrapper.calls <= failures) throw error
        return real.query(text, params)
      },
      close: () => real.close(),
    }
    return wrapper
  }

  it('retries a dropped connection with backoff, logs each attempt, and returns the rows', async () => {
    const client = flaky(2, errorWith({ code: 'ECONNRESET' }))
    const sink = createLogSink('warn')
    const kits = createKitsSource({ client, retry: { minDelayMs: 1, maxDelayMs: 5 }, logger: sink.logger })
    try {
      const records = await kits.retrieve(day)
      expect(records.length).to.be.greaterThan(0)
      expect(client.calls).to.equal(3)
      expect(sink.lines.map((l) => l.msg)).to.deep.equal([
        'KITS day query failed (attempt 1); retrying',
        'KITS day query failed (attempt 2); retrying',
      ])
    } finally {
      await kits.close()
    }
  })

  it('gives up after the retry budget with the last error', async () => {
    const client = flaky(10, errorWith({ code: '57P01', message: 'terminating connection' }))
    const kits = createKitsSource({ client, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } })
    try {
      const error = await kits.listDates({ start: null, end: null }).catch((e: unknown) => e)
      expect((error as { code?: string }).code).to.equal('57P01')
      expect(client.calls).to.equal(3)
    } finally {
      await kits.close()
    }
  })

  it('does not retry a permanent error from the real database (missing table)', async () => {
    const client = flaky(0, new Error('unused'))
    const kits = createKitsSource({
      client,
      tables: { history: 'kits.no_such_table' },
      retry: { minDelayMs: 1, maxDelayMs: 2 },
    })
    try {
      const error = await kits.retrieve(day).catch((e: unknown) => e)
      expect(String((error as Error).message)).to.contain('no_such_table')
      expect(client.calls).to.equal(1)
    } finally {
      await kits.close()
    }
  })
})
