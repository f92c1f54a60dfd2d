import * as chai from 'chai'
import chaiAsPromised from 'chai-as-promised'
import { createKnackClient, KnackError } from '../../../src/drivers/knack/client.js'
import { createKnackUnitData } from '../../../src/drivers/unit-data/knack.js'
import { ConfigError, InputError } from '../../../src/support/errors.js'
import type { UnitDataSource } from '../../../src/support/unit-data.js'
import {
  type KnackEmulator,
  type KnackFieldDef,
  type SeedRecord,
  startKnackEmulator,
} from '../../emulators/knack/knack-emulator.js'

chai.use(chaiAsPromised)
const { expect } = chai

/** Field keys and labels of the inventory app (labels per spec §6.1 / §11.4; keys other than 884/2384 invented). */
const LOCATION_FIELDS: KnackFieldDef[] = [
  { key: 'field_1', label: 'ATD_LOCATION_ID' },
  { key: 'field_2', label: 'COA_INTERSECTION_ID' },
  { key: 'field_3', label: 'PRIMARY_ST' },
  { key: 'field_4', label: 'PRIMARY_ST_SEGMENT_ID' },
  { key: 'field_5', label: 'CROSS_ST' },
  { key: 'field_6', label: 'CROSS_ST_SEGMENT_ID' },
  { key: 'field_7', label: 'SIGNAL_ID' },
  { key: 'field_8', label: 'LOCATION', type: 'address' },
  { key: 'field_9', label: 'LOCATION_NAME' },
]
const SENSOR_FIELDS: KnackFieldDef[] = [
  { key: 'field_880', label: 'ATD_SENSOR_ID', type: 'auto_increment' },
  { key: 'field_881', label: 'READER_ID' },
  { key: 'field_882', label: 'SENSOR_IP' },
  { key: 'field_883', label: 'IP_COMM_STATUS', type: 'multiple_choice' },
  { key: 'field_884', label: 'SENSOR_TYPE', type: 'multiple_choice' },
  { key: 'field_885', label: 'SENSOR_STATUS', type: 'multiple_choice' },
  { key: 'field_886', label: 'ATD_LOCATION_ID', type: 'connection' },
  { key: 'field_887', label: 'KITS_ID', type: 'number' },
]
const GS_FIELDS: KnackFieldDef[] = [
  { key: 'field_2380', label: 'DETECTOR_ID', type: 'auto_increment' },
  { key: 'field_2381', label: 'DETECTOR_IP' },
  { key: 'field_2382', label: 'DETECTOR_STATUS', type: 'multiple_choice' },
  { key: 'field_2383', label: 'IP_COMM_STATUS', type: 'multiple_choice' },
  { key: 'field_2384', label: 'DATA_LAKE', type: 'number' },
  { key: 'field_2385', label: 'SIGNAL_ID' },
]

let ids = 0
const recordId = () => `a${(++ids).toString(16).padStart(23, '0')}`

function location(id: string, over: Record<string, unknown> = {}): SeedRecord {
  return {
    field_1: id,
    field_2: '5155322',
    field_3: '6TH ST',
    field_4: '2019754',
    field_5: 'LAMAR BLVD',
    field_6: '2019753',
    field_7: '123',
    field_8: { latitude: '30.2715378', longitude: '-97.7539673' },
    field_9: 'somewhere',
    ...over,
  }
}

function sensor(type: string, locationId: string, over: Record<string, unknown> = {}): SeedRecord {
  return {
    field_880: 72,
    field_881: 'lamar_6th',
    field_882: '172.16.132.68',
    field_883: 'ONLINE',
    field_884: type,
    field_885: 'TURNED_ON',
    field_886: [{ id: recordId(), identifier: locationId }],
    field_887: null,
    ...over,
  }
}

/** §11.5 unit-data device example, verbatim (column order included). */
const LAMAR_6TH = {
  device_type: 'BLUETOOTH',
  atd_device_id: 72,
  device_name: 'lamar_6th',
  device_status: 'TURNED_ON',
  device_ip: '172.16.132.68',
  ip_comm_status: 'ONLINE',
  atd_location_id: 'LOC16-000585',
  coa_intersection_id: 5155322,
  lat: 30.2715378,
  lon: -97.7539673,
  primary_st: '6TH ST',
  primary_st_segment_id: 2019754,
  cross_st: 'LAMAR BLVD',
  cross_st_segment_id: 2019753,
  kits_id: null,
}

const API_KEY = 'inventory-key-77aa88bb99'

describe('Knack unit data (spec §6.1, §11.4, §11.5)', () => {
  let emu: KnackEmulator
  let source: UnitDataSource

  beforeEach(async () => {
    emu = await startKnackEmulator({ apiKey: API_KEY })
    emu.setObject(
      'object_11',
      [location('LOC16-000585', { field_3: ' 6TH ST ', field_5: 'LAMAR BLVD  ' })],
      LOCATION_FIELDS,
    )
    emu.setObject('object_56', [], SENSOR_FIELDS)
    emu.setObject('object_98', [], GS_FIELDS)
    source = createKnackUnitData({
      clientOptions: { baseUrl: emu.url, appId: emu.appId, apiKey: API_KEY, minDelayMs: 5, maxDelayMs: 20 },
    })
  })
  afterEach(() => emu.close())

  it('BT: the lamar_6th vector, exactly (values, types, column order, trimmed streets)', async () => {
    emu.setObject('object_56', [sensor('BLUETOOTH', 'LOC16-000585'), sensor('RADAR', 'LOC16-000585')])
    const devices = await source.fetchDevices('bt')
    expect(devices).to.have.length(1)
    expect(JSON.stringify(devices[0])).to.equal(JSON.stringify(LAMAR_6TH))
    const filter = emu.requests.find((r) => r.path.endsWith('object_56/records'))?.query.filters
    expect(JSON.parse(filter ?? '')).to.deep.equal({
      match: 'and',
      rules: [{ field: 'field_884', operator: 'is', value: 'BLUETOOTH' }],
    })
  })

  it('WT: radars only, kits_id integer via float, a null READER_ID stays null', async () => {
    emu.setObject('object_56', [
      sensor('BLUETOOTH', 'LOC16-000585'),
      sensor('RADAR', 'LOC16-000585', { field_880: 90, field_881: null, field_887: '105.0' }),
    ])
    const devices = await source.fetchDevices('wt')
    expect(devices).to.deep.equal([
      { ...LAMAR_6TH, device_type: 'RADAR', atd_device_id: 90, device_name: null, kits_id: 105 },
    ])
  })

  it('GS: filter field_2384 is 1, joined on SIGNAL_ID, device_type GRIDSMART, GS column order', async () => {
    emu.setObject('object_98', [
      {
        field_2380: 6548,
        field_2381: '172.16.42.27',
        field_2382: 'OK',
        field_2383: 'OFFLINE',
        field_2384: 1,
        field_2385: '123',
      },
      {
        field_2380: 6549,
        field_2381: '172.16.42.28',
        field_2382: 'OK',
        field_2383: 'ONLINE',
        field_2384: 0,
        field_2385: '123',
      },
    ])
    const devices = await source.fetchDevices('gs')
    expect(devices).to.have.length(1)
    expect(JSON.stringify(devices[0])).to.equal(
      JSON.stringify({
        device_type: 'GRIDSMART',
        atd_device_id: 6548,
        device_ip: '172.16.42.27',
        device_status: 'OK',
        ip_comm_status: 'OFFLINE',
        atd_location_id: 'LOC16-000585',
        coa_intersection_id: 5155322,
        lat: 30.2715378,
        lon: -97.7539673,
        primary_st: '6TH ST',
        primary_st_segment_id: 2019754,
        cross_st: 'LAMAR BLVD',
        cross_st_segment_id: 2019753,
      }),
    )
  })

  it('a device without a location: streets become the string "nan", numbers null', async () => {
    emu.setObject('object_56', [sensor('BLUETOOTH', 'LOC-NOWHERE', { field_887: 7 })])
    emu.setObject('object_98', [
      {
        field_2380: 1,
        field_2381: '10.0.0.1',
        field_2382: 'OK',
        field_2383: 'ONLINE',
        field_2384: 1,
        field_2385: '999',
      },
    ])
    const [bt] = await source.fetchDevices('bt')
    expect(bt).to.include({ atd_location_id: 'LOC-NOWHERE', kits_id: 7, primary_st: 'nan', cross_st: 'nan' })
    expect(bt).to.include({ coa_intersection_id: null, lat: null, lon: null })
    expect(bt).to.include({ primary_st_segment_id: null, cross_st_segment_id: null })
    const [gs] = await source.fetchDevices('gs')
    expect(gs).to.include({ atd_location_id: null, primary_st: 'nan', cross_st: 'nan', lat: null })
  })

  it('a matched location with empty values: null streets (not "nan") and null coordinates', async () => {
    emu.setObject('object_11', [location('LOC-EMPTY', { field_3: null, field_5: '', field_8: null })])
    emu.setObject('object_56', [sensor('BLUETOOTH', 'LOC-EMPTY')])
    const [device] = await source.fetchDevices('bt')
    expect(device).to.include({
      primary_st: null,
      cross_st: null,
      lat: null,
      lon: null,
      coa_intersection_id: 5155322,
    })
  })

  describe('number conversions (cInt / cFlt of the original)', () => {
    const INT_CASES: [unknown, number | null][] = [
      ['5155322', 5155322],
      ['5155322.9', 5155322],
      [' 42 ', 42],
      ['-3.7', -3],
      ['1e3', 1000],
      [17, 17],
      ['abc', null],
      ['', null],
      [null, null],
      ['nan', null],
      ['inf', null],
      ['0x10', null],
    ]
    const FLOAT_CASES: [unknown, number | null][] = [
      ['30.2715378', 30.2715378],
      [' -97.5 ', -97.5],
      [31, 31],
      ['north', null],
      ['', null],
      [null, null],
      ['nan', null],
    ]
    it('coa_intersection_id and segment ids: integer via float, null when unparseable', async () => {
      emu.setObject(
        'object_11',
        INT_CASES.map(([value], i) => location(`L${i}`, { field_2: value, field_4: value, field_6: value })),
      )
      emu.setObject(
        'object_56',
        INT_CASES.map((_, i) => sensor('BLUETOOTH', `L${i}`, { field_887: INT_CASES[i]?.[0] })),
      )
      const devices = await source.fetchDevices('bt')
      expect(devices.map((d) => d.coa_intersection_id)).to.deep.equal(INT_CASES.map(([, want]) => want))
      expect(devices.map((d) => d.primary_st_segment_id)).to.deep.equal(INT_CASES.map(([, want]) => want))
      expect(devices.map((d) => d.cross_st_segment_id)).to.deep.equal(INT_CASES.map(([, want]) => want))
      expect(devices.map((d) => d.kits_id)).to.deep.equal(INT_CASES.map(([, want]) => want))
    })

    it('lat and lon: float, null when unparseable', async () => {
      emu.setObject(
        'object_11',
        FLOAT_CASES.map(([value], i) =>
          location(`L${i}`, { field_8: { latitude: value, longitude: value } }),
        ),
      )
      emu.setObject(
        'object_56',
        FLOAT_CASES.map((_, i) => sensor('BLUETOOTH', `L${i}`)),
      )
      const devices = await source.fetchDevices('bt')
      expect(devices.map((d) => d.lat)).to.deep.equal(FLOAT_CASES.map(([, want]) => want))
      expect(devices.map((d) => d.lon)).to.deep.equal(FLOAT_CASES.map(([, want]) => want))
    })
  })

  it('a location listed twice duplicates the device (left join), in device order', async () => {
    emu.setObject('object_11', [
      location('LOC-A', { field_9: 'first' }),
      location('LOC-A', { field_3: 'OTHER ST' }),
    ])
    emu.setObject('object_56', [
      sensor('BLUETOOTH', 'LOC-A', { field_881: 'a' }),
      sensor('BLUETOOTH', 'LOC-Z', { field_881: 'z' }),
    ])
    const devices = await source.fetchDevices('bt')
    expect(devices.map((d) => [d.device_name, d.primary_st])).to.deep.equal([
      ['a', '6TH ST'],
      ['a', 'OTHER ST'],
      ['z', 'nan'],
    ])
  })

  it('reads every page (2,345 locations) and raises instead of returning a partial list', async () => {
    emu.setObject(
      'object_11',
      Array.from({ length: 2345 }, (_, i) => location(`L${i}`)),
    )
    emu.setObject('object_56', [sensor('BLUETOOTH', 'L2344')])
    const [device] = await source.fetchDevices('bt')
    expect(device?.atd_location_id).to.equal('L2344')
    expect(device?.lat).to.equal(30.2715378)

    const failing = createKnackUnitData({
      client: createKnackClient({
        baseUrl: emu.url,
        appId: emu.appId,
        apiKey: API_KEY,
        retries: 1,
        minDelayMs: 5,
      }),
    })
    emu.failNext(2, { status: 500, path: 'object_11' })
    await expect(failing.fetchDevices('bt')).to.be.rejectedWith(KnackError, /HTTP 500/)
  })

  it('unknown data source → ConfigError listing bt, wt, gs', async () => {
    await expect(source.fetchDevices('xx')).to.be.rejectedWith(ConfigError, /bt, wt, gs/)
  })

  it('a label missing from the app metadata → InputError naming it', async () => {
    emu.setObject(
      'object_56',
      [],
      SENSOR_FIELDS.filter((f) => f.label !== 'KITS_ID'),
    )
    await expect(source.fetchDevices('wt')).to.be.rejectedWith(
      InputError,
      /object_56 has no field labelled KITS_ID/,
    )
  })

  it('needs a client or client options', () => {
    expect(() => createKnackUnitData({})).to.throw(ConfigError)
  })
})
