// Calls one export of the addon while the test switch MONGOAWSAUTH_TEST_FORCE_PANIC names it, in
// a process of its own (test/hardening.test.mjs starts it with the switch set): the export panics
// inside its guard on every call, and this script prints what JavaScript saw as one line of JSON.
// An export whose guard is missing aborts this process instead, and the parent sees the signal.
//
// Usage: MONGOAWSAUTH_TEST_FORCE_PANIC=EXPORT node forced-panic.mjs EXPORT
//        node forced-panic.mjs --list   (the exports this script knows how to call)
import './isolation.mjs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const env = { AWS_EC2_METADATA_DISABLED: 'true' }
const KEYS = { accessKeyId: 'AKIAFORCED', secretAccessKey: 'forced-secret-not-shown', sessionToken: 'forced-token' }
const SPEC_CLIENT_FIRST_NONCE = Buffer.alloc(32, 7)

// Each recipe builds what it needs with other exports, then calls the named one (and only it
// may panic: the switch names one export at a time).
const pkg = () => require('../../index.js')
const credentials = () => new (pkg().Credentials)({ ...KEYS, expiration: Date.now() + 3600e3 })
const authenticator = () => new (pkg().Authenticator)({ env, provider: () => KEYS })
const conversation = () => authenticator().conversation()

const recipes = {
  // Called by index.js while it loads, before the error classes are registered: the panic
  // reaches JavaScript as a plain Error with the same message, thrown by require().
  __setErrorFactory: () => pkg(),
  __panicForTests: () => pkg() && require('../../binding.js').__panicForTests('future'),
  'new Authenticator': () => authenticator(),
  'Authenticator.credentialsNow': () => authenticator().credentialsNow(),
  'Authenticator.credentials': () => authenticator().credentials(),
  'Authenticator.resolve': () => authenticator().resolve(),
  'Authenticator.conversation': () => authenticator().conversation(),
  'Authenticator.reportFailure': () => authenticator().reportFailure(0),
  'new Conversation': () => new (pkg().Conversation)(),
  'Conversation.credentials': async () => (await conversation()).credentials,
  'Conversation.clientFirst': async () => (await conversation()).clientFirst(),
  'Conversation.clientFinal': async () => (await conversation()).clientFinal(Buffer.alloc(0)),
  'new Credentials': () => credentials(),
  'Credentials.accessKeyId': () => credentials().accessKeyId,
  'Credentials.secretAccessKey': () => credentials().secretAccessKey,
  'Credentials.sessionToken': () => credentials().sessionToken,
  'Credentials.expiration': () => credentials().expiration,
  'Credentials.source': () => credentials().source,
  'Credentials.isTemporary': () => credentials().isTemporary,
  'Credentials.temporary': () => credentials().temporary,
  'Credentials.generation': () => credentials().generation,
  'Credentials.toJSON': () => JSON.stringify(credentials()),
  'Credentials.toString': () => String(credentials()),
  'testing.entries': () => pkg().testing.entries(),
  'testing.get': () => pkg().testing.get(),
  'testing.set': () => pkg().testing.set('forced', credentials()),
  'testing.clear': () => pkg().testing.clear(),
  'testing.expire': () => pkg().testing.expire(),
  'testing.poison': () => pkg().testing.poison(),
  'testing.invalidateGeneration': () => pkg().testing.invalidateGeneration(1),
  'testing.error': () => pkg().testing.error(1, 'forced'),
  'signing.signGetCallerIdentity': () =>
    pkg().signing.signGetCallerIdentity(credentials(), 'sts.amazonaws.com', Buffer.concat([SPEC_CLIENT_FIRST_NONCE, SPEC_CLIENT_FIRST_NONCE]), 0),
  validateConnectionString: () => pkg().validateConnectionString('mongodb://localhost/?authMechanism=MONGODB-AWS'),
  defaults: () => pkg().defaults(),
}

const name = process.argv[2]
if (name === '--list') {
  console.log(JSON.stringify(Object.keys(recipes)))
  process.exit(0)
}
if (!(name in recipes)) {
  console.error(`unknown export ${name}; the exports are:\n${Object.keys(recipes).join('\n')}`)
  process.exit(2)
}
let result
try {
  const value = await recipes[name]()
  result = { outcome: 'returned', value: typeof value }
} catch (error) {
  let isInternal = false
  try {
    isInternal = error instanceof pkg().InternalError
  } catch {
    // The package itself failed to load (the __setErrorFactory case).
  }
  result = { outcome: 'threw', error: { name: error?.name, code: error?.code, message: String(error?.message), isInternal } }
}
console.log(JSON.stringify(result))
