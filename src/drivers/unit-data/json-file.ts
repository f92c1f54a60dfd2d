import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InputError, NotFoundError } from '../../support/errors.js'
import type { UnitDataSource, UnitDevice } from '../../support/unit-data.js'
import { parsePyJson } from '../../util/py-json.js'

/** Options of {@link createJsonFileUnitData}. */
export interface JsonFileUnitDataOptions {
  /** Directory holding `<ds>_unit_data.json`: a unit-data document or a bare device array. */
  readonly dir: string
}

/** Unit data from local JSON files: the Knack stand-in of the `local` profile. */
export function createJsonFileUnitData(options: JsonFileUnitDataOptions): UnitDataSource {
  async function fetchDevices(dataSource: string): Promise<UnitDevice[]> {
    const path = join(options.dir, `${dataSource}_unit_data.json`)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      throw new NotFoundError(`Unit data file ${path} cannot be read; create it or run "catalog-etl demo".`, {
        cause: error,
      })
    }
    let parsed: unknown
    try {
      parsed = parsePyJson(text)
    } catch (error) {
      throw new InputError(`Unit data file ${path} is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      })
    }
    const devices = Array.isArray(parsed) ? parsed : (parsed as { devices?: unknown } | null)?.devices
    if (
      !Array.isArray(devices) ||
      devices.some((d) => typeof d !== 'object' || d === null || Array.isArray(d))
    ) {
      throw new InputError(
        `Unit data file ${path} must hold a device array or a {"devices": [...]} document.`,
      )
    }
    return devices as UnitDevice[]
  }
  return { name: 'json-file', fetchDevices, close: async () => {} }
}
