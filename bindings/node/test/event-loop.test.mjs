// Nothing that may do I/O blocks the event loop: while a slow credentials endpoint takes its
// time, timers keep firing and other work completes. Only the order of events is asserted,
// never a duration.
import './helpers/isolation.mjs'
import { childEnv, sourceEnv } from './helpers/isolation.mjs'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { after, before, test } from 'node:test'
import { Authenticator, testing } from '../index.mjs'

let server
let url
before(async () => {
  const script = fileURLToPath(new URL('./helpers/creds-endpoint.mjs', import.meta.url))
  server = spawn(process.execPath, [script, '1000'], { env: childEnv(), stdio: ['pipe', 'pipe', 'inherit'] })
  url = `${await new Promise((resolve) => createInterface({ input: server.stdout }).once('line', resolve))}/creds`
})
after(() => server?.stdin.end())

test('timers fire and other promises settle while a credential fetch waits on a slow endpoint', async () => {
  testing.clear()
  const auth = new Authenticator({ env: sourceEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: url }), timeoutMs: 30000 })
  let settled = false
  let ticksBeforeSettled = 0
  const interval = setInterval(() => {
    if (!settled) ticksBeforeSettled++
  }, 10)
  const fetching = auth.credentials().finally(() => {
    settled = true
  })
  // Unrelated async work finishes first: a timer and a JS provider on the same loop.
  await new Promise((resolve) => setTimeout(resolve, 50))
  const other = new Authenticator({ env: sourceEnv(), provider: async () => ({ accessKeyId: 'AKIAOTHER', secretAccessKey: 'x' }) })
  assert.equal((await other.credentials()).accessKeyId, 'AKIAOTHER')
  assert.equal(settled, false, 'the slow fetch is still in flight while other work completed')
  const credentials = await fetching
  clearInterval(interval)
  assert.equal(credentials.accessKeyId, 'ASIASLOWSTANDIN00001')
  assert.ok(ticksBeforeSettled > 1, `the interval fired ${ticksBeforeSettled} times while the fetch waited`)
})

test('many waiting fetches share one request and none blocks the loop', async () => {
  testing.clear()
  const auth = new Authenticator({ env: sourceEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: url }), timeoutMs: 30000 })
  let turns = 0
  let done = false
  const spin = () => {
    turns++
    if (!done) setImmediate(spin)
  }
  setImmediate(spin)
  const all = await Promise.all(Array.from({ length: 20 }, () => auth.credentials()))
  done = true
  assert.equal(new Set(all.map((c) => c.generation)).size, 1)
  assert.ok(turns > 20, `the loop turned ${turns} times during the fetch`)
})
