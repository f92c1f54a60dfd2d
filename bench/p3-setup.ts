import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadSettings } from '../src/config/load.js'
import type { Settings } from '../src/config/schema.js'
import { addDays, parseTimestamp } from '../src/util/dates.js'
import { writeBtShare } from '../test/helpers/bt-share.js'
import { productionEnv } from '../test/helpers/production-env.js'
import type { TestServices } from '../test/services/index.js'

/** First data day of the benchmark runs (Central time). */
export const BENCH_FIRST_DAY = parseTimestamp('2019-06-01 00:00:00-05:00')

/** Bucket/repository names per purpose for one run. */
export interface BenchRepositories {
  readonly raw: string
  readonly standardized: string
  readonly ready: string
  /** Catalog-only repository of published files (no bucket). */
  readonly public: string
}

/** Options of {@link productionSettings}. */
export interface ProductionSettingsOptions {
  /** Running servers. */
  readonly services: TestServices
  /** Directory for the config file, unit data and published CSVs. */
  readonly dir: string
  /** Run name (unique per run; names the config file and the publish directory). */
  readonly name: string
  readonly repositories: BenchRepositories
  /** PostgREST base URL to use (e.g. a counting proxy in front of it). @default services.postgrest.url */
  readonly catalogUrl?: string
  /** S3 endpoint to use. @default services.s3.endpoint */
  readonly s3Endpoint?: string
  /** Directory of the AWAM files. */
  readonly awamDir: string
  /** Directory of the unit data JSON files. */
  readonly unitDataDir: string
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>
}

/** Creates the S3 buckets of one run and names its catalog-only `public` repository. */
export async function createRunBuckets(services: TestServices, prefix: string): Promise<BenchRepositories> {
  return {
    raw: await services.s3.createBucket(`${prefix}-raw`),
    standardized: await services.s3.createBucket(`${prefix}-rawjson`),
    ready: await services.s3.createBucket(`${prefix}-ready`),
    public: `${prefix}-socrata-${process.pid}`,
  }
}

/** Production-profile settings (S3 + PostgREST, CSV publishing, unit data from JSON files) for one run. */
export async function productionSettings(options: ProductionSettingsOptions): Promise<Settings> {
  const { services, dir, name, repositories } = options
  const configFile = join(dir, `config-${name}.json`)
  const repos = Object.fromEntries(
    Object.entries(repositories).map(([purpose, bucket]) => [
      purpose,
      { production: bucket, debug: `${bucket}-test` },
    ]),
  )
  await writeFile(configFile, JSON.stringify({ repositories: repos }))
  return loadSettings({
    cwd: dir,
    configFile,
    env: productionEnv(services, {
      CATALOG_ETL_CATALOG_URL: options.catalogUrl ?? services.postgrest.url,
      CATALOG_ETL_S3_ENDPOINT: options.s3Endpoint ?? services.s3.endpoint,
      CATALOG_ETL_AWAM_DIR: options.awamDir,
      CATALOG_ETL_UNIT_DATA: 'json-file',
      CATALOG_ETL_UNIT_DATA_DIR: options.unitDataDir,
      CATALOG_ETL_PUBLISHER: 'csv',
      CATALOG_ETL_PUBLISH_DIR: join(dir, `publish-${name}`),
      ...options.env,
    }),
  })
}

/** Writes `days` days of small synthetic AWAM files and the Bluetooth unit data file. */
export async function writeBtDays(awamDir: string, unitDataDir: string, days: number): Promise<void> {
  await writeBtShare({
    awamDir,
    unitDataDir,
    first: BENCH_FIRST_DAY,
    days,
    readers: 5,
    readerSeed: 3,
    seed: 9,
    iafRows: 150,
    itmfRows: 30,
  })
}

/** `yyyy-MM-dd` of the day `offset` days after {@link BENCH_FIRST_DAY}. */
export function benchDay(offset: number): string {
  return addDays(BENCH_FIRST_DAY, offset).toFormat('yyyy-MM-dd')
}
