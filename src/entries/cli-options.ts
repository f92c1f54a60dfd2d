import type { Argv } from 'yargs'
import type { SettingsInput } from '../config/schema.js'
import { LOG_LEVELS, PROFILES } from '../config/schema.js'
import { COMMON_OPTIONS } from '../support/app-args.js'
import type { AppDefinition, AppOptionSpec } from '../support/app-definition.js'

/** Options every command takes: where settings come from. */
export function withGlobalOptions<T>(y: Argv<T>) {
  return y
    .option('profile', {
      type: 'string',
      choices: PROFILES,
      describe: 'settings profile (default: local)',
      global: true,
    })
    .option('lake-dir', { type: 'string', describe: 'root of the local lake (default ./lake)', global: true })
    .option('config', {
      type: 'string',
      describe: 'JSON config file (default ./catalog-etl.config.json)',
      global: true,
    })
    .option('log-level', { type: 'string', choices: LOG_LEVELS, describe: 'minimum log level', global: true })
}

function addOption<T>(
  y: Argv<T>,
  spec: {
    name: string
    short?: string | undefined
    type: AppOptionSpec['type']
    describe: string
    default?: unknown
  },
) {
  const kebab = spec.name.replaceAll('_', '-')
  const alias = [spec.short, kebab !== spec.name ? kebab : undefined].filter((a): a is string => Boolean(a))
  return y.option(spec.name, {
    type: spec.type,
    alias,
    describe: spec.describe,
    ...(spec.default !== undefined ? { default: spec.default } : {}),
  })
}

/** Adds the common options (spec §2.2 tier 1), then the app's own, then `--debug`, in the original's order. */
export function withAppOptions<T>(y: Argv<T>, def: AppDefinition): Argv<T> {
  let out: Argv<T> = y
  const tier2 = COMMON_OPTIONS.filter((o) => o.name === 'debug')
  for (const spec of COMMON_OPTIONS.filter((o) => o.name !== 'debug')) out = addOption(out, spec)
  for (const spec of def.options) out = addOption(out, spec)
  for (const spec of tier2) out = addOption(out, spec)
  return out
}

/** Settings overrides from the global options. */
export function overridesFromFlags(argv: Record<string, unknown>): SettingsInput {
  const out: SettingsInput = {}
  if (typeof argv.profile === 'string') out.profile = argv.profile
  if (typeof argv['lake-dir'] === 'string') out.lakeDir = argv['lake-dir']
  if (typeof argv['log-level'] === 'string') out.log = { level: argv['log-level'] }
  return out
}
