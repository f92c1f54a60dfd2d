import { request as httpRequest } from 'node:http'
import { expect } from 'chai'
import { call, FIELDS, names, records } from './emulator-test-helpers.js'
import { type KnackEmulator, startKnackEmulator } from './knack-emulator.js'

describe('Knack emulator (spec external-apis §2)', () => {
  let emu: KnackEmulator
  beforeEach(async () => {
    emu = await startKnackEmulator()
    emu.setObject('object_1', records(2505), FIELDS)
  })
  afterEach(() => emu.close())

  describe('paging (§2.4)', () => {
    const cases = [
      { query: '', page: 1, pages: 101, count: 25, first: 'r1' },
      { query: '?page=3&rows_per_page=100', page: 3, pages: 26, count: 100, first: 'r201' },
      { query: '?rows_per_page=1000&page=3', page: 3, pages: 3, count: 505, first: 'r2001' },
      { query: '?rows_per_page=5000', page: 1, pages: 3, count: 1000, first: 'r1' },
      { query: '?rows_per_page=1000&page=4', page: 4, pages: 3, count: 0, first: undefined },
    ]
    for (const c of cases) {
      it(`GET records${c.query || ' (defaults)'} → page ${c.page}/${c.pages}, ${c.count} records`, async () => {
        const { status, body } = await call(emu, `/objects/object_1/records${c.query}`)
        expect(status).to.equal(200)
        expect(body.total_records).to.equal(2505)
        expect(body.total_pages).to.equal(c.pages)
        expect(body.current_page).to.equal(c.page)
        expect(names(body)).to.have.length(c.count)
        expect(names(body)[0]).to.equal(c.first)
      })
    }

    it('can over-announce: total_records 2005 for 2000 records, the third page is empty', async () => {
      emu.setObject('object_1', records(2000))
      emu.announceExtra('object_1', 5)
      const third = await call(emu, '/objects/object_1/records?rows_per_page=1000&page=3')
      expect(third.body).to.include({ total_records: 2005, total_pages: 3, current_page: 3 })
      expect(third.body.records).to.deep.equal([])
    })

    it('answers 400 for rows_per_page above 1000 when configured to reject', async () => {
      await emu.close()
      emu = await startKnackEmulator({ overMaxRowsPerPage: 'reject' })
      emu.setObject('object_1', records(3), FIELDS)
      expect((await call(emu, '/objects/object_1/records?rows_per_page=1001')).status).to.equal(400)
    })

    it('sorts by sort_field / sort_order', async () => {
      const { body } = await call(
        emu,
        '/objects/object_1/records?sort_field=field_2&sort_order=desc&rows_per_page=3',
      )
      expect(names(body)).to.deep.equal(['r2505', 'r2504', 'r2503'])
    })

    it('lets a test change the records between page requests (onList): a record inserted first shifts page 2', async () => {
      emu.setObject('object_1', records(4))
      emu.onList = (_object, page) => {
        if (page === 2) emu.setObject('object_1', [{ field_1: 'new', field_2: 0 }, ...records(4)])
      }
      const first = await call(emu, '/objects/object_1/records?rows_per_page=2&page=1')
      const second = await call(emu, '/objects/object_1/records?rows_per_page=2&page=2')
      expect([...names(first.body), ...names(second.body)]).to.deep.equal(['r1', 'r2', 'r2', 'r3'])
    })
  })

  describe('filters (§2.5)', () => {
    beforeEach(() => {
      emu.setObject('object_1', [
        { field_1: 'Alpha', field_2: 5, field_3: '06/01/2019 10:26', field_4: 'BLUETOOTH' },
        { field_1: 'beta', field_2: 15, field_3: '06/02/2019 00:00', field_4: 'RADAR', field_6: true },
        { field_1: '', field_2: 25, field_5: [{ id: '5e0000000000000000000abc', identifier: 'LOC-1' }] },
      ])
    })
    const cases: [string, unknown, string[]][] = [
      [
        'object form, is',
        { match: 'and', rules: [{ field: 'field_4', operator: 'is', value: 'RADAR' }] },
        ['beta'],
      ],
      ['bare array ⇒ and', [{ field: 'field_1', operator: 'is', value: 'ALPHA' }], ['Alpha']],
      [
        'match or',
        {
          match: 'or',
          rules: [
            { field: 'field_2', operator: 'higher than', value: 20 },
            { field: 'field_2', operator: 'lower than', value: 6 },
          ],
        },
        ['Alpha', ''],
      ],
      ['is blank (no value)', [{ field: 'field_1', operator: 'is blank' }], ['']],
      ['is not blank', [{ field: 'field_1', operator: 'is not blank' }], ['Alpha', 'beta']],
      ['is not', [{ field: 'field_4', operator: 'is not', value: 'BLUETOOTH' }], ['beta', '']],
      ['contains', [{ field: 'field_1', operator: 'contains', value: 'ET' }], ['beta']],
      ['number is', [{ field: 'field_2', operator: 'is', value: '15' }], ['beta']],
      ['boolean is 1', [{ field: 'field_6', operator: 'is', value: 1 }], ['beta']],
      ['connection by identifier', [{ field: 'field_5', operator: 'is', value: 'LOC-1' }], ['']],
      ['date is (day)', [{ field: 'field_3', operator: 'is', value: '06/01/2019' }], ['Alpha']],
      ['date is after (day)', [{ field: 'field_3', operator: 'is after', value: '06/01/2019' }], ['beta']],
      [
        'date is after (minute)',
        [{ field: 'field_3', operator: 'is after', value: '06/01/2019 10:25' }],
        ['Alpha', 'beta'],
      ],
      ['date is before', [{ field: 'field_3', operator: 'is before', value: '06/02/2019' }], ['Alpha']],
    ]
    for (const [name, filter, expected] of cases) {
      it(name, async () => {
        const { status, body } = await call(
          emu,
          `/objects/object_1/records?filters=${encodeURIComponent(JSON.stringify(filter))}`,
        )
        expect(status).to.equal(200)
        expect(names(body)).to.deep.equal(expected)
        expect(body.total_records).to.equal(expected.length)
      })
    }
    const bad: [string, string][] = [
      ['unknown operator', JSON.stringify([{ field: 'field_1', operator: 'sounds like', value: 'x' }])],
      ['unknown field', JSON.stringify([{ field: 'field_99', operator: 'is', value: 'x' }])],
      ['malformed JSON', '{"match":'],
    ]
    for (const [name, filter] of bad) {
      it(`400 for ${name}`, async () => {
        const { status, body } = await call(
          emu,
          `/objects/object_1/records?filters=${encodeURIComponent(filter)}`,
        )
        expect(status).to.equal(400)
        expect(body).to.have.property('errors').that.is.an('array').with.length(1)
      })
    }
  })

  describe('auth (§2.2)', () => {
    it('401 with {errors} for missing or wrong credentials, and for the literal "knack" on object routes', async () => {
      const variants: Record<string, string>[] = [
        {},
        { 'X-Knack-Application-Id': emu.appId, 'X-Knack-REST-API-Key': 'wrong' },
        { 'X-Knack-Application-Id': 'other', 'X-Knack-REST-API-Key': emu.apiKey },
        { 'X-Knack-Application-Id': emu.appId, 'X-Knack-REST-API-Key': 'knack' },
      ]
      for (const headers of variants) {
        const { status, body } = await call(emu, '/objects/object_1/records', { auth: 'none', headers })
        expect(status).to.equal(401)
        expect((body.errors as { message: string }[])[0]?.message).to.match(/X-Knack/)
      }
    })

    it('accepts header names in any case', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const url = new URL(`${emu.url}/objects/object_1/records`)
        const req = httpRequest(
          url,
          { headers: { 'X-KNACK-APPLICATION-ID': emu.appId, 'x-knack-rest-api-key': emu.apiKey } },
          (res) => {
            res.resume()
            resolve(res.statusCode ?? 0)
          },
        )
        req.on('error', reject)
        req.end()
      })
      expect(status).to.equal(200)
    })

    it('view routes accept the literal key "knack"; a login-protected view needs a user token (403)', async () => {
      emu.setView('scene_4', 'view_4', [{ field_9: 'Bluetooth' }], {
        fields: [{ key: 'field_9', label: 'data_source' }],
      })
      expect((await call(emu, '/pages/scene_4/views/view_4/records', { auth: 'view' })).status).to.equal(200)
      emu.setView('scene_9', 'view_9', [], { object: 'object_1', loginRequired: true })
      expect((await call(emu, '/pages/scene_9/views/view_9/records', { auth: 'view' })).status).to.equal(403)
      const withToken = await call(emu, '/pages/scene_9/views/view_9/records', {
        auth: 'view',
        headers: { Authorization: 'user-token' },
      })
      expect(withToken.status).to.equal(200)
    })

    it('serves the application metadata without auth: objects with field keys, labels and types', async () => {
      const { status, body } = await call(emu, `/applications/${emu.appId}`, { auth: 'none' })
      expect(status).to.equal(200)
      const app = body.application as { objects: { key: string; fields: unknown[] }[] }
      const object = app.objects.find((o) => o.key === 'object_1')
      expect(object?.fields[0]).to.deep.include({ key: 'field_1', name: 'NAME', type: 'short_text' })
    })
  })

  describe('record shapes (§2.3)', () => {
    it('returns field_N and field_N_raw; date/time carries local wall time labelled as UTC', async () => {
      emu.setObject('object_1', [
        {
          id: '58643557d1ea9432222f3cbb',
          field_1: 'x',
          field_3: { date: '06/01/2019', hours: 4, minutes: 14, am_pm: 'PM' },
          field_6: false,
        },
      ])
      const { body } = await call(emu, '/objects/object_1/records')
      const record = (body.records as Record<string, unknown>[])[0] as Record<string, unknown>
      expect(record.id).to.equal('58643557d1ea9432222f3cbb')
      expect(record).to.include({
        field_1: 'x',
        field_1_raw: 'x',
        field_3: '06/01/2019 16:14',
        field_6: 'No',
      })
      expect(record.field_6_raw).to.equal(false)
      expect(record.field_3_raw).to.include({
        date: '06/01/2019',
        hours: '04',
        minutes: '14',
        am_pm: 'PM',
        unix_timestamp: Date.UTC(2019, 5, 1, 16, 14),
        iso_timestamp: '2019-06-01T16:14:00.000Z',
        time: 16 * 60 + 14,
      })
    })

    it('format=raw sends only field_N_raw, format=html only field_N', async () => {
      const raw = await call(emu, '/objects/object_1/records?format=raw&rows_per_page=1')
      expect(Object.keys((raw.body.records as object[])[0] as object))
        .to.include('field_1_raw')
        .and.not.include('field_1')
      const html = await call(emu, '/objects/object_1/records?format=html&rows_per_page=1')
      expect(Object.keys((html.body.records as object[])[0] as object))
        .to.include('field_1')
        .and.not.include('field_1_raw')
    })
  })
})
