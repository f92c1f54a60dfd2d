import type { TestServices } from '../services/index.js'

/**
 * The environment of the production profile on the test servers: S3 (path style) and PostgREST with its token,
 * plus `extra` (which wins).
 */
export function productionEnv(
  services: TestServices,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    CATALOG_ETL_PROFILE: 'production',
    CATALOG_ETL_CATALOG_URL: services.postgrest.url,
    CATALOG_ETL_CATALOG_TOKEN: services.postgrest.token(),
    CATALOG_ETL_S3_ENDPOINT: services.s3.endpoint,
    CATALOG_ETL_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: services.s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: services.s3.credentials.secretAccessKey,
    ...extra,
  }
}
