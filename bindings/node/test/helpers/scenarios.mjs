// The hermetic credential-resolution scenarios of tests/data/scenarios/, read for Node.
//
// The same rules as the Rust testkit's `scenario` module, which documents the format: one folder
// per scenario with scenario.json and an optional home/; `${dotted.path}` placeholders filled
// from the JSON mongoawsauth-standins prints plus `${home}` and `${scenario}`; a private copy of
// home/ with each file's permissions kept; an environment that is exactly the scenario's, plus
// HOME, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE in the private home (unless set, or set
// to null to leave unset) and AWS_EC2_METADATA_DISABLED=true unless
// AWS_EC2_METADATA_SERVICE_ENDPOINT is given; and a refusal of any endpoint variable that does
// not name loopback. Nothing here loads the addon: each scenario runs in a child process
// (scenario-child.mjs) whose environment is exactly what prepare() built, because the library
// reads the process environment.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'

export const SCENARIO_FILE = 'scenario.json'

// Endpoint variables that must name a loopback stand-in (the Rust module's list).
const ENDPOINT_VARIABLES = [
  'AWS_EC2_METADATA_SERVICE_ENDPOINT',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_SSO',
]
const LOOPBACK_HOSTS = ['127.0.0.1', '[::1]', 'localhost']
// Scenario option names, as the Node face spells them.
const NODE_OPTIONS = { profile: 'profile', shared_config: 'sharedConfig' }
const LOGIN_KEYS = ['source', 'arn', 'arn_prefix', 'access_key_id', 'temporary']

/** A scenario folder that cannot be read, or one this runner must refuse to run. */
export class ScenarioError extends Error {}
Object.defineProperty(ScenarioError.prototype, 'name', { value: 'ScenarioError' })

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)
const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k)

// -- placeholders ------------------------------------------------------------------------

function lookup(values, path) {
  let at = values
  for (const part of path.split('.')) {
    // A number picks an item of a list (`assume_role.roles.2.role_arn`), as the Rust loader does.
    if (Array.isArray(at) && /^[0-9]+$/.test(part) && Number(part) < at.length) {
      at = at[Number(part)]
      continue
    }
    if (!isObject(at) || !own(at, part)) throw new ScenarioError(`unknown placeholder \${${path}}`)
    at = at[part]
  }
  if (typeof at === 'string' || typeof at === 'number' || typeof at === 'boolean') return String(at)
  throw new ScenarioError(`placeholder \${${path}} is not a string or number`)
}

/**
 * Replaces every `${a.b.c}` with the string (or number) at that path of `values`; an unknown
 * path or an unterminated placeholder throws a ScenarioError; `$` alone is kept.
 */
export function substitute(text, values) {
  let out = ''
  let rest = text
  for (let start = rest.indexOf('${'); start >= 0; start = rest.indexOf('${')) {
    out += rest.slice(0, start)
    const after = rest.slice(start + 2)
    const end = after.indexOf('}')
    if (end < 0) throw new ScenarioError(`unterminated placeholder in ${JSON.stringify(text)}`)
    out += lookup(values, after.slice(0, end))
    rest = after.slice(end + 1)
  }
  return out + rest
}

// -- reading -----------------------------------------------------------------------------

function readExpect(value) {
  if (!isObject(value)) throw new ScenarioError('"expect" must be an object')
  const keys = Object.keys(value)
  if (keys.length !== 1 || !['login', 'error'].includes(keys[0])) {
    throw new ScenarioError('expect: exactly one of "login" or "error"')
  }
  if (keys[0] === 'login') {
    const login = value.login
    if (!isObject(login)) throw new ScenarioError('expect.login must be an object')
    for (const [key, v] of Object.entries(login)) {
      if (!LOGIN_KEYS.includes(key)) throw new ScenarioError(`expect.login: unknown key ${JSON.stringify(key)}`)
      if (key === 'temporary' && typeof v !== 'boolean') throw new ScenarioError('expect.login.temporary must be a boolean')
      if (key !== 'temporary' && typeof v !== 'string') throw new ScenarioError(`expect: ${key} must be a string`)
    }
    return { login: { ...login } }
  }
  const error = value.error
  if (!isObject(error)) throw new ScenarioError('expect.error must be an object')
  let contains = error.contains
  if (typeof contains === 'string') contains = [contains]
  if (!Array.isArray(contains) || !contains.every((c) => typeof c === 'string')) {
    throw new ScenarioError('expect.error.contains (a string or a list of strings) is required')
  }
  if (error.kind !== undefined && typeof error.kind !== 'string') throw new ScenarioError('expect: kind must be a string')
  return { error: { contains, kind: error.kind ?? null } }
}

/** Reads one scenario folder; a malformed scenario.json throws a ScenarioError naming it. */
export function load(dir) {
  const path = join(dir, SCENARIO_FILE)
  const at = (what) => new ScenarioError(`${path}: ${what}`)
  let doc
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw at(error.message)
  }
  if (!isObject(doc)) throw at('must be a JSON object')
  for (const key of Object.keys(doc)) {
    if (!['description', 'env', 'options', 'expect', 'requests'].includes(key)) throw at(`unknown key ${JSON.stringify(key)}`)
  }
  if (typeof doc.description !== 'string') throw at('"description" (a string) is required')
  const env = doc.env ?? {}
  if (!isObject(env)) throw at('"env" must be an object')
  for (const [name, value] of Object.entries(env)) {
    if (value !== null && typeof value !== 'string') throw at(`env ${name}: a string, or null for unset`)
  }
  const options = doc.options ?? {}
  if (!isObject(options)) throw at('"options" must be an object')
  for (const [name, value] of Object.entries(options)) {
    const typed = (name === 'profile' && typeof value === 'string') || (name === 'shared_config' && typeof value === 'boolean')
    if (!typed) throw at(`options: unknown or mistyped ${JSON.stringify(name)}`)
  }
  if (!own(doc, 'expect')) throw at('"expect" is required')
  let expect
  try {
    expect = readExpect(doc.expect)
  } catch (error) {
    throw at(error.message)
  }
  const requests = doc.requests ?? {}
  if (!isObject(requests)) throw at('"requests" must be an object')
  for (const [name, count] of Object.entries(requests)) {
    if (!Number.isSafeInteger(count) || count < 0) throw at(`requests ${name}: a count`)
  }
  return { name: basename(dir), dir, description: doc.description, env: { ...env }, options: { ...options }, expect, requests: { ...requests } }
}

/** Every scenario folder under `root` (those holding scenario.json), sorted by name. */
export function folders(root) {
  return readdirSync(root)
    .map((name) => join(root, name))
    .filter((dir) => existsSync(join(dir, SCENARIO_FILE)))
    .sort()
}

// -- preparing ---------------------------------------------------------------------------

function copyTree(source, target, values) {
  mkdirSync(target, { recursive: true })
  for (const name of readdirSync(source).sort()) {
    const from = join(source, name)
    const to = join(target, name)
    const stat = statSync(from)
    if (stat.isDirectory()) {
      copyTree(from, to, values)
      continue
    }
    let text
    try {
      text = substitute(readFileSync(from, 'utf8'), values)
    } catch (error) {
      throw new ScenarioError(`${from}: ${error.message}`)
    }
    writeFileSync(to, text)
    chmodSync(to, stat.mode & 0o7777) // helper programs stay executable
  }
}

function hostOf(url) {
  let rest = url.includes('://') ? url.slice(url.indexOf('://') + 3) : url
  for (const stop of ['/', '?', '#']) rest = rest.split(stop)[0]
  return rest.slice(rest.lastIndexOf('@') + 1)
}

/** Whether `url` names 127.0.0.1, [::1] or localhost (with or without a port). */
export function isLoopback(url) {
  const host = hostOf(url)
  return LOOPBACK_HOSTS.some((h) => host === h || host.startsWith(`${h}:`))
}

/**
 * Refuses an environment that could make a resolution reach anything but loopback. The ECS
 * relative URI is joined to the container host, so it is only allowed when the runner points
 * that host at the stand-in.
 */
export function checkLoopbackOnly(name, env, containerHostOverridden) {
  for (const variable of ENDPOINT_VARIABLES) {
    if (own(env, variable) && !isLoopback(env[variable])) {
      throw new ScenarioError(`${name}: ${variable} must point at a loopback stand-in, not ${JSON.stringify(hostOf(env[variable]))}`)
    }
  }
  if (own(env, 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI') && !containerHostOverridden) {
    throw new ScenarioError(
      `${name}: sets AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, but this runner cannot point the container host ` +
        "at the stand-in, so the request would go to the ECS agent's address",
    )
  }
}

/**
 * Makes the private home and the environment, resolving placeholders against `standins` (the
 * JSON the stand-ins binary prints). Returns `{ env, unset, home, values, cleanup() }`.
 */
export function prepare(scenario, standins, { containerHostOverridden }) {
  const home = mkdtempSync(join(tmpdir(), `mongoawsauth-scenario-${scenario.name}-`)) // mode 0700
  const cleanup = () => rmSync(home, { recursive: true, force: true })
  try {
    const values = { ...standins, home, scenario: scenario.dir }
    const source = join(scenario.dir, 'home')
    if (existsSync(source) && statSync(source).isDirectory()) {
      try {
        copyTree(source, home, values)
      } catch (error) {
        throw new ScenarioError(`${scenario.name}: ${error.message}`)
      }
    }
    const env = {
      HOME: home,
      AWS_CONFIG_FILE: `${home}/.aws/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${home}/.aws/credentials`,
    }
    const unset = []
    for (const [name, value] of Object.entries(scenario.env)) {
      if (value === null) {
        delete env[name]
        unset.push(name)
      } else {
        try {
          env[name] = substitute(value, values)
        } catch (error) {
          throw new ScenarioError(`${scenario.name}: env ${name}: ${error.message}`)
        }
      }
    }
    if (!own(env, 'AWS_EC2_METADATA_SERVICE_ENDPOINT')) env.AWS_EC2_METADATA_DISABLED = 'true'
    checkLoopbackOnly(scenario.name, env, containerHostOverridden)
    return { env, unset, home, values, cleanup }
  } catch (error) {
    cleanup()
    throw error
  }
}

/**
 * The whole environment of a scenario's child process: the prepared variables, PATH (unless the
 * scenario sets its own) and MONGOAWSAUTH_LOOPBACK_ONLY=1. Nothing else is inherited, above all
 * no AWS_* variable of this process.
 */
export function childEnv(prepared, path = process.env.PATH ?? '/usr/bin:/bin') {
  const env = {}
  for (const [name, value] of Object.entries(prepared.env)) if (!prepared.unset.includes(name)) env[name] = value
  if (!own(env, 'PATH')) env.PATH = path
  env.MONGOAWSAUTH_LOOPBACK_ONLY = '1'
  return env
}

/** The scenario's options as credentialProvider() options; an unknown one throws. */
export function nodeOptions(options) {
  const out = {}
  for (const [name, value] of Object.entries(options)) {
    if (!own(NODE_OPTIONS, name)) throw new ScenarioError(`option ${JSON.stringify(name)} has no Node spelling in this runner`)
    out[NODE_OPTIONS[name]] = value
  }
  return out
}

// -- comparing ---------------------------------------------------------------------------

/** A face's error code (CREDENTIALS_NOT_FOUND) as scenarios name it (credentials_not_found). */
export function errorKind(code) {
  return String(code).trim().replace(/ /g, '_').toLowerCase()
}

/**
 * What differs between the child's outcome (`{login: {arn, source, accessKeyId, temporary}}` or
 * `{error: {message, code}}`) and the scenario's expectation; empty when nothing does.
 */
export function checkOutcome(scenario, values, outcome) {
  const fill = (text) => substitute(text, values)
  const problems = []
  if (scenario.expect.login) {
    const want = scenario.expect.login
    if (outcome.error) return [`expected a login, got: ${outcome.error.message}`]
    const got = outcome.login
    if (own(want, 'source') && got.source !== want.source) problems.push(`source ${got.source}, expected ${want.source}`)
    if (own(want, 'arn') && got.arn !== fill(want.arn)) problems.push(`logged in as ${got.arn}, expected ${fill(want.arn)}`)
    if (own(want, 'arn_prefix') && !got.arn.startsWith(fill(want.arn_prefix))) {
      problems.push(`logged in as ${got.arn}, expected a prefix ${fill(want.arn_prefix)}`)
    }
    if (own(want, 'access_key_id') && got.accessKeyId !== fill(want.access_key_id)) {
      problems.push(`access key id ${got.accessKeyId}, expected ${fill(want.access_key_id)}`)
    }
    if (own(want, 'temporary') && got.temporary !== want.temporary) problems.push(`temporary: ${got.temporary}, expected ${want.temporary}`)
    return problems
  }
  const want = scenario.expect.error
  if (outcome.login) return [`expected an error, but logged in as ${outcome.login.arn} through ${outcome.login.source}`]
  const message = outcome.error.message
  for (const part of want.contains) {
    if (!message.includes(fill(part))) problems.push(`the error does not contain ${JSON.stringify(fill(part))}: ${message}`)
  }
  if (want.kind !== null) {
    const code = outcome.error.code
    if (code == null || errorKind(code) !== want.kind) problems.push(`error kind ${code}, expected ${want.kind}: ${message}`)
  }
  return problems
}

/** Every counter the scenario lists that the stand-ins report differently, or not at all. */
export function checkRequests(scenario, counters) {
  const problems = []
  for (const name of Object.keys(scenario.requests).sort()) {
    const want = scenario.requests[name]
    if (!own(counters, name)) problems.push(`unknown counter ${JSON.stringify(name)}`)
    else if (counters[name] !== want) problems.push(`${name}: expected ${want}, the stand-ins saw ${counters[name]}`)
  }
  return problems
}

/** Every secret in the stand-ins' JSON: secret keys, session tokens, tokens, assertions. */
export function secrets(values) {
  const out = []
  const stack = [values]
  while (stack.length) {
    const value = stack.pop()
    if (Array.isArray(value)) stack.push(...value)
    else if (isObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        const secretKey = ['secret', 'token', 'assertion'].some((s) => key.includes(s)) && !key.endsWith('_file')
        if (secretKey && typeof item === 'string' && item.length >= 8) out.push(item)
        else stack.push(item)
      }
    }
  }
  return out
}

/** `text` with every one of `hidden` replaced, for failure messages. */
export function redact(text, hidden) {
  return hidden.reduce((t, secret) => t.split(secret).join('** redacted **'), text)
}
