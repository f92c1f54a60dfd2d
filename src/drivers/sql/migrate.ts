import { JOURNAL_TABLES, journalSchemaStatements } from './journal-schema.js'
import { runLockMigrationStatements } from './run-lock-schema.js'
import {
  catalogSchemaStatements,
  DEFAULT_SCHEMA,
  perfmetSchemaStatements,
  qualifiedName,
  quoteIdent,
  TABLES,
} from './schema.js'
import { type SqlClient, withTransaction } from './sql-client.js'

/** One schema change, applied once and recorded in `catalog_etl.schema_migrations`. */
export interface Migration {
  /** Sortable, never reused (`001_catalog`). */
  readonly version: string
  /** Statements for a schema name. */
  readonly statements: (schema: string) => readonly string[]
}

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  { version: '001_catalog', statements: (schema) => catalogSchemaStatements(schema) },
  { version: '002_perfmet', statements: (schema) => perfmetSchemaStatements(schema) },
  { version: '003_run_journal', statements: (schema) => journalSchemaStatements(schema) },
  { version: '004_run_lock', statements: (schema) => runLockMigrationStatements(schema) },
]

/** The PostgREST roles the grants are given to (spec §4.1: anonymous has no access, a writer role has all). */
export interface PostgrestRoles {
  /** `PGRST_DB_ANON_ROLE`: no access to the tables. @default 'web_anon' */
  readonly anon?: string
  /** The role named in the JWT `role` claim: select/insert/update/delete and sequence usage. @default 'catalog_writer' */
  readonly writer?: string
  /** The login role PostgREST connects as; granted both roles. `null` leaves it alone. @default 'authenticator' */
  readonly authenticator?: string | null
}

/** Options of {@link migrateDatabase}. */
export interface MigrateOptions {
  /** Schema of the tables. @default 'api' */
  readonly schema?: string
  /** Create the PostgREST roles (when missing) and grant them; omitted: no roles or grants. */
  readonly roles?: PostgrestRoles
  /** Ask a running PostgREST to reload its schema cache afterwards. @default true when `roles` is given */
  readonly notifyPostgrest?: boolean
}

/** What {@link migrateDatabase} did. */
export interface MigrateResult {
  /** Versions applied by this call (empty when the database was up to date). */
  readonly applied: readonly string[]
  /** Whether roles and grants were (re)applied. */
  readonly granted: boolean
}

const LOCK_ID = 7_245_113_001

function createRole(name: string, login: boolean): string {
  const quoted = quoteIdent(name)
  return `do $$ begin
  if not exists (select 1 from pg_roles where rolname = '${name}') then
    create role ${quoted} ${login ? 'login noinherit' : 'nologin'};
  end if;
end $$`
}

function grantStatements(schema: string, roles: Required<PostgrestRoles>): string[] {
  const anon = quoteIdent(roles.anon)
  const writer = quoteIdent(roles.writer)
  const tables = [...Object.values(TABLES), ...Object.values(JOURNAL_TABLES)].map((table) =>
    qualifiedName(schema, table),
  )
  const out = [createRole(roles.anon, false), createRole(roles.writer, false)]
  out.push(`grant usage on schema ${quoteIdent(schema)} to ${anon}, ${writer}`)
  out.push(`revoke all on ${tables.join(', ')} from ${anon}`)
  out.push(`grant select, insert, update, delete on ${tables.join(', ')} to ${writer}`)
  out.push(`grant usage, select on all sequences in schema ${quoteIdent(schema)} to ${writer}`)
  if (roles.authenticator) {
    out.push(createRole(roles.authenticator, true))
    out.push(`grant ${anon}, ${writer} to ${quoteIdent(roles.authenticator)}`)
  }
  return out
}

/**
 * Brings a PostgreSQL database up to date: the catalog and perfmet tables of spec §4.1/§6.2 in `schema`, recorded in
 * `catalog_etl.schema_migrations`, under an advisory lock so concurrent callers do not race; optionally the
 * PostgREST roles and grants. Idempotent.
 */
export async function migrateDatabase(
  client: SqlClient,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const schema = options.schema ?? DEFAULT_SCHEMA
  quoteIdent(schema)
  const applied: string[] = []
  await withTransaction(client, async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [LOCK_ID])
    await tx.query('create schema if not exists catalog_etl')
    await tx.query(`create table if not exists catalog_etl.schema_migrations (
  schema_name text not null,
  version text not null,
  applied_at timestamptz not null default now(),
  primary key (schema_name, version)
)`)
    const done = await tx.query<{ version: string }>(
      'select version from catalog_etl.schema_migrations where schema_name = $1',
      [schema],
    )
    const known = new Set(done.rows.map((row) => row.version))
    for (const migration of MIGRATIONS) {
      if (known.has(migration.version)) continue
      for (const statement of migration.statements(schema)) await tx.query(statement)
      await tx.query('insert into catalog_etl.schema_migrations (schema_name, version) values ($1, $2)', [
        schema,
        migration.version,
      ])
      applied.push(migration.version)
    }
    if (options.roles) {
      const roles = {
        anon: options.roles.anon ?? 'web_anon',
        writer: options.roles.writer ?? 'catalog_writer',
        authenticator:
          options.roles.authenticator === undefined ? 'authenticator' : options.roles.authenticator,
      }
      for (const statement of grantStatements(schema, roles as Required<PostgrestRoles>))
        await tx.query(statement)
    }
  })
  if (options.notifyPostgrest ?? Boolean(options.roles)) await client.query("notify pgrst, 'reload schema'")
  return { applied, granted: Boolean(options.roles) }
}
