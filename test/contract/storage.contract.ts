import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { expect } from 'chai'
import type { ObjectInfo, StorageDriver } from '../../src/support/storage-driver.js'

/** What a contract run needs: a driver over an EMPTY repository, and how to dispose of it afterwards. */
export interface StorageContractSubject {
  /** The driver under test; its repository must be empty. */
  readonly driver: StorageDriver
  /** Removes whatever the test left behind (called after `driver.close()`). */
  readonly cleanup?: () => Promise<void>
}

const MIB = 1024 * 1024

/** Reads a whole stream into one buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks)
}

/** Hex sha256 of a stream's bytes, without keeping them. */
async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of stream) hash.update(chunk)
  return hash.digest('hex')
}

/** A deterministic pseudo-random stream of `size` bytes in 64 KiB chunks (same seed, same bytes). */
export function generatedStream(size: number, seed: number): Readable {
  function* chunks(): Generator<Buffer> {
    let state = seed >>> 0
    for (let produced = 0; produced < size; ) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, size - produced))
      for (let i = 0; i < chunk.length; i++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0
        chunk[i] = state >>> 24
      }
      produced += chunk.length
      yield chunk
    }
  }
  return Readable.from(chunks())
}

/** A stream that emits `bytesBeforeError` bytes of `x`, then fails with `Error('body failed')`. */
export function failingStream(bytesBeforeError: number): Readable {
  function* chunks(): Generator<Buffer> {
    for (let sent = 0; sent < bytesBeforeError; sent += 64 * 1024) {
      yield Buffer.alloc(Math.min(64 * 1024, bytesBeforeError - sent), 'x')
    }
    throw new Error('body failed')
  }
  return Readable.from(chunks())
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  return expect.fail('expected the promise to reject')
}

/** Every object of a listing, in the order yielded. */
async function collect(listing: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = []
  for await (const info of listing) out.push(info)
  return out
}

/**
 * The reusable mocha suite every {@link StorageDriver} must pass (memory, local filesystem, S3).
 *
 * `makeDriver` is called before every test and must return a driver over an empty repository. The suite
 * never stores a key that is also a folder of another key (`a` and `a/b`), which a filesystem cannot hold.
 * Listing order is S3's: ascending by the keys' UTF-8 bytes.
 */
export function describeStorageContract(
  label: string,
  makeDriver: () => Promise<StorageContractSubject>,
): void {
  describe(`StorageDriver contract: ${label}`, () => {
    let subject: StorageContractSubject
    let driver: StorageDriver

    const getText = async (key: string): Promise<string | null> => {
      const stream = await driver.get(key)
      return stream === null ? null : (await readAll(stream)).toString('utf8')
    }
    const keysOf = async (prefix: string): Promise<string[]> =>
      (await collect(driver.list(prefix))).map((info) => info.key)

    beforeEach(async () => {
      subject = await makeDriver()
      driver = subject.driver
    })

    afterEach(async () => {
      await driver.close()
      await subject.cleanup?.()
    })

    it('has a name and starts empty', async () => {
      expect(driver.name).to.be.a('string').and.not.equal('')
      expect(await keysOf('')).to.deep.equal([])
    })

    describe('put and get', () => {
      it('round-trips a Uint8Array, including an empty one, and reads it twice independently', async () => {
        const bytes = new Uint8Array([0, 1, 2, 250, 255, 10, 13])
        await driver.put('2019/06/01/bt/Austin_bt_2019-06-01_matched.txt', bytes)
        await driver.put('2019/06/01/bt/empty.txt', new Uint8Array(0))
        const streams = await Promise.all(
          [1, 2].map(() => driver.get('2019/06/01/bt/Austin_bt_2019-06-01_matched.txt')),
        )
        for (const stream of streams) {
          expect(stream).to.be.instanceOf(Readable)
          expect([...(await readAll(stream as Readable))]).to.deep.equal([...bytes])
        }
        expect(await getText('2019/06/01/bt/empty.txt')).to.equal('')
      })

      it('stores only the bytes of a Uint8Array view, copied at put time', async () => {
        const backing = Buffer.from('XXhello worldYY')
        const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, 11)
        await driver.put('view.txt', view)
        backing.fill(0)
        expect(await getText('view.txt')).to.equal('hello world')
      })

      it('round-trips a Readable of many small chunks and of string chunks', async () => {
        const parts = Array.from({ length: 500 }, (_, i) => Buffer.from(`line ${i}\n`))
        await driver.put('chunks.txt', Readable.from(parts))
        expect(await getText('chunks.txt')).to.equal(Buffer.concat(parts).toString('utf8'))
        await driver.put('strings.txt', Readable.from(['héllo ', 'wörld ', '🚦']))
        expect(await getText('strings.txt')).to.equal('héllo wörld 🚦')
      })

      it('round-trips a multi-MB generated stream (sha256 and size)', async () => {
        const size = 11 * MIB + 7
        await driver.put('big/generated.bin', generatedStream(size, 42))
        const stream = await driver.get('big/generated.bin')
        expect(stream).to.not.equal(null)
        expect(await sha256Of(stream as Readable)).to.equal(await sha256Of(generatedStream(size, 42)))
        expect((await driver.head('big/generated.bin'))?.size).to.equal(size)
      })

      it('replaces an existing object (overwrite, longer then shorter)', async () => {
        await driver.put('over.txt', Buffer.from('first version'))
        await driver.put('over.txt', Buffer.from('second, longer version'))
        expect(await getText('over.txt')).to.equal('second, longer version')
        await driver.put('over.txt', Readable.from([Buffer.from('3rd')]))
        expect(await getText('over.txt')).to.equal('3rd')
        expect((await driver.head('over.txt'))?.size).to.equal(3)
        expect(await keysOf('')).to.deep.equal(['over.txt'])
      })

      it('keeps one whole body when two puts of the same key race', async () => {
        const size = 2 * MIB + 3
        await Promise.all([
          driver.put('race.bin', generatedStream(size, 1)),
          driver.put('race.bin', generatedStream(size, 2)),
        ])
        const got = await sha256Of((await driver.get('race.bin')) as Readable)
        const candidates = [
          await sha256Of(generatedStream(size, 1)),
          await sha256Of(generatedStream(size, 2)),
        ]
        expect(candidates).to.include(got)
      })
    })

    it('get and head of a missing key resolve null', async () => {
      expect(await driver.get('2019/06/01/bt/missing.txt')).to.equal(null)
      expect(await driver.head('2019/06/01/bt/missing.txt')).to.equal(null)
    })

    it('a "folder" of stored keys is not an object', async () => {
      await driver.put('folder/inner/file.txt', Buffer.from('x'))
      for (const key of ['folder', 'folder/inner', 'folder/inner/file.txt/more']) {
        expect(await driver.get(key), key).to.equal(null)
        expect(await driver.head(key), key).to.equal(null)
      }
    })

    it('head reports key, size and a valid modification time', async () => {
      await driver.put('2019/06/02/gs/Austin_gs_2019-06-02_unit_data.json', Buffer.from('{"a":"é"}'))
      const info = await driver.head('2019/06/02/gs/Austin_gs_2019-06-02_unit_data.json')
      expect(info?.key).to.equal('2019/06/02/gs/Austin_gs_2019-06-02_unit_data.json')
      expect(info?.size).to.equal(10)
      expect(info?.modified).to.be.instanceOf(Date)
      expect(Number.isFinite(info?.modified.getTime())).to.equal(true)
    })

    describe('list', () => {
      const lake: Record<string, string> = {
        '2019/07/01/bt/Austin_bt_2019-07-01_matched.txt': 'g',
        '2019/06/01/bt/Austin_bt_2019-06-01_unmatched.txt': 'bb',
        '2020/09/13/wt/Austin_wt_2020-09-13.csv': 'hhhhhhh',
        '2019/06/01/gs/Burnet_Richcreek_gs_2019-06-01.zip': 'ccc',
        '2019/06/10/wt/Austin_wt_2019-06-10.csv': 'eeeee',
        '2019/06/01/bt/Austin_bt_2019-06-01_matched.txt': 'a',
        '2019/06/02/bt/Austin_bt_2019-06-02_unit_data.json': 'dddd',
      }
      const sorted = Object.keys(lake).sort()

      beforeEach(async () => {
        for (const [key, text] of Object.entries(lake)) await driver.put(key, Buffer.from(text))
      })

      const cases: Array<[prefix: string, expected: string[]]> = [
        ['', sorted],
        ['2019/06/', sorted.filter((key) => key.startsWith('2019/06/'))],
        ['2019/06/0', sorted.slice(0, 4)],
        ['2019/06/01/', sorted.slice(0, 3)],
        ['2019/06/01/b', sorted.slice(0, 2)],
        ['2019/06/01/bt/Austin_bt_2019-06-01_m', ['2019/06/01/bt/Austin_bt_2019-06-01_matched.txt']],
        ['2019/06/01/gs/Burnet', ['2019/06/01/gs/Burnet_Richcreek_gs_2019-06-01.zip']],
        ['2019/06/1', ['2019/06/10/wt/Austin_wt_2019-06-10.csv']],
        [
          '2019/06/01/bt/Austin_bt_2019-06-01_matched.txt',
          ['2019/06/01/bt/Austin_bt_2019-06-01_matched.txt'],
        ],
        ['2019/06/01/bt/Austin_bt_2019-06-01_matched.txt/', []],
        ['2021/', []],
        ['nothing', []],
        ['2019/06/01/bt/Z', []],
      ]
      for (const [prefix, expected] of cases) {
        it(`list(${JSON.stringify(prefix)}) yields ${expected.length} key(s) in order`, async () => {
          expect(await keysOf(prefix)).to.deep.equal(expected)
        })
      }

      it('reports the size of every listed object', async () => {
        for (const info of await collect(driver.list('2019/'))) {
          expect(info.size, info.key).to.equal(lake[info.key]?.length)
          expect(info.modified).to.be.instanceOf(Date)
        }
      })

      it('can be abandoned early and listed again', async () => {
        for await (const info of driver.list('')) {
          expect(info.key).to.equal(sorted[0])
          break
        }
        expect(await keysOf('')).to.deep.equal(sorted)
      })
    })

    it('lists in UTF-8 byte order (space < "-" < "." < "/" < digits < upper < lower < non-ASCII)', async () => {
      const expected = ['B.txt', 'a b.txt', 'a-b.txt', 'a.txt', 'a/x.txt', 'a0.txt', 'z.txt', 'é.txt']
        .concat(['\uFFFD.txt', '😀.txt'])
        .map((name) => `order/${name}`)
      for (const key of [...expected].reverse()) await driver.put(key, Buffer.from(key))
      expect(await keysOf('order/')).to.deep.equal(expected)
    })

    it('keeps keys with spaces, &, parentheses, %, +, # and Unicode exactly', async () => {
      const keys = [
        '2019/06/01/gs/Loop 360_Barton Creek_gs_2019-06-01.zip',
        '2019/06/01/gs/Lamar & 5th (North)_gs_2019-06-01.zip',
        '2019/06/02/gs/Congress & Cesar Chavez_gs_2019-06-02_site.json',
        "odd/100% #1 + 2 = 3; a,b [c] {d} ~e @f $g !h 'i'.txt",
        'odd/%2F not a slash %20 not a space.txt',
        'odd/Ñandú straße 日本語 Ελληνικά 🚦.json',
        'odd/ leading and trailing space .txt',
        'odd/.hidden',
        'odd/a:b.txt',
        `odd/${'x'.repeat(251)}.txt`,
      ]
      for (const key of keys) await driver.put(key, Buffer.from(`body of ${key}`))
      for (const key of keys) {
        expect(await getText(key), key).to.equal(`body of ${key}`)
        expect((await driver.head(key))?.key, key).to.equal(key)
      }
      expect(await keysOf('')).to.have.members(keys)
      expect(await keysOf('2019/06/01/gs/L')).to.deep.equal([keys[1], keys[0]])
      expect(await keysOf('odd/Ñandú')).to.deep.equal([keys[5]])
    })

    describe('delete', () => {
      it('removes the object and leaves its neighbours', async () => {
        await driver.put('2019/06/01/bt/a.txt', Buffer.from('a'))
        await driver.put('2019/06/01/bt/b.txt', Buffer.from('b'))
        await driver.delete('2019/06/01/bt/a.txt')
        expect(await driver.get('2019/06/01/bt/a.txt')).to.equal(null)
        expect(await driver.head('2019/06/01/bt/a.txt')).to.equal(null)
        expect(await keysOf('')).to.deep.equal(['2019/06/01/bt/b.txt'])
        await driver.delete('2019/06/01/bt/b.txt')
        expect(await keysOf('')).to.deep.equal([])
        expect(await keysOf('2019/')).to.deep.equal([])
      })

      it('accepts a missing key, twice', async () => {
        await driver.delete('never/stored.txt')
        await driver.put('once.txt', Buffer.from('1'))
        await driver.delete('once.txt')
        await driver.delete('once.txt')
        expect(await keysOf('')).to.deep.equal([])
      })

      it('lets a folder be written again after its last object was deleted', async () => {
        await driver.put('deep/a/b/c/d.txt', Buffer.from('1'))
        await driver.delete('deep/a/b/c/d.txt')
        await driver.put('deep/a/b/c/e.txt', Buffer.from('2'))
        expect(await keysOf('deep/')).to.deep.equal(['deep/a/b/c/e.txt'])
      })

      it('does not lose puts that race with deletes in the same folder', async () => {
        for (let round = 0; round < 25; round++) {
          await driver.put(`race/${round}/old.txt`, Buffer.from('old'))
          await Promise.all([
            driver.delete(`race/${round}/old.txt`),
            driver.put(`race/${round}/new.txt`, Buffer.from('new')),
          ])
        }
        const keys = await keysOf('race/')
        expect(keys).to.deep.equal(Array.from({ length: 25 }, (_, round) => `race/${round}/new.txt`).sort())
      })
    })

    describe('failing body stream', () => {
      for (const [label, bytes] of [
        ['mid-way', 6 * MIB],
        ['before its first byte', 0],
      ] as const) {
        it(`rejects the put and leaves no object when it fails ${label} (new key)`, async () => {
          const error = await rejectionOf(driver.put('2019/06/01/gs/partial.zip', failingStream(bytes)))
          expect(error).to.be.instanceOf(Error)
          expect(await driver.get('2019/06/01/gs/partial.zip')).to.equal(null)
          expect(await driver.head('2019/06/01/gs/partial.zip')).to.equal(null)
          expect(await keysOf('')).to.deep.equal([])
        })
      }

      it('leaves the previous object intact', async () => {
        await driver.put('keep/me.txt', Buffer.from('the old content'))
        await rejectionOf(driver.put('keep/me.txt', failingStream(256 * 1024)))
        expect(await getText('keep/me.txt')).to.equal('the old content')
        expect((await driver.head('keep/me.txt'))?.size).to.equal(15)
        expect(await keysOf('')).to.deep.equal(['keep/me.txt'])
      })
    })

    it('close is idempotent', async () => {
      await driver.close()
      await driver.close()
    })
  })
}
