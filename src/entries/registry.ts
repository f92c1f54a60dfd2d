import type { AppDefinition } from '../support/app-definition.js'
import type { AppRuntime, EtlApp } from '../support/etl-app.js'
import { BtExtractSocApp } from './bt-extract-soc.js'
import { BtInsertLakeApp } from './bt-insert-lake.js'
import { BtJsonStandardApp } from './bt-json-standard.js'
import { BtReadyApp } from './bt-ready.js'
import { GsAggExtractSocApp } from './gs-agg-extract-soc.js'
import { GsInsertLakeApp } from './gs-insert-lake.js'
import { GsJsonStandardApp } from './gs-json-standard.js'
import { GsReadyApp } from './gs-ready.js'
import { GsReadyAggApp } from './gs-ready-agg.js'
import { WtExtractSocApp } from './wt-extract-soc.js'
import { WtInsertLakeApp } from './wt-insert-lake.js'
import { WtJsonStandardApp } from './wt-json-standard.js'
import { WtReadyApp } from './wt-ready.js'

/** An app class as the CLI and `main()` see it. */
export interface AppClass {
  readonly definition: AppDefinition
  new (args: Record<string, unknown>, runtime?: AppRuntime): EtlApp
}

/** Every app, in pipeline order. */
export const APPS: readonly AppClass[] = [
  BtInsertLakeApp,
  BtJsonStandardApp,
  BtReadyApp,
  BtExtractSocApp,
  WtInsertLakeApp,
  WtJsonStandardApp,
  WtReadyApp,
  WtExtractSocApp,
  GsInsertLakeApp,
  GsJsonStandardApp,
  GsReadyApp,
  GsReadyAggApp,
  GsAggExtractSocApp,
]

/** The app registered under a command name, or `undefined`. */
export function findApp(name: string): AppClass | undefined {
  const normal = name.replaceAll('_', '-').replace(/\.py$/, '')
  return APPS.find((app) => app.definition.name === normal)
}
