// One scenario's login, in a process of its own whose environment is exactly the scenario's:
// reads {uri, options, ecsBaseUrl} as JSON from stdin, logs in through the real mongodb driver
// with credentialProvider() as AWS_CREDENTIAL_PROVIDER, and prints one JSON line:
// {login: {arn, source, accessKeyId, temporary}} or {error: {message, name, code}}.
// An option the package does not know makes credentialProvider() throw: the process then exits
// non-zero and the scenario fails, it is never run without the option.
import { MongoClient } from 'mongodb'
import { credentialProvider, MongoAwsAuthError } from '../../index.mjs'

let input = ''
for await (const chunk of process.stdin) input += chunk
const request = JSON.parse(input)

// The relative container URI is joined to the stand-in, never to the ECS agent's address.
const provider = credentialProvider({ ...request.options, ecsBaseUrl: request.ecsBaseUrl })
// What the driver was given: source and temporary-ness exist only on the package's credentials.
const served = []
async function recording() {
  const credentials = await provider()
  served.push(credentials)
  return credentials
}

/** The message the application sees, and the code of the package's error behind it. */
function failure(error) {
  let code = null
  for (let e = error, depth = 0; e && depth < 8; e = e.cause, depth++) {
    if (e instanceof MongoAwsAuthError) {
      code = e.code
      break
    }
  }
  return { error: { message: String(error?.message ?? error), name: error?.name, code } }
}

// A flaw of this runner, not an outcome a scenario may expect: the process exits non-zero.
class RunnerError extends Error {}

let outcome
const client = new MongoClient(request.uri, {
  authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: recording },
  serverSelectionTimeoutMS: 10000,
  maxPoolSize: 1,
})
try {
  const status = await client.db('admin').command({ connectionStatus: 1 })
  const user = status.authInfo.authenticatedUsers[0]?.user
  if (!user) throw new RunnerError('the login succeeded but connectionStatus shows no user')
  const credentials = served.at(-1)
  if (!credentials) throw new RunnerError('the login did not take its credentials from credentialProvider()')
  outcome = {
    login: { arn: user, source: credentials.source, accessKeyId: credentials.accessKeyId, temporary: credentials.isTemporary },
  }
} catch (error) {
  if (error instanceof RunnerError) throw error
  outcome = failure(error)
} finally {
  await client.close()
}
process.stdout.write(`${JSON.stringify(outcome)}\n`)
