//! `Conversation`: one MONGODB-AWS login's client side. Building the payloads is CPU only
//! (about 10 µs for the signature), so these methods are synchronous.

use mongoawsauth::Conversation as CoreConversation;
use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::credentials::Credentials;
use crate::{errors, guard, values};

/// One login: `clientFirst()` is the `saslStart` payload, `clientFinal(serverPayload)` the
/// `saslContinue` payload. Each may be called once, in that order.
#[derive(Debug)]
#[napi]
pub struct Conversation {
    inner: Option<CoreConversation>,
}

impl Conversation {
    pub(crate) fn from_core(inner: CoreConversation) -> Self {
        Conversation { inner: Some(inner) }
    }

    pub(crate) fn core(&self) -> Option<&CoreConversation> {
        self.inner.as_ref()
    }

    fn core_mut(&mut self, env: &Env) -> Result<&mut CoreConversation> {
        self.inner
            .as_mut()
            .ok_or_else(|| values::type_error(env, "this Conversation was not started by an Authenticator"))
    }
}

#[napi]
impl Conversation {
    /// Conversations come from `Authenticator.conversation()`; this constructor only throws.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env) -> Result<Self> {
        guard::sync(&env, "new Conversation", || {
            Err(values::type_error(&env, "use authenticator.conversation() to start a Conversation"))
        })
    }

    /// The credentials this conversation signs with.
    #[napi(getter, catch_unwind)]
    pub fn credentials(&self, env: Env) -> Result<Option<Credentials>> {
        guard::sync(&env, "Conversation.credentials", || {
            Ok(self.inner.as_ref().map(|c| Credentials::from_core(c.credentials().clone())))
        })
    }

    /// The client-first payload (BSON `{r: 32-byte nonce, p: 110}`) for `saslStart`.
    #[napi(catch_unwind)]
    pub fn client_first(&mut self, env: Env) -> Result<Buffer> {
        guard::sync(&env, "Conversation.clientFirst", || {
            let conversation = self.core_mut(&env)?;
            conversation.client_first().map(Buffer::from).map_err(|e| errors::to_js(&env, &e))
        })
    }

    /// Validates the server's `saslStart` reply payload and returns the client-final payload
    /// (BSON `{a, d, t?}`: the signed STS GetCallerIdentity request) for `saslContinue`.
    #[napi(catch_unwind)]
    pub fn client_final(
        &mut self,
        env: Env,
        #[napi(ts_arg_type = "Uint8Array")] server_payload: Unknown,
    ) -> Result<Buffer> {
        guard::sync(&env, "Conversation.clientFinal", || self.client_final_unguarded(&env, server_payload))
    }
}

impl Conversation {
    fn client_final_unguarded(&mut self, env: &Env, server_payload: Unknown) -> Result<Buffer> {
        if !server_payload.is_typedarray().unwrap_or(false) && !server_payload.is_buffer().unwrap_or(false) {
            return Err(values::type_error(
                env,
                format!(
                    "clientFinal takes the server's payload as a Buffer or Uint8Array, got {}",
                    values::type_name(&server_payload)
                ),
            ));
        }
        let bytes = Uint8Array::from_unknown(server_payload)?;
        let conversation = self.core_mut(env)?;
        conversation.client_final(&bytes).map(Buffer::from).map_err(|e| errors::to_js(env, &e))
    }
}
