// Log in to a MongoDB server with MONGODB-AWS using mongoawsauth, the same scenario as
// examples/c/authenticate.c and examples/python/authenticate.py: the SASL conversation by hand,
// then connectionStatus to show the IAM ARN the server authenticated.
//
// The mongodb driver serves only as the transport (an unauthenticated client with one
// connection, so every command below runs on the same connection). Credentials come from the
// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for temporary credentials,
// AWS_SESSION_TOKEN).
//
// Usage: MONGOD_ADDRESS=127.0.0.1:27017 node authenticate.js
'use strict'
const { MongoClient } = require('mongodb')
const { Authenticator, MongoAwsAuthError } = require('mongoawsauth')

async function main() {
  const address = process.env.MONGOD_ADDRESS ?? '127.0.0.1:27017'
  const client = new MongoClient(`mongodb://${address}/?directConnection=true`, { maxPoolSize: 1 })
  const external = client.db('$external')
  const auth = new Authenticator()
  const conversation = await auth.conversation()
  try {
    const reply = await external.command({ saslStart: 1, mechanism: 'MONGODB-AWS', payload: conversation.clientFirst() })
    await external.command({
      saslContinue: 1,
      conversationId: reply.conversationId,
      payload: conversation.clientFinal(reply.payload.buffer),
    })
  } catch (error) {
    auth.reportFailure(conversation) // the spec: a failed login drops the cached credentials
    throw error
  }
  const status = await client.db('admin').command({ connectionStatus: 1 })
  console.log(status.authInfo.authenticatedUsers[0].user)
  await client.close()
}

main().catch((error) => {
  const kind = error instanceof MongoAwsAuthError ? `${error.code}: ` : ''
  console.error(`login failed: ${kind}${error.message}`)
  process.exit(1)
})
