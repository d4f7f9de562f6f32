//! Parsing the SigV4 `Authorization` header value.

use std::fmt;

use super::ALGORITHM;

/// The credential scope `<access key id>/<YYYYMMDD>/<region>/<service>/aws4_request`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialScope {
    /// The access key id (not a secret).
    pub access_key_id: String,
    /// The scope date, `YYYYMMDD`.
    pub date: String,
    /// The scope region, e.g. `us-east-1`.
    pub region: String,
    /// The scope service, e.g. `sts`.
    pub service: String,
}

impl CredentialScope {
    /// The scope as it appears in the string to sign: `<date>/<region>/<service>/aws4_request`.
    pub fn scope(&self) -> String {
        format!("{}/{}/{}/aws4_request", self.date, self.region, self.service)
    }
}

/// A parsed `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    /// The `Credential=` part.
    pub credential: CredentialScope,
    /// The `SignedHeaders=` list: lower-case, sorted, without duplicates.
    pub signed_headers: Vec<String>,
    /// The `Signature=` part: 64 lower-case hex digits.
    pub signature: String,
}

/// Why an `Authorization` value could not be parsed. STS reports these as `IncompleteSignature`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthorizationError {
    /// The value does not start with `AWS4-HMAC-SHA256 `.
    UnsupportedAlgorithm,
    /// A required `Credential`, `SignedHeaders` or `Signature` part is missing or repeated.
    MissingPart(&'static str),
    /// A part other than those three.
    UnknownPart(String),
    /// `Credential=` is not `AK/YYYYMMDD/region/service/aws4_request`.
    MalformedCredential,
    /// `SignedHeaders=` is empty, not lower-case, not sorted or has duplicates.
    MalformedSignedHeaders,
    /// `Signature=` is not 64 lower-case hex digits.
    MalformedSignature,
}

impl fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedAlgorithm => {
                write!(f, "the Authorization value must start with '{ALGORITHM} '")
            }
            Self::MissingPart(p) => write!(f, "the Authorization value must contain exactly one '{p}=' part"),
            Self::UnknownPart(p) => {
                write!(f, "the Authorization value has an unknown part '{p}'")
            }
            Self::MalformedCredential => {
                write!(f, "Credential must be '<access key id>/<YYYYMMDD>/<region>/<service>/aws4_request'")
            }
            Self::MalformedSignedHeaders => write!(
                f,
                "SignedHeaders must be a non-empty, sorted, ';'-separated list of lower-case header names"
            ),
            Self::MalformedSignature => {
                write!(f, "Signature must be 64 lower-case hexadecimal digits")
            }
        }
    }
}

impl std::error::Error for AuthorizationError {}

impl Authorization {
    /// Parses an `Authorization` header value. Parts may be separated by `,` or `, ` (AWS accepts
    /// both), but each of the three parts must appear exactly once.
    pub fn parse(value: &str) -> Result<Self, AuthorizationError> {
        let rest = value
            .strip_prefix(ALGORITHM)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or(AuthorizationError::UnsupportedAlgorithm)?;
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let part = part.trim_matches(' ');
            let (key, val) =
                part.split_once('=').ok_or_else(|| AuthorizationError::UnknownPart(truncate(part)))?;
            let slot = match key {
                "Credential" => &mut credential,
                "SignedHeaders" => &mut signed,
                "Signature" => &mut signature,
                other => return Err(AuthorizationError::UnknownPart(truncate(other))),
            };
            if slot.replace(val).is_some() {
                return Err(AuthorizationError::MissingPart(match key {
                    "Credential" => "Credential",
                    "SignedHeaders" => "SignedHeaders",
                    _ => "Signature",
                }));
            }
        }
        let credential = parse_credential(credential.ok_or(AuthorizationError::MissingPart("Credential"))?)?;
        let signed_headers =
            parse_signed_headers(signed.ok_or(AuthorizationError::MissingPart("SignedHeaders"))?)?;
        let signature = signature.ok_or(AuthorizationError::MissingPart("Signature"))?;
        if signature.len() != 64
            || !signature.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(AuthorizationError::MalformedSignature);
        }
        Ok(Self { credential, signed_headers, signature: signature.to_owned() })
    }

    /// The `SignedHeaders` list joined with `;`, as it appears in the canonical request.
    pub fn signed_headers_joined(&self) -> String {
        self.signed_headers.join(";")
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

fn parse_credential(value: &str) -> Result<CredentialScope, AuthorizationError> {
    let parts: Vec<&str> = value.split('/').collect();
    let [ak, date, region, service, terminator] = parts[..] else {
        return Err(AuthorizationError::MalformedCredential);
    };
    let valid = !ak.is_empty()
        && date.len() == 8
        && date.bytes().all(|b| b.is_ascii_digit())
        && !region.is_empty()
        && !service.is_empty()
        && terminator == "aws4_request";
    if !valid {
        return Err(AuthorizationError::MalformedCredential);
    }
    Ok(CredentialScope {
        access_key_id: ak.to_owned(),
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
    })
}

fn parse_signed_headers(value: &str) -> Result<Vec<String>, AuthorizationError> {
    let names: Vec<String> = value.split(';').map(str::to_owned).collect();
    let well_formed = names.iter().all(|n| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase() && b != b':')
    });
    // Strictly increasing also rules out duplicates.
    let sorted = names.windows(2).all(|w| w[0] < w[1]);
    if !well_formed || !sorted {
        return Err(AuthorizationError::MalformedSignedHeaders);
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b";

    #[test]
    fn parses_a_well_formed_value() {
        let a = Authorization::parse(GOOD).unwrap();
        assert_eq!(a.credential.access_key_id, "AKIDEXAMPLE");
        assert_eq!(a.credential.scope(), "20150830/us-east-1/service/aws4_request");
        assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
        assert_eq!(a.signed_headers_joined(), "host;x-amz-date");
        // Without spaces after the commas, as some signers send it.
        assert_eq!(Authorization::parse(&GOOD.replace(", ", ",")).unwrap(), a);
    }

    #[test]
    fn rejects_malformed_values() {
        let cases = [
            ("", AuthorizationError::UnsupportedAlgorithm),
            ("AWS4-HMAC-SHA1 x", AuthorizationError::UnsupportedAlgorithm),
            ("AWS4-HMAC-SHA256 ", AuthorizationError::UnknownPart(String::new())),
            (
                &GOOD.replace("Credential=AKIDEXAMPLE/", "Credential=")[..],
                AuthorizationError::MalformedCredential,
            ),
            (&GOOD.replace("20150830", "2015083")[..], AuthorizationError::MalformedCredential),
            (&GOOD.replace("aws4_request", "aws5_request")[..], AuthorizationError::MalformedCredential),
            (
                &GOOD.replace("host;x-amz-date", "x-amz-date;host")[..],
                AuthorizationError::MalformedSignedHeaders,
            ),
            (
                &GOOD.replace("host;x-amz-date", "Host;x-amz-date")[..],
                AuthorizationError::MalformedSignedHeaders,
            ),
            (&GOOD.replace("host;x-amz-date", "host;host")[..], AuthorizationError::MalformedSignedHeaders),
            (&GOOD.replace("Signature=5d", "Signature=5D")[..], AuthorizationError::MalformedSignature),
            (&GOOD.replace("5d6b", "5d6")[..], AuthorizationError::MalformedSignature),
            (&format!("{GOOD}, Signature=00"), AuthorizationError::MissingPart("Signature")),
            (&GOOD.replace(", Signature=", ", Sig=")[..], AuthorizationError::UnknownPart("Sig".into())),
        ];
        for (value, want) in cases {
            assert_eq!(Authorization::parse(value), Err(want), "{value}");
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "AWS4-HMAC-SHA256 ,,,",
            "AWS4-HMAC-SHA256 =",
            "AWS4-HMAC-SHA256 Credential=////",
            "AWS4-HMAC-SHA256 \u{1F600}=é",
        ] {
            assert!(Authorization::parse(s).is_err());
        }
    }
}
