// The one-step wiring, createClient(), with the real mongodb driver: what it promises over the
// driver's own AWS SDK path. A login that fails because STS refused the credentials clears the
// cache without any extra call, so the next login fetches new credentials; SAML logs in the
// same way. The stand-ins' STS sits behind a revoking proxy (helpers/revoking-sts.mjs), so a
// test can revoke the keys the cache holds, as an operator would.
import './helpers/isolation.mjs'
import { sourceEnv } from './helpers/isolation.mjs'
import { startStandins } from './helpers/standins.mjs'
import { startRevokingSts } from './helpers/revoking-sts.mjs'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, describe, test } from 'node:test'
import { MongoClient } from 'mongodb'
import { createClient, credentialProvider, testing } from '../index.mjs'

let s
let sts
before(async () => {
  sts = await startRevokingSts()
  s = await startStandins(['--sts-url', sts.url])
  sts.forwardTo(s.local_sts_url)
})
after(async () => {
  await s?.stop()
  await sts?.stop()
})
beforeEach(() => testing.clear())

const container = () => ({
  env: sourceEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: s.container_url, AWS_CONTAINER_AUTHORIZATION_TOKEN: s.container_token }),
})

async function connectionStatus(client) {
  const status = await client.db('admin').command({ connectionStatus: 1 })
  return status.authInfo.authenticatedUsers[0]?.user
}

async function withClient(client, use) {
  try {
    return await use(client)
  } finally {
    await client.close()
  }
}

describe('createClient(MongoClient, uri, clientOptions, options)', () => {
  test('logs in with the spec chain, through the process-wide cache', async () => {
    const arn = await withClient(createClient(MongoClient, s.mongodb_uri, { serverSelectionTimeoutMS: 10000 }, container()), connectionStatus)
    assert.match(arn, /^arn:aws:sts::\d+:assumed-role\/container-role\//)
    assert.equal(testing.entries().length, 1)
  })

  test('revoked credentials: the failed login clears the cache by itself, the next login fetches new ones', async () => {
    const options = container()
    const clientOptions = { serverSelectionTimeoutMS: 10000 }
    await withClient(createClient(MongoClient, s.mongodb_uri, clientOptions, options), connectionStatus)
    const [before] = testing.entries()
    sts.revoke(before.accessKeyId)

    // A new connection (here: a new client, as after a restart of a worker) logs in with the
    // cached, now revoked, keys and fails.
    await withClient(createClient(MongoClient, s.mongodb_uri, clientOptions, options), async (client) => {
      await assert.rejects(connectionStatus(client), (e) => {
        assert.match(`${e.message} ${e.cause?.message ?? ''}`, /InvalidClientTokenId|Authentication ?Failed/i)
        return true
      })
      assert.deepEqual(testing.entries(), [], 'the failure alone dropped the revoked entry')
      // The same client's next login fetches new credentials and succeeds.
      assert.match(await connectionStatus(client), /assumed-role\/container-role\//)
    })
    const [after] = testing.entries()
    assert.notEqual(after.accessKeyId, before.accessKeyId)
    assert.ok(after.generation > before.generation)
    assert.ok(sts.seen.some((r) => r.keyId === before.accessKeyId && r.revoked), 'STS refused the revoked key')
    assert.ok(sts.seen.some((r) => r.keyId === after.accessKeyId && !r.revoked), 'and accepted the new one')
  })

  test('watch(): which driver events clear the cache, each failure counted once', async () => {
    // The driver's events, replayed on a stand-in client: a background connection (minPoolSize)
    // that fails to log in is reported only through connectionClosed; one that a checkout
    // waited for is reported twice, through connectionClosed and connectionCheckOutFailed,
    // with the same error object.
    const provider = credentialProvider(container())
    const client = provider.watch(new EventEmitter())
    assert.equal(provider.watch(client), client, 'watching twice adds nothing')
    const authFailed = () => Object.assign(new Error('Authentication failed.'), { code: 18, codeName: 'AuthenticationFailed' })
    const served = async () => (await provider()).generation

    const first = await served()
    client.emit('connectionClosed', { reason: 'idle' })
    client.emit('connectionClosed', { reason: 'error', error: Object.assign(new Error('connection reset'), { name: 'MongoNetworkError' }) })
    client.emit('connectionCheckOutFailed', { reason: 'timeout' })
    assert.equal(testing.entries()[0]?.generation, first, 'closures and failures that are not refused logins clear nothing')

    const refused = authFailed()
    client.emit('connectionClosed', { reason: 'error', error: refused })
    assert.deepEqual(testing.entries(), [], 'a refused background login clears the entry')

    const second = await served()
    assert.notEqual(second, first)
    client.emit('connectionCheckOutFailed', { reason: 'connectionError', error: refused })
    assert.equal(testing.entries()[0]?.generation, second, 'the same failure reported again clears nothing more')

    client.emit('connectionCheckOutFailed', { reason: 'connectionError', error: { cause: authFailed() } })
    assert.deepEqual(testing.entries(), [], 'a refused login found in the cause chain counts')
  })

  test('without createClient or watch(), the same failure leaves the revoked entry in place', async () => {
    // Why the one-step wiring exists: the driver never tells a provider that a login failed.
    const options = container()
    const provider = credentialProvider(options)
    const bare = () => new MongoClient(s.mongodb_uri, { authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: provider }, serverSelectionTimeoutMS: 3000 })
    await withClient(bare(), connectionStatus)
    const [before] = testing.entries()
    sts.revoke(before.accessKeyId)
    await withClient(bare(), (client) => assert.rejects(connectionStatus(client)))
    assert.equal(testing.entries()[0]?.accessKeyId, before.accessKeyId)
  })

  test('refuses what would silently not do what it says', () => {
    assert.throws(() => createClient(s.mongodb_uri), /MongoClient class first/)
    assert.throws(() => createClient(MongoClient, 5), /connection string second/)
    assert.throws(() => createClient(MongoClient, s.mongodb_uri, 'x'), /options third/)
    assert.throws(
      () => createClient(MongoClient, s.mongodb_uri, { authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: () => ({}) } }),
      /sets authMechanismProperties.AWS_CREDENTIAL_PROVIDER itself/,
    )
    assert.throws(() => createClient(MongoClient, 'mongodb://127.0.0.1/?authMechanism=SCRAM-SHA-256'), /ask for SCRAM-SHA-256/)
    assert.throws(() => createClient(MongoClient, 'mongodb://127.0.0.1/', { authMechanism: 'PLAIN' }), /ask for PLAIN/)
    assert.throws(() => createClient(MongoClient, 'mongodb://127.0.0.1/', {}, { timeoutMs: 0 }), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' })
  })

  test('keeps the caller\'s options and sets MONGODB-AWS when the URI does not', async () => {
    const uri = s.mongodb_uri.replace(/authMechanism=MONGODB-AWS&?/, '')
    const client = createClient(MongoClient, uri, { appName: 'dropin-test', authMechanismProperties: {}, serverSelectionTimeoutMS: 10000 }, container())
    assert.equal(client.options.appName, 'dropin-test')
    assert.equal(client.options.credentials.mechanism, 'MONGODB-AWS')
    assert.match(await withClient(client, connectionStatus), /assumed-role\/container-role\//)
  })
})

describe('SAML (options.saml) through the driver', () => {
  const roleName = () => s.saml.role_arn.split('/').pop()
  const samlOptions = (assertion) => ({
    env: sourceEnv(),
    stsEndpoint: s.local_sts_url,
    saml: { roleArn: s.saml.role_arn, principalArn: s.saml.principal_arn, ...assertion },
  })
  const cases = {
    'an assertion string': () => ({ assertion: s.saml.assertion }),
    'an async assertion function': () => ({ assertion: async () => s.saml.assertion }),
    'a sync assertion function': () => ({ assertion: () => s.saml.assertion }),
    'an assertion file': () => {
      const file = join(mkdtempSync(join(tmpdir(), 'mongoawsauth-saml-')), 'assertion')
      writeFileSync(file, s.saml.assertion)
      return { assertionFile: file }
    },
  }
  for (const [name, make] of Object.entries(cases)) {
    test(`logs in with ${name}, cached as source saml`, async () => {
      const client = createClient(MongoClient, s.mongodb_uri, { serverSelectionTimeoutMS: 10000 }, samlOptions(make()))
      const arn = await withClient(client, connectionStatus)
      assert.match(arn, new RegExp(`^arn:aws:sts::\\d+:assumed-role/${roleName()}/${s.saml.session_name}$`))
      const entries = testing.entries()
      assert.equal(entries.length, 1)
      assert.equal(entries[0].source, 'saml')
    })
  }

  test('the assertion function is called once per fetch, not per connection', async () => {
    let calls = 0
    const options = samlOptions({ assertion: () => (calls++, s.saml.assertion) })
    const client = createClient(MongoClient, s.mongodb_uri, { maxPoolSize: 4, serverSelectionTimeoutMS: 10000 }, options)
    await withClient(client, (c) => Promise.all(Array.from({ length: 8 }, () => connectionStatus(c))))
    assert.equal(calls, 1)
  })

  test('an assertion STS refuses fails the login with STS\'s reason, never the assertion', async () => {
    const bogus = Buffer.from('<samlp:Response>not trusted</samlp:Response>').toString('base64')
    const client = createClient(MongoClient, s.mongodb_uri, { serverSelectionTimeoutMS: 3000 }, samlOptions({ assertion: bogus }))
    await withClient(client, (c) =>
      assert.rejects(connectionStatus(c), (e) => {
        const text = `${e.message} ${e.cause?.message ?? ''}`
        assert.match(text, /saml|SAML|InvalidIdentityToken/)
        assert.ok(!text.includes(bogus) && !text.includes(s.saml.assertion))
        return true
      }),
    )
  })
})
