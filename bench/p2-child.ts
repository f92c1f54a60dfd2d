/**
 * Child process of the P2 benchmark: converts AWAM IAF files to their standardized JSON documents with the app's
 * transform and writer (`app`) or with a bare hand-written stream (`bare`), and prints one JSON line
 * (`{ ms, bytesIn, rssMb, outputs }`). Usage: `node --import tsx --expose-gc bench/p2-child.ts '<json P2ChildArgs>'`.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { createLocalStorage } from '../src/drivers/storage/local-fs.js'
import { standardizeAwam } from '../src/entries/bt/standardize-awam.js'
import { silentLogger } from '../src/support/logger.js'
import { Storage } from '../src/support/storage.js'
import { parseTimestamp } from '../src/util/dates.js'
import { bareStandardize } from './p2-bare.js'
import type { P2ChildArgs, P2ChildResult, P2File } from './p2-shared.js'

function storage(root: string, repository: string): Storage {
  return new Storage({
    driver: createLocalStorage({ root }),
    repository,
    dataSource: 'bt',
    catalog: null,
    tempDir: null,
    simulate: false,
    outputPath: null,
    logger: silentLogger(),
  })
}

/** What `bt-json-standard` does with one item, minus the catalog and perfmet: read, standardize, write. */
async function appConvert(file: P2File, outDir: string): Promise<string> {
  const src = storage(dirname(file.path), 'atd-datalake-raw')
  const tgt = storage(outDir, 'atd-datalake-rawjson')
  const date = parseTimestamp(file.collectionDate)
  const processing = parseTimestamp(file.processingDate)
  const entry = tgt.createCatalogEntry('Austin', 'unmatched.json', date, { processingDate: processing })
  const converted = standardizeAwam(await src.openRead(basename(file.path)), {
    fileType: 'unmatched',
    header: {
      origin_filename: file.originFilename,
      target_filename: file.targetFilename,
      collection_date: file.collectionDate,
      processing_date: file.processingDate,
    },
  })
  const written = await tgt.writeBuffer(converted.chunks, entry)
  if (converted.stats().rows === 0) throw new Error(`no rows in ${file.path}`)
  return join(outDir, written.pointer)
}

/** The bare contestant: synchronous reads and writes of 1 MiB around {@link bareStandardize}, fsynced like the app. */
function bareConvert(file: P2File, outDir: string): string {
  mkdirSync(outDir, { recursive: true })
  const out = join(outDir, file.targetFilename)
  const input = openSync(file.path, 'r')
  const output = openSync(out, 'w')
  try {
    const buffer = Buffer.allocUnsafe(1 << 20)
    const write = (text: string) => {
      const bytes = Buffer.from(text, 'latin1')
      let done = 0
      while (done < bytes.length) done += writeSync(output, bytes, done)
    }
    const converter = bareStandardize(file, write)
    for (;;) {
      const read = readSync(input, buffer, 0, buffer.length, null)
      if (read === 0) break
      converter.push(buffer.toString('latin1', 0, read))
    }
    converter.end()
    fsyncSync(output)
  } finally {
    closeSync(input)
    closeSync(output)
  }
  return out
}

const args = JSON.parse(process.argv[2] ?? '{}') as P2ChildArgs
let bytesIn = 0
const outputs: string[] = []
const started = performance.now()
for (const file of args.files) {
  bytesIn += statSync(file.path).size
  outputs.push(
    args.contestant === 'app' ? await appConvert(file, args.outDir) : bareConvert(file, args.outDir),
  )
}
const result: P2ChildResult = {
  ms: performance.now() - started,
  bytesIn,
  rssMb: process.resourceUsage().maxRSS / 1024,
  outputs,
}
process.stdout.write(`${JSON.stringify(result)}\n`)
