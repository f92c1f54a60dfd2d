import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { migrateDatabase } from '../../src/drivers/sql/migrate.js'
import { createPgClient } from '../../src/drivers/sql/pg-client.js'
import type { SqlClient } from '../../src/drivers/sql/sql-client.js'
import { signJwt } from './jwt.js'
import { type PostgresServer, startPostgres } from './postgres-server.js'
import { type PostgrestServer, startPostgrest } from './postgrest-server.js'
import { type S3Server, startS3 } from './s3-server.js'
import { stopRecorded, sweepStaleServices, WORKDIR_PREFIX, writeOwner } from './stale-sweep.js'

/** PostgREST roles used by the tests (the same names `catalog-etl db migrate` uses by default). */
export const TEST_ROLES = {
  anon: 'web_anon',
  writer: 'catalog_writer',
  authenticator: 'authenticator',
} as const

/** The real servers of a test run, all on 127.0.0.1. */
export interface TestServices {
  readonly workDir: string
  readonly pg: {
    /** Superuser URL. */
    readonly url: string
    readonly kind: PostgresServer['kind']
    /** A fresh client (the caller closes it). */
    client(): Promise<SqlClient>
  }
  readonly postgrest: {
    readonly url: string
    readonly adminUrl: string
    readonly schema: 'api'
    readonly jwtSecret: string
    /** A bearer token for a role (default: the writer role). */
    token(role?: string, extra?: Record<string, unknown>): string
    /** Empties the catalog and perfmet tables behind PostgREST. */
    truncate(): Promise<void>
  }
  readonly s3: {
    readonly endpoint: string
    readonly region: 'us-east-1'
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }
    /** A client for the server (path-style); the caller may keep it. */
    client(): S3Client
    /** Creates a bucket with a unique name derived from `prefix`; returns its name. */
    createBucket(prefix: string): Promise<string>
  }
  /** Paths of the server logs. */
  readonly logs: readonly string[]
}

let starting: Promise<TestServices> | null = null
let stoppers: (() => Promise<void>)[] = []
let keepLogs = false

/** Starts PostgreSQL, PostgREST and the S3 server once per test run (lazily, on first call) and returns them. */
export function getTestServices(): Promise<TestServices> {
  starting ??= start().catch((error: unknown) => {
    starting = null
    throw error
  })
  return starting
}

/** Marks the run as failed so that the server logs are kept and their paths printed at the end. */
export function keepServiceLogs(): void {
  keepLogs = true
}

/** Stops every server started by {@link getTestServices}; removes the logs unless a test failed. */
export async function stopTestServices(): Promise<void> {
  if (!starting) return
  const services = await starting.catch(() => null)
  starting = null
  const current = stoppers.reverse()
  stoppers = []
  for (const stop of current) await stop().catch(() => {})
  if (!services) return
  if (keepLogs) process.stderr.write(`Test server logs kept in ${services.workDir}\n`)
  else await rm(services.workDir, { recursive: true, force: true })
}

async function start(): Promise<TestServices> {
  sweepStaleServices()
  const workDir = await mkdtemp(join(tmpdir(), WORKDIR_PREFIX))
  await chmod(workDir, 0o755)
  writeOwner(workDir, {})
  process.once('exit', () => stopRecorded(workDir))
  const [pg, s3] = await Promise.all([startPostgres(workDir), startS3(join(workDir, 's3.log'))])
  stoppers.push(pg.stop, s3.stop)
  writeOwner(workDir, { children: [s3.pid], pgDataDir: pg.dataDir, pgCtl: pg.pgCtl })
  const admin = await createPgClient({ connectionString: pg.url, maxConnections: 2 })
  try {
    await migrateDatabase(admin, { schema: 'api', roles: TEST_ROLES })
  } finally {
    await admin.close()
  }
  const jwtSecret = randomBytes(32).toString('hex')
  const dbUri = `postgres://${TEST_ROLES.authenticator}@127.0.0.1:${pg.port}/postgres`
  const postgrest: PostgrestServer = await startPostgrest({
    dbUri,
    schema: 'api',
    anonRole: TEST_ROLES.anon,
    jwtSecret,
    logFile: join(workDir, 'postgrest.log'),
  })
  stoppers.push(postgrest.stop)
  writeOwner(workDir, { children: [s3.pid, postgrest.pid] })
  const s3Server: S3Server = s3
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
  const s3Client = () =>
    new S3Client({ endpoint: s3Server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials })
  let buckets = 0
  return {
    workDir,
    pg: { url: pg.url, kind: pg.kind, client: () => createPgClient({ connectionString: pg.url }) },
    postgrest: {
      url: postgrest.url,
      adminUrl: postgrest.adminUrl,
      schema: 'api',
      jwtSecret,
      token: (role = TEST_ROLES.writer, extra = {}) => signJwt({ role, ...extra }, jwtSecret),
      async truncate() {
        const client = await createPgClient({ connectionString: pg.url, maxConnections: 1 })
        try {
          await client.query(
            'truncate api.data_lake_cat, api.etl_perfmet_job, api.etl_perfmet_obs, api.etl_run_item, api.etl_run, api.etl_run_lock',
          )
        } finally {
          await client.close()
        }
      },
    },
    s3: {
      endpoint: s3Server.endpoint,
      region: 'us-east-1',
      credentials,
      client: s3Client,
      async createBucket(prefix) {
        buckets += 1
        const name = `${prefix}-${process.pid}-${buckets}`
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, '-')
          .slice(0, 63)
        const client = s3Client()
        try {
          await client.send(new CreateBucketCommand({ Bucket: name }))
        } finally {
          client.destroy()
        }
        return name
      },
    },
    logs: [join(workDir, 'postgres.log'), join(workDir, 'postgrest.log'), join(workDir, 's3.log')],
  }
}
