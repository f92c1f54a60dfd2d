import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { createCsvPublisher } from '../../../src/drivers/publisher/csv.js'
import { EtlError } from '../../../src/support/errors.js'

describe('CSV publisher driver', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csv-pub-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  const read = () => readFile(join(dir, 'abcd-1234.csv'), 'utf8')

  it('writes the header of the first row, rows in header order, CRLF, minimal quoting, Python-style cells', async () => {
    const csv = createCsvPublisher({ dir, identifier: 'abcd-1234' })
    expect(csv).to.include({ name: 'csv', identifier: 'abcd-1234', preferredChunk: 1000 })
    await csv.write([{ b: 'x,y', a: 1, c: null }])
    await csv.write([{ a: 2.5, b: 'say "hi"', c: true }])
    await csv.close()
    expect(await read()).to.equal('b,a,c\r\n"x,y",1,\r\n"say ""hi""",2.5,True\r\n')
  })

  it('refuses a row without a header column', async () => {
    const csv = createCsvPublisher({ dir, identifier: 'abcd-1234' })
    await csv.write([{ a: 1, b: 2 }])
    const error = await csv.write([{ a: 1 }]).catch((e: unknown) => e)
    expect(error).to.be.instanceOf(EtlError)
    expect((error as Error).message).to.contain('lacks column "b"')
    await csv.close()
  })

  it('truncate mode starts a new file per publisher; append mode keeps adding under the same header', async () => {
    const first = createCsvPublisher({ dir, identifier: 'abcd-1234', mode: 'append' })
    await first.write([{ a: 1 }])
    await first.close()
    const second = createCsvPublisher({ dir, identifier: 'abcd-1234', mode: 'append' })
    await second.write([{ a: 2 }])
    await second.close()
    expect(await read()).to.equal('a\r\n1\r\n2\r\n')
    const fresh = createCsvPublisher({ dir, identifier: 'abcd-1234' })
    await fresh.write([{ a: 3 }])
    await fresh.close()
    expect(await read()).to.equal('a\r\n3\r\n')
  })

  it('append mode refuses a file with another header instead of mixing columns', async () => {
    const first = createCsvPublisher({ dir, identifier: 'abcd-1234', mode: 'append' })
    await first.write([{ a: 1 }])
    await first.close()
    const other = createCsvPublisher({ dir, identifier: 'abcd-1234', mode: 'append' })
    const error = await other.write([{ z: 1 }]).catch((e: unknown) => e)
    expect((error as Error).message).to.contain('has the header a, not z')
  })

  it('writing again after close appends to the same file', async () => {
    const csv = createCsvPublisher({ dir, identifier: 'abcd-1234' })
    await csv.write([{ a: 1 }])
    await csv.close()
    await csv.write([{ a: 2 }])
    await csv.close()
    await csv.close()
    expect(await read()).to.equal('a\r\n1\r\n2\r\n')
  })
})
