// mongoawsauth side by side with the mongodb driver's default path,
// @aws-sdk/credential-providers' fromNodeProviderChain(), from one run:
//   1. cold start to first credentials from the environment (median of RUNS fresh processes);
//   2. credentials calls per second on a warm cache (container endpoint on 127.0.0.1), plus
//      calls per second from the environment (which mongoawsauth never caches);
//   3. the installed size of each (the package and its whole dependency tree).
// Usage: node benchmarks/compare.mjs [runs]   (from bindings/node, after npm run build)
// MONGOAWSAUTH_BENCH_ALSO='label=dir,...' adds other copies of the package to the cold-start
// rows, timed in the same interleaved run: an older build, or the package as npm installed it
// from the tarballs (target/node-install-test/app/node_modules/mongoawsauth after
// make node-install-test), whose loader finds the addon in the platform package.
// Everything stays on 127.0.0.1: AWS_* is stripped from every child, IMDS is disabled and
// MONGOAWSAUTH_LOOPBACK_ONLY=1 is set.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, statSync, existsSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const pkg = fileURLToPath(new URL('..', import.meta.url))
const RUNS = Math.max(20, Number(process.argv[2] ?? 25))
const home = mkdtempSync(join(tmpdir(), 'mongoawsauth-bench-'))

function cleanEnv(extra = {}) {
  const env = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v
  return {
    ...env,
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
    MONGOAWSAUTH_LOOPBACK_ONLY: '1',
    // Files that do not exist in the empty home: both read as empty. (/dev/null is not a
    // regular file, which the profile step reports as a configuration error.)
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    ...extra,
  }
}
const KEYS = { AWS_ACCESS_KEY_ID: 'AKIABENCHMARK0000001', AWS_SECRET_ACCESS_KEY: 'benchmark-secret-not-real-0000000000000000' }

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

// --- 1. cold start --------------------------------------------------------------------------
// Each child prints performance.now() (ms since its process started) once it has credentials;
// the parent also times the whole spawn-to-exit.
const cold = {
  'node -e 0 (baseline)': `console.log(performance.now())`,
  mongoawsauth: `require(${JSON.stringify(pkg)}).credentialProvider()().then(c => { if (!c.accessKeyId) process.exit(1); console.log(performance.now()) })`,
  '@aws-sdk fromNodeProviderChain': `require('@aws-sdk/credential-providers').fromNodeProviderChain()().then(c => { if (!c.accessKeyId) process.exit(1); console.log(performance.now()) })`,
}
for (const entry of (process.env.MONGOAWSAUTH_BENCH_ALSO ?? '').split(',').filter(Boolean)) {
  const [label, dir] = entry.split('=')
  cold[`mongoawsauth (${label})`] = cold.mongoawsauth.replace(JSON.stringify(pkg), JSON.stringify(dir))
}

function coldStart() {
  const wall = Object.fromEntries(Object.keys(cold).map((k) => [k, []]))
  const inside = Object.fromEntries(Object.keys(cold).map((k) => [k, []]))
  const env = cleanEnv(KEYS)
  for (let run = -2; run < RUNS; run++) {
    // Interleaved, so drift on a shared machine hits every contender alike; 2 warm-up rounds.
    for (const [name, code] of Object.entries(cold)) {
      const started = process.hrtime.bigint()
      const r = spawnSync(process.execPath, ['-e', code], { cwd: pkg, env, encoding: 'utf8' })
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`)
      if (run >= 0) {
        wall[name].push(ms)
        inside[name].push(Number(r.stdout.trim()))
      }
    }
  }
  return Object.keys(cold).map((name) => ({ name, wall: median(wall[name]), inside: median(inside[name]) }))
}

// --- 2. warm calls per second ---------------------------------------------------------------
async function containerEndpoint() {
  const script = fileURLToPath(new URL('../test/helpers/creds-endpoint.mjs', import.meta.url))
  const child = spawn(process.execPath, [script, '0'], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'inherit'] })
  const url = `${await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve))}/creds`
  return { url, stop: () => child.stdin.end() }
}

// Runs in a child so each contender has a fresh process with only its own module loaded.
const warmScript = (contender, mode) => `
const contender = ${JSON.stringify(contender)}, mode = ${JSON.stringify(mode)}
const provider = contender === 'mongoawsauth'
  ? require(${JSON.stringify(pkg)}).credentialProvider()
  : require('@aws-sdk/credential-providers').fromNodeProviderChain()
;(async () => {
  await provider()                       // fill the cache
  for (let i = 0; i < 2000; i++) await provider()   // warm up the JIT
  const ms = 1000, started = performance.now(); let n = 0
  if (mode === 'sequential') {
    while (performance.now() - started < ms) { await provider(); n++ }
  } else {
    while (performance.now() - started < ms) { await Promise.all(Array.from({ length: 100 }, () => provider())); n += 100 }
  }
  console.log(n / ((performance.now() - started) / 1000))
})().catch((e) => { console.error(e); process.exit(1) })`

function callsPerSecond(contender, mode, env) {
  const rates = []
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, ['-e', warmScript(contender, mode)], { cwd: pkg, env, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`${contender} ${mode} failed: ${r.stderr}`)
    rates.push(Number(r.stdout.trim()))
  }
  return median(rates)
}

// --- 3. installed size ----------------------------------------------------------------------
function du(path) {
  const st = statSync(path)
  if (!st.isDirectory()) return { bytes: st.size, files: 1 }
  let bytes = 0
  let files = 0
  for (const entry of readdirSync(path)) {
    const sub = du(join(path, entry))
    bytes += sub.bytes
    files += sub.files
  }
  return { bytes, files }
}

function dependencyTree(name, from = join(pkg, 'node_modules'), seen = new Map()) {
  if (seen.has(name)) return seen
  const dir = join(from, name)
  if (!existsSync(dir)) return seen
  seen.set(name, dir)
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    // npm nests a package under its dependant only on a version conflict.
    const nested = join(dir, 'node_modules')
    dependencyTree(dep, existsSync(join(nested, dep)) ? nested : from, seen)
  }
  return seen
}

function installedSize() {
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'))
  const ours = readdirSync(pkg).filter((f) => manifest.files.some((glob) => (glob.startsWith('*') ? f.endsWith(glob.slice(1)) : f === glob)))
  const oursSize = ours.map((f) => du(join(pkg, f))).reduce((a, b) => ({ bytes: a.bytes + b.bytes, files: a.files + b.files }), { bytes: 0, files: 0 })
  const tree = dependencyTree('@aws-sdk/credential-providers')
  const sdkSize = [...tree.values()].map((d) => du(d)).reduce((a, b) => ({ bytes: a.bytes + b.bytes, files: a.files + b.files }), { bytes: 0, files: 0 })
  // Installed from npm, the same files come as two packages: the JavaScript and the platform
  // package with the addon.
  return { ours: { ...oursSize, packages: 2 }, sdk: { ...sdkSize, packages: tree.size } }
}

// --- report ---------------------------------------------------------------------------------
const fmt = (x, digits = 1) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const ratio = (a, b) => `${fmt(a / b, 2)}x`

console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${RUNS} runs per cold start\n`)

const coldRows = coldStart()
const base = coldRows[0]
const ours = coldRows[1]
const sdk = coldRows[2]
console.log('1. Cold start to first credentials from the environment (median, ms)')
console.log('   | | process wall time | first credentials at | above bare node (wall) |')
console.log('   | --- | ---: | ---: | ---: |')
for (const r of coldRows) console.log(`   | ${r.name} | ${fmt(r.wall)} | ${fmt(r.inside)} | ${fmt(r.wall - base.wall)} |`)
console.log(`   mongoawsauth / SDK: wall ${ratio(ours.wall, sdk.wall)}, cost above bare node ${ratio(ours.wall - base.wall, sdk.wall - base.wall)}\n`)

const endpoint = await containerEndpoint()
try {
  const containerEnv = cleanEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url })
  const envEnv = cleanEnv(KEYS)
  const rows = [
    ['warm cache (container endpoint), sequential await', containerEnv, 'sequential'],
    ['warm cache (container endpoint), 100 concurrent', containerEnv, 'concurrent'],
    ['environment (mongoawsauth re-reads it every call), sequential', envEnv, 'sequential'],
  ]
  console.log('2. Credentials calls per second (median of 3 processes)')
  console.log('   | | mongoawsauth | @aws-sdk | ratio |')
  console.log('   | --- | ---: | ---: | ---: |')
  for (const [label, env, mode] of rows) {
    const a = callsPerSecond('mongoawsauth', mode, env)
    const b = callsPerSecond('sdk', mode, env)
    console.log(`   | ${label} | ${fmt(a, 0)} | ${fmt(b, 0)} | ${ratio(a, b)} |`)
  }
  console.log()
} finally {
  endpoint.stop()
}

const size = installedSize()
console.log('3. Installed size')
console.log('   | | packages | files | MB |')
console.log('   | --- | ---: | ---: | ---: |')
console.log(`   | mongoawsauth (JS + platform package with the addon) | ${size.ours.packages} | ${size.ours.files} | ${fmt(size.ours.bytes / 1e6, 2)} |`)
console.log(`   | @aws-sdk/credential-providers + dependencies | ${size.sdk.packages} | ${size.sdk.files} | ${fmt(size.sdk.bytes / 1e6, 2)} |`)
console.log(`   mongoawsauth / SDK: ${ratio(size.ours.bytes, size.sdk.bytes)} of the bytes`)
