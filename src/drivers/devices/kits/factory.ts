import type { config as MssqlConfig } from 'mssql'
import type { Logger } from '../../../support/logger.js'
import { createPgliteClient } from '../../sql/sql-client.js'
import { createKitsSource } from './kits-source.js'
import { createMssqlKitsClient } from './mssql-adapter.js'
import { createPgKitsClient } from './pg-adapter.js'
import type { KitsSource, KitsTables } from './types.js'

/** Settings of a KITS source, as the configuration would hold them. */
export type KitsConnectionOptions =
  | {
      /** SQL Server (the City's KITS database). */
      readonly kind: 'mssql'
      /** `mssql` connection settings or a connection string (carries the password: build it from a secret). */
      readonly config: MssqlConfig | string
      /** @default `KITSDB.KITS.SYSDETHISTORYRM` / `KITSDB.KITS.DETECTORSRM` */
      readonly tables?: Partial<KitsTables>
    }
  | {
      /** PostgreSQL holding KITS-shaped tables (tests, demos, a replica). */
      readonly kind: 'pg'
      /** `postgres://…` connection URL. */
      readonly url: string
      /** @default `kits.sysdethistoryrm` / `kits.detectorsrm` */
      readonly tables?: Partial<KitsTables>
    }
  | {
      /** An embedded PGlite database directory holding KITS-shaped tables (the local profile's simulated KITS). */
      readonly kind: 'pglite'
      /** Data directory; opened on the first query, closed by `close()` (one instance per directory at a time). */
      readonly dataDir: string
      /** @default `kits.sysdethistoryrm` / `kits.detectorsrm` */
      readonly tables?: Partial<KitsTables>
    }

/**
 * A {@link KitsSource} for connection settings; nothing connects until the first query. `logger` receives the
 * retries of transiently failing queries.
 */
export function createKitsSourceFor(options: KitsConnectionOptions, logger?: Logger): KitsSource {
  const client =
    options.kind === 'mssql'
      ? createMssqlKitsClient({ config: options.config })
      : options.kind === 'pg'
        ? createPgKitsClient({ url: options.url })
        : createPgKitsClient({
            client: () => createPgliteClient({ dataDir: options.dataDir }),
            ownsClient: true,
          })
  return createKitsSource({
    client,
    ...(options.tables ? { tables: options.tables } : {}),
    ...(logger ? { logger } : {}),
  })
}
