import { createHash } from 'node:crypto'

/** Lower-case hex MD5 of a UTF-8 string (the original's `hashlib.md5(text.encode()).hexdigest()`). */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex')
}
