/**
 * Starts the same real servers the tests use (PostgreSQL 15, PostgREST 12, an S3-compatible server) on free ports
 * of 127.0.0.1, migrates the catalog, creates the production buckets, and prints the environment that points the
 * `production` profile at them. Stops everything on Ctrl-C.
 *
 *   npm run dev:services            # then, in another shell, paste the printed exports
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3'
import { DEFAULT_REPOSITORIES, PURPOSES } from '../src/config/repositories.js'
import { getTestServices, stopTestServices } from '../test/services/index.js'

const services = await getTestServices()
const client = services.s3.client()
for (const purpose of PURPOSES.filter((p) => p !== 'public')) {
  for (const bucket of [DEFAULT_REPOSITORIES[purpose].production, DEFAULT_REPOSITORIES[purpose].debug]) {
    await client.send(new CreateBucketCommand({ Bucket: bucket }))
  }
}
client.destroy()
const lines = [
  'export CATALOG_ETL_PROFILE=production',
  `export CATALOG_ETL_CATALOG_URL=${services.postgrest.url}`,
  `export CATALOG_ETL_CATALOG_TOKEN=${services.postgrest.token()}`,
  `export CATALOG_ETL_S3_ENDPOINT=${services.s3.endpoint}`,
  'export CATALOG_ETL_S3_FORCE_PATH_STYLE=true',
  `export AWS_ACCESS_KEY_ID=${services.s3.credentials.accessKeyId}`,
  `export AWS_SECRET_ACCESS_KEY=${services.s3.credentials.secretAccessKey}`,
]
process.stdout.write(`# PostgreSQL: ${services.pg.url}\n# logs: ${services.workDir}\n${lines.join('\n')}\n`)
process.stdout.write('# Ctrl-C stops the servers.\n')
await new Promise<void>((resolve) => {
  process.once('SIGINT', resolve)
  process.once('SIGTERM', resolve)
})
await stopTestServices()
