import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Prefix of every service work directory in the OS temp dir. */
export const WORKDIR_PREFIX = 'catalog-etl-services-'

const OWNER_FILE = 'owner.json'

interface Owner {
  readonly pid: number
  readonly children: number[]
  readonly pgDataDir: string | null
  readonly pgCtl: string | null
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Records which test process owns the servers of `workDir`, so a later run can clean up after a killed one. */
export function writeOwner(workDir: string, owner: Partial<Owner>): void {
  const path = join(workDir, OWNER_FILE)
  const current: Owner = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as Owner)
    : { pid: process.pid, children: [], pgDataDir: null, pgCtl: null }
  writeFileSync(path, JSON.stringify({ ...current, ...owner, pid: process.pid }))
}

/** Stops the servers of `workDir` synchronously (used on exit and by the sweep). */
export function stopRecorded(workDir: string): void {
  const path = join(workDir, OWNER_FILE)
  if (!existsSync(path)) return
  const owner = JSON.parse(readFileSync(path, 'utf8')) as Owner
  for (const child of owner.children) {
    try {
      process.kill(child, 'SIGKILL')
    } catch {}
  }
  if (owner.pgCtl && owner.pgDataDir && existsSync(owner.pgDataDir)) {
    const args = [owner.pgCtl, '-D', owner.pgDataDir, '-m', 'immediate', 'stop']
    const [cmd, argv] =
      process.getuid?.() === 0
        ? ['runuser', ['-u', 'postgres', '--', ...args]]
        : [args[0] as string, args.slice(1)]
    spawnSync(cmd, argv, { stdio: 'ignore', timeout: 10_000 })
  }
}

/**
 * Stops and removes the servers of earlier test runs whose process is gone (a run killed with SIGKILL cannot
 * clean up after itself); leaves running runs and kept logs of failed runs without an owner alone.
 */
export function sweepStaleServices(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(WORKDIR_PREFIX)) continue
    const dir = join(tmpdir(), name)
    const ownerPath = join(dir, OWNER_FILE)
    if (!existsSync(ownerPath)) continue
    let owner: Owner
    try {
      owner = JSON.parse(readFileSync(ownerPath, 'utf8')) as Owner
    } catch {
      continue
    }
    if (owner.pid === process.pid || alive(owner.pid)) continue
    stopRecorded(dir)
    rmSync(ownerPath, { force: true })
  }
}
