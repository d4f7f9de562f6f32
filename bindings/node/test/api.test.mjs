// Unit tests of every export: shapes, TypeErrors, errors, secrets, custom providers, cache hooks.
import './helpers/isolation.mjs'
import { sourceEnv } from './helpers/isolation.mjs'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test, beforeEach } from 'node:test'
import { inspect } from 'node:util'
import * as esm from '../index.mjs'

const cjs = createRequire(import.meta.url)('../index.js')
const {
  Authenticator,
  Conversation,
  Credentials,
  credentialProvider,
  testing,
  MongoAwsAuthError,
  CredentialsNotFoundError,
  CredentialsProviderError,
  ConfigurationError,
  InvalidArgumentError,
  AuthenticationError,
  TimeoutError,
} = esm

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
const TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLETOKENVALUE0123456789'
const HOUR = 3600 * 1000

function assertNoSecret(text, ...secrets) {
  for (const secret of [SECRET, TOKEN, ...secrets]) {
    assert.ok(!String(text).includes(secret), `a secret leaked into: ${text}`)
  }
}

beforeEach(() => testing.clear())

test('the CommonJS and ES module entries export the same objects', () => {
  const names = Object.keys(cjs).sort()
  assert.deepEqual(Object.keys(esm).filter((n) => n !== 'default').sort(), names)
  for (const name of names) assert.equal(esm[name], cjs[name], name)
  assert.equal(esm.default, cjs)
  assert.match(esm.VERSION, /^\d+\.\d+\.\d+/)
})

test('Credentials: getters, toJSON, inspect and toString never show the secret or token', () => {
  const expiration = new Date(Date.now() + HOUR)
  const c = new Credentials({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: SECRET, sessionToken: TOKEN, expiration })
  assert.equal(c.accessKeyId, 'ASIAEXAMPLE')
  assert.equal(c.secretAccessKey, SECRET)
  assert.equal(c.sessionToken, TOKEN)
  assert.equal(c.expiration.getTime(), Math.floor(expiration.getTime() / 1000) * 1000 + (expiration.getTime() % 1000))
  assert.equal(c.source, 'application')
  assert.equal(c.isTemporary, true)
  assert.equal(c.generation, undefined)
  const json = JSON.stringify(c)
  assert.deepEqual(Object.keys(JSON.parse(json)).sort(), [
    'accessKeyId',
    'expiration',
    'isTemporary',
    'secretAccessKey',
    'sessionToken',
    'source',
    'temporary',
  ])
  assert.equal(JSON.parse(json).secretAccessKey, '** redacted **')
  for (const text of [json, inspect(c), inspect(c, { showHidden: true, depth: 5 }), String(c), `${c}`, Object.keys(c).join()]) {
    assertNoSecret(text)
  }
  assert.match(inspect(c), /^Credentials \{/)
  assert.match(String(c), /temporary credentials ASIAEXAMPLE from application, expiring/)

  const longTerm = new Credentials({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET, source: 'mine' })
  assert.equal(longTerm.sessionToken, undefined)
  assert.equal(longTerm.expiration, undefined)
  assert.equal(longTerm.isTemporary, false)
  assert.equal(longTerm.source, 'mine')
  assert.equal(new Credentials({ accessKeyId: 'A', secretAccessKey: 'B', expiration: 0 }).expiration.getTime(), 0)
})

test('Credentials: wrong types are TypeErrors naming the field, blank values are InvalidArgumentErrors', () => {
  const cases = [
    [undefined, /must be an object, got undefined/],
    ['AKIA', /must be an object, got string/],
    [[], /must be an object, got array/],
    [{ accessKeyId: 1, secretAccessKey: SECRET }, /accessKeyId must be a string, got number/],
    [{ accessKeyId: 'A' }, /secretAccessKey must be a string, got undefined/],
    [{ accessKeyId: 'A', secretAccessKey: SECRET, sessionToken: 5 }, /sessionToken must be a string, got number/],
    [{ accessKeyId: 'A', secretAccessKey: SECRET, expiration: '2030-01-01' }, /expiration must be a Date/],
  ]
  for (const [init, message] of cases) {
    assert.throws(() => new Credentials(init), (e) => {
      assert.ok(e instanceof TypeError, `${e}`)
      assert.equal(e.code, 'ERR_INVALID_ARG_TYPE')
      assert.match(e.message, message)
      assertNoSecret(e.message)
      return true
    })
  }
  for (const expiration of [new Date(NaN), -1, Infinity, Date.UTC(10000, 0, 1)]) {
    assert.throws(() => new Credentials({ accessKeyId: 'A', secretAccessKey: SECRET, expiration }), (e) => {
      assert.ok(e instanceof RangeError, `${e}`)
      assert.equal(e.code, 'ERR_OUT_OF_RANGE')
      assert.match(e.message, /^expiration must be a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59\.999Z/)
      return true
    })
  }
  // The last representable millisecond is accepted and shown.
  const last = new Credentials({ accessKeyId: 'A', secretAccessKey: SECRET, expiration: new Date('9999-12-31T23:59:59.999Z') })
  assert.equal(last.expiration.toISOString(), '9999-12-31T23:59:59.999Z')
  assert.equal(last.toJSON().expiration, '9999-12-31T23:59:59Z')
  assert.throws(() => new Credentials({ accessKeyId: '  ', secretAccessKey: SECRET }), (e) => {
    assert.ok(e instanceof InvalidArgumentError)
    assert.ok(e instanceof MongoAwsAuthError)
    assert.equal(e.code, 'INVALID_ARGUMENT')
    assert.equal(e.resultCode, 1)
    assertNoSecret(e.message)
    return true
  })
})

test('Authenticator: credentials from the env option, never cached', async () => {
  const auth = new Authenticator({ env: sourceEnv({ AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: SECRET }) })
  const c = await auth.credentials()
  assert.equal(c.accessKeyId, 'AKIAENV')
  assert.equal(c.source, 'environment')
  const r = await auth.resolve()
  assert.equal(r.credentials.accessKeyId, 'AKIAENV')
  assert.equal(r.fromCache, false)
  assert.equal(typeof r.elapsedMs, 'number')
  assert.deepEqual(testing.entries(), [])
  assert.equal(auth.reportFailure(c), false)
  // The environment needs no I/O, so the synchronous path answers it too, read afresh.
  assert.equal(auth.credentialsNow()?.accessKeyId, 'AKIAENV')
  assert.deepEqual(testing.entries(), [], 'and still never caches it')
})

test('Authenticator: no source is a CredentialsNotFoundError listing every attempt', async () => {
  const auth = new Authenticator({ env: sourceEnv() })
  await assert.rejects(auth.credentials(), (e) => {
    assert.ok(e instanceof CredentialsNotFoundError)
    assert.ok(e instanceof MongoAwsAuthError && e instanceof Error)
    assert.equal(e.name, 'CredentialsNotFoundError')
    assert.equal(e.code, 'CREDENTIALS_NOT_FOUND')
    assert.equal(e.resultCode, 3)
    assert.deepEqual(
      e.attempts.map((a) => [a.source, a.outcome]),
      [
        ['cache', 'not_configured'],
        ['environment', 'not_configured'],
        ['profile', 'not_configured'],
        ['web_identity', 'not_configured'],
        ['container', 'not_configured'],
        ['imds', 'not_configured'],
      ],
    )
    assert.ok(e.attempts.every((a) => typeof a.message === 'string' && typeof a.elapsedMs === 'number'))
    assert.match(e.message, /AWS_ACCESS_KEY_ID/)
    assert.ok(Object.isFrozen(e.attempts))
    return true
  })
})

test('Authenticator: a half-configured source is a ConfigurationError that stops the chain', async () => {
  // An access key id without its secret: reported, never a fall-through to another identity.
  const auth = new Authenticator({ env: sourceEnv({ AWS_ACCESS_KEY_ID: 'AKIAHALF' }) })
  await assert.rejects(auth.credentials(), (e) => {
    assert.ok(e instanceof ConfigurationError, `${e.name}: ${e.message}`)
    assert.equal(e.attempts.at(-1).source, 'environment')
    assert.equal(e.attempts.at(-1).outcome, 'failed')
    assert.equal(e.attempts.at(-1).code, 'CONFIGURATION')
    return true
  })
})

test('Authenticator: AWS_ROLE_ARN without a token file falls through, as in the AWS SDKs', async () => {
  const auth = new Authenticator({ env: sourceEnv({ AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/r' }) })
  await assert.rejects(auth.credentials(), (e) => {
    assert.ok(e instanceof CredentialsNotFoundError, `${e.name}: ${e.message}`)
    const webIdentity = e.attempts.find((a) => a.source === 'web_identity')
    assert.equal(webIdentity.outcome, 'not_configured')
    assert.match(webIdentity.message, /AWS_ROLE_ARN is ignored/)
    return true
  })
})

test('Authenticator: options of the wrong type are TypeErrors, numbers out of range RangeErrors', () => {
  const cases = [
    [5, /options must be an object, got number/],
    [{ timeotMs: 1 }, /options.timeotMs is not an option/],
    [{ provider: 'fn' }, /options.provider must be a function/],
    [{ env: 'AWS_ACCESS_KEY_ID=x' }, /options.env must be an object, got string/],
    [{ env: { AWS_SECRET_ACCESS_KEY: 42 } }, /options.env.AWS_SECRET_ACCESS_KEY must be a string, got number/],
    [{ timeoutMs: '10' }, /options.timeoutMs must be a number of milliseconds, got string/],
    [{ stsEndpoint: 1 }, /options.stsEndpoint must be a string/],
  ]
  for (const [options, message] of cases) {
    assert.throws(() => new Authenticator(options), (e) => {
      assert.ok(e instanceof TypeError, `${options}: ${e}`)
      assert.match(e.message, message)
      return true
    })
  }
  const ranges = [
    [{ timeoutMs: -1 }, /options.timeoutMs must be a number of milliseconds greater than 0 and at most 2147483647 .*got a negative number \(-1\)/],
    // The rule and the message agree: a timeout of 0 is refused, and the message says so.
    [{ timeoutMs: 0 }, /options.timeoutMs must be a number of milliseconds greater than 0 and at most 2147483647 .*got 0$/],
    [{ refreshWindowMs: -1 }, /options.refreshWindowMs must be a number of milliseconds 0 or more and at most 2147483647 .*got a negative number \(-1\)/],
    [{ refreshWindowMs: Infinity }, /options.refreshWindowMs .*got Infinity/],
    [{ metadataReadTimeoutMs: 2 ** 31 }, /options.metadataReadTimeoutMs .*got 2147483648/],
  ]
  for (const [options, message] of ranges) {
    assert.throws(() => new Authenticator(options), (e) => {
      assert.ok(e instanceof RangeError, `${options}: ${e}`)
      assert.equal(e.code, 'ERR_OUT_OF_RANGE')
      assert.match(e.message, message)
      return true
    })
  }
  assert.doesNotThrow(() => new Authenticator({ timeoutMs: 2 ** 31 - 1, refreshWindowMs: 0.5 }))
  assert.doesNotThrow(() => new Authenticator(null))
  assert.doesNotThrow(() => new Authenticator({ env: { AWS_REGION: undefined } }))
})

test('custom provider: sync and async functions, plain objects and Credentials', async () => {
  const shapes = [
    () => ({ accessKeyId: 'AKIASYNC', secretAccessKey: SECRET }),
    async () => ({ accessKeyId: 'AKIAASYNC', secretAccessKey: SECRET, sessionToken: TOKEN, expiration: new Date(Date.now() + HOUR) }),
    () => Promise.resolve({ accessKeyId: 'AKIAPROMISE', secretAccessKey: SECRET, expiration: Date.now() + HOUR }),
    () => new Credentials({ accessKeyId: 'AKIACLASS', secretAccessKey: SECRET }),
  ]
  for (const provider of shapes) {
    let calls = 0
    const auth = new Authenticator({
      provider: (...args) => {
        calls++
        assert.equal(args.length, 0)
        return provider()
      },
      env: sourceEnv(),
    })
    const c = await auth.credentials()
    assert.match(c.accessKeyId, /^AKIA/)
    assert.equal(c.secretAccessKey, SECRET)
    assert.equal(c.source, 'custom')
    await auth.credentials()
    assert.equal(calls, 2, 'a custom provider is called on every request; caching is its own business')
  }
  assert.deepEqual(testing.entries(), [])
})

test('custom provider: what it throws or rejects with becomes the cause', async () => {
  const thrown = new RangeError('vault is sealed')
  for (const provider of [
    () => {
      throw thrown
    },
    async () => {
      throw thrown
    },
    () => Promise.reject(thrown),
  ]) {
    const auth = new Authenticator({ provider, env: sourceEnv() })
    await assert.rejects(auth.credentials(), (e) => {
      assert.ok(e instanceof CredentialsProviderError, `${e}`)
      assert.equal(e.code, 'CREDENTIALS_PROVIDER')
      assert.equal(e.cause, thrown)
      assert.match(e.message, /vault is sealed/)
      assert.deepEqual(e.attempts.map((a) => [a.source, a.outcome]), [['custom', 'failed']])
      return true
    })
  }
  // A rejection with a non-Error still fails cleanly.
  const auth = new Authenticator({ provider: () => Promise.reject('nope'), env: sourceEnv() })
  await assert.rejects(auth.credentials(), CredentialsProviderError)
})

test('custom provider: a wrong shape is a CredentialsProviderError caused by a TypeError, without values', async () => {
  const cases = [
    [() => undefined, /must return \(or resolve to\) an object.*got undefined/],
    [() => 'AKIA:secret', /got string/],
    [async () => null, /got null/],
    [() => ({ accessKeyId: 'AKIA', secretAccessKey: 12345 }), /secretAccessKey must be a string, got number/],
    [() => ({ accessKeyId: 'AKIA', secretAccessKey: SECRET, sessionToken: {} }), /sessionToken must be a string, got object/],
    [() => ({ accessKeyId: 'AKIA', secretAccessKey: SECRET, expiration: 'soon' }), /the expiration the credential provider returned must be a Date/],
  ]
  for (const [provider, message] of cases) {
    const auth = new Authenticator({ provider, env: sourceEnv() })
    await assert.rejects(auth.credentials(), (e) => {
      assert.ok(e instanceof CredentialsProviderError, `${e}`)
      assert.ok(e.cause instanceof TypeError, `${e.cause}`)
      assert.equal(e.cause.code, 'ERR_INVALID_ARG_TYPE')
      assert.match(e.cause.message, message)
      assertNoSecret(e.message + e.cause.message, '12345')
      return true
    })
  }
  const blank = new Authenticator({ provider: () => ({ accessKeyId: 'AKIA', secretAccessKey: ' ' }), env: sourceEnv() })
  await assert.rejects(blank.credentials(), (e) => e instanceof CredentialsProviderError && /no secret access key/.test(e.message))
})

test('custom provider: one that never answers times out, and later calls still work', async () => {
  let answer = () => new Promise(() => {})
  const auth = new Authenticator({ provider: () => answer(), timeoutMs: 100, env: sourceEnv() })
  await assert.rejects(auth.credentials(), (e) => {
    assert.ok(e instanceof TimeoutError)
    assert.equal(e.code, 'TIMEOUT')
    assert.equal(e.resultCode, 7)
    return true
  })
  answer = () => ({ accessKeyId: 'AKIALATER', secretAccessKey: SECRET })
  assert.equal((await auth.credentials()).accessKeyId, 'AKIALATER')
})

test('custom provider: many concurrent requests are each answered', async () => {
  let calls = 0
  const auth = new Authenticator({
    provider: async () => {
      calls++
      await new Promise((r) => setImmediate(r))
      return { accessKeyId: `AKIA${calls}`, secretAccessKey: SECRET }
    },
    env: sourceEnv(),
  })
  const all = await Promise.all(Array.from({ length: 50 }, () => auth.credentials()))
  assert.equal(all.length, 50)
  assert.equal(calls, 50)
})

test('Conversation: payloads as Buffers, strict reply checks, order enforced', async () => {
  const auth = new Authenticator({ env: sourceEnv({ AWS_ACCESS_KEY_ID: 'AKIACONV', AWS_SECRET_ACCESS_KEY: SECRET }) })
  const conversation = await auth.conversation()
  assert.ok(conversation instanceof Conversation)
  assert.equal(conversation.credentials.accessKeyId, 'AKIACONV')
  assertNoSecret(inspect(conversation))
  assert.throws(() => conversation.clientFinal(Buffer.alloc(0)), InvalidArgumentError)
  const first = conversation.clientFirst()
  assert.ok(Buffer.isBuffer(first))
  // {r: binary(32), p: 110}: 4 + (1+2+4+1+32) + (1+2+4) + 1 bytes.
  assert.equal(first.length, 52)
  assert.equal(first.readInt32LE(0), 52)
  assert.throws(() => conversation.clientFirst(), InvalidArgumentError)
  assert.throws(() => conversation.clientFinal('not bytes'), (e) => e instanceof TypeError && /Buffer or Uint8Array, got string/.test(e.message))
  assert.throws(() => conversation.clientFinal(new Uint8Array([5, 0, 0, 0, 0])), (e) => {
    assert.ok(e instanceof AuthenticationError, `${e}`)
    assertNoSecret(e.message)
    return true
  })
  assert.throws(() => new Conversation(), TypeError)
})

test('reportFailure: takes a Conversation, Credentials or generation; anything else is a TypeError', async () => {
  const auth = new Authenticator({ env: sourceEnv({ AWS_ACCESS_KEY_ID: 'AKIAREPORT', AWS_SECRET_ACCESS_KEY: SECRET }) })
  const conversation = await auth.conversation()
  assert.equal(auth.reportFailure(conversation), false)
  assert.equal(auth.reportFailure(conversation.credentials), false)
  const generation = testing.set('k', new Credentials({ accessKeyId: 'AKIAC', secretAccessKey: SECRET, expiration: Date.now() + HOUR }))
  assert.equal(auth.reportFailure(generation), true)
  assert.equal(auth.reportFailure(generation), false)
  for (const bad of ['1', {}, null, -1, 1.5]) {
    assert.throws(() => auth.reportFailure(bad), TypeError, String(bad))
  }
})

test('testing: set, get, entries, expire, poison, invalidateGeneration, clear', () => {
  const expiration = new Date(Date.now() + HOUR)
  const creds = new Credentials({ accessKeyId: 'ASIACACHE', secretAccessKey: SECRET, sessionToken: TOKEN, expiration, source: 'container' })
  const generation = testing.set('container:test', creds)
  assert.equal(typeof generation, 'number')
  const [entry, ...rest] = testing.entries()
  assert.equal(rest.length, 0)
  assert.deepEqual(
    { ...entry, expirationMs: undefined },
    { key: 'container:test', accessKeyId: 'ASIACACHE', source: 'container', expirationMs: undefined, generation },
  )
  assert.ok(Math.abs(entry.expirationMs - expiration.getTime()) < 1000)
  assertNoSecret(JSON.stringify(testing.entries()))
  const got = testing.get()
  assert.equal(got.secretAccessKey, SECRET)
  assert.equal(got.generation, generation)
  assert.equal(testing.get('container:test').accessKeyId, 'ASIACACHE')
  assert.equal(testing.get('other'), null)

  assert.equal(testing.expire('container:test', 0), 1)
  assert.equal(testing.entries()[0].expirationMs, 0)
  assert.equal(testing.expire(), 1)
  assert.throws(() => testing.expire(null, 'tomorrow'), TypeError)
  assert.equal(testing.poison(), 1)
  assert.notEqual(testing.get().accessKeyId, 'ASIACACHE')
  assert.equal(testing.invalidateGeneration(generation + 1000), false)
  assert.equal(testing.invalidateGeneration(generation), true)
  assert.deepEqual(testing.entries(), [])

  testing.set('a', creds)
  testing.clear()
  assert.deepEqual(testing.entries(), [])
  assert.throws(
    () => testing.set('k', new Credentials({ accessKeyId: 'A', secretAccessKey: SECRET })),
    (e) => e instanceof InvalidArgumentError && /expiry/.test(e.message),
  )
})

test('credentialProvider: the driver contract, and reportFailure drops what it served', async () => {
  const provider = credentialProvider({ env: sourceEnv({ AWS_ACCESS_KEY_ID: 'AKIAPROV', AWS_SECRET_ACCESS_KEY: SECRET }) })
  assert.equal(typeof provider, 'function')
  assert.equal(provider.length, 0)
  assert.equal(provider.reportFailure(), false)
  const c = await provider()
  assert.deepEqual([c.accessKeyId, c.secretAccessKey, c.sessionToken, c.expiration], ['AKIAPROV', SECRET, undefined, undefined])
  assert.ok(provider.authenticator instanceof Authenticator)
  assert.equal(provider.reportFailure(), false, 'environment credentials are never cached')
  assert.throws(() => provider.watch({}), TypeError)
  assert.throws(() => credentialProvider({ provider: 1 }), TypeError)
  const failing = credentialProvider({ env: sourceEnv() })
  await assert.rejects(failing(), CredentialsNotFoundError)
})

test('options.saml: wrong shapes are TypeErrors, bad numbers RangeErrors, what the core refuses InvalidArgumentErrors', () => {
  const base = { roleArn: 'arn:aws:iam::123456789012:role/r', principalArn: 'arn:aws:iam::123456789012:saml-provider/p', assertion: 'PHNhbWw+' }
  const typeErrors = [
    [{ saml: 'x' }, /options\.saml must be an object, got string/],
    [{ saml: { ...base, roleArn: undefined } }, /options\.saml\.roleArn must be a string, got undefined/],
    [{ saml: { ...base, assertion: 5 } }, /options\.saml\.assertion must be a string or a function returning one, got number/],
    [{ saml: { ...base, assertion: undefined } }, /needs assertion .* or assertionFile/],
    [{ saml: { ...base, assertionFile: '/tmp/x' } }, /not both/],
    [{ saml: { ...base, role: 'x' } }, /options\.saml\.role is not a SAML option/],
    [{ saml: base, provider: () => ({}) }, /options\.provider and options\.saml are two sources/],
  ]
  for (const [options, message] of typeErrors) {
    assert.throws(() => new Authenticator({ env: sourceEnv(), ...options }), (e) => {
      assert.ok(e instanceof TypeError, `${e}`)
      assert.equal(e.code, 'ERR_INVALID_ARG_TYPE')
      assert.match(e.message, message)
      assert.ok(!e.message.includes('PHNhbWw+'))
      return true
    })
  }
  for (const durationSeconds of [1.5, -900, NaN]) {
    assert.throws(() => new Authenticator({ env: sourceEnv(), saml: { ...base, durationSeconds } }), RangeError)
  }
  for (const saml of [{ ...base, roleArn: 'not-an-arn' }, { ...base, durationSeconds: 60 }, { ...base, policy: ' ' }]) {
    assert.throws(() => new Authenticator({ env: sourceEnv(), saml }), InvalidArgumentError)
  }
  assert.ok(new Authenticator({ env: sourceEnv(), saml: { ...base, durationSeconds: 900, policy: '{}' } }))
})

test('options.saml: a failing assertion function fails the fetch with its message; no network is tried', async () => {
  const saml = {
    roleArn: 'arn:aws:iam::123456789012:role/r',
    principalArn: 'arn:aws:iam::123456789012:saml-provider/p',
    assertion: () => {
      throw new Error('the IdP session expired')
    },
  }
  const auth = new Authenticator({ env: sourceEnv(), stsEndpoint: 'http://127.0.0.1:9/', saml })
  await assert.rejects(auth.credentials(), (e) => {
    assert.ok(e instanceof MongoAwsAuthError, `${e}`)
    assert.match(e.message, /the IdP session expired/)
    return true
  })
  const wrong = new Authenticator({ env: sourceEnv(), stsEndpoint: 'http://127.0.0.1:9/', saml: { ...saml, assertion: async () => 42 } })
  await assert.rejects(wrong.credentials(), /must return \(or resolve to\) a base64 string.*got number/)
})
