/**
 * Pure GRIDSMART rules (spec §9.9): device information read from a camera's `site.json`, the street base name that
 * becomes a lake identifier, and the choice of devices to contact from the GS unit data.
 * Everything here treats camera and inventory data as untrusted: a value that could escape a storage key or a temp
 * directory is rejected with an {@link InputError} saying why.
 */
import { InputError, InvalidKeyError } from '../../../support/errors.js'
import type { UnitDevice } from '../../../support/unit-data.js'
import { normalizeKey } from '../../../util/keys.js'

/** The GRIDSMART API port (spec §11.3). */
export const GRIDSMART_PORT = 8902

/** Longest accepted street base, in UTF-8 bytes (leaves room for `_gs_YYYY-MM-DD_<guid>.json` in a key segment). */
export const MAX_BASE_BYTES = 160

/** One vehicle zone of a camera. */
export interface GsZone {
  /** Zone GUID with dashes, 8-4-4-4-12, lower case as the camera sent it. */
  readonly id: string
  /** `TurnType` (`Straight`, `Left`, …), or `null` when absent. */
  readonly turnType: string | null
  /** `ApproachType` (`Northbound`, …), or `null` when absent. */
  readonly approachType: string | null
}

/** What ingest reads from a camera's `site.json`. */
export interface GsDeviceInfo {
  /** `Location.Street1`, unchanged (a trailing space is kept). */
  readonly street1: string
  /** `Location.Street2`, unchanged; `''` when absent. */
  readonly street2: string
  readonly lat: number | null
  readonly lon: number | null
  /** `CameraDevices[0].Fisheye.MACAddress`. */
  readonly macAddress: string
  /** `CameraMasks.ZoneMasks[*].Vehicle` of the first camera. */
  readonly zones: readonly GsZone[]
  /** The validated street base (`Street1_Street2`, `/` → `&`). */
  readonly base: string
  /** Non-fatal findings (e.g. several cameras on one device). */
  readonly warnings: readonly string[]
}

const GUID_PLAIN = /^[0-9a-f]{32}$/i
const GUID_DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A zone id with dashes inserted 8-4-4-4-12 when absent; rejects anything that is not a GUID. */
export function dashGuid(id: unknown): string {
  if (typeof id === 'string' && GUID_DASHED.test(id)) return id
  if (typeof id === 'string' && GUID_PLAIN.test(id)) {
    return [id.slice(0, 8), id.slice(8, 12), id.slice(12, 16), id.slice(16, 20), id.slice(20)].join('-')
  }
  throw new InputError(`Zone id ${JSON.stringify(id)} is not a GUID (32 hex digits, dashed or not).`)
}

/**
 * Validates a street base for use in storage keys and temp file names. Besides the key rules of
 * `util/keys.ts` (control characters, `\`, length), it rejects `/` (only the `/`→`&` rule may remove one), `..`,
 * and bases over {@link MAX_BASE_BYTES} bytes. Returns the base unchanged.
 * @throws {InputError} with the reason.
 */
export function checkStreetBase(base: string): string {
  const shown = JSON.stringify(base)
  const fail = (reason: string): never => {
    throw new InputError(`Street name ${shown} cannot be used as a lake identifier: ${reason}.`)
  }
  if (base.includes('/')) fail('it contains "/"')
  if (base.includes('..')) fail('it contains ".."')
  const bytes = Buffer.byteLength(base, 'utf8')
  if (bytes > MAX_BASE_BYTES) fail(`it is ${bytes} bytes long; the limit is ${MAX_BASE_BYTES}`)
  try {
    normalizeKey(`2019/06/01/gs/${base}_gs_2019-06-01_00000000-0000-0000-0000-000000000000.json`)
  } catch (error) {
    if (error instanceof InvalidKeyError) {
      fail(
        error.message
          .slice(error.message.lastIndexOf(': the key ') + ': the key '.length)
          .replace(/^/, 'it '),
      )
    }
    throw error
  }
  return base
}

/**
 * The street base of the original: `primary + "_" + (cross or "")` with every `/` replaced by `&`
 * (`Burnet_Richcreek`, `Loop 360_Barton Creek`, `Loop 360 _Barton Creek` with the trailing space kept).
 * Not validated: the unit-data name is only matched against the name filter; use {@link checkStreetBase} for
 * anything that becomes a key.
 */
export function streetBaseName(primary: string | null | undefined, cross: string | null | undefined): string {
  return `${primary ?? ''}_${cross ?? ''}`.replaceAll('/', '&')
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function optionalString(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw new InputError(`site.json: ${what} is not a string.`)
  return value
}

function optionalNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/**
 * Reads the device information of a `site.json` document (spec §9.9 "Contacting a device").
 * @throws {InputError} when the document lacks a field ingest needs or holds an unusable street name or zone id.
 */
export function parseSiteInfo(site: unknown): GsDeviceInfo {
  if (!isObject(site)) throw new InputError('site.json is not a JSON object.')
  const location = site.Location
  if (!isObject(location)) throw new InputError('site.json has no "Location" object.')
  const street1 = optionalString(location.Street1, 'Location.Street1')
  if (street1 === null || street1.trim() === '') throw new InputError('site.json has no Location.Street1.')
  const street2 = optionalString(location.Street2, 'Location.Street2') ?? ''
  const cameras = site.CameraDevices
  if (!Array.isArray(cameras) || cameras.length === 0) throw new InputError('site.json has no CameraDevices.')
  const warnings: string[] = []
  if (cameras.length > 1) {
    warnings.push(`site.json lists ${cameras.length} cameras; only the first one is used.`)
  }
  const fisheye = isObject(cameras[0]) ? cameras[0].Fisheye : undefined
  if (!isObject(fisheye)) throw new InputError('site.json: CameraDevices[0] has no "Fisheye" object.')
  const macAddress = optionalString(fisheye.MACAddress, 'CameraDevices[0].Fisheye.MACAddress')
  if (macAddress === null) throw new InputError('site.json: CameraDevices[0].Fisheye has no MACAddress.')
  const masks = isObject(fisheye.CameraMasks) ? fisheye.CameraMasks.ZoneMasks : undefined
  const zones: GsZone[] = []
  for (const mask of Array.isArray(masks) ? masks : []) {
    const vehicle = isObject(mask) ? mask.Vehicle : undefined
    if (!isObject(vehicle)) continue
    zones.push({
      id: dashGuid(vehicle.Id),
      turnType: optionalString(vehicle.TurnType, 'Vehicle.TurnType'),
      approachType: optionalString(vehicle.ApproachType, 'Vehicle.ApproachType'),
    })
  }
  const base = checkStreetBase(streetBaseName(street1, street2))
  return {
    street1,
    street2,
    lat: optionalNumber(location.Latitude),
    lon: optionalNumber(location.Longitude),
    macAddress,
    zones,
    base,
    warnings,
  }
}

/** Where a device answers: `device_ip` of the unit data, optionally `host:port` (simulated cameras). */
export interface GsAddress {
  readonly host: string
  readonly port: number
}

const ADDRESS = /^([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::(\d{1,5}))?$/

/**
 * Parses a unit-data `device_ip`: an IPv4 address or host name, optionally followed by `:port` (an extension
 * for simulated cameras; the GRIDSMART port {@link GRIDSMART_PORT} otherwise).
 * @throws {InputError} for anything else (URLs, paths, user info, IPv6).
 */
export function parseDeviceAddress(text: string): GsAddress {
  const m = ADDRESS.exec(text.trim())
  const port = m?.[2] === undefined ? GRIDSMART_PORT : Number(m[2])
  if (!m?.[1] || port < 1 || port > 65535) {
    throw new InputError(`device_ip ${JSON.stringify(text)} is not "host" or "host:port".`)
  }
  return { host: m[1], port }
}

/** A unit-data device chosen for contact. */
export interface GsCandidate {
  /** `device_ip` as given (trimmed). */
  readonly ip: string
  readonly address: GsAddress
  /** The inventory street name (`primary_st_cross_st`, `/` → `&`) that the name filter matched. */
  readonly name: string
  readonly device: UnitDevice
}

/** Result of {@link selectDevices}. */
export interface GsSelection {
  readonly candidates: readonly GsCandidate[]
  /** Why other devices were left out (removed, no location, duplicate, filtered, bad address). */
  readonly skipped: readonly { readonly device: UnitDevice; readonly reason: string }[]
  /** Messages worth a warning (duplicates, bad addresses). */
  readonly warnings: readonly string[]
}

const text = (value: unknown): string | null =>
  value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))
    ? null
    : String(value)

/**
 * Device discovery of `gs_support.retrieveDevices` (spec §9.9 step 2): drops devices whose trimmed upper-cased
 * `device_status` is `REMOVED`, whose `atd_location_id` is missing or `nan`, whose `device_ip` repeats an earlier one
 * (case-insensitive, trimmed; warned), is missing or unusable (warned), and whose street name does not match
 * `nameFilter` (a regular-expression search). `ip_comm_status` is deliberately not consulted. Null fields do not
 * crash (the original did, §10 item 23).
 */
export function selectDevices(devices: readonly UnitDevice[], nameFilter: RegExp): GsSelection {
  const candidates: GsCandidate[] = []
  const skipped: { device: UnitDevice; reason: string }[] = []
  const warnings: string[] = []
  const seen = new Set<string>()
  for (const device of devices) {
    const skip = (reason: string, warn = false) => {
      skipped.push({ device, reason })
      if (warn) warnings.push(reason)
    }
    if ((text(device.device_status) ?? '').trim().toUpperCase() === 'REMOVED') {
      skip('device_status is REMOVED')
      continue
    }
    const location = text(device.atd_location_id)
    if (location === null || location === 'nan') {
      skip('no atd_location_id')
      continue
    }
    const ip = (text(device.device_ip) ?? '').trim()
    if (ip === '') {
      skip(`Device at ${location} has no device_ip; skipped.`, true)
      continue
    }
    if (seen.has(ip.toLowerCase())) {
      skip(`Duplicate device_ip ${ip} (${location}); skipped.`, true)
      continue
    }
    seen.add(ip.toLowerCase())
    const name = streetBaseName(text(device.primary_st), text(device.cross_st))
    nameFilter.lastIndex = 0
    if (!nameFilter.test(name)) {
      skip(`"${name}" does not match the name filter`)
      continue
    }
    let address: GsAddress
    try {
      address = parseDeviceAddress(ip)
    } catch (error) {
      skip(`${(error as Error).message} (${location}); skipped.`, true)
      continue
    }
    candidates.push({ ip, address, name, device })
  }
  return { candidates, skipped, warnings }
}
