import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import yauzl from 'yauzl'
import {
  createGridsmartClient,
  type GridsmartClientOptions,
  GridsmartError,
} from '../../../../src/drivers/devices/gridsmart/client.js'
import {
  countRows,
  type SimulatedCamera,
  startSimulatedCamera,
} from '../../../../src/drivers/devices/gridsmart/simulator.js'
import { parseSiteInfo } from '../../../../src/drivers/devices/gridsmart/site.js'
import { fixedClock, formatPyTs, parseTimestamp } from '../../../../src/util/dates.js'
import { createLogSink } from '../../../helpers/log-sink.js'

use(chaiAsPromised)

const clock = fixedClock('2019-06-02 01:33:48')
const DAY = parseTimestamp('2019-06-01')

/** Entry names and contents of a ZIP buffer. */
function unzip(data: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error)
      const out = new Map<string, Buffer>()
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err)
          const chunks: Buffer[] = []
          stream.on('data', (c: Buffer) => chunks.push(c))
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks))
            zip.readEntry()
          })
        })
      })
      zip.on('end', () => resolve(out))
      zip.readEntry()
    })
  })
}

describe('GRIDSMART client against simulated cameras', function () {
  this.timeout(20_000)
  const cameras: SimulatedCamera[] = []
  let dir: string
  const start = async (options: Parameters<typeof startSimulatedCamera>[0]) => {
    const camera = await startSimulatedCamera({ clock, ...options })
    cameras.push(camera)
    return camera
  }
  const clientOf = (camera: SimulatedCamera, extra: Partial<GridsmartClientOptions> = {}) =>
    createGridsmartClient({ host: camera.host, port: camera.port, clock, ...extra })

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gs-client-'))
  })
  after(async () => {
    for (const camera of cameras) await camera.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('reads site, datetime (with HostTimeUTC, trimmed), hardware info and the count days', async () => {
    const camera = await start({
      street1: 'Burnet',
      street2: 'Richcreek',
      days: ['2019-06-01', '2019-05-30', '2019-05-31', '2019-06-01'],
      clockDriftMinutes: 37,
      timeZoneLabel: '(UTC-05:00) Eastern Time (US & Canada)',
      cameras: 2,
    })
    const client = clientOf(camera)
    expect(client.device).to.equal(camera.address)
    const info = parseSiteInfo(await client.site())
    expect(info.base).to.equal('Burnet_Richcreek')
    expect(info.macAddress).to.equal(camera.mac)
    expect(info.zones.map((z) => z.id)).to.deep.equal(camera.zoneIds)
    expect(info.warnings).to.have.length(1)
    // 06:33:48Z true time; the camera shows UTC-5 wall time plus 37 minutes of drift.
    expect(await client.datetime()).to.deep.equal({
      DateTime: '6/2/2019 2:10:48 AM',
      TimeZoneId: '(UTC-05:00) Eastern Time (US & Canada)',
      HostTimeUTC: '06/02/2019 06:33:48 AM',
    })
    expect(await client.hardwareInfo()).to.include({ HardwareVersion: 'GS2' })
    const days = await client.countDays()
    expect(days.map(formatPyTs)).to.deep.equal([
      '2019-05-30 00:00:00-05:00',
      '2019-05-31 00:00:00-05:00',
      '2019-06-01 00:00:00-05:00',
    ])
  })

  for (const [layout, version, columns] of [
    ['A', 8, 14],
    ['B', 4, 16],
  ] as const) {
    it(`downloads a layout-${layout} ZIP with v${version} rows (${columns} columns) to a file`, async () => {
      const camera = await start({ layout, countVersion: version, zones: 2, rowsPerZone: 25, seed: 5 })
      const path = join(dir, `${layout}.zip`)
      const result = await clientOf(camera).downloadCounts(DAY, path)
      expect(result.path).to.equal(path)
      expect(camera.requests).to.deep.equal(['/api/counts/bydate/2019-06-01'])
      const entries = await unzip(await readFile(path))
      const macDir = camera.mac.replaceAll(':', '-')
      let csvs = entries
      if (layout === 'A') {
        expect([...entries.keys()]).to.deep.equal(
          camera.zoneIds.map((id) => `${macDir}/2019-06-01/${id}.csv`),
        )
      } else {
        expect([...entries.keys()]).to.deep.equal([`${macDir}/2019-06-01.zip`])
        csvs = await unzip(entries.get(`${macDir}/2019-06-01.zip`) as Buffer)
        expect([...csvs.keys()]).to.deep.equal(camera.zoneIds.map((id) => `${id}.csv`))
      }
      expect(result.entries).to.equal(entries.size)
      const first = [...csvs.values()][0]?.toString('utf8') ?? ''
      const rows = first.trim().split('\r\n')
      expect(rows).to.have.length(25)
      for (const row of rows) expect(row.split(',')).to.have.length(columns)
      expect(rows[0]?.split(',')[0]).to.equal(String(version))
      expect(first).to.equal(countRows({ day: '2019-06-01', zoneIndex: 0, seed: 5, version, rows: 25 }))
    })
  }

  it('writes v8 rows with HHMMSS.f device times and the day\u2019s UTC offset', () => {
    const rows = countRows({ day: '2019-12-01', zoneIndex: 1, seed: 2, version: 8, rows: 30 })
      .trim()
      .split('\r\n')
    const times = rows.map((r) => Number(r.split(',')[2]))
    expect(times).to.deep.equal([...times].sort((a, b) => a - b))
    for (const row of rows) {
      const [, , ts = '', offset] = row.split(',')
      expect(ts).to.match(/^\d{1,6}\.\d$/)
      expect(offset).to.equal('-360')
    }
    const v4 =
      countRows({ day: '2019-06-01', zoneIndex: 0, seed: 2, version: 4, rows: 3 }).split('\r\n')[0] ?? ''
    expect(v4.split(',')[2]).to.match(/^2019060[12]T\d{6}\.\d$/)
  })

  it('times out on a camera that never answers, naming the device and URL', async () => {
    const camera = await start({ behavior: 'hang' })
    const began = Date.now()
    const error = await clientOf(camera, { timeoutMs: 200, retry: { retries: 0 } })
      .site()
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(error).to.be.instanceOf(GridsmartError)
    expect((error as GridsmartError).message).to.match(
      new RegExp(`GRIDSMART device ${camera.address}: http://${camera.address}/api/site.json: .*200 ms`),
    )
    expect((error as GridsmartError).code).to.equal('E_HTTP')
    expect(Date.now() - began).to.be.below(5_000)
    const path = join(dir, 'hang.zip')
    await expect(
      clientOf(camera, { timeoutMs: 200, retry: { retries: 0 } }).downloadCounts(DAY, path),
    ).to.be.rejectedWith(GridsmartError, /counts\/bydate\/2019-06-01: request failed/)
    expect(existsSync(path)).to.equal(false)
  })

  it('follows the cancel signal', async () => {
    const camera = await start({ behavior: 'hang' })
    const cancel = new AbortController()
    const pending = clientOf(camera, { signal: cancel.signal, timeoutMs: 10_000 }).countDays()
    setTimeout(() => cancel.abort(new Error('run cancelled')), 50)
    await expect(pending).to.be.rejectedWith(GridsmartError, /counts\.json: request failed: run cancelled/)
  })

  it('aborts a ZIP over the size limit and deletes the partial file', async () => {
    const camera = await start({ rowsPerZone: 400 })
    const path = join(dir, 'big.zip')
    await expect(clientOf(camera, { maxZipBytes: 1000 }).downloadCounts(DAY, path)).to.be.rejectedWith(
      GridsmartError,
      /the limit is 1000|exceeds the limit of 1000 bytes/,
    )
    expect(existsSync(path)).to.equal(false)
  })

  it('enforces the size limit while streaming when no Content-Length is sent', async () => {
    const camera = await start({ rowsPerZone: 400 })
    const chunked: typeof fetch = async (input, init) => {
      const response = await fetch(input, init)
      const headers = new Headers(response.headers)
      headers.delete('content-length')
      return new Response(response.body, { status: response.status, headers })
    }
    const path = join(dir, 'chunked.zip')
    await expect(
      clientOf(camera, { maxZipBytes: 1000, fetch: chunked }).downloadCounts(DAY, path),
    ).to.be.rejectedWith(GridsmartError, /exceeds the limit of 1000 bytes/)
    expect(existsSync(path)).to.equal(false)
  })

  it('rejects a corrupt ZIP and leaves no file behind', async () => {
    const camera = await start({ behavior: 'corrupt-zip' })
    const path = join(dir, 'corrupt.zip')
    await expect(clientOf(camera).downloadCounts(DAY, path)).to.be.rejectedWith(
      GridsmartError,
      /not a readable ZIP/,
    )
    expect(await readdir(dir)).to.not.include('corrupt.zip')
  })

  describe('untrusted answers', () => {
    const answering = (status: number, body: string): typeof fetch =>
      (async () => new Response(body, { status })) as typeof fetch
    const client = (f: typeof fetch) => createGridsmartClient({ host: '10.0.0.9', fetch: f, clock })
    const cases: [string, (c: ReturnType<typeof client>) => Promise<unknown>, string, RegExp][] = [
      ['site: not JSON', (c) => c.site(), '<html>oops</html>', /site.json: the response is not JSON/],
      ['site: a list', (c) => c.site(), '[1]', /site.json: expected a JSON object/],
      ['datetime: no TimeZoneId', (c) => c.datetime(), '{"DateTime":"x"}', /"TimeZoneId" is missing/],
      ['counts: an object', (c) => c.countDays(), '{}', /expected a JSON list of days/],
      [
        'counts: a bad day',
        (c) => c.countDays(),
        '["2019-06-01","2019-13-01"]',
        /"2019-13-01" is not a YYYY/,
      ],
      ['counts: a number', (c) => c.countDays(), '[20190601]', /20190601 is not a YYYY-MM-DD day/],
    ]
    for (const [name, call, body, message] of cases) {
      it(name, async () => {
        await expect(call(client(answering(200, body)))).to.be.rejectedWith(GridsmartError, message)
      })
    }
    it('retries 503, 429 and dropped connections with backoff and logs each attempt; 404 and bad JSON are final', async () => {
      const sink = createLogSink('warn')
      const script = (answers: (number | 'drop')[]) => {
        const calls: string[] = []
        const f = (async (url: string) => {
          calls.push(String(url))
          const next = answers.shift() ?? 200
          if (next === 'drop') throw new TypeError('fetch failed: socket hang up')
          return new Response(next === 200 ? '{"Location":{}}' : 'busy', { status: next })
        }) as unknown as typeof fetch
        return {
          calls,
          client: createGridsmartClient({
            host: '10.0.0.9',
            fetch: f,
            clock,
            retry: { minDelayMs: 1, maxDelayMs: 2 },
            logger: sink.logger,
          }),
        }
      }
      const flaky = script([503, 'drop'])
      await expect(flaky.client.site()).to.eventually.deep.equal({ Location: {} })
      expect(flaky.calls).to.have.length(3)
      expect(sink.lines.map((l) => l.msg)).to.deep.equal(
        [1, 2].map((n) => `GRIDSMART device 10.0.0.9:8902: site.json failed (attempt ${n}); retrying`),
      )
      const gone = script([429, 503, 429, 200])
      await expect(gone.client.site()).to.be.rejectedWith(GridsmartError, /HTTP 429/)
      expect(gone.calls).to.have.length(3)
      const missing = script([404])
      await expect(missing.client.site()).to.be.rejectedWith(GridsmartError, /HTTP 404/)
      expect(missing.calls).to.have.length(1)
      const calls: string[] = []
      const garbled = createGridsmartClient({
        host: '10.0.0.9',
        clock,
        retry: { minDelayMs: 1, maxDelayMs: 2 },
        fetch: (async (url: string) => {
          calls.push(url)
          return new Response('<html>', { status: 200 })
        }) as unknown as typeof fetch,
      })
      await expect(garbled.site()).to.be.rejectedWith(GridsmartError, /not JSON/)
      expect(calls).to.have.length(1)
    })

    it('reports HTTP errors with the status and the default port', async () => {
      const noRetry = (f: typeof fetch) =>
        createGridsmartClient({ host: '10.0.0.9', fetch: f, clock, retry: { retries: 0 } })
      await expect(noRetry(answering(503, 'busy')).hardwareInfo()).to.be.rejectedWith(
        GridsmartError,
        /^GRIDSMART device 10\.0\.0\.9:8902: http:\/\/10\.0\.0\.9:8902\/api\/system\/hardwareinfo\.json: HTTP 503/,
      )
    })
  })
})
