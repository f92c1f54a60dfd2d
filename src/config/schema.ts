import { ConfigError } from '../support/errors.js'
import { DEFAULT_REPOSITORIES, PURPOSES, type Purpose, type RepositoryNames } from './repositories.js'

/** Built-in profiles. `local` is the embedded default. */
export const PROFILES = ['local'] as const
/** Storage driver kinds. */
export const STORAGE_KINDS = ['local', 'memory'] as const
/** Catalog driver kinds. */
export const CATALOG_KINDS = ['pglite', 'memory'] as const
/** Perfmet driver kinds (`catalog` writes into the catalog database; `none` drops the rows). */
export const PERFMET_KINDS = ['catalog', 'none'] as const
/** Unit-data source kinds. */
export const UNIT_DATA_KINDS = ['json-file'] as const
/** Publisher driver kinds. */
export const PUBLISHER_KINDS = ['csv'] as const
/** Log levels accepted by `--log-level`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export type Profile = (typeof PROFILES)[number]
export type StorageKind = (typeof STORAGE_KINDS)[number]
export type CatalogKind = (typeof CATALOG_KINDS)[number]
export type PerfmetKind = (typeof PERFMET_KINDS)[number]
export type UnitDataKind = (typeof UNIT_DATA_KINDS)[number]
export type PublisherKind = (typeof PUBLISHER_KINDS)[number]
export type LogLevel = (typeof LOG_LEVELS)[number]

/** The catalog database target; production and `--debug` runs each get their own. */
export interface CatalogTarget {
  /** PGlite data directory (file-backed); `null` keeps it in memory. */
  readonly dataDir: string | null
}

/** Every setting, validated and frozen (see docs/configuration.md). */
export interface Settings {
  /** The profile the defaults came from. */
  readonly profile: Profile
  /** The lake's time zone; only `America/Chicago` is supported. */
  readonly timezone: string
  /** Unit-data and BT/WT base name (`UNIT_LOCATION`). */
  readonly unitLocation: string
  /** Root of the local lake (`<lakeDir>/<repository>/<key>`). */
  readonly lakeDir: string
  /** Where run temp directories are created; `null` = the OS temp dir. */
  readonly tempRoot: string | null
  readonly storage: { readonly kind: StorageKind }
  readonly catalog: {
    readonly kind: CatalogKind
    /** Normal runs. */
    readonly production: CatalogTarget
    /** `--debug` runs: never the production target. */
    readonly debug: CatalogTarget
  }
  readonly perfmet: { readonly kind: PerfmetKind }
  readonly unitData: {
    readonly kind: UnitDataKind
    /** Directory holding `<ds>_unit_data.json` (the Knack stand-in of the local profile). */
    readonly dir: string
  }
  readonly publisher: {
    readonly kind: PublisherKind
    /** Directory for `<dataset id>.csv` files (debug runs write to `<dir>/debug`). */
    readonly dir: string
  }
  /** Purpose → repository names. */
  readonly repositories: Readonly<Record<Purpose, RepositoryNames>>
  readonly devices: {
    /** Directory of the AWAM share (Bluetooth source files). */
    readonly awamDir: string
  }
  readonly log: {
    readonly level: LogLevel
    /** Pretty-print logs: `auto` = when stderr is a terminal. */
    readonly pretty: 'auto' | boolean
  }
}

/** A partial, unvalidated settings tree as read from a profile, a file, env or flags. */
export type SettingsInput = { [key: string]: unknown }

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Deep-merges plain objects; later layers win, `undefined` never overrides. */
export function mergeSettings(...layers: readonly SettingsInput[]): SettingsInput {
  const out: SettingsInput = {}
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue
      const current = out[key]
      out[key] = isObject(value) && isObject(current) ? mergeSettings(current, value) : value
    }
  }
  return out
}

function pick<T extends string>(input: SettingsInput, path: string, choices: readonly T[]): T {
  const value = get(input, path)
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T
  throw new ConfigError(
    `Setting "${path}" is ${JSON.stringify(value)}; valid values: ${choices.map((c) => `"${c}"`).join(', ')}.`,
  )
}

function str(input: SettingsInput, path: string): string {
  const value = get(input, path)
  if (typeof value === 'string' && value.trim() !== '') return value
  throw new ConfigError(`Setting "${path}" must be a non-empty string (got ${JSON.stringify(value)}).`)
}

function nullableStr(input: SettingsInput, path: string): string | null {
  const value = get(input, path)
  if (value === null || value === undefined) return null
  return str(input, path)
}

function get(input: SettingsInput, path: string): unknown {
  let node: unknown = input
  for (const part of path.split('.')) node = isObject(node) ? node[part] : undefined
  return node
}

function deepFreeze<T>(value: T): T {
  if (isObject(value)) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

type Shape = { readonly [key: string]: Shape | true }

const REPOSITORY_SHAPE: Shape = { production: true, debug: true }
const SETTINGS_SHAPE: Shape = {
  $schema: true,
  profile: true,
  timezone: true,
  unitLocation: true,
  lakeDir: true,
  tempRoot: true,
  storage: { kind: true },
  catalog: { kind: true, production: { dataDir: true }, debug: { dataDir: true } },
  perfmet: { kind: true },
  unitData: { kind: true, dir: true },
  publisher: { kind: true, dir: true },
  repositories: Object.fromEntries(PURPOSES.map((p) => [p, REPOSITORY_SHAPE])),
  devices: { awamDir: true },
  log: { level: true, pretty: true },
}

function checkKeys(input: unknown, shape: Shape, prefix: string): void {
  if (!isObject(input)) return
  for (const [key, value] of Object.entries(input)) {
    const path = prefix ? `${prefix}.${key}` : key
    const expected = shape[key]
    if (expected === undefined) {
      const known = Object.keys(shape).filter((k) => k !== '$schema')
      throw new ConfigError(`Unknown setting "${path}"; known settings here: ${known.join(', ')}.`)
    }
    if (expected !== true) checkKeys(value, expected, path)
  }
}

/** Validates a merged settings tree and returns a deep-frozen {@link Settings}; throws {@link ConfigError}. */
export function parseSettings(input: SettingsInput): Settings {
  checkKeys(input, SETTINGS_SHAPE, '')
  const timezone = str(input, 'timezone')
  if (timezone !== 'America/Chicago' && timezone !== 'US/Central') {
    throw new ConfigError(`Setting "timezone" must be "America/Chicago" (got "${timezone}").`)
  }
  const repositories = {} as Record<Purpose, RepositoryNames>
  for (const purpose of PURPOSES) {
    const production = str(input, `repositories.${purpose}.production`)
    const debug = str(input, `repositories.${purpose}.debug`)
    if (production === debug) {
      throw new ConfigError(
        `Repositories for "${purpose}" must differ between production and debug ("${debug}").`,
      )
    }
    repositories[purpose] = { production, debug }
  }
  const catalogProduction = nullableStr(input, 'catalog.production.dataDir')
  const catalogDebug = nullableStr(input, 'catalog.debug.dataDir')
  if (catalogProduction !== null && catalogProduction === catalogDebug) {
    throw new ConfigError(
      'The debug catalog target must differ from the production one (catalog.debug.dataDir).',
    )
  }
  const pretty = get(input, 'log.pretty')
  const settings: Settings = {
    profile: pick(input, 'profile', PROFILES),
    timezone: 'America/Chicago',
    unitLocation: str(input, 'unitLocation'),
    lakeDir: str(input, 'lakeDir'),
    tempRoot: nullableStr(input, 'tempRoot'),
    storage: { kind: pick(input, 'storage.kind', STORAGE_KINDS) },
    catalog: {
      kind: pick(input, 'catalog.kind', CATALOG_KINDS),
      production: { dataDir: catalogProduction },
      debug: { dataDir: catalogDebug },
    },
    perfmet: { kind: pick(input, 'perfmet.kind', PERFMET_KINDS) },
    unitData: { kind: pick(input, 'unitData.kind', UNIT_DATA_KINDS), dir: str(input, 'unitData.dir') },
    publisher: { kind: pick(input, 'publisher.kind', PUBLISHER_KINDS), dir: str(input, 'publisher.dir') },
    repositories,
    devices: { awamDir: str(input, 'devices.awamDir') },
    log: {
      level: pick(input, 'log.level', LOG_LEVELS),
      pretty: pretty === true || pretty === false ? pretty : pick(input, 'log.pretty', ['auto'] as const),
    },
  }
  if (settings.perfmet.kind === 'catalog' && settings.catalog.kind !== 'pglite') {
    throw new ConfigError(
      'perfmet.kind "catalog" needs catalog.kind "pglite"; set perfmet.kind to "none" otherwise.',
    )
  }
  return deepFreeze(settings)
}

/** The defaults every profile starts from, with paths relative to `lakeDir` filled in by the loader. */
export const BASE_SETTINGS: SettingsInput = {
  timezone: 'America/Chicago',
  unitLocation: 'Austin',
  tempRoot: null,
  repositories: DEFAULT_REPOSITORIES,
  log: { level: 'info', pretty: 'auto' },
}
