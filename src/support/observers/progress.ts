import type { DateTime } from 'luxon'
import type { RunObserver } from '../run-observer.js'

/** Where the progress line goes (a terminal). */
export interface ProgressStream {
  write(text: string): unknown
  /** Only a TTY gets a progress line. */
  readonly isTTY?: boolean | undefined
  /** Terminal width. @default 100 */
  readonly columns?: number | undefined
}

/** Options of {@link createProgressObserver}. */
export interface ProgressOptions {
  /** @default process.stderr */
  readonly stream?: ProgressStream | undefined
  /** Milliseconds between redraws. @default 200 */
  readonly minIntervalMs?: number | undefined
  /** Monotonic milliseconds (injected by tests). @default performance.now */
  readonly now?: (() => number) | undefined
  /** End of the window when the run has no `-e` (the same-day cutoff: today's midnight). */
  readonly windowEnd?: DateTime | undefined
  /** Bar width in characters. @default 20 */
  readonly barWidth?: number | undefined
}

function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  const two = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`
}

/**
 * A {@link RunObserver} drawing one progress line on a terminal (stderr by default; nothing at all when the stream
 * is not a TTY): a bar of how far the current item's date is through the run's window (items arrive in date order,
 * so this is the share of days done), the item count, failures, elapsed time and the current item. The line is
 * redrawn in place at most every `minIntervalMs` and erased when the run ends.
 */
export function createProgressObserver(options: ProgressOptions = {}): RunObserver {
  const stream: ProgressStream = options.stream ?? process.stderr
  if (stream.isTTY !== true) return {}
  const now = options.now ?? (() => performance.now())
  const minInterval = options.minIntervalMs ?? 200
  const barWidth = options.barWidth ?? 20
  let app = ''
  let from: number | null = null
  let to: number | null = null
  let started = 0
  let lastDraw = Number.NEGATIVE_INFINITY
  let drawn = false
  let items = 0
  let failed = 0

  const draw = (date: DateTime, label: string, force = false): void => {
    const t = now()
    if (!force && t - lastDraw < minInterval) return
    lastDraw = t
    let bar = ''
    if (from !== null && to !== null && to > from) {
      const share = Math.min(1, Math.max(0, (date.toMillis() - from) / (to - from)))
      const filled = Math.round(share * barWidth)
      bar = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${String(Math.round(share * 100)).padStart(3)}% `
    }
    const failures = failed > 0 ? `, ${failed} failed` : ''
    const head = `${app} ${bar}${items} item(s)${failures} ${formatElapsed(t - started)} ${date.toISODate() ?? ''} `
    const width = Math.max(20, (stream.columns ?? 100) - 1)
    const line = `${head}${label}`
    stream.write(`\r\u001b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`)
    drawn = true
  }

  return {
    runStarted(info) {
      app = info.app
      started = now()
      const start = info.args.startDate ?? info.args.lastRunDate
      const end = info.args.endDate ?? options.windowEnd ?? info.startedAt.startOf('day')
      from = start ? start.toMillis() : null
      to = end.toMillis()
    },
    itemStarted(item) {
      draw(item.identifier.date, item.label)
    },
    itemFinished(item, outcome) {
      items += 1
      if (outcome.status === 'failed') failed += 1
      draw(item.identifier.date, item.label)
    },
    runFinished() {
      if (drawn) stream.write('\r\u001b[2K')
    },
  }
}
