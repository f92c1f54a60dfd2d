import { createHmac } from 'node:crypto'

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url')
}

/** Signs an HS256 JWT (what PostgREST verifies with `PGRST_JWT_SECRET`). */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const payload = base64url(JSON.stringify(claims))
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')
  return `${header}.${payload}.${signature}`
}
