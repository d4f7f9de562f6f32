// Run in a fresh process: logs in with the default credentialProvider() (the real process
// environment) and prints the ARN the server authenticated.
import { MongoClient } from 'mongodb'
import { credentialProvider } from '../../index.mjs'

const client = new MongoClient(process.argv[2], {
  authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: credentialProvider() },
  serverSelectionTimeoutMS: 10000,
})
try {
  const status = await client.db('admin').command({ connectionStatus: 1 })
  console.log(status.authInfo.authenticatedUsers[0].user)
} finally {
  await client.close()
}
