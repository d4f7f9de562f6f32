//! `mongoawsauth_conversation_t`: one login's MONGODB-AWS SASL conversation.

use mongoawsauth_core::Conversation;

use crate::bytes::mongoawsauth_bytes_t;
use crate::credentials::mongoawsauth_credentials_t;
use crate::error::mongoawsauth_error_t;
use crate::ffi;
use crate::result::mongoawsauth_result_t;

/// One login's SASL conversation: `mongoawsauth_conversation_client_first` for `saslStart`, then
/// `mongoawsauth_conversation_client_final` with the server's reply for `saslContinue`. Calls out
/// of that order, and any call after the conversation finished or failed, fail with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`: start a new conversation for every login.
///
/// Created by `mongoawsauth_authenticator_start_conversation` or
/// `mongoawsauth_conversation_new`. The caller owns it and must release it with
/// `mongoawsauth_conversation_destroy`.
///
/// Thread safety: one conversation per connection, used by one thread at a time; not safe for
/// concurrent use.
#[derive(Debug)]
pub struct mongoawsauth_conversation_t {
    inner: Conversation,
}

impl mongoawsauth_conversation_t {
    pub(crate) fn new(inner: Conversation) -> Self {
        mongoawsauth_conversation_t { inner }
    }

    pub(crate) fn core(&self) -> &Conversation {
        &self.inner
    }
}

/// Starts a conversation with explicit credentials (for example ones the host fetched with
/// `mongoawsauth_authenticator_credentials`) and a fresh nonce.
///
/// This function does not take ownership of `credentials`; it keeps its own reference. On
/// success the caller owns `*conversation_out` and must release it with
/// `mongoawsauth_conversation_destroy`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_conversation_new(
    credentials: *const mongoawsauth_credentials_t,
    conversation_out: *mut *mut mongoawsauth_conversation_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(conversation_out, "conversation_out")?;
        // SAFETY: `credentials` is NULL or a live handle (documented contract).
        let credentials = unsafe { ffi::try_ref(credentials, "credentials") }?;
        let conversation = Conversation::new(credentials.core().clone())?;
        // SAFETY: `conversation_out` was checked and is writable.
        unsafe { out.write(mongoawsauth_conversation_t::new(conversation)) };
        Ok(())
    })
}

/// The client-first payload `{r: nonce, p: 110}` (BSON) to send as the `payload` of
/// `saslStart` with mechanism `"MONGODB-AWS"` on the `$external` database.
///
/// On success the caller owns `*payload_out` and must release it with
/// `mongoawsauth_bytes_destroy`. Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if called
/// twice.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_conversation_client_first(
    conversation: *mut mongoawsauth_conversation_t,
    payload_out: *mut *mut mongoawsauth_bytes_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(payload_out, "payload_out")?;
        // SAFETY: `conversation` is NULL or live and used by this thread only (documented).
        let conversation = unsafe { ffi::try_mut(conversation, "conversation") }?;
        let payload = conversation.inner.client_first()?;
        // SAFETY: `payload_out` was checked and is writable.
        unsafe { out.write(mongoawsauth_bytes_t::new(payload)) };
        Ok(())
    })
}

/// Validates the server's `saslStart` reply payload (`server_payload`, `server_payload_len`
/// bytes of BSON `{s, h}`) and returns the signed client-final payload
/// `{a: Authorization, d: X-Amz-Date, t?: session token}` to send as the `payload` of
/// `saslContinue`.
///
/// This function does not take ownership of `server_payload`. On success the caller owns
/// `*payload_out` and must release it with `mongoawsauth_bytes_destroy` (it holds the session
/// token and is zeroized on release). Fails with `MONGOAWSAUTH_RESULT_AUTHENTICATION` for a
/// reply that fails the spec's checks, `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` before
/// `client_first` or after the conversation finished. After any failure the conversation is
/// finished.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_conversation_client_final(
    conversation: *mut mongoawsauth_conversation_t,
    server_payload: *const u8,
    server_payload_len: usize,
    payload_out: *mut *mut mongoawsauth_bytes_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(payload_out, "payload_out")?;
        // SAFETY: `conversation` is NULL or live and used by this thread only (documented).
        let conversation = unsafe { ffi::try_mut(conversation, "conversation") }?;
        // SAFETY: `server_payload` is NULL or points to `server_payload_len` readable bytes.
        let server = unsafe { ffi::bytes_arg(server_payload, server_payload_len, "server_payload") }?;
        let payload = conversation.inner.client_final(server)?;
        // SAFETY: `payload_out` was checked and is writable.
        unsafe { out.write(mongoawsauth_bytes_t::new(payload)) };
        Ok(())
    })
}

/// The cache generation of the credentials this conversation signs with, as
/// `mongoawsauth_credentials_generation` gives it: returns true and stores it in `*generation`
/// when they came from the process-wide cache; returns false and leaves `*generation` untouched
/// when they were not cached, or when an argument is NULL.
///
/// A driver whose login fails (`saslStart` or `saslContinue` refused) reports it with
/// `mongoawsauth_authenticator_report_failure(auth, generation, ...)`, or in one call with
/// `mongoawsauth_authenticator_report_failed_conversation`. Valid at any point of the
/// conversation, including after it finished or failed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_conversation_generation(
    conversation: *const mongoawsauth_conversation_t,
    generation: *mut u64,
) -> bool {
    ffi_infallible!(false, {
        // SAFETY: `conversation` is NULL or a live handle not mutated meanwhile (documented).
        let found = unsafe { ffi::opt_ref(conversation) }.and_then(|c| c.inner.credentials().generation());
        match found {
            Some(g) if !generation.is_null() => {
                // SAFETY: checked non-NULL; the caller guarantees it is writable.
                unsafe { ffi::write_scalar(generation, g) };
                true
            }
            _ => false,
        }
    })
}

/// Releases a conversation. NULL is a no-op. Must not be called twice with the same value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_conversation_destroy(conversation: *mut mongoawsauth_conversation_t) {
    ffi_infallible!((), {
        // SAFETY: `conversation` is NULL or a handle from this library, destroyed once.
        unsafe { ffi::free(conversation) }
    })
}
