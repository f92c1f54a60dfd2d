import type { DateTime } from 'luxon'

/**
 * One thing a provider lists: a file in a directory, a catalog row, a day in a database, a camera's day.
 * Mirrors the original's `_LastUpdProvItem` (spec §3.1).
 */
export interface ProviderItem<P = unknown> {
  /** Identifier part 1 (`id_base`). */
  readonly base: string
  /** Identifier part 2 (`id_ext`). */
  readonly ext: string
  /** Start of the period the item covers, inclusive (local midnight for daily data). */
  readonly date: DateTime
  /** End of the period, exclusive; `null` means `date` + 1 wall-clock day. */
  readonly dateEnd: DateTime | null
  /** Provider-specific data handed to the app (a catalog row, a file path, …). */
  readonly payload: P
  /** Printable identifier (a path or a catalog pointer). */
  readonly label: string
  /**
   * When the item was last written (a catalog row's processing date, a file's modification time), if known;
   * `--reprocess-newer` compares it between source and target.
   */
  readonly updated?: DateTime | null
}

/** The date window every provider is asked for (spec §3.4). */
export interface ProviderWindow {
  /** Inclusive lower bound, or `null` for none. */
  readonly start: DateTime | null
  /** Exclusive upper bound, or `null` for none. `start` equal to `end` means exactly that instant. */
  readonly end: DateTime | null
}

/**
 * Lists what exists in one place for a window, ascending by date (ties in a stable provider order).
 * Implementations stream: they never hold the whole listing in memory.
 */
export interface ItemProvider<P = unknown> {
  /** Items in the window, ascending by `date`. Same-day filtering is applied by the compare loop. */
  list(window: ProviderWindow, options?: { signal?: AbortSignal }): AsyncIterable<ProviderItem<P>>
}

/** Identifier of a work item: `(base, ext, date)`. */
export interface ItemIdentifier {
  readonly base: string
  readonly ext: string
  readonly date: DateTime
}

/** A source item that needs processing, as produced by the compare loop (spec §3.5 step 3.4). */
export interface WorkItem<P = unknown> {
  readonly identifier: ItemIdentifier
  /** `true` when there is no last-run date or the item's date is before it. */
  readonly priorLastUpdate: boolean
  /** The source provider's item. */
  readonly provItem: ProviderItem<P>
  /** The provider's label, or `Base: …; Ext: …; Date: …` when it has none. */
  readonly label: string
}

/** How source and target items are matched (spec §3.3). */
export type KeyMode = 'base' | 'base+ext'
