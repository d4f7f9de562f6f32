// The mongodb driver logging in with mongoawsauth: one call builds the MongoClient with the
// MONGODB-AWS mechanism, mongoawsauth as its AWS_CREDENTIAL_PROVIDER, and a watch that clears
// the cached credentials when the server refuses a login (the MongoDB auth spec's rule).
// Credentials come from the chain (environment, shared config profile, web identity, container endpoint,
// IMDSv2) through the process-wide cache.
//
// Usage: MONGODB_URI='mongodb://host/?authSource=%24external' node driver_login.js
'use strict'
const { MongoClient } = require('mongodb')
const { createClient } = require('mongoawsauth')

async function main() {
  const client = createClient(MongoClient, process.env.MONGODB_URI)
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
