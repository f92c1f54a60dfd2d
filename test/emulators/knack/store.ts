/**
 * The emulator's records: objects (records stored by field key, with each field's label and type) and views
 * (a scene/view pair showing some fields of an object). Listing follows spec external-apis §2.3–2.5.
 */
import {
  FieldValueError,
  type KnackFieldDef,
  renderDisplay,
  renderRaw,
  type StoredDate,
  textOf,
  toStored,
  wallMinutes,
} from './fields.js'
import { FilterError, matches, parseFilter } from './filters.js'

/** A failure answered with `status` and `{"errors":[{"message"}]}`. */
export class HttpFailure extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

/** A record as a test seeds it: values by field key (`field_884`), optional 24-hex `id`. */
export type SeedRecord = Readonly<Record<string, unknown>> & { readonly id?: string }

/** A stored record: id and values by field key. */
export interface StoredRecord {
  readonly id: string
  values: Record<string, unknown>
}

/** Options of a view. */
export interface ViewOptions {
  /** Fields of the backing object (replaces its definition). */
  readonly fields?: readonly KnackFieldDef[]
  /** Backing object key; default: a private object for this view. */
  readonly object?: string
  /** Field keys the view shows and its forms accept; default: all of the object's fields. */
  readonly shown?: readonly string[]
  /** Login-protected scene: requests need an `Authorization` user token (else 403). @default false */
  readonly loginRequired?: boolean
}

interface ObjectState {
  readonly key: string
  name: string
  fields: Map<string, KnackFieldDef>
  records: StoredRecord[]
  announceExtra: number
}

/** A view's settings. */
export interface ViewState {
  readonly object: string
  readonly shown: readonly string[] | null
  readonly loginRequired: boolean
}

/** Listing parameters (already read from the query string). */
export interface ListQuery {
  readonly page: number
  readonly rowsPerPage: number
  readonly filters: string | null
  readonly format: 'both' | 'raw' | 'html'
  readonly sortField: string | null
  readonly sortOrder: 'asc' | 'desc'
}

/** Creates an empty store. */
export function createStore() {
  const objects = new Map<string, ObjectState>()
  const views = new Map<string, ViewState>()
  let nextId = 1

  const newId = (): string => `5e${(nextId++).toString(16).padStart(22, '0')}`

  function object(key: string): ObjectState {
    const found = objects.get(key)
    if (!found) throw new HttpFailure(404, `Object ${key} not found`)
    return found
  }

  function defineFields(fields: readonly KnackFieldDef[]): Map<string, KnackFieldDef> {
    return new Map(fields.map((f) => [f.key, { ...f, type: f.type ?? 'short_text' }]))
  }

  function seed(state: ObjectState, records: readonly SeedRecord[]): void {
    for (const record of records) {
      for (const key of Object.keys(record)) {
        if (key !== 'id' && !state.fields.has(key)) {
          state.fields.set(key, { key, label: key, type: 'short_text' })
        }
      }
    }
    state.records = records.map((record) => {
      const values: Record<string, unknown> = {}
      for (const field of state.fields.values()) values[field.key] = toStored(field, record[field.key])
      return { id: record.id ?? newId(), values }
    })
  }

  function setObject(key: string, records: readonly SeedRecord[], fields?: readonly KnackFieldDef[]): void {
    const existing = objects.get(key)
    const state: ObjectState = {
      key,
      name: existing?.name ?? key,
      fields: fields ? defineFields(fields) : (existing?.fields ?? new Map()),
      records: [],
      announceExtra: existing?.announceExtra ?? 0,
    }
    objects.set(key, state)
    seed(state, records)
  }

  function setView(
    scene: string,
    view: string,
    records: readonly SeedRecord[],
    options: ViewOptions = {},
  ): void {
    const objectKey = options.object ?? `${scene}/${view}`
    if (options.fields || !objects.has(objectKey) || records.length > 0 || !options.object) {
      setObject(objectKey, records, options.fields)
    }
    views.set(`${scene}/${view}`, {
      object: objectKey,
      shown: options.shown ?? null,
      loginRequired: options.loginRequired ?? false,
    })
  }

  function view(scene: string, viewKey: string): ViewState {
    const found = views.get(`${scene}/${viewKey}`)
    if (!found) throw new HttpFailure(404, `View ${scene}/${viewKey} not found`)
    return found
  }

  function shownFields(state: ObjectState, shown: readonly string[] | null): KnackFieldDef[] {
    const all = [...state.fields.values()]
    return shown ? all.filter((f) => shown.includes(f.key)) : all
  }

  function render(
    state: ObjectState,
    record: StoredRecord,
    shown: readonly string[] | null,
    format: ListQuery['format'] = 'both',
  ) {
    const out: Record<string, unknown> = { id: record.id }
    for (const field of shownFields(state, shown)) {
      const stored = record.values[field.key]
      if (format !== 'raw') out[field.key] = renderDisplay(field, stored)
      if (format !== 'html') out[`${field.key}_raw`] = renderRaw(field, stored)
    }
    return out
  }

  function sortKey(field: KnackFieldDef, stored: unknown): number | string {
    if (stored === null || stored === undefined) return ''
    if (field.type === 'date_time') return wallMinutes((stored as StoredDate).from)
    if (typeof stored === 'number') return stored
    return textOf(field, stored).toLowerCase()
  }

  function list(objectKey: string, shown: readonly string[] | null, query: ListQuery) {
    const state = object(objectKey)
    let rows = state.records
    if (query.filters !== null) {
      try {
        const filter = parseFilter(query.filters, state.fields)
        rows = rows.filter((r) => matches(filter, r.values, state.fields))
      } catch (error) {
        if (error instanceof FilterError) throw new HttpFailure(400, error.message)
        throw error
      }
    }
    if (query.sortField !== null) {
      const field = state.fields.get(query.sortField)
      if (!field) throw new HttpFailure(400, `Unknown sort field "${query.sortField}"`)
      const sign = query.sortOrder === 'desc' ? -1 : 1
      rows = [...rows].sort((a, b) => {
        const ka = sortKey(field, a.values[field.key])
        const kb = sortKey(field, b.values[field.key])
        return ka < kb ? -sign : ka > kb ? sign : 0
      })
    }
    const announced = Math.max(0, rows.length + state.announceExtra)
    const start = (query.page - 1) * query.rowsPerPage
    return {
      total_pages: Math.ceil(announced / query.rowsPerPage),
      current_page: query.page,
      total_records: announced,
      records: rows.slice(start, start + query.rowsPerPage).map((r) => render(state, r, shown, query.format)),
    }
  }

  function writable(state: ObjectState, shown: readonly string[] | null, body: unknown) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new HttpFailure(400, 'Request body must be a JSON object')
    }
    const values: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(body)) {
      if (key === 'id') continue
      const field = state.fields.get(key)
      if (!field) throw new HttpFailure(400, `Field "${key}" does not exist on ${state.key}`)
      if (shown && !shown.includes(key)) continue
      try {
        values[key] = toStored(field, value)
      } catch (error) {
        if (error instanceof FieldValueError) throw new HttpFailure(400, error.message)
        throw error
      }
    }
    return values
  }

  function find(state: ObjectState, id: string): StoredRecord {
    const record = state.records.find((r) => r.id === id)
    if (!record) throw new HttpFailure(404, `Record ${id} not found`)
    return record
  }

  return {
    setObject,
    setView,
    view,
    list,
    /** Sets how many records more (or fewer, when negative) than it holds an object announces. */
    announceExtra(objectKey: string, extra: number): void {
      object(objectKey).announceExtra = extra
    },
    getOne(objectKey: string, shown: readonly string[] | null, id: string) {
      const state = object(objectKey)
      return render(state, find(state, id), shown)
    },
    create(objectKey: string, shown: readonly string[] | null, body: unknown) {
      const state = object(objectKey)
      const given = writable(state, shown, body)
      const values: Record<string, unknown> = {}
      for (const field of state.fields.values()) values[field.key] = given[field.key] ?? null
      const record = { id: newId(), values }
      state.records.push(record)
      return render(state, record, shown)
    },
    update(objectKey: string, shown: readonly string[] | null, id: string, body: unknown) {
      const state = object(objectKey)
      const record = find(state, id)
      Object.assign(record.values, writable(state, shown, body))
      return render(state, record, shown)
    },
    remove(objectKey: string, id: string) {
      const state = object(objectKey)
      const record = find(state, id)
      state.records = state.records.filter((r) => r !== record)
      return { delete: true }
    },
    /** Stored records of an object (values by field key, dates as wall times), for assertions. */
    records(objectKey: string): StoredRecord[] {
      return object(objectKey).records.map((r) => ({ id: r.id, values: { ...r.values } }))
    },
    /** `GET /v1/applications/:id` body: objects with their fields (`name` = label) and the views. */
    metadata(appId: string) {
      const scenes = new Map<string, { key: string; views: unknown[] }>()
      for (const [key, v] of views) {
        const [scene = '', viewKey = ''] = key.split('/')
        const entry = scenes.get(scene) ?? { key: scene, views: [] }
        const state = object(v.object)
        entry.views.push({
          key: viewKey,
          name: viewKey,
          type: 'table',
          source: { object: v.object },
          columns: shownFields(state, v.shown).map((f) => ({ field: { key: f.key } })),
        })
        scenes.set(scene, entry)
      }
      return {
        application: {
          id: appId,
          name: 'Knack emulator',
          objects: [...objects.values()].map((o) => ({
            key: o.key,
            name: o.name,
            fields: [...o.fields.values()].map((f) => ({
              key: f.key,
              name: f.label,
              type: f.type,
              object_key: o.key,
            })),
          })),
          scenes: [...scenes.values()],
        },
      }
    },
  }
}

/** The store API. */
export type KnackStore = ReturnType<typeof createStore>
