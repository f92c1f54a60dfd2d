/** Stable error codes carried by every {@link EtlError}. */
export const ERROR_CODES = [
  'E_CONFIG',
  'E_ARGS',
  'E_DRIVER',
  'E_HTTP',
  'E_NOT_FOUND',
  'E_INVALID_KEY',
  'E_STORAGE',
  'E_CATALOG',
  'E_PUBLISH',
  'E_INPUT',
  'E_LOCKED',
] as const

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number]

/** Base class of every error the framework throws on purpose. Always carries a stable `code`. */
export class EtlError extends Error {
  override name = 'EtlError'
  /** Stable, documented code; safe to match on. */
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** Invalid or missing settings; lists the valid choices where there are any. */
export class ConfigError extends EtlError {
  override name = 'ConfigError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_CONFIG', message, options)
  }
}

/** Invalid command-line or programmatic arguments. */
export class ArgumentError extends EtlError {
  override name = 'ArgumentError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_ARGS', message, options)
  }
}

/** A storage key that is empty, absolute, climbs out of its repository or holds control characters. */
export class InvalidKeyError extends EtlError {
  override name = 'InvalidKeyError'
  /** The offending key, with control characters escaped. */
  readonly key: string
  constructor(key: string, reason: string) {
    const shown = JSON.stringify(key).replaceAll('\u007f', '\\u007f')
    super('E_INVALID_KEY', `Invalid storage key ${shown}: ${reason}`)
    this.key = shown
  }
}

/** A required object is absent where absence is not routine. */
export class NotFoundError extends EtlError {
  override name = 'NotFoundError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_NOT_FOUND', message, options)
  }
}

/** A driver-level failure wrapped by a facade; the driver's own error is the `cause`. */
export class DriverError extends EtlError {
  override name = 'DriverError'
  constructor(
    code: 'E_DRIVER' | 'E_STORAGE' | 'E_CATALOG' | 'E_PUBLISH',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
  }
}

/** Source data that cannot be processed as it is (a broken file, an unknown format). */
export class InputError extends EtlError {
  override name = 'InputError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_INPUT', message, options)
  }
}

/** Throws when a value reaches a branch that the type system says is impossible. */
export function assertNever(value: never, what = 'value'): never {
  throw new EtlError('E_DRIVER', `Unexpected ${what}: ${String(value)}`)
}
