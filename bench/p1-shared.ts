/** Types and constants shared by the P1 benchmark and its child process. */

/** The repositories of the P1 catalog rows (bt raw → rawjson). */
export const P1_REPOSITORIES = {
  source: 'atd-datalake-raw',
  target: 'atd-datalake-rawjson',
} as const

/** Who is measured: the streaming compare loop on PGlite or PostgreSQL, or the materialising reference on PGlite. */
export type P1Contestant = 'embedded' | 'pg' | 'reference' | 'loop'

/** Arguments of one child run (JSON on the command line). */
export interface P1ChildArgs {
  /** `load`: bulk-load the catalog; `run`: drain one compare. */
  readonly mode: 'load' | 'run'
  readonly contestant: P1Contestant
  /** Source rows. */
  readonly n: number
  /** PGlite data directory (embedded and reference). */
  readonly dataDir?: string
  /** PostgreSQL URL (pg). */
  readonly url?: string
}

/** What a child prints (one JSON line). */
export interface P1ChildResult {
  /** Wall time of the load, or of draining the compare. */
  readonly ms: number
  /** Rows loaded, or items yielded. */
  readonly count: number
  /** Peak RSS of the child (`process.resourceUsage().maxRSS`). */
  readonly rssMb: number
}
