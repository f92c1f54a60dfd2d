import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { lockDirectory } from '../../../src/drivers/sql/dir-lock.js'
import { createPgliteClient } from '../../../src/drivers/sql/sql-client.js'
import { EtlError } from '../../../src/support/errors.js'

describe('embedded database directory lock', function () {
  this.timeout(60_000)
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dir-lock-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses a second holder with E_LOCKED naming the holder, and frees the directory on release', async () => {
    const db = join(dir, 'db')
    const first = await lockDirectory(db, 'embedded database')
    const error = await lockDirectory(db, 'embedded database').catch((e: unknown) => e)
    expect(error).to.be.instanceOf(EtlError)
    expect((error as EtlError).code).to.equal('E_LOCKED')
    expect((error as Error).message).to.contain(`pid ${process.pid}`)
    await first.release()
    await first.release()
    const again = await lockDirectory(db, 'embedded database')
    await again.release()
  })

  it('takes over a lock left by a process that no longer runs', async () => {
    const db = join(dir, 'db')
    await writeFile(`${db}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() }))
    const lock = await lockDirectory(db, 'embedded database')
    await lock.release()
  })

  it("removes the temp files of processes killed while taking the lock, and keeps a live process's", async () => {
    const db = join(dir, 'db')
    const dead = 2 ** 22 + 12345
    await writeFile(`${db}.lock.${dead}.tmp`, JSON.stringify({ pid: dead, host: hostname() }))
    await writeFile(`${db}.lock.${process.ppid}.tmp`, '{}')
    await writeFile(join(dir, 'other.lock.77.tmp'), '{}')
    const lock = await lockDirectory(db, 'embedded database')
    expect((await readdir(dir)).sort()).to.deep.equal([
      'db.lock',
      `db.lock.${process.ppid}.tmp`,
      'other.lock.77.tmp',
    ])
    await lock.release()
  })

  it('keeps a second PGlite instance (another run) away from an open data directory', async () => {
    const db = join(dir, 'catalog')
    const first = await createPgliteClient({ dataDir: db })
    try {
      const error = await createPgliteClient({ dataDir: db }).catch((e: unknown) => e)
      expect((error as EtlError).code).to.equal('E_LOCKED')
    } finally {
      await first.close()
    }
    const reopened = await createPgliteClient({ dataDir: db })
    expect((await reopened.query<{ one: number }>('select 1 as one')).rows[0]?.one).to.equal(1)
    await reopened.close()
  })
})
