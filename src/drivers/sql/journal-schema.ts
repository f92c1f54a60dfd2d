import { DEFAULT_SCHEMA, qualifiedName, quoteIdent } from './schema.js'

/** Table names of the run journal. */
export const JOURNAL_TABLES = {
  /** One row per run. */
  runs: 'etl_run',
  /** One row per item outcome of a run. */
  items: 'etl_run_item',
} as const

/**
 * Idempotent DDL of the run journal (migration `003_run_journal`), one statement per element. Text keys use the
 * `C` collation so that SQL, PostgREST and the memory driver order them the same way. Role grants are not included.
 * @param schema Schema name. @default 'api'
 */
export function journalSchemaStatements(schema = DEFAULT_SCHEMA): string[] {
  const runs = qualifiedName(schema, JOURNAL_TABLES.runs)
  const items = qualifiedName(schema, JOURNAL_TABLES.items)
  const index = (name: string) => quoteIdent(name)
  return [
    `create schema if not exists ${quoteIdent(schema)}`,
    `create table if not exists ${runs} (
  run_id text collate "C" not null primary key,
  app text not null,
  data_source text not null,
  status text not null check (status in ('running', 'ok', 'partial', 'fatal')),
  started_at timestamptz not null,
  finished_at timestamptz null,
  args jsonb not null default '{}'::jsonb,
  summary jsonb null,
  error jsonb null
)`,
    `create index if not exists ${index('etl_run_app_started_idx')} on ${runs} (app, started_at, run_id)`,
    `create index if not exists ${index('etl_run_started_idx')} on ${runs} (started_at, run_id)`,
    `create table if not exists ${items} (
  run_id text collate "C" not null references ${runs} (run_id) on delete cascade,
  app text not null,
  data_source text not null,
  id_base text collate "C" not null,
  id_ext text collate "C" not null,
  collection_date timestamptz not null,
  label text not null,
  status text not null check (status in ('ok', 'failed', 'quarantined')),
  error jsonb null,
  records integer not null,
  duration_ms double precision not null,
  recorded_at timestamptz not null,
  primary key (run_id, id_base, id_ext, collection_date)
)`,
    `create index if not exists ${index('etl_run_item_order_idx')}
  on ${items} (collection_date, id_base, id_ext, recorded_at, run_id)`,
    `create index if not exists ${index('etl_run_item_app_idx')}
  on ${items} (app, collection_date, id_base, id_ext, recorded_at, run_id)`,
  ]
}
