import { expect } from 'chai'
import { DateTime, IANAZone } from 'luxon'
import { OffsetCachingZone } from '../../src/util/cached-zone.js'

describe('OffsetCachingZone', () => {
  for (const name of ['America/Chicago', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Europe/London', 'UTC']) {
    it(`${name}: the same offset as the IANA zone at every 7 minutes of 2019, twice (cold and cached)`, () => {
      const cached = new OffsetCachingZone(name)
      const plain = IANAZone.create(name)
      const start = Date.UTC(2019, 0, 1)
      const end = Date.UTC(2020, 0, 1)
      for (let pass = 0; pass < 2; pass += 1) {
        let mismatches = 0
        for (let ts = start + pass * 61_000; ts < end; ts += 7 * 60_000) {
          if (cached.offset(ts) !== plain.offset(ts)) mismatches += 1
        }
        expect(mismatches, `pass ${pass}`).to.equal(0)
      }
    })
  }

  it('gets the exact instants of a DST change right', () => {
    const zone = new OffsetCachingZone('America/Chicago')
    const change = Date.UTC(2019, 2, 10, 8)
    expect([change - 1, change, change + 1].map((ts) => zone.offset(ts))).to.deep.equal([-360, -300, -300])
    const back = Date.UTC(2019, 10, 3, 7)
    expect([back - 1, back, back + 1].map((ts) => zone.offset(ts))).to.deep.equal([-300, -360, -360])
  })

  it('is equal to the plain zone and formats like it', () => {
    const zone = new OffsetCachingZone('America/Chicago')
    const plain = IANAZone.create('America/Chicago')
    expect(zone.equals(plain)).to.equal(true)
    expect(plain.equals(zone)).to.equal(true)
    expect(zone.equals(IANAZone.create('America/Denver'))).to.equal(false)
    const a = DateTime.fromMillis(Date.UTC(2019, 5, 1, 5), { zone })
    const b = DateTime.fromMillis(Date.UTC(2019, 5, 1, 5), { zone: 'America/Chicago' })
    expect(a.toISO()).to.equal(b.toISO())
    expect(a.equals(b)).to.equal(true)
    expect(a.zoneName).to.equal('America/Chicago')
    expect(a.offsetNameShort).to.equal(b.offsetNameShort)
    expect(a.toFormat('ZZ ZZZ z')).to.equal(b.toFormat('ZZ ZZZ z'))
    for (const format of ['narrow', 'short', 'techie'] as const) {
      for (const ts of [Date.UTC(2019, 5, 1), Date.UTC(2019, 0, 1)]) {
        expect(zone.formatOffset(ts, format)).to.equal(plain.formatOffset(ts, format))
      }
      const kathmandu = new OffsetCachingZone('Asia/Kathmandu')
      expect(kathmandu.formatOffset(0, format)).to.equal(
        IANAZone.create('Asia/Kathmandu').formatOffset(0, format),
      )
      const stJohns = new OffsetCachingZone('America/St_Johns')
      expect(stJohns.formatOffset(0, format)).to.equal(
        IANAZone.create('America/St_Johns').formatOffset(0, format),
      )
    }
    expect(a.startOf('day').toISO()).to.equal(b.startOf('day').toISO())
    expect(a.plus({ days: 200 }).toISO()).to.equal(b.plus({ days: 200 }).toISO())
  })
})
