// Runs one case of test/hardening.test.mjs in a process of its own, because the defects it
// guards against abort the process (a Rust panic unwinding into Node): the parent sees a
// signal instead of this script's one line of JSON, and fails cleanly.
//
// Usage: node crash-probe.mjs CASE  ->  prints {outcome, error?} and exits 0.
import './isolation.mjs'
import { createRequire } from 'node:module'
import { inspect } from 'node:util'

const require = createRequire(import.meta.url)
const pkg = require('../../index.js')
const { Authenticator, Credentials, testing } = pkg

const YEAR_10000 = Date.UTC(10000, 0, 1)
const expirations = {
  huge: 1e300,
  nan: NaN,
  infinity: Infinity,
  'minus-infinity': -Infinity,
  negative: -1,
  'far-negative': -1e300,
  'date-year-10000': new Date(YEAR_10000),
  'date-max': new Date(8.64e15),
  'date-invalid': new Date(NaN),
}

function describe(error) {
  if (!error || typeof error !== 'object') return { value: String(error) }
  return {
    name: error.name,
    code: error.code,
    message: String(error.message),
    isPackageError: error instanceof pkg.MongoAwsAuthError,
    isInternal: error instanceof pkg.InternalError,
    isRangeError: error instanceof RangeError,
    isTypeError: error instanceof TypeError,
    cause: error.cause === undefined ? undefined : describe(error.cause),
  }
}

const KEYS = { accessKeyId: 'AKIAPROBE', secretAccessKey: 'probe-secret-not-shown' }
const env = { AWS_EC2_METADATA_DISABLED: 'true' }

const cases = {}
for (const [name, expiration] of Object.entries(expirations)) {
  // What a custom provider returns is checked inside napi's threadsafe-function callback
  // (sync provider) or its promise callback (async provider).
  cases[`provider-sync:${name}`] = () =>
    new Authenticator({ env, provider: () => ({ ...KEYS, sessionToken: 'probe-token', expiration }) }).credentials()
  cases[`provider-async:${name}`] = () =>
    new Authenticator({ env, provider: async () => ({ ...KEYS, sessionToken: 'probe-token', expiration }) }).credentials()
  // Built by hand, then shown every way a logger would show it.
  cases[`credentials:${name}`] = () => {
    const c = new Credentials({ ...KEYS, expiration })
    return [String(c), JSON.stringify(c), inspect(c)].join('\n')
  }
  cases[`testing-expire:${name}`] = () => testing.expire(null, expiration)
}
for (const option of ['timeoutMs', 'refreshWindowMs', 'stsTimeoutMs']) {
  for (const value of [1e300, Infinity, NaN, -1]) {
    cases[`option:${option}=${value}`] = () => new Authenticator({ env, [option]: value })
  }
}
cases['saml-duration:1e300'] = () =>
  new Authenticator({
    env,
    saml: {
      roleArn: 'arn:aws:iam::123456789012:role/r',
      principalArn: 'arn:aws:iam::123456789012:saml-provider/p',
      assertion: 'PHNhbWw+',
      durationSeconds: 1e300,
    },
  })
cases['inspect:not-an-instance'] = () =>
  [inspect(Object.create(Credentials.prototype)), inspect(Object.create(pkg.Conversation.prototype))].join('\n')
// The asynchronous panic boundaries, each with a deliberate panic (only while the test switch
// MONGOAWSAUTH_TEST_FORCE_PANIC names the site: test/hardening.test.mjs sets it).
const hook = () => require('../../binding.js').__panicForTests
cases['panic:sync'] = () => hook()('sync')
cases['panic:future'] = () => hook()('future')
cases['panic:settle'] = () => hook()('settle')
cases['panic:provider'] = () => {
  hook()('provider')
  return new Authenticator({ env, provider: () => KEYS }).credentials()
}

const name = process.argv[2]
if (!(name in cases)) {
  console.error(`unknown case ${name}; the cases are:\n${Object.keys(cases).join('\n')}`)
  process.exit(2)
}
let result
try {
  const value = await cases[name]()
  result = { outcome: 'returned', value: typeof value === 'string' ? value : typeof value }
} catch (error) {
  result = { outcome: 'threw', error: describe(error) }
}
console.log(JSON.stringify(result))
