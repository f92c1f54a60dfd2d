/** Standardized inputs of the GRIDSMART end-to-end test (spec §9.10 worked example, §11.3 site). */

export const BASE = 'Burnet_Richcreek'
export const LOST = 'Oak Hill_Dr'
export const EB = '2c6dff02cb0c4da0adc528dd1946df40'
export const NB = 'ae256bab37dc499e88829cfd5a0fde6b'
export const UN = '0123456789abcdef0123456789abcdef'
export const OFF = 'fedcba9876543210fedcba9876543210'
export const dashed = (id: string) =>
  `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`

export const mask = (id: string, approach: string, turn: string, include = true) => ({
  Vehicle: { Id: id, ApproachType: approach, TurnType: turn, IncludeInData: include, NumberOfLanes: 1 },
})

/** The site document of spec §11.3 (Burnet & Richcreek), with the worked example's clock (§9.10). */
export const SITE = {
  Id: 'site-1',
  Location: {
    Street1: 'Burnet',
    Street2: 'Richcreek',
    Latitude: 30.3462,
    Longitude: -97.7212,
    City: 'Austin',
  },
  CameraDevices: [
    {
      Fisheye: {
        MACAddress: '00:30:53:26:e6:e1',
        Name: 'Burnet & Richcreek',
        IsConfigured: true,
        CameraMasks: {
          ZoneMasks: [
            mask(EB, 'Eastbound', 'Straight'),
            mask(NB, 'Northbound', 'Left'),
            mask(UN, 'Unassigned', 'Right'),
            mask(OFF, 'Westbound', 'Straight', false),
            { Pedestrian: { Id: 'ped' } },
          ],
        },
      },
    },
  ],
}

export const siteFile = (site: unknown, ip: string, name: string) => ({
  header: {
    data_type: 'gs_site',
    target_filename: `${name}_site_2019-06-02.json`,
    collection_date: '2019-06-02 00:00:00-05:00',
    device_net_addr: ip,
  },
  site,
  datetime: {
    DateTime: '6/2/2019 2:31:55 AM',
    TimeZoneId: '(UTC-05:00) Eastern Time (US & Canada)',
    HostTimeUTC: '06/02/2019 06:33:48 AM',
  },
  hardware_info: { BoxSerialNumber: 'GS2-3826', HardwareId: '00E04B6064D2', HardwareVersion: 'GS2' },
})

export const DEVICES = [
  {
    device_type: 'GRIDSMART',
    atd_device_id: 6548,
    device_ip: '172.16.42.27',
    device_status: 'OK',
    ip_comm_status: 'OFFLINE',
    atd_location_id: 'LOC16-000111',
    coa_intersection_id: 5155111,
    lat: 30.3462,
    lon: -97.7212,
    primary_st: 'BURNET RD',
    primary_st_segment_id: 2019001,
    cross_st: 'RICHCREEK RD',
    cross_st_segment_id: 2019002,
  },
  {
    device_type: 'GRIDSMART',
    atd_device_id: 6549,
    device_ip: '172.16.42.28',
    device_status: 'OK',
    ip_comm_status: 'ONLINE',
    atd_location_id: 'LOC16-000585',
    coa_intersection_id: 5155322,
    lat: 30.2715378,
    lon: -97.7539673,
    primary_st: 'LAMAR BLVD',
    primary_st_segment_id: 2019754,
    cross_st: '6TH ST',
    cross_st_segment_id: 2019753,
  },
]

/** A v8 row (the 14 CSV fields of §9.10) with its `timestamp_adj`. */
export function v8(
  timestamp: number,
  turn: string,
  length: number,
  speed: number,
  seconds: number,
  adj: string,
) {
  return {
    count_version: 8,
    site_version: 23,
    timestamp,
    utc_offset: -240,
    turn,
    vehicle_length: length,
    speed,
    light_state: 'G',
    seconds_in_zone: seconds,
    vehicles_in_zone: 0,
    light_state_sec: 466.02,
    sec_since_green: 0.0,
    zone_freeflow_speed: 35,
    zone_freeflow_speed_cal: 32,
    timestamp_adj: adj,
  }
}

export function guidDoc(base: string, id: string, day: string, covered: number, data: unknown[]) {
  return {
    header: {
      data_type: 'gridsmart',
      zip_name: `${base}_gs_${day}.zip`,
      origin_filename: `${dashed(id)}.csv`,
      target_filename: `${base}_${dashed(id)}_${day}.json`,
      collection_date: `${day} 00:00:00-05:00`,
      processing_date: '2019-06-02 03:00:00-05:00',
      version: 8,
      guid: dashed(id),
      day_covered: covered,
    },
    data,
  }
}

/** Standardized inputs: the worked example of spec §9.10 (camera clock 58:07 behind, day_covered -1). */
export const GUID_FILES: [string, string, string, number, unknown[]][] = [
  [
    BASE,
    EB,
    '2019-06-01',
    -1,
    [
      v8(18.6, 'S', 14, 26, 0.4, '2019-05-31 22:02:11.600000-05:00'),
      v8(15820.0, 'S', 14, 26, 0.4, '2019-06-01 00:00:13-05:00'),
      v8(15900.0, 'S', 45, 20, 2.0, '2019-06-01 00:00:53-05:00'),
    ],
  ],
  [BASE, EB, '2019-06-02', -1, [v8(15737.5, 'S', 15, 30, 1.0, '2019-06-01 23:59:30.500000-05:00')]],
  [
    BASE,
    NB,
    '2019-06-01',
    -1,
    [0.1, 0.2, 1.8, 1.9, 2.5].map((s, i) =>
      v8(15900 + 200 * i, 'L', i === 4 ? Number.NaN : 17 + i, 0, s, `2019-06-01 00:0${2 * i + 1}:00-05:00`),
    ),
  ],
  [BASE, NB, '2019-06-02', -1, [v8(22807.0, 'L', 12, 18, 3.0, '2019-06-02 00:30:00-05:00')]],
  [BASE, UN, '2019-06-01', 0, [v8(100000.0, 'R', 10, 12, 1.5, '2019-06-01 08:01:00-05:00')]],
  [LOST, EB, '2019-06-01', 0, [v8(100000.0, 'S', 10, 40, 0.5, '2019-06-01 08:01:00-05:00')]],
]
