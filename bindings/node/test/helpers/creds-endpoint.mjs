// A credentials endpoint speaking both the container protocol (any GET outside /latest/) and
// IMDSv2 (token PUT, role listing, role credentials), in its own process so that a blocked event
// loop in the test process cannot be hidden by this server sharing it.
//   node creds-endpoint.mjs [delayMs]
// Serves the credentials in $CREDENTIALS_JSON ({accessKeyId, secretAccessKey, sessionToken,
// expiration}) or throwaway ones; every answer waits delayMs. Prints its base URL, serves until
// stdin closes.
import { createServer } from 'node:http'

const delayMs = Number(process.argv[2] ?? 0)
const given = process.env.CREDENTIALS_JSON ? JSON.parse(process.env.CREDENTIALS_JSON) : undefined
const creds = given ?? {
  accessKeyId: 'ASIASLOWSTANDIN00001',
  secretAccessKey: 'slow-standin-secret-not-real-000000000000',
  sessionToken: 'slow-standin-token',
}
const body = () =>
  JSON.stringify({
    Code: 'Success',
    AccessKeyId: creds.accessKeyId,
    SecretAccessKey: creds.secretAccessKey,
    Token: creds.sessionToken,
    Expiration: creds.expiration ?? new Date(Date.now() + 3600 * 1000).toISOString(),
  })
const TOKEN = 'imds-session-token'
const ROLE = 'node-test-role'

const server = createServer((req, res) => {
  setTimeout(() => {
    const send = (status, text, type = 'text/plain') => {
      res.writeHead(status, { 'content-type': type, 'x-aws-ec2-metadata-token-ttl-seconds': '21600' })
      res.end(text)
    }
    if (req.url === '/latest/api/token' && req.method === 'PUT') return send(200, TOKEN)
    if (req.url.startsWith('/latest/')) {
      // IMDSv2 only, like the real service with v1 switched off.
      if (req.headers['x-aws-ec2-metadata-token'] !== TOKEN) return send(401, '')
      if (req.url === '/latest/meta-data/iam/security-credentials/') return send(200, ROLE)
      if (req.url === `/latest/meta-data/iam/security-credentials/${ROLE}`) return send(200, body(), 'application/json')
      return send(404, '')
    }
    send(200, body(), 'application/json')
  }, delayMs)
})
server.listen(0, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${server.address().port}`)
})
process.stdin.resume()
process.stdin.on('end', () => process.exit(0))
