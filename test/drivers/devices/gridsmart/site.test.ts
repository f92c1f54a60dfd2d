import { expect } from 'chai'
import {
  checkStreetBase,
  dashGuid,
  parseDeviceAddress,
  parseSiteInfo,
  selectDevices,
  streetBaseName,
} from '../../../../src/drivers/devices/gridsmart/site.js'
import { InputError } from '../../../../src/support/errors.js'
import type { UnitDevice } from '../../../../src/support/unit-data.js'

const zone = (id: string, extra: Record<string, unknown> = {}) => ({
  Vehicle: { Id: id, ApproachType: 'Northbound', TurnType: 'Left', ...extra },
})

function site(street1: unknown, street2: unknown, cameras: unknown[] | null = null) {
  return {
    Id: 'x',
    Location: { Street1: street1, Street2: street2, Latitude: 30.33, Longitude: -97.72, City: 'Austin' },
    CameraDevices: cameras ?? [
      {
        Fisheye: {
          MACAddress: '00:30:53:26:e6:e1',
          CameraMasks: {
            ZoneMasks: [
              zone('2c6dff02cb0c4da0adc528dd1946df40'),
              { Pedestrian: { Id: 'ffffffffffffffffffffffffffffffff' } },
              zone('11111111-2222-3333-4444-555555555555', {
                TurnType: 'Straight',
                ApproachType: 'Westbound',
              }),
            ],
          },
        },
      },
    ],
  }
}

describe('GRIDSMART site rules (spec §9.9)', () => {
  describe('streetBaseName', () => {
    const cases: [string | null, string | null, string][] = [
      ['Burnet', 'Richcreek', 'Burnet_Richcreek'],
      ['Loop 360', 'Barton Creek', 'Loop 360_Barton Creek'],
      ['Loop 360 ', 'Barton Creek', 'Loop 360 _Barton Creek'],
      ['Lamar/Guadalupe', '38th', 'Lamar&Guadalupe_38th'],
      ['MoPac', null, 'MoPac_'],
      [null, 'X', '_X'],
    ]
    for (const [a, b, want] of cases) {
      it(`${JSON.stringify(a)} + ${JSON.stringify(b)} → ${JSON.stringify(want)}`, () => {
        expect(streetBaseName(a, b)).to.equal(want)
      })
    }
  })

  describe('checkStreetBase', () => {
    for (const ok of [
      'Burnet_Richcreek',
      'Loop 360 _Barton Creek',
      'Lamar&Guadalupe_38th',
      'Café_Ñu',
      'MoPac_',
    ]) {
      it(`accepts ${JSON.stringify(ok)}`, () => expect(checkStreetBase(ok)).to.equal(ok))
    }
    const bad: [string, RegExp][] = [
      ['a/b_c', /contains "\/"/],
      ['.._x', /contains "\.\."/],
      ['x_../../etc', /contains/],
      ['a\\b_c', /"\\"/],
      ['a\u0000b_c', /U\+0000/],
      ['a\nb_c', /U\+000A/],
      ['a\u007f_c', /U\+007F/],
      [`${'x'.repeat(161)}_y`, /bytes long; the limit is 160/],
    ]
    for (const [base, message] of bad) {
      it(`rejects ${JSON.stringify(base).slice(0, 30)}`, () => {
        expect(() => checkStreetBase(base))
          .to.throw(InputError, /cannot be used as a lake identifier/)
          .and.match(message)
      })
    }
  })

  describe('dashGuid', () => {
    it('inserts dashes 8-4-4-4-12 when absent and keeps dashed ids', () => {
      expect(dashGuid('2c6dff02cb0c4da0adc528dd1946df40')).to.equal('2c6dff02-cb0c-4da0-adc5-28dd1946df40')
      expect(dashGuid('2c6dff02-cb0c-4da0-adc5-28dd1946df40')).to.equal(
        '2c6dff02-cb0c-4da0-adc5-28dd1946df40',
      )
    })
    for (const bad of [
      '../../x',
      '2c6dff02cb0c4da0adc528dd1946df4',
      'zz6dff02cb0c4da0adc528dd1946df40',
      42,
      null,
    ]) {
      it(`rejects ${JSON.stringify(bad)}`, () =>
        expect(() => dashGuid(bad)).to.throw(InputError, /not a GUID/))
    }
  })

  describe('parseSiteInfo', () => {
    it('reads the location, the first MAC and the vehicle zones with dashed GUIDs', () => {
      const info = parseSiteInfo(site('Burnet', 'Richcreek'))
      expect(info).to.deep.include({
        street1: 'Burnet',
        street2: 'Richcreek',
        lat: 30.33,
        lon: -97.72,
        macAddress: '00:30:53:26:e6:e1',
        base: 'Burnet_Richcreek',
        warnings: [],
      })
      expect(info.zones).to.deep.equal([
        { id: '2c6dff02-cb0c-4da0-adc5-28dd1946df40', turnType: 'Left', approachType: 'Northbound' },
        { id: '11111111-2222-3333-4444-555555555555', turnType: 'Straight', approachType: 'Westbound' },
      ])
    })

    it('keeps a trailing space and warns when there are several cameras', () => {
      const one = site('x', 'y').CameraDevices[0]
      const info = parseSiteInfo(
        site('Loop 360 ', 'Barton Creek', [one, { Fisheye: { MACAddress: 'other' } }]),
      )
      expect(info.base).to.equal('Loop 360 _Barton Creek')
      expect(info.macAddress).to.equal('00:30:53:26:e6:e1')
      expect(info.warnings).to.deep.equal(['site.json lists 2 cameras; only the first one is used.'])
    })

    const broken: [string, unknown, RegExp][] = [
      ['not an object', [1, 2], /not a JSON object/],
      ['no Location', { CameraDevices: [] }, /no "Location"/],
      ['no Street1', site(null, 'x'), /no Location.Street1/],
      ['blank Street1', site('  ', 'x'), /no Location.Street1/],
      ['numeric Street2', site('a', 5), /Street2 is not a string/],
      ['no cameras', site('a', 'b', []), /no CameraDevices/],
      ['no Fisheye', site('a', 'b', [{}]), /no "Fisheye"/],
      ['no MAC', site('a', 'b', [{ Fisheye: {} }]), /no MACAddress/],
      ['a climbing street (after / → &)', site('../../../etc/passwd', 'x'), /"\.\.&\.\.&.*contains "\.\."/],
      ['a backslash street', site('..\\..\\windows', 'x'), /contains/],
      ['NUL in street', site('Burnet\u0000', 'x'), /U\+0000/],
      [
        'bad zone id',
        site('a', 'b', [{ Fisheye: { MACAddress: 'm', CameraMasks: { ZoneMasks: [zone('../evil')] } } }]),
        /not a GUID/,
      ],
    ]
    for (const [name, doc, message] of broken) {
      it(`rejects a site.json with ${name}`, () =>
        expect(() => parseSiteInfo(doc)).to.throw(InputError, message))
    }
  })

  describe('parseDeviceAddress', () => {
    const cases: [string, { host: string; port: number } | null][] = [
      ['10.66.2.41', { host: '10.66.2.41', port: 8902 }],
      [' 10.66.2.41 ', { host: '10.66.2.41', port: 8902 }],
      ['127.0.0.1:40123', { host: '127.0.0.1', port: 40123 }],
      ['camera-3.local', { host: 'camera-3.local', port: 8902 }],
      ['http://evil/', null],
      ['user@10.0.0.1', null],
      ['10.0.0.1/api', null],
      ['10.0.0.1:0', null],
      ['10.0.0.1:70000', null],
      ['', null],
    ]
    for (const [text, want] of cases) {
      it(`${JSON.stringify(text)} → ${want ? `${want.host}:${want.port}` : 'error'}`, () => {
        if (want) expect(parseDeviceAddress(text)).to.deep.equal(want)
        else expect(() => parseDeviceAddress(text)).to.throw(InputError, /not "host" or "host:port"/)
      })
    }
  })

  describe('selectDevices (device discovery, step 2)', () => {
    const device = (fields: Record<string, string | number | null>): UnitDevice => ({
      device_type: 'GRIDSMART',
      device_status: 'TURNED_ON',
      ip_comm_status: 'OFFLINE',
      atd_location_id: 'LOC16-000001',
      primary_st: 'BURNET RD',
      cross_st: 'RICHCREEK RD',
      ...fields,
    })
    const devices: UnitDevice[] = [
      device({ device_ip: '10.0.0.1' }),
      device({ device_ip: '10.0.0.2', device_status: ' removed ' }),
      device({ device_ip: '10.0.0.3', atd_location_id: 'nan' }),
      device({ device_ip: '10.0.0.4', atd_location_id: null }),
      device({ device_ip: ' 10.0.0.1 ' }),
      device({ device_ip: '10.0.0.5', primary_st: 'LAMAR/GUADALUPE', cross_st: null }),
      device({ device_ip: '10.0.0.6', device_status: null, primary_st: null }),
      device({ device_ip: null }),
      device({ device_ip: 'http://x/' }),
      device({ device_ip: 'CAM.local', primary_st: 'LOOP 360' }),
      device({ device_ip: 'cam.LOCAL' }),
    ]

    it('applies the status, location, duplicate-IP and address rules; ip_comm_status is not consulted', () => {
      const result = selectDevices(devices, /.*/)
      expect(result.candidates.map((c) => [c.ip, c.name])).to.deep.equal([
        ['10.0.0.1', 'BURNET RD_RICHCREEK RD'],
        ['10.0.0.5', 'LAMAR&GUADALUPE_'],
        ['10.0.0.6', '_RICHCREEK RD'],
        ['CAM.local', 'LOOP 360_RICHCREEK RD'],
      ])
      expect(result.skipped.map((s) => s.reason)).to.deep.equal([
        'device_status is REMOVED',
        'no atd_location_id',
        'no atd_location_id',
        'Duplicate device_ip 10.0.0.1 (LOC16-000001); skipped.',
        'Device at LOC16-000001 has no device_ip; skipped.',
        'device_ip "http://x/" is not "host" or "host:port". (LOC16-000001); skipped.',
        'Duplicate device_ip cam.LOCAL (LOC16-000001); skipped.',
      ])
      expect(result.warnings).to.have.length(4)
    })

    it('keeps only names the filter regex matches anywhere (a search, not a full match)', () => {
      const names = (re: RegExp) => selectDevices(devices, re).candidates.map((c) => c.ip)
      expect(names(/RICHCREEK/)).to.deep.equal(['10.0.0.1', '10.0.0.6', 'CAM.local'])
      expect(names(/^LAMAR&/)).to.deep.equal(['10.0.0.5'])
      expect(names(/g/g)).to.deep.equal([])
    })
  })
})
