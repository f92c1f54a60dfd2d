import { keepServiceLogs, stopTestServices } from './index.js'

/** Mocha root hooks: keep server logs when a test fails; stop the servers after the whole run. */
export const mochaHooks = {
  afterEach(this: { currentTest?: { state?: string } }) {
    if (this.currentTest?.state === 'failed') keepServiceLogs()
  },
  async afterAll() {
    await stopTestServices()
  },
}
