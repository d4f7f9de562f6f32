// binding.js and platform.js: which addon a machine needs, and what require('mongoawsauth')
// says when it is not there. Each case loads a copy of the package's JavaScript in a scratch
// directory laid out as the case needs, in a child process (a failed require cannot be undone
// in this one). scripts/install-test.mjs checks the same messages on the npm-installed layout.
import './helpers/isolation.mjs'
import { childEnv } from './helpers/isolation.mjs'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { test } from 'node:test'

const require = createRequire(import.meta.url)
const { platformSuffix, packageName, fileName, packageConstraints } = require('../platform.js')
const pkg = fileURLToPath(new URL('..', import.meta.url))
const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'))

// A copy of the package's JavaScript (no addon) in node_modules/mongoawsauth of a scratch
// project; `packageJson` replaces fields of its package.json.
function scratchProject(packageJson = {}) {
  const app = mkdtempSync(join(tmpdir(), 'mongoawsauth-loader-'))
  const dir = join(app, 'node_modules', 'mongoawsauth')
  mkdirSync(dir, { recursive: true })
  for (const file of manifest.files.filter((f) => !f.includes('*'))) copyFileSync(join(pkg, file), join(dir, file))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...manifest, ...packageJson }))
  return app
}

const load = (app, preload = []) =>
  promisify(execFile)(process.execPath, [...preload, '-e', "require('mongoawsauth')"], { cwd: app, env: childEnv() })

function fakePlatform(app, platform, arch) {
  const file = join(app, 'fake-platform.cjs')
  writeFileSync(
    file,
    `Object.defineProperty(process, 'platform', { value: ${JSON.stringify(platform)} })\n` +
      `Object.defineProperty(process, 'arch', { value: ${JSON.stringify(arch)} })\n`,
  )
  return ['-r', file]
}

test('platform names follow napi-rs: platform, arch and (on Linux) the libc', () => {
  assert.equal(platformSuffix('linux', 'x64', 'gnu'), 'linux-x64-gnu')
  assert.equal(platformSuffix('linux', 'arm64', 'musl'), 'linux-arm64-musl')
  assert.equal(platformSuffix('linux', 'arm', 'gnu'), 'linux-arm-gnueabihf')
  assert.equal(platformSuffix('darwin', 'arm64'), 'darwin-arm64')
  assert.equal(platformSuffix('win32', 'x64'), 'win32-x64-msvc')
  assert.equal(packageName('linux-x64-gnu'), 'mongoawsauth-linux-x64-gnu')
  assert.equal(fileName('linux-x64-gnu'), 'mongoawsauth.linux-x64-gnu.node')
  assert.deepEqual(packageConstraints('linux-x64-gnu'), { os: ['linux'], cpu: ['x64'], libc: ['glibc'] })
  assert.deepEqual(packageConstraints('linux-arm64-musl'), { os: ['linux'], cpu: ['arm64'], libc: ['musl'] })
  assert.deepEqual(packageConstraints('darwin-arm64'), { os: ['darwin'], cpu: ['arm64'] })
})

test('this machine is detected as the platform the build names its addon for', () => {
  // npm run build copied the addon under this name, and the tests load it: were the detection
  // wrong, every other test file would fail to load the package.
  assert.equal(require('../binding.js').__napiBindingTarget, 'native')
  assert.ok(require.resolve(join(pkg, fileName(platformSuffix()))))
})

test('an installed package without its platform package names it and the command that installs it', async () => {
  const suffix = platformSuffix()
  const name = packageName(suffix)
  const app = scratchProject({ optionalDependencies: { [name]: manifest.version } })
  await assert.rejects(load(app), (e) => {
    assert.match(e.stderr, new RegExp(`no native addon for ${suffix}\\. Its platform package ${name} is not installed`))
    assert.ok(e.stderr.includes(`npm install ${name}@${manifest.version}`), e.stderr)
    return true
  })
})

test('on a platform without a prebuilt package, the message names the package it would need and the ones there are', async () => {
  const app = scratchProject({ optionalDependencies: { 'mongoawsauth-linux-x64-gnu': manifest.version } })
  await assert.rejects(load(app, fakePlatform(app, 'darwin', 'arm64')), (e) => {
    assert.match(e.stderr, /no native addon for darwin-arm64\. There is no platform package mongoawsauth-darwin-arm64/)
    assert.match(e.stderr, /prebuilt addons only for mongoawsauth-linux-x64-gnu/)
    assert.match(e.stderr, /npm pack/)
    return true
  })
})

test('a copy made from a checkout without a build says to run npm run build', async () => {
  const app = scratchProject()
  await assert.rejects(load(app, fakePlatform(app, 'freebsd', 'x64')), (e) => {
    assert.match(e.stderr, /no native addon for freebsd-x64/)
    assert.match(e.stderr, /npm run build in bindings\/node .* mongoawsauth\.freebsd-x64\.node/)
    return true
  })
})

test('a platform package of another version is refused with both versions and the fix', async () => {
  const suffix = platformSuffix()
  const name = packageName(suffix)
  const app = scratchProject({ optionalDependencies: { [name]: manifest.version } })
  const platformDir = join(app, 'node_modules', name)
  mkdirSync(platformDir)
  writeFileSync(join(platformDir, 'package.json'), JSON.stringify({ name, version: '0.0.1', main: fileName(suffix) }))
  await assert.rejects(load(app), (e) => {
    assert.ok(e.stderr.includes(`mongoawsauth ${manifest.version} found ${name} 0.0.1`), e.stderr)
    assert.ok(e.stderr.includes(`npm install ${name}@${manifest.version}`), e.stderr)
    return true
  })
})
