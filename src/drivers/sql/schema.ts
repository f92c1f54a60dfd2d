/** Default PostgreSQL schema of the catalog and perfmet tables (spec §4.1, §6.2). */
export const DEFAULT_SCHEMA = 'api'

/** Table names used by the SQL drivers. */
export const TABLES = {
  /** The data-lake catalog (spec §4.1). */
  catalog: 'data_lake_cat',
  /** Performance metrics, one row per job run (spec §6.2). */
  perfmetJob: 'etl_perfmet_job',
  /** Performance metrics, one row per sensor observation (spec §6.2). */
  perfmetObs: 'etl_perfmet_obs',
} as const

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/**
 * Quotes a schema or table name for SQL. Only plain identifiers (letters, digits, `_`, not starting with a
 * digit, at most 63 characters) are accepted, so a name can never inject SQL.
 * @throws Error when `name` is not a plain identifier.
 */
export function quoteIdent(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Invalid SQL identifier ${JSON.stringify(name)}`)
  return `"${name}"`
}

/** `"schema"."table"`, both validated by {@link quoteIdent}. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`
}

/**
 * Idempotent DDL of the catalog table (spec §4.1), one statement per element. Besides the primary key
 * (also the upsert conflict key) it creates the original's index on `collection_date` and an index
 * serving the compare-loop query (`repository, data_source` equality, ordered by date and identifiers).
 * Role grants are not included.
 * @param schema Schema name. @default 'api'
 * @param table Table name. @default 'data_lake_cat'
 */
export function catalogSchemaStatements(schema = DEFAULT_SCHEMA, table: string = TABLES.catalog): string[] {
  const name = qualifiedName(schema, table)
  return [
    `create schema if not exists ${quoteIdent(schema)}`,
    `create table if not exists ${name} (
  id serial not null,
  repository text not null,
  data_source text not null,
  id_base text not null,
  id_ext text not null,
  pointer text not null,
  collection_date timestamptz not null,
  collection_end timestamptz null,
  processing_date timestamptz null,
  metadata jsonb null,
  primary key (collection_date, repository, data_source, id_base, id_ext)
)`,
    `create index if not exists ${quoteIdent(`${table}_collection_date_idx`)} on ${name} (collection_date)`,
    `create index if not exists ${quoteIdent(`${table}_query_idx`)}
  on ${name} (repository, data_source, collection_date, id_base, id_ext)`,
  ]
}

/**
 * Idempotent DDL of the two perfmet tables (spec §6.2), one statement per element. Role grants are not
 * included.
 * @param schema Schema name. @default 'api'
 */
export function perfmetSchemaStatements(schema = DEFAULT_SCHEMA): string[] {
  const job = qualifiedName(schema, TABLES.perfmetJob)
  const obs = qualifiedName(schema, TABLES.perfmetObs)
  return [
    `create schema if not exists ${quoteIdent(schema)}`,
    `create table if not exists ${job} (
  id serial not null,
  data_source varchar not null,
  stage varchar not null,
  seconds real,
  records integer,
  processing_date timestamptz not null,
  collection_start timestamptz,
  collection_end timestamptz,
  primary key (processing_date, data_source, stage)
)`,
    `create table if not exists ${obs} (
  id serial not null,
  data_source varchar not null,
  sensor_name varchar not null,
  data_type varchar not null,
  data real,
  expected real,
  collection_date timestamptz not null,
  timestamp_min timestamptz,
  timestamp_max timestamptz,
  primary key (collection_date, data_source, data_type, sensor_name)
)`,
  ]
}

/** The catalog DDL as one script (statements joined with `;`), e.g. for documentation or `psql`. */
export function catalogSchemaSql(schema = DEFAULT_SCHEMA, table: string = TABLES.catalog): string {
  return `${catalogSchemaStatements(schema, table).join(';\n')};\n`
}

/** The perfmet DDL as one script (statements joined with `;`). */
export function perfmetSchemaSql(schema = DEFAULT_SCHEMA): string {
  return `${perfmetSchemaStatements(schema).join(';\n')};\n`
}
