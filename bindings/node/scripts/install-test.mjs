// The Node package installed the way a user installs it: a fresh npm project under target/,
// `npm install` of the two tarballs `make dist-node` built (the main package and the platform
// package) plus the mongodb driver at the version the tests pin, with no Rust toolchain on PATH;
// then the examples of examples/node log in against the loopback stand-ins.
//
// It also pins down what the package documents about installing:
// - the driver (7.9) refuses to log in through a custom AWS_CREDENTIAL_PROVIDER unless
//   @aws-sdk/credential-providers is installed, while the conversation by hand needs no SDK;
// - without its platform package, or on a platform with none, require('mongoawsauth') fails
//   with a message naming the package to install.
//
// Usage: node scripts/install-test.mjs   (make node-test and make node-install-test run it)
// MONGOAWSAUTH_DIST (default target/dist) holds the tarballs; MONGOAWSAUTH_STANDINS the
// stand-ins binary. npm's own settings (npm_config_cache...) pass through to the installs.
import '../test/helpers/isolation.mjs'
import { childEnv } from '../test/helpers/isolation.mjs'
import { startStandins } from '../test/helpers/standins.mjs'
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { after, before, test } from 'node:test'

const require = createRequire(import.meta.url)
const { platformSuffix, packageName, fileName } = require('../platform.js')

const pkg = fileURLToPath(new URL('..', import.meta.url))
const repo = resolve(pkg, '../..')
const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'))
const version = manifest.version
const dist = resolve(process.env.MONGOAWSAUTH_DIST ?? join(repo, 'target', 'dist'))
const work = join(process.env.CARGO_TARGET_DIR ?? join(repo, 'target'), 'node-install-test')
const app = join(work, 'app')
const suffix = platformSuffix()
const platformPackage = packageName(suffix)
const tarballs = [join(dist, `mongoawsauth-${version}.tgz`), join(dist, `${platformPackage}-${version}.tgz`)]
// The versions the repository's own tests use, so this is the same driver they exercise.
const driver = `mongodb@${manifest.devDependencies.mongodb}`
const sdk = `@aws-sdk/credential-providers@${manifest.devDependencies['@aws-sdk/credential-providers']}`

// A user's PATH: node and npm, and the system directories, but no Rust toolchain (checked
// below), so nothing can be compiled during the install.
const userPath = [...new Set([dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'])].join(':')
function userEnv(extra = {}) {
  return childEnv({ PATH: userPath, CARGO: undefined, CARGO_HOME: undefined, RUSTUP_HOME: undefined, CARGO_TARGET_DIR: undefined, ...extra })
}

function npm(args) {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, env: userEnv(), encoding: 'utf8' })
  assert.equal(r.status, 0, `npm ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`)
}

const node = (args, env = {}) => promisify(execFile)(process.execPath, args, { cwd: app, env: userEnv(env) })

let s
before(async () => {
  for (const t of tarballs) assert.ok(existsSync(t), `${t} is missing: run make dist-node first`)
  rmSync(work, { recursive: true, force: true })
  mkdirSync(app, { recursive: true })
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'mongoawsauth-install-test', private: true }, null, 2)}\n`)
  for (const example of ['authenticate.js', 'driver_login.js']) {
    copyFileSync(join(repo, 'examples', 'node', example), join(app, example))
  }
  s = await startStandins()
})
after(() => s?.stop())

const keys = () => ({
  AWS_ACCESS_KEY_ID: s.identities.temporary.access_key_id,
  AWS_SECRET_ACCESS_KEY: s.identities.temporary.secret_access_key,
  AWS_SESSION_TOKEN: s.identities.temporary.session_token,
})

test('the PATH of the installs and the logins has no cargo, rustc, rustup or maturin', () => {
  for (const tool of ['cargo', 'rustc', 'rustup', 'maturin']) {
    const r = spawnSync('sh', ['-c', `command -v ${tool}`], { env: userEnv(), encoding: 'utf8' })
    assert.notEqual(r.status, 0, `${tool} is on the install PATH at ${r.stdout.trim()}`)
  }
})

test(`npm install of the two tarballs and ${driver}`, () => {
  npm(['install', ...tarballs, driver])
  const installed = join(app, 'node_modules')
  const main = JSON.parse(readFileSync(join(installed, 'mongoawsauth', 'package.json'), 'utf8'))
  assert.equal(main.version, version)
  assert.deepEqual(main.optionalDependencies, { [platformPackage]: version })
  // The main package is JavaScript only, and brings none of the checkout's dev dependencies.
  assert.deepEqual(readdirSync(join(installed, 'mongoawsauth')).filter((f) => f.endsWith('.node') || f === 'node_modules'), [])
  const platform = JSON.parse(readFileSync(join(installed, platformPackage, 'package.json'), 'utf8'))
  assert.equal(platform.version, version)
  assert.ok(statSync(join(installed, platformPackage, fileName(suffix))).size > 0)
})

test('examples/node/authenticate.js (the conversation by hand) logs in without the AWS SDK', async () => {
  assert.ok(!existsSync(join(app, 'node_modules', '@aws-sdk')), 'the AWS SDK was installed without being asked for')
  const { stdout } = await node(['authenticate.js'], { MONGOD_ADDRESS: s.mongod, ...keys() })
  assert.equal(stdout.trim(), s.identities.temporary.arn)
})

test('without @aws-sdk/credential-providers the driver refuses the login through createClient()', async () => {
  // The driver checks for the SDK before it looks at AWS_CREDENTIAL_PROVIDER: this is why the
  // package lists the SDK as a peer dependency next to mongodb, and why the docs say so.
  await assert.rejects(node(['driver_login.js'], { MONGODB_URI: s.mongodb_uri, ...keys() }), (e) => {
    assert.equal(e.code, 1)
    assert.match(e.stderr, /@aws-sdk\/credential-providers/)
    return true
  })
})

test(`with ${sdk} installed, examples/node/driver_login.js logs in through createClient()`, async () => {
  npm(['install', sdk])
  const { stdout } = await node(['driver_login.js'], { MONGODB_URI: s.mongodb_uri, ...keys() })
  assert.equal(stdout.trim(), s.identities.temporary.arn)
})

test('without its platform package, require("mongoawsauth") names the package and the command that installs it', async () => {
  const installedAt = join(app, 'node_modules', platformPackage)
  const aside = join(work, platformPackage)
  renameSync(installedAt, aside)
  try {
    await assert.rejects(node(['-e', "require('mongoawsauth')"]), (e) => {
      assert.match(e.stderr, new RegExp(`platform package ${platformPackage} is not installed`))
      assert.match(e.stderr, new RegExp(`npm install ${platformPackage}@${version.replace(/\./g, '\\.')}`))
      return true
    })
  } finally {
    renameSync(aside, installedAt)
  }
})

test('on a platform without a prebuilt addon, require("mongoawsauth") names the missing package', async () => {
  // process.platform and process.arch faked before the package loads, as on an Apple machine.
  const fake = join(work, 'fake-darwin-arm64.cjs')
  writeFileSync(
    fake,
    "Object.defineProperty(process, 'platform', { value: 'darwin' })\nObject.defineProperty(process, 'arch', { value: 'arm64' })\n",
  )
  await assert.rejects(node(['-r', fake, '-e', "require('mongoawsauth')"]), (e) => {
    assert.match(e.stderr, /no native addon for darwin-arm64/)
    assert.match(e.stderr, /no platform package mongoawsauth-darwin-arm64/)
    assert.match(e.stderr, new RegExp(`prebuilt addons only for ${platformPackage}`))
    return true
  })
})
