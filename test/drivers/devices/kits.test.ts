import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import sql from 'mssql'
import { createKitsSourceFor } from '../../../src/drivers/devices/kits/factory.js'
import {
  createKitsIntersections,
  createKitsTables,
  type KitsHistoryRow,
  type KitsIntersection,
  writeKitsDay,
} from '../../../src/drivers/devices/kits/generator.js'
import { createKitsSource } from '../../../src/drivers/devices/kits/kits-source.js'
import {
  createMssqlKitsClient,
  type MssqlModuleLike,
  type MssqlPoolLike,
} from '../../../src/drivers/devices/kits/mssql-adapter.js'
import { createPgKitsClient } from '../../../src/drivers/devices/kits/pg-adapter.js'
import type { KitsRecord, KitsSource, KitsTables } from '../../../src/drivers/devices/kits/types.js'
import { createPgliteClient, type SqlClient } from '../../../src/drivers/sql/sql-client.js'
import { ConfigError } from '../../../src/support/errors.js'
import { formatPyTs, parseTimestamp } from '../../../src/util/dates.js'
import { getTestServices } from '../../services/index.js'

use(chaiAsPromised)

const day = (text: string) => parseTimestamp(text)

describe('KITS source', function () {
  this.timeout(120_000)

  describe('pg adapter on the real PostgreSQL', () => {
    const schema = `t_kits_${process.pid}`
    const tables: KitsTables = { history: `${schema}.sysdethistoryrm`, detectors: `${schema}.detectorsrm` }
    const intersections: KitsIntersection[] = createKitsIntersections(3, 11)
    const detectors = intersections.reduce((n, i) => n + i.detectors.length, 0)
    const written = new Map<string, KitsHistoryRow[]>()
    const statements: { text: string; params: unknown[] }[] = []
    let admin: SqlClient
    let kits: KitsSource

    before(async () => {
      const services = await getTestServices()
      admin = await services.pg.client()
      await createKitsTables(admin, tables)
      for (const date of ['2019-03-10', '2019-11-02', '2019-11-03', '2019-11-04']) {
        written.set(date, await writeKitsDay(admin, day(date), { intersections, seed: 5, tables }))
      }
      const recording: SqlClient = {
        async query<R>(text: string, params?: unknown[]) {
          statements.push({ text, params: params ?? [] })
          return admin.query<R>(text, params)
        },
        close: async () => {},
      }
      kits = createKitsSource({ client: createPgKitsClient({ client: recording }), tables })
    })

    after(async () => {
      await kits?.close()
      await admin?.query(`drop schema if exists ${schema} cascade`)
      await admin?.close()
    })

    it('lists every day with its row count, as Central midnights', async () => {
      const days = await kits.listDates({ start: null, end: null })
      expect(days.map((d) => [formatPyTs(d.date), d.count])).to.deep.equal([
        ['2019-03-10 00:00:00-06:00', detectors * 92],
        ['2019-11-02 00:00:00-05:00', detectors * 96],
        ['2019-11-03 00:00:00-05:00', detectors * 100],
        ['2019-11-04 00:00:00-06:00', detectors * 96],
      ])
    })

    it('applies the window: start inclusive, end exclusive, start == end that day, times as wall clock', async () => {
      const cases: [string | null, string | null, string[]][] = [
        ['2019-11-02', '2019-11-04', ['2019-11-02', '2019-11-03']],
        ['2019-11-03', '2019-11-03', ['2019-11-03']],
        ['2019-11-03', null, ['2019-11-03', '2019-11-04']],
        [null, '2019-11-02', ['2019-03-10']],
      ]
      for (const [start, end, expected] of cases) {
        const days = await kits.listDates({ start: start ? day(start) : null, end: end ? day(end) : null })
        expect(
          days.map((d) => d.date.toFormat('yyyy-MM-dd')),
          `${start} … ${end}`,
        ).to.deep.equal(expected)
      }
      const afternoon = await kits.listDates({ start: day('2019-11-03 12:00:00'), end: null })
      expect(afternoon.map((d) => d.count)).to.deep.equal([detectors * 48, detectors * 96])
    })

    it('binds the dates as parameters', async () => {
      statements.length = 0
      await kits.listDates({ start: day('2019-11-02'), end: day('2019-11-04') })
      await kits.retrieve(day('2019-11-02'))
      expect(statements.map((s) => s.params)).to.deep.equal([
        ['2019-11-02 00:00:00', '2019-11-04 00:00:00'],
        ['2019-11-02'],
      ])
      for (const { text } of statements) expect(text).not.to.match(/2019/)
      expect(statements[0]?.text).to.include('CURDATETIME >= CAST($1 AS timestamp) AND CURDATETIME < CAST($2')
    })

    it("retrieves a day's records typed, ordered by time, intersection and detector name", async () => {
      const records = await kits.retrieve(day('2019-11-02'))
      expect(records).to.have.length(detectors * 96)
      const first = intersections[0] as KitsIntersection
      const row = written.get('2019-11-02')?.find((r) => r.detId === 2 && r.wall === '2019-11-02 00:00:00')
      const nbIn = records.find(
        (r) => r.detID === 2 && r.curDateTime.hour === 0 && r.curDateTime.minute === 0,
      )
      expect({ ...nbIn, curDateTime: formatPyTs(nbIn?.curDateTime ?? day('2000-01-01')) }).to.deep.equal({
        detID: 2,
        intID: 1,
        curDateTime: '2019-11-02 00:00:00-05:00',
        intName: first.intName,
        detName: 'NB_in',
        volume: row?.volume,
        occupancy: row?.occupancy,
        speed: row?.speed,
        status: 'Working',
        uploadSuccess: 100,
        detCountComparison: row?.detCountComparison,
        dailyCumulative: row?.dailyCumulative,
      })
      const keys = records.map((r) => `${formatPyTs(r.curDateTime)}|${r.intName}|${r.detName}`)
      const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      expect(keys).to.deep.equal(sorted)
      const lamar = keys.filter((k) => k.startsWith('2019-11-02 00:00:00-05:00|LAMARMANCHACA|'))
      expect(lamar.map((k) => k.split('|')[2])).to.deep.equal(['NB_in', 'NB_out', 'SB_in', 'SB_out'])
    })

    it('on 2019-11-03 returns the repeated hour twice, both passes labelled standard time (-06:00)', async () => {
      const records = await kits.retrieve(day('2019-11-03'))
      expect(records).to.have.length(detectors * 100)
      const texts = records.filter((r) => r.detID === 1).map((r) => formatPyTs(r.curDateTime))
      expect(texts.filter((t) => t === '2019-11-03 01:30:00-06:00')).to.have.length(2)
      expect(texts).to.include.members(['2019-11-03 00:45:00-05:00', '2019-11-03 02:00:00-06:00'])
      expect(texts.some((t) => t.startsWith('2019-11-03 01:') && t.endsWith('-05:00'))).to.equal(false)
      const volumes = (rows: { volume: number | null }[]) => rows.map((r) => r.volume).sort()
      const generated = written.get('2019-11-03')?.filter((r) => r.detId === 1 && r.wall.includes(' 01:30:'))
      const read = records.filter((r) => r.detID === 1 && formatPyTs(r.curDateTime).includes(' 01:30:'))
      expect(volumes(read)).to.deep.equal(volumes(generated ?? []))
    })

    it('on 2019-03-10 lacks the skipped hour', async () => {
      const records = await kits.retrieve(day('2019-03-10'))
      const texts = records.filter((r) => r.detID === 1).map((r) => formatPyTs(r.curDateTime))
      expect(texts).to.have.length(92)
      expect(texts.some((t) => t.includes(' 02:'))).to.equal(false)
      expect(texts).to.include.members(['2019-03-10 01:45:00-06:00', '2019-03-10 03:00:00-05:00'])
    })

    it('returns no records for a day without data', async () => {
      expect(await kits.retrieve(day('2019-11-05'))).to.deep.equal([])
    })
  })

  describe('pg adapter and generator on PGlite (the embedded database of the demo)', () => {
    it('creates the tables, fills a DST day and reads it back through createKitsSourceFor', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'kits-pglite-'))
      const intersections = createKitsIntersections(2, 3)
      let rows: KitsHistoryRow[] = []
      const client = await createPgliteClient({ dataDir })
      try {
        await createKitsTables(client)
        await writeKitsDay(client, day('2019-11-03'), { intersections, seed: 1 })
        rows = await writeKitsDay(client, day('2019-11-03'), { intersections, seed: 1 })
      } finally {
        await client.close()
      }
      const kits = createKitsSourceFor({ kind: 'pglite', dataDir })
      try {
        const days = await kits.listDates({ start: null, end: null })
        expect(days.map((d) => [formatPyTs(d.date), d.count])).to.deep.equal([
          ['2019-11-03 00:00:00-05:00', rows.length],
        ])
        const records = await kits.retrieve(day('2019-11-03'))
        expect(records).to.have.length(rows.length)
        expect(formatPyTs((records.at(-1) as KitsRecord).curDateTime)).to.equal('2019-11-03 23:45:00-06:00')
      } finally {
        await kits.close()
        await rm(dataDir, { recursive: true, force: true })
      }
    })
  })

  describe('mssql adapter (query text and parameter binding, no server)', () => {
    type Call = { inputs: [string, unknown, unknown][]; text: string }

    function fakePool(recordsets: Record<string, unknown>[][]) {
      const calls: Call[] = []
      let closed = 0
      const pool: MssqlPoolLike = {
        request() {
          const call: Call = { inputs: [], text: '' }
          calls.push(call)
          return {
            input(name, type, value) {
              call.inputs.push([name, type, value])
              return this
            },
            async query(text) {
              call.text = text
              return { recordset: recordsets.shift() ?? [] }
            },
          }
        },
        async close() {
          closed += 1
        },
      }
      return { pool, calls, closed: () => closed }
    }

    const varchar = (value: unknown) => {
      const type = value as { type: unknown; length: number }
      return [type.type === sql.VarChar, type.length]
    }

    it('lists days with a bound start and end and the default table', async () => {
      const fake = fakePool([
        [
          { cur_day: '2020-09-14', n: 480 },
          { cur_day: '2020-09-13', n: 470 },
        ],
      ])
      const kits = createKitsSource({ client: createMssqlKitsClient({ pool: fake.pool }) })
      const days = await kits.listDates({ start: day('2020-09-13'), end: day('2020-09-15') })
      expect(days.map((d) => [formatPyTs(d.date), d.count])).to.deep.equal([
        ['2020-09-13 00:00:00-05:00', 470],
        ['2020-09-14 00:00:00-05:00', 480],
      ])
      const [call] = fake.calls
      expect(call?.text).to.equal(
        'SELECT CONVERT(varchar(10), t.cur_day, 23) AS cur_day, t.n AS n FROM (SELECT CAST(CURDATETIME AS date) ' +
          'AS cur_day, COUNT(1) AS n FROM KITSDB.KITS.SYSDETHISTORYRM WHERE CURDATETIME >= ' +
          'CONVERT(datetime, @p1, 120) AND CURDATETIME < CONVERT(datetime, @p2, 120) ' +
          'GROUP BY CAST(CURDATETIME AS date)) AS t ORDER BY t.cur_day',
      )
      expect(call?.inputs.map(([name, type, value]) => [name, ...varchar(type), value])).to.deep.equal([
        ['p1', true, 32, '2020-09-13 00:00:00'],
        ['p2', true, 32, '2020-09-15 00:00:00'],
      ])
    })

    it('uses the date equality for start == end and no WHERE without bounds', async () => {
      const fake = fakePool([[], []])
      const kits = createKitsSource({ client: createMssqlKitsClient({ pool: fake.pool }) })
      await kits.listDates({ start: day('2020-09-13'), end: day('2020-09-13') })
      await kits.listDates({ start: null, end: null })
      expect(fake.calls[0]?.text).to.include(
        'WHERE CAST(CURDATETIME AS date) = CONVERT(date, @p1, 23) GROUP BY',
      )
      expect(fake.calls[0]?.inputs.map((i) => i[2])).to.deep.equal(['2020-09-13'])
      expect(fake.calls[1]?.text).not.to.include('WHERE')
      expect(fake.calls[1]?.inputs).to.deep.equal([])
    })

    it("retrieves a day with the original's join, order and columns, typing what tedious returns", async () => {
      const fake = fakePool([
        [
          {
            det_id: 2,
            int_id: 1,
            cur_date_time: '2020-09-13 00:00:00',
            int_name: 'LAMARMANCHACA',
            det_name: 'NB_in',
            volume: 19,
            occupancy: 0,
            speed: 34,
            status: 'Working',
            upload_success: 100,
            det_count_comparison: 1,
            daily_cumulative: '19',
          },
          { det_id: 1, int_id: 1, cur_date_time: '2019-11-03 01:30:00', int_name: null, det_name: null },
        ],
      ])
      const tables = { history: 'KITS2.dbo.HIST', detectors: 'KITS2.dbo.DETS' }
      const kits = createKitsSource({ client: createMssqlKitsClient({ pool: fake.pool }), tables })
      const records = await kits.retrieve(day('2020-09-13'))
      const [call] = fake.calls
      expect(call?.text).to.equal(
        'SELECT a.DETID AS det_id, b.INTID AS int_id, CONVERT(varchar(19), CURDATETIME, 120) AS cur_date_time, ' +
          'INTNAME AS int_name, DETNAME AS det_name, a.VOLUME AS volume, a.OCCUPANCY AS occupancy, SPEED AS speed, ' +
          'STATUS AS status, UPLOADSUCCESS AS upload_success, DETCOUNTCOMPARISON AS det_count_comparison, ' +
          'DAILYCUMULATIVE AS daily_cumulative FROM KITS2.dbo.HIST AS a, KITS2.dbo.DETS AS b ' +
          'WHERE CAST(CURDATETIME AS date) = CONVERT(date, @p1, 23) AND a.DETID = b.DETID ' +
          'ORDER BY CURDATETIME, INTNAME, DETNAME',
      )
      expect(call?.inputs.map(([name, type, value]) => [name, ...varchar(type), value])).to.deep.equal([
        ['p1', true, 32, '2020-09-13'],
      ])
      expect(records.map((r) => ({ ...r, curDateTime: formatPyTs(r.curDateTime) }))).to.deep.equal([
        {
          detID: 2,
          intID: 1,
          curDateTime: '2020-09-13 00:00:00-05:00',
          intName: 'LAMARMANCHACA',
          detName: 'NB_in',
          volume: 19,
          occupancy: 0,
          speed: 34,
          status: 'Working',
          uploadSuccess: 100,
          detCountComparison: 1,
          dailyCumulative: 19,
        },
        {
          detID: 1,
          intID: 1,
          curDateTime: '2019-11-03 01:30:00-06:00',
          intName: null,
          detName: null,
          volume: null,
          occupancy: null,
          speed: null,
          status: null,
          uploadSuccess: null,
          detCountComparison: null,
          dailyCumulative: null,
        },
      ])
      await kits.close()
      expect(fake.closed()).to.equal(0)
    })

    it('refuses table names that would need quoting (they cannot be bound)', async () => {
      const fake = fakePool([])
      const kits = createKitsSource({
        client: createMssqlKitsClient({ pool: fake.pool }),
        tables: { history: 'HIST; DROP TABLE X' },
      })
      await expect(kits.listDates({ start: null, end: null })).to.be.rejectedWith(ConfigError, /table name/)
      expect(fake.calls).to.have.length(0)
    })

    it('loads mssql lazily, connects on the first query with the config, and closes the pool', async () => {
      const fake = fakePool([[{ cur_day: '2020-09-13', n: 1 }]])
      const configs: unknown[] = []
      let loads = 0
      let connects = 0
      const module: MssqlModuleLike = {
        VarChar: (length) => sql.VarChar(length),
        ConnectionPool: class {
          constructor(config: unknown) {
            configs.push(config)
          }
          request = () => fake.pool.request()
          close = () => fake.pool.close()
          on = () => this
          connect = async () => {
            connects += 1
          }
        } as unknown as MssqlModuleLike['ConnectionPool'],
      }
      const config = { server: 'kits.example', database: 'KITSDB', user: 'etl', password: 'x' }
      const client = createMssqlKitsClient({
        config,
        loadModule: async () => {
          loads += 1
          return module
        },
      })
      expect([loads, connects]).to.deep.equal([0, 0])
      const kits = createKitsSource({ client })
      await kits.listDates({ start: null, end: null })
      await kits.listDates({ start: null, end: null })
      expect([loads, connects, configs]).to.deep.equal([1, 1, [{ requestTimeout: 300_000, ...config }]])
      await kits.close()
      await kits.close()
      expect(fake.closed()).to.equal(1)
    })
  })
})
