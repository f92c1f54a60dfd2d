import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import { PostgrestError } from '../../../src/drivers/postgrest/client.js'
import {
  createPostgrestPerfmet,
  JOB_CONFLICT,
  OBS_CONFLICT,
  type PostgrestPerfmetOptions,
} from '../../../src/drivers/postgrest/perfmet.js'
import { parseTimestamp } from '../../../src/util/dates.js'
import { at } from '../../contract/catalog-fixtures.js'
import { describePerfmetContract, job, observation } from '../../contract/perfmet.contract.js'
import { createFaultProxy, recordingFetch } from '../../helpers/fault-proxy.js'
import { getTestServices, type TestServices } from '../../services/index.js'

use(chaiAsPromised)

/** The `or` filter with every quoted timestamp rewritten in UTC (the server answers in its own TimeZone). */
const utcTimes = (filter: string | null | undefined): string =>
  (filter ?? '').replace(
    /"(\d{4}-\d\d-\d\dT[^"]+)"/g,
    (_, t: string) => `"${parseTimestamp(t).toUTC().toISO()}"`,
  )

describe('PostgREST perfmet (real PostgREST 12 on PostgreSQL)', function () {
  this.timeout(120_000)
  let services: TestServices
  before(async () => {
    services = await getTestServices()
  })
  const make = (extra: Partial<PostgrestPerfmetOptions> = {}) =>
    createPostgrestPerfmet({
      url: services.postgrest.url,
      token: services.postgrest.token(),
      minDelayMs: 5,
      maxDelayMs: 20,
      ...extra,
    })

  describePerfmetContract('postgrest', async () => {
    const { postgrest } = await getTestServices()
    await postgrest.truncate()
    const driver = createPostgrestPerfmet({ url: postgrest.url, token: postgrest.token() })
    return { driver }
  })

  describe('postgrest specifics', () => {
    beforeEach(async () => {
      await services.postgrest.truncate()
    })

    it('writes a job as one upsert object with PyTS dates (spec §6.2)', async () => {
      const { fetch, calls } = recordingFetch()
      await make({ fetch }).writeJob(job({ collectionEnd: null }))
      expect(calls).to.have.length(1)
      const call = calls[0]
      expect(`${call?.method} ${call?.url.pathname}`).to.equal('POST /etl_perfmet_job')
      expect([...(call?.url.searchParams ?? [])]).to.deep.equal([['on_conflict', JOB_CONFLICT]])
      expect(call?.headers.get('prefer')).to.equal('resolution=merge-duplicates,return=minimal')
      expect(JSON.parse(call?.body ?? 'null')).to.deep.equal({
        data_source: 'Bluetooth',
        stage: 'Standardize',
        seconds: 812.4,
        records: 3,
        processing_date: '2019-06-02 03:00:01.500000-05:00',
        collection_start: '2019-06-01 00:00:00-05:00',
        collection_end: null,
      })
    })

    it('reads jobs with the window query, ordered and keyset-paged', async () => {
      const driver = make()
      const stages = ['e', 'a', 'd', 'b', 'c']
      for (const [i, stage] of stages.entries())
        await driver.writeJob(job({ stage, processingDate: at(`2019-06-02T0${i}:00`) }))
      await driver.writeJob(job({ stage: 'a', processingDate: at('2019-06-03') }))
      const { fetch, calls } = recordingFetch()
      const found = await make({ fetch, pageSize: 2 }).readJobs(at('2019-06-02'), at('2019-06-03'))
      expect(found.map((j) => j.stage)).to.deep.equal(['a', 'b', 'c', 'd', 'e'])
      expect(calls).to.have.length(3)
      expect([...(calls[0]?.url.searchParams ?? [])]).to.deep.equal([
        ['select', 'data_source,stage,seconds,records,processing_date,collection_start,collection_end'],
        ['processing_date', 'gte.2019-06-02 00:00:00-05:00'],
        ['processing_date', 'lt.2019-06-03 00:00:00-05:00'],
        ['order', 'data_source.asc,stage.asc,processing_date.asc'],
        ['limit', '2'],
      ])
      expect(utcTimes(calls[1]?.url.searchParams.get('or'))).to.equal(
        '(data_source.gt."Bluetooth",and(data_source.eq."Bluetooth",or(stage.gt."b",' +
          'and(stage.eq."b",processing_date.gt."2019-06-02T08:00:00.000Z"))))',
      )
    })

    it('writes observations in batches of 1000 with on_conflict the primary key', async () => {
      const { fetch, calls } = recordingFetch()
      const driver = make({ fetch })
      await driver.writeObservations(
        Array.from({ length: 2001 }, (_, i) => observation({ sensorName: `s${i}`, data: i })),
      )
      expect(calls.map((c) => (JSON.parse(c.body ?? '[]') as unknown[]).length)).to.deep.equal([
        1000, 1000, 1,
      ])
      expect(calls[0]?.url.searchParams.get('on_conflict')).to.equal(OBS_CONFLICT)
      expect((JSON.parse(calls[0]?.body ?? '[]') as unknown[])[0]).to.deep.equal({
        data_source: 'Wavetronix',
        sensor_name: 's0',
        data_type: 'Vehicle Counts',
        data: 0,
        expected: null,
        collection_date: '2020-09-13 00:00:00-05:00',
        timestamp_min: '2020-09-13 00:00:00-05:00',
        timestamp_max: '2020-09-13 23:45:00-05:00',
      })
      const back = await driver.readObservations(at('2020-09-13'), at('2020-09-14'))
      expect(back).to.have.length(2001)
    })

    it('rejects bad input and duplicate observation keys before sending anything', async () => {
      const { fetch, calls } = recordingFetch()
      const driver = make({ fetch, batchSize: 2 })
      await expect(
        driver.writeObservations([observation(), observation({ sensorName: 'x' }), observation({ data: 1 })]),
      ).to.be.rejectedWith(/Duplicate perfmet observation key/)
      await expect(
        driver.writeObservations([observation({ data: Number.POSITIVE_INFINITY })]),
      ).to.be.rejectedWith(TypeError)
      await expect(driver.writeJob(job({ records: 1.5 }))).to.be.rejectedWith(TypeError)
      expect(calls).to.deep.equal([])
    })

    it('the anonymous role gets a clear permission error', async () => {
      const driver = make({ token: undefined })
      await expect(driver.writeJob(job())).to.be.rejectedWith(
        PostgrestError,
        /POST \/etl_perfmet_job failed: HTTP 401 42501: permission denied for table etl_perfmet_job/,
      )
    })

    it('retries a write through two injected 503s and an "applied, then 500"', async () => {
      const proxy = await createFaultProxy(services.postgrest.url)
      try {
        const driver = make({ url: proxy.url })
        proxy.failNext(2, 503)
        await driver.writeObservations([observation()])
        proxy.failAfterForwarding(1, 500)
        await driver.writeJob(job())
        expect(proxy.requests.map((r) => `${r.method} ${r.outcome} ${r.status}`)).to.deep.equal([
          'POST injected 503',
          'POST injected 503',
          'POST forwarded 201',
          'POST applied-then-failed 500',
          'POST forwarded 200',
        ])
        expect(await make().readJobs(at('2019-06-02'), at('2019-06-03'))).to.have.length(1)
        expect(await make().readObservations(at('2020-09-13'), at('2020-09-14'))).to.have.length(1)
      } finally {
        await proxy.close()
      }
    })

    it('retries 408/429/5xx, fails at once on other statuses (table-driven)', async () => {
      const proxy = await createFaultProxy(services.postgrest.url)
      try {
        const driver = make({ url: proxy.url })
        const read = () => driver.readJobs(at('2019-06-02'), at('2019-06-03'))
        for (const status of [408, 429, 500, 502, 503, 504]) {
          proxy.requests.length = 0
          proxy.failNext(1, status)
          expect(await read(), String(status)).to.deep.equal([])
          expect(
            proxy.requests.map((r) => r.status),
            String(status),
          ).to.deep.equal([status, 200])
        }
        for (const status of [400, 401, 403, 404, 409, 422]) {
          proxy.requests.length = 0
          proxy.failNext(1, status)
          const error = await read().catch((e: unknown) => e)
          expect(error, String(status)).to.be.instanceOf(PostgrestError)
          expect((error as PostgrestError).status).to.equal(status)
          expect((error as PostgrestError).postgrestMessage).to.equal(`injected fault ${status}`)
          expect(proxy.requests, String(status)).to.have.length(1)
        }
      } finally {
        await proxy.close()
      }
    })

    it('retries an attempt that times out, then gives up with a timeout error', async () => {
      const hang: typeof fetch = (_input, init) =>
        new Promise((_, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))
        })
      let calls = 0
      const hangOnce: typeof fetch = (input, init) => (++calls > 1 ? fetch(input, init) : hang(input, init))
      const window = [at('2019-06-02'), at('2019-06-03')] as const
      expect(await make({ fetch: hangOnce, timeoutMs: 100 }).readJobs(...window)).to.deep.equal([])
      expect(calls).to.equal(2)
      await expect(make({ fetch: hang, timeoutMs: 50, retries: 1 }).readJobs(...window)).to.be.rejectedWith(
        PostgrestError,
        /GET \/etl_perfmet_job failed after 2 attempts: no response: timed out after 50 ms/,
      )
    })
  })
})
