import type { DateTime } from 'luxon'
import type { AppContext } from './context.js'
import type { ItemIdentifier } from './items.js'
import type { Publisher } from './publisher.js'

/**
 * Records that an item's rows were published (spec §9.4, §9.8, §9.13): a catalog row in the `public` repository
 * (`socrata`, or `socrata-test` with `--debug`) whose pointer is the dataset id, written at once. Nothing is recorded
 * when simulating. Call it after the item's last chunk was flushed.
 */
export async function recordPublished(
  ctx: AppContext,
  publisher: Publisher,
  item: ItemIdentifier,
  processingDate: DateTime = ctx.clock.now(),
): Promise<void> {
  if (ctx.args.simulate) return
  await ctx.catalog.upsert(
    ctx.catalog.buildEntry({
      repository: ctx.repository('public'),
      base: item.base,
      ext: item.ext,
      collectionDate: item.date,
      processingDate,
      pointer: publisher.identifier,
    }),
  )
}
