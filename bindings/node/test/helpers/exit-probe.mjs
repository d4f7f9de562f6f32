// Ends a Node environment while logins are in flight, for test/hardening.test.mjs: a custom
// provider is called from the core's worker threads through napi's thread-safe functions, and
// those calls must neither crash nor hang the process when the environment goes away under them.
//
// Usage: node exit-probe.mjs exit     ->  process.exit(0) with sixteen logins in flight;
//        node exit-probe.mjs workers  ->  terminates four worker threads, each with sixteen
//                                         logins in flight, then prints {logins} and exits.
// In both, the parent asserts a clean exit (status 0, no signal).
import './isolation.mjs'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { Authenticator } from '../../index.mjs'

/** Sixteen logins always in flight, each through a provider that answers after a timer. */
function keepLoggingIn(onLogin) {
  for (let i = 0; i < 8; i++) {
    const auth = new Authenticator({
      timeoutMs: 5000,
      provider: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1 + (i % 3)))
        return { accessKeyId: `AKIAEXITPROBE${i}`, secretAccessKey: 'probe-secret-not-shown', sessionToken: 't', expiration: new Date(Date.now() + 3600e3) }
      },
    })
    const again = () => auth.credentials().then(() => { onLogin(); again() }, (e) => { console.error(e.message); again() })
    again()
    again()
  }
}

const ENOUGH = 40

if (!isMainThread) {
  let logins = 0
  keepLoggingIn(() => {
    logins++
    if (logins === workerData.enough) parentPort.postMessage(logins)
  })
} else if (process.argv[2] === 'exit') {
  let logins = 0
  keepLoggingIn(() => {
    logins++
    if (logins === ENOUGH) {
      console.log(JSON.stringify({ logins }))
      process.exit(0)
    }
  })
} else if (process.argv[2] === 'workers') {
  let logins = 0
  for (let round = 0; round < 4; round++) {
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { enough: ENOUGH } })
    worker.on('error', (e) => console.error(`worker error: ${e.message}`))
    logins += await new Promise((resolve) => worker.once('message', resolve))
    await worker.terminate()
  }
  console.log(JSON.stringify({ logins }))
} else {
  console.error('usage: exit-probe.mjs exit|workers')
  process.exit(2)
}
