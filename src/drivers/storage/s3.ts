import { Readable } from 'node:stream'
import type {
  GetObjectCommandOutput,
  HeadObjectCommandOutput,
  ListObjectsV2CommandOutput,
  S3Client,
  S3ClientConfig,
} from '@aws-sdk/client-s3'
import { ConfigError, DriverError } from '../../support/errors.js'
import type { ObjectInfo, StorageDriver } from '../../support/storage-driver.js'
import { compareKeys } from '../../util/keys.js'

/** Name of this driver in logs and messages. */
export const DRIVER_NAME = 's3'

/** Smallest part S3 accepts for every part of a multipart upload but the last one (5 MiB). */
export const MIN_PART_SIZE = 5 * 1024 * 1024

/**
 * The part of an S3 client the driver uses: an `S3Client` fits, and so does a wrapper around one (the test
 * seam). Streamed puts hand the client to lib-storage's `Upload`, which also reads the client's `config`;
 * pass a real `S3Client` (or an object that keeps its `config`) when `put` receives streams.
 */
export interface S3Like {
  /** Sends one SDK command. */
  send(command: unknown): Promise<unknown>
  /** Releases sockets; never called by the driver on a client it did not create. */
  destroy?(): void
}

/** Static credentials for {@link S3StorageOptions.credentials}. */
export interface S3Credentials {
  /** The access key id. */
  readonly accessKeyId: string
  /** The secret access key. */
  readonly secretAccessKey: string
  /** Session token of temporary credentials. */
  readonly sessionToken?: string
}

/** Options of {@link createS3Storage}. */
export interface S3StorageOptions {
  /** The bucket holding the repository. Required. */
  readonly bucket: string
  /**
   * Prefix put before every key inside the bucket, used verbatim (give `lake/`, with the slash, for a
   * folder). Listings strip it again.
   * @default ''
   */
  readonly prefix?: string
  /**
   * A ready client (for tests, or to share one client between repositories). The driver never destroys a
   * client it was given; the connection settings below are then ignored.
   * @default a new `S3Client` built from the settings below, destroyed by `close()`
   */
  readonly client?: S3Like
  /** Custom endpoint of an S3-compatible server (`http://127.0.0.1:9000`). @default AWS's endpoint of `region` */
  readonly endpoint?: string
  /** Region used for signing and for AWS's endpoint. @default 'us-east-1' */
  readonly region?: string
  /** Path-style addressing (`<endpoint>/<bucket>/<key>`), needed by most local servers. @default false */
  readonly forcePathStyle?: boolean
  /** Static credentials. @default the SDK's provider chain (environment, shared files, instance role…) */
  readonly credentials?: S3Credentials
  /**
   * The SDK's attempts per request, retries included (the driver relies on the SDK's retries: throttling,
   * 5xx and network errors; never other 4xx). @default the SDK's default: 3, or `AWS_MAX_ATTEMPTS`
   */
  readonly maxAttempts?: number
  /** The SDK's retry strategy. @default the SDK's default: 'standard', or `AWS_RETRY_MODE` */
  readonly retryMode?: 'standard' | 'adaptive'
  /**
   * Part size of streamed (multipart) uploads, at least 5 MiB. A stream up to this size is sent as one
   * PutObject; an upload holds at most 10,000 parts. @default lib-storage's: 5 MiB (larger for
   * `fs` read streams whose size it can stat)
   */
  readonly partSize?: number
  /** Parts of one streamed upload sent concurrently (memory ≈ `queueSize × partSize`). @default 4 */
  readonly queueSize?: number
}

type ClientModule = typeof import('@aws-sdk/client-s3')
type StorageModule = typeof import('@aws-sdk/lib-storage')

interface Session {
  readonly sdk: ClientModule
  readonly storage: StorageModule
  readonly client: S3Like
}

interface ErrorFacts {
  readonly code: string | undefined
  readonly status: number | undefined
  readonly message: string
}

/** Explanations of the S3 error codes an operator is most likely to meet. */
const EXPLANATIONS: ReadonlyMap<string, (bucket: string) => string> = new Map([
  ['NoSuchBucket', (bucket: string) => `bucket "${bucket}" does not exist`],
  [
    'AccessDenied',
    () =>
      'access denied (the credentials lack a permission; without s3:ListBucket S3 answers 403 for a missing key)',
  ],
  ['Forbidden', () => 'access denied (the credentials lack a permission)'],
  ['InvalidAccessKeyId', () => 'the access key id is not known to the server (check the credentials)'],
  ['SignatureDoesNotMatch', () => 'the request signature does not match (check the secret access key)'],
  ['ExpiredToken', () => 'the session token has expired'],
])

/** Code, HTTP status and message of an SDK, network or other error. */
function factsOf(error: unknown): ErrorFacts {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>
  const metadata = e.$metadata as { httpStatusCode?: unknown } | undefined
  const status = typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined
  const named = status !== undefined || (typeof e.name === 'string' && e.name !== 'Error')
  const code = [e.Code, e.code, named ? e.name : undefined].find((value) => typeof value === 'string')
  const message = error instanceof Error ? error.message : String(error)
  return { code: code as string | undefined, status, message }
}

/** Whether `error` is S3's routine "no such key" (a 404 that is not about the bucket). */
function isMissingKey(error: unknown): boolean {
  const { code, status } = factsOf(error)
  return code === 'NoSuchKey' || (status === 404 && code !== 'NoSuchBucket')
}

/**
 * A {@link StorageDriver} over one S3 bucket (optionally under a key prefix), with `@aws-sdk/client-s3` and
 * `@aws-sdk/lib-storage`, both loaded on first use.
 *
 * - `get` streams GetObject's body; `null` on `NoSuchKey` (any 404 but `NoSuchBucket`).
 * - `put` sends a `Uint8Array` with PutObject and a stream with lib-storage's `Upload` (a stream of unknown
 *   length cannot go to PutObject): one PutObject up to `partSize`, a multipart upload beyond. When the body
 *   stream or S3 fails, the multipart upload is aborted (no object, no orphan parts; an existing object under
 *   the key is untouched) and the body is destroyed.
 * - `head` is HeadObject; `null` on 404. A HEAD answer has no body, so a missing bucket also reads as `null`.
 * - `list` pages ListObjectsV2 with continuation tokens and yields page by page (one page in memory). Each page
 *   is sorted in UTF-8 byte order: a no-op on AWS, a fix for servers that sort otherwise (fauxqs 1.9.2 uses
 *   `localeCompare`); keys arriving out of order across pages are an error rather than a silent misorder.
 * - `delete` is DeleteObject (a missing key is fine); `close` destroys the client only if the driver built it.
 *
 * Every failure is a {@link DriverError} (`E_STORAGE`) naming the operation, bucket, key and the S3 code and
 * HTTP status, with the SDK's error as `cause`; configured credentials never appear in messages. Retries are
 * the SDK's (`maxAttempts`, `retryMode`). Keys arrive validated by the `Storage` facade; the driver only
 * prepends `prefix`. Listing order, paging and the orphan-free abort are verified against fauxqs 1.9.2.
 */
export function createS3Storage(options: S3StorageOptions): StorageDriver {
  const { bucket } = options
  if (typeof bucket !== 'string' || bucket === '') throw new ConfigError('S3 storage needs a bucket name.')
  if (options.partSize !== undefined && !(options.partSize >= MIN_PART_SIZE)) {
    throw new ConfigError(
      `S3 partSize must be at least ${MIN_PART_SIZE} bytes (5 MiB); got ${options.partSize}.`,
    )
  }
  if (options.queueSize !== undefined && !(Number.isInteger(options.queueSize) && options.queueSize >= 1)) {
    throw new ConfigError(`S3 queueSize must be a positive integer; got ${options.queueSize}.`)
  }
  const base = options.prefix ?? ''
  const secrets = [
    options.credentials?.accessKeyId,
    options.credentials?.secretAccessKey,
    options.credentials?.sessionToken,
  ].filter((secret): secret is string => typeof secret === 'string' && secret.length >= 4)
  let session: Promise<Session> | undefined
  let closed = false

  const redact = (text: string): string =>
    secrets.reduce((out, secret) => out.replaceAll(secret, '***'), text)

  const clientConfig = (): S3ClientConfig => ({
    region: options.region ?? 'us-east-1',
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
    ...(options.credentials !== undefined ? { credentials: { ...options.credentials } } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.retryMode !== undefined ? { retryMode: options.retryMode } : {}),
  })

  const open = async (): Promise<Session> => {
    const [sdk, storage] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')])
    return { sdk, storage, client: options.client ?? new sdk.S3Client(clientConfig()) }
  }

  const connect = (): Promise<Session> => {
    if (closed) return Promise.reject(new Error('the driver is closed'))
    session ??= open().catch((error: unknown) => {
      session = undefined
      throw error
    })
    return session
  }

  /** The error thrown for a failed `action` on `target` (a key or a listing prefix). */
  const failure = (action: string, target: string, error: unknown, body?: Readable): DriverError => {
    const { code, status, message } = factsOf(error)
    const bodyFailed = body !== undefined && body.errored !== null && body.errored === error
    const explain = code === undefined ? undefined : EXPLANATIONS.get(code)
    const reason = bodyFailed
      ? `the body stream failed: ${message}`
      : (explain?.(bucket) ??
        (message === '' || message === code || message === 'UnknownError' ? '' : message))
    const details = bodyFailed ? [] : [code, status === undefined ? undefined : `HTTP ${status}`]
    const suffix = details.filter((detail) => detail !== undefined).join(', ')
    const text = [reason, suffix === '' ? '' : `(${suffix})`].filter((part) => part !== '').join(' ')
    return new DriverError(
      'E_STORAGE',
      redact(`S3 ${action} "${target}" in bucket "${bucket}" failed: ${text || 'unknown error'}`),
      { cause: error },
    )
  }

  const sendStream = async (session: Session, key: string, body: Readable): Promise<void> => {
    if (!('config' in session.client)) {
      throw new Error(
        "streamed puts need an S3Client: lib-storage reads the client's `config`, the given one has none",
      )
    }
    const upload = new session.storage.Upload({
      client: session.client as S3Client,
      params: { Bucket: bucket, Key: key, Body: body },
      leavePartsOnError: false,
      ...(options.partSize !== undefined ? { partSize: options.partSize } : {}),
      ...(options.queueSize !== undefined ? { queueSize: options.queueSize } : {}),
    })
    await upload.done()
  }

  return {
    name: DRIVER_NAME,

    async get(key) {
      const target = base + key
      try {
        const { sdk, client } = await connect()
        const out = (await client.send(
          new sdk.GetObjectCommand({ Bucket: bucket, Key: target }),
        )) as GetObjectCommandOutput
        const body: unknown = out.Body
        if (body instanceof Readable) return body
        return Readable.from(body === undefined ? [] : (body as AsyncIterable<Uint8Array>))
      } catch (error) {
        if (isMissingKey(error)) return null
        throw failure('get of', target, error)
      }
    },

    async put(key, body) {
      const target = base + key
      try {
        const current = await connect()
        if (body instanceof Uint8Array) {
          const command = new current.sdk.PutObjectCommand({
            Bucket: bucket,
            Key: target,
            Body: body,
            ContentLength: body.byteLength,
          })
          await current.client.send(command)
        } else {
          await sendStream(current, target, body)
        }
      } catch (error) {
        if (body instanceof Readable) {
          const failed = failure('put of', target, error, body)
          if (!body.destroyed) body.destroy()
          throw failed
        }
        throw failure('put of', target, error)
      }
    },

    async head(key) {
      const target = base + key
      try {
        const { sdk, client } = await connect()
        const out = (await client.send(
          new sdk.HeadObjectCommand({ Bucket: bucket, Key: target }),
        )) as HeadObjectCommandOutput
        return { key, size: out.ContentLength ?? 0, modified: out.LastModified ?? new Date(0) }
      } catch (error) {
        if (isMissingKey(error)) return null
        throw failure('head of', target, error)
      }
    },

    async *list(prefix) {
      const target = base + prefix
      let last: string | undefined
      let token: string | undefined
      do {
        let page: ListObjectsV2CommandOutput
        try {
          const { sdk, client } = await connect()
          const command = new sdk.ListObjectsV2Command({
            Bucket: bucket,
            Prefix: target,
            ContinuationToken: token,
          })
          page = (await client.send(command)) as ListObjectsV2CommandOutput
        } catch (error) {
          throw failure('list of prefix', target, error)
        }
        const infos: ObjectInfo[] = []
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined || !object.Key.startsWith(target)) continue
          const modified = object.LastModified ?? new Date(0)
          infos.push({ key: object.Key.slice(base.length), size: object.Size ?? 0, modified })
        }
        infos.sort((a, b) => compareKeys(a.key, b.key))
        for (const info of infos) {
          if (last !== undefined && compareKeys(info.key, last) <= 0) {
            const order = `the server listed "${base + info.key}" after "${base + last}" (not in key order)`
            throw failure('list of prefix', target, new Error(order))
          }
          last = info.key
          yield info
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined
        if (page.IsTruncated && token === undefined) {
          throw failure(
            'list of prefix',
            target,
            new Error('a truncated page came without a continuation token'),
          )
        }
      } while (token !== undefined)
    },

    async delete(key) {
      const target = base + key
      try {
        const { sdk, client } = await connect()
        await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: target }))
      } catch (error) {
        throw failure('delete of', target, error)
      }
    },

    async close() {
      closed = true
      const pending = session
      session = undefined
      if (pending === undefined || options.client !== undefined) return
      const opened = await pending.catch(() => undefined)
      opened?.client.destroy?.()
    },
  }
}
