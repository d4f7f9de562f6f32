// The same logins with moto as the STS: the fake mongod forwards each GetCallerIdentity to moto,
// which recomputes the signature with botocore's code, so a verifier we did not write judges
// what the core signs (and a wrong secret must fail, proving authentication is on).
import './helpers/isolation.mjs'
import { childEnv, sourceEnv } from './helpers/isolation.mjs'
import { motoPython, startMoto } from './helpers/moto.mjs'
import { startStandins } from './helpers/standins.mjs'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { after, before, beforeEach, describe, test } from 'node:test'
import { MongoClient } from 'mongodb'
import { Authenticator, credentialProvider, testing } from '../index.mjs'

const python = motoPython()

describe('logins verified by moto', { skip: python ? false : 'no Python with moto[iam,sts] (make node-test creates target/moto-venv)' }, () => {
  let moto
  let s
  let tokenFile
  const endpoints = []

  before(async () => {
    moto = await startMoto(python)
    s = await startStandins(['--sts-url', `${moto.endpoint}/`])
    tokenFile = join(mkdtempSync(join(tmpdir(), 'mongoawsauth-moto-')), 'token')
    writeFileSync(tokenFile, moto.web_identity.token)
  })
  after(async () => {
    for (const e of endpoints) e.stdin.end()
    await s?.stop()
    await moto?.stop()
  })
  beforeEach(() => testing.clear())

  async function loginArn(options) {
    const client = new MongoClient(s.mongodb_uri, {
      authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: credentialProvider(options) },
      serverSelectionTimeoutMS: 10000,
    })
    try {
      const status = await client.db('admin').command({ connectionStatus: 1 })
      return status.authInfo.authenticatedUsers[0]?.user
    } finally {
      await client.close()
    }
  }

  const webIdentity = () => ({
    env: sourceEnv({ AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: moto.web_identity.role_arn, AWS_ROLE_SESSION_NAME: 'node-moto' }),
    stsEndpoint: moto.endpoint,
  })

  /** A container/IMDS endpoint in its own process serving moto-issued temporary credentials. */
  async function endpointWithMotoCredentials() {
    const c = await new Authenticator(webIdentity()).credentials()
    const script = fileURLToPath(new URL('./helpers/creds-endpoint.mjs', import.meta.url))
    const json = JSON.stringify({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken })
    testing.clear()
    const child = spawn(process.execPath, [script, '0'], { env: childEnv({ CREDENTIALS_JSON: json }), stdio: ['pipe', 'pipe', 'inherit'] })
    endpoints.push(child)
    return new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve))
  }

  test('environment: the seeded IAM user', async () => {
    const env = sourceEnv({ AWS_ACCESS_KEY_ID: moto.user.access_key_id, AWS_SECRET_ACCESS_KEY: moto.user.secret_access_key })
    assert.equal(await loginArn({ env }), moto.user.arn)
  })

  test('custom JavaScript provider', async () => {
    const provider = () => ({ accessKeyId: moto.user.access_key_id, secretAccessKey: moto.user.secret_access_key })
    assert.equal(await loginArn({ env: sourceEnv(), provider }), moto.user.arn)
  })

  test('web identity: moto issues the role session, then verifies the login with it', async () => {
    assert.match(await loginArn(webIdentity()), /:assumed-role\/mongo-web-identity\/node-moto$/)
    assert.equal(testing.entries().length, 1)
  })

  test('container endpoint serving moto credentials', async () => {
    const base = await endpointWithMotoCredentials()
    const env = sourceEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}/creds` })
    assert.match(await loginArn({ env }), /:assumed-role\/mongo-web-identity\/node-moto$/)
  })

  test('IMDSv2 serving moto credentials', async () => {
    const base = await endpointWithMotoCredentials()
    const env = sourceEnv({ AWS_EC2_METADATA_DISABLED: undefined, AWS_EC2_METADATA_SERVICE_ENDPOINT: base })
    assert.match(await loginArn({ env }), /:assumed-role\/mongo-web-identity\/node-moto$/)
  })

  test('a wrong secret is refused by moto', async () => {
    const wrong = moto.user.secret_access_key.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))
    const env = sourceEnv({ AWS_ACCESS_KEY_ID: moto.user.access_key_id, AWS_SECRET_ACCESS_KEY: wrong })
    const client = new MongoClient(s.mongodb_uri, {
      authMechanismProperties: { AWS_CREDENTIAL_PROVIDER: credentialProvider({ env }) },
      serverSelectionTimeoutMS: 2000,
    })
    try {
      await assert.rejects(client.db('admin').command({ connectionStatus: 1 }), (e) => {
        assert.ok(!`${e.message} ${JSON.stringify(e)}`.includes(wrong))
        return true
      })
    } finally {
      await client.close()
    }
  })
})
