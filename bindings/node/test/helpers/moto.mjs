// Starts tests/e2e/moto_sts.py (moto as a SigV4-verifying STS on 127.0.0.1, IAM auth on, a seeded
// user and roles) with a Python that has moto: $MONGOAWSAUTH_MOTO_PYTHON, or the venvs the
// Makefile creates under target/.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { childEnv } from './isolation.mjs'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))

/** A Python interpreter that can import moto, or undefined. */
export function motoPython() {
  const candidates = [
    process.env.MONGOAWSAUTH_MOTO_PYTHON,
    `${repo}target/moto-venv/bin/python`,
    `${repo}target/python/venv/bin/python`,
  ].filter((p) => p && existsSync(p))
  return candidates.find((python) => spawnSync(python, ['-c', 'import moto, flask, flask_cors'], { env: childEnv() }).status === 0)
}

export async function startMoto(python) {
  const child = spawn(python, [`${repo}tests/e2e/moto_sts.py`], { env: childEnv(), stdio: ['pipe', 'pipe', 'inherit'] })
  const line = await new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`moto_sts.py exited with ${code} before it was ready`)))
    createInterface({ input: child.stdout }).once('line', resolve)
  })
  const state = JSON.parse(line)
  if (state.auth !== true) throw new Error('moto started without IAM authentication: it would verify nothing')
  state.stop = async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.stdin.end()
    await exited
  }
  return state
}
