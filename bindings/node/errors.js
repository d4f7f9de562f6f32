'use strict'
// The error classes of mongoawsauth. The addon builds every error through createError(), so a
// failure always arrives as the subclass that matches the core's error kind. Messages come from
// the core, which never puts a secret in one.

const { deprecate } = require('node:util')

/** Every error mongoawsauth throws or rejects with (except TypeErrors for wrong argument types). */
class MongoAwsAuthError extends Error {
  constructor(message, { code = 'UNKNOWN', resultCode, kind, attempts = [], cause } = {}) {
    super(message, cause === undefined ? undefined : { cause })
    /** The error kind's name, the same in every face, e.g. `CREDENTIALS_NOT_FOUND`. */
    this.code = code
    /** The error kind's stable number, the same as the C library's result code. */
    this.resultCode = resultCode ?? kind
    /** What each credential source said, in order (empty unless a chain ran). */
    this.attempts = Object.freeze(attempts.map((attempt) => Object.freeze({ ...attempt })))
  }
}

// `kind` was the number before `resultCode` took the name; kept for one release.
Object.defineProperty(MongoAwsAuthError.prototype, 'kind', {
  get: deprecate(
    function kind() {
      return this.resultCode
    },
    'mongoawsauth: err.kind is deprecated; read err.resultCode (the same number), or err.code (its name)',
    'MONGOAWSAUTH_DEP0001',
  ),
  configurable: true,
})

class InvalidArgumentError extends MongoAwsAuthError {}
class ConfigurationError extends MongoAwsAuthError {}
class CredentialsNotFoundError extends MongoAwsAuthError {}
class CredentialsProviderError extends MongoAwsAuthError {}
class AuthenticationError extends MongoAwsAuthError {}
class SigningError extends MongoAwsAuthError {}
class TimeoutError extends MongoAwsAuthError {}
class RuntimeError extends MongoAwsAuthError {}
class InternalError extends MongoAwsAuthError {}

const byCode = {
  INVALID_ARGUMENT: InvalidArgumentError,
  CONFIGURATION: ConfigurationError,
  CREDENTIALS_NOT_FOUND: CredentialsNotFoundError,
  CREDENTIALS_PROVIDER: CredentialsProviderError,
  AUTHENTICATION: AuthenticationError,
  SIGNING: SigningError,
  TIMEOUT: TimeoutError,
  RUNTIME: RuntimeError,
  INTERNAL: InternalError,
}

const classes = { MongoAwsAuthError, ...Object.fromEntries(Object.values(byCode).map((c) => [c.name, c])) }
for (const [name, cls] of Object.entries(classes)) {
  // On the prototype, like Error.prototype.name: stacks and util.inspect show the class.
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true })
}

/**
 * Called by the addon with {code, resultCode, message, attempts, cause?}. A code this file has
 * no class for (a kind newer than these classes) gives the base class with code UNKNOWN, the
 * number kept as resultCode, as in every face.
 */
function createError({ code, resultCode, message, attempts, cause }) {
  const Class = Object.hasOwn(byCode, code) ? byCode[code] : undefined
  if (Class === undefined) return new MongoAwsAuthError(message, { code: 'UNKNOWN', resultCode, attempts, cause })
  return new Class(message, { code, resultCode, attempts, cause })
}

module.exports = { ...classes, createError }
