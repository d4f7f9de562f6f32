// The shared contract, as the Node face must follow it: tests/data/contract/*.json (read by the
// Rust, C and Python suites too), the SigV4 vectors of tests/data/sigv4 and the MongoDB
// specification's MONGODB-AWS connection-string cases in tests/data/spec, all through the
// package's public API.
import './helpers/isolation.mjs'
import { sourceEnv } from './helpers/isolation.mjs'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, test } from 'node:test'

const pkg = createRequire(import.meta.url)('../index.js')
const { Authenticator, Credentials, MongoAwsAuthError, testing, signing, validateConnectionString } = pkg

const root = new URL('../../../', import.meta.url)
const data = (path) => JSON.parse(readFileSync(new URL(path, root), 'utf8'))
const errors = data('tests/data/contract/errors.json')
const attempts = data('tests/data/contract/attempts.json')
const credentialsContract = data('tests/data/contract/credentials.json')
const options = data('tests/data/contract/options.json')

const KEYS = { accessKeyId: 'AKIACONTRACT', secretAccessKey: 'contract-secret-not-shown' }
const env = sourceEnv()
const optionByConcept = Object.fromEntries(options.options.map((o) => [o.concept, o]))

describe('errors.json: every kind is its class, code and resultCode', () => {
  for (const kind of errors.kinds) {
    test(`${kind.code} (${kind.result_code}) is ${kind.node}`, () => {
      const Class = pkg[kind.node]
      assert.equal(typeof Class, 'function', `the package exports no ${kind.node}`)
      assert.equal(Class.name, kind.node)
      const e = testing.error(kind.result_code, 'a contract error')
      assert.ok(e instanceof Class, `${e.name}`)
      assert.ok(e instanceof MongoAwsAuthError)
      assert.equal(e.name, kind.node)
      assert.equal(e.code, kind.code)
      assert.equal(e.resultCode, kind.result_code)
      assert.equal(e.message, 'a contract error')
      assert.deepEqual(e.attempts, [])
    })
  }
  test(`an unknown result code (${errors.unknown.result_code}) is the base ${errors.unknown.node} with code ${errors.unknown.code}`, () => {
    const e = testing.error(errors.unknown.result_code, 'from a newer library')
    assert.equal(Object.getPrototypeOf(e), pkg[errors.unknown.node].prototype)
    assert.equal(e.code, errors.unknown.code)
    assert.equal(e.resultCode, errors.unknown.result_code)
    assert.equal(e.message, 'from a newer library')
  })
  test('the C-only numbers (success, caught panic) are unknown to the Node face too', () => {
    for (const only of errors.c_only) {
      const e = testing.error(only.result_code)
      assert.equal(Object.getPrototypeOf(e), MongoAwsAuthError.prototype)
      assert.equal(e.code, 'UNKNOWN')
      assert.equal(e.resultCode, only.result_code)
    }
  })
  test('kind, the old name of resultCode, is kept for one release and warns once', async () => {
    const warnings = []
    const onWarning = (w) => warnings.push(w)
    process.on('warning', onWarning)
    try {
      const e = testing.error(3)
      assert.equal(e.kind, 3)
      assert.equal(testing.error(7).kind, 7)
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    const ours = warnings.filter((w) => w.code === 'MONGOAWSAUTH_DEP0001')
    assert.equal(ours.length, 1, warnings.map(String).join('\n'))
    assert.equal(ours[0].name, 'DeprecationWarning')
    assert.match(ours[0].message, /err\.kind is deprecated; read err\.resultCode/)
  })
})

describe('attempts.json: outcome spellings and attempt fields', () => {
  const names = attempts.outcomes.map((o) => o.name)
  const fields = Object.fromEntries(attempts.fields.map((f) => [f.concept, f.node]))

  test('a chain that finds nothing: not_configured attempts with their fields', async () => {
    const e = await new Authenticator({ env, sharedConfig: false }).credentials().then(
      () => assert.fail('resolved'),
      (error) => error,
    )
    assert.equal(e.code, 'CREDENTIALS_NOT_FOUND')
    assert.ok(e.attempts.length > 0)
    for (const attempt of e.attempts) {
      assert.ok(names.includes(attempt.outcome), attempt.outcome)
      assert.equal(attempt.outcome, 'not_configured')
      assert.equal(typeof attempt[fields.source], 'string')
      assert.equal(typeof attempt[fields.message], 'string')
      assert.equal(typeof attempt[fields.elapsed], 'number')
      assert.equal(attempt[fields.code], undefined, 'only a failed attempt has a code')
    }
  })

  test('a failed attempt carries the error code of its failure', async () => {
    const e = await new Authenticator({
      env: sourceEnv({ AWS_ACCESS_KEY_ID: 'AKIAHALF' }),
      sharedConfig: false,
    })
      .credentials()
      .then(
        () => assert.fail('resolved'),
        (error) => error,
      )
    const failed = e.attempts.filter((a) => a.outcome === 'failed')
    assert.ok(failed.length > 0, JSON.stringify(e.attempts))
    for (const attempt of failed) {
      assert.ok(names.includes(attempt.outcome))
      assert.ok(errors.kinds.some((k) => k.code === attempt[fields.code]), attempt[fields.code])
      assert.equal(typeof attempt[fields.message], 'string')
    }
  })

  test('the typings declare exactly these outcomes', () => {
    const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
    const declared = /readonly outcome: ([^\n]+)/.exec(dts)[1].split('|').map((s) => s.trim().replace(/'/g, ''))
    assert.deepEqual(declared, names)
  })
})

describe('credentials.json: field names, the application source, deprecated aliases', () => {
  const c = new Credentials({ ...KEYS, sessionToken: 'contract-token', expiration: Date.now() + 3600e3 })

  test('every field is a property by its Node name', () => {
    const expected = {
      access_key_id: KEYS.accessKeyId,
      secret_access_key: KEYS.secretAccessKey,
      session_token: 'contract-token',
      is_temporary: true,
      source: credentialsContract.default_source,
      generation: undefined,
    }
    for (const field of credentialsContract.fields) {
      assert.ok(field.node in c, `Credentials has no ${field.node}`)
      if (field.concept === 'expiration') assert.ok(c[field.node] instanceof Date)
      else assert.equal(c[field.node], expected[field.concept], field.node)
    }
  })

  test(`credentials an application builds are from "${credentialsContract.default_source}"`, () => {
    assert.equal(new Credentials(KEYS).source, credentialsContract.default_source)
    assert.equal(c.toJSON().source, credentialsContract.default_source)
  })

  test('toJSON carries the Node names, the deprecated ones too for one release, and no secret', () => {
    const json = c.toJSON()
    for (const field of credentialsContract.fields) {
      if (field.concept === 'generation') continue // absent for credentials never cached
      assert.ok(field.node in json, `toJSON has no ${field.node}`)
    }
    assert.equal(json.secretAccessKey, '** redacted **')
    assert.equal(json.sessionToken, '** redacted **')
    for (const old of credentialsContract.deprecated.filter((d) => d.face === 'node')) {
      assert.equal(json[old.old], json[old.new], `toJSON.${old.old}`)
    }
  })

  test('the deprecated getters answer as the new ones and warn once', async () => {
    const warnings = []
    const onWarning = (w) => warnings.push(w)
    process.on('warning', onWarning)
    try {
      for (const old of credentialsContract.deprecated.filter((d) => d.face === 'node')) {
        assert.equal(c[old.old], c[old.new], old.old)
        assert.equal(c[old.old], c[old.new], old.old)
      }
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    const ours = warnings.filter((w) => w.code === 'MONGOAWSAUTH_DEP0002')
    assert.equal(ours.length, 1, warnings.map(String).join('\n'))
    assert.match(ours[0].message, /credentials\.temporary is deprecated; read credentials\.isTemporary/)
  })
})

describe('options.json: defaults from the core, and the same validation as every face', () => {
  test('defaults() gives every default of the contract, by its Node name', () => {
    const defaults = pkg.defaults()
    for (const option of options.options) {
      if ('default_ms' in option) assert.equal(defaults[option.node], option.default_ms, option.node)
      else if ('default' in option) assert.equal(defaults[option.node], option.default, option.node)
    }
    assert.equal(defaults.samlMinDurationSeconds, options.saml_duration_s.min)
    assert.equal(defaults.samlMaxDurationSeconds, options.saml_duration_s.max)
    assert.equal(defaults.maxTimeoutMs, 2 ** 31 - 1)
    assert.notEqual(pkg.defaults(), defaults, 'a fresh object each time, so no caller can change another\'s')
  })

  const nodeValue = (c) => ('value_ms' in c ? c.value_ms : c.value)
  const expected = {
    type: { Class: TypeError, code: 'ERR_INVALID_ARG_TYPE' },
    range: { Class: RangeError, code: 'ERR_OUT_OF_RANGE' },
    value: { Class: TypeError, code: 'ERR_INVALID_ARG_VALUE' },
  }
  for (const c of options.invalid.cases.filter((c) => !c.faces || c.faces.includes('node'))) {
    const { node } = optionByConcept[c.concept]
    test(`refused when built: ${node} = ${JSON.stringify(nodeValue(c))} (${c.kind})`, () => {
      assert.throws(
        () => new Authenticator({ env, [node]: nodeValue(c) }),
        (e) => {
          const want = expected[c.kind]
          assert.ok(e instanceof want.Class, `${e.name}: ${e.message}`)
          assert.ok(!(e instanceof MongoAwsAuthError), 'an argument error, not a library failure')
          assert.equal(e.code, want.code, e.message)
          assert.match(e.message, new RegExp(`\\boptions\\.${node}\\b`))
          // Never the core's snake_case name of any option.
          for (const other of options.options) {
            if (other.concept.includes('_')) assert.ok(!e.message.includes(other.concept), `${other.concept} in: ${e.message}`)
          }
          return true
        },
      )
    })
  }
  for (const c of options.invalid.valid) {
    const { node } = optionByConcept[c.concept]
    test(`accepted: ${node} = ${JSON.stringify(nodeValue(c))}`, () => {
      assert.ok(new Authenticator({ env, [node]: nodeValue(c) }) instanceof Authenticator)
    })
  }
  test('the largest value every …Ms option takes is defaults().maxTimeoutMs', () => {
    const max = pkg.defaults().maxTimeoutMs
    for (const option of options.options.filter((o) => o.node.endsWith('Ms'))) {
      assert.ok(new Authenticator({ env, [option.node]: max }))
      assert.throws(() => new Authenticator({ env, [option.node]: max + 1 }), RangeError, option.node)
    }
  })
})

describe('the SigV4 vectors (tests/data/sigv4), through signing.signGetCallerIdentity', () => {
  const vectors = data('tests/data/sigv4/mongodb-aws-sigv4-vectors.json')
  const amzDate = (s) =>
    Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15))
  // The public API signs the nonce the server sent (its bytes); vectors whose nonce header is
  // not the base64 of a 64-byte nonce exercise the signer below that, which only Rust reaches.
  const cases = vectors.signing_cases.filter((c) => Buffer.from(c.x_mongodb_server_nonce, 'base64').length === 64)

  test('at least the two spec-nonce cases are reachable', () => {
    assert.ok(cases.length >= 2, cases.map((c) => c.name).join())
  })
  for (const v of cases) {
    test(v.name, () => {
      const credentials = new Credentials({
        accessKeyId: v.access_key_id,
        secretAccessKey: v.secret_access_key,
        sessionToken: v.session_token ?? undefined,
      })
      const date = amzDate(v.x_amz_date)
      const nonce = Buffer.from(v.x_mongodb_server_nonce, 'base64')
      const signed = signing.signGetCallerIdentity(credentials, v.sts_host, nonce, date)
      assert.equal(signed.authorization, v.authorization)
      assert.equal(signed.amzDate, v.x_amz_date)
      assert.ok(Buffer.isBuffer(signed.payload))
      assert.equal(signed.payload.toString('base64'), v.client_final_payload_bson_b64)
      // A Date is as good as the number.
      assert.equal(signing.signGetCallerIdentity(credentials, v.sts_host, nonce, new Date(date)).authorization, v.authorization)
    })
  }
  test('the region table: each host signs for its region, or is refused', () => {
    const credentials = new Credentials(KEYS)
    const nonce = Buffer.alloc(64, 1)
    for (const r of vectors.region_cases) {
      if (r.error) {
        assert.throws(() => signing.signGetCallerIdentity(credentials, r.host, nonce, 0), pkg.AuthenticationError, r.host.slice(0, 20))
      } else {
        const { authorization } = signing.signGetCallerIdentity(credentials, r.host, nonce, 0)
        assert.ok(authorization.includes(`/19700101/${r.region}/sts/aws4_request`), `${r.host}: ${authorization}`)
      }
    }
  })
  test('wrong argument types are TypeErrors', () => {
    const credentials = new Credentials(KEYS)
    assert.throws(() => signing.signGetCallerIdentity(credentials, 'sts.amazonaws.com', 'nonce', 0), { code: 'ERR_INVALID_ARG_TYPE' })
    assert.throws(() => signing.signGetCallerIdentity(credentials, 'sts.amazonaws.com', Buffer.alloc(64), 'today'), { code: 'ERR_INVALID_ARG_TYPE' })
    assert.throws(() => signing.signGetCallerIdentity(credentials, 'sts.amazonaws.com', Buffer.alloc(64), -1), { code: 'ERR_OUT_OF_RANGE' })
  })
})

describe("the MongoDB specification's MONGODB-AWS connection-string cases, through validateConnectionString", () => {
  const all = data('tests/data/spec/connection-string.json').tests
  const cases = all.filter((c) => c.uri.includes('authMechanism=MONGODB-AWS'))
  // The two cases from 2020 the file still marks valid although DRIVERS-3131 (2025) made keys in
  // the connection string an error: valid only under the legacy policy.
  const LEGACY_ONLY = [
    'should use username and password if specified (MONGODB-AWS)',
    'should use username, password and session token if specified (MONGODB-AWS)',
  ]
  // The DRIVERS-3131 additions: errors now; the legacy policy accepts a complete set of keys.
  const DRIVERS_3131 = [
    'should throw an exception if username and password provided (MONGODB-AWS)',
    'should throw an exception if AWS_SESSION_TOKEN provided (MONGODB-AWS)',
  ]
  const secretsOf = (uri) => {
    const password = /\/\/[^:/@]*:([^@]*)@/.exec(uri)?.[1]
    const token = /AWS_SESSION_TOKEN:([^&,]*)/.exec(uri)?.[1]
    return [password, token].filter((s) => s && !/^[a-z]+$/i.test(s)).map(decodeURIComponent)
  }

  test('the file has its 8 MONGODB-AWS cases', () => {
    assert.equal(cases.length, 8)
    for (const name of [...LEGACY_ONLY, ...DRIVERS_3131]) assert.ok(cases.some((c) => c.description === name), name)
  })
  for (const policy of ['strict', 'legacy']) {
    for (const c of cases) {
      const valid =
        policy === 'strict'
          ? c.valid && !LEGACY_ONLY.includes(c.description)
          : DRIVERS_3131.includes(c.description)
            ? c.uri.includes('user:pass@')
            : c.valid
      test(`${policy}: ${c.description}: ${valid ? 'valid' : 'refused'}`, () => {
        if (!valid) {
          assert.throws(
            () => validateConnectionString(c.uri, policy),
            (e) => {
              assert.ok(e instanceof pkg.ConfigurationError, `${e.name}: ${e.message}`)
              for (const secret of secretsOf(c.uri)) assert.ok(!e.message.includes(secret), e.message)
              return true
            },
          )
          return
        }
        const settings = validateConnectionString(c.uri, policy)
        assert.equal(settings.source, '$external')
        if (policy === 'strict') {
          assert.equal(settings.credentials, undefined)
          return
        }
        const expected = c.credential
        if (expected?.username) {
          assert.equal(settings.credentials.accessKeyId, expected.username)
          assert.equal(settings.credentials.secretAccessKey, expected.password)
          const token = expected.mechanism_properties?.AWS_SESSION_TOKEN
          assert.equal(settings.credentials.sessionToken, token)
          assert.equal(settings.credentials.isTemporary, token !== undefined)
        } else if (expected && expected.username === null) {
          assert.equal(settings.credentials, undefined)
        }
      })
    }
  }
  test('the default policy is strict; a bad policy or a non-connection string is refused', () => {
    assert.throws(() => validateConnectionString('mongodb://user:pass@h/?authMechanism=MONGODB-AWS'), pkg.ConfigurationError)
    assert.throws(() => validateConnectionString('mongodb://h/?authMechanism=MONGODB-AWS', 'lenient'), { code: 'ERR_INVALID_ARG_VALUE' })
    assert.throws(() => validateConnectionString('mongodb://h/', 1), { code: 'ERR_INVALID_ARG_TYPE' })
    assert.throws(() => validateConnectionString('http://localhost/'), pkg.InvalidArgumentError)
  })
})
