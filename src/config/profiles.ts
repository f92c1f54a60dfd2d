import { join } from 'node:path'
import type { Profile, SettingsInput } from './schema.js'

/** Default lake directory of the `local` profile, relative to the working directory. */
export const DEFAULT_LAKE_DIR = './lake'

/**
 * The defaults of a profile. Paths that live inside the lake are derived from `lakeDir`, so moving the lake
 * (`--lake-dir`, `CATALOG_ETL_LAKE_DIR`) moves everything with it. `production` stores objects in S3 buckets named
 * after the repositories and keeps the catalog and perfmet behind PostgREST (its URL is required).
 */
export function profileDefaults(profile: Profile, lakeDir: string): SettingsInput {
  switch (profile) {
    case 'local':
      return {
        profile,
        lakeDir,
        storage: { kind: 'local' },
        catalog: {
          kind: 'pglite',
          production: { dataDir: join(lakeDir, '.catalog') },
          debug: { dataDir: join(lakeDir, '.catalog-debug') },
        },
        perfmet: { kind: 'catalog' },
        unitData: { kind: 'json-file', dir: join(lakeDir, 'unit-data') },
        publisher: { kind: 'csv', dir: join(lakeDir, 'publish') },
        devices: {
          awamDir: join(lakeDir, 'devices', 'awam'),
          kits: { kind: 'pglite', dataDir: join(lakeDir, 'devices', 'kits') },
        },
      }
    case 'production':
      return {
        profile,
        lakeDir,
        storage: { kind: 's3' },
        catalog: { kind: 'postgrest' },
        perfmet: { kind: 'catalog' },
        unitData: { kind: 'knack', dir: join(lakeDir, 'unit-data') },
        publisher: { kind: 'socrata', dir: join(lakeDir, 'publish') },
        devices: { awamDir: '/app/awam', kits: { kind: 'mssql' } },
      }
  }
}
