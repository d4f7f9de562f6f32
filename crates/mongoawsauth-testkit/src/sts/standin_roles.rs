//! The web identity and SAML roles [`crate::StandIns`] sets up: generated, throwaway token and
//! assertion, trusted by the STS stand-in, and the token written to a private temporary file so
//! that tests in other languages can set `AWS_WEB_IDENTITY_TOKEN_FILE`.

use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::random;

use super::{SamlRole, StsServer, WebIdentityRole};

/// A JWT-shaped token: base64url header, claims and signature. STS stand-in checks compare it
/// byte for byte; the shape only makes it look right in logs and to clients that peek.
pub fn generate_web_identity_token() -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"RS256","kid":"standin","typ":"JWT"}"#);
    let claims = serde_json::json!({
        "aud": ["sts.amazonaws.com"],
        "iss": "https://oidc.standin.invalid/id/STANDIN",
        "sub": "system:serviceaccount:default:mongo-app",
        "jti": hex::encode(random::bytes(16)),
    });
    let claims = b64.encode(claims.to_string());
    let signature = b64.encode(random::bytes(256));
    format!("{header}.{claims}.{signature}")
}

/// A base64 SAML response of the kind an IdP posts (not signed: the stand-in compares it byte for
/// byte). Random bytes in it make `+`, `/` and `=` likely in the base64, which exercises a
/// client's percent-encoding.
pub fn generate_saml_assertion(session_name: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let xml = format!(
        concat!(
            r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_{id}" Version="2.0">"#,
            r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">"#,
            r#"<saml:Subject><saml:NameID>{name}</saml:NameID></saml:Subject>"#,
            r#"<ds:SignatureValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#">{sig}</ds:SignatureValue>"#,
            r#"</saml:Assertion></samlp:Response>"#
        ),
        id = hex::encode(random::bytes(16)),
        name = session_name,
        sig = b64.encode(random::bytes(96)),
    );
    let mut raw = xml.into_bytes();
    raw.extend_from_slice(&random::bytes(30));
    b64.encode(raw)
}

/// Generates, trusts and returns the stand-ins' two roles in `account`.
pub(crate) fn trust_standin_roles(sts: &StsServer, account: &str) -> (WebIdentityRole, SamlRole) {
    let token = generate_web_identity_token();
    let role_arn = format!("arn:aws:iam::{account}:role/mongo-web-identity");
    sts.trust_web_identity(&role_arn, &token);
    let token_file = write_token_file(&token);
    let web = WebIdentityRole { role_arn, token, token_file };
    let session_name = "mongo-saml-user".to_owned();
    let saml = SamlRole {
        role_arn: format!("arn:aws:iam::{account}:role/mongo-saml"),
        principal_arn: format!("arn:aws:iam::{account}:saml-provider/mongo-idp"),
        assertion: generate_saml_assertion(&session_name),
        session_name,
    };
    sts.trust_saml(saml.clone());
    (web, saml)
}

/// Writes the token to `<tmp>/mongoawsauth-standins-<pid>-<random>/web-identity-token`, in a
/// directory only this user can enter. `None` if that fails (the token is still usable directly).
fn write_token_file(token: &str) -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "mongoawsauth-standins-{}-{}",
        std::process::id(),
        hex::encode(random::bytes(6))
    ));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    if let Err(e) = builder.create(&dir) {
        tracing::debug!(error = %e, "could not create the web identity token directory");
        return None;
    }
    let file = dir.join("web-identity-token");
    match std::fs::write(&file, format!("{token}\n")) {
        Ok(()) => Some(file),
        Err(e) => {
            tracing::debug!(error = %e, "could not write the web identity token file");
            let _ = std::fs::remove_dir_all(&dir);
            None
        }
    }
}

/// Removes the token file and its directory, if the stand-ins wrote them.
pub(crate) fn remove_token_file(role: &WebIdentityRole) {
    if let Some(dir) = role.token_file.as_deref().and_then(Path::parent) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The `web_identity` object of the stand-ins' JSON line.
pub(crate) fn web_identity_json(role: &WebIdentityRole) -> serde_json::Value {
    let mut v = serde_json::json!({ "role_arn": role.role_arn, "token": role.token });
    if let Some(file) = role.token_file.as_deref().and_then(Path::to_str) {
        v["token_file"] = file.into();
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_have_the_right_shape() {
        let token = generate_web_identity_token();
        assert_eq!(token.split('.').count(), 3);
        assert!((4..=20_000).contains(&token.len()));
        assert_ne!(token, generate_web_identity_token());
        let assertion = generate_saml_assertion("alice");
        let raw = base64::engine::general_purpose::STANDARD.decode(&assertion).unwrap();
        assert!(raw.starts_with(b"<samlp:Response"));
        assert!((4..=100_000).contains(&assertion.len()));
    }

    #[test]
    fn token_files_are_written_and_removed() {
        let file = write_token_file("tok").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "tok\n");
        let role =
            WebIdentityRole { role_arn: "arn".into(), token: "tok".into(), token_file: Some(file.clone()) };
        assert_eq!(web_identity_json(&role)["token_file"], file.to_str().unwrap());
        remove_token_file(&role);
        assert!(!file.parent().unwrap().exists());
    }
}
