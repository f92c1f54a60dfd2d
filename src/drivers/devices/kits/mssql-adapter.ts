import type { config as MssqlConfig } from 'mssql'
import type { KitsSqlClient } from './types.js'

/** The part of an `mssql` `Request` the adapter uses (a structural type, so tests can record calls). */
export interface MssqlRequestLike {
  input(name: string, type: unknown, value: unknown): unknown
  query(text: string): Promise<{ recordset?: Record<string, unknown>[] | undefined }>
}

/** The part of a connected `mssql` `ConnectionPool` the adapter uses. */
export interface MssqlPoolLike {
  request(): MssqlRequestLike
  close(): Promise<unknown>
}

/** The part of the `mssql` module the adapter uses. */
export interface MssqlModuleLike {
  /** `sql.VarChar(length)`: the declared type of every bound parameter. */
  VarChar(length: number): unknown
  ConnectionPool: new (
    config: MssqlConfig | string,
  ) => MssqlPoolLike & {
    connect(): Promise<unknown>
    on(event: 'error', listener: (e: Error) => void): unknown
  }
}

/** Options of {@link createMssqlKitsClient}. */
export interface MssqlKitsClientOptions {
  /**
   * `mssql` connection settings (server, port, database, user, password, options) or a connection string. An
   * object without `requestTimeout` gets {@link MSSQL_REQUEST_TIMEOUT_MS} (a day's query can outlast the
   * library's 15 s default).
   */
  readonly config?: MssqlConfig | string
  /** A connected pool (the test seam; not closed by `close()`). */
  readonly pool?: MssqlPoolLike
  /** Loads the `mssql` module. @default a lazy `import('mssql')` */
  readonly loadModule?: () => Promise<MssqlModuleLike>
}

/** Request timeout given to a config object that sets none (5 minutes; pymssql had no timeout at all). */
export const MSSQL_REQUEST_TIMEOUT_MS = 300_000

/** Declared length of the bound text parameters (dates and wall times are at most 19 characters). */
export const MSSQL_PARAM_LENGTH = 32

async function importMssql(): Promise<MssqlModuleLike> {
  const loaded = (await import('mssql')) as unknown as MssqlModuleLike & { default?: MssqlModuleLike }
  return loaded.default ?? loaded
}

/**
 * The SQL Server adapter of the KITS driver (what the City runs), on the `mssql` package (tedious), loaded lazily
 * and connected on first query. Every parameter is bound by name (`@p1`, `@p2`, …) as `VarChar`; the statements
 * convert them with explicit styles, so `SET LANGUAGE`/`DATEFORMAT` cannot change their meaning.
 */
export function createMssqlKitsClient(options: MssqlKitsClientOptions): KitsSqlClient {
  if (!options.pool && !options.config) throw new TypeError('createMssqlKitsClient needs a config or a pool')
  const load = options.loadModule ?? importMssql
  let module: Promise<MssqlModuleLike> | undefined
  let connecting: Promise<MssqlPoolLike> | undefined
  let closed = false

  const sql = () => {
    module ??= load().catch((error: unknown) => {
      module = undefined
      throw error
    })
    return module
  }

  const pool = (): Promise<MssqlPoolLike> => {
    if (options.pool) return Promise.resolve(options.pool)
    connecting ??= (async () => {
      const { ConnectionPool } = await sql()
      const config = options.config as MssqlConfig | string
      const created = new ConnectionPool(
        typeof config === 'string' ? config : { requestTimeout: MSSQL_REQUEST_TIMEOUT_MS, ...config },
      )
      created.on('error', () => {})
      await created.connect()
      return created
    })().catch((error: unknown) => {
      connecting = undefined
      throw error
    })
    return connecting
  }

  return {
    dialect: 'mssql',
    async query(text, params) {
      if (closed) throw new Error('The KITS SQL Server client is closed')
      const [types, connected] = await Promise.all([sql(), pool()])
      const request = connected.request()
      params.forEach((value, index) => {
        request.input(`p${index + 1}`, types.VarChar(MSSQL_PARAM_LENGTH), value)
      })
      const result = await request.query(text)
      return result.recordset ?? []
    },
    async close() {
      if (closed) return
      closed = true
      const current = connecting
      connecting = undefined
      if (current) await (await current.catch(() => null))?.close()
    },
  }
}
