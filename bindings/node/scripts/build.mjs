// npm run build (release) and npm run build:debug: the addon, compiled by cargo into the
// workspace's own target directory, then copied next to binding.js as
// mongoawsauth.<platform>.node, and index.d.ts regenerated from the Rust sources.
//
// Why not `napi build`: it always passes `--target <host triple>`, and cargo then compiles the
// whole dependency graph again into target/<triple>/, although the C library and the
// stand-ins have just compiled the same crates with the same profile into target/release.
// Without `--target` only the addon crate (and any dependency built with other features) is
// compiled here. The two things `napi build` added are done the same way: napi-derive writes
// each export's type definition into NAPI_TYPE_DEF_TMP_FOLDER while the crate compiles, and
// @napi-rs/cli's generateTypeDef turns that folder into index.d.ts.
//
// Usage: node scripts/build.mjs [--debug]   (cargo from PATH, or CARGO; CARGO_TARGET_DIR honoured)
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, copyFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateTypeDef } from '@napi-rs/cli'

const require = createRequire(import.meta.url)
const { platformSuffix, fileName } = require('../platform.js')

const pkg = fileURLToPath(new URL('..', import.meta.url))
const debug = process.argv.includes('--debug')
const profile = debug ? 'debug' : 'release'
const cargo = process.env.CARGO ?? 'cargo'

function fail(message) {
  console.error(`build: ${message}`)
  process.exit(1)
}

const metadata = JSON.parse(
  execFileSync(cargo, ['metadata', '--format-version', '1', '--no-deps', '--locked'], {
    cwd: pkg,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  }),
)
const crate = metadata.packages.find((p) => p.manifest_path === join(pkg, 'Cargo.toml'))
if (!crate) fail(`no cargo package has its manifest at ${join(pkg, 'Cargo.toml')}`)

// One folder per profile, kept between builds: napi-derive writes the definitions only while it
// compiles the crate, so when the folder has none (first build, a cleaned target/) the addon
// crate alone is forced to recompile through napi-build's NAPI_FORCE_BUILD_<CRATE> variable.
const typeDefDir = join(metadata.target_directory, 'napi-typedef', profile)
mkdirSync(typeDefDir, { recursive: true })
const env = { ...process.env, NAPI_TYPE_DEF_TMP_FOLDER: typeDefDir }
if (!existsSync(join(typeDefDir, crate.name))) {
  env[`NAPI_FORCE_BUILD_${crate.name.replace(/-/g, '_').toUpperCase()}`] = String(Date.now())
}

const args = ['build', '--locked', '-p', crate.name, '--message-format=json-render-diagnostics']
if (!debug) args.push('--release')
console.error(`build: ${cargo} ${args.join(' ')}`)
const built = spawnSync(cargo, args, { cwd: pkg, env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 << 20 })
if (built.error) fail(`could not run ${cargo}: ${built.error.message}`)
if (built.status !== 0) fail(`cargo build failed (exit ${built.status})`)

// The cdylib's path as cargo reports it (libmongoawsauth_node.so, .dylib, or .dll).
let library
for (const line of built.stdout.toString('utf8').split('\n')) {
  if (!line.startsWith('{')) continue
  const message = JSON.parse(line)
  if (message.reason === 'compiler-artifact' && message.package_id === crate.id && message.target.kind.includes('cdylib')) {
    library = message.filenames.find((f) => /\.(so|dylib|dll)$/.test(f))
  }
}
if (!library) fail(`cargo reported no cdylib for ${crate.name}`)

// Copy, then rename over the old file: a process that has the old addon loaded keeps its
// mapping instead of seeing the file change under it.
const dest = join(pkg, fileName(platformSuffix()))
copyFileSync(library, `${dest}.tmp`)
renameSync(`${dest}.tmp`, dest)
console.error(`build: ${relative(pkg, dest)} (${(statSync(dest).size / 1e6).toFixed(2)} MB) from ${relative(pkg, library)}`)

const napi = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).napi ?? {}
const { dts } = await generateTypeDef({
  typeDefDir,
  cwd: pkg,
  configDtsHeaderFile: napi.dtsHeaderFile,
  // binding.js exports __napiBindingTarget as napi-rs's own loaders do.
  declareBindingTarget: true,
})
if (!dts) fail(`napi-derive wrote no type definitions into ${typeDefDir}`)
const dtsPath = join(pkg, 'index.d.ts')
if (!existsSync(dtsPath) || readFileSync(dtsPath, 'utf8') !== dts) {
  writeFileSync(dtsPath, dts)
  console.error('build: index.d.ts regenerated (commit it)')
}
