import type { DataSourceCode } from './data-sources.js'

/** Publishing variants per data source; Bluetooth publishes three datasets (spec §6.3). */
export const PUBLISH_VARIANTS = {
  bt: ['traf_match_summary', 'matched', 'unmatched'],
  wt: ['default'],
  gs: ['default'],
} as const satisfies Record<DataSourceCode, readonly string[]>

/** Socrata dataset ids of the City's open-data portal (spec §6.3). */
export const DATASET_IDS: Readonly<Record<DataSourceCode, Readonly<Record<string, string>>>> = Object.freeze({
  bt: Object.freeze({ traf_match_summary: 'v7zg-5jg9', matched: 'x44q-icha', unmatched: 'qnpj-zrb9' }),
  wt: Object.freeze({ default: 'i626-g7ub' }),
  gs: Object.freeze({ default: 'sh59-i6y9' }),
})
