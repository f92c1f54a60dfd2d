import { createSocrataPublisher } from '../src/drivers/publisher/socrata.js'
import { Publisher } from '../src/support/publisher.js'
import type { PublishRow } from '../src/support/publisher-driver.js'
import { md5Hex } from '../src/util/hash.js'
import { type ColumnSpec, startSocrataEmulator } from '../test/emulators/socrata/index.js'
import { PASSWORD, USER } from '../test/emulators/socrata/test-client.js'
import { createLogSink } from '../test/helpers/log-sink.js'
import type { BenchModule, Figure } from './types.js'

const DATASET = 'x44q-icha'
const CHUNK = 10_000

/** The Bluetooth ITMF (matched) dataset's columns (spec §9.4) plus the `record_id` row identifier. */
const COLUMNS: readonly ColumnSpec[] = [
  { fieldName: 'device_address', dataType: 'number' },
  { fieldName: 'origin_reader_identifier', dataType: 'text' },
  { fieldName: 'destination_reader_identifier', dataType: 'text' },
  { fieldName: 'travel_time_seconds', dataType: 'number' },
  { fieldName: 'speed_miles_per_hour', dataType: 'number' },
  { fieldName: 'match_validity', dataType: 'text' },
  { fieldName: 'filter_identifier', dataType: 'text' },
  { fieldName: 'start_time', dataType: 'floating_timestamp' },
  { fieldName: 'end_time', dataType: 'floating_timestamp' },
  { fieldName: 'day_of_week', dataType: 'text' },
  { fieldName: 'record_id', dataType: 'text' },
]

const pad = (n: number) => String(n).padStart(2, '0')

/** A deterministic Bluetooth-matched-like row number `n`. */
function btRow(n: number): PublishRow {
  const second = n % 86_400
  const time = `2019-06-01T${pad(Math.floor(second / 3600))}:${pad(Math.floor(second / 60) % 60)}:${pad(second % 60)}`
  const travel = 30 + (n % 400)
  const row = {
    device_address: n % 5000,
    origin_reader_identifier: `reader_${n % 37}`,
    destination_reader_identifier: `reader_${(n + 11) % 37}`,
    travel_time_seconds: travel,
    speed_miles_per_hour: Math.round((3600 / travel) * 10) / 10,
    match_validity: n % 9 === 0 ? 'INVALID' : 'VALID',
    filter_identifier: String(n % 4),
    start_time: time,
    end_time: time,
    day_of_week: 'Saturday',
  }
  return { ...row, record_id: md5Hex(`${n}|${row.origin_reader_identifier}|${time}`) }
}

/** P5: R rows through the Socrata publisher driver (via the Publisher facade) into the Socrata emulator. */
const module: BenchModule = {
  id: 'P5',
  title: 'publish into the Socrata emulator',
  async run(ctx) {
    const total = ctx.quick ? 50_000 : 500_000
    const emulator = await startSocrataEmulator()
    try {
      emulator.createDataset(DATASET, { columns: COLUMNS, rowIdentifier: 'record_id' })
      const driver = createSocrataPublisher({
        host: emulator.host,
        protocol: 'http',
        datasetId: DATASET,
        username: USER,
        password: PASSWORD,
        appToken: 'bench-app-token',
        chunkSize: CHUNK,
        timeoutMs: 120_000,
      })
      const logger = createLogSink('silent').logger
      const publisher = new Publisher({ driver, copy: null, simulate: false, logger })
      const started = performance.now()
      for (let n = 0; n < total; n += 1) await publisher.addRow(btRow(n))
      await publisher.close()
      const seconds = (performance.now() - started) / 1000
      const upserts = emulator.requests.filter(
        (r) => r.method === 'POST' && r.path === `/resource/${DATASET}.json`,
      )
      const stored = emulator.rows(DATASET).length
      if (stored !== total) throw new Error(`emulator holds ${stored} row(s), expected ${total}`)
      const expected = Math.ceil(total / CHUNK)
      ctx.log(`${total} rows in ${seconds.toFixed(2)} s, ${upserts.length} upsert request(s)`)
      const note = `${total} Bluetooth-matched-like rows (11 columns), chunk ${CHUNK}, local emulator, row generation included`
      const figures: Figure[] = [
        {
          id: 'P5.rowsPerSec',
          label: 'rows published per second',
          value: total / seconds,
          unit: 'rows/s',
          higherIsBetter: true,
          note,
        },
        {
          id: 'P5.requests',
          label: 'upsert requests',
          value: upserts.length,
          unit: 'req',
          higherIsBetter: false,
          note,
        },
        {
          id: 'P5.requestsExpected',
          label: 'upsert requests expected (ceil(rows / chunk))',
          value: expected,
          unit: 'req',
          higherIsBetter: false,
          note,
        },
        {
          id: 'P5.requestsMatch',
          label: 'upsert requests equal the expected count',
          value: upserts.length === expected ? 1 : 0,
          unit: 'bool',
          higherIsBetter: true,
          target: { op: '>=', value: 1 },
          note,
        },
      ]
      return figures
    } finally {
      await emulator.close()
    }
  },
}

export default module
