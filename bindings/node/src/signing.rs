//! `signing`: the core's MONGODB-AWS signing at a fixed time and server nonce, so that a
//! program (and this package's tests, which check it against the shared SigV4 vectors) can
//! reproduce a client-final payload byte for byte. A login never needs it: `Conversation`
//! signs with the current time and the nonce the server sent. No signing logic lives here; the
//! core validates the host, derives the region and signs.

use mongoawsauth::signing as core_signing;
use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::credentials::Credentials;
use crate::{errors, guard, values};

/// What `signing.signGetCallerIdentity` returns.
#[napi(object, object_from_js = false, namespace = "signing")]
pub struct SignedRequest {
    /// The `Authorization` header value of the signed STS GetCallerIdentity request (not a
    /// secret: it proves knowledge of one, for this one request).
    pub authorization: String,
    /// The signed `X-Amz-Date`, `YYYYMMDDTHHMMSSZ`.
    pub amz_date: String,
    /// The client-final payload (BSON `{a, d, t?}`) a `Conversation` would send for the same
    /// inputs; `t` is the session token, present exactly when the credentials have one.
    pub payload: Buffer,
}

impl std::fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedRequest")
            .field("authorization", &self.authorization)
            .field("amz_date", &self.amz_date)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

/// Signs the STS GetCallerIdentity request of a MONGODB-AWS login for the STS `host` and the
/// `serverNonce` the server sent (all its bytes), at `date` (a `Date` or milliseconds since the
/// epoch) instead of now. The host is checked and its region derived by the MongoDB
/// specification's rules: a host it refuses is an `AuthenticationError`.
#[napi(namespace = "signing", catch_unwind)]
pub fn sign_get_caller_identity(
    env: Env,
    credentials: &Credentials,
    host: String,
    #[napi(ts_arg_type = "Uint8Array")] server_nonce: Unknown,
    #[napi(ts_arg_type = "Date | number")] date: Unknown,
) -> Result<SignedRequest> {
    guard::sync(&env, "signing.signGetCallerIdentity", || {
        if !server_nonce.is_typedarray().unwrap_or(false) && !server_nonce.is_buffer().unwrap_or(false) {
            return Err(values::type_error(
                &env,
                format!(
                    "serverNonce must be a Buffer or Uint8Array, got {}",
                    values::type_name(&server_nonce)
                ),
            ));
        }
        let nonce = Uint8Array::from_unknown(server_nonce)?;
        let time = values::time(&date, "date").map_err(|why| why.throw(&env))?;
        let core = credentials.core();
        let signature = core_signing::sign_get_caller_identity(core, &host, &nonce, time)
            .map_err(|e| errors::to_js(&env, &e))?;
        let payload = core_signing::encode_client_final(&signature, core.session_token());
        Ok(SignedRequest {
            authorization: signature.authorization,
            amz_date: signature.amz_date,
            payload: Buffer::from(payload),
        })
    })
}
