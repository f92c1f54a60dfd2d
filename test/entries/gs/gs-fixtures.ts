import yazl from 'yazl'

/** Builds a ZIP in memory from `[entry name, content]` pairs (fixed mtime, so the bytes are reproducible). */
export function makeZip(entries: readonly (readonly [string, string | Buffer])[]): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  for (const [name, content] of entries) {
    zip.addBuffer(Buffer.from(content), name, { mtime: new Date(Date.UTC(2019, 5, 2)) })
  }
  zip.end()
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c))
    zip.outputStream.on('error', reject)
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)))
  })
}

/**
 * Replaces every occurrence of an entry name by another of the same byte length (local header and central
 * directory; names are not covered by the CRC): how a test builds names yazl refuses to write (`../../evil.csv`).
 */
export function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error('names must have the same length')
  const out = Buffer.from(zip)
  const needle = Buffer.from(from)
  let at = out.indexOf(needle)
  while (at >= 0) {
    Buffer.from(to).copy(out, at)
    at = out.indexOf(needle, at + needle.length)
  }
  return out
}

/** The site document of §9.9 with a given `datetime` part. */
export function siteDocument(base: string, runDay: string, datetime: Record<string, string>): unknown {
  return {
    header: {
      data_type: 'gs_site',
      target_filename: `${base}_site_${runDay}.json`,
      collection_date: `${runDay} 00:00:00-05:00`,
      device_net_addr: '172.16.42.27',
    },
    site: { Location: { Street1: 'Burnet', Street2: 'Richcreek', Latitude: 30.3, Longitude: -97.7 } },
    datetime,
    hardware_info: { BoxSerialNumber: 'GS2-3826', HardwareId: '00E04B6064D2', HardwareVersion: 'GS2' },
  }
}

/** The §11.3 worked example: device clock 58:07 fast, zone label Eastern (fixed −05:00). */
export const WORKED_DATETIME = {
  DateTime: '6/2/2019 2:31:55 AM',
  TimeZoneId: '(UTC-05:00) Eastern Time (US & Canada)',
  HostTimeUTC: '06/02/2019 06:33:48 AM',
}
