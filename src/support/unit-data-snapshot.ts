import type { AppContext } from './context.js'
import { makeUnitDataDocument, type UnitDataDocument, UnitDataStore } from './unit-data.js'

/**
 * The unit data a standardize run captures (the original fetched it from Knack up front and stored it into the
 * target repository before the first processed file, dated the run day): `capture` before the loop, `storeOnce`
 * before each item.
 */
export class RunUnitDataSnapshot {
  #document: UnitDataDocument | null = null
  #stored: Promise<void> | null = null

  /** Fetches the data source's devices and builds the run's snapshot document. */
  async capture(ctx: AppContext): Promise<UnitDataDocument> {
    const devices = await ctx.drivers.unitData().fetchDevices(ctx.dataSource.code)
    this.#document = makeUnitDataDocument(devices, {
      dataSource: ctx.dataSource.code,
      areaBase: ctx.settings.unitLocation,
      clock: ctx.clock,
    })
    this.#stored = null
    return this.#document
  }

  /**
   * Stores the snapshot into the target repository the first time it is called in a run (concurrent callers wait
   * for that one store; after a failure the next call tries again).
   */
  async storeOnce(ctx: AppContext): Promise<void> {
    const document = this.#document
    const target = ctx.storageTgt
    if (!document || !target) return
    if (!this.#stored) {
      const store = new UnitDataStore(target, ctx.settings.unitLocation).store(document)
      this.#stored = store
      store.catch(() => {
        if (this.#stored === store) this.#stored = null
      })
    }
    await this.#stored
  }
}
