// Run in a fresh process, whose environment (HOME, AWS_CONFIG_FILE...) the test chose: logs in
// through the real mongodb driver with the options given as JSON and prints one JSON line, the
// ARN the server authenticated or the error (with its causes) the login failed with.
//   node login-with-options.mjs URI OPTIONS_JSON provider|createClient
import { MongoClient } from 'mongodb'
import { createClient, credentialProvider } from '../../index.mjs'

const [uri, json, wiring] = process.argv.slice(2)
const options = JSON.parse(json)
const client =
  wiring === 'createClient'
    ? createClient(MongoClient, uri, { serverSelectionTimeoutMS: 10000 }, options)
    : new MongoClient(uri, {
        authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: credentialProvider(options) },
        serverSelectionTimeoutMS: 10000,
      })

function describe(error) {
  const chain = []
  for (let e = error, depth = 0; e && depth < 8; e = e.cause, depth++) {
    chain.push({ name: e.name, code: e.code, message: String(e.message) })
  }
  return chain
}

try {
  const status = await client.db('admin').command({ connectionStatus: 1 })
  console.log(JSON.stringify({ user: status.authInfo.authenticatedUsers[0]?.user }))
} catch (error) {
  console.log(JSON.stringify({ errors: describe(error) }))
} finally {
  await client.close()
}
