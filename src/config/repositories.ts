/** Storage purposes (layers) of spec §1.2. */
export const PURPOSES = ['raw', 'standardized', 'ready', 'public'] as const

/** A purpose name. */
export type Purpose = (typeof PURPOSES)[number]

/** Repository names for one purpose. */
export interface RepositoryNames {
  /** Used normally. */
  readonly production: string
  /** Used with `--debug`. */
  readonly debug: string
}

/** Purpose → repository map of the original (`PURPOSE_REPO_MAP`). */
export const DEFAULT_REPOSITORIES: Readonly<Record<Purpose, RepositoryNames>> = Object.freeze({
  raw: Object.freeze({ production: 'atd-datalake-raw', debug: 'atd-datalake-raw-test' }),
  standardized: Object.freeze({ production: 'atd-datalake-rawjson', debug: 'atd-datalake-rawjson-test' }),
  ready: Object.freeze({ production: 'atd-datalake-ready', debug: 'atd-datalake-ready-test' }),
  public: Object.freeze({ production: 'socrata', debug: 'socrata-test' }),
})

/** Whether `value` is a purpose name. */
export function isPurpose(value: string): value is Purpose {
  return (PURPOSES as readonly string[]).includes(value)
}

/** The repository for `purpose` in production or debug mode. */
export function repositoryFor(
  map: Readonly<Record<Purpose, RepositoryNames>>,
  purpose: Purpose,
  debug: boolean,
): string {
  const names = map[purpose]
  return debug ? names.debug : names.production
}
