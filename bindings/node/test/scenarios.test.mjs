// The hermetic scenarios of tests/data/scenarios/ through the real mongodb driver with
// credentialProvider(): one test per folder, each with fresh stand-ins, its own private home and
// a child process whose environment is exactly the scenario's (the library reads the process
// environment). The same folders run from Rust (crates/mongoawsauth/tests/scenarios.rs) and
// Python; the loader's own rules are tested below them.
import './helpers/isolation.mjs'
import { childEnv as standinsEnv } from './helpers/isolation.mjs'
import { standinsBinary } from './helpers/standins.mjs'
import * as loader from './helpers/scenarios.mjs'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { after, describe, test } from 'node:test'

const repo = fileURLToPath(new URL('../../../', import.meta.url))
const SCENARIOS = join(repo, 'tests', 'data', 'scenarios')
const CHILD = fileURLToPath(new URL('./helpers/scenario-child.mjs', import.meta.url))

/** `http://host:port` of a URL: the container stand-in's base for a relative URI. */
const origin = (url) => new URL(url).origin

/** Fresh stand-ins whose counters can be read through the binary's stdin commands. */
async function startStandins() {
  const child = spawn(standinsBinary(), [], { env: standinsEnv(), stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const next = async (what) => {
    const { value, done } = await lines.next()
    if (done) throw new Error(`mongoawsauth-standins exited before ${what}`)
    return JSON.parse(value)
  }
  const info = await next('it was ready')
  return {
    info,
    async counters() {
      child.stdin.write('counters\n')
      const reply = await next('it reported its counters')
      assert.ok(reply.counters, `the stand-ins did not report counters: ${JSON.stringify(reply)}`)
      return reply.counters
    },
    async stop() {
      if (child.exitCode === null) child.stdin.end()
      await exited
    },
  }
}

function runChild(prepared, request, hidden) {
  const env = loader.childEnv(prepared)
  assert.ok(Object.keys(env).every((k) => !k.startsWith('AWS_') || k in prepared.env))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], { env, cwd: prepared.home, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      const last = stdout.trim().split('\n').at(-1)
      if (code !== 0 || !last) {
        reject(new Error(`the child process failed (exit ${code ?? signal}):\n${loader.redact(stderr.slice(-3000), hidden)}`))
      } else {
        resolve(JSON.parse(last))
      }
    })
    child.stdin.end(JSON.stringify(request))
  })
}

describe('scenarios', () => {
  for (const dir of loader.folders(SCENARIOS)) {
    const name = dir.split('/').at(-1)
    test(name, async () => {
      const scenario = loader.load(dir)
      const options = loader.nodeOptions(scenario.options)
      const standins = await startStandins()
      let problems
      let hidden = []
      try {
        const values = standins.info
        hidden = loader.secrets(values)
        // This runner points the container host at the stand-in (ecsBaseUrl below).
        const prepared = loader.prepare(scenario, values, { containerHostOverridden: true })
        try {
          const request = { uri: values.mongodb_uri, options, ecsBaseUrl: origin(values.container_url) }
          const outcome = await runChild(prepared, request, hidden)
          problems = loader.checkOutcome(scenario, prepared.values, outcome)
          if (outcome.error && hidden.some((s) => JSON.stringify(outcome).includes(s))) problems.push('the error leaks a secret')
          problems.push(...loader.checkRequests(scenario, await standins.counters()))
        } finally {
          prepared.cleanup()
        }
      } finally {
        await standins.stop()
      }
      assert.deepEqual(problems.map((p) => loader.redact(p, hidden)), [], `${scenario.name}: ${loader.redact(problems.join('; '), hidden)}`)
    })
  }

  test('every scenario folder loads', () => {
    const names = loader.folders(SCENARIOS).map((dir) => loader.load(dir).name)
    assert.ok(names.length >= 10, names.join(', '))
  })
})

// -- the loader's own rules --------------------------------------------------------------

const STANDINS = {
  imds_url: 'http://127.0.0.1:4000',
  n: 3,
  flag: true,
  identities: { user: { access_key_id: 'AKIAEXAMPLE', secret_access_key: 's3cr3t-value-123' } },
}

function writeScenario(root, name, doc, home = {}) {
  const dir = join(root, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify(doc))
  for (const [relative, [text, mode]] of Object.entries(home)) {
    const path = join(dir, 'home', relative)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
    chmodSync(path, mode)
  }
  return dir
}

const minimal = (extra = {}) => ({ description: 'd', expect: { login: {} }, ...extra })
const scratchDirs = []
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'mongoawsauth-scenario-tests-'))
  scratchDirs.push(dir)
  return dir
}
after(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true })
})
const mode = (path) => statSync(path).mode & 0o7777

describe('scenario loader', () => {
  test('substitute resolves nested paths and reports unknown ones', () => {
    assert.equal(loader.substitute('[${identities.user.access_key_id}-${n}-${flag}] $HOME', STANDINS), '[AKIAEXAMPLE-3-true] $HOME')
    assert.throws(() => loader.substitute('${identities.nobody}', STANDINS), /identities\.nobody/)
    assert.throws(() => loader.substitute('${imds_url', STANDINS), /unterminated/)
    assert.throws(() => loader.substitute('${identities}', STANDINS), /not a string or number/)
    assert.throws(() => loader.substitute('${toString}', STANDINS), /unknown placeholder/)
  })

  test('load refuses unknown keys, options and expectations', () => {
    const root = scratch()
    const bad = {
      top: minimal({ extra: 1 }),
      option: minimal({ options: { region: 'us-east-1' } }),
      'option-type': minimal({ options: { shared_config: 'no' } }),
      'env-type': minimal({ env: { AWS_PROFILE: 3 } }),
      'login-key': { description: 'd', expect: { login: { role: 'x' } } },
      both: { description: 'd', expect: { login: {}, error: { contains: 'x' } } },
      count: minimal({ requests: { 'imds.requests': -1 } }),
      'no-description': { expect: { login: {} } },
    }
    for (const [name, doc] of Object.entries(bad)) {
      const refused = (e) => e instanceof loader.ScenarioError && e.message.includes('scenario.json')
      assert.throws(() => loader.load(writeScenario(root, name, doc)), refused, name)
    }
    const good = loader.load(writeScenario(root, 'good', minimal({ options: { profile: 'p', shared_config: false } })))
    assert.deepEqual(loader.nodeOptions(good.options), { profile: 'p', sharedConfig: false })
    assert.throws(() => loader.nodeOptions({ region: 'x' }), /region/)
  })

  test('prepare builds the environment as the Rust module does', () => {
    const root = scratch()
    const dir = writeScenario(root, 'env', minimal({ env: { AWS_ACCESS_KEY_ID: '${identities.user.access_key_id}', AWS_CONFIG_FILE: null } }))
    const prepared = loader.prepare(loader.load(dir), STANDINS, { containerHostOverridden: false })
    try {
      const home = prepared.home
      assert.deepEqual(prepared.env, {
        HOME: home,
        AWS_SHARED_CREDENTIALS_FILE: `${home}/.aws/credentials`,
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
        AWS_EC2_METADATA_DISABLED: 'true',
      })
      assert.deepEqual(prepared.unset, ['AWS_CONFIG_FILE'])
      assert.equal(mode(home), 0o700)
      const env = loader.childEnv(prepared, '/bin')
      assert.equal(env.MONGOAWSAUTH_LOOPBACK_ONLY, '1')
      assert.equal(env.PATH, '/bin')
      assert.deepEqual(Object.keys(env).sort(), [...Object.keys(prepared.env), 'PATH', 'MONGOAWSAUTH_LOOPBACK_ONLY'].sort())
    } finally {
      prepared.cleanup()
    }
    assert.equal(existsSync(prepared.home), false)

    // IMDS stays on only when its endpoint is given, whatever the scenario says about it.
    const off = writeScenario(root, 'imds-off', minimal({ env: { AWS_EC2_METADATA_DISABLED: 'false' } }))
    const on = writeScenario(root, 'imds-on', minimal({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: '${imds_url}' } }))
    for (const [folder, disabled] of [[off, 'true'], [on, undefined]]) {
      const p = loader.prepare(loader.load(folder), STANDINS, { containerHostOverridden: false })
      p.cleanup()
      assert.equal(p.env.AWS_EC2_METADATA_DISABLED, disabled)
    }
  })

  test('prepare copies home with placeholders and permissions', () => {
    const root = scratch()
    const dir = writeScenario(root, 'home', minimal(), {
      '.aws/config': ['[default]\nkey = ${identities.user.access_key_id}\nhome = ${home}\n', 0o600],
      'bin/helper': ['#!/bin/sh\necho ${scenario}\n', 0o755],
    })
    const prepared = loader.prepare(loader.load(dir), STANDINS, { containerHostOverridden: false })
    try {
      const config = join(prepared.home, '.aws', 'config')
      assert.equal(readFileSync(config, 'utf8'), `[default]\nkey = AKIAEXAMPLE\nhome = ${prepared.home}\n`)
      assert.equal(mode(config), 0o600)
      const helper = join(prepared.home, 'bin', 'helper')
      assert.equal(readFileSync(helper, 'utf8'), `#!/bin/sh\necho ${dir}\n`)
      assert.equal(mode(helper), 0o755)
    } finally {
      prepared.cleanup()
    }
    const broken = writeScenario(root, 'broken-home', minimal(), { token: ['${nope}', 0o644] })
    assert.throws(() => loader.prepare(loader.load(broken), STANDINS, { containerHostOverridden: false }), /nope/)
  })

  test('the loopback check', () => {
    const cases = {
      'http://127.0.0.1:4000/latest': true,
      'http://[::1]:80': true,
      'http://localhost': true,
      'http://user@127.0.0.1:1/': true,
      'http://169.254.169.254': false,
      'http://[fd00:ec2::254]': false,
      'https://sts.amazonaws.com': false,
      'http://127.0.0.1.example.com/': false,
      'http://127.0.0.1@example.com/': false,
    }
    for (const [url, loopback] of Object.entries(cases)) assert.equal(loader.isLoopback(url), loopback, url)
  })

  test('prepare refuses non-loopback endpoints and an unpointed relative URI', () => {
    const root = scratch()
    const remote = writeScenario(root, 'remote', minimal({ env: { AWS_ENDPOINT_URL_STS: 'https://sts.amazonaws.com' } }))
    assert.throws(
      () => loader.prepare(loader.load(remote), STANDINS, { containerHostOverridden: true }),
      /AWS_ENDPOINT_URL_STS must point at a loopback/,
    )
    const relative = writeScenario(root, 'relative', minimal({ env: { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/x' } }))
    assert.throws(() => loader.prepare(loader.load(relative), STANDINS, { containerHostOverridden: false }), /RELATIVE_URI/)
    loader.prepare(loader.load(relative), STANDINS, { containerHostOverridden: true }).cleanup()
  })

  test('outcomes and requests are compared as the Rust runner does', () => {
    const scenario = {
      name: 's',
      expect: { error: { contains: ['imds', '${n}'], kind: 'credentials_not_found' } },
      requests: { 'imds.requests': 0, 'sts.requests': 1 },
    }
    assert.deepEqual(loader.checkOutcome(scenario, STANDINS, { error: { message: 'tried imds 3 times', code: 'CREDENTIALS_NOT_FOUND' } }), [])
    assert.match(loader.checkOutcome(scenario, STANDINS, { error: { message: 'tried imds 3 times', code: 'CONFIGURATION' } })[0], /error kind/)
    const login = { login: { arn: 'arn:x', source: 'imds', accessKeyId: 'A', temporary: true } }
    assert.match(loader.checkOutcome(scenario, STANDINS, login)[0], /expected an error/)
    assert.deepEqual(loader.checkRequests(scenario, { 'imds.requests': 0, 'sts.requests': 1 }), [])
    assert.deepEqual(loader.checkRequests(scenario, { 'imds.requests': 2 }), [
      'imds.requests: expected 0, the stand-ins saw 2',
      'unknown counter "sts.requests"',
    ])
    assert.equal(loader.redact('a s3cr3t-value-123 b', loader.secrets(STANDINS)), 'a ** redacted ** b')
  })
})
