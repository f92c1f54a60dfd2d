import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import {
  CATALOG_CONFLICT,
  CATALOG_SELECT,
  createPostgrestCatalog,
  type PostgrestCatalogOptions,
  toPostgrestLike,
} from '../../../src/drivers/postgrest/catalog.js'
import { PostgrestError } from '../../../src/drivers/postgrest/client.js'
import { parseTimestamp } from '../../../src/util/dates.js'
import { describeCatalogContract } from '../../contract/catalog.contract.js'
import { at, collect, manyRows, row } from '../../contract/catalog-fixtures.js'
import {
  createFaultProxy,
  type FaultProxy,
  type RecordedCall,
  recordingFetch,
} from '../../helpers/fault-proxy.js'
import { createLogSink } from '../../helpers/log-sink.js'
import { getTestServices, type TestServices } from '../../services/index.js'
import { signJwt } from '../../services/jwt.js'

use(chaiAsPromised)

const params = (call: RecordedCall | undefined): string[][] => [...(call?.url.searchParams ?? [])]
/** The `or` filter with every quoted timestamp rewritten in UTC (the server answers in its own TimeZone). */
const utcTimes = (filter: string | null | undefined): string =>
  (filter ?? '').replace(
    /"(\d{4}-\d\d-\d\dT[^"]+)"/g,
    (_, t: string) => `"${parseTimestamp(t).toUTC().toISO()}"`,
  )

const all = { repository: 'rawjson', dataSource: 'bt' } as const

describe('PostgREST catalog (real PostgREST 12 on PostgreSQL)', function () {
  this.timeout(120_000)
  let services: TestServices
  before(async () => {
    services = await getTestServices()
  })
  const make = (extra: Partial<PostgrestCatalogOptions> = {}) =>
    createPostgrestCatalog({
      url: services.postgrest.url,
      token: services.postgrest.token(),
      minDelayMs: 5,
      maxDelayMs: 20,
      ...extra,
    })

  describeCatalogContract('postgrest (default page and batch sizes)', async () => {
    const { postgrest } = await getTestServices()
    await postgrest.truncate()
    return { driver: createPostgrestCatalog({ url: postgrest.url, token: postgrest.token() }) }
  })

  describe('postgrest specifics', () => {
    beforeEach(async () => {
      await services.postgrest.truncate()
    })

    it('sends the spec §4.2 select, filters, order and limit', async () => {
      const { fetch, calls } = recordingFetch()
      const driver = make({ fetch })
      await collect(
        driver.query({
          ...all,
          base: { like: 'austin%' },
          ext: 'matched.json',
          early: at('2019-06-01'),
          late: at('2019-06-03'),
          order: 'desc',
          limit: 5,
        }),
      )
      await collect(
        driver.query({ ...all, base: 'a,b', early: at('2019-11-03T01:30:00-06:00'), exact: true }),
      )
      expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).to.deep.equal([
        'GET /data_lake_cat',
        'GET /data_lake_cat',
      ])
      expect(params(calls[0])).to.deep.equal([
        ['select', CATALOG_SELECT],
        ['repository', 'eq.rawjson'],
        ['data_source', 'eq.bt'],
        ['id_base', 'like.austin*'],
        ['id_ext', 'eq.matched.json'],
        ['collection_date', 'gte.2019-06-01 00:00:00-05:00'],
        ['collection_date', 'lt.2019-06-03 00:00:00-05:00'],
        ['order', 'collection_date.desc,id_base.asc,id_ext.asc'],
        ['limit', '5'],
      ])
      expect(calls[0]?.url.search).to.include('collection_date=gte.2019-06-01+00%3A00%3A00-05%3A00')
      expect(params(calls[1])).to.deep.equal([
        ['select', CATALOG_SELECT],
        ['repository', 'eq.rawjson'],
        ['data_source', 'eq.bt'],
        ['id_base', 'eq.a,b'],
        ['collection_date', 'eq.2019-11-03 01:30:00-06:00'],
        ['order', 'collection_date.asc,id_base.asc,id_ext.asc'],
        ['limit', '1000'],
      ])
      const headers = calls[0]?.headers
      expect(headers?.get('authorization')).to.equal(`Bearer ${services.postgrest.token()}`)
      expect(headers?.get('accept-profile')).to.equal('api')
    })

    it('pages with a keyset on (collection_date, id_base, id_ext), never an offset', async () => {
      const driver = make()
      await driver.upsert([
        row({ idBase: 'a' }),
        row({ idBase: 'b' }),
        row({ idBase: 'b', idExt: 'x.json' }),
        row({ date: '2019-06-02', idBase: 'a' }),
        row({ date: '2019-06-02', idBase: 'c' }),
      ])
      const { fetch, calls } = recordingFetch()
      const paged = make({ fetch, pageSize: 2 })
      const found = await collect(paged.query(all))
      expect(found.map((e) => `${e.collectionDate.toISODate()} ${e.idBase} ${e.idExt}`)).to.deep.equal([
        '2019-06-01 a matched.json',
        '2019-06-01 b matched.json',
        '2019-06-01 b x.json',
        '2019-06-02 a matched.json',
        '2019-06-02 c matched.json',
      ])
      expect(calls).to.have.length(3)
      expect(calls.every((c) => !c.url.searchParams.has('offset'))).to.equal(true)
      expect(calls[0]?.url.searchParams.getAll('or')).to.deep.equal([])
      expect(calls[1]?.url.searchParams.getAll('or')).to.have.length(1)
      expect(utcTimes(calls[1]?.url.searchParams.get('or'))).to.equal(
        '(collection_date.gt."2019-06-01T05:00:00.000Z",and(collection_date.eq."2019-06-01T05:00:00.000Z",' +
          'or(id_base.gt."b",and(id_base.eq."b",id_ext.gt."matched.json"))))',
      )
      expect(calls[2]?.url.searchParams.get('limit')).to.equal('2')
      const { fetch: fetch2, calls: calls2 } = recordingFetch()
      await collect(make({ fetch: fetch2, pageSize: 2 }).query({ ...all, order: 'desc' }))
      expect(utcTimes(calls2[1]?.url.searchParams.get('or'))).to.equal(
        '(collection_date.lt."2019-06-02T05:00:00.000Z",and(collection_date.eq."2019-06-02T05:00:00.000Z",' +
          'or(id_base.gt."c",and(id_base.eq."c",id_ext.gt."matched.json"))))',
      )
    })

    it('never asks for more rows per page than the server max (5000), and asks only for what limit needs', async () => {
      for (const [options, query, expected] of [
        [{ pageSize: 20_000 }, {}, '5000'],
        [{ maxRows: 3 }, {}, '3'],
        [{}, { limit: 7 }, '7'],
        [{ pageSize: 2 }, { limit: 7 }, '2'],
        [{}, { base: { like: 'a*' } }, '1000'],
      ] as const) {
        const { fetch, calls } = recordingFetch()
        await collect(make({ fetch, ...options }).query({ ...all, ...query }))
        expect(calls[0]?.url.searchParams.get('limit'), JSON.stringify(options)).to.equal(expected)
      }
      expect(() => make({ pageSize: 0 })).to.throw(RangeError)
    })

    it('keeps awkward identifiers and microsecond timestamps exact across one-row pages', async () => {
      const ids = ['a,b', 'a(b)', 'a"b', 'a\\b', ' a ', 'a*b', 'axb', 'a.b:c', 'a%b', 'a_b', 'é✓😀', 'or(x)']
      const driver = make()
      await driver.upsert(ids.map((idBase) => row({ idBase, idExt: idBase })))
      const client = await services.pg.client()
      try {
        for (const us of ['123456', '123457', '123458']) {
          await client.query(
            `insert into api.data_lake_cat (repository, data_source, id_base, id_ext, pointer, collection_date)
             values ('rawjson', 'bt', 'micro', 'x', $1, $2::timestamptz)`,
            [`p${us}`, `2019-06-01 00:00:00.${us}-05`],
          )
        }
      } finally {
        await client.close()
      }
      for (const order of ['asc', 'desc'] as const) {
        const found = await collect(make({ pageSize: 1 }).query({ ...all, order }))
        expect(found).to.have.length(ids.length + 3)
        expect(new Set(found.map((e) => `${e.pointer}|${e.idBase}`)).size).to.equal(ids.length + 3)
      }
      for (const id of ids) {
        const exact = await collect(driver.query({ ...all, base: id, ext: id }))
        expect(exact.map((e) => e.idBase)).to.deep.equal([id])
      }
      const like = async (pattern: string) =>
        (await collect(driver.query({ ...all, base: { like: pattern } }))).map((e) => e.idBase).sort()
      expect(await like('a*b')).to.deep.equal(['a*b'])
      expect(await like('a\\*b')).to.deep.equal(['a*b'])
      expect(await like('a%b')).to.have.members(['a,b', 'a"b', 'a\\b', 'a*b', 'axb', 'a%b', 'a_b'])
      expect(await like('a\\%b')).to.deep.equal(['a%b'])
      expect(await like('a\\_b')).to.deep.equal(['a_b'])
      expect(await like('a\\\\b')).to.deep.equal(['a\\b'])
      expect(await like('%*%')).to.deep.equal(['a*b'])
      expect(await collect(driver.query({ ...all, base: { like: 'a*%' }, limit: 1 }))).to.have.length(1)
    })

    it('converts LIKE patterns to PostgREST form (table-driven)', () => {
      const cases: Array<[string, string, boolean]> = [
        ['austin%', 'austin*', true],
        ['%matched.json', '*matched.json', true],
        ['a_c', 'a_c', true],
        ['a\\_c', 'a\\_c', true],
        ['a\\%', 'a\\%', true],
        ['a\\\\', 'a\\\\', true],
        ['a*b', 'a_b', false],
        ['a\\*b', 'a_b', false],
      ]
      for (const [input, pattern, exact] of cases) {
        expect(toPostgrestLike(input), input).to.deep.equal({ pattern, exact })
      }
      expect(() => toPostgrestLike('abc\\')).to.throw(/escape/)
    })

    it('upserts in batches with merge-duplicates, on_conflict the primary key and PyTS dates', async () => {
      const { fetch, calls } = recordingFetch()
      const driver = make({ fetch })
      const rows = manyRows(2500, 25)
      await driver.upsert(rows)
      expect(calls.map((c) => c.method)).to.deep.equal(['POST', 'POST', 'POST'])
      expect(calls.map((c) => (JSON.parse(c.body ?? '[]') as unknown[]).length)).to.deep.equal([
        1000, 1000, 500,
      ])
      const first = calls[0]
      expect(first?.url.pathname).to.equal('/data_lake_cat')
      expect(first?.url.searchParams.get('on_conflict')).to.equal(CATALOG_CONFLICT)
      expect(first?.headers.get('prefer')).to.equal('resolution=merge-duplicates,return=minimal')
      expect(first?.headers.get('content-profile')).to.equal('api')
      expect((JSON.parse(first?.body ?? '[]') as unknown[])[0]).to.deep.equal({
        repository: 'rawjson',
        data_source: 'bt',
        id_base: 'b0000',
        id_ext: 'x.json',
        pointer: 'p0',
        collection_date: '2020-01-01 00:00:00-06:00',
        collection_end: null,
        processing_date: '2019-06-02 03:00:20.104000-05:00',
        metadata: null,
      })
      expect(await collect(driver.query(all))).to.have.length(2500)
    })

    it('rejects duplicate keys (even in different batches) before sending anything', async () => {
      const { fetch, calls } = recordingFetch()
      const driver = make({ fetch, batchSize: 2 })
      const same = row({ idBase: 'dup' })
      await expect(
        driver.upsert([same, row({ idBase: 'a' }), row({ idBase: 'b' }), { ...same, pointer: 'other' }]),
      ).to.be.rejectedWith(/Duplicate catalog key/)
      await expect(
        driver.upsert([row({ pointer: 'central' }), row({ date: at('2019-06-01T05:00:00Z') })]),
      ).to.be.rejectedWith(/Duplicate catalog key/)
      expect(calls).to.deep.equal([])
    })

    it('a forged or expired token → PostgrestError 401 with PostgREST message, not retried', async () => {
      for (const [token, code, message] of [
        [signJwt({ role: 'catalog_writer' }, 'not-the-secret'), 'PGRST301', 'JWSError JWSInvalidSignature'],
        [services.postgrest.token('catalog_writer', { exp: 1_000_000 }), 'PGRST301', 'JWT expired'],
      ] as const) {
        const { fetch, calls } = recordingFetch()
        const driver = make({ fetch, token })
        const error = await collect(driver.query(all)).then(
          () => expect.fail('should reject'),
          (e: unknown) => e,
        )
        expect(error).to.be.instanceOf(PostgrestError)
        const failure = error as PostgrestError
        expect([failure.status, failure.postgrestCode, failure.postgrestMessage]).to.deep.equal([
          401,
          code,
          message,
        ])
        expect([failure.code, failure.method, failure.path]).to.deep.equal([
          'E_HTTP',
          'GET',
          '/data_lake_cat',
        ])
        expect(failure.message).to.include(message).and.not.include(token)
        expect(JSON.stringify(failure)).to.not.include(token)
        expect(calls).to.have.length(1)
        await expect(driver.upsert([row()])).to.be.rejectedWith(PostgrestError, /HTTP 401 PGRST301/)
      }
    })

    it('the anonymous role (no token) gets a clear permission error', async () => {
      const driver = make({ token: undefined })
      await expect(collect(driver.query(all))).to.be.rejectedWith(
        PostgrestError,
        /GET \/data_lake_cat failed: HTTP 401 42501: permission denied for table data_lake_cat.*anonymous role/,
      )
      const error = await driver.upsert([row()]).catch((e: unknown) => e)
      expect(error).to.be.instanceOf(PostgrestError)
      expect((error as PostgrestError).status).to.equal(401)
      expect((error as PostgrestError).method).to.equal('POST')
    })

    describe('through a fault-injecting proxy', () => {
      let proxy: FaultProxy
      beforeEach(async () => {
        proxy = await createFaultProxy(services.postgrest.url)
      })
      afterEach(async () => {
        await proxy.close()
      })
      const viaProxy = (extra: Partial<PostgrestCatalogOptions> = {}) => make({ url: proxy.url, ...extra })

      it('a read and an upsert succeed through two injected 503s, without duplicate rows', async () => {
        const { logger, lines } = createLogSink('warn')
        const driver = viaProxy({ logger })
        proxy.failNext(2, 503)
        await driver.upsert([row({ idBase: 'a' }), row({ idBase: 'b' })])
        proxy.failNext(2, 503)
        const found = await collect(driver.query(all))
        expect(found.map((e) => e.idBase)).to.deep.equal(['a', 'b'])
        expect(proxy.requests.map((r) => `${r.method} ${r.outcome} ${r.status}`)).to.deep.equal([
          'POST injected 503',
          'POST injected 503',
          'POST forwarded 201',
          'GET injected 503',
          'GET injected 503',
          'GET forwarded 200',
        ])
        expect(lines.map((l) => [l.path, l.status, l.attempt])).to.deep.equal([
          ['/data_lake_cat', 503, 1],
          ['/data_lake_cat', 503, 2],
          ['/data_lake_cat', 503, 1],
          ['/data_lake_cat', 503, 2],
        ])
        expect(JSON.stringify(lines)).to.not.include(services.postgrest.token())
      })

      it('"applied, then 500" followed by the retry leaves exactly one row (the upsert is idempotent)', async () => {
        const driver = viaProxy()
        proxy.failAfterForwarding(1, 500)
        await driver.upsert([row({ pointer: 'once', metadata: { n: 1 } })])
        expect(proxy.requests.map((r) => [r.outcome, r.status, r.targetStatus])).to.deep.equal([
          ['applied-then-failed', 500, 201],
          ['forwarded', 200, 200],
        ])
        const found = await collect(make().query(all))
        expect(found.map((e) => [e.pointer, e.metadata])).to.deep.equal([['once', { n: 1 }]])
      })

      it('gives up after the configured retries with a clear network error when the server is gone', async () => {
        const { fetch, calls } = recordingFetch()
        const driver = viaProxy({ fetch, retries: 2 })
        await proxy.close()
        const error = await collect(driver.query(all)).catch((e: unknown) => e)
        expect(error).to.be.instanceOf(PostgrestError)
        const failure = error as PostgrestError
        expect([failure.status, failure.attempt, failure.transient]).to.deep.equal([0, 3, true])
        expect(failure.message).to.match(
          /GET \/data_lake_cat failed after 3 attempts: no response: .*ECONNREFUSED/,
        )
        expect(calls).to.have.length(3)
        await expect(driver.upsert([row()])).to.be.rejectedWith(PostgrestError, /POST .*no response/)
      })
    })

    it('stops at once when the caller aborts, without sending', async () => {
      const { fetch, calls } = recordingFetch()
      const controller = new AbortController()
      controller.abort(new Error('caller gave up (abort)'))
      await expect(collect(make({ fetch }).query(all, { signal: controller.signal }))).to.be.rejectedWith(
        'caller gave up (abort)',
      )
      expect(calls).to.deep.equal([])
    })
  })
})
