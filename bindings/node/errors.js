'use strict'
// The error classes of mongoawsauth. The addon builds every error through createError(), so a
// failure always arrives as the subclass that matches the core's error kind. Messages come from
// the core, which never puts a secret in one.

/** Every error mongoawsauth throws or rejects with (except TypeErrors for wrong argument types). */
class MongoAwsAuthError extends Error {
  constructor(message, { code = 'INTERNAL', kind = 99, attempts = [], cause } = {}) {
    super(message, cause === undefined ? undefined : { cause })
    /** The error kind as a constant, e.g. `CREDENTIALS_NOT_FOUND`. */
    this.code = code
    /** The error kind's stable number, the same as the C library's result code. */
    this.kind = kind
    /** What each credential source said, in order (empty unless a chain ran). */
    this.attempts = Object.freeze(attempts.map((attempt) => Object.freeze({ ...attempt })))
  }
}

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

/** Called by the addon with {code, kind, message, attempts, cause?}. */
function createError({ code, kind, message, attempts, cause }) {
  const Class = byCode[code] ?? MongoAwsAuthError
  return new Class(message, { code, kind, attempts, cause })
}

module.exports = { ...classes, createError }
