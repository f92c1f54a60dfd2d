import type { Argv } from 'yargs'
import type { Settings } from '../../config/schema.js'
import type { RunResult } from '../../support/etl-app.js'
import type { Logger } from '../../support/logger.js'
import type { Clock } from '../../util/dates.js'

/** What every command handler gets from the CLI: output, settings, logger, clock and the exit code. */
export interface CommandContext {
  /** Writes command output (tables, JSON, summaries). */
  readonly stdout: (text: string) => void
  readonly clock: Clock
  /** Cancels a running app. */
  readonly signal?: AbortSignal
  /** Settings from profile, config file, env and the global flags of `args`. */
  settingsFor(args: Record<string, unknown>): Settings
  /** The logger for a run (the injected one, or pino per the settings). */
  loggerFor(settings: Settings): Logger
  /** Prints an app run's result and raises the exit code when items failed. */
  report(result: RunResult): void
  /** Raises the CLI's exit code (0 → 2, never lowers it). */
  raiseExitCode(code: 0 | 2): void
}

/** A command module: adds its command(s) to the parser. */
export type CommandModule = (parser: Argv, ctx: CommandContext) => Argv
