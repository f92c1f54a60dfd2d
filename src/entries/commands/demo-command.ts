import { runDemo } from '../demo.js'
import type { CommandModule } from './command-context.js'

/** `catalog-etl demo`: simulate devices and run the pipeline on the embedded default. */
export const demoCommand: CommandModule = (parser, ctx) =>
  parser.command(
    'demo',
    'generate synthetic AWAM files and run the Bluetooth pipeline on the embedded default',
    (y) =>
      y.option('days', {
        type: 'number',
        default: 7,
        describe: 'days of synthetic data, ending yesterday',
      }),
    async (args) => {
      const settings = ctx.settingsFor(args)
      const results = await runDemo({
        settings,
        logger: ctx.loggerFor(settings),
        clock: ctx.clock,
        days: args.days,
        write: ctx.stdout,
      })
      for (const result of results) ctx.raiseExitCode(result.exitCode)
    },
  )
