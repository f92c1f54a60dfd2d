import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Figure, meetsTarget } from './types.js'

/** A run's results as stored in `bench/results/<date>[-quick].json`. */
export interface BenchResults {
  readonly date: string
  readonly quick: boolean
  readonly machine: {
    readonly cpus: number
    readonly cpuModel: string
    readonly memoryGb: number
    readonly node: string
  }
  readonly durationMs: number
  readonly figures: readonly Figure[]
}

/** A change of more than 20 % for the worse against the previous run. */
export interface Regression {
  readonly id: string
  readonly before: number
  readonly after: number
  readonly changePct: number
}

/** The most recent stored results of the same mode (quick or full), other than `exceptName`. */
export async function previousResults(
  dir: string,
  quick: boolean,
  exceptName: string,
): Promise<BenchResults | null> {
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((n) => n.endsWith('.json') && n !== exceptName && n.includes('-quick') === quick)
    .sort()
  const last = names.at(-1)
  return last ? (JSON.parse(await readFile(join(dir, last), 'utf8')) as BenchResults) : null
}

/** Figures that got worse by more than `thresholdPct` against `before`. */
export function regressions(
  before: BenchResults | null,
  after: readonly Figure[],
  thresholdPct = 20,
): Regression[] {
  if (!before) return []
  const old = new Map(before.figures.map((f) => [f.id, f]))
  const out: Regression[] = []
  for (const figure of after) {
    const prior = old.get(figure.id)
    if (!prior || prior.value === 0) continue
    const changePct = ((figure.value - prior.value) / Math.abs(prior.value)) * 100
    const worse = figure.higherIsBetter ? -changePct : changePct
    if (worse > thresholdPct) out.push({ id: figure.id, before: prior.value, after: figure.value, changePct })
  }
  return out
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value)
  return Math.abs(value) >= 100
    ? value.toFixed(0)
    : Math.abs(value) >= 10
      ? value.toFixed(1)
      : value.toFixed(2)
}

/** One line per figure: label, value, target and whether it is met. */
export function figureLines(figures: readonly Figure[]): string[] {
  return figures.map((f) => {
    const met = meetsTarget(f)
    const target = f.target ? `target ${f.target.op} ${formatValue(f.target.value)} ${f.unit}` : 'no target'
    const verdict = met === null ? '' : met ? '  MET' : '  NOT MET'
    return `${f.id.padEnd(34)} ${formatValue(f.value).padStart(12)} ${f.unit.padEnd(10)} ${target}${verdict}`
  })
}

/** The Markdown report of a run. */
export function markdownReport(results: BenchResults, found: readonly Regression[]): string {
  const rows = results.figures.map((f) => {
    const met = meetsTarget(f)
    const target = f.target ? `${f.target.op} ${formatValue(f.target.value)}` : ''
    return `| ${f.id} | ${f.label} | ${formatValue(f.value)} | ${f.unit} | ${target} | ${met === null ? '' : met ? 'yes' : '**no**'} | ${f.note ?? ''} |`
  })
  const m = results.machine
  return [
    `# Benchmark results ${results.date}${results.quick ? ' (quick)' : ''}`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}. Run time ${(results.durationMs / 1000).toFixed(0)} s.`,
    '',
    '| id | figure | value | unit | target | met | note |',
    '| --- | --- | ---: | --- | --- | --- | --- |',
    ...rows,
    '',
    found.length === 0
      ? 'No regression of more than 20 % against the previous results.'
      : `**Regressions of more than 20 %:** ${found.map((r) => `${r.id} ${formatValue(r.before)} → ${formatValue(r.after)} (${r.changePct.toFixed(0)} %)`).join('; ')}`,
    '',
  ].join('\n')
}
