import { PyFloat, pyFloatRepr } from '../../util/py-json.js'

/**
 * How pandas holds one column of the unit-data device list (`pd.DataFrame(devices)`): `int` (all integers),
 * `float` (numbers with a gap or a fraction: missing values become `NaN`, integers print as `30.0`), `bool`, or
 * `object` (anything else; values kept as they are, `None` stays `None`).
 */
export type ColumnKind = 'int' | 'float' | 'bool' | 'object'

/** Columns that hold Python floats whatever their values (Knack coordinates are converted with `float()`). */
export const FLOAT_COLUMNS: ReadonlySet<string> = new Set(['lat', 'lon'])

type Value = unknown

const isMissing = (value: Value): boolean =>
  value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))

function isNumber(value: Value): value is number | PyFloat {
  return typeof value === 'number' || value instanceof PyFloat
}

/** The pandas kind of a column from its values (`undefined` = the key is absent from that device). */
export function columnKind(name: string, values: readonly Value[]): ColumnKind {
  const present = values.filter((v) => !isMissing(v))
  if (present.length === 0) return 'object'
  if (present.every((v) => typeof v === 'boolean'))
    return present.length === values.length ? 'bool' : 'object'
  if (!present.every(isNumber)) return 'object'
  const gaps = present.length < values.length
  const fractions = present.some((v) => !Number.isInteger(Number(v)) || v instanceof PyFloat)
  return gaps || fractions || FLOAT_COLUMNS.has(name) ? 'float' : 'int'
}

/** A device list as pandas sees it: the union of keys in order of appearance and each column's kind. */
export interface DeviceFrame {
  readonly columns: readonly string[]
  readonly kinds: ReadonlyMap<string, ColumnKind>
}

/** Builds the {@link DeviceFrame} of a device list. */
export function deviceFrame(devices: readonly Readonly<Record<string, Value>>[]): DeviceFrame {
  const columns: string[] = []
  const seen = new Set<string>()
  for (const device of devices) {
    for (const key of Object.keys(device)) {
      if (!seen.has(key)) {
        seen.add(key)
        columns.push(key)
      }
    }
  }
  const kinds = new Map<string, ColumnKind>()
  for (const column of columns)
    kinds.set(
      column,
      columnKind(
        column,
        devices.map((d) => d[column]),
      ),
    )
  return { columns, kinds }
}

/**
 * A cell as `row.to_dict()` hands it to `json.dump`: float columns as {@link PyFloat} (`NaN` for gaps), absent keys
 * as `NaN` (pandas fills them so), everything else unchanged.
 */
export function frameValue(value: Value, kind: ColumnKind): Value {
  if (kind === 'float') return isMissing(value) ? Number.NaN : new PyFloat(Number(value))
  if (value === undefined) return Number.NaN
  return value
}

/** One device as a record of the frame: every column in frame order, values per {@link frameValue}. */
export function frameRecord(
  device: Readonly<Record<string, Value>>,
  frame: DeviceFrame,
): Record<string, Value> {
  const out: Record<string, Value> = {}
  for (const column of frame.columns)
    out[column] = frameValue(device[column], frame.kinds.get(column) ?? 'object')
  return out
}

/**
 * Python's `str()` of a frame cell: `None`, `nan`, `inf`, `True`/`False`, ints as digits, floats with Python's
 * repr (`30.0`, `-97.7539673`), text unchanged.
 */
export function pyStrOf(value: Value): string {
  if (value === null || value === undefined) return 'None'
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (value instanceof PyFloat || typeof value === 'number') {
    const n = Number(value)
    if (Number.isNaN(n)) return 'nan'
    if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf'
    return value instanceof PyFloat ? pyFloatRepr(n) : Number.isInteger(n) ? String(n) : pyFloatRepr(n)
  }
  return String(value)
}
