import { expect } from 'chai'
import type { DateTime } from 'luxon'
import {
  configuredZones,
  dashedGuid,
  type GsStandardDocument,
  type GsZone,
  rebuildDay,
} from '../../../src/entries/gs/ready-day.js'
import { formatDay, parseTimestamp } from '../../../src/util/dates.js'

const Z1: GsZone = { ident: '2c6dff02cb0c4da0adc528dd1946df40', guid: '2c6dff02-cb0c-4da0-adc5-28dd1946df40' }
const Z2: GsZone = { ident: 'ae256bab37dc499e88829cfd5a0fde6b', guid: 'ae256bab-37dc-499e-8882-9cfd5a0fde6b' }

function doc(day: string, covered: number | undefined, times: (string | null)[]): GsStandardDocument {
  return {
    header: {
      data_type: 'gridsmart',
      zip_name: `Burnet_Richcreek_gs_${day}.zip`,
      collection_date: `${day} 00:00:00-05:00`,
      version: 8,
      ...(covered === undefined ? {} : { day_covered: covered }),
    },
    data: times.map((t, i) => (t === null ? { speed: i } : { speed: i, timestamp_adj: t })),
  }
}

/** A loader over `{ "<ident>|<YYYY-MM-DD>": document }`. */
function loader(files: Record<string, GsStandardDocument>) {
  const asked: string[] = []
  const load = async (zone: GsZone, day: DateTime) => {
    const key = `${zone.ident}|${formatDay(day)}`
    asked.push(key)
    return files[key] ?? null
  }
  return { load, asked }
}

const opts = { ignorePrev: false, ignoreNext: false }

describe('GRIDSMART ready day rebuild (spec §9.11)', () => {
  it('keeps the window [day, day + 1), borrows the next day for day_covered -1, adds zone, sorts by instant', async () => {
    const { load, asked } = loader({
      [`${Z1.ident}|2019-06-01`]: doc('2019-06-01', -1, [
        '2019-06-01 00:00:13-05:00',
        '2019-05-31 22:02:11.600000-05:00',
        '2019-06-01 12:00:00-05:00',
      ]),
      [`${Z1.ident}|2019-06-02`]: doc('2019-06-02', -1, [
        '2019-06-01 23:50:00-05:00',
        '2019-06-02 00:10:00-05:00',
      ]),
      [`${Z2.ident}|2019-06-01`]: doc('2019-06-01', 0, ['2019-06-01 06:00:00-05:00']),
    })
    const day = await rebuildDay(parseTimestamp('2019-06-01'), [Z1, Z2], load, opts)
    expect(day.blocked).to.equal(null)
    expect(day.rows.map((r) => [r.timestamp_adj, r.zone])).to.deep.equal([
      ['2019-06-01 00:00:13-05:00', Z1.ident],
      ['2019-06-01 06:00:00-05:00', Z2.ident],
      ['2019-06-01 12:00:00-05:00', Z1.ident],
      ['2019-06-01 23:50:00-05:00', Z1.ident],
    ])
    expect(day.header?.zip_name).to.equal('Burnet_Richcreek_gs_2019-06-01.zip')
    expect(asked).to.deep.equal([
      `${Z1.ident}|2019-06-01`,
      `${Z1.ident}|2019-06-02`,
      `${Z2.ident}|2019-06-01`,
    ])
  })

  it('borrows the previous day for day_covered 1', async () => {
    const { load } = loader({
      [`${Z1.ident}|2019-06-01`]: doc('2019-06-01', 1, [
        '2019-06-01 22:00:00-05:00',
        '2019-06-02 01:00:00-05:00',
      ]),
      [`${Z1.ident}|2019-05-31`]: doc('2019-05-31', 1, [
        '2019-06-01 00:30:00-05:00',
        '2019-05-31 23:00:00-05:00',
      ]),
    })
    const day = await rebuildDay(parseTimestamp('2019-06-01'), [Z1], load, opts)
    expect(day.rows.map((r) => r.timestamp_adj)).to.deep.equal([
      '2019-06-01 00:30:00-05:00',
      '2019-06-01 22:00:00-05:00',
    ])
  })

  const blocking: [string, number, { ignorePrev: boolean; ignoreNext: boolean }, string | null][] = [
    ['next day missing blocks', -1, opts, 'next day'],
    ['-n writes it anyway', -1, { ignorePrev: false, ignoreNext: true }, null],
    ['-p does not help a missing next day', -1, { ignorePrev: true, ignoreNext: false }, 'next day'],
    ['previous day missing blocks', 1, opts, 'previous day'],
    ['-p writes it anyway', 1, { ignorePrev: true, ignoreNext: false }, null],
  ]
  for (const [name, covered, options, blocked] of blocking) {
    it(`day_covered ${covered}: ${name}`, async () => {
      const { load } = loader({
        [`${Z1.ident}|2019-06-01`]: doc('2019-06-01', covered, ['2019-06-01 10:00:00-05:00']),
      })
      const day = await rebuildDay(parseTimestamp('2019-06-01'), [Z1], load, options)
      expect(day.dayDirErr).to.equal(covered)
      if (blocked === null) {
        expect(day.blocked).to.equal(null)
        expect(day.rows).to.have.length(1)
      } else expect(day.blocked).to.include(blocked)
    })
  }

  it('missing day_covered, missing zone files and unparseable times are warnings; no rows blocks', async () => {
    const { load } = loader({ [`${Z1.ident}|2019-06-01`]: doc('2019-06-01', undefined, [null, 'garbage']) })
    const day = await rebuildDay(parseTimestamp('2019-06-01'), [Z1, Z2], load, opts)
    expect(day.blocked).to.equal('No rows for this day.')
    expect(day.dayDirErr).to.equal(0)
    expect(day.warnings.join('\n'))
      .to.match(/no day_covered/)
      .and.match(/No standardized file for zone ae256bab/)
    expect(day.warnings.join('\n')).to.include('2 row(s) without a parseable timestamp_adj')
  })

  it('2019-03-10 (23 h): the window runs from 00:00-06:00 to the next 00:00-05:00', async () => {
    const { load } = loader({
      [`${Z1.ident}|2019-03-10`]: doc('2019-03-10', 0, [
        '2019-03-10 23:59:59-05:00',
        '2019-03-10 03:30:00-05:00',
        '2019-03-10 00:30:00-06:00',
        '2019-03-09 23:59:59-06:00',
        '2019-03-11 00:00:00-05:00',
      ]),
    })
    const day = await rebuildDay(parseTimestamp('2019-03-10'), [Z1], load, opts)
    expect(day.rows.map((r) => r.timestamp_adj)).to.deep.equal([
      '2019-03-10 00:30:00-06:00',
      '2019-03-10 03:30:00-05:00',
      '2019-03-10 23:59:59-05:00',
    ])
  })

  it('2019-11-03 (25 h): both passes of 01:xx are kept and ordered by instant, not by text (§10.19)', async () => {
    const { load } = loader({
      [`${Z1.ident}|2019-11-03`]: doc('2019-11-03', -1, [
        '2019-11-03 01:10:00-06:00',
        '2019-11-03 23:30:00-06:00',
        '2019-11-03 01:30:00-05:00',
      ]),
      [`${Z2.ident}|2019-11-03`]: doc('2019-11-03', 0, [
        '2019-11-03 01:20:00-05:00',
        '2019-11-04 00:00:00-06:00',
      ]),
      [`${Z1.ident}|2019-11-04`]: doc('2019-11-04', -1, ['2019-11-03 23:59:00-06:00']),
    })
    const day = await rebuildDay(parseTimestamp('2019-11-03'), [Z1, Z2], load, opts)
    const times = day.rows.map((r) => r.timestamp_adj)
    expect(times).to.deep.equal([
      '2019-11-03 01:20:00-05:00',
      '2019-11-03 01:30:00-05:00',
      '2019-11-03 01:10:00-06:00',
      '2019-11-03 23:30:00-06:00',
      '2019-11-03 23:59:00-06:00',
    ])
    expect([...times].sort()).to.not.deep.equal(times)
  })

  it('configured zones: IsConfigured cameras, IncludeInData vehicle masks, ident and dashed GUID', () => {
    const site = {
      CameraDevices: [
        {
          Fisheye: {
            IsConfigured: true,
            CameraMasks: {
              ZoneMasks: [
                { Vehicle: { Id: Z1.ident, IncludeInData: true } },
                { Vehicle: { Id: Z2.ident, IncludeInData: false } },
                { Pedestrian: { Id: 'x' } },
              ],
            },
          },
        },
        {
          Fisheye: {
            IsConfigured: false,
            CameraMasks: { ZoneMasks: [{ Vehicle: { Id: Z2.ident, IncludeInData: true } }] },
          },
        },
      ],
    }
    expect(configuredZones(site)).to.deep.equal([Z1])
    expect(dashedGuid(Z2.ident)).to.equal(Z2.guid)
    expect(dashedGuid(Z2.guid)).to.equal(Z2.guid)
  })
})
