/** Types shared by the P2 benchmark and its child process. */

/** One IAF input file and the header values of its document. */
export interface P2File {
  /** Path of the raw AWAM IAF file. */
  readonly path: string
  /** `origin_filename` of the header. */
  readonly originFilename: string
  /** `target_filename` of the header (also the bare contestant's output name). */
  readonly targetFilename: string
  /** PyTS of the data day. */
  readonly collectionDate: string
  /** PyTS of the processing time. */
  readonly processingDate: string
}

/** Arguments of one child run (JSON on the command line). */
export interface P2ChildArgs {
  /** `app`: the real bt-json-standard transform and writer; `bare`: the hand-written stream. */
  readonly contestant: 'app' | 'bare'
  readonly files: readonly P2File[]
  /** Where the documents are written. */
  readonly outDir: string
}

/** What a child prints (one JSON line). */
export interface P2ChildResult {
  /** Wall time of converting every file. */
  readonly ms: number
  /** Input bytes read. */
  readonly bytesIn: number
  /** Peak RSS of the child (`process.resourceUsage().maxRSS`). */
  readonly rssMb: number
  /** Path of each document written. */
  readonly outputs: readonly string[]
}
