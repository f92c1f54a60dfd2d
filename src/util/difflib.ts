/**
 * The similarity ratio of Python's `difflib.SequenceMatcher(None, a, b).ratio()` (spec §9.11, §10b), written from
 * its documented semantics: no junk function, the "autojunk" popularity heuristic for `b` of 200 or more elements,
 * matching blocks found by recursively taking the longest common run (earliest in `a`, then earliest in `b`) left
 * and right of it, and `2.0 * M / T`. Strings are compared by Unicode code point, as Python iterates them.
 */

/** A matching run: `a[a..a+size)` equals `b[b..b+size)`. */
export interface MatchingBlock {
  readonly a: number
  readonly b: number
  readonly size: number
}

/** Options of {@link sequenceRatio} and {@link matchingBlocks}. */
export interface SequenceMatcherOptions {
  /** The autojunk heuristic (`b` ≥ 200 elements: elements occurring more than 1% + 1 times are ignored). @default true */
  readonly autojunk?: boolean
}

/** The length of `b` from which autojunk applies. */
export const AUTOJUNK_MIN_LENGTH = 200

function indexB(b: readonly string[], autojunk: boolean): Map<string, number[]> {
  const positions = new Map<string, number[]>()
  b.forEach((element, j) => {
    const list = positions.get(element)
    if (list) list.push(j)
    else positions.set(element, [j])
  })
  if (autojunk && b.length >= AUTOJUNK_MIN_LENGTH) {
    const limit = Math.floor(b.length / 100) + 1
    for (const [element, list] of positions) if (list.length > limit) positions.delete(element)
  }
  return positions
}

function longestMatch(
  a: readonly string[],
  b: readonly string[],
  positions: ReadonlyMap<string, readonly number[]>,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
): MatchingBlock {
  let bestA = alo
  let bestB = blo
  let best = 0
  let runs = new Map<number, number>()
  for (let i = alo; i < ahi; i++) {
    const next = new Map<number, number>()
    for (const j of positions.get(a[i] as string) ?? []) {
      if (j < blo) continue
      if (j >= bhi) break
      const k = (runs.get(j - 1) ?? 0) + 1
      next.set(j, k)
      if (k > best) {
        bestA = i - k + 1
        bestB = j - k + 1
        best = k
      }
    }
    runs = next
  }
  while (bestA > alo && bestB > blo && a[bestA - 1] === b[bestB - 1]) {
    bestA -= 1
    bestB -= 1
    best += 1
  }
  while (bestA + best < ahi && bestB + best < bhi && a[bestA + best] === b[bestB + best]) best += 1
  return { a: bestA, b: bestB, size: best }
}

/** The matching blocks of `a` and `b` in ascending order (without difflib's final zero-size sentinel). */
export function matchingBlocks(
  a: string | readonly string[],
  b: string | readonly string[],
  options: SequenceMatcherOptions = {},
): MatchingBlock[] {
  const sa = typeof a === 'string' ? Array.from(a) : a
  const sb = typeof b === 'string' ? Array.from(b) : b
  const positions = indexB(sb, options.autojunk ?? true)
  const found: MatchingBlock[] = []
  const pending: [number, number, number, number][] = [[0, sa.length, 0, sb.length]]
  for (let range = pending.pop(); range; range = pending.pop()) {
    const [alo, ahi, blo, bhi] = range
    const m = longestMatch(sa, sb, positions, alo, ahi, blo, bhi)
    if (m.size === 0) continue
    found.push(m)
    if (alo < m.a && blo < m.b) pending.push([alo, m.a, blo, m.b])
    if (m.a + m.size < ahi && m.b + m.size < bhi) pending.push([m.a + m.size, ahi, m.b + m.size, bhi])
  }
  return found.sort((x, y) => x.a - y.a || x.b - y.b)
}

/**
 * `SequenceMatcher(None, a, b).ratio()`: `2.0 * M / (len(a) + len(b))`, 1.0 for two empty sequences. Not symmetric
 * (`ratio(a, b)` may differ from `ratio(b, a)`).
 */
export function sequenceRatio(
  a: string | readonly string[],
  b: string | readonly string[],
  options: SequenceMatcherOptions = {},
): number {
  const sa = typeof a === 'string' ? Array.from(a) : a
  const sb = typeof b === 'string' ? Array.from(b) : b
  const total = sa.length + sb.length
  if (total === 0) return 1
  const matched = matchingBlocks(sa, sb, options).reduce((sum, m) => sum + m.size, 0)
  return (2 * matched) / total
}
