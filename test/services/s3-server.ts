import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, portOpen, startProcess, stopProcess, waitFor } from './process-utils.js'

/** A running S3-compatible server (fauxqs, in memory). */
export interface S3Server {
  /** `http://127.0.0.1:<port>`; fauxqs listens on all interfaces, only ever use 127.0.0.1. */
  readonly endpoint: string
  /** Process id (for the stale-server sweep). */
  readonly pid: number
  stop(): Promise<void>
}

/** Starts fauxqs 1.9.2 (`node node_modules/fauxqs/dist/cli.js`) on a free port. */
export async function startS3(logFile: string): Promise<S3Server> {
  const cli = join(process.cwd(), 'node_modules', 'fauxqs', 'dist', 'cli.js')
  if (!existsSync(cli)) throw new Error(`fauxqs not found at ${cli}; run npm install.`)
  const port = await freePort()
  const child: ChildProcess = startProcess(process.execPath, [cli], {
    logFile,
    env: { ...process.env, FAUXQS_PORT: String(port), FAUXQS_LOGGER: 'false', NODE_OPTIONS: '' },
  })
  await waitFor('the S3 server to accept connections', async () => {
    if (child.exitCode !== null) throw new Error(`fauxqs exited with ${child.exitCode}; see ${logFile}`)
    return portOpen(port)
  })
  return { endpoint: `http://127.0.0.1:${port}`, pid: child.pid ?? -1, stop: () => stopProcess(child) }
}
