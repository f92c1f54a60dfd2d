import { link, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { EtlError } from '../../support/errors.js'

/** A held directory lock; `release` is idempotent. */
export interface DirLock {
  release(): Promise<void>
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes the temp files `<lock>.<pid>.tmp` that processes killed while taking the lock left behind. */
async function sweepTempFiles(path: string): Promise<void> {
  const prefix = `${basename(path)}.`
  const names = await readdir(dirname(path)).catch(() => [] as string[])
  for (const name of names) {
    const pid = Number(name.slice(prefix.length, -'.tmp'.length))
    if (!name.startsWith(prefix) || !name.endsWith('.tmp') || !Number.isInteger(pid)) continue
    if (pid !== process.pid && !alive(pid)) await rm(join(dirname(path), name), { force: true })
  }
}

/**
 * Takes an exclusive, process-level lock on a directory by creating `<dir>.lock` holding this process's pid and host
 * (written to a temp file first and hard-linked into place, so the lock file is never seen empty). PGlite opens a data directory from one process only: a second process opening it at the same time could
 * corrupt it, so an overlapping run refuses with `E_LOCKED`. A lock left by a process that no longer runs (on this
 * host) is taken over, and the temp files of processes killed while taking it are removed.
 */
export async function lockDirectory(dir: string, what: string): Promise<DirLock> {
  const path = `${dir}.lock`
  const me = { pid: process.pid, host: hostname() }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const temp = `${path}.${process.pid}.tmp`
    try {
      await writeFile(temp, JSON.stringify(me))
      try {
        await link(temp, path)
      } finally {
        await rm(temp, { force: true })
      }
      await sweepTempFiles(path)
      let released = false
      return {
        async release() {
          if (released) return
          released = true
          await rm(path, { force: true })
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let holder: { pid?: number; host?: string } = {}
      try {
        holder = JSON.parse(await readFile(path, 'utf8')) as typeof holder
      } catch {}
      const sameHost = holder.host === me.host
      if (sameHost && typeof holder.pid === 'number' && !alive(holder.pid)) {
        await rm(path, { force: true })
        continue
      }
      throw new EtlError(
        'E_LOCKED',
        `The ${what} at ${dir} is in use by another process (pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}); ` +
          `an embedded database can be opened by one process at a time. If no such process runs, remove ${path}.`,
      )
    }
  }
  throw new EtlError('E_LOCKED', `Could not lock ${dir}.`)
}
