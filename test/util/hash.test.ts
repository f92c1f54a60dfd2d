import { expect } from 'chai'
import { md5Hex } from '../../src/util/hash.js'

describe('md5Hex', () => {
  const vectors: [string, string][] = [
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['BLUETOOTH172.16.132.6830.2715378-97.7539673', '545b7c56753af339ca16e388ebd1d9b2'],
    ['2019-06-01T00:00:00anderson_mill_bethany1', 'e2ee4628d9685e9f18098ad3a9e35605'],
    ['LAMARMANCHACA2020-09-13T00:00:002', '7adb356632fed326609da12cd67b462a'],
  ]
  for (const [text, hex] of vectors) {
    it(`${JSON.stringify(text)} → ${hex}`, () => expect(md5Hex(text)).to.equal(hex))
  }
})
