import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import {
  type BenchResults,
  figureLines,
  markdownReport,
  previousResults,
  regressions,
} from '../../bench/report.js'
import { type Figure, median, meetsTarget } from '../../bench/types.js'

const figure = (id: string, value: number, higherIsBetter: boolean, target?: Figure['target']): Figure => ({
  id,
  label: id,
  value,
  unit: 'ms',
  higherIsBetter,
  ...(target ? { target } : {}),
})

const results = (date: string, quick: boolean, figures: Figure[]): BenchResults => ({
  date,
  quick,
  machine: { cpus: 2, cpuModel: 'test', memoryGb: 4, node: '20' },
  durationMs: 1000,
  figures,
})

describe('bench report', () => {
  it('meetsTarget and median', () => {
    expect(meetsTarget(figure('a', 2000, false, { op: '<=', value: 2000 }))).to.equal(true)
    expect(meetsTarget(figure('a', 2001, false, { op: '<=', value: 2000 }))).to.equal(false)
    expect(meetsTarget(figure('b', 1.69, true, { op: '>=', value: 1.7 }))).to.equal(false)
    expect(meetsTarget(figure('c', 5, true))).to.equal(null)
    expect(median([3, 1, 2])).to.equal(2)
    expect(median([4, 1, 3, 2])).to.equal(2.5)
  })

  it('flags a change for the worse of more than 20 %, in the direction of each figure', () => {
    const before = results('2026-11-01', false, [
      figure('time', 100, false),
      figure('speed', 100, true),
      figure('steady', 100, false),
      figure('gone', 5, false),
    ])
    const found = regressions(before, [
      figure('time', 121, false),
      figure('speed', 79, true),
      figure('steady', 119, false),
      figure('new', 1, false),
    ])
    expect(found.map((r) => [r.id, r.before, r.after, Math.round(r.changePct)])).to.deep.equal([
      ['time', 100, 121, 21],
      ['speed', 100, 79, -21],
    ])
    expect(regressions(null, [figure('time', 500, false)])).to.deep.equal([])
  })

  it('compares with the newest stored results of the same mode', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-report-'))
    try {
      await writeFile(join(dir, '2026-11-01.json'), JSON.stringify(results('2026-11-01', false, [])))
      await writeFile(join(dir, '2026-11-02.json'), JSON.stringify(results('2026-11-02', false, [])))
      await writeFile(join(dir, '2026-11-03-quick.json'), JSON.stringify(results('2026-11-03', true, [])))
      expect((await previousResults(dir, false, '2026-11-04.json'))?.date).to.equal('2026-11-02')
      expect((await previousResults(dir, false, '2026-11-02.json'))?.date).to.equal('2026-11-01')
      expect((await previousResults(dir, true, 'x.json'))?.date).to.equal('2026-11-03')
      expect(await previousResults(join(dir, 'none'), true, 'x.json')).to.equal(null)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('prints each figure with its target and verdict, in lines and in Markdown', () => {
    const figures = [figure('P1.x.ms', 1500, false, { op: '<=', value: 2000 }), figure('P5.rows', 12.5, true)]
    const lines = figureLines(figures)
    expect(lines[0]).to.match(/^P1\.x\.ms\s+1500 ms\s+target <= 2000 ms {2}MET$/)
    expect(lines[1]).to.match(/^P5\.rows\s+12\.5 ms\s+no target$/)
    const md = markdownReport(results('2026-11-27', true, figures), [
      { id: 'P1.x.ms', before: 1000, after: 1500, changePct: 50 },
    ])
    expect(md).to.contain('# Benchmark results 2026-11-27 (quick)')
    expect(md).to.contain('| P1.x.ms | P1.x.ms | 1500 | ms | <= 2000 | yes |  |')
    expect(md).to.contain('**Regressions of more than 20 %:** P1.x.ms 1000 → 1500 (50 %)')
  })
})
