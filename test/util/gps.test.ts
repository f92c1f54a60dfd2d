import { expect } from 'chai'
import { gps2feet } from '../../src/util/gps.js'

describe('gps2feet (spec §8.5)', () => {
  const vectors: [string, [number, number, number, number], number][] = [
    ['same point', [30.2715378, -97.7539673, 30.2715378, -97.7539673], 0],
    ['~0.00066° north (inside 300 ft)', [30.2715378, -97.7539673, 30.2722, -97.7539673], 241.57892927735386],
    ['~0.00083° west', [30.2715378, -97.7539673, 30.2715378, -97.7548], 262.3579584769891],
    ['Burnet/Richcreek to downtown', [30.3462, -97.7212, 30.2672, -97.7431], 29634.099562397132],
    ['one degree of longitude at the equator', [0, 0, 0, 1], 364812.63859421626],
  ]
  for (const [name, [a, b, c, d], feet] of vectors) {
    it(`${name} → ${feet} ft`, () => expect(gps2feet(a, b, c, d)).to.be.closeTo(feet, 1e-6))
  }

  it('is symmetric', () => {
    expect(gps2feet(30.3462, -97.7212, 30.2672, -97.7431)).to.be.closeTo(
      gps2feet(30.2672, -97.7431, 30.3462, -97.7212),
      1e-9,
    )
  })
})
