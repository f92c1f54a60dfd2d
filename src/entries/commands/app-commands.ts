import { withAppOptions } from '../cli-options.js'
import { APPS } from '../registry.js'
import type { CommandModule } from './command-context.js'

/** One command per registered app (`catalog-etl bt-json-standard …`). */
export const appCommands: CommandModule = (parser, ctx) => {
  let out = parser
  for (const app of APPS) {
    const def = app.definition
    out = out.command(
      def.name,
      `${def.description} (${def.original})`,
      (y) => withAppOptions(y, def),
      async (args) => {
        const settings = ctx.settingsFor(args)
        const runtime = {
          settings,
          clock: ctx.clock,
          logger: ctx.loggerFor(settings),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        }
        ctx.report(await new app(args, runtime).run())
      },
    )
  }
  return out
}
