import { expect } from 'chai'
import {
  bestFuzzyCandidate,
  type CameraSite,
  type MatchStage,
  matchDevice,
} from '../../../src/entries/gs/matching.js'
import type { UnitDevice } from '../../../src/support/unit-data.js'

function device(id: number, fields: Partial<Record<string, string | number | null>>): UnitDevice {
  return {
    device_type: 'GRIDSMART',
    atd_device_id: id,
    device_ip: `10.0.0.${id}`,
    device_status: 'OK',
    ip_comm_status: 'OFFLINE',
    atd_location_id: `LOC16-00000${id}`,
    coa_intersection_id: 5155000 + id,
    lat: null,
    lon: null,
    primary_st: null,
    primary_st_segment_id: null,
    cross_st: null,
    cross_st_segment_id: null,
    ...fields,
  }
}

const DEVICES: UnitDevice[] = [
  device(1, { primary_st: 'BURNET RD', cross_st: 'RICHCREEK RD', lat: 30.3462, lon: -97.7212 }),
  device(2, { primary_st: 'LAMAR BLVD', cross_st: '6TH ST', lat: 30.2715378, lon: -97.7539673 }),
  device(3, {
    primary_st: 'CAPITAL OF TEXAS HWY',
    cross_st: 'BARTON CREEK BLVD',
    atd_location_id: 'LOC16-004315',
  }),
  device(4, { primary_st: 'nan', cross_st: 'nan', lat: 30.2, lon: -97.8 }),
  device(5, { primary_st: null, cross_st: null }),
]

const site = (street1: string, street2: string, extra: Partial<CameraSite> = {}): CameraSite => ({
  street1,
  street2,
  latitude: null,
  longitude: null,
  ip: null,
  ...extra,
})

describe('GRIDSMART device matching (spec §9.11 step 2)', () => {
  const cases: [string, CameraSite, number | null, MatchStage | null, boolean | null, number | null][] = [
    ['fuzzy: primary cross', site('Burnet', 'Richcreek'), 1, 'fuzzy', false, 0.8421052631578947],
    ['fuzzy: the reversed candidate', site('Richcreek', 'Burnet'), 1, 'fuzzy', true, 0.8421052631578947],
    ['KNACK_LOOKUPS on trimmed streets', site('Loop 360 ', ' Barton Creek'), 3, 'knack-lookup', false, null],
    [
      'synonyms: Loop 360 → CAPITAL OF TEXAS HWY (0.65625 before)',
      site('Loop 360', 'Barton Creek Blvd'),
      3,
      'synonyms',
      false,
      1,
    ],
    ['0.6923 < 0.7, then the IP', site('Lamar', '6th', { ip: '10.0.0.2' }), 2, 'ip', false, null],
    [
      'GPS within 300 ft (241.6 ft)',
      site('Oak Hill', 'Dr', { latitude: 30.2722, longitude: -97.7539673, ip: '172.16.0.99' }),
      2,
      'gps',
      false,
      null,
    ],
    [
      'GPS beyond 300 ft',
      site('Oak Hill', 'Dr', { latitude: 30.2725, longitude: -97.7539673 }),
      null,
      null,
      null,
      null,
    ],
    ['"nan" streets are no candidates', site('nan', 'nan'), null, null, null, null],
  ]
  for (const [name, camera, id, stage, reversed, ratio] of cases) {
    it(name, () => {
      const { match } = matchDevice(camera, DEVICES)
      if (id === null) {
        expect(match).to.equal(null)
        return
      }
      expect(match?.device.atd_device_id).to.equal(id)
      expect(match?.stage).to.equal(stage)
      expect(match?.device.reversed).to.equal(reversed)
      if (ratio !== null) expect(match?.ratio).to.equal(ratio)
    })
  }

  it('a KNACK_LOOKUPS key whose location has no device warns and stops (no IP/GPS fallback)', () => {
    const { match, warnings } = matchDevice(site('Parmer', 'Market Dwy', { ip: '10.0.0.1' }), DEVICES)
    expect(match).to.equal(null)
    expect(warnings).to.have.length(1)
    expect(warnings[0]).to.include('LOC16-002565')
  })

  it('the GPS stage reports the distance of the nearest device', () => {
    const camera = site('Oak Hill', 'Dr', { latitude: 30.2722, longitude: -97.7539673 })
    expect(matchDevice(camera, DEVICES).match?.distanceFt).to.be.closeTo(241.57892927735386, 1e-6)
  })

  it('the first candidate with the highest ratio wins; the cached devices are not mutated', () => {
    const twins = [device(7, { primary_st: 'BURNET RD', cross_st: 'RICHCREEK RD' }), ...DEVICES]
    const best = bestFuzzyCandidate('burnet richcreek', twins)
    expect(best?.device.atd_device_id).to.equal(7)
    expect(best?.candidate).to.equal('burnet rd richcreek rd')
    matchDevice(site('Burnet', 'Richcreek'), twins)
    expect(twins[0]).to.not.have.property('reversed')
  })

  it('null streets compare as empty strings', () => {
    expect(bestFuzzyCandidate('nan nan', [DEVICES[4] as UnitDevice])?.ratio).to.equal(0.25)
  })
})
