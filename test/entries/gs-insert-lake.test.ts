import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { createDriverSet, type DriverSet } from '../../src/config/factories.js'
import { loadSettings } from '../../src/config/load.js'
import type { Settings } from '../../src/config/schema.js'
import {
  createGsUnitData,
  type SimulatedCamera,
  startSimulatedCamera,
} from '../../src/drivers/devices/gridsmart/simulator.js'
import { createGsDeviceProvider, type GsCamera, GsInsertLakeApp } from '../../src/entries/gs-insert-lake.js'
import type { CatalogEntry } from '../../src/support/catalog-driver.js'
import { fixedClock, formatPyTs, parseTimestamp } from '../../src/util/dates.js'
import { parsePyJson, stringifyPy } from '../../src/util/py-json.js'
import { createLogSink } from '../helpers/log-sink.js'

const clock = fixedClock('2019-06-02 01:33:48')
const RAW = 'atd-datalake-raw'
const msgs = (lines: Record<string, unknown>[]) => lines.map((l) => String(l.msg))

describe('gs-insert-lake end to end on simulated cameras and a local lake', function () {
  this.timeout(120_000)
  let dir: string
  let settings: Settings
  let drivers: DriverSet
  const cameras: SimulatedCamera[] = []
  const lake = (key: string) => join(settings.lakeDir, RAW, key)

  async function catalogRows(): Promise<CatalogEntry[]> {
    const out: CatalogEntry[] = []
    for await (const row of drivers.catalog().query({ repository: RAW, dataSource: 'gs' })) out.push(row)
    return out
  }
  const run = (logger: ReturnType<typeof createLogSink>['logger'], args: Record<string, unknown> = {}) =>
    new GsInsertLakeApp(
      { start_date: '2019-05-30', ...args },
      { settings, drivers, clock, logger },
      { client: { timeoutMs: 300 } },
    ).run()

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gs-insert-'))
    settings = loadSettings({ env: {}, cwd: dir })
    drivers = createDriverSet(settings, { debug: false })
    const days = ['2019-05-30', '2019-05-31', '2019-06-01', '2019-06-02']
    cameras.push(
      await startSimulatedCamera({ clock, street1: 'Burnet', street2: 'Richcreek', days, seed: 1 }),
      await startSimulatedCamera({
        clock,
        street1: 'Loop 360 ',
        street2: 'Barton Creek',
        days: ['2019-05-31', '2019-06-01'],
        clockDriftMinutes: 37,
        timeZoneLabel: '(UTC-05:00) Eastern Time (US & Canada)',
        layout: 'B',
        countVersion: 4,
        seed: 2,
      }),
      await startSimulatedCamera({
        clock,
        street1: 'Lamar',
        street2: '6th',
        days,
        behavior: 'hang',
        seed: 3,
      }),
      await startSimulatedCamera({ clock, street1: '../../etc', street2: 'passwd', days, seed: 4 }),
    )
    await mkdir(settings.unitData.dir, { recursive: true })
    await writeFile(join(settings.unitData.dir, 'gs_unit_data.json'), stringifyPy(createGsUnitData(cameras)))
  })

  after(async () => {
    for (const camera of cameras) await camera.close()
    await drivers.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('stores each missing day ZIP, one site file per base and the unit data; skips failing devices', async () => {
    const sink = createLogSink('info')
    const result = await run(sink.logger)
    // Unreachable or unusable cameras are skipped at discovery: not item failures, so the exit code stays 0.
    expect(result).to.include({ items: 5, records: 5, exitCode: 0 })
    expect(result.failures).to.deep.equal([])
    const rows = await catalogRows()
    expect(
      rows.map((r) => [formatPyTs(r.collectionDate), r.idBase, r.idExt, r.pointer]),
    ).to.have.deep.members([
      [
        '2019-05-30 00:00:00-05:00',
        'Burnet_Richcreek',
        'zip',
        '2019/05/30/gs/Burnet_Richcreek_gs_2019-05-30.zip',
      ],
      [
        '2019-05-31 00:00:00-05:00',
        'Burnet_Richcreek',
        'zip',
        '2019/05/31/gs/Burnet_Richcreek_gs_2019-05-31.zip',
      ],
      [
        '2019-06-01 00:00:00-05:00',
        'Burnet_Richcreek',
        'zip',
        '2019/06/01/gs/Burnet_Richcreek_gs_2019-06-01.zip',
      ],
      [
        '2019-05-31 00:00:00-05:00',
        'Loop 360 _Barton Creek',
        'zip',
        '2019/05/31/gs/Loop 360 _Barton Creek_gs_2019-05-31.zip',
      ],
      [
        '2019-06-01 00:00:00-05:00',
        'Loop 360 _Barton Creek',
        'zip',
        '2019/06/01/gs/Loop 360 _Barton Creek_gs_2019-06-01.zip',
      ],
      [
        '2019-06-02 00:00:00-05:00',
        'Burnet_Richcreek',
        'site.json',
        '2019/06/02/gs/Burnet_Richcreek_gs_2019-06-02_site.json',
      ],
      [
        '2019-06-02 00:00:00-05:00',
        'Loop 360 _Barton Creek',
        'site.json',
        '2019/06/02/gs/Loop 360 _Barton Creek_gs_2019-06-02_site.json',
      ],
      [
        '2019-06-02 00:00:00-05:00',
        'Austin',
        'unit_data.json',
        '2019/06/02/gs/Austin_gs_2019-06-02_unit_data.json',
      ],
    ])
    expect(rows).to.have.length(8)
    for (const row of rows) expect(existsSync(lake(row.pointer)), row.pointer).to.equal(true)

    const zip = await readFile(lake('2019/06/01/gs/Burnet_Richcreek_gs_2019-06-01.zip'))
    expect(zip.equals(await (cameras[0] as SimulatedCamera).countsZip('2019-06-01'))).to.equal(true)

    const site = parsePyJson(
      await readFile(lake('2019/06/02/gs/Loop 360 _Barton Creek_gs_2019-06-02_site.json'), 'utf8'),
    ) as Record<string, Record<string, unknown>>
    const loop = cameras[1] as SimulatedCamera
    expect(site.header).to.deep.equal({
      data_type: 'gs_site',
      target_filename: 'Loop 360 _Barton Creek_site_2019-06-02.json',
      collection_date: '2019-06-02 00:00:00-05:00',
      device_net_addr: loop.address,
    })
    expect(site.site).to.deep.equal(loop.site())
    // True time 06:33:48Z; the camera shows UTC-5 wall time plus its 37 minutes of drift.
    expect(site.datetime).to.deep.equal({
      DateTime: '6/2/2019 2:10:48 AM',
      TimeZoneId: '(UTC-05:00) Eastern Time (US & Canada)',
      HostTimeUTC: '06/02/2019 06:33:48 AM',
    })
    expect(site.hardware_info).to.include({ HardwareVersion: 'GS2' })

    const unit = parsePyJson(
      await readFile(lake('2019/06/02/gs/Austin_gs_2019-06-02_unit_data.json'), 'utf8'),
    ) as { header: Record<string, unknown>; devices: Record<string, unknown>[] }
    expect(unit.header).to.include({
      data_type: 'gs_unit_data',
      collection_date: '2019-06-02 00:00:00-05:00',
    })
    expect(unit.devices.map((d) => d.device_ip)).to.deep.equal(cameras.map((c) => c.address))

    const log = msgs(sink.lines)
    const hang = cameras[2] as SimulatedCamera
    const hostile = cameras[3] as SimulatedCamera
    expect(log).to.include('Result: Successes: 2; Failures: 2')
    expect(
      log.some((m) => m.startsWith(`Skipping device ${hang.address} (LAMAR_6TH)`) && /300 ms/.test(m)),
    ).to.equal(true)
    expect(
      log.some((m) => m.startsWith(`Skipping device ${hostile.address}`) && /contains "\.\."/.test(m)),
    ).to.equal(true)
    expect(hostile.requests).to.not.include('/api/counts.json')
    expect(existsSync(join(settings.lakeDir, RAW, 'etc'))).to.equal(false)
  })

  it('downloads nothing on a second run', async () => {
    const before = (cameras[0] as SimulatedCamera).requests.length
    const result = await run(createLogSink('warn').logger)
    expect(result).to.include({ items: 0, records: 0, exitCode: 0 })
    const after = (cameras[0] as SimulatedCamera).requests.slice(before)
    expect(after.filter((p) => p.startsWith('/api/counts/bydate/'))).to.deep.equal([])
    expect(await catalogRows()).to.have.length(8)
  })

  it('-f keeps matching devices; a duplicate base is skipped; a failed download is an item failure (exit 2)', async () => {
    const corrupt = await startSimulatedCamera({
      clock,
      street1: 'Congress',
      street2: '5th',
      days: ['2019-06-01'],
      behavior: 'corrupt-zip',
    })
    const twin = await startSimulatedCamera({
      clock,
      street1: 'Congress',
      street2: '5th',
      days: ['2019-06-01'],
    })
    cameras.push(corrupt, twin)
    const devices = createGsUnitData(cameras)
    await writeFile(join(settings.unitData.dir, 'gs_unit_data.json'), stringifyPy(devices))
    const sink = createLogSink('info')
    const result = await run(sink.logger, { name_filter: '^CONGRESS' })
    expect(result).to.include({ items: 1, records: 0, exitCode: 2 })
    expect(result.failures.map((f) => f.label)).to.deep.equal(['2019-06-01_Congress_5th.zip'])
    expect(result.failures[0]?.error.message).to.match(/not a readable ZIP/)
    expect(msgs(sink.lines)).to.include('Result: Successes: 1; Failures: 1')
    expect(
      msgs(sink.lines).some((m) => m.includes(`"Congress_5th" is already used by device ${corrupt.address}`)),
    ).to.equal(true)
    const congress = (await catalogRows()).filter((r) => r.idBase === 'Congress_5th')
    // The site file is written before the download, as in the original.
    expect(congress.map((r) => r.idExt)).to.deep.equal(['site.json'])
  })
})

describe('GRIDSMART device provider (LastUpdGSProv, spec §3.2)', () => {
  const day = (d: string) => parseTimestamp(d)
  const camera = (base: string, days: string[]) => ({ base, days: days.map(day) }) as unknown as GsCamera

  it('lists days ascending, devices in list order, within the window', async () => {
    const provider = createGsDeviceProvider([
      camera('B_x', ['2019-06-02', '2019-06-01']),
      camera('A_y', ['2019-05-31', '2019-06-02']),
    ])
    const list = async (start: string | null, end: string | null) => {
      const out: string[] = []
      const window = { start: start ? day(start) : null, end: end ? day(end) : null }
      for await (const item of provider.list(window)) out.push(`${item.label}|${item.ext}|${item.base}`)
      return out
    }
    expect(await list(null, null)).to.deep.equal([
      '2019-05-31_A_y.zip|zip|A_y',
      '2019-06-01_B_x.zip|zip|B_x',
      '2019-06-02_B_x.zip|zip|B_x',
      '2019-06-02_A_y.zip|zip|A_y',
    ])
    expect(await list('2019-06-01', '2019-06-02')).to.deep.equal(['2019-06-01_B_x.zip|zip|B_x'])
    expect(await list('2019-06-02', '2019-06-02')).to.deep.equal([
      '2019-06-02_B_x.zip|zip|B_x',
      '2019-06-02_A_y.zip|zip|A_y',
    ])
  })
})
