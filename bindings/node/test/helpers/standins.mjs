// Starts the testkit's loopback stand-ins (fake mongod, STS, IMDS, container endpoint) through
// their binary, which prints one JSON line describing them and runs until its stdin closes.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { childEnv } from './isolation.mjs'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))

export function standinsBinary() {
  const candidates = [
    process.env.MONGOAWSAUTH_STANDINS,
    `${repo}target/debug/mongoawsauth-standins`,
    `${repo}target/release/mongoawsauth-standins`,
  ].filter(Boolean)
  const found = candidates.find((path) => existsSync(path))
  if (!found) {
    throw new Error(
      'mongoawsauth-standins is not built: run `cargo build -p mongoawsauth-testkit --bin mongoawsauth-standins` (npm test does it)',
    )
  }
  return found
}

/** Starts the stand-ins; `args` go to the binary (e.g. ['--sts-url', url]). */
export async function startStandins(args = []) {
  const child = spawn(standinsBinary(), args, { env: childEnv(), stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const first = await new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`mongoawsauth-standins exited with ${code} before it was ready`)))
    lines.once('line', resolve)
  })
  const info = JSON.parse(first)
  info.stop = async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.stdin.end()
    await exited
  }
  return info
}
