import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { createDriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import {
  createAwamReaders,
  createBtUnitData,
  writeAwamDay,
} from '../../src/drivers/devices/awam-generator.js'
import { BtInsertLakeApp } from '../../src/entries/bt-insert-lake.js'
import { BtJsonStandardApp } from '../../src/entries/bt-json-standard.js'
import { fixedClock, parseTimestamp } from '../../src/util/dates.js'
import { stringifyPy } from '../../src/util/py-json.js'
import { createLogSink } from '../helpers/log-sink.js'

describe('bt-json-standard: a day whose files arrive on different nights (spec §10b "late files")', () => {
  it('converts the late files on the next run (the original skipped them: base-only key)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bt-late-'))
    try {
      const settings = loadSettings({
        cwd: dir,
        env: { CATALOG_ETL_STORAGE: 'memory', CATALOG_ETL_CATALOG: 'memory', CATALOG_ETL_PERFMET: 'none' },
      })
      const drivers = createDriverSet(settings, { debug: false })
      const runtime = {
        settings,
        drivers,
        clock: fixedClock('2019-06-03 03:00:00'),
        logger: createLogSink('warn').logger,
      }
      const day = parseTimestamp('2019-06-01')
      const readers = createAwamReaders(4, 1)
      const share = settings.devices.awamDir
      const held = join(dir, 'held')
      await mkdir(share, { recursive: true })
      await mkdir(held, { recursive: true })
      await writeAwamDay(share, day, { readers, seed: 2, iafRows: 40, itmfRows: 10 })
      await mkdir(settings.unitData.dir, { recursive: true })
      await writeFile(
        join(settings.unitData.dir, 'bt_unit_data.json'),
        stringifyPy(createBtUnitData(readers, { collectionDate: day, processingDate: day })),
      )
      const late = ['Austin_btmatch_06-01-2019.txt', 'Austin_bt_summary_15_06-01-2019.txt']
      for (const name of late) await rename(join(share, name), join(held, name))

      const args = { start_date: '2019-06-01', end_date: '2019-06-02' }
      expect((await new BtInsertLakeApp(args, runtime).run()).items).to.equal(1)
      expect((await new BtJsonStandardApp(args, runtime).run()).items).to.equal(1)

      for (const name of late) await rename(join(held, name), join(share, name))
      expect((await new BtInsertLakeApp(args, runtime).run()).items).to.equal(2)
      const second = await new BtJsonStandardApp(args, runtime).run()
      expect(second.items).to.equal(2)
      expect((await new BtJsonStandardApp(args, runtime).run()).items).to.equal(0)
      await drivers.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
