//! The server-side checks of the client-final payload `{a, d, t?}` that STS itself does not make
//! (moto, for one, checks none of them): the exact `Authorization` shape, which headers are
//! signed, the scope service, region and date, and clock skew.

use std::time::Duration;

use bson::{Bson, Document};

use super::region::region_from_host;
use crate::amz_date;
use crate::sigv4::Authorization;

/// The headers a MONGODB-AWS client must sign (plus `x-amz-security-token` with a token).
const REQUIRED_SIGNED: [&str; 6] = [
    "content-length",
    "content-type",
    "host",
    "x-amz-date",
    "x-mongodb-gs2-cb-flag",
    "x-mongodb-server-nonce",
];

/// The checked client-final fields.
#[derive(Debug)]
pub(crate) struct ClientFinal {
    pub(crate) authorization: String,
    pub(crate) date: String,
    pub(crate) token: Option<String>,
}

/// Validates the client-final document against the conversation's host `h`; `Err` holds the
/// reason, which never includes the token.
pub(crate) fn check(doc: &Document, host: Option<&str>, max_skew: Duration) -> Result<ClientFinal, String> {
    for key in doc.keys() {
        if !matches!(key.as_str(), "a" | "d" | "t") {
            return Err(format!("unexpected field '{key}' in the client-final payload"));
        }
    }
    let string = |k: &str| match doc.get(k) {
        None => Ok(None),
        Some(Bson::String(s)) => Ok(Some(s.clone())),
        Some(other) => {
            Err(format!("'{k}' in the client-final payload must be a string, not {:?}", other.element_type()))
        }
    };
    let a = string("a")?.ok_or("the client-final payload has no 'a' (Authorization)")?;
    let d = string("d")?.ok_or("the client-final payload has no 'd' (X-Amz-Date)")?;
    let t = string("t")?;
    if t.as_deref() == Some("") {
        return Err("'t' (session token) is present but empty; omit it for long-term keys".into());
    }

    let authz =
        Authorization::parse(&a).map_err(|e| format!("'a' is not a SigV4 Authorization value: {e}"))?;
    let exact = format!(
        "AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={}, Signature={}",
        authz.credential.access_key_id,
        authz.credential.scope(),
        authz.signed_headers_joined(),
        authz.signature
    );
    if a != exact {
        return Err("'a' must be exactly 'AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…' with ', ' separators".into());
    }
    let mut required: Vec<&str> = REQUIRED_SIGNED.to_vec();
    if t.is_some() {
        required.push("x-amz-security-token");
    }
    for name in &required {
        if !authz.signed_headers.iter().any(|h| h == name) {
            return Err(format!("SignedHeaders does not include '{name}'"));
        }
    }
    if let Some(extra) = authz.signed_headers.iter().find(|h| !required.contains(&h.as_str())) {
        return Err(format!(
            "SignedHeaders includes '{extra}', which is not part of the request the server sends{}",
            if extra == "x-amz-security-token" { " (no 't' was sent)" } else { "" }
        ));
    }
    if authz.credential.service != "sts" {
        return Err(format!("the credential scope service is '{}', not 'sts'", authz.credential.service));
    }
    let host = host.ok_or("the server-first message carried no usable host, so no region can be derived")?;
    let region =
        region_from_host(host).map_err(|e| format!("cannot derive a region from host '{host}': {e}"))?;
    if authz.credential.region != region {
        return Err(format!(
            "the credential scope region is '{}' but host '{host}' requires '{region}'",
            authz.credential.region
        ));
    }
    let when = amz_date::parse(&d).ok_or_else(|| format!("'d' ({d}) is not a YYYYMMDD'T'HHMMSS'Z' date"))?;
    if authz.credential.date != d[..8] {
        return Err(format!(
            "the credential scope date {} is not the day of 'd' ({d})",
            authz.credential.date
        ));
    }
    if !amz_date::is_fresh(when, max_skew) {
        return Err(format!(
            "'d' ({d}) is more than {} s away from the server's clock ({})",
            max_skew.as_secs(),
            amz_date::format(time::OffsetDateTime::now_utc())
        ));
    }
    Ok(ClientFinal { authorization: a, date: d, token: t })
}

#[cfg(test)]
mod tests {
    use bson::doc;

    use super::*;

    fn now() -> String {
        amz_date::format(time::OffsetDateTime::now_utc())
    }

    fn authz(scope_date: &str, region: &str, service: &str, headers: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/{scope_date}/{region}/{service}/aws4_request, SignedHeaders={headers}, Signature={}",
            "ab".repeat(32)
        )
    }

    const H: &str =
        "content-length;content-type;host;x-amz-date;x-mongodb-gs2-cb-flag;x-mongodb-server-nonce";
    const HT: &str = "content-length;content-type;host;x-amz-date;x-amz-security-token;x-mongodb-gs2-cb-flag;x-mongodb-server-nonce";

    #[test]
    fn accepts_well_formed_payloads() {
        let d = now();
        let ok = doc! {"a": authz(&d[..8], "us-east-1", "sts", H), "d": &d};
        let c = check(&ok, Some("sts.amazonaws.com"), Duration::from_secs(900)).unwrap();
        assert!(c.token.is_none());
        let ok = doc! {"a": authz(&d[..8], "us-west-2", "sts", HT), "d": &d, "t": "tok"};
        check(&ok, Some("sts.us-west-2.amazonaws.com"), Duration::from_secs(900)).unwrap();
    }

    #[test]
    fn rejects_each_defect() {
        let d = now();
        let stale = amz_date::format(time::OffsetDateTime::now_utc() - Duration::from_secs(901));
        let a = authz(&d[..8], "us-east-1", "sts", H);
        let cases = [
            (doc! {"a": &a, "d": &d, "x": 1}, "unexpected field"),
            (doc! {"d": &d}, "no 'a'"),
            (doc! {"a": &a}, "no 'd'"),
            (doc! {"a": 1, "d": &d}, "must be a string"),
            (doc! {"a": &a, "d": &d, "t": ""}, "present but empty"),
            (doc! {"a": "Bearer x", "d": &d}, "not a SigV4"),
            (doc! {"a": a.replace(", ", ","), "d": &d}, "exactly"),
            (
                doc! {"a": authz(&d[..8], "us-east-1", "sts", "content-length;content-type;host;x-amz-date;x-mongodb-gs2-cb-flag"), "d": &d},
                "x-mongodb-server-nonce",
            ),
            (doc! {"a": &a, "d": &d, "t": "tok"}, "x-amz-security-token"),
            (doc! {"a": authz(&d[..8], "us-east-1", "sts", HT), "d": &d}, "no 't' was sent"),
            (doc! {"a": authz(&d[..8], "us-east-1", "sts", &format!("{H};zz")), "d": &d}, "'zz'"),
            (doc! {"a": authz(&d[..8], "us-east-1", "s3", H), "d": &d}, "not 'sts'"),
            (doc! {"a": authz(&d[..8], "us-west-2", "sts", H), "d": &d}, "requires 'us-east-1'"),
            (doc! {"a": authz("20200101", "us-east-1", "sts", H), "d": &d}, "not the day"),
            (doc! {"a": &a, "d": "yesterday"}, "is not a"),
            (
                doc! {"a": authz(&stale[..8], "us-east-1", "sts", H), "d": &stale},
                "away from the server's clock",
            ),
        ];
        for (doc, want) in cases {
            let err = check(&doc, Some("sts.amazonaws.com"), Duration::from_secs(900)).unwrap_err();
            assert!(err.contains(want), "{doc}: {err}");
        }
        let err = check(&doc! {"a": &a, "d": &d}, Some("sts..com"), Duration::from_secs(900)).unwrap_err();
        assert!(err.contains("empty label"), "{err}");
        let err = check(&doc! {"a": &a, "d": &d}, None, Duration::from_secs(900)).unwrap_err();
        assert!(err.contains("no usable host"), "{err}");
    }
}
