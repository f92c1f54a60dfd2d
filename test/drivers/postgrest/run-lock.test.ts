import { expect } from 'chai'
import { PostgrestError } from '../../../src/drivers/postgrest/client.js'
import { createPostgrestRunLock } from '../../../src/drivers/postgrest/run-lock.js'
import { describeRunLockContract } from '../../contract/run-lock.contract.js'
import { getTestServices, TEST_ROLES } from '../../services/index.js'

describe('run lock through real PostgREST 12 (POST /rpc/etl_try_lock)', function () {
  this.timeout(120_000)

  describeRunLockContract('postgrest', async () => {
    const { postgrest } = await getTestServices()
    const make = () => createPostgrestRunLock({ url: postgrest.url, token: postgrest.token() })
    return { a: make(), b: make() }
  })

  it('refuses the anonymous role (no catalog write grant) with 42501', async () => {
    const { postgrest } = await getTestServices()
    const anon = createPostgrestRunLock({ url: postgrest.url, retries: 0 })
    const error = await anon.acquire('bt-ready/bt', { owner: 'x', leaseMs: 1000 }).catch((e: unknown) => e)
    expect(error).to.be.instanceOf(PostgrestError)
    expect((error as PostgrestError).postgrestCode).to.equal('42501')
    expect((error as PostgrestError).path).to.equal('/rpc/etl_try_lock')
    const asAnonToken = createPostgrestRunLock({
      url: postgrest.url,
      token: postgrest.token(TEST_ROLES.anon),
      retries: 0,
    })
    await expect(asAnonToken.held('bt-ready/bt')).to.be.rejectedWith(PostgrestError, /42501/)
  })

  it('does not expose the lock table itself to the writer role', async () => {
    const { postgrest } = await getTestServices()
    const response = await fetch(`${postgrest.url}/etl_run_lock`, {
      headers: { Authorization: `Bearer ${postgrest.token()}` },
    })
    expect(response.status).to.be.oneOf([401, 403])
  })
})
