import { expect } from 'chai'
import { GsAggExtractSocApp } from '../../../src/entries/gs-agg-extract-soc.js'
import { cameraSite, dayBaseProvider, GsReadyApp } from '../../../src/entries/gs-ready.js'
import { aggExt, aggMinutes, GsReadyAggApp } from '../../../src/entries/gs-ready-agg.js'
import type { CatalogEntry } from '../../../src/support/catalog-driver.js'
import type { ItemProvider, ProviderItem } from '../../../src/support/items.js'
import { parseTimestamp } from '../../../src/util/dates.js'

const item = (base: string, ext: string, day: string): ProviderItem<CatalogEntry> => ({
  base,
  ext,
  date: parseTimestamp(day),
  dateEnd: null,
  payload: {} as CatalogEntry,
  label: `${base}/${ext}/${day}`,
})

describe('GRIDSMART ready/aggregate/publish apps', () => {
  it('definitions: names, originals, stages, purposes and custom options', () => {
    const defs = [GsReadyApp, GsReadyAggApp, GsAggExtractSocApp].map((a) => a.definition)
    expect(
      defs.map((d) => [d.name, d.original, d.perfmetStage, d.purposeSrc, d.purposeTgt ?? null]),
    ).to.deep.equal([
      ['gs-ready', 'gs_ready.py', 'Ready', 'standardized', 'ready'],
      ['gs-ready-agg', 'gs_ready_agg.py', 'Aggregate', 'ready', 'ready'],
      ['gs-agg-extract-soc', 'gs_agg_extract_soc.py', 'Publish', 'ready', null],
    ])
    expect(defs.map((d) => d.options.map((o) => `${o.short}:${o.name}=${o.default}`))).to.deep.equal([
      ['p:ignore_prev=false', 'n:ignore_next=false'],
      ['a:agg=15'],
      ['a:agg=15', 'u:no_unassigned=false'],
    ])
  })

  it('-a/--agg: whole minutes 1..1440, strings accepted; ext agg<N>.json', () => {
    expect(aggMinutes({})).to.equal(15)
    expect(aggMinutes({ agg: 5 })).to.equal(5)
    expect(aggMinutes({ agg: '30' })).to.equal(30)
    for (const bad of [0, 1441, 7.5, 'x', true]) expect(() => aggMinutes({ agg: bad })).to.throw(/--agg/)
    expect(aggExt(15)).to.equal('agg15.json')
  })

  it('the gs-ready source is one item per base and day, without site files and unit data', async () => {
    const source: ItemProvider<CatalogEntry> = {
      async *list() {
        yield item('Austin', 'unit_data.json', '2019-06-01')
        yield item('A', '1111.json', '2019-06-01')
        yield item('A', '2222.json', '2019-06-01')
        yield item('A', 'site.json', '2019-06-01')
        yield item('B', '1111.json', '2019-06-01')
        yield item('A', '1111.json', '2019-06-02')
      },
    }
    const out: string[] = []
    for await (const i of dayBaseProvider(source).list({ start: null, end: null })) out.push(i.label)
    expect(out).to.deep.equal(['A/1111.json/2019-06-01', 'B/1111.json/2019-06-01', 'A/1111.json/2019-06-02'])
  })

  it('cameraSite reads the site file location and the header address', () => {
    const file = {
      header: { device_net_addr: '172.16.42.27' },
      site: { Location: { Street1: 'Loop 360 ', Street2: 'Barton Creek', Latitude: 30.1, Longitude: '-97' } },
    }
    expect(cameraSite(file)).to.deep.equal({
      street1: 'Loop 360 ',
      street2: 'Barton Creek',
      latitude: 30.1,
      longitude: null,
      ip: '172.16.42.27',
    })
    expect(cameraSite({})).to.deep.equal({
      street1: '',
      street2: '',
      latitude: null,
      longitude: null,
      ip: null,
    })
  })
})
