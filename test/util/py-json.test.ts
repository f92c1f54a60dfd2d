import { expect } from 'chai'
import {
  PyFloat,
  parsePyJson,
  pyFloat,
  pyFloatOrNull,
  pyFloatRepr,
  pyStr,
  stringifyPy,
} from '../../src/util/py-json.js'

describe('util/py-json', () => {
  describe('pyFloatRepr (Python repr(float))', () => {
    const table: [number, string][] = [
      [30, '30.0'],
      [30.2715378, '30.2715378'],
      [-97.7539673, '-97.7539673'],
      [1e-5, '1e-05'],
      [1e16, '1e+16'],
      [0.1, '0.1'],
      [5157156, '5157156.0'],
      [0.0001, '0.0001'],
      [1e15, '1000000000000000.0'],
      [1.5e16, '1.5e+16'],
      [Number('123456789012345680'), '1.2345678901234568e+17'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [0, '0.0'],
      [-0, '-0.0'],
      [0.1 + 0.2, '0.30000000000000004'],
      [1 / 3, '0.3333333333333333'],
      [2.5e-7, '2.5e-07'],
      [100, '100.0'],
      [1e22, '1e+22'],
      [12345.678, '12345.678'],
      [-1.5e-10, '-1.5e-10'],
      [Number('9007199254740993'), '9007199254740992.0'],
      [0.00012345, '0.00012345'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
    ]
    for (const [value, expected] of table) {
      it(`${String(value)} → ${expected}`, () => {
        expect(pyFloatRepr(value)).to.equal(expected)
      })
    }
  })

  describe('stringifyPy (json.dumps defaults)', () => {
    it('uses ", " and ": " separators and keeps insertion order, nested', () => {
      const value = { b: [1, 2.5, null, true, false, 'x'], a: { c: 'd' }, e: [], f: {}, g: [[], {}] }
      expect(stringifyPy(value)).to.equal(
        '{"b": [1, 2.5, null, true, false, "x"], "a": {"c": "d"}, "e": [], "f": {}, "g": [[], {}]}',
      )
    })

    it('escapes like ensure_ascii: control chars, DEL, non-ASCII, lower-case hex, "/" untouched', () => {
      const text =
        'tab\there "q" back\\ nl\n cr\r bs\b ff\f nul\u0000 us\u001f del\u007f nbsp\u00a0 euro€ line\u2028 /'
      expect(stringifyPy(text)).to.equal(
        '"tab\\there \\"q\\" back\\\\ nl\\n cr\\r bs\\b ff\\f nul\\u0000 us\\u001f del\\u007f nbsp\\u00a0 euro\\u20ac line\\u2028 /"',
      )
      expect(pyStr('é')).to.equal('"\\u00e9"')
    })

    it('writes an astral character (emoji) as a surrogate pair', () => {
      expect(stringifyPy({ d: '😀' })).to.equal('{"d": "\\ud83d\\ude00"}')
    })

    it('escapes keys too', () => {
      expect(stringifyPy({ café: 1 })).to.equal('{"caf\\u00e9": 1}')
    })

    it('prints integral numbers as ints, big ones in full, and PyFloat as Python floats', () => {
      expect(stringifyPy([30, 1e21, -0, 30.5])).to.equal('[30, 1000000000000000000000, 0, 30.5]')
      expect(stringifyPy([pyFloat(30), pyFloat(5157156), pyFloat(1e-5), pyFloat(1e16)])).to.equal(
        '[30.0, 5157156.0, 1e-05, 1e+16]',
      )
      expect(
        stringifyPy({ lat: pyFloat(30.2715378), lon: pyFloatOrNull(-97.7539673), x: pyFloatOrNull(null) }),
      ).to.equal('{"lat": 30.2715378, "lon": -97.7539673, "x": null}')
      expect(stringifyPy(10n ** 20n)).to.equal('100000000000000000000')
    })

    it('writes NaN / Infinity / -Infinity tokens for non-finite numbers', () => {
      expect(
        stringifyPy([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, pyFloat(Number.NaN)]),
      ).to.equal('[NaN, Infinity, -Infinity, NaN]')
    })

    it('skips undefined members, writes null for undefined array items, uses toJSON', () => {
      const withToJson = { toJSON: () => 'x' }
      expect(stringifyPy({ a: undefined, b: [undefined], c: withToJson })).to.equal('{"b": [null], "c": "x"}')
    })

    it('rejects circular structures and unsupported types', () => {
      const a: Record<string, unknown> = {}
      a.self = a
      expect(() => stringifyPy(a)).to.throw(TypeError, /Circular/)
      expect(() => stringifyPy(Symbol('s'))).to.throw(TypeError)
      const shared = { k: 1 }
      expect(stringifyPy([shared, shared])).to.equal('[{"k": 1}, {"k": 1}]')
    })

    it('PyFloat behaves as its number', () => {
      const f = pyFloat(2.5)
      expect(f).to.be.instanceOf(PyFloat)
      expect(Number(f) * 2).to.equal(5)
      expect(JSON.stringify({ f })).to.equal('{"f":2.5}')
    })
  })

  describe('parsePyJson', () => {
    it('behaves like JSON.parse without special tokens', () => {
      const text = '{"a": [1, 2.5, null, true], "b": {"c": "\\u00e9"}}'
      expect(parsePyJson(text)).to.deep.equal(JSON.parse(text))
    })

    it('reads NaN, Infinity, -Infinity tokens outside strings', () => {
      const value = parsePyJson('{"a": NaN, "b": [Infinity, -Infinity, 1], "c": {"d": NaN}}') as {
        a: number
        b: number[]
        c: { d: number }
      }
      expect(value.a).to.be.NaN
      expect(value.b).to.deep.equal([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1])
      expect(value.c.d).to.be.NaN
      expect(parsePyJson('NaN')).to.be.NaN
      expect(parsePyJson('-Infinity')).to.equal(Number.NEGATIVE_INFINITY)
    })

    it('leaves the words alone inside strings (also with escaped quotes) and in keys', () => {
      const value = parsePyJson(
        '{"NaN": "NaN Infinity -Infinity", "q": "say \\"NaN\\"", "n": NaN}',
      ) as Record<string, unknown>
      expect(value.NaN).to.equal('NaN Infinity -Infinity')
      expect(value.q).to.equal('say "NaN"')
      expect(value.n).to.be.NaN
      expect(parsePyJson('["Infinity"]')).to.deep.equal(['Infinity'])
    })

    it('round-trips what stringifyPy writes', () => {
      const doc = { header: { x: 'NaN' }, devices: [{ lat: Number.NaN, lon: 1.5, s: 'Infinity' }] }
      const back = parsePyJson(stringifyPy(doc)) as typeof doc
      expect(back.header.x).to.equal('NaN')
      expect(back.devices[0]?.lat).to.be.NaN
      expect(back.devices[0]?.s).to.equal('Infinity')
    })

    it('still rejects invalid JSON', () => {
      expect(() => parsePyJson('{"a": NaNa}')).to.throw(SyntaxError)
      expect(() => parsePyJson('{"a": nan}')).to.throw(SyntaxError)
      expect(() => parsePyJson('{"a": }')).to.throw(SyntaxError)
    })
  })
})
