import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DATA_SOURCES } from '../config/data-sources.js'
import { createDriverSet, type DriverSet } from '../config/factories.js'
import { loadSettings } from '../config/load.js'
import type { Purpose } from '../config/repositories.js'
import { repositoryFor } from '../config/repositories.js'
import type { Settings, SettingsInput } from '../config/schema.js'
import { addDays, type Clock, formatPyTs, systemClock } from '../util/dates.js'
import { parseCommonArgs } from './app-args.js'
import type { AppDefinition } from './app-definition.js'
import { Catalog } from './catalog.js'
import { compareItems, sameDayCutoff } from './compare.js'
import type { AppContext } from './context.js'
import { ArgumentError, EtlError } from './errors.js'
import { runWorkItems } from './item-runner.js'
import type { ItemIdentifier, ItemProvider, KeyMode, WorkItem } from './items.js'
import { createLogger, type Logger } from './logger.js'
import { PerfMet } from './perfmet.js'
import { Publisher } from './publisher.js'
import { describeWindow, notify, prettyLogs, withDefaults } from './run-helpers.js'
import type { RunObserver } from './run-observer.js'
import { Storage } from './storage.js'

/** What a run may be given instead of the defaults (the test and embedding seam). */
export interface AppRuntime {
  /** Validated settings; when absent they are loaded from profile, file, env and `settingsOverrides`. */
  readonly settings?: Settings
  /** Highest-priority setting overrides (what `--profile`, `--lake-dir`, … set). */
  readonly settingsOverrides?: SettingsInput
  /** Environment for the settings loader. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Working directory for the settings loader. */
  readonly cwd?: string
  /** Config file path. */
  readonly configFile?: string
  readonly clock?: Clock
  readonly logger?: Logger
  /** Prebuilt drivers (not closed by the run). */
  readonly drivers?: DriverSet
  /** Watchers of the run (journal, metrics, progress, summary), notified in order. */
  readonly observers?: readonly RunObserver[]
  /** Restricts the run to the work items it accepts (retry); the others are neither processed nor planned. */
  readonly only?: (item: ItemIdentifier) => boolean
  readonly signal?: AbortSignal
}

/** One item that failed, with the error that made it fail. */
export interface ItemFailure {
  readonly label: string
  readonly date: string
  readonly error: Error
}

/** The outcome of a run. */
export interface RunResult {
  readonly app: string
  /** The total the items reported (the original's return value and the perfmet `records`). */
  readonly records: number
  /** Work items handed to the app. */
  readonly items: number
  /** Items that threw; the run carried on. */
  readonly failures: readonly ItemFailure[]
  /** 0: all done; 2: some items failed. (1, fatal, is thrown.) */
  readonly exitCode: 0 | 2
  /** `--dry-run`: the items a real run would process, in order (nothing was processed or written). */
  readonly planned?: readonly PlannedItem[]
}

/** One item a real run would process. */
export interface PlannedItem {
  readonly label: string
  readonly base: string
  readonly ext: string
  readonly date: string
}

/**
 * Base class of every ETL app (spec §2): argument ingestion, the run context, the compare loop, perfmet and
 * cleanup. A concrete app declares its {@link AppDefinition} and implements `source`, `target` and `processItem`.
 * The constructor does no I/O; `run()` does everything and always removes the temp dir and closes the drivers it made.
 */
export abstract class EtlApp<Custom extends object = Record<string, unknown>> {
  /** The fixed description of the app. */
  abstract readonly definition: AppDefinition
  /** How source and target items are matched. */
  protected abstract readonly keyMode: KeyMode
  readonly #args: Readonly<Record<string, unknown>>
  readonly #runtime: AppRuntime

  constructor(args: Readonly<Partial<Custom> & Record<string, unknown>>, runtime: AppRuntime = {}) {
    this.#args = Object.freeze({ ...args })
    this.#runtime = runtime
  }

  /** Lists what the source holds for the run's window. */
  protected abstract source(ctx: AppContext): ItemProvider | Promise<ItemProvider>
  /** Lists what the target already holds; `null` processes every source item. */
  protected abstract target(ctx: AppContext): ItemProvider | null | Promise<ItemProvider | null>
  /** Processes one item; returns the number of records (files, rows) it produced. */
  protected abstract processItem(item: WorkItem, ctx: AppContext): Promise<number>
  /** Runs once before the compare loop (also in a dry run, so it must not write anything). */
  protected async beforeLoop(_ctx: AppContext): Promise<void> {}
  /** Runs once after the compare loop (also when items failed). */
  protected async afterLoop(_ctx: AppContext, _records: number): Promise<void> {}

  /** Runs the app end to end. Throws on fatal errors (exit code 1); item failures are in the result. */
  async run(): Promise<RunResult> {
    const runtime = this.#runtime
    const clock = runtime.clock ?? systemClock()
    const args = parseCommonArgs(this.#args, clock)
    const settings =
      runtime.settings ??
      loadSettings({
        env: runtime.env,
        cwd: runtime.cwd,
        configFile: runtime.configFile,
        overrides: runtime.settingsOverrides,
      })
    const root =
      runtime.logger ?? createLogger({ level: settings.log.level, pretty: prettyLogs(settings.log.pretty) })
    const def = this.definition
    const logger = root.child({ app: def.name, ds: def.dataSource })
    if (runtime.drivers && runtime.drivers.debug !== args.debug) {
      throw new ArgumentError(
        `The drivers given to ${this.definition.name} are for ${runtime.drivers.debug ? 'debug' : 'production'} targets, but the run is ${args.debug ? '--debug' : 'not --debug'}.`,
      )
    }
    const drivers = runtime.drivers ?? createDriverSet(settings, { debug: args.debug, logger })
    const signal = runtime.signal ?? new AbortController().signal
    let tempDir: string | null = null
    const publishers: Publisher[] = []
    try {
      if (def.needsTempDir) tempDir = await mkdtemp(join(settings.tempRoot ?? tmpdir(), `${def.name}-`))
      const catalog = new Catalog({ driver: drivers.catalog(), dataSource: def.dataSource, logger })
      const makeStorage = (purpose: Purpose) =>
        new Storage({
          driver: drivers.storage(repositoryFor(settings.repositories, purpose, args.debug)),
          repository: repositoryFor(settings.repositories, purpose, args.debug),
          dataSource: def.dataSource,
          catalog,
          tempDir,
          simulate: args.simulate,
          outputPath: args.outputPath,
          logger,
        })
      const perfmetDriver = def.perfmetStage ? drivers.perfmet() : null
      const ctx: AppContext = {
        settings,
        drivers,
        logger,
        clock,
        tempDir,
        signal,
        dataSource: DATA_SOURCES[def.dataSource],
        args,
        custom: withDefaults(this.#args, def.options),
        catalog,
        storageSrc: def.purposeSrc ? makeStorage(def.purposeSrc) : null,
        storageTgt: def.purposeTgt ? makeStorage(def.purposeTgt) : null,
        perfmet:
          def.perfmetStage && perfmetDriver
            ? new PerfMet({
                driver: perfmetDriver,
                dataSource: DATA_SOURCES[def.dataSource].name,
                stage: def.perfmetStage,
                clock,
                logger,
                simulate: args.simulate,
              })
            : null,
        repository: (purpose) => repositoryFor(settings.repositories, purpose, args.debug),
        storage: makeStorage,
        publisher(variant) {
          const driver = drivers.publisher(def.dataSource, variant)
          const copy = args.outputPath ? drivers.localCopy(args.outputPath, driver.identifier) : null
          const publisher = new Publisher({ driver, copy, simulate: args.simulate, logger })
          publishers.push(publisher)
          return publisher
        },
      }
      logger.info({ original: def.original, ...describeWindow(args) }, `== Starting ${def.name} ==`)
      if (args.dryRun) return await this.#plan(ctx)
      const observers = runtime.observers ?? []
      const startInfo = {
        app: def.name,
        dataSource: def.dataSource,
        args,
        custom: ctx.custom,
        startedAt: clock.now(),
      }
      for (const observer of observers) await observer.runStarted?.(startInfo)
      let result: RunResult
      try {
        result = await this.#loop(ctx, observers)
        for (const publisher of publishers) await publisher.close()
        await ctx.perfmet?.logJob(result.records)
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error))
        await notify(observers, logger, (o) =>
          o.runFinished?.({
            status: 'fatal',
            records: 0,
            items: 0,
            failed: 0,
            finishedAt: clock.now(),
            error: err,
          }),
        )
        throw error
      }
      const status = result.failures.length > 0 ? 'partial' : 'ok'
      await notify(observers, logger, (o) =>
        o.runFinished?.({
          status,
          records: result.records,
          items: result.items,
          failed: result.failures.length,
          finishedAt: clock.now(),
        }),
      )
      logger.info(
        { records: result.records, items: result.items, failed: result.failures.length },
        `== Finished ${def.name} ==`,
      )
      return result
    } finally {
      if (!runtime.drivers) await drivers.close()
      if (tempDir) await rm(tempDir, { recursive: true, force: true })
    }
  }

  async #work(ctx: AppContext): Promise<AsyncIterable<WorkItem>> {
    const source = await this.source(ctx)
    const target = await this.target(ctx)
    const { args, logger } = ctx
    const work = compareItems(source, target, {
      keyMode: this.keyMode,
      startDate: args.startDate,
      endDate: args.endDate,
      lastRunDate: args.lastRunDate,
      force: args.force,
      forceFrom: args.lookbackDays > 0 ? addDays(sameDayCutoff(ctx.clock.now()), -args.lookbackDays) : null,
      reprocessNewer: args.reprocessNewer,
      sameDayCutoff: sameDayCutoff(ctx.clock.now()),
      onForce: (message) => logger.info(message),
      signal: ctx.signal,
    })
    const only = this.#runtime.only
    return only ? filterWork(work, only) : work
  }

  async #plan(ctx: AppContext): Promise<RunResult> {
    await this.beforeLoop(ctx)
    const planned: PlannedItem[] = []
    for await (const item of await this.#work(ctx)) {
      const { base, ext, date } = item.identifier
      planned.push({ label: item.label, base, ext, date: formatPyTs(date) })
    }
    ctx.logger.info({ items: planned.length }, `== Dry run of ${this.definition.name}: nothing written ==`)
    return {
      app: this.definition.name,
      records: 0,
      items: planned.length,
      failures: [],
      exitCode: 0,
      planned,
    }
  }

  async #loop(ctx: AppContext, observers: readonly RunObserver[]): Promise<RunResult> {
    await this.beforeLoop(ctx)
    const { logger } = ctx
    const failures: ItemFailure[] = []
    let records = 0
    const limit = ctx.args.maxFailures
    const concurrency = this.definition.concurrentItems ? ctx.args.concurrency : 1
    if (concurrency < ctx.args.concurrency) {
      logger.info(
        `${this.definition.name} processes one item at a time (its items depend on each other); --concurrency ignored`,
      )
    }
    const process = async (item: WorkItem, index: number): Promise<void> => {
      await notify(observers, logger, (o) => o.itemStarted?.(item, index))
      const started = performance.now()
      try {
        const produced = await this.processItem(item, ctx)
        records += produced
        const outcome = { status: 'ok', records: produced, durationMs: performance.now() - started } as const
        await notify(observers, logger, (o) => o.itemFinished?.(item, outcome))
      } catch (error) {
        if (ctx.signal.aborted) throw error
        const err = error instanceof Error ? error : new Error(String(error))
        failures.push({ label: item.label, date: formatPyTs(item.identifier.date), error: err })
        logger.error({ err, item: item.label }, `Item failed: ${item.label}`)
        const outcome = { status: 'failed', error: err, durationMs: performance.now() - started } as const
        await notify(observers, logger, (o) => o.itemFinished?.(item, outcome))
        if (limit !== null && failures.length === limit) {
          throw new EtlError(
            'E_INPUT',
            `Stopped after ${failures.length} failed item(s) (--max-failures ${limit}); last: ${item.label}: ${err.message}`,
            { cause: err },
          )
        }
      }
    }
    let items: number
    try {
      items = await runWorkItems(await this.#work(ctx), {
        concurrency,
        catalog: ctx.catalog,
        process,
        stop: () => limit !== null && failures.length >= limit,
        commit: {
          rows: ctx.settings.catalog.commitRows,
          maxWaitMs: ctx.settings.catalog.commitSeconds * 1000,
        },
      })
    } finally {
      await ctx.catalog.commitUpsert()
    }
    await this.afterLoop(ctx, records)
    return { app: this.definition.name, records, items, failures, exitCode: failures.length > 0 ? 2 : 0 }
  }
}

async function* filterWork(work: AsyncIterable<WorkItem>, only: (id: ItemIdentifier) => boolean) {
  for await (const item of work) if (only(item.identifier)) yield item
}
