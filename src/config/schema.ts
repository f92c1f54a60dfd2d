import { DEFAULT_REPOSITORIES, type Purpose, type RepositoryNames } from './repositories.js'
import type { Secret } from './secret.js'

/** Built-in profiles. `local` is the embedded default; `production` is S3 + PostgREST. */
export const PROFILES = ['local', 'production'] as const
/** Storage driver kinds. */
export const STORAGE_KINDS = ['local', 'memory', 's3'] as const
/** Catalog driver kinds. */
export const CATALOG_KINDS = ['pglite', 'memory', 'postgres', 'postgrest'] as const
/** Perfmet driver kinds: `catalog` writes to the tables beside the catalog (same database or PostgREST); `none` drops them. */
export const PERFMET_KINDS = ['catalog', 'none'] as const
/** Unit-data source kinds. */
export const UNIT_DATA_KINDS = ['json-file', 'knack'] as const
/** Publisher driver kinds. */
export const PUBLISHER_KINDS = ['csv', 'socrata'] as const
/** Log levels accepted by `--log-level`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export type Profile = (typeof PROFILES)[number]
export type StorageKind = (typeof STORAGE_KINDS)[number]
export type CatalogKind = (typeof CATALOG_KINDS)[number]
export type PerfmetKind = (typeof PERFMET_KINDS)[number]
export type UnitDataKind = (typeof UNIT_DATA_KINDS)[number]
export type PublisherKind = (typeof PUBLISHER_KINDS)[number]
export type LogLevel = (typeof LOG_LEVELS)[number]

/** A catalog (and perfmet) target; production and `--debug` runs each get their own. */
export interface CatalogTarget {
  /** `pglite`: data directory (file-backed); `null` keeps it in memory. */
  readonly dataDir: string | null
  /** `postgres`: connection URL; `postgrest`: base URL of the API. `null` when not configured. */
  readonly url: string | null
  /** `postgrest`: bearer token (from env only). */
  readonly token: Secret | null
}

/** S3 client settings of the `s3` storage kind. */
export interface S3Settings {
  /** Custom endpoint (a local S3-compatible server); `null` = AWS. */
  readonly endpoint: string | null
  readonly region: string
  /** Path-style addressing (needed by most local servers). */
  readonly forcePathStyle: boolean
  /** The SDK's attempts per request, retries included. */
  readonly maxAttempts: number
  /** Static credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`; `null` = the SDK's default chain. */
  readonly credentials: S3Credentials | null
}

/** KITS source kinds: SQL Server (the City's), PostgreSQL, or an embedded PGlite directory (simulated). */
export const KITS_KINDS = ['pglite', 'pg', 'mssql'] as const
export type KitsKind = (typeof KITS_KINDS)[number]

/** Where `wt-insert-lake` reads detector history. */
export interface KitsSettings {
  readonly kind: KitsKind
  /** `pglite`: data directory of the simulated KITS tables. */
  readonly dataDir: string | null
  /** `pg`: connection URL. */
  readonly url: string | null
  /** `mssql`: server host, port, database and user (the original's `WT_DB_SERVER`, `WT_DB_NAME`, `WT_DB_USER`). */
  readonly server: string | null
  readonly port: number
  readonly database: string
  readonly user: string | null
  /** `mssql`: password (from env only; the original's `WT_DB_PASSWORD`). */
  readonly password: Secret | null
  /** `mssql`: accept the server's certificate without verification (self-signed certificates). */
  readonly trustServerCertificate: boolean
}

/** Knack: the inventory app (unit data) and the perfmet dashboard app. */
export interface KnackSettings {
  /** API base URL. */
  readonly baseUrl: string
  /** Requests per second per client (Knack allows 10). */
  readonly maxRequestsPerSecond: number
  /** Inventory application id (`KNACK_APP_ID`); required by the `knack` unit-data kind. */
  readonly appId: string | null
  /** Inventory API key (object-based reads; from env only). */
  readonly apiKey: Secret | null
  /** Perfmet dashboard application id (`KNACK_PERFMET_ID`); required by `perfmet-knack`. */
  readonly perfmetAppId: string | null
  /** Dashboard API key for its public views (the original used the literal `knack`). */
  readonly perfmetApiKey: Secret
}

/** Socrata publishing settings (the `socrata` publisher kind). */
export interface SocrataSettings {
  /** Portal domain for normal runs (`data.austintexas.gov`); the original ignored its `SOC_HOST`. */
  readonly host: string
  /** A separate portal (or staging domain) for `--debug` runs; `null`: `--debug` refuses to publish. */
  readonly debugHost: string | null
  /** `https`, or `http` for a local emulator. */
  readonly protocol: 'https' | 'http'
  /** Rows per upsert request. */
  readonly chunkSize: number
  /** HTTP Basic credentials and app token (from env only). */
  readonly username: Secret | null
  readonly password: Secret | null
  readonly appToken: Secret | null
}

/** Static S3 credentials (secrets). */
export interface S3Credentials {
  readonly accessKeyId: Secret
  readonly secretAccessKey: Secret
  readonly sessionToken: Secret | null
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
  readonly storage: { readonly kind: StorageKind; readonly s3: S3Settings }
  readonly catalog: {
    readonly kind: CatalogKind
    /** PostgreSQL schema of the tables (`postgres`, `postgrest`). */
    readonly schema: string
    /** Normal runs. */
    readonly production: CatalogTarget
    /** `--debug` runs: never the production target. */
    readonly debug: CatalogTarget
    /**
     * Staged rows of finished days are committed (days in order, in one batch) once this many are waiting, at the
     * latest after {@link commitSeconds}, and at the end of the run.
     */
    readonly commitRows: number
    /** Longest time finished work waits for its catalog rows, in seconds. */
    readonly commitSeconds: number
  }
  readonly perfmet: { readonly kind: PerfmetKind }
  readonly unitData: {
    readonly kind: UnitDataKind
    /** Directory holding `<ds>_unit_data.json` (the Knack stand-in of the local profile). */
    readonly dir: string
  }
  readonly knack: KnackSettings
  readonly publisher: {
    readonly kind: PublisherKind
    /** Directory for `<dataset id>.csv` files (debug runs write to `<dir>/debug`). */
    readonly dir: string
    readonly socrata: SocrataSettings
  }
  /** Purpose → repository names. */
  readonly repositories: Readonly<Record<Purpose, RepositoryNames>>
  readonly devices: {
    /** Directory of the AWAM share (Bluetooth source files); the default of `bt-insert-lake -d`. */
    readonly awamDir: string
    /** The KITS database (Wavetronix detector history). */
    readonly kits: KitsSettings
  }
  readonly log: {
    readonly level: LogLevel
    /** Pretty-print logs: `auto` = when stderr is a terminal. */
    readonly pretty: 'auto' | boolean
  }
}

/** A partial, unvalidated settings tree as read from a profile, a file, env or flags. */
export type SettingsInput = { [key: string]: unknown }

/** Secrets, read from the environment only (never from a config file). */
export interface SettingsSecrets {
  readonly catalogToken?: Secret | null
  readonly debugCatalogToken?: Secret | null
  readonly s3Credentials?: S3Credentials | null
  readonly socrataUsername?: Secret | null
  readonly socrataPassword?: Secret | null
  readonly socrataAppToken?: Secret | null
  readonly knackApiKey?: Secret | null
  readonly knackPerfmetApiKey?: Secret | null
  readonly kitsPassword?: Secret | null
}

/** The defaults every profile starts from, with paths relative to `lakeDir` filled in by the loader. */
export const BASE_SETTINGS = {
  timezone: 'America/Chicago',
  unitLocation: 'Austin',
  tempRoot: null,
  repositories: DEFAULT_REPOSITORIES,
  storage: { s3: { endpoint: null, region: 'us-east-1', forcePathStyle: false, maxAttempts: 5 } },
  catalog: {
    schema: 'api',
    production: { dataDir: null, url: null },
    debug: { dataDir: null, url: null },
    commitRows: 500,
    commitSeconds: 30,
  },
  log: { level: 'info', pretty: 'auto' },
  devices: {
    kits: {
      dataDir: null,
      url: null,
      server: null,
      port: 1433,
      database: 'KITSDB',
      user: null,
      trustServerCertificate: false,
    },
  },
  knack: { baseUrl: 'https://api.knack.com/v1', maxRequestsPerSecond: 9, appId: null, perfmetAppId: null },
  publisher: {
    socrata: { host: 'data.austintexas.gov', debugHost: null, protocol: 'https', chunkSize: 10000 },
  },
} satisfies SettingsInput
