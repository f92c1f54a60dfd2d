import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3'
import { expect } from 'chai'
import { createDriverSet, type DriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import type { Settings } from '../../src/config/schema.js'
import {
  createAwamReaders,
  createBtUnitData,
  writeAwamDay,
} from '../../src/drivers/devices/awam-generator.js'
import { BtInsertLakeApp } from '../../src/entries/bt-insert-lake.js'
import { BtJsonStandardApp } from '../../src/entries/bt-json-standard.js'
import type { CatalogEntry } from '../../src/support/catalog-driver.js'
import { addDays, fixedClock, formatPyTs, parseTimestamp } from '../../src/util/dates.js'
import { stringifyPy } from '../../src/util/py-json.js'
import { createLogSink } from '../helpers/log-sink.js'
import { getTestServices, type TestServices } from '../services/index.js'

const clock = fixedClock('2019-06-02 03:00:00')
const DAY = parseTimestamp('2019-06-01 00:00:00-05:00')

describe('Bluetooth apps end to end on S3 + PostgREST (production profile, real servers)', function () {
  this.timeout(120_000)
  let services: TestServices
  let dir: string
  let settings: Settings
  let drivers: DriverSet
  const buckets: Record<'raw' | 'standardized', string> = { raw: '', standardized: '' }
  const { logger } = createLogSink('warn')

  before(async () => {
    services = await getTestServices()
    await services.postgrest.truncate()
    buckets.raw = await services.s3.createBucket('e2e-raw')
    buckets.standardized = await services.s3.createBucket('e2e-rawjson')
    dir = await mkdtemp(join(tmpdir(), 'bt-prod-'))
    await writeFile(
      join(dir, 'catalog-etl.config.json'),
      JSON.stringify({
        repositories: {
          raw: { production: buckets.raw, debug: `${buckets.raw}-test` },
          standardized: { production: buckets.standardized, debug: `${buckets.standardized}-test` },
        },
      }),
    )
    settings = loadSettings({
      cwd: dir,
      env: {
        CATALOG_ETL_PROFILE: 'production',
        CATALOG_ETL_CATALOG_URL: services.postgrest.url,
        CATALOG_ETL_CATALOG_TOKEN: services.postgrest.token(),
        CATALOG_ETL_S3_ENDPOINT: services.s3.endpoint,
        CATALOG_ETL_S3_FORCE_PATH_STYLE: 'true',
        CATALOG_ETL_AWAM_DIR: join(dir, 'awam'),
        CATALOG_ETL_UNIT_DATA: 'json-file',
        CATALOG_ETL_PUBLISHER: 'csv',
        AWS_ACCESS_KEY_ID: services.s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: services.s3.credentials.secretAccessKey,
      },
    })
    drivers = createDriverSet(settings, { debug: false })
    const readers = createAwamReaders(5, 11)
    await mkdir(settings.devices.awamDir, { recursive: true })
    await writeAwamDay(settings.devices.awamDir, DAY, { readers, seed: 5, iafRows: 200, itmfRows: 40 })
    await mkdir(settings.unitData.dir, { recursive: true })
    await writeFile(
      join(settings.unitData.dir, 'bt_unit_data.json'),
      stringifyPy(createBtUnitData(readers, { collectionDate: DAY, processingDate: DAY })),
    )
  })

  after(async () => {
    await drivers?.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function keys(bucket: string): Promise<string[]> {
    const client = services.s3.client()
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
      return (listed.Contents ?? []).map((o) => o.Key ?? '').sort()
    } finally {
      client.destroy()
    }
  }

  async function rows(repository: string): Promise<CatalogEntry[]> {
    const out: CatalogEntry[] = []
    for await (const row of drivers.catalog().query({ repository, dataSource: 'bt' })) out.push(row)
    return out
  }

  it('settings select S3 and PostgREST and never show the token', () => {
    expect(settings.storage.kind).to.equal('s3')
    expect(settings.catalog.kind).to.equal('postgrest')
    expect(JSON.stringify(settings)).not.to.contain(services.postgrest.token())
  })

  it('bt-insert-lake writes the spec §5.2 raw keys to S3 and their catalog rows to PostgREST', async () => {
    const result = await new BtInsertLakeApp(
      { start_date: '2019-06-01' },
      { settings, logger, clock, drivers },
    ).run()
    expect(result).to.include({ items: 3, exitCode: 0 })
    expect(await keys(buckets.raw)).to.deep.equal([
      '2019/06/01/bt/Austin_bt_2019-06-01_matched.txt',
      '2019/06/01/bt/Austin_bt_2019-06-01_traf_match_summary.txt',
      '2019/06/01/bt/Austin_bt_2019-06-01_unmatched.txt',
    ])
    const raw = await rows(buckets.raw)
    expect(raw.map((r) => [r.idBase, r.idExt, formatPyTs(r.collectionDate), r.pointer])).to.deep.equal([
      [
        'Austin',
        'matched.txt',
        '2019-06-01 00:00:00-05:00',
        '2019/06/01/bt/Austin_bt_2019-06-01_matched.txt',
      ],
      [
        'Austin',
        'traf_match_summary.txt',
        '2019-06-01 00:00:00-05:00',
        '2019/06/01/bt/Austin_bt_2019-06-01_traf_match_summary.txt',
      ],
      [
        'Austin',
        'unmatched.txt',
        '2019-06-01 00:00:00-05:00',
        '2019/06/01/bt/Austin_bt_2019-06-01_unmatched.txt',
      ],
    ])
    expect(raw.every((r) => r.collectionEnd === null && r.processingDate?.equals(clock.now()))).to.equal(true)
  })

  it('bt-json-standard writes the rawjson keys, the unit data of the run day, and perfmet rows', async () => {
    const result = await new BtJsonStandardApp(
      { start_date: '2019-06-01' },
      { settings, logger, clock, drivers },
    ).run()
    expect(result).to.include({ items: 3, exitCode: 0 })
    expect(await keys(buckets.standardized)).to.deep.equal([
      '2019/06/01/bt/Austin_bt_2019-06-01_matched.json',
      '2019/06/01/bt/Austin_bt_2019-06-01_traf_match_summary.json',
      '2019/06/01/bt/Austin_bt_2019-06-01_unmatched.json',
      '2019/06/02/bt/Austin_bt_2019-06-02_unit_data.json',
    ])
    const client = services.s3.client()
    try {
      const object = await client.send(
        new GetObjectCommand({
          Bucket: buckets.standardized,
          Key: '2019/06/01/bt/Austin_bt_2019-06-01_matched.json',
        }),
      )
      const text = (await object.Body?.transformToString()) ?? ''
      expect(text.startsWith('{"header": {"data_type": "bluetooth", "file_type": "matched"')).to.equal(true)
    } finally {
      client.destroy()
    }
    const unit = (await rows(buckets.standardized)).find((r) => r.idExt === 'unit_data.json')
    expect(unit && formatPyTs(unit.collectionDate)).to.equal('2019-06-02 00:00:00-05:00')
    const jobs =
      (await drivers.perfmet()?.readJobs(clock.now().startOf('day'), addDays(clock.now(), 1))) ?? []
    expect(jobs.map((j) => `${j.dataSource}/${j.stage}/${j.records}`)).to.deep.equal([
      'Bluetooth/Ingest/3',
      'Bluetooth/Standardize/3',
    ])
  })

  it('re-running processes nothing new', async () => {
    const again = await new BtJsonStandardApp(
      { start_date: '2019-06-01' },
      { settings, logger, clock, drivers },
    ).run()
    expect(again.items).to.equal(0)
  })

  it('--debug without a debug catalog target refuses to run instead of touching production', async () => {
    const error = await new BtInsertLakeApp(
      { start_date: '2019-06-01', debug: true },
      { settings, logger, clock },
    )
      .run()
      .catch((e: unknown) => e)
    expect((error as Error).message).to.contain('--debug needs its own catalog target')
  })
})
