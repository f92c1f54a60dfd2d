import { expect } from 'chai'
import { type SocrataEmulator, startSocrataEmulator } from './index.js'
import { call } from './test-client.js'

const DS = 'cnts-0001'
const COLUMNS = [
  { fieldName: 'id', dataType: 'text' },
  { fieldName: 'name', dataType: 'text' },
  { fieldName: 'volume', dataType: 'number' },
  { fieldName: 'ok', dataType: 'checkbox' },
  { fieldName: 'ts', dataType: 'floating_timestamp' },
  { fieldName: 'at', dataType: 'fixed_timestamp' },
  { fieldName: 'point', dataType: 'point' },
] as const

const ROWS = [
  { id: 'r1', name: 'Alpha', volume: 10, ok: true, ts: '2024-01-01T00:00:00', at: '2024-01-01T06:00:00Z' },
  {
    id: 'r2',
    name: "Bob's",
    volume: '2.5',
    ok: false,
    ts: '2024-01-02T12:30:00',
    at: '2024-01-02T00:00:00-06:00',
  },
  { id: 'r3', name: 'alpha', volume: -4, ts: '2024-01-03T00:00:00' },
  { id: 'r4', volume: 100, ok: true, point: { type: 'Point', coordinates: [-97.74, 30.27] } },
]

const q = (params: Record<string, string>) => `/resource/${DS}.json?${new URLSearchParams(params)}`

describe('Socrata emulator: SoQL queries and output typing (external-apis.md §1.5, §1.6)', () => {
  let emu: SocrataEmulator
  before(async () => {
    emu = await startSocrataEmulator({ now: () => new Date('2024-05-01T00:00:00Z') })
    emu.createDataset(DS, { columns: COLUMNS, rowIdentifier: 'id' })
    const reply = await call(emu, 'POST', `/resource/${DS}.json`, { body: ROWS })
    expect(reply.body).to.include({ 'Rows Created': 4, Errors: 0 })
  })
  after(async () => {
    await emu.close()
  })
  const ids = async (params: Record<string, string>): Promise<unknown> => {
    const reply = await call(emu, 'GET', q({ $order: 'id', ...params }))
    expect(reply.status, reply.text).to.equal(200)
    return (reply.body as { id: string }[]).map((r) => r.id)
  }

  it('returns wire types: numbers as strings, floating timestamps with .000, fixed in UTC, null keys omitted', async () => {
    const reply = await call(emu, 'GET', q({ $order: 'id' }))
    expect(reply.body).to.deep.equal([
      {
        id: 'r1',
        name: 'Alpha',
        volume: '10',
        ok: true,
        ts: '2024-01-01T00:00:00.000',
        at: '2024-01-01T06:00:00.000Z',
      },
      {
        id: 'r2',
        name: "Bob's",
        volume: '2.5',
        ok: false,
        ts: '2024-01-02T12:30:00.000',
        at: '2024-01-02T06:00:00.000Z',
      },
      { id: 'r3', name: 'alpha', volume: '-4', ts: '2024-01-03T00:00:00.000' },
      { id: 'r4', volume: '100', ok: true, point: { type: 'Point', coordinates: [-97.74, 30.27] } },
    ])
    expect(JSON.parse(reply.headers.get('x-soda2-fields') ?? '[]')).to.deep.equal(
      COLUMNS.map((c) => c.fieldName),
    )
    expect(JSON.parse(reply.headers.get('x-soda2-types') ?? '[]')).to.include('floating_timestamp')
  })

  const WHERE: [string, string[]][] = [
    ["name = 'Alpha'", ['r1']],
    ["name = 'alpha'", ['r3']],
    ["name != 'Alpha'", ['r2', 'r3']],
    ["name = 'Bob''s'", ['r2']],
    ['volume > 5', ['r1', 'r4']],
    ['volume >= 10', ['r1', 'r4']],
    ['volume < 2.5', ['r3']],
    ['volume <= 2.5', ['r2', 'r3']],
    ['volume = -4', ['r3']],
    ["volume < '3'", ['r2', 'r3']],
    ['volume > 1 AND volume < 50', ['r1', 'r2']],
    ["name = 'Alpha' OR volume = 100", ['r1', 'r4']],
    ["(name = 'Alpha' OR name = 'alpha') AND volume > 0", ['r1']],
    ['name IS NULL', ['r4']],
    ['name is not null', ['r1', 'r2', 'r3']],
    ['ok IS NULL', ['r3']],
    ['ok = true', ['r1', 'r4']],
    ['ok', ['r1', 'r4']],
    ["NOT name = 'Alpha'", ['r2', 'r3']],
    ["ts > '2024-01-01T12:00:00'", ['r2', 'r3']],
    ["ts between '2024-01-01T00:00:00' and '2024-01-02T12:30:00'", ['r1', 'r2']],
    ["at < '2024-01-02T03:00:00Z'", ['r1']],
    [':id IS NOT NULL AND volume = 100', ['r4']],
  ]
  for (const [where, expected] of WHERE) {
    it(`$where=${where} → ${expected.join(', ')}`, async () => {
      expect(await ids({ $where: where })).to.deep.equal(expected)
    })
  }

  it('simple equality filters (?column=value) are ANDed', async () => {
    expect(await ids({ volume: '10' })).to.deep.equal(['r1'])
    expect(await ids({ volume: '10', name: 'alpha' })).to.deep.equal([])
  })

  it('$select picks, renames and adds system fields with :*', async () => {
    const reply = await call(emu, 'GET', q({ $select: 'id, volume AS v', $where: "id = 'r1'" }))
    expect(reply.body).to.deep.equal([{ id: 'r1', v: '10' }])
    const system = await call(emu, 'GET', q({ $select: ':*, id', $where: "id = 'r4'" }))
    expect(system.body).to.deep.equal([
      {
        ':id': (system.body as { ':id': string }[])[0]?.[':id'],
        ':created_at': '2024-05-01T00:00:00.000Z',
        ':updated_at': '2024-05-01T00:00:00.000Z',
        id: 'r4',
      },
    ])
    expect((system.body as Record<string, string>[])[0]?.[':id']).to.match(/^row-/)
  })

  const ORDER: [string, string[]][] = [
    ['volume', ['r3', 'r2', 'r1', 'r4']],
    ['volume DESC', ['r4', 'r1', 'r2', 'r3']],
    ['name', ['r1', 'r2', 'r3', 'r4']],
    ['name DESC', ['r4', 'r3', 'r2', 'r1']],
    ['ok DESC, id DESC', ['r3', 'r4', 'r1', 'r2']],
  ]
  for (const [order, expected] of ORDER) {
    it(`$order=${order} → ${expected.join(', ')} (nulls last ascending, first descending [A])`, async () => {
      expect(await ids({ $order: order })).to.deep.equal(expected)
    })
  }

  it('$limit and 0-based $offset page; an exact multiple ends with an empty page', async () => {
    expect(await ids({ $limit: '2', $offset: '0' })).to.deep.equal(['r1', 'r2'])
    expect(await ids({ $limit: '2', $offset: '2' })).to.deep.equal(['r3', 'r4'])
    expect(await ids({ $limit: '2', $offset: '4' })).to.deep.equal([])
  })

  it('$limit defaults to 1000', async () => {
    emu.createDataset('many-0001', { columns: [{ fieldName: 'n', dataType: 'number' }] })
    const body = Array.from({ length: 1001 }, (_, n) => ({ n }))
    await call(emu, 'POST', '/resource/many-0001.json', { body })
    const reply = await call(emu, 'GET', '/resource/many-0001.json')
    expect(reply.body).to.have.length(1000)
  })

  it('shuffles unordered results when seeded, never ordered ones (§1.9 #10)', async () => {
    const shuffled = await startSocrataEmulator({ shuffleSeed: 7 })
    try {
      shuffled.createDataset('shuf-0001', { columns: [{ fieldName: 'n', dataType: 'number' }] })
      await call(shuffled, 'POST', '/resource/shuf-0001.json', {
        body: Array.from({ length: 20 }, (_, n) => ({ n })),
      })
      const unordered = (
        (await call(shuffled, 'GET', '/resource/shuf-0001.json')).body as { n: string }[]
      ).map((r) => Number(r.n))
      const ordered = (
        (await call(shuffled, 'GET', '/resource/shuf-0001.json?$order=n')).body as { n: string }[]
      ).map((r) => Number(r.n))
      expect(unordered).to.have.members(ordered)
      expect(unordered).not.to.deep.equal(ordered)
      expect(ordered).to.deep.equal([...Array(20).keys()])
    } finally {
      await shuffled.close()
    }
  })

  const ERRORS: [string, Record<string, string>, Record<string, unknown>][] = [
    ['unknown column in $select', { $select: 'nope' }, { errorCode: 'query.soql.no-such-column' }],
    ['unknown column in $where', { $where: 'nope = 1' }, { errorCode: 'query.soql.no-such-column' }],
    ['unknown column in $order', { $order: 'nope' }, { errorCode: 'query.soql.no-such-column' }],
    ['text compared with a number', { $where: 'name = 1' }, { errorCode: 'query.soql.type-mismatch' }],
    ['malformed $where', { $where: "name = 'x" }, { code: 'query.compiler.malformed', error: true }],
    ['dangling operator', { $where: 'volume >' }, { code: 'query.compiler.malformed', error: true }],
    ['bad $limit', { $limit: '-1' }, { code: 'query.compiler.malformed', error: true }],
    ['unsupported $group', { $group: 'name' }, { code: 'query.compiler.malformed', error: true }],
  ]
  for (const [what, params, shape] of ERRORS) {
    it(`400 for ${what} in the ${'errorCode' in shape ? 'errorCode' : 'code'} shape (§1.7)`, async () => {
      const reply = await call(emu, 'GET', q(params))
      expect(reply.status).to.equal(400)
      expect(reply.body).to.include(shape)
      expect((reply.body as { message: unknown }).message)
        .to.be.a('string')
        .and.not.equal('')
    })
  }
})
