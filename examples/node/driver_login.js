// The mongodb driver logging in with mongoawsauth as its AWS_CREDENTIAL_PROVIDER: the three
// lines an application needs. Credentials come from the spec's chain (environment, web
// identity, container endpoint, IMDSv2) through the process-wide cache.
//
// Usage: MONGODB_URI='mongodb://host/?authMechanism=MONGODB-AWS&authSource=%24external' node driver_login.js
'use strict'
const { MongoClient } = require('mongodb')
const { credentialProvider } = require('mongoawsauth')

async function main() {
  const provider = credentialProvider()
  const client = provider.watch(
    new MongoClient(process.env.MONGODB_URI, { authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: provider } }),
  )
  try {
    const status = await client.db('admin').command({ connectionStatus: 1 })
    console.log(status.authInfo.authenticatedUsers[0].user)
  } finally {
    await client.close()
  }
}

main().catch((error) => {
  console.error(`login failed: ${error.message}`)
  process.exit(1)
})
