import type { UnitDevice } from '../../support/unit-data.js'
import { sequenceRatio } from '../../util/difflib.js'
import { gps2feet } from '../../util/gps.js'

/** Camera street string (`Street1_Street2`, trimmed) → Knack `atd_location_id` (`config_app.KNACK_LOOKUPS`, §7.1). */
export const KNACK_LOOKUPS: Readonly<Record<string, string>> = Object.freeze({
  'Loop 360_Barton Creek': 'LOC16-004315',
  'Loop 360_Loop 1 SBFR': 'LOC16-004350',
  'Parmer_Market Dwy': 'LOC16-002565',
})

/**
 * Whole-street substitutions for the second fuzzy pass (`config_app.STREET_SYNONYMS`, §7.1). The original's literal
 * lists `"Loop 1"` twice; Python keeps the second value, which is the one here.
 */
export const STREET_SYNONYMS: Readonly<Record<string, string>> = Object.freeze({
  'Loop 360': 'CAPITAL OF TEXAS HWY',
  'Hancock Mall': 'N IH 35 SVRD SB AT 41ST TRN',
  'Loop 1': 'MOPAC EXPY SVRD',
})

/** Lowest accepted fuzzy ratio (`MIN_MATCH_RATIO`). */
export const MIN_MATCH_RATIO = 0.7

/** A GPS match must be closer than this, in feet (`MAX_DIST`). */
export const MAX_DIST_FT = 300

/** What the matcher knows about a camera: its site file's location and the address it was read from. */
export interface CameraSite {
  /** `site.Location.Street1` as configured on the camera (untrimmed). */
  readonly street1: string
  /** `site.Location.Street2` (untrimmed). */
  readonly street2: string
  /** `site.Location.Latitude`, or `null` when absent. */
  readonly latitude: number | null
  /** `site.Location.Longitude`, or `null` when absent. */
  readonly longitude: number | null
  /** The site file header's `device_net_addr`, or `null`. */
  readonly ip: string | null
}

/** Which stage of §9.11 step 2 matched. */
export type MatchStage = 'knack-lookup' | 'fuzzy' | 'synonyms' | 'ip' | 'gps'

/** A unit-data device with the matcher's `reversed` flag. */
export type MatchedDevice = Readonly<Record<string, string | number | boolean | null>>

/** A matched device. */
export interface DeviceMatch {
  /** A copy of the unit-data device with `reversed` added (the cached unit data is not mutated). */
  readonly device: MatchedDevice
  readonly stage: MatchStage
  /** The fuzzy ratio (stages `fuzzy`/`synonyms`). */
  readonly ratio?: number
  /** The distance in feet (stage `gps`). */
  readonly distanceFt?: number
}

/** The outcome of {@link matchDevice}: the match or `null`, and the warnings the original printed. */
export interface MatchResult {
  readonly match: DeviceMatch | null
  readonly warnings: readonly string[]
}

/** The best fuzzy candidate for a test string. */
export interface FuzzyBest {
  readonly device: UnitDevice
  readonly reversed: boolean
  readonly ratio: number
  readonly candidate: string
}

function streetText(value: UnitDevice[string] | undefined): string {
  return value === null || value === undefined ? '' : String(value)
}

/**
 * Stage 1 of the matcher: every device whose `primary_st` and `cross_st` are not the string `nan` (nulls count as
 * `""`) is tried as `"<primary> <cross>"` and then `"<cross> <primary>"` (reversed), lower-cased, against the
 * lower-cased test string with `SequenceMatcher(None, test, candidate).ratio()`; the first candidate with the
 * highest ratio wins. `null` when there are no candidates.
 */
export function bestFuzzyCandidate(test: string, devices: readonly UnitDevice[]): FuzzyBest | null {
  const lowered = test.toLowerCase()
  let best: FuzzyBest | null = null
  for (const device of devices) {
    const primary = streetText(device.primary_st)
    const cross = streetText(device.cross_st)
    if (primary === 'nan' || cross === 'nan') continue
    const options: [string, boolean][] = [
      [`${primary} ${cross}`, false],
      [`${cross} ${primary}`, true],
    ]
    for (const [text, reversed] of options) {
      const candidate = text.toLowerCase()
      const ratio = sequenceRatio(lowered, candidate)
      if (!best || ratio > best.ratio) best = { device, reversed, ratio, candidate }
    }
  }
  return best
}

function withReversed(device: UnitDevice, reversed: boolean): MatchedDevice {
  return { ...device, reversed }
}

function coordinate(value: UnitDevice[string] | undefined): number | null {
  if (value === null || value === undefined || value === '') return null
  const n = typeof value === 'number' ? value : Number(value)
  return Number.isFinite(n) ? n : null
}

/**
 * Matches a camera to a unit-data device in the original's order (spec §9.11 step 2), the first success winning:
 * 0. `Street1.strip() + "_" + Street2.strip()` in {@link KNACK_LOOKUPS} → the device with that `atd_location_id`
 *    (a warning and no match when absent; no further stages);
 * 1. fuzzy ratio of `"<Street1> <Street2>"` ≥ {@link MIN_MATCH_RATIO};
 * 2. the same after replacing each street through {@link STREET_SYNONYMS}, when that changed the test string;
 * 3. `device_ip` equal to the site file's `device_net_addr`;
 * 4. the nearest device with coordinates, when closer than {@link MAX_DIST_FT}.
 * The matched device is returned as a copy with `reversed` (stage 1/2 flag, else `false` — also on the lookup path,
 * where the original left it unset).
 */
export function matchDevice(site: CameraSite, devices: readonly UnitDevice[]): MatchResult {
  const warnings: string[] = []
  const lookupKey = `${site.street1.trim()}_${site.street2.trim()}`
  const locationId = KNACK_LOOKUPS[lookupKey]
  if (locationId !== undefined) {
    const device = devices.find((d) => d.atd_location_id === locationId)
    if (!device) {
      warnings.push(`Lookup "${lookupKey}" names ${locationId}, which no unit-data device has.`)
      return { match: null, warnings }
    }
    return { match: { device: withReversed(device, false), stage: 'knack-lookup' }, warnings }
  }
  const test = `${site.street1} ${site.street2}`
  const fuzzy = bestFuzzyCandidate(test, devices)
  if (fuzzy && fuzzy.ratio >= MIN_MATCH_RATIO) {
    const device = withReversed(fuzzy.device, fuzzy.reversed)
    return { match: { device, stage: 'fuzzy', ratio: fuzzy.ratio }, warnings }
  }
  const synonymTest = `${STREET_SYNONYMS[site.street1] ?? site.street1} ${STREET_SYNONYMS[site.street2] ?? site.street2}`
  if (synonymTest !== test) {
    const again = bestFuzzyCandidate(synonymTest, devices)
    if (again && again.ratio >= MIN_MATCH_RATIO) {
      const device = withReversed(again.device, again.reversed)
      return { match: { device, stage: 'synonyms', ratio: again.ratio }, warnings }
    }
  }
  if (site.ip !== null && site.ip !== '') {
    const device = devices.find((d) => d.device_ip === site.ip)
    if (device) return { match: { device: withReversed(device, false), stage: 'ip' }, warnings }
  }
  if (site.latitude !== null && site.longitude !== null) {
    let nearest: { device: UnitDevice; feet: number } | null = null
    for (const device of devices) {
      const lat = coordinate(device.lat)
      const lon = coordinate(device.lon)
      if (lat === null || lon === null) continue
      const feet = gps2feet(site.latitude, site.longitude, lat, lon)
      if (!nearest || feet < nearest.feet) nearest = { device, feet }
    }
    if (nearest && nearest.feet < MAX_DIST_FT) {
      const device = withReversed(nearest.device, false)
      return { match: { device, stage: 'gps', distanceFt: nearest.feet }, warnings }
    }
  }
  return { match: null, warnings }
}
