import type { AppContext } from './context.js'
import { makeUnitDataDocument, type UnitDataDocument, UnitDataStore } from './unit-data.js'

/**
 * The unit data a standardize run captures (the original fetched it from Knack up front and stored it into the
 * target repository before the first processed file, dated the run day): `capture` before the loop, `storeOnce`
 * before each item.
 */
export class RunUnitDataSnapshot {
  #document: UnitDataDocument | null = null
  #stored = false

  /** Fetches the data source's devices and builds the run's snapshot document. */
  async capture(ctx: AppContext): Promise<UnitDataDocument> {
    const devices = await ctx.drivers.unitData().fetchDevices(ctx.dataSource.code)
    this.#document = makeUnitDataDocument(devices, {
      dataSource: ctx.dataSource.code,
      areaBase: ctx.settings.unitLocation,
      clock: ctx.clock,
    })
    this.#stored = false
    return this.#document
  }

  /** Stores the snapshot into the target repository the first time it is called in a run. */
  async storeOnce(ctx: AppContext): Promise<void> {
    if (this.#stored || !this.#document || !ctx.storageTgt) return
    await new UnitDataStore(ctx.storageTgt, ctx.settings.unitLocation).store(this.#document)
    this.#stored = true
  }
}
