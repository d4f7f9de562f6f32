// No input aborts the process. Each case runs in a child process (helpers/crash-probe.mjs),
// because the defects guarded against here (a Rust panic unwinding into Node from a napi
// callback, or an unchecked time conversion) abort: the child dies of a signal and the test
// fails cleanly instead of taking the test runner down.
import './helpers/isolation.mjs'
import { childEnv } from './helpers/isolation.mjs'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, test } from 'node:test'

const probe = fileURLToPath(new URL('./helpers/crash-probe.mjs', import.meta.url))

function run(name, extraEnv = {}) {
  const child = spawnSync(process.execPath, [probe, name], { env: childEnv(extraEnv), encoding: 'utf8', timeout: 30000 })
  assert.equal(child.signal, null, `case ${name} killed the process with ${child.signal}: ${child.stderr}`)
  assert.equal(child.status, 0, `case ${name} exited with ${child.status}: ${child.stderr}`)
  assert.ok(!child.stderr.includes('probe-secret-not-shown') && !child.stdout.includes('probe-secret-not-shown'))
  return JSON.parse(child.stdout.trim().split('\n').pop())
}

const RANGE = /must be a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59\.999Z/
const expirations = {
  huge: /got 1e\+?300/,
  nan: /got NaN/,
  infinity: /got Infinity/,
  'minus-infinity': /got -Infinity/,
  negative: /got a negative number/,
  'far-negative': /got a negative number/,
  'date-year-10000': /got 253402300800000/,
  'date-max': /got 8640000000000000/,
  'date-invalid': /got an invalid Date/,
}

function assertRangeError(error, what, got) {
  assert.equal(error.name, 'RangeError', JSON.stringify(error))
  assert.ok(error.isRangeError)
  assert.equal(error.code, 'ERR_OUT_OF_RANGE')
  assert.match(error.message, what)
  assert.match(error.message, got)
}

describe('an expiration out of range is a RangeError, never an abort', () => {
  for (const [name, got] of Object.entries(expirations)) {
    for (const kind of ['provider-sync', 'provider-async']) {
      test(`returned by a ${kind.replace('provider-', '')} custom provider: ${name}`, () => {
        const { outcome, error } = run(`${kind}:${name}`)
        assert.equal(outcome, 'threw')
        assert.equal(error.name, 'CredentialsProviderError', JSON.stringify(error))
        assert.ok(error.isPackageError)
        assert.match(error.message, /the expiration the credential provider returned must be a time/)
        assertRangeError(error.cause, RANGE, got)
      })
    }
    test(`given to new Credentials(): ${name}`, () => {
      const { outcome, error } = run(`credentials:${name}`)
      assert.equal(outcome, 'threw')
      assertRangeError(error, /^expiration must be a time/, got)
    })
    test(`given to testing.expire(): ${name}`, () => {
      const { outcome, error } = run(`testing-expire:${name}`)
      assert.equal(outcome, 'threw')
      assertRangeError(error, /^expiration must be a time/, got)
    })
  }
})

describe('a duration option out of range is a RangeError naming the option and the range', () => {
  for (const option of ['timeoutMs', 'refreshWindowMs', 'stsTimeoutMs']) {
    for (const value of ['1e+300', 'Infinity', 'NaN', '-1']) {
      test(`${option}: ${value}`, () => {
        const { outcome, error } = run(`option:${option}=${Number(value)}`)
        assert.equal(outcome, 'threw')
        const from = option === 'refreshWindowMs' ? '0 or more' : 'greater than 0'
        assertRangeError(error, new RegExp(`^options\\.${option} must be a number of milliseconds ${from} and at most 2147483647`), /got/)
      })
    }
  }
  test('options.saml.durationSeconds: 1e+300', () => {
    const { outcome, error } = run('saml-duration:1e300')
    assert.equal(outcome, 'threw')
    assertRangeError(error, /^options\.saml\.durationSeconds must be a whole number of seconds from 900 to 43200/, /./)
  })
})

test('util.inspect never throws, even on objects that only look like instances', () => {
  const { outcome, value } = run('inspect:not-an-instance')
  assert.equal(outcome, 'returned')
  assert.equal(value, 'Credentials {}\nConversation {}')
})

describe('a panic inside the addon becomes an InternalError, never an abort', () => {
  // The asynchronous boundaries, each reached through the hidden export __panicForTests(site),
  // which panics only while the test switch names the site (see the next describe).
  for (const site of ['future', 'settle', 'provider']) {
    test(`in ${site === 'provider' ? "the check of a custom provider's value (napi's threadsafe-function callback)" : `a ${site} boundary`}`, () => {
      const { outcome, error } = run(`panic:${site}`, { MONGOAWSAUTH_TEST_FORCE_PANIC: `__panicForTests:${site}` })
      assert.equal(outcome, 'threw')
      if (site === 'provider') {
        // The provider's value could not be checked: the login fails like any bad value.
        assert.equal(error.name, 'CredentialsProviderError', JSON.stringify(error))
        assert.match(error.cause.message, /internal error \(a panic\)/)
      } else {
        assert.equal(error.name, 'InternalError', JSON.stringify(error))
        assert.ok(error.isInternal && error.isPackageError)
        assert.equal(error.code, 'INTERNAL')
        assert.match(error.message, /internal error \(a panic\).*the process is fine/)
      }
    })
  }
})

// Every synchronous export, forced to panic inside its guard. The hidden test switch is the
// environment variable MONGOAWSAUTH_TEST_FORCE_PANIC: a comma-separated list of export names
// as src/ passes them to guard::sync ("Credentials.toJSON", "new Conversation"); each named
// export panics on every call. It is read once, when the addon first runs a guarded export;
// only exact names count, so a stray value ("1", "true") does nothing; the addon announces it on
// stderr. helpers/forced-panic.mjs knows how to call each export; the list of exports is read
// from the sources, so an export added without a guard, or without a way to call it here, fails.
const SWITCH = 'MONGOAWSAUTH_TEST_FORCE_PANIC'
const forcedProbe = fileURLToPath(new URL('./helpers/forced-panic.mjs', import.meta.url))

function forced(exportName, switchValue = exportName) {
  const child = spawnSync(process.execPath, [forcedProbe, exportName], {
    env: childEnv({ [SWITCH]: switchValue }),
    encoding: 'utf8',
    timeout: 30000,
  })
  assert.equal(child.signal, null, `${exportName} killed the process with ${child.signal}: ${child.stderr}`)
  assert.equal(child.status, 0, `${exportName}: the probe exited with ${child.status}: ${child.stderr}`)
  assert.ok(!`${child.stdout}${child.stderr}`.includes('forced-secret-not-shown'))
  return { ...JSON.parse(child.stdout.trim().split('\n').pop()), stderr: child.stderr }
}

/** Every export name src/ passes to guard::sync, by file. */
function guardedExports() {
  const dir = fileURLToPath(new URL('../src/', import.meta.url))
  const names = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.rs'))) {
    const source = readFileSync(join(dir, file), 'utf8')
    for (const m of source.matchAll(/guard::sync\(\s*&?env,\s*"([^"]+)"/g)) names.push(m[1])
  }
  return names
}

describe(`${SWITCH} forces a panic in any synchronous export: each is an InternalError, never an abort`, () => {
  const names = guardedExports()
  test('every guarded export has a way to call it in helpers/forced-panic.mjs, and no name is used twice', () => {
    const listed = JSON.parse(spawnSync(process.execPath, [forcedProbe, '--list'], { encoding: 'utf8' }).stdout)
    assert.deepEqual([...new Set(names)].sort(), names.slice().sort(), 'an export name is passed to guard::sync twice')
    assert.deepEqual(listed.slice().sort(), names.slice().sort())
    // The ones the issue names, so that the list can never silently lose them.
    for (const name of ['Credentials.accessKeyId', 'Credentials.toJSON', 'Credentials.toString', 'new Conversation', 'new Credentials', 'new Authenticator']) {
      assert.ok(names.includes(name), name)
    }
  })
  for (const name of names) {
    test(name, () => {
      const { outcome, error, stderr } = forced(name)
      assert.equal(outcome, 'threw', `${name} returned although the switch names it`)
      assert.match(error.message, /internal error \(a panic\).*the process is fine/)
      assert.ok(stderr.includes(`${SWITCH}=${name} is set: an export it names panics on purpose`), stderr)
      if (name === '__setErrorFactory') {
        // index.js registers the error classes through it, so require() itself throws: the
        // boundary's plain Error, since there are no classes yet.
        assert.equal(error.name, 'Error')
      } else {
        assert.equal(error.name, 'InternalError', JSON.stringify(error))
        assert.ok(error.isInternal)
        assert.equal(error.code, 'INTERNAL')
      }
    })
  }
  test('the switch is exact: a value that names no export forces nothing', () => {
    for (const value of ['1', 'true', 'credentials.tojson', '*', 'Credentials']) {
      const { outcome } = forced('Credentials.toJSON', value)
      assert.equal(outcome, 'returned', `${SWITCH}=${value} forced a panic`)
    }
  })
  test('without the switch the hidden __panicForTests export panics nowhere', () => {
    for (const site of ['future', 'settle', 'provider', 'sync']) {
      const { outcome, error } = run(`panic:${site}`)
      assert.equal(outcome, 'threw')
      assert.equal(error.name, 'TypeError', JSON.stringify(error))
      assert.match(error.message, /is a test hook, off unless MONGOAWSAUTH_TEST_FORCE_PANIC/)
    }
  })
})

test('every napi export in src/ runs inside a panic boundary (catch_unwind and guard)', () => {
  const dir = fileURLToPath(new URL('../src/', import.meta.url))
  let exports = 0
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.rs'))) {
    const source = readFileSync(join(dir, file), 'utf8')
    const heads = [...source.matchAll(/#\[napi(?:\(([^\]]*)\))?\]\s*pub fn (\w+)/g)]
    for (const [i, m] of heads.entries()) {
      const [, args = '', name] = m
      // Its body: up to the next export (or the end of the file).
      const body = source.slice(m.index + m[0].length, heads[i + 1]?.index ?? source.length)
      exports++
      assert.match(args, /\bcatch_unwind\b/, `${file}: ${name} has no catch_unwind`)
      assert.match(body, /guard::sync\(/, `${file}: ${name} does not run in guard::sync`)
    }
  }
  assert.ok(exports >= 30, `found only ${exports} exports: the pattern no longer matches the sources`)
})

describe('an environment that ends while logins are in flight', () => {
  // The core's worker threads call a custom provider through napi thread-safe functions; when
  // the process exits or a worker thread is terminated, those calls meet a closing environment.
  // They must end as failed calls, not as a crash or a process that never exits.
  const exitProbe = fileURLToPath(new URL('./helpers/exit-probe.mjs', import.meta.url))
  for (const [mode, logins] of [['exit', 40], ['workers', 160]]) {
    test(`${mode === 'exit' ? 'process.exit()' : 'terminating worker threads'} with sixteen logins in flight exits cleanly`, () => {
      const child = spawnSync(process.execPath, [exitProbe, mode], { env: childEnv(), encoding: 'utf8', timeout: 60000 })
      assert.equal(child.error, undefined, `the probe did not finish: ${child.error}`)
      assert.equal(child.signal, null, `the probe died of ${child.signal}: ${child.stderr}`)
      assert.equal(child.status, 0, `the probe exited with ${child.status}: ${child.stderr}`)
      assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').pop()), { logins })
      assert.ok(!child.stderr.includes('probe-secret-not-shown'), child.stderr)
    })
  }
})
