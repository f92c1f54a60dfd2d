import { once } from 'node:events'
import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { EtlError } from '../../support/errors.js'
import type { PublisherDriver, PublishRow } from '../../support/publisher-driver.js'

/** Options of {@link createCsvPublisher}. */
export interface CsvPublisherOptions {
  /** Directory of the CSV file (created when missing). */
  readonly dir: string
  /** Dataset identifier; the file is `<dir>/<identifier>.csv`. */
  readonly identifier: string
  /** Rows per chunk the facade should send. @default 1000 */
  readonly preferredChunk?: number
  /**
   * `truncate`: start a new file on the first write (the original's `-o` copies); `append`: keep adding to an
   * existing file with the same header across runs (the local stand-in for a dataset). @default 'truncate'
   */
  readonly mode?: 'truncate' | 'append'
}

async function existingHeader(path: string): Promise<string[] | null> {
  let text: string
  try {
    const handle = await open(path, 'r')
    try {
      const buffer = Buffer.alloc(64 * 1024)
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
      text = buffer.subarray(0, bytesRead).toString('utf8')
    } finally {
      await handle.close()
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  const line = text.split(/\r?\n/, 1)[0] ?? ''
  if (line === '') return null
  return (parse(line) as string[][])[0] ?? null
}

/**
 * Publishes rows to a CSV file (the original's `PublishCSVConn`): in `truncate` mode the file is started anew on the
 * first write, in `append` mode rows are added to the file a previous run left (same header); the header is the key
 * list of the first row, rows follow in header order (a missing key is an error), standard dialect with `\r\n` line
 * ends. Writing again after `close()` appends to the same file.
 */
export function createCsvPublisher(options: CsvPublisherOptions): PublisherDriver {
  const path = join(options.dir, `${options.identifier}.csv`)
  let stream: WriteStream | null = null
  let columns: string[] | null = null

  async function write(rows: readonly PublishRow[]): Promise<void> {
    if (rows.length === 0) return
    if (!stream) {
      await mkdir(options.dir, { recursive: true })
      if (!columns && options.mode === 'append') {
        const found = await existingHeader(path)
        const wanted = Object.keys(rows[0] as PublishRow)
        if (found && found.join('\u0000') !== wanted.join('\u0000')) {
          throw new EtlError(
            'E_PUBLISH',
            `CSV ${path} has the header ${found.join(',')}, not ${wanted.join(',')}.`,
          )
        }
        columns = found
      }
      stream = createWriteStream(path, { flags: columns ? 'a' : 'w' })
      if (!columns) {
        columns = Object.keys(rows[0] as PublishRow)
        stream.write(stringify([columns], { record_delimiter: '\r\n' }))
      }
    }
    const header = columns as string[]
    const records = rows.map((row, index) => {
      for (const column of header) {
        if (!(column in row)) {
          throw new EtlError('E_PUBLISH', `CSV ${path}: row ${index} lacks column "${column}" of the header.`)
        }
      }
      return header.map((column) => formatCell(row[column]))
    })
    if (!stream.write(stringify(records, { record_delimiter: '\r\n' }))) await once(stream, 'drain')
  }

  async function close(): Promise<void> {
    const open = stream
    stream = null
    if (open)
      await new Promise<void>((resolve, reject) =>
        open.end((error?: Error | null) => (error ? reject(error) : resolve())),
      )
  }

  return {
    name: 'csv',
    identifier: options.identifier,
    preferredChunk: options.preferredChunk ?? 1000,
    write,
    close,
  }
}

function formatCell(value: PublishRow[string] | undefined): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  return String(value)
}
