import { expect } from 'chai'
import { InvalidKeyError } from '../../src/support/errors.js'
import {
  compareKeys,
  joinKey,
  MAX_KEY_BYTES,
  MAX_SEGMENT_BYTES,
  normalizeKey,
  normalizePrefix,
} from '../../src/util/keys.js'

const segment255 = `${'é'.repeat(127)}a` // 127 × 2 + 1 = 255 UTF-8 bytes
const segment256 = `${'é'.repeat(128)}` // 256 UTF-8 bytes

/** Keys the lake really holds (spec §5.2) and other forms that must pass unchanged. */
const accepted: string[] = [
  '2019/06/01/bt/Austin_bt_2019-06-01_unmatched.txt',
  '2019/06/02/bt/Austin_bt_2019-06-02_unit_data.json',
  '2020/09/13/wt/Austin_wt_2020-09-13.csv',
  '2019/06/01/gs/Burnet_Richcreek_gs_2019-06-01_2c6dff02-cb0c-4da0-adc5-28dd1946df40.json',
  '2019/06/01/gs/Loop 360_Barton Creek_gs_2019-06-01.zip',
  '2019/06/01/gs/Lamar & 5th (North)_gs_2019-06-01.zip',
  'a',
  'file.txt',
  '.hidden',
  'a/.hidden/b',
  '...',
  'a/..b/c.',
  'a/b../c',
  ' leading and trailing space ',
  "odd/#hash %20 +plus =eq ;semi ,comma [b] {c} ~t @a $d !e 'q'",
  'odd/a:b',
  '1:/x',
  'Ñandú/straße/日本語/Ελληνικά/🚦.json',
  'tab-like/\u00a0nbsp and \u0085 C1 are not in U+0000–U+001F',
  segment255,
  `x/${segment255}/y`,
  `${'a/'.repeat(511)}b`, // 1023 bytes
]

/** Rejected keys with a fragment of the reason the user sees. */
const rejected: Array<[key: string, reason: string]> = [
  ['', 'empty'],
  ['/', 'absolute'],
  ['/2019/06/01/bt/a.txt', 'absolute'],
  ['C:/data/a.txt', 'Windows drive'],
  ['c:a.txt', 'Windows drive'],
  ['C:', 'Windows drive'],
  ['a\\b', 'use "/"'],
  ['\\\\server\\share', 'use "/"'],
  ['.', '"." segment'],
  ['..', '".." segment'],
  ['./a', '"." segment'],
  ['a/./b', '"." segment'],
  ['a/.', '"." segment'],
  ['../a', '".." segment'],
  ['a/../b', '".." segment'],
  ['a/..', '".." segment'],
  ['a//b', 'empty segment at position 2'],
  ['a/', 'empty segment at position 2'],
  ['a/b//', 'empty segment at position 3'],
  ['a\u0000b', 'U+0000'],
  ['a\tb', 'U+0009'],
  ['a\nb', 'U+000A'],
  ['a\rb', 'U+000D'],
  ['a\u001fb', 'U+001F'],
  ['a\u007fb', 'U+007F'],
  ['2019/06/01/bt/a.txt\n', 'U+000A'],
  ['a/\ud800b', 'lone surrogate'],
  ['a/\udc00', 'lone surrogate'],
  [segment256, `limit is ${MAX_SEGMENT_BYTES} bytes`],
  [`x/${'y'.repeat(256)}`, 'position 2'],
  [`${'a/'.repeat(512)}b`, `limit is ${MAX_KEY_BYTES} bytes`],
]

describe('normalizeKey', () => {
  for (const key of accepted) {
    it(`accepts ${JSON.stringify(key).slice(0, 70)} unchanged`, () => {
      expect(normalizeKey(key)).to.equal(key)
    })
  }

  for (const [key, reason] of rejected) {
    it(`rejects ${JSON.stringify(key).slice(0, 70)} (${reason})`, () => {
      let error: unknown
      try {
        normalizeKey(key)
      } catch (caught) {
        error = caught
      }
      expect(error).to.be.instanceOf(InvalidKeyError)
      const invalid = error as InvalidKeyError
      expect(invalid.code).to.equal('E_INVALID_KEY')
      expect(invalid.message).to.include(reason)
      // InvalidKeyError escapes C0 controls through JSON.stringify (U+007F is shown raw).
      expect(
        [...invalid.message].some((char) => char < ' '),
        'raw control character in message',
      ).to.equal(false)
    })
  }

  it('does not apply Unicode normalisation (NFC and NFD keys stay distinct)', () => {
    const nfc = 'caf\u00e9.json'
    const nfd = 'cafe\u0301.json'
    expect(normalizeKey(nfc)).to.equal(nfc)
    expect(normalizeKey(nfd)).to.equal(nfd)
  })
})

describe('normalizePrefix', () => {
  const acceptedPrefixes = [
    '',
    '2019/',
    '2019/06/0',
    '2019/06/01/gs/Burnet',
    '2019/06/01/gs/Loop 360_',
    'a/.',
    'a/..',
    'x',
  ]
  for (const prefix of acceptedPrefixes) {
    it(`accepts ${JSON.stringify(prefix)}`, () => {
      expect(normalizePrefix(prefix)).to.equal(prefix)
    })
  }

  const rejectedPrefixes: Array<[prefix: string, reason: string]> = [
    ['/', 'absolute'],
    ['/2019/', 'absolute'],
    ['C:/', 'Windows drive'],
    ['a\\', 'use "/"'],
    ['../', '".." segment'],
    ['a/../b', '".." segment'],
    ['./a', '"." segment'],
    ['a//', 'empty segment'],
    ['a\u0000', 'U+0000'],
    [`a/${'z'.repeat(256)}`, 'over 255 bytes'],
  ]
  for (const [prefix, reason] of rejectedPrefixes) {
    it(`rejects ${JSON.stringify(prefix).slice(0, 40)} (${reason})`, () => {
      expect(() => normalizePrefix(prefix)).to.throw(InvalidKeyError, reason)
    })
  }
})

describe('joinKey', () => {
  const cases: Array<[parts: string[], expected: string]> = [
    [
      ['2019/06/01', 'bt', 'Austin_bt_2019-06-01_matched.txt'],
      '2019/06/01/bt/Austin_bt_2019-06-01_matched.txt',
    ],
    [['', 'a/b', 'c.json'], 'a/b/c.json'],
    [['gs', 'Loop 360_Barton Creek.zip'], 'gs/Loop 360_Barton Creek.zip'],
  ]
  for (const [parts, expected] of cases) {
    it(`joins ${JSON.stringify(parts)}`, () => {
      expect(joinKey(...parts)).to.equal(expected)
    })
  }

  it('validates the joined key', () => {
    expect(() => joinKey('a/', 'b')).to.throw(InvalidKeyError, 'empty segment')
    expect(() => joinKey('a', '..', 'b')).to.throw(InvalidKeyError, '".." segment')
    expect(() => joinKey()).to.throw(InvalidKeyError, 'empty')
  })
})

describe('compareKeys', () => {
  it('orders by UTF-8 bytes, as S3 lists', () => {
    const expected = ['B', 'a', 'a b', 'a-b', 'a.b', 'a/b', 'a0', 'z', 'é', '\uffff', '😀', '😀a']
    const shuffled = [...expected].reverse()
    expect(shuffled.sort(compareKeys)).to.deep.equal(expected)
  })

  it('agrees with Buffer.compare on mixed BMP and astral characters', () => {
    const samples = ['\ue000', '\uffff', '\ud7ff', '😀', '𝄞', 'a😀', 'a\ufffd', 'ab', 'a', '']
    for (const a of samples) {
      for (const b of samples) {
        const expected = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)))
        expect(Math.sign(compareKeys(a, b)), `${a} vs ${b}`).to.equal(expected)
      }
    }
  })
})
