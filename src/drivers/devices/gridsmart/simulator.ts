/**
 * Simulated GRIDSMART cameras (spec §11.3): in-process HTTP servers on 127.0.0.1 serving the `/api/…` documents and
 * a counts ZIP generated for any day, in both archive layouts and both count-file versions, plus misbehaving
 * cameras for tests. `createGsUnitData` lists them as GS unit data with `device_ip = "127.0.0.1:<port>"`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import yazl from 'yazl'
import type { UnitDevice } from '../../../support/unit-data.js'
import { type Clock, parseTimestamp, systemClock } from '../../../util/dates.js'
import { createPrng } from '../../../util/prng.js'

/** How a simulated camera misbehaves. */
export type CameraBehavior = 'normal' | 'hang' | 'corrupt-zip'

/** Options of {@link startSimulatedCamera}. */
export interface SimulatedCameraOptions {
  /** `Location.Street1` (may be hostile: it is served as given). @default 'Burnet' */
  readonly street1?: string
  /** `Location.Street2`. @default 'Richcreek' */
  readonly street2?: string
  /** Seed of every generated value. @default 1 */
  readonly seed?: number
  /** Days listed by `counts.json` (`YYYY-MM-DD`); any day can still be downloaded. @default [] */
  readonly days?: readonly string[]
  /** ZIP layout: A = `<mac>/<day>/<guid>.csv`, B = `<mac>/<day>.zip` holding the CSVs. @default 'A' */
  readonly layout?: 'A' | 'B'
  /** Count-file version: 8 (14 columns) or 4 (16 columns). @default 8 */
  readonly countVersion?: 8 | 4
  /** Number of vehicle zones. @default 3 */
  readonly zones?: number
  /** Rows per zone file. @default 40 */
  readonly rowsPerZone?: number
  /** Camera clock error in minutes (added to the true time in `datetime.json`). @default 0 */
  readonly clockDriftMinutes?: number
  /** `TimeZoneId` label; its `(UTC±HH:MM)` offset is the camera's fixed offset. @default Central standard */
  readonly timeZoneLabel?: string
  /** Number of `CameraDevices` (more than one makes ingest warn). @default 1 */
  readonly cameras?: number
  readonly behavior?: CameraBehavior
  /** The true time. @default the system clock */
  readonly clock?: Clock
}

/** A running simulated camera. */
export interface SimulatedCamera {
  readonly host: string
  readonly port: number
  /** `127.0.0.1:<port>`: the `device_ip` of its unit-data row. */
  readonly address: string
  readonly street1: string
  readonly street2: string
  /** MAC with colons, lower case (`00:30:53:xx:xx:xx`). */
  readonly mac: string
  /** Zone GUIDs, dashed. */
  readonly zoneIds: readonly string[]
  readonly days: readonly string[]
  /** Request paths received, in order. */
  readonly requests: readonly string[]
  /** The served `site.json` document. */
  site(): Record<string, unknown>
  /** The counts ZIP of a day, as served. */
  countsZip(day: string): Promise<Buffer>
  /** Stops the server and drops every open connection. */
  close(): Promise<void>
}

const APPROACHES = ['Northbound', 'Southbound', 'Eastbound', 'Westbound'] as const
const TURNS = ['Straight', 'Left', 'Right'] as const
const DEFAULT_ZONE_LABEL = '(UTC-06:00) Central Time (US & Canada)'

const hex = (rand: () => number, digits: number): string =>
  Array.from({ length: digits }, () => Math.floor(rand() * 16).toString(16)).join('')

function zipOf(files: readonly (readonly [string, Buffer])[]): Promise<Buffer> {
  const zip = new yazl.ZipFile()
  const when = new Date(Date.UTC(2019, 0, 1))
  for (const [path, data] of files) zip.addBuffer(data, path, { mtime: when })
  zip.end()
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk))
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)))
    zip.outputStream.on('error', reject)
  })
}

/** Offset in minutes of a `(UTC±HH:MM)` label; 0 when it has none. */
function labelOffset(label: string): number {
  const m = /^\(UTC([+-])(\d{2}):(\d{2})\)/.exec(label)
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0
}

/** Deterministic count rows of one zone and day (no header). */
export function countRows(options: {
  day: string
  zoneIndex: number
  seed: number
  version: 8 | 4
  rows: number
}): string {
  const { day, zoneIndex, seed, version, rows } = options
  const rand = createPrng(seed * 7919 + zoneIndex * 104729 + Number(day.replaceAll('-', '')))
  const midnight = parseTimestamp(day)
  const utcOffset = midnight.offset
  const int = (low: number, high: number) => low + Math.floor(rand() * (high - low + 1))
  const lines: string[] = []
  let second = 0
  for (let i = 0; i < rows; i += 1) {
    second = Math.min(86_399, second + int(1, Math.max(1, Math.floor(86_000 / rows))))
    const tenth = int(0, 9)
    const turn = 'SLRU'[int(0, 3)] ?? 'S'
    const light = 'RYG'[int(0, 2)] ?? 'G'
    const length = int(8, 60)
    const speed = int(0, 55)
    if (version === 8) {
      const hhmmss =
        Math.floor(second / 3600) * 10_000 + Math.floor((second % 3600) / 60) * 100 + (second % 60)
      lines.push(
        [8, 23, `${hhmmss}.${tenth}`, utcOffset, turn, length, speed, light, (int(1, 80) / 10).toFixed(1)]
          .concat([int(0, 4), (int(0, 9000) / 100).toFixed(2), int(0, 90), int(25, 45), int(25, 45)])
          .join(','),
      )
    } else {
      const at = midnight.plus({ seconds: second }).toUTC().toFormat("yyyyMMdd'T'HHmmss")
      lines.push(
        [
          4,
          5,
          `${at}.${tenth}`,
          10_000 + i,
          int(1, 3),
          length,
          speed,
          turn,
          'SLR',
          (int(1, 80) / 10).toFixed(1),
        ]
          .concat([(int(0, 300) / 10).toFixed(1), int(0, 6), light, (int(0, 900) / 10).toFixed(1)])
          .concat([900_000 + i * 17, int(0, 1) ? 'D' : 'N'])
          .join(','),
      )
    }
  }
  return `${lines.join('\r\n')}\r\n`
}

/** Starts one simulated camera on 127.0.0.1 (an ephemeral port). */
export async function startSimulatedCamera(options: SimulatedCameraOptions = {}): Promise<SimulatedCamera> {
  const seed = options.seed ?? 1
  const rand = createPrng(seed * 31 + 17)
  const street1 = options.street1 ?? 'Burnet'
  const street2 = options.street2 ?? 'Richcreek'
  const days = [...(options.days ?? [])]
  const layout = options.layout ?? 'A'
  const version = options.countVersion ?? 8
  const rowsPerZone = options.rowsPerZone ?? 40
  const behavior = options.behavior ?? 'normal'
  const clock = options.clock ?? systemClock()
  const zoneLabel = options.timeZoneLabel ?? DEFAULT_ZONE_LABEL
  const mac = `00:30:53:${hex(rand, 2)}:${hex(rand, 2)}:${hex(rand, 2)}`
  const macDir = mac.replaceAll(':', '-')
  const plainIds = Array.from({ length: options.zones ?? 3 }, () => hex(rand, 32))
  const zoneIds = plainIds.map((id) =>
    [id.slice(0, 8), id.slice(8, 12), id.slice(12, 16), id.slice(16, 20), id.slice(20)].join('-'),
  )
  const fisheye = (n: number) => ({
    Fisheye: {
      MACAddress: n === 0 ? mac : `00:30:53:00:00:0${n}`,
      Name: `${street1} & ${street2}`,
      IsConfigured: true,
      CameraMasks: {
        ZoneMasks: [
          ...plainIds.map((id, i) => ({
            Vehicle: {
              Id: id,
              ApproachType: APPROACHES[i % APPROACHES.length],
              TurnType: TURNS[i % TURNS.length],
              IncludeInData: true,
              NumberOfLanes: 1 + (i % 2),
              ProtectedPhases: [2 + 2 * (i % 4)],
            },
          })),
          { Pedestrian: { Id: hex(rand, 32), Name: 'Crosswalk North' } },
        ],
      },
    },
  })
  const siteDoc = {
    Id: hex(rand, 32),
    Location: {
      Street1: street1,
      Street2: street2,
      Latitude: 30.3 + rand() / 10,
      Longitude: -97.8 + rand() / 10,
      City: 'Austin',
      State: 'TX',
    },
    CameraDevices: Array.from({ length: options.cameras ?? 1 }, (_, n) => fisheye(n)),
  }
  const hardware = { BoxSerialNumber: `GS2-${1000 + (seed % 9000)}`, HardwareId: hex(rand, 12).toUpperCase() }

  async function countsZip(day: string): Promise<Buffer> {
    const csvs = zoneIds.map(
      (id, zoneIndex) =>
        [`${id}.csv`, Buffer.from(countRows({ day, zoneIndex, seed, version, rows: rowsPerZone }))] as const,
    )
    if (layout === 'A') return zipOf(csvs.map(([name, data]) => [`${macDir}/${day}/${name}`, data]))
    return zipOf([[`${macDir}/${day}.zip`, await zipOf(csvs)]])
  }

  function deviceTime(): Record<string, unknown> {
    const shown = clock
      .now()
      .toUTC()
      .plus({ minutes: (options.clockDriftMinutes ?? 0) + labelOffset(zoneLabel) })
      .setLocale('en-US')
    return {
      DateTime: shown.toFormat('M/d/yyyy h:mm:ss a'),
      TimeZoneId: zoneLabel,
      UtcOffset: labelOffset(zoneLabel),
      IsNtpEnabled: false,
    }
  }

  const requests: string[] = []
  const sockets = new Set<Socket>()
  const json = (res: ServerResponse, value: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(value))
  }
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    requests.push(path)
    if (behavior === 'hang') return
    const byDate = /^\/api\/counts\/bydate\/(\d{4}-\d{2}-\d{2})$/.exec(path)
    if (path === '/api/site.json') json(res, siteDoc)
    else if (path === '/api/datetime.json') json(res, deviceTime())
    else if (path === '/api/system/hardwareinfo.json') json(res, { ...hardware, HardwareVersion: 'GS2' })
    else if (path === '/api/counts.json') json(res, days)
    else if (byDate?.[1]) {
      let body = await countsZip(byDate[1])
      if (behavior === 'corrupt-zip') body = body.subarray(0, Math.floor(body.length / 2))
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length })
      res.end(body)
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('Not found')
    }
  }
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    street1,
    street2,
    mac,
    zoneIds,
    days,
    requests,
    site: () => structuredClone(siteDoc),
    countsZip,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/**
 * The GS unit data (spec §6.1 GS columns) of simulated cameras, in order. `device_ip` is `127.0.0.1:<port>`: the
 * simulated devices carry their port in `device_ip` (real ones use the GRIDSMART port 8902). The Knack street names
 * are the camera's upper-cased (they may differ from the camera's own names, as in production).
 */
export function createGsUnitData(
  cameras: readonly SimulatedCamera[],
  overrides: readonly Readonly<Record<string, string | number | null>>[] = [],
): UnitDevice[] {
  return cameras.map((camera, i) => ({
    device_type: 'GRIDSMART',
    atd_device_id: 9000 + i,
    device_ip: camera.address,
    device_status: 'TURNED_ON',
    ip_comm_status: i % 3 === 2 ? 'OFFLINE' : 'ONLINE',
    atd_location_id: `LOC16-${String(1200 + i).padStart(6, '0')}`,
    coa_intersection_id: 5_155_000 + i,
    lat: 30.3 + i / 100,
    lon: -97.7 - i / 100,
    primary_st: camera.street1.trim().toUpperCase(),
    primary_st_segment_id: 2_010_000 + i,
    cross_st: camera.street2.trim().toUpperCase(),
    cross_st_segment_id: 2_020_000 + i,
    ...(overrides[i] ?? {}),
  }))
}
