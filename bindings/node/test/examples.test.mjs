// Every Node example runs here against the stand-ins, so none can rot (every example is run by
// the test suite). They are
// written as an application would (require('mongoawsauth')), so the package and the driver are
// linked into a scratch node_modules on NODE_PATH.
import './helpers/isolation.mjs'
import { childEnv } from './helpers/isolation.mjs'
import { startStandins } from './helpers/standins.mjs'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, test } from 'node:test'

const pkg = fileURLToPath(new URL('..', import.meta.url))
const examples = fileURLToPath(new URL('../../../examples/node/', import.meta.url))
let s
let nodePath
before(async () => {
  s = await startStandins()
  nodePath = join(mkdtempSync(join(tmpdir(), 'mongoawsauth-examples-')), 'node_modules')
  mkdirSync(nodePath)
  symlinkSync(pkg, join(nodePath, 'mongoawsauth'))
  symlinkSync(join(pkg, 'node_modules', 'mongodb'), join(nodePath, 'mongodb'))
})
after(() => s?.stop())

const run = (script, env) =>
  promisify(execFile)(process.execPath, [join(examples, script)], { env: childEnv({ NODE_PATH: nodePath, ...env }) })

const keys = () => ({
  AWS_ACCESS_KEY_ID: s.identities.temporary.access_key_id,
  AWS_SECRET_ACCESS_KEY: s.identities.temporary.secret_access_key,
  AWS_SESSION_TOKEN: s.identities.temporary.session_token,
})

test('examples/node/authenticate.js: the conversation by hand', async () => {
  const { stdout } = await run('authenticate.js', { MONGOD_ADDRESS: s.mongod, ...keys() })
  assert.equal(stdout.trim(), s.identities.temporary.arn)
})

test('examples/node/driver_login.js: credentialProvider() in MongoClient', async () => {
  const { stdout } = await run('driver_login.js', { MONGODB_URI: s.mongodb_uri, ...keys() })
  assert.equal(stdout.trim(), s.identities.temporary.arn)
})

test('examples/node/authenticate.js: a wrong secret fails with a message and exit code 1', async () => {
  const wrong = { ...keys(), AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) }
  await assert.rejects(run('authenticate.js', { MONGOD_ADDRESS: s.mongod, ...wrong }), (e) => {
    assert.equal(e.code, 1)
    assert.match(e.stderr, /login failed/)
    assert.ok(!e.stderr.includes('x'.repeat(40)))
    return true
  })
})
