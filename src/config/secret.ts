import { readFileSync } from 'node:fs'
import { ConfigError } from '../support/errors.js'

/**
 * A secret value (a token, a password). It prints as `[redacted]` everywhere — `String()`, JSON, `util.inspect`
 * and therefore logs — and only {@link Secret.reveal} gives the value, at the one place that sends it.
 */
export class Secret {
  readonly #value: string
  /** Where the value came from (an env var name), for messages. */
  readonly source: string

  constructor(value: string, source: string) {
    this.#value = value
    this.source = source
  }

  /** The secret value. */
  reveal(): string {
    return this.#value
  }

  toString(): string {
    return '[redacted]'
  }

  toJSON(): string {
    return '[redacted]'
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret([redacted] from ${this.source})`
  }
}

/**
 * Reads a secret from the environment: `NAME` itself, or the file named by `NAME_FILE` (trailing newline trimmed, as
 * written by Docker/Kubernetes secrets). Both set is an error; neither is `null`.
 */
export function secretFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): Secret | null {
  const direct = env[name]
  const file = env[`${name}_FILE`]
  if (direct && file) throw new ConfigError(`Set either ${name} or ${name}_FILE, not both.`)
  if (direct) return new Secret(direct, name)
  if (!file) return null
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ConfigError(`Cannot read the secret file named by ${name}_FILE (${file}).`, { cause: error })
  }
  const value = text.replace(/\r?\n$/, '')
  if (!value) throw new ConfigError(`The secret file named by ${name}_FILE (${file}) is empty.`)
  return new Secret(value, `${name}_FILE`)
}
