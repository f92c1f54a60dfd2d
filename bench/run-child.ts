import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'

/** Outcome of {@link runBenchChild}: the child's JSON line, or `null` when it was stopped at the time limit. */
export interface BenchChildOutcome<R> {
  readonly result: R | null
  /** Peak RSS read from `/proc/<pid>/status` (VmHWM) just before a stopped child was killed, in MB. */
  readonly hwmMb: number | null
}

/**
 * Spawns `process.execPath --import tsx --expose-gc <script> <json args>` (optionally under `prefix`, e.g.
 * `taskset -c 1`), and resolves with the last stdout line parsed as JSON. A child still running after
 * `timeoutMs` is killed (its pid only) and resolves with `result: null`. Rejects when the child fails.
 */
export async function runBenchChild<R>(
  script: string,
  args: unknown,
  options: { readonly timeoutMs?: number; readonly prefix?: readonly string[]; readonly cwd: string },
): Promise<BenchChildOutcome<R>> {
  const command = [...(options.prefix ?? []), process.execPath, '--import', 'tsx', '--expose-gc', script]
  const child = spawn(command[0] as string, [...command.slice(1), JSON.stringify(args)], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  let hwmMb: number | null = null
  let timedOut = false
  const timer =
    options.timeoutMs === undefined
      ? null
      : setTimeout(async () => {
          timedOut = true
          const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '')
          const kb = /VmHWM:\s+(\d+)/.exec(status)?.[1]
          hwmMb = kb ? Number(kb) / 1024 : null
          child.kill('SIGKILL')
        }, options.timeoutMs)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (exitCode) => resolve(exitCode))
  })
  if (timer) clearTimeout(timer)
  if (timedOut) return { result: null, hwmMb }
  if (code !== 0) throw new Error(`${script} exited with ${code}: ${stderr.trim()}`)
  const line = stdout.trim().split('\n').at(-1) ?? ''
  return { result: JSON.parse(line) as R, hwmMb: null }
}
