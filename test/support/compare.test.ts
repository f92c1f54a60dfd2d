import { expect } from 'chai'
import { type CompareOptions, compareItems } from '../../src/support/compare.js'
import type { ProviderItem } from '../../src/support/items.js'
import { arrayProvider, collect, d, item, opts, referenceCompare, show } from './compare-fixtures.js'

type Fixture = ProviderItem<null>

interface Case {
  readonly name: string
  readonly source: readonly Fixture[]
  readonly target: readonly Fixture[] | null
  readonly options: Partial<CompareOptions>
  /** Expected work items as `base|ext|ISO date` (or with `|prior` when the flag is true). */
  readonly expected: readonly string[]
  readonly forced?: readonly string[]
}

const BT = ['unmatched.txt', 'matched.txt', 'traf_match_summary.txt']
const daily = (base: string, ext: string, from: string, count: number): Fixture[] =>
  Array.from({ length: count }, (_, i) => item(base, ext, d(from).plus({ days: i }).toISODate() as string))
const day = (f: Fixture): string => f.date.toISODate() as string
/** The item written at `when` (Central wall time). */
const written = (f: Fixture, when: string | null): Fixture => ({
  ...f,
  updated: when === null ? null : d(when),
})

const cases: readonly Case[] = [
  {
    name: 'window -s 2018-07-01 -e 2018-07-12 covers 07-01 … 07-11 (end exclusive)',
    source: daily('Austin', 'csv', '2018-06-30', 13),
    target: [],
    options: { startDate: d('2018-07-01'), endDate: d('2018-07-12') },
    expected: daily('Austin', 'csv', '2018-07-01', 11).map((f) => `Austin|csv|${day(f)}|prior`),
  },
  {
    name: 'start == end (-s 2020-10-01 -e 2020-10-01) covers just that day',
    source: daily('Austin', 'csv', '2020-09-30', 3),
    target: [],
    options: { startDate: d('2020-10-01'), endDate: d('2020-10-01') },
    expected: ['Austin|csv|2020-10-01|prior'],
  },
  {
    name: 'lastRunDate is the lower bound when there is no start date',
    source: daily('Austin', 'csv', '2019-06-01', 5),
    target: [],
    options: { lastRunDate: d('2019-06-03') },
    expected: ['Austin|csv|2019-06-03', 'Austin|csv|2019-06-04', 'Austin|csv|2019-06-05'],
  },
  {
    name: 'start date wins over lastRunDate; items before lastRunDate get priorLastUpdate',
    source: daily('Austin', 'csv', '2019-06-01', 5),
    target: [],
    options: { startDate: d('2019-06-02'), lastRunDate: d('2019-06-04') },
    expected: [
      'Austin|csv|2019-06-02|prior',
      'Austin|csv|2019-06-03|prior',
      'Austin|csv|2019-06-04',
      'Austin|csv|2019-06-05',
    ],
  },
  {
    name: 'no lastRunDate: every item has priorLastUpdate',
    source: daily('Austin', 'csv', '2019-06-01', 2),
    target: null,
    options: {},
    expected: ['Austin|csv|2019-06-01|prior', 'Austin|csv|2019-06-02|prior'],
  },
  {
    name: 'same-day rule: items dated today are skipped without an end date',
    source: daily('Austin', 'csv', '2019-06-03', 4),
    target: [],
    options: { sameDayCutoff: d('2019-06-05') },
    expected: ['Austin|csv|2019-06-03|prior', 'Austin|csv|2019-06-04|prior'],
  },
  {
    name: 'same-day rule is lifted by an end date',
    source: daily('Austin', 'csv', '2019-06-03', 4),
    target: [],
    options: { sameDayCutoff: d('2019-06-05'), endDate: d('2019-06-07') },
    expected: daily('Austin', 'csv', '2019-06-03', 4).map((f) => `Austin|csv|${day(f)}|prior`),
  },
  {
    name: 'same-day rule also drops today’s targets (a multi-day source reaching today is processed)',
    source: [item('Austin', 'csv', '2019-06-04', '2019-06-06')],
    target: [item('Austin', 'csv', '2019-06-05')],
    options: { sameDayCutoff: d('2019-06-05') },
    expected: ['Austin|csv|2019-06-04|prior'],
  },
  {
    name: 'the same multi-day source is skipped when the same-day rule is off',
    source: [item('Austin', 'csv', '2019-06-04', '2019-06-06')],
    target: [item('Austin', 'csv', '2019-06-05')],
    options: {},
    expected: [],
  },
  {
    name: 'bt_insert_lake base+ext: each of the three files is tracked on its own',
    source: ['2019-06-01', '2019-06-02'].flatMap((day) => BT.map((ext) => item('Austin', ext, day))),
    target: [item('Austin', 'matched.txt', '2019-06-01')],
    options: { keyMode: 'base+ext' },
    expected: [
      'Austin|unmatched.txt|2019-06-01|prior',
      'Austin|traf_match_summary.txt|2019-06-01|prior',
      ...BT.map((ext) => `Austin|${ext}|2019-06-02|prior`),
    ],
  },
  {
    name: 'base-only key: one target file blocks every other file of that base and day (§10.16)',
    source: ['2019-06-01', '2019-06-02'].flatMap((day) => BT.map((ext) => item('Austin', ext, day))),
    target: [item('Austin', 'matched.txt', '2019-06-01')],
    options: { keyMode: 'base' },
    expected: BT.map((ext) => `Austin|${ext}|2019-06-02|prior`),
  },
  {
    name: 'base key: unit_data./site. targets are ignored, case-insensitively',
    source: [item('Austin', 'json', '2019-06-01'), item('Lamar_6th', 'json', '2019-06-01')],
    target: [item('Austin', 'UNIT_DATA.json', '2019-06-01'), item('Lamar_6th', 'Site.json', '2019-06-01')],
    options: { keyMode: 'base' },
    expected: ['Austin|json|2019-06-01|prior', 'Lamar_6th|json|2019-06-01|prior'],
  },
  {
    name: 'base key with ignoreUnitAndSite off: unit_data targets count',
    source: [item('Austin', 'json', '2019-06-01')],
    target: [item('Austin', 'unit_data.json', '2019-06-01')],
    options: { keyMode: 'base', ignoreUnitAndSite: false },
    expected: [],
  },
  {
    name: 'base+ext key: unit_data targets are not ignored',
    source: [item('Austin', 'unit_data.json', '2019-06-01'), item('Austin', 'json', '2019-06-01')],
    target: [item('Austin', 'unit_data.json', '2019-06-01')],
    options: { keyMode: 'base+ext' },
    expected: ['Austin|json|2019-06-01|prior'],
  },
  {
    name: 'force processes skipped items and reports each key/date once',
    source: [
      item('Austin', 'matched.txt', '2019-06-01'),
      item('Austin', 'unmatched.txt', '2019-06-01'),
      item('Austin', 'matched.txt', '2019-06-02'),
    ],
    target: [item('Austin', 'x', '2019-06-01'), item('Austin', 'x', '2019-06-02')],
    options: { keyMode: 'base', force: true },
    expected: [
      'Austin|matched.txt|2019-06-01|prior',
      'Austin|unmatched.txt|2019-06-01|prior',
      'Austin|matched.txt|2019-06-02|prior',
    ],
    forced: [
      'Forcing processing of Austin for date 2019-06-01 00:00:00-05:00.',
      'Forcing processing of Austin for date 2019-06-02 00:00:00-05:00.',
    ],
  },
  {
    name: 'force message shows the (base, ext) tuple in base+ext mode; unskipped items print nothing',
    source: [item('Austin', 'matched.txt', '2019-06-01'), item('Austin', 'unmatched.txt', '2019-06-01')],
    target: [item('Austin', 'matched.txt', '2019-06-01')],
    options: { keyMode: 'base+ext', force: true },
    expected: ['Austin|matched.txt|2019-06-01|prior', 'Austin|unmatched.txt|2019-06-01|prior'],
    forced: ["Forcing processing of ('Austin', 'matched.txt') for date 2019-06-01 00:00:00-05:00."],
  },
  {
    name: 'reprocessNewer: a source written after its target is processed again; older, equal or unknown is not',
    source: [
      written(item('A', 'json', '2019-06-01', null, 'src/A/06-01'), '2019-06-05T10:00'),
      written(item('A', 'json', '2019-06-02'), '2019-06-05T10:00'),
      written(item('A', 'json', '2019-06-03'), '2019-06-05T10:00'),
      written(item('A', 'json', '2019-06-04'), null),
      written(item('A', 'json', '2019-06-05'), '2019-06-05T10:00'),
    ],
    target: [
      written(item('A', 'x', '2019-06-01'), '2019-06-02T03:00'),
      written(item('A', 'x', '2019-06-02'), '2019-06-06T03:00'),
      written(item('A', 'x', '2019-06-03'), '2019-06-05T10:00'),
      written(item('A', 'x', '2019-06-04'), '2019-06-02T03:00'),
      written(item('A', 'x', '2019-06-05'), null),
    ],
    options: { reprocessNewer: true },
    expected: ['A|json|2019-06-01|prior'],
    forced: [
      'Reprocessing src/A/06-01 for date 2019-06-01 00:00:00-05:00: the source changed at 2019-06-05 10:00:00-05:00, after the target was processed at 2019-06-02 03:00:00-05:00.',
    ],
  },
  {
    name: 'without reprocessNewer a newer source item is still skipped (the original)',
    source: [written(item('A', 'json', '2019-06-01'), '2019-06-05T10:00')],
    target: [written(item('A', 'x', '2019-06-01'), '2019-06-02T03:00')],
    options: {},
    expected: [],
  },
  {
    name: 'multi-day source: a target inside its interval skips it',
    source: [item('A', 'json', '2019-06-01', '2019-06-04')],
    target: [item('A', 'json', '2019-06-03')],
    options: {},
    expected: [],
  },
  {
    name: 'multi-day source: a target at its exclusive end does not skip it',
    source: [item('A', 'json', '2019-06-01', '2019-06-04')],
    target: [item('A', 'json', '2019-06-04')],
    options: {},
    expected: ['A|json|2019-06-01|prior'],
  },
  {
    name: 'target interval: an empty target interval at the source date does not skip (s.date >= t.end)',
    source: [item('A', 'json', '2019-06-01')],
    target: [item('A', 'json', '2019-06-01', '2019-06-01')],
    options: {},
    expected: ['A|json|2019-06-01|prior'],
  },
  {
    name: 'target interval: a multi-day target starting inside the source day skips it',
    source: [item('A', 'json', '2019-06-01')],
    target: [item('A', 'json', '2019-06-01T06:00', '2019-06-03')],
    options: {},
    expected: [],
  },
  {
    name: 'caveat: a multi-day target that began before the source date is not seen',
    source: [item('A', 'json', '2019-06-01')],
    target: [item('A', 'json', '2019-05-30', '2019-06-05')],
    options: {},
    expected: ['A|json|2019-06-01|prior'],
  },
  {
    name: 'caveat: only the first target at or after the source date is tested',
    source: [item('A', 'json', '2019-06-01', '2019-06-05')],
    target: [item('A', 'json', '2019-06-01', '2019-06-01'), item('A', 'json', '2019-06-02')],
    options: {},
    expected: ['A|json|2019-06-01|prior'],
  },
  {
    name: 'target null: everything in the window is processed',
    source: [
      item('A', 'json', '2019-06-01'),
      item('A', 'json', '2019-06-01'),
      item('B', 'csv', '2019-06-02'),
    ],
    target: null,
    options: {},
    expected: ['A|json|2019-06-01|prior', 'A|json|2019-06-01|prior', 'B|csv|2019-06-02|prior'],
  },
  {
    name: 'DST fall-back: 2019-11-03 lasts 25 h, so a target at 23:30 CST still belongs to it',
    source: [item('A', 'json', '2019-11-03')],
    target: [item('A', 'json', '2019-11-03T23:30')],
    options: {},
    expected: [],
  },
  {
    name: 'DST fall-back: the next local midnight is outside the 25 h day',
    source: [item('A', 'json', '2019-11-03')],
    target: [item('A', 'json', '2019-11-04')],
    options: {},
    expected: ['A|json|2019-11-03|prior'],
  },
  {
    name: 'DST spring-forward: 2019-03-10 lasts 23 h; the next midnight does not overlap',
    source: [item('A', 'json', '2019-03-10'), item('A', 'json', '2019-03-11')],
    target: [item('A', 'json', '2019-03-11')],
    options: {},
    expected: ['A|json|2019-03-10|prior'],
  },
  {
    name: 'duplicate source dates share the buffered targets',
    source: [item('A', 'x', '2019-06-01'), item('B', 'x', '2019-06-01'), item('A', 'y', '2019-06-01')],
    target: [item('B', 'z', '2019-06-01'), item('A', 'z', '2019-06-01')],
    options: {},
    expected: [],
  },
]

describe('compareItems (spec §3.4–3.5)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const forced: string[] = []
      const options = opts({ ...c.options, onForce: (m) => forced.push(m) })
      const source = arrayProvider(c.source)
      const target = c.target === null ? null : arrayProvider(c.target)
      const got = (await collect(compareItems(source, target, options))).map(show)
      expect(got).to.deep.equal(c.expected)
      expect(forced).to.deep.equal(c.forced ?? [])
      const expectedWindow = {
        start: c.options.startDate ?? c.options.lastRunDate ?? null,
        end: c.options.endDate ?? null,
      }
      for (const provider of [source, target]) {
        for (const w of provider?.windows ?? []) {
          expect(w.start?.toMillis() ?? null).to.equal(expectedWindow.start?.toMillis() ?? null)
          expect(w.end?.toMillis() ?? null).to.equal(expectedWindow.end?.toMillis() ?? null)
        }
      }
      if (c.options.reprocessNewer) return
      const ref = await referenceCompare(
        arrayProvider(c.source),
        c.target && arrayProvider(c.target),
        options,
      )
      expect(ref.items.map(show)).to.deep.equal(c.expected)
    })
  }

  it('uses the provider label, or Base/Ext/Date when there is none', async () => {
    const source = arrayProvider([
      item('A', 'csv', '2019-06-01', null, '/share/A_06-01-2019.txt'),
      item('B', 'csv', '2019-06-01', null, ''),
    ])
    const got = await collect(compareItems(source, null, opts({})))
    expect(got.map((w) => w.label)).to.deep.equal([
      '/share/A_06-01-2019.txt',
      'Base: B; Ext: csv; Date: 2019-06-01 00:00:00-05:00',
    ])
    expect(got[0]?.provItem.label).to.equal('/share/A_06-01-2019.txt')
  })
})
