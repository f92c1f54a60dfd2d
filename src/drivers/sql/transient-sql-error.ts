/** Network error codes of Node sockets and the `mssql`/tedious driver that a new attempt may get past. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ESOCKET',
  'ETIMEOUT',
  'ECONNCLOSED',
])

/**
 * SQL Server error numbers that Microsoft documents as transient: deadlock victim (1205), lock request timeout
 * (1222), and the Azure SQL "service busy / database unavailable / resource limit" family.
 */
const TRANSIENT_MSSQL_NUMBERS = new Set([
  1205, 1222, 4060, 4221, 10928, 10929, 40143, 40197, 40501, 40540, 40613, 49918, 49919, 49920,
])

/**
 * PostgreSQL SQLSTATEs worth another attempt: connection exceptions (class 08), serialization failure and
 * deadlock (40001, 40P01), too many connections (53300), and a server shutting down or starting (57P01–57P03).
 */
function transientSqlState(state: string): boolean {
  return state.startsWith('08') || ['40001', '40P01', '53300', '57P01', '57P02', '57P03'].includes(state)
}

/**
 * Whether a database error (from `pg`, `mssql` or a socket) is transient: a dropped or refused connection, a
 * timeout, a deadlock, a busy server. Syntax errors, missing tables, bad credentials and data errors are not.
 */
export function isTransientSqlError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const e = current as { code?: unknown; number?: unknown; originalError?: unknown; cause?: unknown }
    if (typeof e.code === 'string') {
      if (TRANSIENT_CODES.has(e.code)) return true
      if (/^[0-9A-Z]{5}$/.test(e.code) && transientSqlState(e.code)) return true
    }
    if (typeof e.number === 'number' && TRANSIENT_MSSQL_NUMBERS.has(e.number)) return true
    current = e.originalError ?? e.cause
  }
  return false
}
