import { expect } from 'chai'
import { matchingBlocks, sequenceRatio } from '../../src/util/difflib.js'

describe('difflib sequenceRatio (Python SequenceMatcher(None, a, b).ratio())', () => {
  const fox = 'the quick brown fox jumps over the lazy dog; '.repeat(6)
  const dog = 'a quick brown dog jumps over the lazy fox! '.repeat(5)
  const vectors: [string, string, string, number][] = [
    ['spec §9.11', 'burnet richcreek', 'burnet rd richcreek rd', 0.8421052631578947],
    ['spec §9.11', 'burnet richcreek', 'richcreek rd burnet rd', 0.47368421052631576],
    ['spec §10b, below 0.7', 'lamar 6th', 'lamar blvd 6th st', 0.6923076923076923],
    [
      '§10b asymmetry (a, b)',
      'loop 360 barton creek',
      'capital of texas hwy barton creek blvd',
      0.5423728813559322,
    ],
    [
      '§10b asymmetry (b, a)',
      'capital of texas hwy barton creek blvd',
      'loop 360 barton creek',
      0.5084745762711864,
    ],
    ['two empty sequences', '', '', 1],
    ['one empty sequence', 'abc', '', 0],
    ['blocks either side of a mismatch', 'abxcd', 'abcd', 0.8888888888888888],
    [
      'longer insertion',
      'private Thread currentThread;',
      'private volatile Thread currentThread;',
      0.8656716417910447,
    ],
    ['code points, not UTF-16 units', 'é日本x', '日本é', 0.5714285714285714],
    ['199 elements: no autojunk', fox.slice(0, 199), dog.slice(0, 199), 0.8140703517587939],
    ['≥ 200 elements: every letter is popular, autojunk leaves nothing', fox, dog, 0],
    ['autojunk keeps the rare element', `${'a'.repeat(250)}b`, `b${'a'.repeat(249)}`, 0.003992015968063872],
  ]
  for (const [name, a, b, expected] of vectors) {
    it(`${name}: ${JSON.stringify(a.slice(0, 40))} vs ${JSON.stringify(b.slice(0, 40))} → ${expected}`, () => {
      expect(sequenceRatio(a, b)).to.equal(expected)
    })
  }

  it('autojunk can be turned off (Python autojunk=False)', () => {
    expect(sequenceRatio(fox, dog, { autojunk: false })).to.equal(0.7711340206185567)
  })

  it('matching blocks are the recursive longest matches, ascending', () => {
    expect(matchingBlocks('abxcd', 'abcd')).to.deep.equal([
      { a: 0, b: 0, size: 2 },
      { a: 3, b: 2, size: 2 },
    ])
    expect(matchingBlocks('burnet richcreek', 'richcreek rd burnet rd')).to.deep.equal([
      { a: 7, b: 0, size: 9 },
    ])
  })
})
