import { Writable } from 'node:stream'
import { type Logger, pino } from 'pino'

/** A pino logger whose lines are parsed into objects, for assertions on what was logged. */
export function createLogSink(level = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line))
      done()
    },
  })
  return { logger: pino({ level }, stream), lines }
}
