// Imported first by every test file: whatever environment `npm test` was started from, nothing
// in these tests may reach a real AWS endpoint or read a real ~/.aws.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

for (const name of Object.keys(process.env)) {
  if (name.startsWith('AWS_')) delete process.env[name]
}
// The core refuses any request to a non-loopback host while this is set (it reads the real
// process environment, which process.env writes through to).
process.env.MONGOAWSAUTH_LOOPBACK_ONLY = '1'
process.env.AWS_EC2_METADATA_DISABLED = 'true'
const emptyHome = mkdtempSync(join(tmpdir(), 'mongoawsauth-node-home-'))
process.env.HOME = emptyHome
process.env.AWS_CONFIG_FILE = join(emptyHome, 'config')
process.env.AWS_SHARED_CREDENTIALS_FILE = join(emptyHome, 'credentials')

/** The environment for a child process: the isolated one, plus `extra`. */
export function childEnv(extra = {}) {
  const env = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_')) env[name] = value
  }
  Object.assign(env, {
    AWS_EC2_METADATA_DISABLED: 'true',
    MONGOAWSAUTH_LOOPBACK_ONLY: '1',
    HOME: emptyHome,
    AWS_CONFIG_FILE: join(emptyHome, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(emptyHome, 'credentials'),
  })
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  checkChildEnv(env)
  return env
}

/**
 * The `env` option for an Authenticator: nothing from the process, IMDS off unless the case
 * points it at a loopback stand-in.
 */
export function sourceEnv(vars = {}) {
  const env = { AWS_EC2_METADATA_DISABLED: 'true', ...vars }
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
  checkChildEnv(env)
  return env
}

// The loopback-only rules, checked for every environment a test builds: never a relative
// container URI (it is joined to the ECS agent's address), and IMDS only on 127.0.0.1.
function checkChildEnv(env) {
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI !== undefined) {
    throw new Error('tests never set AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (it always goes to 169.254.170.2)')
  }
  if (env.AWS_EC2_METADATA_DISABLED !== 'true' && !/^http:\/\/127\.0\.0\.1:\d+\/?$/.test(env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? '')) {
    throw new Error('IMDS may only be enabled with AWS_EC2_METADATA_SERVICE_ENDPOINT on 127.0.0.1')
  }
}
