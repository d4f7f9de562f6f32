// An STS in front of the testkit's STS stand-in that can revoke access keys, as IAM does when
// an operator deactivates a key or revokes a role's sessions: requests signed with a revoked
// key get STS's 403 InvalidClientTokenId, every other request is passed through unchanged (the
// Host header included, since it was signed). Loopback only.
import { createServer, request } from 'node:http'

export async function startRevokingSts() {
  let target
  const revoked = new Set()
  const seen = []
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const keyId = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1]
      seen.push({ keyId, revoked: revoked.has(keyId) })
      if (revoked.has(keyId)) {
        res.writeHead(403, { 'content-type': 'text/xml' })
        res.end(
          '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
            '<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message>' +
            '</Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>',
        )
        return
      }
      const url = new URL(target)
      if (url.hostname !== '127.0.0.1') throw new Error('the revoking STS forwards to loopback only')
      const upstream = request(
        { host: '127.0.0.1', port: url.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers)
          answer.pipe(res)
        },
      )
      upstream.on('error', () => {
        res.writeHead(502)
        res.end()
      })
      upstream.end(Buffer.concat(chunks))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Where requests that are not refused go (the stand-ins' own STS). */
    forwardTo(url) {
      target = url
    },
    revoke(keyId) {
      revoked.add(keyId)
    },
    /** Every request so far: the access key id it was signed with, and whether it was refused. */
    seen,
    stop: () => new Promise((resolve) => server.close(resolve)),
  }
}
