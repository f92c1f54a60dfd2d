import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3'
import { expect } from 'chai'
import { createDriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import { BtInsertLakeApp } from '../../src/entries/bt-insert-lake.js'
import { BtJsonStandardApp } from '../../src/entries/bt-json-standard.js'
import { BtReadyApp } from '../../src/entries/bt-ready.js'
import { fixedClock, formatPyTs, parseTimestamp } from '../../src/util/dates.js'
import { parsePyJson } from '../../src/util/py-json.js'
import { writeBtShare } from '../helpers/bt-share.js'
import { createLogSink } from '../helpers/log-sink.js'
import { productionEnv } from '../helpers/production-env.js'
import { getTestServices, type TestServices } from '../services/index.js'

// The Bluetooth stages raw → standardized → ready on S3 + PostgREST, once with --concurrency 1 and once with 4, each
// into its own buckets: objects and catalog rows must be the same.

const clock = fixedClock('2019-06-10 03:00:00')
const FIRST = parseTimestamp('2019-06-01 00:00:00-05:00')
const PURPOSES = ['raw', 'standardized', 'ready'] as const

describe('--concurrency 4 ends in the same state as 1 on S3 + PostgREST (Bluetooth stages)', function () {
  this.timeout(180_000)
  let services: TestServices
  let dir: string
  const { logger } = createLogSink('warn')

  before(async () => {
    services = await getTestServices()
    dir = await mkdtemp(join(tmpdir(), 'concurrency-prod-'))
    await writeBtShare({
      awamDir: join(dir, 'awam'),
      unitDataDir: join(dir, 'unit-data'),
      first: FIRST,
      days: 5,
      readers: 5,
      readerSeed: 3,
      seed: 9,
      iafRows: 150,
      itmfRows: 30,
    })
  })

  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  /** Runs the three stages into fresh buckets; returns them and the catalog rows written (`purpose|…`, sorted). */
  async function runStages(
    concurrency: number,
  ): Promise<{ buckets: Record<string, string>; rows: string[] }> {
    const buckets: Record<string, string> = {}
    for (const purpose of PURPOSES)
      buckets[purpose] = await services.s3.createBucket(`c${concurrency}-${purpose}`)
    const repositories = Object.fromEntries(
      PURPOSES.map((p) => [p, { production: buckets[p], debug: `${buckets[p]}-test` }]),
    )
    const configFile = join(dir, `config-${concurrency}.json`)
    await writeFile(configFile, JSON.stringify({ repositories }))
    const settings = loadSettings({
      cwd: dir,
      configFile,
      env: productionEnv(services, {
        CATALOG_ETL_PERFMET: 'none',
        CATALOG_ETL_AWAM_DIR: join(dir, 'awam'),
        CATALOG_ETL_UNIT_DATA: 'json-file',
        CATALOG_ETL_UNIT_DATA_DIR: join(dir, 'unit-data'),
      }),
    })
    const drivers = createDriverSet(settings, { debug: false })
    const rows: string[] = []
    try {
      const args = { start_date: '2019-06-01', end_date: '2019-06-06', concurrency }
      const runtime = { settings, drivers, logger, clock }
      for (const app of [
        new BtInsertLakeApp(args, runtime),
        new BtJsonStandardApp(args, runtime),
        new BtReadyApp(args, runtime),
      ]) {
        expect(await app.run()).to.include({ items: 15, exitCode: 0 })
      }
      for (const purpose of PURPOSES) {
        const repository = buckets[purpose] as string
        for await (const row of drivers.catalog().query({ repository, dataSource: 'bt' })) {
          rows.push([purpose, row.idBase, row.idExt, formatPyTs(row.collectionDate), row.pointer].join('|'))
        }
      }
    } finally {
      await drivers.close()
    }
    return { buckets, rows: rows.sort() }
  }

  /** purpose/key → sha256 of the object (JSON without its processing date). */
  async function objects(buckets: Record<string, string>): Promise<Map<string, string>> {
    const client = services.s3.client()
    const out = new Map<string, string>()
    try {
      for (const purpose of PURPOSES) {
        const bucket = buckets[purpose] as string
        const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
        for (const { Key } of listed.Contents ?? []) {
          const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key }))
          let text = (await object.Body?.transformToString()) ?? ''
          if (Key?.endsWith('.json')) {
            const doc = parsePyJson(text) as { header?: Record<string, unknown> }
            if (doc.header) delete doc.header.processing_date
            text = JSON.stringify(doc)
          }
          out.set(`${purpose}/${Key}`, createHash('sha256').update(text).digest('hex'))
        }
      }
    } finally {
      client.destroy()
    }
    return out
  }

  it('objects and catalog rows are identical', async () => {
    const one = await runStages(1)
    const four = await runStages(4)
    const [objectsOne, objectsFour] = [await objects(one.buckets), await objects(four.buckets)]
    expect(objectsOne.size).to.equal(15 * 3 + 1)
    expect([...objectsFour].sort()).to.deep.equal([...objectsOne].sort())
    expect(one.rows.length).to.equal(objectsOne.size)
    expect(four.rows).to.deep.equal(one.rows)
  })
})
