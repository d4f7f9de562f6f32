// The ES module entry: the same objects as the CommonJS entry.
import cjs from './index.js'

export const {
  Authenticator,
  Conversation,
  Credentials,
  credentialProvider,
  createClient,
  defaults,
  signing,
  testing,
  validateConnectionString,
  VERSION,
  __napiBindingTarget,
  MongoAwsAuthError,
  InvalidArgumentError,
  ConfigurationError,
  CredentialsNotFoundError,
  CredentialsProviderError,
  AuthenticationError,
  SigningError,
  TimeoutError,
  RuntimeError,
  InternalError,
} = cjs
export default cjs
