import type { ItemProvider, ProviderItem } from '../items.js'

/**
 * A provider whose items are `fn(item)` of another provider's; `null` drops the item. Dates must stay as they are
 * (the compare loop relies on ascending order), so `fn` may change identifiers, payloads and labels only.
 */
export function mapProvider<P, Q = P>(
  provider: ItemProvider<P>,
  fn: (item: ProviderItem<P>) => ProviderItem<Q> | null,
): ItemProvider<Q> {
  return {
    async *list(window, options) {
      for await (const item of provider.list(window, options)) {
        const mapped = fn(item)
        if (mapped) yield mapped
      }
    },
  }
}
