import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort, portOpen, runCommand, startProcess, stopProcess, waitFor } from './process-utils.js'

/** A PostgreSQL server for the tests. */
export interface PostgresServer {
  /** Superuser connection URL on 127.0.0.1. */
  readonly url: string
  readonly port: number
  /** How it was provided: a throwaway initdb cluster, `PG_URL`, or pglite-socket. */
  readonly kind: 'initdb' | 'external' | 'pglite-socket'
  /** The cluster directory and pg_ctl of an initdb cluster (for the stale-server sweep), else `null`. */
  readonly dataDir: string | null
  readonly pgCtl: string | null
  stop(): Promise<void>
}

const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin']

function findBinDir(): string | null {
  return BIN_DIRS.find((dir) => existsSync(join(dir, 'initdb'))) ?? null
}

function asPostgres(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]
}

/**
 * Starts PostgreSQL: the server in `PG_URL` if set; else a throwaway cluster with Debian's PostgreSQL binaries
 * (initdb as the `postgres` user when running as root); else pglite-socket, a wire-compatible fallback.
 */
export async function startPostgres(workDir: string): Promise<PostgresServer> {
  if (process.env.PG_URL) {
    const port = Number(new URL(process.env.PG_URL).port || 5432)
    return {
      url: process.env.PG_URL,
      port,
      kind: 'external',
      dataDir: null,
      pgCtl: null,
      stop: async () => {},
    }
  }
  const port = await freePort()
  const binDir = findBinDir()
  if (!binDir) return startPgliteSocket(workDir, port)
  const dataDir = join(workDir, 'pg')
  await mkdir(dataDir, { recursive: true })
  if (process.getuid?.() === 0) await runCommand('chown', ['-R', 'postgres:postgres', workDir])
  const [initCmd, initArgs] = asPostgres(join(binDir, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ])
  await runCommand(initCmd, initArgs)
  const options = [
    `-p ${port}`,
    `-k ${workDir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=100',
  ].join(' ')
  const logFile = join(workDir, 'postgres.log')
  const [startCmd, startArgs] = asPostgres(join(binDir, 'pg_ctl'), [
    '-D',
    dataDir,
    '-l',
    logFile,
    '-w',
    '-o',
    options,
    'start',
  ])
  await runCommand(startCmd, startArgs)
  await waitFor('PostgreSQL to accept connections', () => portOpen(port))
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    kind: 'initdb',
    dataDir,
    pgCtl: join(binDir, 'pg_ctl'),
    async stop() {
      const [stopCmd, stopArgs] = asPostgres(join(binDir, 'pg_ctl'), [
        '-D',
        dataDir,
        '-m',
        'immediate',
        'stop',
      ])
      await runCommand(stopCmd, stopArgs).catch(() => {})
    },
  }
}

async function startPgliteSocket(workDir: string, port: number): Promise<PostgresServer> {
  const bin = join(process.cwd(), 'node_modules', '.bin', 'pglite-server')
  if (!existsSync(bin)) {
    throw new Error(
      'No PostgreSQL binaries found (install postgresql-15, or set PG_URL), and @electric-sql/pglite-socket is not installed.',
    )
  }
  const child: ChildProcess = startProcess(bin, ['-p', String(port), '-h', '127.0.0.1', '-m', '10'], {
    logFile: join(workDir, 'pglite-socket.log'),
  })
  await waitFor('pglite-socket to accept connections', () => portOpen(port))
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    kind: 'pglite-socket',
    dataDir: null,
    pgCtl: null,
    stop: () => stopProcess(child),
  }
}
