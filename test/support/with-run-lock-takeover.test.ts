import { spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { expect, use } from 'chai'
import chaiAsPromised from 'chai-as-promised'
import { createMemoryRunLock } from '../../src/drivers/run-lock/memory.js'
import { isDeadLocalOwner, LockedError } from '../../src/support/run-lock.js'
import { withRunLock } from '../../src/support/with-run-lock.js'

use(chaiAsPromised)

const KEY = 'bt-json-standard/bt'
const HOST = hostname()

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  return child.pid as number
}

describe('withRunLock: taking over the lock of a killed run', () => {
  const dead = deadPid()

  it('isDeadLocalOwner tells a dead process of this host from everything else', () => {
    const cases: [string, boolean][] = [
      [`${HOST}:${dead}:0a1b2c3d`, true],
      [`${HOST}:${process.pid}:0a1b2c3d`, false],
      [`${HOST}:${process.ppid}:0a1b2c3d`, false],
      [`another-${HOST}:${dead}:0a1b2c3d`, false],
      [`${HOST}:not-a-pid:0a1b2c3d`, false],
      [`${HOST}:0:0a1b2c3d`, false],
      ['cron-1', false],
      ['', false],
    ]
    for (const [owner, expected] of cases) expect(isDeadLocalOwner(owner), owner).to.equal(expected)
    expect(isDeadLocalOwner(`my:host:${dead}:0a1b2c3d`, 'my:host')).to.equal(true)
  })

  it('takes over at once a lock whose owner process is gone, long before its lease ends', async () => {
    const lock = createMemoryRunLock()
    expect(await lock.acquire(KEY, { owner: `${HOST}:${dead}:0a1b2c3d`, leaseMs: 600_000 })).to.not.equal(
      null,
    )
    const holder = await withRunLock(lock, KEY, async () => (await lock.held(KEY))?.owner, {
      owner: 'next-run',
    })
    expect(holder).to.equal('next-run')
    expect(await lock.held(KEY)).to.equal(null)
  })

  it('still refuses while the owner process runs, or when takeover is disabled', async () => {
    const lock = createMemoryRunLock()
    await lock.acquire(KEY, { owner: `${HOST}:${process.ppid}:0a1b2c3d`, leaseMs: 600_000 })
    await expect(withRunLock(lock, KEY, async () => 1, { owner: 'next-run' })).to.be.rejectedWith(LockedError)
    const other = createMemoryRunLock()
    await other.acquire(KEY, { owner: `${HOST}:${dead}:0a1b2c3d`, leaseMs: 600_000 })
    await expect(
      withRunLock(other, KEY, async () => 1, { owner: 'next-run', isOwnerDead: () => false }),
    ).to.be.rejectedWith(LockedError)
    expect((await other.held(KEY))?.owner).to.equal(`${HOST}:${dead}:0a1b2c3d`)
  })
})
