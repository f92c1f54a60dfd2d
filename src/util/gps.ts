/** Earth radius of the original's haversine (spec §8.5), metres. */
export const EARTH_RADIUS_M = 6_371_000

/** Metres → miles factor of the original. */
export const MILES_PER_METRE = 0.000621371

/** Feet per mile. */
export const FEET_PER_MILE = 5280

const rad = (deg: number): number => (deg * Math.PI) / 180

/**
 * `gps_h.gps2feet` (spec §8.5): the haversine great-circle distance between two WGS-84 points (decimal degrees)
 * on a sphere of {@link EARTH_RADIUS_M}, converted metres → miles (× 0.000621371) → feet (× 5280).
 */
export function gps2feet(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1)
  const dLon = rad(lon2 - lon1)
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2
  const metres = 2 * EARTH_RADIUS_M * Math.atan2(Math.sqrt(h), Math.sqrt(1 - h))
  return metres * MILES_PER_METRE * FEET_PER_MILE
}
