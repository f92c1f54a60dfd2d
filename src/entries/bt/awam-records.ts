import { StringDecoder } from 'node:string_decoder'
import { type Parser, parse } from 'csv-parse'

/** Python's default `csv.field_size_limit()`; longer records are a CSV error. */
export const MAX_RECORD_SIZE = 131_072

/** Splits headerless CSV text into records, chunk by chunk. */
export interface AwamRecordSplitter {
  /** Feeds a chunk; its complete records are appended to `records`. Resolves a CSV error, or `null`. */
  write(chunk: Buffer | string): Promise<Error | null>
  /** Ends the input; the last records are appended. Resolves a CSV error, or `null`. */
  end(): Promise<Error | null>
  /** Stops and releases the CSV parser, if one was started. */
  destroy(): void
}

/**
 * Splits AWAM files into records exactly as `csv-parse` with the Python `csv` dialect does (`,` separator, `"`
 * quotes, CRLF/LF/CR line ends, blank lines skipped, ragged rows and stray quotes allowed, records up to
 * {@link MAX_RECORD_SIZE}), but fast: lines without a quote are split on commas, which is what the parser would
 * produce for them. From the first line with a quote (or one longer than the limit) on, the rest of the input goes
 * through `csv-parse` itself, so quoted fields, line breaks inside quotes and CSV errors are the library's.
 */
export function createAwamRecordSplitter(records: string[][]): AwamRecordSplitter {
  const decoder = new StringDecoder('utf8')
  let pending = ''
  let parser: Parser | null = null
  let linesBefore = 0

  const startParser = (): Parser => {
    const created = parse({
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      max_record_size: MAX_RECORD_SIZE,
    })
    created.on('data', (record: string[]) => {
      records.push(record)
    })
    created.on('error', () => {})
    parser = created
    return created
  }

  /** The parser's error with its line number counted from the start of the file. */
  const located = (error: Error | null): Error | null => {
    if (error && linesBefore > 0) {
      error.message = error.message.replace(
        /\bline (\d+)/,
        (_, n: string) => `line ${Number(n) + linesBefore}`,
      )
    }
    return error
  }

  const writeParser = (target: Parser, text: string) =>
    new Promise<Error | null>((resolve) => {
      target.write(text, (error) => resolve(located(error ?? null)))
    })

  /** Splits the lines of `text` into records; returns the index where the parser must take over, or -1. */
  const splitLines = (text: string): number => {
    const n = text.length
    let start = 0
    let nextLf = text.indexOf('\n')
    let nextCr = text.indexOf('\r')
    while (start < n) {
      if (nextLf !== -1 && nextLf < start) nextLf = text.indexOf('\n', start)
      if (nextCr !== -1 && nextCr < start) nextCr = text.indexOf('\r', start)
      let end = n
      let next = n
      if (nextLf !== -1 && (nextCr === -1 || nextLf < nextCr)) {
        end = nextLf
        next = nextLf + 1
      } else if (nextCr !== -1) {
        end = nextCr
        next = text.charCodeAt(nextCr + 1) === 10 ? nextCr + 2 : nextCr + 1
      }
      const line = text.slice(start, end)
      if (line.length > MAX_RECORD_SIZE || line.includes('"')) return start
      if (line !== '') records.push(line.split(','))
      if (next > end) linesBefore += 1
      start = next
    }
    return -1
  }

  return {
    async write(chunk) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk)
      if (parser) return writeParser(parser, text)
      const all = pending + text
      let cut = Math.max(all.lastIndexOf('\n'), all.lastIndexOf('\r'))
      if (cut >= 0 && cut === all.length - 1 && all[cut] === '\r') {
        cut = cut === 0 ? -1 : Math.max(all.lastIndexOf('\n', cut - 1), all.lastIndexOf('\r', cut - 1))
      }
      const complete = cut < 0 ? '' : all.slice(0, cut + 1)
      pending = cut < 0 ? all : all.slice(cut + 1)
      const quote = complete.indexOf('"')
      const scan = quote < 0 ? complete : complete.slice(0, lineStart(complete, quote))
      const takeover = splitLines(scan)
      if (takeover < 0 && quote < 0) return null
      const from = takeover < 0 ? scan.length : takeover
      const rest = complete.slice(from) + pending
      pending = ''
      return writeParser(startParser(), rest)
    },

    async end() {
      const tail = decoder.end()
      if (!parser) {
        const text = pending + tail
        pending = ''
        const takeover = splitLines(text)
        if (takeover < 0) return null
        const target = startParser()
        const error = await writeParser(target, text.slice(takeover))
        if (error) return error
        return located(await finish(target))
      }
      const target = parser as Parser
      if (tail) {
        const error = await writeParser(target, tail)
        if (error) return error
      }
      return located(await finish(target))
    },

    destroy() {
      parser?.destroy()
    },
  }
}

/** Index of the first character of the line containing `index`. */
function lineStart(text: string, index: number): number {
  const before = Math.max(text.lastIndexOf('\n', index), text.lastIndexOf('\r', index))
  return before + 1
}

function finish(target: Parser): Promise<Error | null> {
  return new Promise((resolve) => {
    target.once('error', resolve)
    target.once('end', () => resolve(null))
    target.end()
  })
}
