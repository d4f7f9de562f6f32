// End to end with the real mongodb driver: credentialProvider() as AWS_CREDENTIAL_PROVIDER, the
// testkit's fake mongod forwarding every login to its SigV4-verifying STS stand-in, and every
// credential source the core's default chain offers.
import './helpers/isolation.mjs'
import { childEnv, sourceEnv } from './helpers/isolation.mjs'
import { startStandins } from './helpers/standins.mjs'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, beforeEach, describe, test } from 'node:test'
import { MongoClient } from 'mongodb'
import { credentialProvider, testing, Credentials } from '../index.mjs'

let s
before(async () => {
  s = await startStandins()
})
after(async () => {
  await s?.stop()
})
beforeEach(() => testing.clear())

function client(provider, options = {}) {
  return new MongoClient(s.mongodb_uri, {
    authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: provider },
    serverSelectionTimeoutMS: 10000,
    ...options,
  })
}

/** Logs in and returns the ARN the server authenticated. */
async function loginArn(provider) {
  const c = client(provider)
  try {
    const status = await c.db('admin').command({ connectionStatus: 1 })
    return status.authInfo.authenticatedUsers[0]?.user
  } finally {
    await c.close()
  }
}

const sources = {
  'environment, long-term keys': () => ({
    options: { env: sourceEnv({ AWS_ACCESS_KEY_ID: s.identities.user.access_key_id, AWS_SECRET_ACCESS_KEY: s.identities.user.secret_access_key }) },
    arn: s.identities.user.arn,
  }),
  'environment, temporary keys': () => ({
    options: {
      env: sourceEnv({
        AWS_ACCESS_KEY_ID: s.identities.temporary.access_key_id,
        AWS_SECRET_ACCESS_KEY: s.identities.temporary.secret_access_key,
        AWS_SESSION_TOKEN: s.identities.temporary.session_token,
      }),
    },
    arn: s.identities.temporary.arn,
  }),
  'custom JavaScript provider': () => ({
    options: {
      env: sourceEnv(),
      provider: async () => ({ accessKeyId: s.identities.user.access_key_id, secretAccessKey: s.identities.user.secret_access_key }),
    },
    arn: s.identities.user.arn,
  }),
  'web identity (AssumeRoleWithWebIdentity)': () => ({
    options: {
      env: sourceEnv({ AWS_WEB_IDENTITY_TOKEN_FILE: s.web_identity.token_file, AWS_ROLE_ARN: s.web_identity.role_arn, AWS_ROLE_SESSION_NAME: 'node-test' }),
      stsEndpoint: s.local_sts_url,
    },
    arn: /^arn:aws:sts::\d+:assumed-role\/mongo-web-identity\/node-test$/,
    cached: true,
  }),
  'container endpoint (full URI and token)': () => ({
    options: { env: sourceEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: s.container_url, AWS_CONTAINER_AUTHORIZATION_TOKEN: s.container_token }) },
    arn: /^arn:aws:sts::\d+:assumed-role\/container-role\//,
    cached: true,
  }),
  'IMDSv2': () => ({
    options: { env: sourceEnv({ AWS_EC2_METADATA_DISABLED: undefined, AWS_EC2_METADATA_SERVICE_ENDPOINT: s.imds_url }) },
    arn: /^arn:aws:sts::\d+:assumed-role\/imds-role\//,
    cached: true,
  }),
}

describe('login through each credential source', () => {
  for (const [name, make] of Object.entries(sources)) {
    test(name, async () => {
      const { options, arn, cached } = make()
      const provider = credentialProvider(options)
      const got = await loginArn(provider)
      if (typeof arn === 'string') assert.equal(got, arn)
      else assert.match(got, arn)
      assert.equal(testing.entries().length, cached ? 1 : 0, 'only credentials from AWS endpoints are cached')
    })
  }
})

test('the default provider reads the real process environment (fresh process)', async () => {
  const script = fileURLToPath(new URL('./helpers/login-from-env.mjs', import.meta.url))
  const { stdout } = await promisify(execFile)(process.execPath, [script, s.mongodb_uri], {
    env: childEnv({
      AWS_ACCESS_KEY_ID: s.identities.temporary.access_key_id,
      AWS_SECRET_ACCESS_KEY: s.identities.temporary.secret_access_key,
      AWS_SESSION_TOKEN: s.identities.temporary.session_token,
    }),
  })
  assert.equal(stdout.trim(), s.identities.temporary.arn)
  assert.ok(!stdout.includes(s.identities.temporary.secret_access_key))
})

test('a wrong secret fails the login, and no secret appears in the error', async () => {
  const wrong = s.identities.user.secret_access_key.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))
  const provider = credentialProvider({ env: sourceEnv({ AWS_ACCESS_KEY_ID: s.identities.user.access_key_id, AWS_SECRET_ACCESS_KEY: wrong }) })
  const c = client(provider, { serverSelectionTimeoutMS: 2000 })
  try {
    await assert.rejects(c.db('admin').command({ connectionStatus: 1 }), (e) => {
      const text = `${e.message} ${e.cause?.message ?? ''} ${JSON.stringify(e)}`
      assert.match(text, /Authentication ?Failed|auth/i)
      assert.ok(!text.includes(wrong))
      return true
    })
  } finally {
    await c.close()
  }
})

test('a failing custom provider fails the login with its error', async () => {
  const provider = credentialProvider({ env: sourceEnv(), provider: () => { throw new Error('vault is sealed') } })
  const c = client(provider, { serverSelectionTimeoutMS: 2000 })
  try {
    await assert.rejects(c.db('admin').command({ connectionStatus: 1 }), /vault is sealed/)
  } finally {
    await c.close()
  }
})

test('the driver calls the provider once per connection; the chain fetches once (cache)', async () => {
  const { options } = sources['container endpoint (full URI and token)']()
  const provider = credentialProvider(options)
  const served = []
  const counting = async () => {
    const c = await provider()
    served.push(c)
    return c
  }
  const c = client(counting, { maxPoolSize: 4, minPoolSize: 0 })
  let ready = 0
  c.on('connectionReady', () => ready++)
  try {
    // Commands that hold a connection long enough that the pool has to open several.
    await Promise.all(Array.from({ length: 16 }, () => c.db('admin').command({ connectionStatus: 1 })))
    assert.ok(ready >= 2, `expected several connections, got ${ready}`)
    assert.equal(served.length, ready, 'one provider call per connection')
    const generations = new Set(served.map((x) => x.generation))
    assert.equal(generations.size, 1, 'every connection got the one cached fetch')
    assert.equal(testing.entries().length, 1)
  } finally {
    await c.close()
  }
  // A new client (same configuration) is served from the process-wide cache too.
  const again = await provider.authenticator.resolve()
  assert.equal(again.fromCache, true)
  assert.equal(again.credentials.generation, served[0].generation)
  // And synchronously: the settled entry is what the chain would answer, with no thread hop.
  assert.equal(provider.authenticator.credentialsNow()?.generation, served[0].generation)
})

test('after a login failure with poisoned cached credentials, watch() clears them and the next login fetches fresh ones', async () => {
  const { options, arn } = sources['container endpoint (full URI and token)']()
  const provider = credentialProvider(options)
  assert.match(await loginArn(provider), arn)
  const [before] = testing.entries()
  assert.equal(testing.poison(), 1)

  const c = provider.watch(client(provider, { serverSelectionTimeoutMS: 2000 }))
  try {
    await assert.rejects(c.db('admin').command({ connectionStatus: 1 }))
    assert.deepEqual(testing.entries(), [], 'the failure dropped the poisoned entry')
    const status = await c.db('admin').command({ connectionStatus: 1 })
    assert.match(status.authInfo.authenticatedUsers[0].user, arn)
    const [after] = testing.entries()
    assert.notEqual(after.generation, before.generation)
    assert.notEqual(after.accessKeyId, 'AKIAPOISONEDCACHE000')
  } finally {
    await c.close()
  }
})

test('credentials set through testing.set are what the driver logs in with', async () => {
  const { options } = sources['container endpoint (full URI and token)']()
  const provider = credentialProvider(options)
  await loginArn(provider)
  const [entry] = testing.entries()
  testing.set(
    entry.key,
    new Credentials({
      accessKeyId: s.identities.temporary.access_key_id,
      secretAccessKey: s.identities.temporary.secret_access_key,
      sessionToken: s.identities.temporary.session_token,
      expiration: Date.now() + 3600 * 1000,
    }),
  )
  assert.equal(await loginArn(provider), s.identities.temporary.arn)
})
