import type { AppDefinition } from '../support/app-definition.js'
import type { AppContext } from '../support/context.js'
import { type AppRuntime, EtlApp, type RunResult } from '../support/etl-app.js'
import type { ItemProvider, KeyMode, WorkItem } from '../support/items.js'
import { createCatalogProvider } from '../support/providers/catalog-provider.js'
import { createFileProvider } from '../support/providers/file-provider.js'
import { AWAM_SHARE_PATTERNS } from './bt/awam-format.js'

/** Custom arguments of `bt-insert-lake`. */
export interface BtInsertLakeArgs {
  /** `-d`: directory with the AWAM files. @default the configured `devices.awamDir` */
  readonly sourcedir?: string
}

/** `bt_insert_lake.py`: copies the three daily AWAM files unchanged into the raw repository (spec §9.1). */
export class BtInsertLakeApp extends EtlApp<BtInsertLakeArgs> {
  static readonly definition: AppDefinition = {
    name: 'bt-insert-lake',
    original: 'bt_insert_lake.py',
    description: 'Bluetooth ingest: copy the AWAM share files (IAF, ITMF, TMSR) into the raw repository',
    dataSource: 'bt',
    purposeTgt: 'raw',
    perfmetStage: 'Ingest',
    needsTempDir: false,
    concurrentItems: true,
    options: [
      { name: 'sourcedir', short: 'd', type: 'string', describe: 'directory containing the AWAM files' },
    ],
  }
  readonly definition = BtInsertLakeApp.definition
  protected readonly keyMode: KeyMode = 'base+ext'

  protected source(ctx: AppContext): ItemProvider {
    const dir = typeof ctx.custom.sourcedir === 'string' ? ctx.custom.sourcedir : ctx.settings.devices.awamDir
    return createFileProvider({
      dir,
      patterns: AWAM_SHARE_PATTERNS.map((p) => ({ def: p.def, base: ctx.settings.unitLocation, ext: p.ext })),
      withModified: ctx.args.reprocessNewer,
    })
  }

  protected target(ctx: AppContext): ItemProvider {
    return createCatalogProvider({
      catalog: ctx.catalog,
      repository: ctx.repository('raw'),
      dataSource: ctx.dataSource.code,
    })
  }

  protected async processItem(item: WorkItem, ctx: AppContext): Promise<number> {
    const storage = ctx.storageTgt
    if (!storage) return 0
    const { base, ext, date } = item.identifier
    const path = (item.provItem.payload as { path: string }).path
    ctx.logger.info({ item: item.label, to: storage.repository }, `${item.label}: -> ${storage.repository}`)
    const entry = storage.createCatalogEntry(base, ext, date, { processingDate: ctx.clock.now() })
    await storage.writeFile(path, entry, { stage: true })
    ctx.perfmet?.recordCollect(date, true)
    return 1
  }
}

/** Runs `bt-insert-lake` with plain-object arguments (`{ start_date: 7, sourcedir: '/app/awam' }`). */
export function main(
  args: Record<string, unknown> & BtInsertLakeArgs,
  runtime?: AppRuntime,
): Promise<RunResult> {
  return new BtInsertLakeApp(args, runtime).run()
}
