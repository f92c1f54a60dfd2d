import { Writable } from 'node:stream'
import { expect } from 'chai'
import { EtlError } from '../../src/support/errors.js'
import { createLogger, silentLogger } from '../../src/support/logger.js'

function capture() {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean))
      done()
    },
  })
  return { lines, logger: createLogger({ level: 'info', destination }) }
}

describe('logger', () => {
  it('redacts secrets at the top level and nested, under every secret field name', () => {
    const { lines, logger } = capture()
    logger.info(
      {
        password: 'p1',
        token: 't1',
        catalog: { apiKey: 'k1', url: 'http://catalog' },
        request: { headers: { authorization: 'Bearer abc' } },
        aws: { secretAccessKey: 's1', accessKeyId: 'a1', region: 'us-east-1' },
      },
      'connecting',
    )
    const text = lines.join('\n')
    for (const secret of ['p1', 't1', 'k1', 'Bearer abc', 's1', 'a1']) expect(text).not.to.contain(secret)
    const line = JSON.parse(lines[0] as string)
    expect(line.password).to.equal('[redacted]')
    expect(line.catalog).to.deep.equal({ apiKey: '[redacted]', url: 'http://catalog' })
    expect(line.request.headers.authorization).to.equal('[redacted]')
    expect(line.aws.region).to.equal('us-east-1')
  })

  it('serialises errors with their code and cause under err', () => {
    const { lines, logger } = capture()
    const error = new EtlError('E_STORAGE', 'cannot write', { cause: new Error('disk full') })
    logger.error({ err: error }, 'failed')
    const line = JSON.parse(lines[0] as string)
    expect(line.err.code).to.equal('E_STORAGE')
    expect(line.err.message).to.contain('cannot write')
    expect(JSON.stringify(line.err)).to.contain('disk full')
  })

  it('silentLogger drops everything', () => {
    expect(silentLogger().isLevelEnabled('fatal')).to.equal(false)
  })
})
