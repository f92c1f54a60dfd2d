import { IANAZone, Zone, type ZoneOffsetFormat, type ZoneOffsetOptions } from 'luxon'

const BUCKET_MS = 15 * 60_000
const MAX_BUCKETS = 200_000

/**
 * An IANA zone that remembers its UTC offset per 15-minute slice of time. Luxon asks `Intl` for the offset of every
 * instant it builds or converts, which costs more than everything else when millions of timestamps are read. A
 * slice whose start and end have the same offset is cached; a slice containing a change is computed each time, so
 * the answers are exactly the IANA zone's. Equal to the plain zone of the same name (`equals`, `name`, `type`).
 */
export class OffsetCachingZone extends Zone {
  readonly #zone: IANAZone
  readonly #offsets = new Map<number, number>()

  constructor(name: string) {
    super()
    this.#zone = IANAZone.create(name)
  }

  override get type(): string {
    return 'iana'
  }

  override get name(): string {
    return this.#zone.name
  }

  override get isUniversal(): boolean {
    return false
  }

  override get isValid(): boolean {
    return this.#zone.isValid
  }

  override offsetName(ts: number, options: ZoneOffsetOptions): string | null {
    return this.#zone.offsetName(ts, options)
  }

  override formatOffset(ts: number, format: ZoneOffsetFormat): string {
    const offset = this.offset(ts)
    const sign = offset >= 0 ? '+' : '-'
    const hours = Math.trunc(Math.abs(offset) / 60)
    const minutes = Math.abs(offset) % 60
    const hh = String(hours).padStart(2, '0')
    const mm = String(minutes).padStart(2, '0')
    if (format === 'short') return `${sign}${hh}:${mm}`
    if (format === 'techie') return `${sign}${hh}${mm}`
    return `${sign}${hours}${minutes > 0 ? `:${minutes}` : ''}`
  }

  override offset(ts: number): number {
    const bucket = Math.floor(ts / BUCKET_MS)
    const known = this.#offsets.get(bucket)
    if (known !== undefined) return known
    const start = this.#zone.offset(bucket * BUCKET_MS)
    if (start !== this.#zone.offset(bucket * BUCKET_MS + BUCKET_MS - 1)) return this.#zone.offset(ts)
    if (this.#offsets.size >= MAX_BUCKETS) this.#offsets.clear()
    this.#offsets.set(bucket, start)
    return start
  }

  override equals(other: Zone): boolean {
    return other.type === 'iana' && other.name === this.name
  }
}
