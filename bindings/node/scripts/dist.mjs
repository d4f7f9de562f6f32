// make dist-node: the two npm tarballs a user's `npm install mongoawsauth` gets, laid out the
// way napi-rs packages are:
//   mongoawsauth-VERSION.tgz                 the JavaScript (loader, wrapper, types), no binary,
//                                            with the platform package in optionalDependencies
//   mongoawsauth-linux-x64-gnu-VERSION.tgz   the addon built on this machine, with os/cpu/libc
//                                            so npm installs it only where it loads
// Both are versioned from the workspace version in the root Cargo.toml, the one place a
// release's version is written; bindings/node/package.json must say the same (checked here).
// The addon packed is the one `npm run build` left in bindings/node, the file the tests use.
//
// Usage: node scripts/dist.mjs OUT_DIR   (after npm run build)
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const { platformSuffix, packageName, fileName, packageConstraints } = require('../platform.js')

const pkg = fileURLToPath(new URL('..', import.meta.url))
const repo = resolve(pkg, '../..')
const out = resolve(process.argv[2] ?? join(repo, 'target', 'dist'))

function fail(message) {
  console.error(`dist-node: ${message}`)
  process.exit(1)
}

// The [workspace.package] version of the root Cargo.toml.
function workspaceVersion() {
  const toml = readFileSync(join(repo, 'Cargo.toml'), 'utf8')
  const section = toml.split(/^\[/m).find((s) => s.startsWith('workspace.package]'))
  const version = section?.match(/^version\s*=\s*"([^"]+)"/m)?.[1]
  if (!version) fail('no version in the [workspace.package] section of the root Cargo.toml')
  return version
}

const version = workspaceVersion()
const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'))
if (manifest.version !== version) {
  fail(
    `bindings/node/package.json has version ${manifest.version}, the workspace (root Cargo.toml) ` +
      `${version}: set "version": "${version}" in bindings/node/package.json (and npm install to update the lockfile)`,
  )
}

const suffix = platformSuffix()
const addon = join(pkg, fileName(suffix))
if (!existsSync(addon)) fail(`${addon} is missing: run npm run build in bindings/node first`)
// The addon says which core it carries; a stale file from another version must not be packed.
const addonVersion = require(addon).VERSION
if (addonVersion !== version) {
  fail(`${fileName(suffix)} is version ${addonVersion}, not ${version}: run npm run build again`)
}

const platformName = packageName(suffix)
// Staged beside the output directory, so a failed run leaves nothing half-made among the tarballs.
const stage = join(out, '..', 'node-dist-stage')
rmSync(stage, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

function stagePackage(dir, files, packageJson) {
  mkdirSync(dir, { recursive: true })
  for (const [from, to] of files) copyFileSync(from, join(dir, to))
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`)
}

const common = {
  version,
  license: manifest.license,
  keywords: manifest.keywords,
  engines: manifest.engines,
}

// The main package: what the checkout's package.json says, minus what only a checkout needs
// (scripts, devDependencies, the build config, the addon itself).
const mainDir = join(stage, 'main')
const mainFiles = manifest.files.filter((f) => !f.endsWith('.node'))
stagePackage(
  mainDir,
  [...mainFiles.map((f) => [join(pkg, f), f]), [join(pkg, 'README.md'), 'README.md'], [join(repo, 'LICENSE'), 'LICENSE']],
  {
    name: manifest.name,
    description: manifest.description,
    ...common,
    main: manifest.main,
    types: manifest.types,
    exports: manifest.exports,
    files: mainFiles,
    optionalDependencies: { [platformName]: version },
    peerDependencies: manifest.peerDependencies,
    peerDependenciesMeta: manifest.peerDependenciesMeta,
  },
)

const platformDir = join(stage, 'platform')
stagePackage(
  platformDir,
  [
    [addon, fileName(suffix)],
    [join(repo, 'LICENSE'), 'LICENSE'],
  ],
  {
    name: platformName,
    description: `The ${suffix} native addon of mongoawsauth; install mongoawsauth, which depends on it`,
    ...common,
    main: fileName(suffix),
    files: [fileName(suffix)],
    ...packageConstraints(suffix),
  },
)
writeFileSync(
  join(platformDir, 'README.md'),
  `# ${platformName}\n\nThe prebuilt native addon of [mongoawsauth](https://www.npmjs.com/package/mongoawsauth) for ${suffix}.\n` +
    'Do not install it directly: `npm install mongoawsauth` installs the one that fits the machine.\n',
)

const built = []
for (const dir of [mainDir, platformDir]) {
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
  )
  const tarball = join(out, packed.filename)
  const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex')
  built.push({ tarball, size: statSync(tarball).size, unpacked: packed.unpackedSize, files: packed.entryCount, sha256 })
}
rmSync(stage, { recursive: true, force: true })

const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`
for (const b of built) {
  console.log(`${b.tarball}\n  ${mb(b.size)} packed, ${mb(b.unpacked)} unpacked, ${b.files} files, sha256 ${b.sha256}`)
}
