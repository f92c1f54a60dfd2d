import { readFileSync } from 'node:fs'

/**
 * The `version` of catalog-etl's package.json (three folders up from this module, in `src/` and in `dist/`
 * alike), or `unknown` when it cannot be read.
 */
export function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')
    const version = (JSON.parse(text) as { version?: unknown }).version
    return typeof version === 'string' ? version : 'unknown'
  } catch {
    return 'unknown'
  }
}
