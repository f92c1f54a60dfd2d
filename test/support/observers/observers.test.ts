import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { DateTime } from 'luxon'
import { Secret } from '../../../src/config/secret.js'
import { parseCommonArgs } from '../../../src/support/app-args.js'
import { InputError } from '../../../src/support/errors.js'
import type { WorkItem } from '../../../src/support/items.js'
import { createMetricsObserver, METRIC_NAMES } from '../../../src/support/observers/metrics.js'
import { createProgressObserver } from '../../../src/support/observers/progress.js'
import { createRunSummaryObserver, type RunSummary } from '../../../src/support/observers/run-summary.js'
import type { RunObserver, RunStartInfo } from '../../../src/support/run-observer.js'
import { fixedClock } from '../../../src/util/dates.js'

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.sig'
const PASSWORD = 'pa55w0rd-very-secret'
const START = DateTime.fromISO('2019-06-08T03:00:00', { zone: 'America/Chicago' })
const clock = fixedClock(START)

function startInfo(): RunStartInfo {
  return {
    app: 'bt-json-standard',
    dataSource: 'bt',
    args: parseCommonArgs({ last_run_date: '0', start_date: '2019-06-01', end_date: '2019-06-08' }, clock),
    custom: { sourcedir: '/mnt/awam' },
    startedAt: START,
  }
}

function item(day: number, label = `Austin_bt_2019-06-0${day}.txt`): WorkItem {
  const date = DateTime.fromObject({ year: 2019, month: 6, day }, { zone: 'America/Chicago' })
  return {
    identifier: { base: 'Austin', ext: 'traf_match_summary.txt', date },
    priorLastUpdate: true,
    provItem: { base: 'Austin', ext: 'traf_match_summary.txt', date, dateEnd: null, payload: null, label },
    label,
  } as unknown as WorkItem
}

/** Plays a run of 3 items (2 ok with 5 and 7 records, 1 failed) through an observer. */
async function playRun(observer: RunObserver, status: 'partial' | 'fatal' = 'partial'): Promise<void> {
  await observer.runStarted?.(startInfo())
  const outcomes = [
    { status: 'ok', records: 5, durationMs: 1500 },
    { status: 'failed', error: new InputError('Broken file Austin_bt_2019-06-02.txt'), durationMs: 250 },
    { status: 'ok', records: 7, durationMs: 20_000 },
  ] as const
  for (const [i, outcome] of outcomes.entries()) {
    await observer.itemStarted?.(item(i + 1), i)
    await observer.itemFinished?.(item(i + 1), outcome)
  }
  await observer.runFinished?.({
    status,
    records: 12,
    items: 3,
    failed: 1,
    finishedAt: START.plus({ minutes: 2, seconds: 3 }),
    ...(status === 'fatal'
      ? { error: new Error(`connect postgres://etl:${PASSWORD}@db/catalog refused`) }
      : {}),
  })
}

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Parses the Prometheus text format strictly enough to catch a malformed line. */
function parseProm(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = []
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const type = /^# TYPE (\w+) (gauge|counter|histogram|summary|untyped)$/.exec(line)
    if (type) {
      types.set(type[1] as string, type[2] as string)
      continue
    }
    if (/^# HELP \w+ .+$/.test(line)) continue
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match) throw new Error(`Malformed line: ${line}`)
    const labels: Record<string, string> = {}
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const kv = /^(\w+)="((?:[^"\\]|\\.)*)"$/.exec(pair)
      if (!kv) throw new Error(`Malformed label ${pair} in ${line}`)
      labels[kv[1] as string] = kv[2] as string
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) })
  }
  return { samples, types }
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value

describe('run observers', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'observers-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  describe('run summary (--summary-file)', () => {
    it('writes parameters, counts, durations, errors and the package version, and no secret', async () => {
      const file = join(dir, 'summary.json')
      const settings = {
        profile: 'production',
        catalog: {
          kind: 'postgrest',
          production: { url: 'http://rest:3000', token: new Secret(TOKEN, 'X') },
        },
        kits: { url: `postgres://kits:${PASSWORD}@kits-db/kits`, password: PASSWORD },
      }
      await playRun(createRunSummaryObserver({ file, settings }))
      const text = await readFile(file, 'utf8')
      expect(text).to.not.contain(TOKEN)
      expect(text).to.not.contain(PASSWORD)
      const summary = JSON.parse(text) as RunSummary
      const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string }
      expect(summary).to.deep.include({
        app: 'bt-json-standard',
        dataSource: 'bt',
        version: pkg.version,
        status: 'partial',
        exitCode: 2,
        startedAt: '2019-06-08T03:00:00.000-05:00',
        finishedAt: '2019-06-08T03:02:03.000-05:00',
        durationMs: 123_000,
        fatal: null,
      })
      expect(summary.counts).to.deep.equal({ items: 3, ok: 2, failed: 1, records: 12 })
      expect(summary.itemDurationsMs).to.deep.equal({ total: 21_750, max: 20_000, mean: 7250 })
      expect(summary.errors).to.deep.equal([
        {
          label: 'Austin_bt_2019-06-02.txt',
          date: '2019-06-02T00:00:00.000-05:00',
          code: 'E_INPUT',
          message: 'Broken file Austin_bt_2019-06-02.txt',
        },
      ])
      expect(summary.parameters.args).to.deep.include({
        startDate: '2019-06-01T00:00:00.000-05:00',
        endDate: '2019-06-08T00:00:00.000-05:00',
        force: false,
        simulate: false,
      })
      expect(summary.parameters.custom).to.deep.equal({ sourcedir: '/mnt/awam' })
      expect(summary.parameters.settings).to.deep.equal({
        profile: 'production',
        catalog: { kind: 'postgrest', production: { url: 'http://rest:3000', token: '[redacted]' } },
        kits: { url: 'postgres://kits:[redacted]@kits-db/kits', password: '[redacted]' },
      })
    })

    it('records a fatal run with its error, credentials hidden, exit code 1', async () => {
      let seen: RunSummary | null = null
      await playRun(createRunSummaryObserver({ onSummary: (s) => (seen = s) }), 'fatal')
      const summary = seen as RunSummary | null
      expect(summary?.exitCode).to.equal(1)
      expect(summary?.fatal).to.deep.equal({
        code: null,
        message: 'connect postgres://etl:[redacted]@db/catalog refused',
      })
    })
  })

  describe('Prometheus metrics (--metrics-file, --pushgateway)', () => {
    it('writes a valid textfile-collector file atomically, labelled by app and data source', async () => {
      const file = join(dir, 'catalog-etl-bt-json-standard.prom')
      await playRun(createMetricsObserver({ file, version: '9.9.9' }))
      expect(await readdir(dir)).to.deep.equal(['catalog-etl-bt-json-standard.prom'])
      const text = await readFile(file, 'utf8')
      const { samples, types } = parseProm(text)
      const labels = { app: 'bt-json-standard', data_source: 'bt' }
      expect(value(samples, METRIC_NAMES.info, { ...labels, version: '9.9.9' })).to.equal(1)
      expect(value(samples, METRIC_NAMES.lastStart, labels)).to.equal(START.toSeconds())
      expect(value(samples, METRIC_NAMES.lastFinish, labels)).to.equal(START.toSeconds() + 123)
      expect(value(samples, METRIC_NAMES.lastCompleted, labels)).to.equal(START.toSeconds() + 123)
      expect(value(samples, METRIC_NAMES.exitCode, labels)).to.equal(2)
      expect(value(samples, METRIC_NAMES.duration, labels)).to.equal(123)
      expect(value(samples, METRIC_NAMES.items, { ...labels, outcome: 'ok' })).to.equal(2)
      expect(value(samples, METRIC_NAMES.items, { ...labels, outcome: 'failed' })).to.equal(1)
      expect(value(samples, METRIC_NAMES.records, labels)).to.equal(12)
      expect(types.get(METRIC_NAMES.itemDuration)).to.equal('histogram')
      const count = `${METRIC_NAMES.itemDuration}_count`
      expect(value(samples, count, { ...labels, outcome: 'ok' })).to.equal(2)
      expect(value(samples, `${METRIC_NAMES.itemDuration}_bucket`, { outcome: 'ok', le: '5' })).to.equal(1)
      expect(value(samples, `${METRIC_NAMES.itemDuration}_sum`, { outcome: 'failed' })).to.equal(0.25)
      expect(text).to.not.contain(PASSWORD)
    })

    it('carries the last completed time over a fatal run', async () => {
      const file = join(dir, 'bt.prom')
      await playRun(createMetricsObserver({ file }))
      await playRun(createMetricsObserver({ file }), 'fatal')
      const { samples } = parseProm(await readFile(file, 'utf8'))
      expect(value(samples, METRIC_NAMES.exitCode)).to.equal(1)
      expect(value(samples, METRIC_NAMES.lastCompleted)).to.equal(START.toSeconds() + 123)
      await writeFile(file, '')
      await playRun(createMetricsObserver({ file }), 'fatal')
      expect(value(parseProm(await readFile(file, 'utf8')).samples, METRIC_NAMES.lastCompleted)).to.equal(
        undefined,
      )
    })

    it('pushes to a push gateway with POST, grouped by job, app and data source', async () => {
      const requests: { method: string; url: string; body: string }[] = []
      const server = createServer((req, res) => {
        let body = ''
        req.on('data', (chunk: Buffer) => {
          body += chunk.toString('utf8')
        })
        req.on('end', () => {
          requests.push({ method: req.method ?? '', url: req.url ?? '', body })
          res.writeHead(200).end()
        })
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      try {
        const port = (server.address() as AddressInfo).port
        await playRun(createMetricsObserver({ pushgateway: { url: `http://127.0.0.1:${port}` } }))
      } finally {
        server.close()
      }
      expect(requests).to.have.length(1)
      expect(requests[0]?.method).to.equal('POST')
      expect(requests[0]?.url).to.equal('/metrics/job/catalog-etl/app/bt-json-standard/data_source/bt')
      const { samples } = parseProm(requests[0]?.body ?? '')
      expect(value(samples, METRIC_NAMES.records)).to.equal(12)
    })

    it('fails with the gateway URL (credentials hidden) when the push fails', async () => {
      const observer = createMetricsObserver({ pushgateway: { url: `http://u:${PASSWORD}@127.0.0.1:1` } })
      const error = await playRun(observer).catch((e: unknown) => e)
      expect((error as Error).message).to.match(/^Pushing metrics to http:\/\/u:\[redacted\]@127\.0\.0\.1:1/)
      expect((error as Error).message).to.not.contain(PASSWORD)
    })
  })

  describe('progress line', () => {
    it('draws nothing when the stream is not a TTY', async () => {
      const out: string[] = []
      await playRun(createProgressObserver({ stream: { write: (t: string) => out.push(t), isTTY: false } }))
      expect(out).to.deep.equal([])
    })

    it('draws a bar of the window done, counts and the item on a TTY, throttled (item starts within 100 ms skipped), then erases it', async () => {
      const out: string[] = []
      let t = 0
      const observer = createProgressObserver({
        stream: { write: (text: string) => out.push(text), isTTY: true, columns: 200 },
        now: () => t,
        minIntervalMs: 100,
        barWidth: 7,
      })
      await playRun({
        ...observer,
        itemFinished: async (i, o) => {
          t += 150
          await observer.itemFinished?.(i, o)
        },
      })
      expect(out.at(-1)).to.equal('\r\u001b[2K')
      const lines = out.slice(0, -1).map((line) => line.replace('\r\u001b[2K', ''))
      expect(lines).to.deep.equal([
        'bt-json-standard [.......]   0% 0 item(s) 0:00 2019-06-01 Austin_bt_2019-06-01.txt',
        'bt-json-standard [.......]   0% 1 item(s) 0:00 2019-06-01 Austin_bt_2019-06-01.txt',
        'bt-json-standard [#......]  14% 2 item(s), 1 failed 0:00 2019-06-02 Austin_bt_2019-06-02.txt',
        'bt-json-standard [##.....]  29% 3 item(s), 1 failed 0:00 2019-06-03 Austin_bt_2019-06-03.txt',
      ])
    })
  })
})
