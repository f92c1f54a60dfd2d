/** What every benchmark module gets. */
export interface BenchContext {
  /** `--quick`: smaller sizes, fewer rounds; the whole quick run stays under 5 minutes on 2 cores. */
  readonly quick: boolean
  /** A fresh directory for this module's files (removed afterwards). */
  readonly tmpDir: string
  /** Progress lines (stderr). */
  log(message: string): void
}

/** A limit a figure is checked against. */
export interface Target {
  readonly op: '<=' | '>='
  readonly value: number
}

/** One measured number. */
export interface Figure {
  /** Stable id used to compare runs (`P1.embedded.1e6.ms`). */
  readonly id: string
  /** Human label. */
  readonly label: string
  readonly value: number
  readonly unit: string
  /** Whether a larger value is an improvement (throughputs, speed-ups) or a regression (times, memory). */
  readonly higherIsBetter: boolean
  /** The target, if this figure has one. */
  readonly target?: Target
  /** What the number depends on (sizes, contestants, rounds). */
  readonly note?: string
}

/** A benchmark: P1 … P5. */
export interface BenchModule {
  readonly id: string
  readonly title: string
  run(ctx: BenchContext): Promise<Figure[]>
}

/** Whether `figure` meets its target (`null`: no target). */
export function meetsTarget(figure: Figure): boolean | null {
  if (!figure.target) return null
  return figure.target.op === '<=' ? figure.value <= figure.target.value : figure.value >= figure.target.value
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
