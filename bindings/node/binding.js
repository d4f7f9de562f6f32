'use strict'
// Loads the native addon: the file a build from a checkout leaves next to this one
// (`npm run build` writes mongoawsauth.<platform>.node), else the platform package npm
// installed through the main package's optionalDependencies (mongoawsauth-<platform>).
// When neither is there, or the two packages' versions differ, the error says which package
// this machine needs and the command that installs it.

const { existsSync } = require('node:fs')
const { join } = require('node:path')
const { platformSuffix, packageName, fileName } = require('./platform.js')
const manifest = require('./package.json')

function published() {
  return Object.keys(manifest.optionalDependencies ?? {}).filter((name) => name.startsWith(packageName('')))
}

function missingPackage(suffix, name, cause) {
  const prebuilt = published()
  let advice
  if (prebuilt.includes(name)) {
    advice =
      `Its platform package ${name} is not installed. npm installs it with mongoawsauth unless ` +
      'optional dependencies were left out (--omit=optional, --no-optional) or the lockfile was ' +
      `made on another platform. Install it with: npm install ${name}@${manifest.version}`
  } else if (prebuilt.length > 0) {
    advice =
      `There is no platform package ${name}: mongoawsauth ${manifest.version} is published with ` +
      `prebuilt addons only for ${prebuilt.join(', ')}. Build the addon from a source checkout ` +
      '(bindings/node: npm ci && npm run build, with a Rust toolchain), then npm pack there and ' +
      'install that tarball.'
  } else {
    advice =
      'This copy of the package was made from a source checkout and holds no addon for this ' +
      `machine: run npm run build in bindings/node (it needs a Rust toolchain) to create ${fileName(suffix)}.`
  }
  return new Error(`mongoawsauth has no native addon for ${suffix}. ${advice}`, { cause })
}

function load() {
  const suffix = platformSuffix()
  const local = join(__dirname, fileName(suffix))
  if (existsSync(local)) return require(local)

  const name = packageName(suffix)
  let installedVersion
  try {
    installedVersion = require(`${name}/package.json`).version
  } catch (error) {
    if (error?.code === 'MODULE_NOT_FOUND') throw missingPackage(suffix, name, error)
    throw error
  }
  if (installedVersion !== manifest.version) {
    throw new Error(
      `mongoawsauth ${manifest.version} found ${name} ${installedVersion}; the two must be the same ` +
        `version. Install the matching one with: npm install ${name}@${manifest.version}`,
    )
  }
  try {
    return require(name)
  } catch (error) {
    // Found but not loadable: a C library older than the addon was built against, or a
    // file damaged on disk. The loader's own message says which.
    throw new Error(`mongoawsauth could not load its addon from ${name}: ${error.message}`, { cause: error })
  }
}

const binding = load()
// index.d.ts declares which kind of artifact was loaded (napi-rs's convention); this loader
// only ever loads a native addon.
binding.__napiBindingTarget = 'native'
module.exports = binding
