import type { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { expect } from 'chai'
import { createS3Storage, MIN_PART_SIZE, type S3StorageOptions } from '../../../src/drivers/storage/s3.js'
import { ConfigError, DriverError } from '../../../src/support/errors.js'
import type { StorageDriver } from '../../../src/support/storage-driver.js'
import {
  describeStorageContract,
  failingStream,
  generatedStream,
  readAll,
  rejectionOf,
} from '../../contract/storage.contract.js'
import { getTestServices, type TestServices } from '../../services/index.js'
import { freePort } from '../../services/process-utils.js'

// fauxqs 1.9.2 quirks met here:
// - ListObjectsV2 sorts by `localeCompare`, not UTF-8 bytes ('😀' first, 'B' after 'a0'); the driver sorts each
//   page. Its continuation token is the last key, compared by UTF-16 units, so mixed-case keys can be skipped
//   across pages: the paging test uses zero-padded digits, on which every order agrees.
// - Credentials are never checked (any key and secret work): there is deliberately no wrong-credentials test.
// - ListMultipartUploads is missing, but DeleteBucket refuses (409 BucketNotEmpty) while a multipart upload is
//   open: dropping every test bucket afterwards proves that no orphan upload was left.

const MIB = 1024 * 1024

/** One command sent through a {@link recordingClient}. */
type SentCommand = { readonly name: string; readonly input: Record<string, unknown> }

/** A real client whose `send` records every command; `fault` may fail a command instead of sending it. */
function recordingClient(services: TestServices, fault?: (command: SentCommand) => Error | undefined) {
  const client = services.s3.client()
  const sent: SentCommand[] = []
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>
  client.send = ((command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const record = { name: command.constructor.name, input: command.input }
    sent.push(record)
    const injected = fault?.(record)
    return injected ? Promise.reject(injected) : send(command)
  }) as S3Client['send']
  return { client, sent, names: () => sent.map((command) => command.name) }
}

/** Deletes every object of `bucket`, then the bucket; DeleteBucket fails if a multipart upload is left. */
async function dropBucket(services: TestServices, bucket: string): Promise<void> {
  const client = services.s3.client()
  try {
    for (;;) {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
      const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key }))
      if (keys.length === 0) break
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }))
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }))
  } finally {
    client.destroy()
  }
}

async function keysOf(driver: StorageDriver, prefix = ''): Promise<string[]> {
  const keys: string[] = []
  for await (const info of driver.list(prefix)) keys.push(info.key)
  return keys
}

async function textOf(driver: StorageDriver, key: string): Promise<string | null> {
  const stream = await driver.get(key)
  return stream === null ? null : (await readAll(stream)).toString('utf8')
}

/** Connection settings of the test server. */
function connection(services: TestServices): Omit<S3StorageOptions, 'bucket'> {
  const { endpoint, region, credentials } = services.s3
  return { endpoint, region, forcePathStyle: true, credentials }
}

describeStorageContract('s3 (fauxqs)', async () => {
  const services = await getTestServices()
  const bucket = await services.s3.createBucket('contract')
  return {
    driver: createS3Storage({ bucket, ...connection(services) }),
    cleanup: () => dropBucket(services, bucket),
  }
})

describe('s3 storage driver (fauxqs)', function () {
  this.timeout(120_000)
  let services: TestServices
  let bucket: string
  let driver: StorageDriver
  let clients: S3Client[]

  const tracked = (fault?: Parameters<typeof recordingClient>[1]) => {
    const recorded = recordingClient(services, fault)
    clients.push(recorded.client)
    return recorded
  }

  before(async () => {
    services = await getTestServices()
  })

  beforeEach(async () => {
    clients = []
    bucket = await services.s3.createBucket('s3-driver')
    driver = createS3Storage({ bucket, ...connection(services) })
  })

  afterEach(async () => {
    await driver.close()
    for (const client of clients) client.destroy()
    await dropBucket(services, bucket)
  })

  const invalid: Array<[label: string, options: S3StorageOptions, message: RegExp]> = [
    ['an empty bucket', { bucket: '' }, /needs a bucket/],
    ['a part size under 5 MiB', { bucket: 'b', partSize: MIN_PART_SIZE - 1 }, /at least 5242880 bytes/],
    ['a zero queue size', { bucket: 'b', queueSize: 0 }, /queueSize must be a positive integer/],
  ]
  for (const [label, options, message] of invalid) {
    it(`rejects ${label} with a ConfigError, before any I/O`, () => {
      expect(() => createS3Storage(options)).to.throw(ConfigError, message)
    })
  }

  describe('a missing bucket', () => {
    const operations: Array<[action: string, run: (d: StorageDriver) => Promise<unknown>]> = [
      ['get of "2019/06/01/a.txt"', (d) => d.get('2019/06/01/a.txt')],
      ['put of "a.txt"', (d) => d.put('a.txt', Buffer.from('x'))],
      ['put of "small.txt"', (d) => d.put('small.txt', generatedStream(1000, 1))],
      ['put of "big.bin"', (d) => d.put('big.bin', generatedStream(6 * MIB, 1))],
      ['list of prefix "2019/"', (d) => keysOf(d, '2019/')],
      ['delete of "a.txt"', (d) => d.delete('a.txt')],
    ]
    for (const [action, run] of operations) {
      it(`${action} fails with a DriverError naming the bucket and NoSuchBucket`, async () => {
        const missing = `${bucket}-missing`
        const other = createS3Storage({ bucket: missing, ...connection(services) })
        const error = (await rejectionOf(run(other))) as DriverError
        await other.close()
        expect(error).to.be.instanceOf(DriverError).with.property('code', 'E_STORAGE')
        expect(error.message).to.equal(
          `S3 ${action} in bucket "${missing}" failed: bucket "${missing}" does not exist (NoSuchBucket, HTTP 404)`,
        )
        expect(error.cause).to.have.property('name', 'NoSuchBucket')
      })
    }

    it('head resolves null (a HEAD answer has no error code) and a stream body is destroyed', async () => {
      const other = createS3Storage({ bucket: `${bucket}-missing`, ...connection(services) })
      expect(await other.head('a.txt')).to.equal(null)
      const body = generatedStream(6 * MIB, 3)
      await rejectionOf(other.put('big.bin', body))
      expect(body.destroyed).to.equal(true)
      await other.close()
    })
  })

  it('names the endpoint failure (no secrets) when the server cannot be reached', async () => {
    const credentials = {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI-K7MDENG-bPxRfiCY',
    }
    const endpoint = `http://127.0.0.1:${await freePort()}`
    const other = createS3Storage({ bucket, endpoint, forcePathStyle: true, credentials, maxAttempts: 1 })
    const error = (await rejectionOf(other.get('a/b.txt'))) as DriverError
    await other.close()
    expect(error).to.be.instanceOf(DriverError)
    expect(error.message).to.match(
      new RegExp(`^S3 get of "a/b.txt" in bucket "${bucket}" failed: .*ECONNREFUSED`),
    )
    for (const secret of Object.values(credentials)) expect(error.message).to.not.include(secret)
    expect(error.cause).to.be.instanceOf(Error)
  })

  it('isolates two drivers on one bucket by their prefixes', async () => {
    const one = createS3Storage({ bucket, prefix: 'one/', ...connection(services) })
    const two = createS3Storage({ bucket, prefix: 'two/', ...connection(services) })
    await one.put('2019/a.txt', Buffer.from('from one'))
    await two.put('2019/a.txt', generatedStream(10, 2))
    await two.put('2019/b.txt', Buffer.from('only two'))
    expect(await keysOf(one)).to.deep.equal(['2019/a.txt'])
    expect(await keysOf(two, '2019/')).to.deep.equal(['2019/a.txt', '2019/b.txt'])
    expect(await textOf(one, '2019/a.txt')).to.equal('from one')
    expect(await one.get('2019/b.txt')).to.equal(null)
    expect(await one.head('2019/b.txt')).to.equal(null)
    expect((await one.head('2019/a.txt'))?.key).to.equal('2019/a.txt')
    await one.delete('2019/b.txt')
    expect(await textOf(two, '2019/b.txt')).to.equal('only two')
    expect(await keysOf(driver)).to.deep.equal(['one/2019/a.txt', 'two/2019/a.txt', 'two/2019/b.txt'])
    await one.close()
    await two.close()
  })

  describe('listing more than 1,000 keys', () => {
    const keys = Array.from({ length: 2050 }, (_, i) => `many/${String(i).padStart(5, '0')}.txt`)

    beforeEach(async () => {
      for (let start = 0; start < keys.length; start += 50) {
        await Promise.all(keys.slice(start, start + 50).map((key) => driver.put(key, Buffer.from(key))))
      }
      await driver.put('other/x.txt', Buffer.from('x'))
    })

    it('pages with continuation tokens and yields every key once, in order', async () => {
      const { client, sent } = tracked()
      const paged = createS3Storage({ bucket, client })
      const listed: string[] = []
      for await (const info of paged.list('many/')) {
        expect(info.size).to.equal(Buffer.byteLength(info.key))
        listed.push(info.key)
      }
      expect(listed).to.deep.equal(keys)
      expect(sent.map((command) => command.name)).to.deep.equal(Array(3).fill('ListObjectsV2Command'))
      expect(sent[0]?.input.ContinuationToken).to.equal(undefined)
      expect(sent[1]?.input.ContinuationToken).to.be.a('string').and.not.equal('')
      expect(sent[2]?.input.ContinuationToken)
        .to.be.a('string')
        .and.not.equal(sent[1]?.input.ContinuationToken)
      expect(sent.map((command) => command.input.Prefix)).to.deep.equal(['many/', 'many/', 'many/'])
    })

    it('asks for the next page only when the consumer gets there', async () => {
      const { client, sent } = tracked()
      const paged = createS3Storage({ bucket, client })
      let seen = 0
      for await (const info of paged.list('')) {
        expect(info.key).to.equal(keys[seen])
        seen += 1
        expect(sent).to.have.length(seen <= 1000 ? 1 : 2)
        if (seen === 1001) break
      }
      expect(seen).to.equal(1001)
    })
  })

  describe('client ownership', () => {
    it('works with any object that has send(), except for streamed puts; bytes go in one PutObject', async () => {
      const { client, sent } = tracked()
      const send = (command: unknown) => client.send(command as never)
      const given = createS3Storage({ bucket, prefix: 'p/', client: { send } })
      await given.put('a.txt', Buffer.from('a'))
      expect(sent.map((command) => [command.name, command.input.ContentLength])).to.deep.equal([
        ['PutObjectCommand', 1],
      ])
      expect(await textOf(given, 'a.txt')).to.equal('a')
      expect(await keysOf(given)).to.deep.equal(['a.txt'])
      const error = (await rejectionOf(given.put('b.txt', generatedStream(10, 1)))) as DriverError
      expect(error.message).to.include('streamed puts need an S3Client')
      await given.delete('a.txt')
      expect(await given.head('a.txt')).to.equal(null)
      await given.close()
    })

    it('does not destroy a client it was given', async () => {
      const { client } = tracked()
      let destroyed = 0
      client.destroy = () => void destroyed++
      const given = createS3Storage({ bucket, client })
      await given.put('a.txt', Buffer.from('a'))
      await given.close()
      await given.close()
      expect(destroyed).to.equal(0)
      const listed = await client.send(new ListBucketsCommand({}))
      expect(listed.Buckets?.map((b) => b.Name)).to.include(bucket)
    })

    it('refuses work after close, naming the bucket', async () => {
      await driver.put('a.txt', Buffer.from('a'))
      await driver.close()
      const error = (await rejectionOf(driver.get('a.txt'))) as DriverError
      expect(error).to.be.instanceOf(DriverError)
      expect(error.message).to.equal(`S3 get of "a.txt" in bucket "${bucket}" failed: the driver is closed`)
    })
  })

  describe('uploads', () => {
    it('streams 11 MiB + 5 bytes as a three-part multipart upload', async () => {
      const size = 11 * MIB + 5
      const { client, names } = tracked()
      const given = createS3Storage({ bucket, client, partSize: 5 * MIB, queueSize: 2 })
      await given.put('big/stream.bin', generatedStream(size, 7))
      const parts = Array(3).fill('UploadPartCommand')
      expect(names()).to.deep.equal([
        'CreateMultipartUploadCommand',
        ...parts,
        'CompleteMultipartUploadCommand',
      ])
      expect((await driver.head('big/stream.bin'))?.size).to.equal(size)
      const raw = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'big/stream.bin' }))
      expect(raw.ETag).to.match(/-3"$/)
      const stored = await readAll((await driver.get('big/stream.bin')) as Readable)
      expect(stored.equals(await readAll(generatedStream(size, 7)))).to.equal(true)
    })

    it('aborts the multipart upload when the body fails: no object, no orphan parts, old object kept', async () => {
      await driver.put('keep.bin', Buffer.from('old body'))
      const { client, names } = tracked()
      const given = createS3Storage({ bucket, client, partSize: 5 * MIB, queueSize: 1 })
      const body = failingStream(12 * MIB)
      const error = (await rejectionOf(given.put('keep.bin', body))) as DriverError
      expect(error).to.be.instanceOf(DriverError)
      expect(error.message).to.equal(
        `S3 put of "keep.bin" in bucket "${bucket}" failed: the body stream failed: body failed`,
      )
      expect((error.cause as Error).message).to.equal('body failed')
      expect(names()).to.include.members(['CreateMultipartUploadCommand', 'AbortMultipartUploadCommand'])
      expect(names()).to.not.include('CompleteMultipartUploadCommand')
      expect(names().filter((name) => name === 'UploadPartCommand')).to.have.length.of.at.least(2)
      expect(await textOf(driver, 'keep.bin')).to.equal('old body')
      expect(await keysOf(driver)).to.deep.equal(['keep.bin'])
    })

    it('aborts the multipart upload when S3 fails a part', async () => {
      const injected = new Error('injected: connection reset while sending part 2')
      const { client, names } = tracked((command) =>
        command.name === 'UploadPartCommand' && command.input.PartNumber === 2 ? injected : undefined,
      )
      const given = createS3Storage({ bucket, client, partSize: 5 * MIB, queueSize: 2 })
      const error = (await rejectionOf(given.put('fails.bin', generatedStream(12 * MIB, 9)))) as DriverError
      expect(error).to.be.instanceOf(DriverError)
      expect(error.cause).to.equal(injected)
      expect(error.message).to.include(`"fails.bin" in bucket "${bucket}"`)
      expect(error.message).to.include('connection reset while sending part 2')
      expect(names()).to.include('AbortMultipartUploadCommand')
      expect(await driver.head('fails.bin')).to.equal(null)
    })

    it('the orphan check is real: DeleteBucket refuses a bucket with an open multipart upload', async () => {
      const other = await services.s3.createBucket('orphan-check')
      const { client } = tracked()
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: other, Key: 'k' }))
      await client.send(
        new UploadPartCommand({ Bucket: other, Key: 'k', UploadId, PartNumber: 1, Body: Buffer.from('x') }),
      )
      const error = await rejectionOf(dropBucket(services, other))
      expect((error as Error).name).to.equal('BucketNotEmpty')
      await client.send(new AbortMultipartUploadCommand({ Bucket: other, Key: 'k', UploadId }))
      await dropBucket(services, other)
    })
  })
})
