import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { mkdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAwamReaders, writeAwamDay } from '../src/drivers/devices/awam-generator.js'
import { formatDay, formatPyTs, localizeWall } from '../src/util/dates.js'
import type { P2ChildArgs, P2ChildResult, P2File } from './p2-shared.js'
import { runBenchChild } from './run-child.js'
import { type BenchContext, type BenchModule, type Figure, median } from './types.js'

const CHILD = fileURLToPath(new URL('./p2-child.ts', import.meta.url))
const CWD = fileURLToPath(new URL('..', import.meta.url))
const PROCESSING_DATE = formatPyTs(localizeWall({ year: 2019, month: 6, day: 20, hour: 10 }))
/** One core per child: the last CPU, so that the parent keeps the other. */
const PIN = existsSync('/usr/bin/taskset') ? ['taskset', '-c', '1'] : []

async function runChild(args: P2ChildArgs): Promise<P2ChildResult> {
  const { result } = await runBenchChild<P2ChildResult>(CHILD, args, { cwd: CWD, prefix: PIN })
  return result as P2ChildResult
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Writes one AWAM day with `iafRows` IAF rows and returns its IAF file (the only one converted). */
async function generateDay(dir: string, day: number, iafRows: number): Promise<P2File> {
  const date = localizeWall({ year: 2019, month: 6, day })
  const readers = createAwamReaders(50, 11)
  const written = await writeAwamDay(dir, date, { readers, seed: 11, iafRows, itmfRows: 100 })
  const name = `Austin_bt_${formatDay(date)}_unmatched`
  return {
    path: written.paths.unmatched,
    originFilename: `${name}.txt`,
    targetFilename: `${name}.json`,
    collectionDate: formatPyTs(date),
    processingDate: PROCESSING_DATE,
  }
}

const mb = (bytes: number): number => bytes / 1e6

/**
 * P2: the real `bt-json-standard` transform (standardizeAwam + the Storage facade's local writer) against a bare
 * hand-written read → split → concatenate → write loop producing the same bytes, each in a child pinned to one core.
 */
const p2: BenchModule = {
  id: 'P2',
  title: 'bt-json-standard vs a bare stream',
  async run(ctx: BenchContext): Promise<Figure[]> {
    const rounds = ctx.quick ? 1 : 3
    const dayRows = ctx.quick ? [650_000] : [1_350_000, 1_350_000, 1_350_000, 1_350_000]
    const rawDir = join(ctx.tmpDir, 'raw')
    await mkdir(rawDir, { recursive: true })
    const started = performance.now()
    const small = await generateDay(rawDir, 1, 20_000)
    const big: P2File[] = []
    for (const [i, rows] of dayRows.entries()) big.push(await generateDay(rawDir, 3 + i, rows))
    const sizes = await Promise.all(big.map(async (f) => (await stat(f.path)).size))
    const totalBytes = sizes.reduce((a, b) => a + b, 0)
    const smallBytes = (await stat(small.path)).size
    ctx.log(
      `generated ${big.length} IAF file(s), ${mb(totalBytes).toFixed(0)} MB, and a ${mb(smallBytes).toFixed(1)} MB ` +
        `one in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )

    let outCount = 0
    const convert = async (contestant: P2ChildArgs['contestant'], files: readonly P2File[], keep = false) => {
      outCount += 1
      const outDir = join(ctx.tmpDir, `out-${outCount}`)
      const result = await runChild({ contestant, files, outDir })
      if (!keep) await rm(outDir, { recursive: true, force: true })
      return result
    }

    const appSmall = await convert('app', [small], true)
    const bareSmall = await convert('bare', [small], true)
    const [appHash, bareHash] = await Promise.all([
      sha256(appSmall.outputs[0] as string),
      sha256(bareSmall.outputs[0] as string),
    ])
    if (appHash !== bareHash) {
      throw new Error(`P2: the bare stream's output differs from the app's (${bareHash} vs ${appHash})`)
    }
    ctx.log(`outputs of app and bare are byte-identical (sha256 ${appHash.slice(0, 16)}…)`)

    const mbps: Record<P2ChildArgs['contestant'], number[]> = { app: [], bare: [] }
    const appRss: number[] = []
    for (let round = 0; round < rounds; round += 1) {
      for (const contestant of ['app', 'bare'] as const) {
        const result = await convert(contestant, big)
        if (result.bytesIn !== totalBytes) throw new Error(`P2: ${contestant} read ${result.bytesIn} bytes`)
        const rate = mb(result.bytesIn) / (result.ms / 1000)
        mbps[contestant].push(rate)
        if (contestant === 'app') appRss.push(result.rssMb)
        ctx.log(
          `${contestant} round ${round + 1}: ${rate.toFixed(1)} MB/s, RSS ${result.rssMb.toFixed(0)} MB`,
        )
      }
    }
    const biggest = big[sizes.indexOf(Math.max(...sizes))] as P2File
    const appBigRss = big.length === 1 ? median(appRss) : (await convert('app', [biggest])).rssMb
    const app = median(mbps.app)
    const bare = median(mbps.bare)
    const setup = `${big.length} IAF file(s), ${mb(totalBytes).toFixed(0)} MB input; one core each (taskset); median of ${rounds} run(s)`
    const rssNote = `peak RSS of a child converting one ${mb(smallBytes).toFixed(1)} MB file vs the biggest (${mb(Math.max(...sizes)).toFixed(0)} MB)`
    return [
      {
        id: 'P2.app.mbps',
        label: 'bt-json-standard transform + writer: input throughput',
        value: round1(app),
        unit: 'MB/s',
        higherIsBetter: true,
        note: setup,
      },
      {
        id: 'P2.bare.mbps',
        label: 'bare hand-written stream (same bytes, fsynced too): input throughput',
        value: round1(bare),
        unit: 'MB/s',
        higherIsBetter: true,
        note: setup,
      },
      {
        id: 'P2.ratio',
        label: 'app throughput / bare throughput',
        value: Math.round((app / bare) * 100) / 100,
        unit: '×',
        higherIsBetter: true,
        target: { op: '>=', value: 0.7 },
        note: setup,
      },
      {
        id: 'P2.app.rss.smallMb',
        label: 'app peak RSS, small file',
        value: Math.round(appSmall.rssMb),
        unit: 'MB',
        higherIsBetter: false,
        note: rssNote,
      },
      {
        id: 'P2.app.rss.bigMb',
        label: 'app peak RSS, biggest file',
        value: Math.round(appBigRss),
        unit: 'MB',
        higherIsBetter: false,
        note: rssNote,
      },
      {
        id: 'P2.rssGrowthMb',
        label: 'app peak RSS growth, biggest file − small file',
        value: Math.round(appBigRss - appSmall.rssMb),
        unit: 'MB',
        higherIsBetter: false,
        target: { op: '<=', value: 100 },
        note: rssNote,
      },
    ]
  },
}

const round1 = (value: number): number => Math.round(value * 10) / 10

export default p2
