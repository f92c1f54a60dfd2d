/** Two-letter data-source codes, in the order of spec §1.1. */
export const DATA_SOURCE_CODES = ['bt', 'wt', 'gs'] as const

/** A data-source code. */
export type DataSourceCode = (typeof DATA_SOURCE_CODES)[number]

/** Code and long name of a data source (the original's `DataSourceConfig`). */
export interface DataSourceInfo {
  /** Two-letter code stored in catalog rows, keys and file names. */
  readonly code: DataSourceCode
  /** Long name stored in the perfmet tables and Knack. */
  readonly name: string
}

/** The data-source map of spec §1.1. */
export const DATA_SOURCES: Readonly<Record<DataSourceCode, DataSourceInfo>> = Object.freeze({
  bt: Object.freeze({ code: 'bt', name: 'Bluetooth' }),
  wt: Object.freeze({ code: 'wt', name: 'Wavetronix' }),
  gs: Object.freeze({ code: 'gs', name: 'GRIDSMART' }),
})

/** Whether `value` is a known data-source code. */
export function isDataSourceCode(value: string): value is DataSourceCode {
  return (DATA_SOURCE_CODES as readonly string[]).includes(value)
}

/** Looks up a data source by code or long name (case-insensitive for long names); `undefined` when unknown. */
export function findDataSource(codeOrName: string): DataSourceInfo | undefined {
  if (isDataSourceCode(codeOrName)) return DATA_SOURCES[codeOrName]
  const lower = codeOrName.toLowerCase()
  return Object.values(DATA_SOURCES).find((info) => info.name.toLowerCase() === lower)
}
