'use strict'
// Which prebuilt addon a machine needs, named the way napi-rs names them: `linux-x64-gnu`,
// `linux-arm64-musl`, `darwin-arm64`, `win32-x64-msvc`. A build from a checkout leaves the
// file `mongoawsauth.<suffix>.node` next to binding.js; an npm install gets it from the
// platform package `mongoawsauth-<suffix>`, one of the main package's optionalDependencies
// (npm installs only the one whose `os`, `cpu` and `libc` match the machine).
// Used by binding.js at load time and by scripts/build.mjs and scripts/dist.mjs, so the three
// can never disagree on a name.

const { readFileSync } = require('node:fs')

const BINARY_NAME = 'mongoawsauth'

// glibc or musl. A musl system's /usr/bin/ldd is musl's loader (or a script naming it), a
// glibc one's is glibc's script; reading one file is much cheaper than a process report, and
// this runs at every require.
function linuxLibc() {
  try {
    return readFileSync('/usr/bin/ldd', 'latin1').includes('musl') ? 'musl' : 'gnu'
  } catch {
    // No ldd (a slim container): the process report says whether glibc is running.
    const header = process.report?.getReport?.()?.header
    return header?.glibcVersionRuntime ? 'gnu' : 'musl'
  }
}

/** The napi-rs suffix for a platform, an architecture and (on Linux) a libc. */
function platformSuffix(platform = process.platform, arch = process.arch, libc) {
  if (platform === 'linux') {
    const abi = libc ?? linuxLibc()
    return arch === 'arm' ? `linux-arm-${abi}eabihf` : `linux-${arch}-${abi}`
  }
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

/** The npm package that carries the addon for `suffix`. */
const packageName = (suffix) => `${BINARY_NAME}-${suffix}`

/** The addon's file name for `suffix`, in a checkout and inside the platform package. */
const fileName = (suffix) => `${BINARY_NAME}.${suffix}.node`

/** What the platform package declares so that npm installs it only where it loads. */
function packageConstraints(suffix) {
  const [os, cpu, abi] = suffix.split('-')
  const constraints = { os: [os], cpu: [cpu] }
  if (os === 'linux') constraints.libc = [abi.startsWith('musl') ? 'musl' : 'glibc']
  return constraints
}

module.exports = { BINARY_NAME, platformSuffix, packageName, fileName, packageConstraints }
