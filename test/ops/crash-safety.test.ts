import { spawn } from 'node:child_process'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import { DateTime } from 'luxon'
import { loadSettings } from '../../src/config/load.js'
import type { SimulatedCamera } from '../../src/drivers/devices/gridsmart/simulator.js'
import { simulateDemoDevices } from '../../src/entries/demo-devices.js'
import { fixedClock } from '../../src/util/dates.js'
import { createPrng } from '../../src/util/prng.js'
import { compareStates, type LakeState, snapshot } from '../helpers/lake-state.js'

// Kills a pipeline run with SIGKILL at a random point, lets the next (cron) run finish, and compares the lake with an
// uninterrupted run. CRASH_SEED / CRASH_TRIALS / CRASH_TRIAL reproduce or widen a run;
// CRASH_KEEP=1 keeps the lakes of failed trials.

const CHILD = fileURLToPath(new URL('./fixtures/pipeline-child.ts', import.meta.url))
const TSX = import.meta.resolve('tsx')
const ZONE = 'America/Chicago'
const DAYS = [1, 2, 3].map((day) => DateTime.fromObject({ year: 2019, month: 6, day }, { zone: ZONE }))
const NOW = DateTime.fromObject({ year: 2019, month: 6, day: 10, hour: 3 }, { zone: ZONE })
const WINDOW = ['2019-06-01', '2019-06-04'] as const
/** A child (one app, or a whole pipeline) running longer than this is killed and reported as hung. */
const CHILD_LIMIT_MS = 120_000
/** No new trial starts after this much time; the test then fails naming the trials it did not run. */
const TRIALS_BUDGET_MS = 420_000
const PIPELINES: Record<string, readonly string[]> = {
  bt: ['bt-insert-lake', 'bt-json-standard', 'bt-ready', 'bt-extract-soc'],
  wt: ['wt-insert-lake', 'wt-json-standard', 'wt-ready', 'wt-extract-soc'],
  gs: ['gs-insert-lake', 'gs-json-standard', 'gs-ready', 'gs-ready-agg', 'gs-agg-extract-soc'],
}
const SOURCES = Object.keys(PIPELINES)
const BASE_SEED = Number(process.env.CRASH_SEED ?? 20190601)
const TRIALS = Number(process.env.CRASH_TRIALS ?? 20)
const ONLY_TRIAL = process.env.CRASH_TRIAL === undefined ? null : Number(process.env.CRASH_TRIAL)
interface ChildRun {
  /** Exit code of each app that finished. */
  readonly codes: Record<string, number>
  /** Whether the child was killed (by the crash timer or as hung). */
  readonly killed: boolean
  /** The app that was running when the child was killed (null: between apps). */
  readonly killedApp: string | null
  /** Whether the child was killed because it outlived {@link CHILD_LIMIT_MS}. */
  readonly hung: boolean
  /** Time from the first app's start marker to the last exit marker (module loading excluded). */
  readonly ms: number
  readonly output: string
}

function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CATALOG_ETL_')))
}

/**
 * Runs `apps` one after another in one child process (see fixtures/pipeline-child.ts); `killAfterMs` SIGKILLs it
 * that long after the first app started (module loading is not counted).
 * A child that outlives {@link CHILD_LIMIT_MS} is killed too and reported as hung.
 */
function runChild(lake: string, apps: readonly string[], killAfterMs?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    let started = 0
    let ended = 0
    const codes: Record<string, number> = {}
    let output = ''
    let running: string | null = null
    let killed = false
    let killedApp: string | null = null
    let hung = false
    const child = spawn(
      process.execPath,
      ['--import', TSX, CHILD, lake, NOW.toISO() ?? '', WINDOW[0], WINDOW[1], ...apps],
      { cwd: lake, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const kill = (why: 'crash' | 'hung') => {
      if (child.exitCode !== null || child.signalCode !== null) return
      hung = why === 'hung'
      killed = true
      killedApp = running
      child.kill('SIGKILL')
    }
    let crashTimer: ReturnType<typeof setTimeout> | null = null
    const hangTimer = setTimeout(() => kill('hung'), CHILD_LIMIT_MS)
    let pending = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        const [marker, app, code] = line.split(' ')
        if (marker === '@@start' && app) {
          running = app
          if (started === 0) {
            started = Date.now()
            if (killAfterMs !== undefined) crashTimer = setTimeout(() => kill('crash'), killAfterMs)
          }
        }
        if (marker === '@@exit' && app) {
          codes[app] = Number(code)
          running = null
          ended = Date.now()
        }
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', () => {
      if (crashTimer) clearTimeout(crashTimer)
      clearTimeout(hangTimer)
      resolve({ codes, killed, killedApp, hung, ms: ended - started, output })
    })
  })
}

async function pool<T>(tasks: readonly (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const index = next
      next += 1
      results[index] = await (tasks[index] as () => Promise<T>)()
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker))
  return results
}

describe('crash safety: SIGKILL at a random point, then the next run', function () {
  this.timeout(TRIALS_BUDGET_MS + 2 * CHILD_LIMIT_MS + 60_000)
  let root = ''
  let prepared = ''
  let cameras: readonly SimulatedCamera[] = []
  /** Per source: the final state of an uninterrupted night, and each app's own run time. */
  const reference = new Map<string, { state: LakeState; appMs: number[] }>()
  const stageDir = (source: string, index: number) =>
    index === 0 ? prepared : join(root, `stage-${source}-${index}`)

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'catalog-etl-crash-'))
    prepared = join(root, 'prepared')
    const settings = loadSettings({ env: {}, cwd: root, overrides: { lakeDir: prepared } })
    const devices = await simulateDemoDevices(settings, DAYS, NOW, {
      readers: 4,
      iafRows: 200,
      intersections: 2,
      gsRowsPerZone: 20,
      cameraClock: fixedClock(NOW),
    })
    cameras = devices.cameras
    await pool(
      SOURCES.map((source) => async () => {
        const apps = PIPELINES[source] ?? []
        const lake = join(root, `reference-${source}`)
        await cp(prepared, lake, { recursive: true })
        const appMs: number[] = []
        for (const [index, app] of apps.entries()) {
          const run = await runChild(lake, [app])
          expect(run.codes, `${app}\n${run.output}`).to.deep.equal({ [app]: 0 })
          appMs.push(run.ms)
          if (index + 1 < apps.length) await cp(lake, stageDir(source, index + 1), { recursive: true })
        }
        reference.set(source, { state: await snapshot(lake), appMs })
      }),
      2,
    )
  })

  after(async () => {
    await Promise.all(cameras.map((camera) => camera.close()))
    if (root && process.env.CRASH_KEEP) process.stdout.write(`      kept ${root}\n`)
    else if (root) await rm(root, { recursive: true, force: true })
  })

  it(`ends in the state of an uninterrupted run (${TRIALS} trials)`, async () => {
    const started = Date.now()
    const indices = ONLY_TRIAL === null ? Array.from({ length: TRIALS }, (_, i) => i) : [ONLY_TRIAL]
    const failures: string[] = []
    const killedAt: string[] = []
    const skipped: number[] = []
    await pool(
      indices.map((trial) => async () => {
        if (Date.now() - started > TRIALS_BUDGET_MS) {
          skipped.push(trial)
          return
        }
        const seed = BASE_SEED + trial
        const source = SOURCES[trial % SOURCES.length] as string
        const apps = PIPELINES[source] ?? []
        const ref = reference.get(source)
        if (!ref) throw new Error(`no reference for ${source}`)
        const random = createPrng(seed)
        const index = Math.floor(random() * apps.length)
        const app = apps[index] as string
        const delay = Math.floor(random() * 1.05 * (ref.appMs[index] ?? 0))
        const lake = join(root, `trial-${trial}`)
        await cp(stageDir(source, index), lake, { recursive: true })
        const crashed = await runChild(lake, [app], delay)
        const rerun = await runChild(lake, apps)
        const when = !crashed.killed ? 'ended' : crashed.killedApp ? 'killed' : 'killed between apps'
        const where = `trial ${trial} (CRASH_SEED=${BASE_SEED} CRASH_TRIAL=${trial}: ${source}, ${app} ${when}, kill timer ${delay} ms)`
        killedAt.push(`${app}(${when})`)
        const bad = apps.filter((name) => rerun.codes[name] !== 0)
        let problems = [
          `${crashed.hung ? `${app} hung (killed after ${CHILD_LIMIT_MS} ms); ` : ''}${rerun.hung ? 'the next run hung; ' : ''}` +
            `next run's exit codes ${JSON.stringify(rerun.codes)}\n${rerun.output.slice(-1500)}`,
        ]
        if (bad.length === 0 && !crashed.hung) {
          const state = await snapshot(lake)
          problems = compareStates(state, ref.state)
          for (const file of state.tempFiles) problems.push(`temp file left behind: ${file}`)
        }
        if (problems.length > 0) failures.push(`${where}:\n  ${problems.slice(0, 20).join('\n  ')}`)
        else await rm(lake, { recursive: true, force: true })
      }),
      Math.max(1, Math.min(2, availableParallelism())),
    )
    process.stdout.write(
      `      crash trials: ${indices.length - skipped.length} in ${Date.now() - started} ms; app ms ${JSON.stringify(Object.fromEntries([...reference].map(([s, r]) => [s, r.appMs])))}; killed in ${killedAt.sort().join(' ')}\n`,
    )
    expect(failures, failures.join('\n')).to.deep.equal([])
    expect(skipped, `trials not run within ${TRIALS_BUDGET_MS} ms: ${skipped.join(', ')}`).to.deep.equal([])
  })
})
