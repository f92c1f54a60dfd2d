import { readFile } from 'node:fs/promises'
import { Gauge, Histogram, Pushgateway, Registry } from 'prom-client'
import type { RunObserver, RunStartInfo } from '../run-observer.js'
import { writeFileAtomic } from './atomic-write.js'
import { packageVersion } from './package-version.js'
import { redactText } from './redact.js'
import { exitCodeOf } from './run-tally.js'

/** Every metric name {@link createMetricsObserver} writes (all gauges but the histogram). */
export const METRIC_NAMES = {
  info: 'catalog_etl_run_info',
  lastStart: 'catalog_etl_run_last_start_timestamp_seconds',
  lastFinish: 'catalog_etl_run_last_finish_timestamp_seconds',
  lastCompleted: 'catalog_etl_run_last_completed_timestamp_seconds',
  exitCode: 'catalog_etl_run_exit_code',
  duration: 'catalog_etl_run_duration_seconds',
  items: 'catalog_etl_run_items',
  records: 'catalog_etl_run_records',
  itemDuration: 'catalog_etl_item_duration_seconds',
} as const

/** Buckets of the item-duration histogram, in seconds. */
export const ITEM_DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600]

/** Where the Prometheus push gateway is. */
export interface PushgatewayTarget {
  /** Base URL (`http://pushgateway:9091`). */
  readonly url: string
  /** The `job` grouping label. @default 'catalog-etl' */
  readonly job?: string | undefined
  /** Request timeout in ms. @default 10000 */
  readonly timeoutMs?: number | undefined
}

/** Options of {@link createMetricsObserver}. */
export interface MetricsObserverOptions {
  /** `--metrics-file`: a `.prom` file for the node exporter's textfile collector, rewritten atomically. */
  readonly file?: string | undefined
  /** `--pushgateway`: also push the metrics (POST, grouped by job, app and data source). */
  readonly pushgateway?: PushgatewayTarget | undefined
  /** Package version for `catalog_etl_run_info`. @default packageVersion() */
  readonly version?: string | undefined
  /** Receives the metrics text when the run ends. */
  readonly onMetrics?: ((text: string) => void) | undefined
}

/** The value of an unlabelled-or-labelled sample `name{…} value` in a Prometheus text, if present. */
export function readSample(text: string, name: string): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    const value = Number(line.slice(line.lastIndexOf(' ') + 1))
    if (Number.isFinite(value)) return value
  }
  return null
}

/**
 * A {@link RunObserver} that turns a run into Prometheus metrics (prom-client, its own registry): start, finish and
 * last completed (ok or partial) times, exit code, duration, items by outcome, records, and a histogram of item
 * durations, labelled `app` and `data_source`. At the end it writes them to `file` atomically (carrying the previous
 * file's last-completed time over a fatal run, so that a staleness alert keeps working) and pushes them to the
 * push gateway (after the file; a failed push fails this observer, which the run logs).
 */
export function createMetricsObserver(options: MetricsObserverOptions = {}): RunObserver {
  const registry = new Registry()
  const labelNames = ['app', 'data_source'] as const
  const gauge = (name: string, help: string, extra: readonly string[] = []) =>
    new Gauge({ name, help, labelNames: [...labelNames, ...extra], registers: [registry] })
  const info = gauge(METRIC_NAMES.info, 'catalog-etl runs, by version (always 1)', ['version'])
  const lastStart = gauge(METRIC_NAMES.lastStart, 'Start time of the last run (Unix seconds)')
  const lastFinish = gauge(METRIC_NAMES.lastFinish, 'End time of the last run, whatever its outcome')
  const exitCode = gauge(
    METRIC_NAMES.exitCode,
    'Exit code of the last run: 0 ok, 2 some items failed, 1 fatal',
  )
  const duration = gauge(METRIC_NAMES.duration, 'Length of the last run in seconds')
  const items = gauge(METRIC_NAMES.items, 'Items processed by the last run, by outcome', ['outcome'])
  const records = gauge(METRIC_NAMES.records, 'Records (files, rows) the last run produced')
  const itemDuration = new Histogram({
    name: METRIC_NAMES.itemDuration,
    help: 'Time to process one item, in seconds',
    labelNames: [...labelNames, 'outcome'],
    buckets: ITEM_DURATION_BUCKETS,
    registers: [registry],
  })
  let start: RunStartInfo | null = null
  let labels = { app: 'unknown', data_source: 'unknown' }
  const counts = { ok: 0, failed: 0, records: 0 }

  const previousCompleted = async (): Promise<number | null> => {
    if (!options.file) return null
    const text = await readFile(options.file, 'utf8').catch(() => '')
    return readSample(text, METRIC_NAMES.lastCompleted)
  }

  return {
    runStarted(startInfo) {
      start = startInfo
      labels = { app: startInfo.app, data_source: startInfo.dataSource }
      lastStart.set(labels, startInfo.startedAt.toSeconds())
    },
    itemFinished(_item, outcome) {
      counts[outcome.status] += 1
      if (outcome.status === 'ok') counts.records += outcome.records
      itemDuration.observe({ ...labels, outcome: outcome.status }, outcome.durationMs / 1000)
    },
    async runFinished(end) {
      info.set({ ...labels, version: options.version ?? packageVersion() }, 1)
      const finished = end.finishedAt.toSeconds()
      lastFinish.set(labels, finished)
      exitCode.set(labels, exitCodeOf(end.status))
      duration.set(labels, start ? finished - start.startedAt.toSeconds() : 0)
      items.set({ ...labels, outcome: 'ok' }, counts.ok)
      items.set({ ...labels, outcome: 'failed' }, counts.failed)
      records.set(labels, counts.records)
      const completed = end.status === 'fatal' ? await previousCompleted() : finished
      if (completed !== null) {
        gauge(METRIC_NAMES.lastCompleted, 'End time of the last run that was not fatal (Unix seconds)').set(
          labels,
          completed,
        )
      }
      const text = await registry.metrics()
      options.onMetrics?.(text)
      if (options.file) await writeFileAtomic(options.file, text)
      if (options.pushgateway) {
        const target = options.pushgateway
        const gateway = new Pushgateway(target.url, { timeout: target.timeoutMs ?? 10_000 }, registry)
        try {
          await gateway.pushAdd({ jobName: target.job ?? 'catalog-etl', groupings: labels })
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error)
          throw new Error(`Pushing metrics to ${redactText(target.url)} failed: ${redactText(reason)}`, {
            cause: error,
          })
        }
      }
    },
  }
}
