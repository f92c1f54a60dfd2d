import { DateTime } from 'luxon'
import type { P2File } from './p2-shared.js'

/** A push-based converter: feed it text, then end it. */
export interface BareConverter {
  push(text: string): void
  end(): void
}

/** Anything but printable ASCII without `"` and `\\`. */
const UNSUPPORTED = /[^ !#-[\]-~]/

/**
 * The "machine's limit" contestant of P2: splits IAF lines (CRLF or LF, blank lines skipped) on commas and writes the
 * standardized JSON document by string concatenation, converting the zero-padded AM/PM times with a cache per
 * date and hour. Only what the synthetic files contain is supported (no quotes, escapes or extra fields): anything
 * else throws rather than writing different bytes.
 */
export function bareStandardize(file: P2File, write: (text: string) => void): BareConverter {
  const hours = new Map<string, { prefix: string; offset: string }>()
  const time = (text: string | undefined): string => {
    if (text === undefined || text === '') return 'null'
    if (text.length !== 22 || text.charCodeAt(2) !== 47 || text.charCodeAt(13) !== 58) {
      throw new Error(`bare: unsupported time ${JSON.stringify(text)}`)
    }
    const key = text.slice(0, 13) + text.charAt(20)
    let hour = hours.get(key)
    if (!hour) {
      const h12 = Number(text.slice(11, 13))
      const h = (h12 % 12) + (text.charAt(20) === 'P' ? 12 : 0)
      const [mm, dd, yyyy] = [text.slice(0, 2), text.slice(3, 5), text.slice(6, 10)]
      const dt = DateTime.fromObject(
        { year: Number(yyyy), month: Number(mm), day: Number(dd), hour: h },
        { zone: 'America/Chicago' },
      )
      hour = { prefix: `${yyyy}-${mm}-${dd} ${h < 10 ? '0' : ''}${h}:`, offset: dt.toFormat('ZZ') }
      hours.set(key, hour)
    }
    return `"${hour.prefix}${text.slice(14, 19)}${hour.offset}"`
  }
  const str = (text: string | undefined): string => (text === undefined ? 'null' : `"${text}"`)
  let carry = ''
  let out =
    `{"header": {"data_type": "bluetooth", "file_type": "unmatched", "origin_filename": "${file.originFilename}", ` +
    `"target_filename": "${file.targetFilename}", "collection_date": "${file.collectionDate}", ` +
    `"processing_date": "${file.processingDate}"}, "data": [`
  let first = true
  const line = (raw: string) => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (text === '') return
    if (UNSUPPORTED.test(text)) throw new Error(`bare: unsupported line ${JSON.stringify(text)}`)
    const f = text.split(',')
    if (f.length > 5) throw new Error(`bare: unsupported extra fields ${JSON.stringify(text)}`)
    out +=
      `${first ? '' : ', '}{"host_timestamp": ${time(f[0])}, "ip_address": ${str(f[1])}, ` +
      `"field_timestamp": ${time(f[2])}, "reader_id": ${str(f[3])}, "dev_addr": ${str(f[4])}}`
    first = false
  }
  return {
    push(text) {
      const lines = (carry + text).split('\n')
      carry = lines.pop() ?? ''
      for (const l of lines) line(l)
      if (out.length >= 1 << 20) {
        write(out)
        out = ''
      }
    },
    end() {
      line(carry)
      write(`${out}]}`)
    },
  }
}
