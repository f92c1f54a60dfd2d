import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { ConfigError } from '../support/errors.js'
import { DEFAULT_LAKE_DIR, profileDefaults } from './profiles.js'
import {
  BASE_SETTINGS,
  PROFILES,
  type Profile,
  type S3Credentials,
  type Settings,
  type SettingsInput,
} from './schema.js'
import { secretFromEnv } from './secret.js'
import { mergeSettings, parseSettings } from './validate.js'

/** Name of the optional config file looked up in the working directory. */
export const CONFIG_FILE_NAME = 'catalog-etl.config.json'

/** Environment variables read by the loader, and the setting each one sets. */
export const ENV_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  CATALOG_ETL_PROFILE: 'profile',
  CATALOG_ETL_LAKE_DIR: 'lakeDir',
  CATALOG_ETL_TEMP_DIR: 'tempRoot',
  CATALOG_ETL_STORAGE: 'storage.kind',
  CATALOG_ETL_CATALOG: 'catalog.kind',
  CATALOG_ETL_CATALOG_DIR: 'catalog.production.dataDir',
  CATALOG_ETL_DEBUG_CATALOG_DIR: 'catalog.debug.dataDir',
  CATALOG_ETL_CATALOG_URL: 'catalog.production.url',
  CATALOG_ETL_DEBUG_CATALOG_URL: 'catalog.debug.url',
  CATALOG_ETL_CATALOG_SCHEMA: 'catalog.schema',
  CATALOG_ETL_CATALOG_COMMIT_ROWS: 'catalog.commitRows',
  CATALOG_ETL_CATALOG_COMMIT_SECONDS: 'catalog.commitSeconds',
  CATALOG_ETL_S3_ENDPOINT: 'storage.s3.endpoint',
  CATALOG_ETL_S3_REGION: 'storage.s3.region',
  CATALOG_ETL_S3_FORCE_PATH_STYLE: 'storage.s3.forcePathStyle',
  CATALOG_ETL_S3_MAX_ATTEMPTS: 'storage.s3.maxAttempts',
  CATALOG_ETL_UNIT_DATA: 'unitData.kind',
  CATALOG_ETL_KNACK_URL: 'knack.baseUrl',
  CATALOG_ETL_KNACK_APP_ID: 'knack.appId',
  CATALOG_ETL_KNACK_PERFMET_APP_ID: 'knack.perfmetAppId',
  CATALOG_ETL_KNACK_RATE: 'knack.maxRequestsPerSecond',
  CATALOG_ETL_PUBLISHER: 'publisher.kind',
  CATALOG_ETL_SOCRATA_HOST: 'publisher.socrata.host',
  CATALOG_ETL_DEBUG_SOCRATA_HOST: 'publisher.socrata.debugHost',
  CATALOG_ETL_SOCRATA_PROTOCOL: 'publisher.socrata.protocol',
  CATALOG_ETL_SOCRATA_CHUNK_SIZE: 'publisher.socrata.chunkSize',
  CATALOG_ETL_PERFMET: 'perfmet.kind',
  CATALOG_ETL_UNIT_DATA_DIR: 'unitData.dir',
  CATALOG_ETL_PUBLISH_DIR: 'publisher.dir',
  CATALOG_ETL_AWAM_DIR: 'devices.awamDir',
  CATALOG_ETL_KITS: 'devices.kits.kind',
  CATALOG_ETL_KITS_DIR: 'devices.kits.dataDir',
  CATALOG_ETL_KITS_URL: 'devices.kits.url',
  CATALOG_ETL_KITS_SERVER: 'devices.kits.server',
  CATALOG_ETL_KITS_PORT: 'devices.kits.port',
  CATALOG_ETL_KITS_DATABASE: 'devices.kits.database',
  CATALOG_ETL_KITS_USER: 'devices.kits.user',
  CATALOG_ETL_KITS_TRUST_CERT: 'devices.kits.trustServerCertificate',
  CATALOG_ETL_LOG_LEVEL: 'log.level',
  CATALOG_ETL_LOG_PRETTY: 'log.pretty',
})

/** Secrets read from the environment (`NAME` or a file named by `NAME_FILE`), never from a config file. */
export const ENV_SECRETS = Object.freeze({
  CATALOG_ETL_CATALOG_TOKEN: 'bearer token of the production PostgREST catalog and perfmet',
  CATALOG_ETL_DEBUG_CATALOG_TOKEN: 'bearer token of the debug PostgREST catalog and perfmet',
  AWS_ACCESS_KEY_ID: 'S3 access key id (with AWS_SECRET_ACCESS_KEY; otherwise the AWS SDK credential chain)',
  AWS_SECRET_ACCESS_KEY: 'S3 secret access key',
  AWS_SESSION_TOKEN: 'S3 session token (optional)',
  CATALOG_ETL_KNACK_API_KEY: 'Knack inventory API key (object-based reads of unit data)',
  CATALOG_ETL_KNACK_PERFMET_API_KEY: 'Knack dashboard API key (default: the public-view key "knack")',
  CATALOG_ETL_KITS_PASSWORD: 'KITS SQL Server password (the original WT_DB_PASSWORD)',
  CATALOG_ETL_SOCRATA_USERNAME: 'Socrata user for HTTP Basic auth (the original SOC_WRITE_AUTH)',
  CATALOG_ETL_SOCRATA_PASSWORD: 'Socrata password',
  CATALOG_ETL_SOCRATA_APP_TOKEN:
    'Socrata app token, sent as X-App-Token (the original never sent SOC_APP_TOKEN)',
})

/** Where settings come from; everything is injected so tests never touch the real process. */
export interface LoadSettingsOptions {
  /** Environment variables. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Working directory for relative paths and the config file. @default process.cwd() */
  readonly cwd?: string
  /** Path of a JSON config file; when absent, `./catalog-etl.config.json` is used if it exists. */
  readonly configFile?: string | undefined
  /** Highest-priority overrides (from command-line flags), as a partial settings tree. */
  readonly overrides?: SettingsInput
}

function setPath(target: SettingsInput, path: string, value: unknown): void {
  const parts = path.split('.')
  let node = target
  for (const part of parts.slice(0, -1)) {
    const next = node[part]
    node[part] = typeof next === 'object' && next !== null ? next : {}
    node = node[part] as SettingsInput
  }
  node[parts[parts.length - 1] as string] = value
}

function s3CredentialsFromEnv(env: Readonly<Record<string, string | undefined>>): S3Credentials | null {
  const accessKeyId = secretFromEnv(env, 'AWS_ACCESS_KEY_ID')
  const secretAccessKey = secretFromEnv(env, 'AWS_SECRET_ACCESS_KEY')
  if (!accessKeyId && !secretAccessKey) return null
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError(
      'Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (to use the SDK chain).',
    )
  }
  return { accessKeyId, secretAccessKey, sessionToken: secretFromEnv(env, 'AWS_SESSION_TOKEN') }
}

function isSet(layer: SettingsInput, path: string): boolean {
  return (
    path.split('.').reduce<unknown>((node, part) => (node as SettingsInput | undefined)?.[part], layer) !==
    undefined
  )
}

function envLayer(env: Readonly<Record<string, string | undefined>>): SettingsInput {
  const layer: SettingsInput = {}
  for (const [name, path] of Object.entries(ENV_SETTINGS)) {
    const raw = env[name]
    if (raw === undefined || raw === '') continue
    const value = path === 'log.pretty' && (raw === 'true' || raw === 'false') ? raw === 'true' : raw
    setPath(layer, path, value)
  }
  return layer
}

function readConfigFile(path: string): SettingsInput {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${path}.`, { cause: error })
  }
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object')
    return parsed as SettingsInput
  } catch (error) {
    throw new ConfigError(`Config file ${path} is not a JSON object: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

const PATH_SETTINGS = [
  'lakeDir',
  'tempRoot',
  'catalog.production.dataDir',
  'catalog.debug.dataDir',
  'unitData.dir',
  'publisher.dir',
  'devices.awamDir',
  'devices.kits.dataDir',
]

/**
 * Builds the settings once, from lowest to highest priority: built-in profile → config file → environment
 * (`CATALOG_ETL_*`) → overrides (flags). Relative paths are resolved against `cwd`.
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const explicitFile = options.configFile ?? env.CATALOG_ETL_CONFIG
  const defaultFile = resolve(cwd, CONFIG_FILE_NAME)
  const fileLayer = explicitFile
    ? readConfigFile(resolve(cwd, explicitFile))
    : existsSync(defaultFile)
      ? readConfigFile(defaultFile)
      : {}
  const upper = mergeSettings(fileLayer, envLayer(env), options.overrides ?? {})
  const profile = (upper.profile ?? 'local') as Profile
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new ConfigError(
      `Unknown profile ${JSON.stringify(profile)}; valid profiles: ${PROFILES.map((p) => `"${p}"`).join(', ')}.`,
    )
  }
  const lakeDir = resolve(cwd, typeof upper.lakeDir === 'string' ? upper.lakeDir : DEFAULT_LAKE_DIR)
  const merged = mergeSettings(BASE_SETTINGS, profileDefaults(profile, lakeDir), upper, { lakeDir })
  if (env.AWS_REGION && !(isSet(fileLayer, 'storage.s3.region') || env.CATALOG_ETL_S3_REGION)) {
    setPath(merged, 'storage.s3.region', env.AWS_REGION)
  }
  for (const path of PATH_SETTINGS) {
    const value = path
      .split('.')
      .reduce<unknown>((node, part) => (node as SettingsInput | undefined)?.[part], merged)
    if (typeof value === 'string' && value !== '') setPath(merged, path, resolve(cwd, value))
  }
  return parseSettings(merged, {
    catalogToken: secretFromEnv(env, 'CATALOG_ETL_CATALOG_TOKEN'),
    debugCatalogToken: secretFromEnv(env, 'CATALOG_ETL_DEBUG_CATALOG_TOKEN'),
    s3Credentials: s3CredentialsFromEnv(env),
    socrataUsername: secretFromEnv(env, 'CATALOG_ETL_SOCRATA_USERNAME'),
    socrataPassword: secretFromEnv(env, 'CATALOG_ETL_SOCRATA_PASSWORD'),
    socrataAppToken: secretFromEnv(env, 'CATALOG_ETL_SOCRATA_APP_TOKEN'),
    knackApiKey: secretFromEnv(env, 'CATALOG_ETL_KNACK_API_KEY'),
    knackPerfmetApiKey: secretFromEnv(env, 'CATALOG_ETL_KNACK_PERFMET_API_KEY'),
    kitsPassword: secretFromEnv(env, 'CATALOG_ETL_KITS_PASSWORD'),
  })
}
