import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BenchResults, figureLines, markdownReport, previousResults, regressions } from './report.js'
import type { BenchModule, Figure } from './types.js'

// npm run bench [-- --quick] [-- --only P1,P3]: runs the benchmarks, prints every figure with its target, and writes
// bench/results/<date>[-quick].md and .json; regressions of more than 20 % against the previous results of the same
// mode are printed loudly.

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url))

async function modules(): Promise<BenchModule[]> {
  const loaded = await Promise.all([
    import('./p1-compare.js'),
    import('./p2-transform.js'),
    import('./p3-catalog-traffic.js'),
    import('./p4-catch-up.js'),
    import('./p5-publish.js'),
  ])
  return loaded.map((m) => m.default)
}

async function main(argv: readonly string[]): Promise<number> {
  const quick = argv.includes('--quick')
  const onlyArg = argv.find((a) => a.startsWith('--only'))
  const only = onlyArg ? (onlyArg.split('=')[1] ?? argv[argv.indexOf(onlyArg) + 1] ?? '').split(',') : null
  const started = Date.now()
  const figures: Figure[] = []
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`)
  for (const module of await modules()) {
    if (only && !only.includes(module.id)) continue
    const tmpDir = await mkdtemp(join(tmpdir(), `bench-${module.id}-`))
    log(`${module.id}: ${module.title}${quick ? ' (quick)' : ''}`)
    const moduleStarted = Date.now()
    try {
      const found = await module.run({ quick, tmpDir, log: (m) => log(`${module.id}: ${m}`) })
      figures.push(...found)
      process.stdout.write(`\n${module.id} ${module.title}\n${figureLines(found).join('\n')}\n`)
    } finally {
      await rm(tmpDir, { recursive: true, force: true })
    }
    log(`${module.id}: done in ${((Date.now() - moduleStarted) / 1000).toFixed(1)} s`)
  }
  const date = new Date().toISOString().slice(0, 10)
  const name = `${date}${quick ? '-quick' : ''}${only ? `-${only.join('-')}` : ''}`
  const cpu = cpus()
  const results: BenchResults = {
    date,
    quick,
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.versions.node,
    },
    durationMs: Date.now() - started,
    figures,
  }
  const found = regressions(await previousResults(RESULTS, quick, `${name}.json`), figures)
  await mkdir(RESULTS, { recursive: true })
  await writeFile(join(RESULTS, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`)
  await writeFile(join(RESULTS, `${name}.md`), markdownReport(results, found))
  if (found.length > 0) {
    const lines = found.map(
      (r) =>
        `!!! REGRESSION ${r.id}: ${r.before} → ${r.after} (${r.changePct > 0 ? '+' : ''}${r.changePct.toFixed(0)} %)`,
    )
    process.stdout.write(`\n${'!'.repeat(72)}\n${lines.join('\n')}\n${'!'.repeat(72)}\n`)
  }
  process.stdout.write(
    `\nWrote bench/results/${name}.md and .json in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  )
  return 0
}

process.exitCode = await main(process.argv.slice(2))
