import { DEFAULT_SCHEMA, qualifiedName, quoteIdent, TABLES } from './schema.js'

/** Table of the run locks (one row per held key). */
export const RUN_LOCK_TABLE = 'etl_run_lock'

/** The PostgREST functions of the run lock (called as `POST /rpc/<name>`). */
export const RUN_LOCK_FUNCTIONS = {
  /** `etl_try_lock(key, owner, lease_seconds)`: the lock row when granted (or renewed), else no row. */
  tryLock: 'etl_try_lock',
  /** `etl_release_lock(key, owner)`: `true` when this owner's row was deleted. */
  releaseLock: 'etl_release_lock',
  /** `etl_lock_holder(key)`: the row of an unexpired lease, else no row. */
  lockHolder: 'etl_lock_holder',
} as const

/** Idempotent DDL of the run-lock table, one statement per element (no grants). */
export function runLockTableStatements(schema = DEFAULT_SCHEMA): string[] {
  return [
    `create schema if not exists ${quoteIdent(schema)}`,
    `create table if not exists ${qualifiedName(schema, RUN_LOCK_TABLE)} (
  key text primary key,
  owner text not null,
  acquired_at timestamptz not null,
  expires_at timestamptz not null
)`,
  ]
}

/**
 * Only a role that may write the catalog may take run locks: the functions run as their owner (so the table needs
 * no grant), and check the caller's role — PostgREST's `SET ROLE`, else the session user.
 */
function authorize(schema: string): string {
  const catalog = qualifiedName(schema, TABLES.catalog)
  return `caller := coalesce(nullif(current_setting('role', true), 'none'), session_user);
  if not has_table_privilege(caller, '${catalog}', 'INSERT') then
    raise exception 'role % may not take run locks (it lacks INSERT on ${catalog.replaceAll("'", "''")})', caller
      using errcode = '42501';
  end if;`
}

/**
 * Idempotent DDL of the run-lock functions for PostgREST: `security definer` plpgsql that first checks that the
 * calling role may insert into the catalog table, then does one atomic statement on the lock table.
 */
export function runLockFunctionStatements(schema = DEFAULT_SCHEMA): string[] {
  const table = qualifiedName(schema, RUN_LOCK_TABLE)
  const fn = (name: string) => qualifiedName(schema, name)
  const header = (name: string, args: string, returns: string) =>
    `create or replace function ${fn(name)}(${args}) returns ${returns}
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
#variable_conflict use_column
declare caller text;
begin
  ${authorize(schema)}`
  return [
    `${header(RUN_LOCK_FUNCTIONS.tryLock, 'key text, owner text, lease_seconds double precision', `setof ${table}`)}
  if lease_seconds is null or lease_seconds <= 0 then
    raise exception 'lease_seconds must be positive' using errcode = '22023';
  end if;
  return query
    insert into ${table} as l (key, owner, acquired_at, expires_at)
    values (etl_try_lock.key, etl_try_lock.owner, now(), now() + make_interval(secs => lease_seconds))
    on conflict (key) do update
      set owner = excluded.owner,
          acquired_at = case when l.owner = excluded.owner then l.acquired_at else excluded.acquired_at end,
          expires_at = excluded.expires_at
      where l.expires_at <= now() or l.owner = excluded.owner
    returning l.*;
end $$`,
    `${header(RUN_LOCK_FUNCTIONS.releaseLock, 'key text, owner text', 'boolean')}
  delete from ${table} l where l.key = etl_release_lock.key and l.owner = etl_release_lock.owner;
  return found;
end $$`,
    `${header(RUN_LOCK_FUNCTIONS.lockHolder, 'key text', `setof ${table}`)}
  return query select l.* from ${table} l where l.key = etl_lock_holder.key and l.expires_at > now();
end $$`,
  ]
}

/** Migration `004_run_lock`: the table and the PostgREST functions. */
export function runLockMigrationStatements(schema = DEFAULT_SCHEMA): string[] {
  return [...runLockTableStatements(schema), ...runLockFunctionStatements(schema)]
}
