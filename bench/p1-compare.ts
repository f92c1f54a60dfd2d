import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getTestServices, stopTestServices } from '../test/services/index.js'
import type { P1ChildArgs, P1ChildResult, P1Contestant } from './p1-shared.js'
import { runBenchChild } from './run-child.js'
import { type BenchContext, type BenchModule, type Figure, median } from './types.js'

const CHILD = fileURLToPath(new URL('./p1-child.ts', import.meta.url))
const CWD = fileURLToPath(new URL('..', import.meta.url))
const LABELS: Record<P1Contestant, string> = {
  embedded: 'compare loop, embedded PGlite catalog',
  pg: 'compare loop, PostgreSQL (pg driver)',
  reference: "reference (original's materialised listings), embedded PGlite catalog",
  loop: 'compare loop alone, listings generated in the process (no database)',
}

const sizeId = (n: number): string => `1e${Math.round(Math.log10(n))}`

interface Measured {
  ms: number
  rssMb: number | null
  /** Stopped at the time limit: `ms` is a lower bound. */
  capped: boolean
}

/**
 * P1: the streaming compare loop (`compareItems`) over N catalog rows per side (the target holds every second source
 * row) on the embedded PGlite catalog and on PostgreSQL, against the original's materialise-everything approach. Each
 * contestant and N runs in its own child so that its peak RSS is its own.
 */
const p1: BenchModule = {
  id: 'P1',
  title: 'compare loop over N catalog rows',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const sizes = ctx.quick ? [1e4, 1e5] : [1e4, 1e5, 1e6]
    const rounds = ctx.quick ? 1 : 3
    const capMs = 30_000
    const figures: Figure[] = []
    const times: Record<P1Contestant, Map<number, Measured>> = {
      embedded: new Map(),
      pg: new Map(),
      reference: new Map(),
      loop: new Map(),
    }
    let pgUrl: string | null = null
    let pgLoadMs = 0
    try {
      try {
        pgUrl = (await getTestServices()).pg.url
      } catch (error) {
        ctx.log(`PostgreSQL unavailable, pg contestant skipped: ${(error as Error).message}`)
      }
      for (const n of sizes) {
        const dataDir = join(ctx.tmpDir, `pglite-${sizeId(n)}`)
        const load = async (contestant: P1Contestant, extra: Partial<P1ChildArgs>) => {
          const args: P1ChildArgs = { mode: 'load', contestant, n, ...extra }
          const { result } = await runBenchChild<P1ChildResult>(CHILD, args, { cwd: CWD })
          if (!result || result.count !== n + n / 2)
            throw new Error(`P1 load of ${n} rows gave ${result?.count}`)
          ctx.log(`${contestant} loaded ${result.count} rows (N=${n}) in ${(result.ms / 1000).toFixed(1)} s`)
          figures.push({
            id: `P1.load.${contestant}.${sizeId(n)}.ms`,
            label: `bulk load into ${contestant === 'pg' ? 'PostgreSQL' : 'PGlite'}, N=${sizeId(n)}`,
            value: Math.round(result.ms),
            unit: 'ms',
            higherIsBetter: false,
            note: `${result.count} rows by one INSERT … SELECT generate_series, plus ANALYZE; informative, no target`,
          })
          return result.ms
        }
        await load('embedded', { dataDir })
        const contestants: P1Contestant[] = ['loop', 'embedded', 'reference']
        if (pgUrl && (n < 1e6 || pgLoadMs < 20_000)) {
          pgLoadMs = await load('pg', { url: pgUrl })
          contestants.push('pg')
        } else if (pgUrl) ctx.log(`pg N=${n} skipped: loading ${n / 10} rows took ${pgLoadMs.toFixed(0)} ms`)
        const samples = new Map<P1Contestant, Measured[]>(contestants.map((c) => [c, []]))
        for (let round = 0; round < rounds; round += 1) {
          for (const contestant of contestants) {
            const done = samples.get(contestant) as Measured[]
            if (done.some((m) => m.capped)) continue
            const args: P1ChildArgs =
              contestant === 'pg'
                ? { mode: 'run', contestant, n, url: pgUrl as string }
                : contestant === 'loop'
                  ? { mode: 'run', contestant, n }
                  : { mode: 'run', contestant, n, dataDir }
            const { result, hwmMb } = await runBenchChild<P1ChildResult>(CHILD, args, {
              cwd: CWD,
              timeoutMs: capMs,
            })
            if (result && result.count !== n / 2) {
              throw new Error(`P1 ${contestant} N=${n}: yielded ${result.count} items, expected ${n / 2}`)
            }
            const measured: Measured = result
              ? { ms: result.ms, rssMb: result.rssMb, capped: false }
              : { ms: capMs, rssMb: hwmMb, capped: true }
            done.push(measured)
            ctx.log(
              `${contestant} N=${n} round ${round + 1}: ${measured.capped ? '> ' : ''}${measured.ms.toFixed(0)} ms, ` +
                `RSS ${measured.rssMb?.toFixed(0) ?? '?'} MB${measured.capped ? ' (stopped at the time limit)' : ''}`,
            )
          }
        }
        await rm(dataDir, { recursive: true, force: true })
        for (const [contestant, list] of samples) {
          const capped = list.some((m) => m.capped)
          const ms = median(list.map((m) => m.ms))
          const rss = list.map((m) => m.rssMb).filter((v): v is number => v !== null)
          const rssMb = rss.length > 0 ? median(rss) : null
          times[contestant].set(n, { ms, rssMb, capped })
          figures.push(...sizeFigures(contestant, n, { ms, rssMb, capped }, list.length))
        }
      }
    } finally {
      await stopTestServices()
    }
    figures.push(scalingFigure(times.embedded, sizes, rounds))
    figures.push(scalingFigure(times.loop, sizes, rounds, 'loop'))
    const pgScaling = times.pg.size >= 2 ? scalingFigure(times.pg, [...times.pg.keys()], rounds, 'pg') : null
    if (pgScaling) figures.push(pgScaling)
    return figures
  },
}

function sizeFigures(contestant: P1Contestant, n: number, m: Measured, runs: number): Figure[] {
  const id = `P1.${contestant}.${sizeId(n)}`
  const capped = m.capped
    ? '; stopped at the time limit: the time is a lower bound, RSS the peak until then'
    : ''
  const yielded = m.capped ? 'expected to yield' : 'yielded'
  const note = `N=${n} source rows, ${n / 2} targets, ${n / 2} ${yielded}; median of ${runs} run(s)${capped}`
  const targeted = (contestant === 'embedded' || contestant === 'loop') && n === 1e6
  const out: Figure[] = [
    {
      id: `${id}.ms`,
      label: `${LABELS[contestant]}: drain time, N=${sizeId(n)}`,
      value: Math.round(m.ms),
      unit: 'ms',
      higherIsBetter: false,
      ...(targeted ? { target: { op: '<=', value: 2000 } } : {}),
      note,
    },
  ]
  if (m.rssMb !== null) {
    out.push({
      id: `${id}.rssMb`,
      label: `${LABELS[contestant]}: peak RSS of the child, N=${sizeId(n)}`,
      value: Math.round(m.rssMb),
      unit: 'MB',
      higherIsBetter: false,
      ...(targeted ? { target: { op: '<=', value: 300 } } : {}),
      note,
    })
  }
  return out
}

function scalingFigure(
  times: Map<number, Measured>,
  sizes: readonly number[],
  rounds: number,
  which: 'embedded' | 'pg' | 'loop' = 'embedded',
): Figure {
  const finished = (n: number) => times.get(n)?.capped === false
  const largest = sizes.at(-1) as number
  const big = [...sizes].reverse().find((n) => finished(n) && finished(n / 10)) ?? largest
  const small = big / 10
  const a = times.get(small)
  const b = times.get(big)
  const value = a && b && !a.capped && !b.capped ? Math.round((b.ms / a.ms) * 100) / 100 : Number.NaN
  const skipped =
    big === largest
      ? ''
      : `; ${sizeId(largest)} did not finish within the time limit, so this is the largest finished step`
  return {
    id: `P1.${which}.scaling`,
    label: `${which === 'pg' ? 'PostgreSQL' : which}: time(${sizeId(big)}) / time(${sizeId(small)})`,
    value,
    unit: '×',
    higherIsBetter: false,
    ...(which !== 'pg' ? { target: { op: '<=', value: 11 } } : {}),
    note: `medians of ${rounds} run(s)${skipped}`,
  }
}

export default p1
