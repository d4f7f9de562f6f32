// The shared config options, `profile` and `sharedConfig`: checked types, and logins through the
// real mongodb driver against the stand-ins' fake mongod with a fake home directory whose
// ~/.aws/credentials holds the stand-ins' IAM user under a named profile. Without `options.env`
// the core reads the real process environment, so the logins run in a child process started
// with HOME, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE pointing at that home.
import './helpers/isolation.mjs'
import { childEnv } from './helpers/isolation.mjs'
import { startStandins } from './helpers/standins.mjs'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, beforeEach, describe, test } from 'node:test'
import { MongoClient } from 'mongodb'
import {
  Authenticator,
  ConfigurationError,
  CredentialsNotFoundError,
  createClient,
  credentialProvider,
  testing,
} from '../index.mjs'

const PROFILE = 'mongo-ci'

let s
let home
before(async () => {
  s = await startStandins()
  home = mkdtempSync(join(tmpdir(), 'mongoawsauth-node-profile-'))
  mkdirSync(join(home, '.aws'))
  const user = s.identities.user
  writeFileSync(
    join(home, '.aws', 'credentials'),
    `# the stand-ins' IAM user\n[${PROFILE}]\naws_access_key_id = ${user.access_key_id}\naws_secret_access_key = ${user.secret_access_key}\n`,
  )
  writeFileSync(join(home, '.aws', 'config'), '[default]\nregion = us-east-1\n')
})
after(async () => {
  await s?.stop()
  if (home) rmSync(home, { recursive: true, force: true })
})
beforeEach(() => testing.clear())

function homeEnv(extra = {}) {
  return childEnv({
    HOME: home,
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    ...extra,
  })
}

/** Logs in from a child process in the fake home; returns `{ user }` or `{ errors }`. */
async function loginInHome(options, wiring = 'provider', env = homeEnv()) {
  const script = fileURLToPath(new URL('./helpers/login-with-options.mjs', import.meta.url))
  const { stdout } = await promisify(execFile)(process.execPath, [script, s.mongodb_uri, JSON.stringify(options), wiring], {
    env,
    timeout: 60000,
  })
  assert.ok(!stdout.includes(s.identities.user.secret_access_key), 'no secret in the output')
  return JSON.parse(stdout.trim().split('\n').at(-1))
}

describe('checked types', () => {
  const wrongProfiles = [[1, 'number'], [true, 'boolean'], [['mongo-ci'], 'array'], [{}, 'object']]
  for (const [value, type] of wrongProfiles) {
    test(`profile: ${JSON.stringify(value)} (${type}) is a TypeError naming options.profile`, () => {
      const expected = { name: 'TypeError', message: new RegExp(`^options\\.profile must be a string .*, got ${type}$`) }
      assert.throws(() => new Authenticator({ profile: value }), expected)
      assert.throws(() => credentialProvider({ profile: value }), expected)
      assert.throws(() => createClient(MongoClient, s.mongodb_uri, {}, { profile: value }), expected)
    })
  }
  test('a blank profile is refused rather than falling back to AWS_PROFILE', () => {
    for (const value of ['', '  ']) {
      assert.throws(() => new Authenticator({ profile: value }), { name: 'TypeError', message: /options\.profile must name a profile/ })
    }
  })
  const wrongSwitches = [['false', 'string'], [0, 'number'], [1, 'number'], [{}, 'object']]
  for (const [value, type] of wrongSwitches) {
    test(`sharedConfig: ${JSON.stringify(value)} (${type}) is a TypeError naming options.sharedConfig`, () => {
      const expected = { name: 'TypeError', message: new RegExp(`^options\\.sharedConfig must be a boolean .*, got ${type}$`) }
      assert.throws(() => new Authenticator({ sharedConfig: value }), expected)
      assert.throws(() => credentialProvider({ sharedConfig: value }), expected)
      assert.throws(() => createClient(MongoClient, s.mongodb_uri, {}, { sharedConfig: value }), expected)
    })
  }
  test('null and undefined mean the defaults', () => {
    assert.doesNotThrow(() => new Authenticator({ profile: undefined, sharedConfig: null }))
  })
})

describe('options.env carries the home directory', () => {
  test('a named profile from the HOME in options.env', async () => {
    const auth = new Authenticator({ profile: PROFILE, env: { HOME: home, AWS_EC2_METADATA_DISABLED: 'true' } })
    const credentials = await auth.credentials()
    assert.equal(credentials.accessKeyId, s.identities.user.access_key_id)
    assert.equal(credentials.source, 'profile')
  })
  test('sharedConfig: false leaves the files unread', async () => {
    const auth = new Authenticator({ profile: PROFILE, sharedConfig: false, env: { HOME: home, AWS_EC2_METADATA_DISABLED: 'true' } })
    await assert.rejects(auth.credentials(), (error) => {
      assert.ok(error instanceof CredentialsNotFoundError, error.message)
      const profile = error.attempts.filter((a) => a.source === 'profile')
      assert.deepEqual(profile.map((a) => a.outcome), ['not_configured'])
      assert.match(profile[0].message, /switched off/)
      return true
    })
  })
  test('a named profile that does not exist is a ConfigurationError', async () => {
    const auth = new Authenticator({ profile: 'no-such-profile', env: { HOME: home, AWS_EC2_METADATA_DISABLED: 'true' } })
    await assert.rejects(auth.credentials(), (error) => {
      assert.ok(error instanceof ConfigurationError, error.message)
      assert.match(error.message, /AWS profile `no-such-profile` .*is not in the shared config files/)
      assert.ok(error.message.includes(PROFILE), 'the message lists the profiles that exist')
      assert.ok(!error.message.includes(s.identities.user.secret_access_key))
      return true
    })
  })
})

describe('logins through the mongodb driver, in a process started in the fake home', () => {
  for (const wiring of ['provider', 'createClient']) {
    test(`${wiring}: profile logs in as the profile's user`, async () => {
      assert.deepEqual(await loginInHome({ profile: PROFILE }, wiring), { user: s.identities.user.arn })
    })
  }

  test('the profile option overrides AWS_PROFILE', async () => {
    const result = await loginInHome({ profile: PROFILE }, 'provider', homeEnv({ AWS_PROFILE: 'not-a-profile' }))
    assert.deepEqual(result, { user: s.identities.user.arn })
  })

  test('the files are found through HOME when AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are unset', async () => {
    const env = homeEnv({ AWS_CONFIG_FILE: undefined, AWS_SHARED_CREDENTIALS_FILE: undefined })
    assert.deepEqual(await loginInHome({ profile: PROFILE }, 'createClient', env), { user: s.identities.user.arn })
  })

  test('a named profile that does not exist fails clearly', async () => {
    const { errors } = await loginInHome({ profile: 'no-such-profile' }, 'createClient')
    assert.ok(errors, 'the login failed')
    const ours = errors.find((e) => e.name === 'ConfigurationError')
    assert.ok(ours, `a ConfigurationError in the causes: ${JSON.stringify(errors)}`)
    assert.equal(ours.code, 'CONFIGURATION')
    assert.match(ours.message, /AWS profile `no-such-profile` .*is not in the shared config files/)
  })

  test('sharedConfig: false ignores the files: no credentials are found', async () => {
    const { errors } = await loginInHome({ profile: PROFILE, sharedConfig: false }, 'provider')
    assert.ok(errors, 'the login failed')
    const ours = errors.find((e) => e.name === 'CredentialsNotFoundError')
    assert.ok(ours, `a CredentialsNotFoundError in the causes: ${JSON.stringify(errors)}`)
    assert.equal(ours.code, 'CREDENTIALS_NOT_FOUND')
    assert.match(ours.message, /switched off/)
    // The same home with the switch on logs in: the failure is the switch's.
    assert.deepEqual(await loginInHome({ profile: PROFILE, sharedConfig: true }, 'provider'), { user: s.identities.user.arn })
  })
})
