import { ConfigError } from '../support/errors.js'
import { PURPOSES, type Purpose, type RepositoryNames } from './repositories.js'
import {
  CATALOG_KINDS,
  type CatalogTarget,
  KITS_KINDS,
  LOG_LEVELS,
  PERFMET_KINDS,
  PROFILES,
  PUBLISHER_KINDS,
  type Settings,
  type SettingsInput,
  type SettingsSecrets,
  STORAGE_KINDS,
  UNIT_DATA_KINDS,
} from './schema.js'
import { Secret } from './secret.js'

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

function nullableUrl(input: SettingsInput, path: string): string | null {
  const value = nullableStr(input, path)
  if (value === null) return null
  try {
    new URL(value)
  } catch {
    throw new ConfigError(`Setting "${path}" must be a URL (got ${JSON.stringify(value)}).`)
  }
  return value
}

function bool(input: SettingsInput, path: string): boolean {
  const value = get(input, path)
  if (value === true || value === 'true') return true
  if (value === false || value === 'false') return false
  throw new ConfigError(`Setting "${path}" must be true or false (got ${JSON.stringify(value)}).`)
}

function positiveInt(input: SettingsInput, path: string): number {
  const value = Number(get(input, path))
  if (Number.isInteger(value) && value > 0) return value
  throw new ConfigError(
    `Setting "${path}" must be a positive whole number (got ${JSON.stringify(get(input, path))}).`,
  )
}

function hostName(input: SettingsInput, path: string): string {
  const value = str(input, path)
  if (/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(value)) return value
  throw new ConfigError(
    `Setting "${path}" must be a host name, optionally with a port, no scheme (got ${JSON.stringify(value)}).`,
  )
}

function identifier(input: SettingsInput, path: string): string {
  const value = str(input, path)
  if (/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value)) return value
  throw new ConfigError(`Setting "${path}" must be a plain SQL identifier (got ${JSON.stringify(value)}).`)
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = 'redacted'
    return parsed.toString()
  } catch {
    return url
  }
}

function checkTargets(
  kind: (typeof CATALOG_KINDS)[number],
  production: CatalogTarget,
  debug: CatalogTarget,
): void {
  if (kind === 'pglite' && production.dataDir !== null && production.dataDir === debug.dataDir) {
    throw new ConfigError(
      'The debug catalog target must differ from the production one (catalog.debug.dataDir).',
    )
  }
  if (kind === 'postgres' || kind === 'postgrest') {
    if (!production.url) {
      const env = 'CATALOG_ETL_CATALOG_URL'
      throw new ConfigError(`catalog.kind "${kind}" needs catalog.production.url (or ${env}).`)
    }
    if (debug.url !== null && debug.url === production.url) {
      throw new ConfigError(
        `The debug catalog target must differ from the production one (both ${redactUrl(debug.url)}).`,
      )
    }
  }
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
const TARGET_SHAPE: Shape = { dataDir: true, url: true }
const SETTINGS_SHAPE: Shape = {
  $schema: true,
  profile: true,
  timezone: true,
  unitLocation: true,
  lakeDir: true,
  tempRoot: true,
  storage: { kind: true, s3: { endpoint: true, region: true, forcePathStyle: true, maxAttempts: true } },
  catalog: {
    kind: true,
    schema: true,
    production: TARGET_SHAPE,
    debug: TARGET_SHAPE,
    commitRows: true,
    commitSeconds: true,
  },
  perfmet: { kind: true },
  unitData: { kind: true, dir: true },
  publisher: {
    kind: true,
    dir: true,
    socrata: { host: true, debugHost: true, protocol: true, chunkSize: true },
  },
  repositories: Object.fromEntries(PURPOSES.map((p) => [p, REPOSITORY_SHAPE])),
  knack: { baseUrl: true, maxRequestsPerSecond: true, appId: true, perfmetAppId: true },
  devices: {
    awamDir: true,
    kits: {
      kind: true,
      dataDir: true,
      url: true,
      server: true,
      port: true,
      database: true,
      user: true,
      trustServerCertificate: true,
    },
  },
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
export function parseSettings(input: SettingsInput, secrets: SettingsSecrets = {}): Settings {
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
  const catalogKind = pick(input, 'catalog.kind', CATALOG_KINDS)
  const target = (which: 'production' | 'debug'): CatalogTarget => ({
    dataDir: nullableStr(input, `catalog.${which}.dataDir`),
    url: nullableUrl(input, `catalog.${which}.url`),
    token: (which === 'production' ? secrets.catalogToken : secrets.debugCatalogToken) ?? null,
  })
  const production = target('production')
  const debug = target('debug')
  checkTargets(catalogKind, production, debug)
  const pretty = get(input, 'log.pretty')
  const settings: Settings = {
    profile: pick(input, 'profile', PROFILES),
    timezone: 'America/Chicago',
    unitLocation: str(input, 'unitLocation'),
    lakeDir: str(input, 'lakeDir'),
    tempRoot: nullableStr(input, 'tempRoot'),
    storage: {
      kind: pick(input, 'storage.kind', STORAGE_KINDS),
      s3: {
        endpoint: nullableUrl(input, 'storage.s3.endpoint'),
        region: str(input, 'storage.s3.region'),
        forcePathStyle: bool(input, 'storage.s3.forcePathStyle'),
        maxAttempts: positiveInt(input, 'storage.s3.maxAttempts'),
        credentials: secrets.s3Credentials ?? null,
      },
    },
    catalog: {
      kind: catalogKind,
      schema: identifier(input, 'catalog.schema'),
      production,
      debug,
      commitRows: positiveInt(input, 'catalog.commitRows'),
      commitSeconds: positiveInt(input, 'catalog.commitSeconds'),
    },
    perfmet: { kind: pick(input, 'perfmet.kind', PERFMET_KINDS) },
    unitData: { kind: pick(input, 'unitData.kind', UNIT_DATA_KINDS), dir: str(input, 'unitData.dir') },
    publisher: {
      kind: pick(input, 'publisher.kind', PUBLISHER_KINDS),
      dir: str(input, 'publisher.dir'),
      socrata: {
        host: hostName(input, 'publisher.socrata.host'),
        debugHost:
          get(input, 'publisher.socrata.debugHost') == null
            ? null
            : hostName(input, 'publisher.socrata.debugHost'),
        protocol: pick(input, 'publisher.socrata.protocol', ['https', 'http'] as const),
        chunkSize: positiveInt(input, 'publisher.socrata.chunkSize'),
        username: secrets.socrataUsername ?? null,
        password: secrets.socrataPassword ?? null,
        appToken: secrets.socrataAppToken ?? null,
      },
    },
    knack: {
      baseUrl: nullableUrl(input, 'knack.baseUrl') ?? 'https://api.knack.com/v1',
      maxRequestsPerSecond: positiveInt(input, 'knack.maxRequestsPerSecond'),
      appId: nullableStr(input, 'knack.appId'),
      apiKey: secrets.knackApiKey ?? null,
      perfmetAppId: nullableStr(input, 'knack.perfmetAppId'),
      perfmetApiKey: secrets.knackPerfmetApiKey ?? new Secret('knack', 'default'),
    },
    repositories,
    devices: {
      awamDir: str(input, 'devices.awamDir'),
      kits: {
        kind: pick(input, 'devices.kits.kind', KITS_KINDS),
        dataDir: nullableStr(input, 'devices.kits.dataDir'),
        url: nullableUrl(input, 'devices.kits.url'),
        server: nullableStr(input, 'devices.kits.server'),
        port: positiveInt(input, 'devices.kits.port'),
        database: str(input, 'devices.kits.database'),
        user: nullableStr(input, 'devices.kits.user'),
        password: secrets.kitsPassword ?? null,
        trustServerCertificate: bool(input, 'devices.kits.trustServerCertificate'),
      },
    },
    log: {
      level: pick(input, 'log.level', LOG_LEVELS),
      pretty: pretty === true || pretty === false ? pretty : pick(input, 'log.pretty', ['auto'] as const),
    },
  }
  if (settings.perfmet.kind === 'catalog' && settings.catalog.kind === 'memory') {
    throw new ConfigError(
      'perfmet.kind "catalog" needs a database catalog; set perfmet.kind to "none" with catalog.kind "memory".',
    )
  }
  if (settings.knack.maxRequestsPerSecond > 10) {
    throw new ConfigError('knack.maxRequestsPerSecond must be at most 10 (Knack answers 429 above that).')
  }
  const socrata = settings.publisher.socrata
  if (socrata.debugHost !== null && socrata.debugHost === socrata.host) {
    throw new ConfigError('publisher.socrata.debugHost must differ from publisher.socrata.host.')
  }
  if ((socrata.username === null) !== (socrata.password === null)) {
    throw new ConfigError(
      'Set both CATALOG_ETL_SOCRATA_USERNAME and CATALOG_ETL_SOCRATA_PASSWORD, or neither.',
    )
  }
  return deepFreeze(settings)
}
