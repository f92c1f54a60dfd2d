import { existsSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { expect } from 'chai'
import { createLocalStorage, LOCAL_TEMP_PREFIX } from '../../../src/drivers/storage/local-fs.js'
import { InvalidKeyError } from '../../../src/support/errors.js'
import type { StorageDriver } from '../../../src/support/storage-driver.js'
import {
  describeStorageContract,
  failingStream,
  readAll,
  rejectionOf,
} from '../../contract/storage.contract.js'

describeStorageContract('local filesystem', async () => {
  const outer = await mkdtemp(path.join(os.tmpdir(), 'etl-local-contract-'))
  return {
    driver: createLocalStorage({ root: path.join(outer, 'lake') }),
    cleanup: () => rm(outer, { recursive: true, force: true }),
  }
})

/** Every file and directory under `dir`, relative and `/`-separated, sorted. */
async function tree(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return []
  const entries = await readdir(dir, { recursive: true })
  return entries.map((entry) => entry.split(path.sep).join('/')).sort()
}

async function keysOf(driver: StorageDriver, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const info of driver.list(prefix)) keys.push(info.key)
  return keys
}

describe('local filesystem storage driver', () => {
  let outer: string
  let root: string
  let driver: StorageDriver

  beforeEach(async () => {
    outer = await mkdtemp(path.join(os.tmpdir(), 'etl-local-'))
    root = path.join(outer, 'lake')
    driver = createLocalStorage({ root })
  })

  afterEach(async () => {
    await driver.close()
    await rm(outer, { recursive: true, force: true })
  })

  it('stores objects at <root>/<key>', async () => {
    await driver.put('2019/06/01/gs/Loop 360_Barton Creek_gs_2019-06-01.zip', Buffer.from('zip'))
    expect(await tree(root)).to.deep.equal([
      '2019',
      '2019/06',
      '2019/06/01',
      '2019/06/01/gs',
      '2019/06/01/gs/Loop 360_Barton Creek_gs_2019-06-01.zip',
    ])
  })

  it('works on a root that does not exist yet', async () => {
    expect(await keysOf(driver, '')).to.deep.equal([])
    expect(await driver.get('a.txt')).to.equal(null)
    expect(await driver.head('a.txt')).to.equal(null)
    await driver.delete('a.txt')
    expect(existsSync(root)).to.equal(false)
  })

  it('leaves no temp file and no empty folder after a failed put', async () => {
    await driver.put('2019/06/01/bt/kept.txt', Buffer.from('kept'))
    await rejectionOf(driver.put('2019/06/01/bt/failed.txt', failingStream(300 * 1024)))
    await rejectionOf(driver.put('2019/06/02/bt/failed.txt', failingStream(300 * 1024)))
    expect(await tree(root)).to.deep.equal([
      '2019',
      '2019/06',
      '2019/06/01',
      '2019/06/01/bt',
      '2019/06/01/bt/kept.txt',
    ])
  })

  it('hides an in-flight upload from get, head and list until it completes', async () => {
    const body = new PassThrough()
    const pending = driver.put('slow/file.txt', body)
    body.write('first half, ')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const onDisk = await tree(path.join(root, 'slow'))
    expect(onDisk).to.have.length(1)
    expect(onDisk[0]?.startsWith(LOCAL_TEMP_PREFIX)).to.equal(true)
    expect(await keysOf(driver, '')).to.deep.equal([])
    expect(await driver.get('slow/file.txt')).to.equal(null)
    expect(await driver.head('slow/file.txt')).to.equal(null)
    body.end('second half')
    await pending
    expect((await readAll((await driver.get('slow/file.txt')) as Readable)).toString()).to.equal(
      'first half, second half',
    )
    expect(await tree(path.join(root, 'slow'))).to.deep.equal(['file.txt'])
  })

  it('removes emptied parent folders on delete, up to but not including the root', async () => {
    await driver.put('2019/06/01/bt/a.txt', Buffer.from('a'))
    await driver.put('2019/06/02/bt/b.txt', Buffer.from('b'))
    await driver.delete('2019/06/01/bt/a.txt')
    expect(await tree(root)).to.deep.equal([
      '2019',
      '2019/06',
      '2019/06/02',
      '2019/06/02/bt',
      '2019/06/02/bt/b.txt',
    ])
    await driver.delete('2019/06/02/bt/b.txt')
    expect(await tree(root)).to.deep.equal([])
    expect(statSync(root).isDirectory()).to.equal(true)
  })

  it('refuses keys that resolve outside the root and writes nothing there', async () => {
    await mkdir(root)
    for (const key of ['../escape.txt', 'a/../../escape.txt', '..', '', 'a/..']) {
      const body = Readable.from([Buffer.from('x')])
      expect(await rejectionOf(driver.put(key, body)), key).to.be.instanceOf(InvalidKeyError)
      expect(body.destroyed, key).to.equal(true)
      expect(await rejectionOf(driver.get(key)), key).to.be.instanceOf(InvalidKeyError)
      expect(await rejectionOf(driver.head(key)), key).to.be.instanceOf(InvalidKeyError)
      expect(await rejectionOf(driver.delete(key)), key).to.be.instanceOf(InvalidKeyError)
    }
    expect(await rejectionOf(keysOf(driver, '../'))).to.be.instanceOf(InvalidKeyError)
    expect(await readdir(outer)).to.deep.equal(['lake'])
    expect(await tree(root)).to.deep.equal([])
  })

  it('reserves the temp-file name prefix', async () => {
    for (const key of [`${LOCAL_TEMP_PREFIX}abc`, `a/${LOCAL_TEMP_PREFIX}x/b.txt`]) {
      expect(await rejectionOf(driver.put(key, Buffer.from('x'))), key).to.be.instanceOf(InvalidKeyError)
      expect(await rejectionOf(driver.get(key)), key).to.be.instanceOf(InvalidKeyError)
    }
  })

  it('treats directories as non-objects', async () => {
    await mkdir(path.join(root, 'dir', 'empty'), { recursive: true })
    await driver.put('dir/file.txt', Buffer.from('f'))
    expect(await driver.get('dir')).to.equal(null)
    expect(await driver.head('dir/empty')).to.equal(null)
    await driver.delete('dir')
    expect(await keysOf(driver, '')).to.deep.equal(['dir/file.txt'])
    expect(existsSync(path.join(root, 'dir', 'empty'))).to.equal(true)
  })

  it('lists files written by others with their size and mtime, and skips directory symlinks', async () => {
    const folder = path.join(root, '2019', '06', '01', 'bt')
    await mkdir(folder, { recursive: true })
    const file = path.join(folder, 'Austin_bt_2019-06-01_matched.txt')
    await writeFile(file, 'twelve bytes')
    const mtime = new Date('2019-06-02T07:30:00Z')
    await utimes(file, mtime, mtime)
    await symlink(root, path.join(root, 'loop'), 'dir')
    await symlink(file, path.join(root, 'link.txt'), 'file')
    const listed = []
    for await (const info of driver.list('')) listed.push(info)
    expect(listed.map((info) => info.key)).to.deep.equal([
      '2019/06/01/bt/Austin_bt_2019-06-01_matched.txt',
      'link.txt',
    ])
    expect(listed[0]?.size).to.equal(12)
    expect(listed[0]?.modified.toISOString()).to.equal('2019-06-02T07:30:00.000Z')
    const info = await driver.head('2019/06/01/bt/Austin_bt_2019-06-01_matched.txt')
    expect(info?.modified.getTime()).to.equal(mtime.getTime())
  })

  describe('tempDir option', () => {
    it('hides a temp folder inside the root and keeps it', async () => {
      const uploads = path.join(root, '.uploads')
      const local = createLocalStorage({ root, tempDir: uploads })
      await local.put('a/b.txt', Buffer.from('b'))
      await rejectionOf(local.put('a/c.txt', failingStream(100 * 1024)))
      expect(await keysOf(local, '')).to.deep.equal(['a/b.txt'])
      expect(await readdir(uploads)).to.deep.equal([])
      await local.delete('a/b.txt')
      expect(await tree(root)).to.deep.equal(['.uploads'])
      expect(await rejectionOf(local.put('.uploads/x.txt', Buffer.from('x')))).to.be.instanceOf(
        InvalidKeyError,
      )
    })

    it('sweeps the uploads a killed process left in the temp folder before its first upload', async () => {
      const uploads = path.join(outer, 'uploads')
      await mkdir(uploads, { recursive: true })
      const dead = `${LOCAL_TEMP_PREFIX}${2 ** 22 + 4321}-0a0b0c`
      const live = `${LOCAL_TEMP_PREFIX}${process.ppid}-0d0e0f`
      for (const name of [dead, live, 'unrelated.txt']) await writeFile(path.join(uploads, name), 'partial')
      const local = createLocalStorage({ root, tempDir: uploads })
      expect((await readdir(uploads)).sort()).to.have.length(3)
      await local.put('a.txt', Buffer.from('a'))
      expect((await readdir(uploads)).sort()).to.deep.equal([live, 'unrelated.txt'].sort())
    })

    it('uses a temp folder outside the root, also across filesystems', async () => {
      const sameFs = path.join(outer, 'tmp')
      const dirs = [sameFs]
      if (existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(outer).dev) {
        dirs.push(await mkdtemp('/dev/shm/etl-local-'))
      }
      try {
        for (const tempDir of dirs) {
          const local = createLocalStorage({ root, tempDir })
          await local.put('x/y.txt', Readable.from([Buffer.from('via '), Buffer.from(tempDir)]))
          expect((await readAll((await local.get('x/y.txt')) as Readable)).toString()).to.equal(
            `via ${tempDir}`,
          )
          expect(await readdir(tempDir)).to.deep.equal([])
          expect(await tree(path.join(root, 'x'))).to.deep.equal(['y.txt'])
        }
      } finally {
        for (const dir of dirs.slice(1)) await rm(dir, { recursive: true, force: true })
      }
    })
  })
})
