//! The verifier against the shared vectors in `tests/data/sigv4`, plus tampering cases that must
//! all be rejected.

use std::path::{Path, PathBuf};

use super::*;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/sigv4")
}

/// A request parsed from the suites' raw `.req` / `request.txt` format.
struct RawRequest {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawRequest {
    fn parse(text: &str) -> Self {
        let (head, body) = match text.split_once("\n\n") {
            Some((h, b)) => (h, b),
            None => (text, ""),
        };
        let mut lines = head.lines();
        let request_line = lines.next().unwrap();
        let (method, rest) = request_line.split_once(' ').unwrap();
        let target = rest.strip_suffix(" HTTP/1.1").unwrap();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                // Obsolete line folding (get-header-value-multiline): the 2015 suite expects
                // each folded line as one more value of the same header, joined with ','.
                let name = headers.last().unwrap().0.clone();
                headers.push((name, line.to_owned()));
            } else {
                let (n, v) = line.split_once(':').unwrap();
                headers.push((n.to_owned(), v.to_owned()));
            }
        }
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn request(&self) -> Request<'_> {
        Request {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every legacy case that does not need path normalization (MONGODB-AWS always signs `/`).
fn legacy_cases() -> Vec<PathBuf> {
    let root = data_dir().join("aws-sig-v4-test-suite");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        if name == "normalize-path" {
            continue;
        }
        if name == "post-sts-token" {
            cases.push(dir.join("post-sts-header-before"));
            cases.push(dir.join("post-sts-header-after"));
        } else {
            cases.push(dir);
        }
    }
    cases.sort();
    assert!(cases.len() >= 20, "vectors missing under {}", root.display());
    cases
}

#[test]
fn legacy_suite_canonical_request_string_to_sign_and_signature() {
    for dir in legacy_cases() {
        let name = dir.file_name().unwrap().to_str().unwrap();
        let f = |ext: &str| dir.join(format!("{name}.{ext}"));
        let raw = RawRequest::parse(&read(&f("req")));
        let authz = Authorization::parse(read(&f("authz")).trim_end()).unwrap();
        assert_eq!(authz.credential.access_key_id, AKID);
        let req = raw.request();
        let creq = canonical_request(&req, &authz.signed_headers).unwrap();
        assert_eq!(creq, read(&f("creq")), "{name}: canonical request");
        let sts = string_to_sign(req.header("x-amz-date").unwrap(), &authz.credential.scope(), &creq);
        assert_eq!(sts, read(&f("sts")), "{name}: string to sign");
        verify(&req, &authz, SECRET).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn crt_suite_signed_requests_verify() {
    let root = data_dir().join("aws-signing-test-suite/v4");
    let mut n = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let ctx: serde_json::Value = serde_json::from_str(&read(&dir.join("context.json"))).unwrap();
        let secret = ctx["credentials"]["secret_access_key"].as_str().unwrap();
        let raw = RawRequest::parse(&read(&dir.join("header-signed-request.txt")));
        let req = raw.request();
        let authz = Authorization::parse(req.header("authorization").unwrap()).unwrap();
        assert_eq!(authz.credential.service, ctx["service"].as_str().unwrap());
        let creq = canonical_request(&req, &authz.signed_headers).unwrap();
        assert_eq!(creq, read(&dir.join("header-canonical-request.txt")), "{}", dir.display());
        verify(&req, &authz, secret).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        n += 1;
    }
    assert!(n >= 6);
}

/// A MONGODB-AWS `signing_cases` entry turned into the GetCallerIdentity request it signs.
struct MongoCase {
    case: serde_json::Value,
    headers: Vec<(String, String)>,
}

const BODY: &[u8] = b"Action=GetCallerIdentity&Version=2011-06-15";

impl MongoCase {
    fn all() -> Vec<Self> {
        let v: serde_json::Value =
            serde_json::from_str(&read(&data_dir().join("mongodb-aws-sigv4-vectors.json"))).unwrap();
        v["signing_cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let s = |k: &str| c[k].as_str().unwrap().to_owned();
                let mut headers = vec![
                    ("Host".to_owned(), s("sts_host")),
                    ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
                    ("Content-Length".into(), "43".into()),
                    ("X-Amz-Date".into(), s("x_amz_date")),
                    ("X-MongoDB-Server-Nonce".into(), s("x_mongodb_server_nonce")),
                    ("X-MongoDB-GS2-CB-Flag".into(), "n".into()),
                ];
                if let Some(t) = c["session_token"].as_str() {
                    headers.push(("X-Amz-Security-Token".into(), t.to_owned()));
                }
                Self { case: c.clone(), headers }
            })
            .collect()
    }

    fn str(&self, k: &str) -> &str {
        self.case[k].as_str().unwrap()
    }

    fn request<'a>(&'a self, headers: &'a [(String, String)], body: &'a [u8]) -> Request<'a> {
        Request { method: "POST", path: "/", query: "", headers, body }
    }

    fn authz(&self) -> Authorization {
        Authorization::parse(self.str("authorization")).unwrap()
    }

    fn check(&self, headers: &[(String, String)], body: &[u8]) -> Result<(), VerifyError> {
        verify(&self.request(headers, body), &self.authz(), self.str("secret_access_key"))
    }

    fn with_header(&self, name: &str, value: Option<&str>) -> Vec<(String, String)> {
        let mut h: Vec<_> =
            self.headers.iter().filter(|(n, _)| !n.eq_ignore_ascii_case(name)).cloned().collect();
        if let Some(v) = value {
            h.push((name.to_owned(), v.to_owned()));
        }
        h
    }
}

#[test]
fn mongodb_aws_signing_cases() {
    let cases = MongoCase::all();
    assert_eq!(cases.len(), 4);
    for c in &cases {
        let req = c.request(&c.headers, BODY);
        let authz = c.authz();
        assert_eq!(authz.credential.region, c.str("region"));
        let creq = canonical_request(&req, &authz.signed_headers).unwrap();
        assert_eq!(creq, c.str("canonical_request"), "{}", c.str("name"));
        let sts = string_to_sign(c.str("x_amz_date"), &authz.credential.scope(), &creq);
        assert_eq!(sts, c.str("string_to_sign"), "{}", c.str("name"));
        c.check(&c.headers, BODY).unwrap();
    }
}

#[test]
fn tampering_is_rejected() {
    use VerifyError::*;
    for c in MongoCase::all() {
        let name = c.str("name").to_owned();
        let good = c.headers.clone();
        // Wrong secret.
        let authz = c.authz();
        assert_eq!(
            verify(&c.request(&good, BODY), &authz, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz"),
            Err(SignatureMismatch),
            "{name}"
        );
        // Changed nonce, flag, host, body.
        let cases = [
            (c.with_header("X-MongoDB-Server-Nonce", Some("otherNonce")), BODY),
            (c.with_header("X-MongoDB-GS2-CB-Flag", Some("y")), BODY),
            (c.with_header("Host", Some("sts.us-east-2.amazonaws.com")), BODY),
            (c.with_header("Content-Length", Some("44")), BODY),
            (good.clone(), b"Action=GetCallerIdentity&Version=2011-06-16"),
            (good.clone(), b"Action=GetCallerIdentity&Version=2011-06-15\n"),
        ];
        for (headers, body) in cases {
            assert_eq!(c.check(&headers, body), Err(SignatureMismatch), "{name}");
        }
        // Nonce header removed.
        assert_eq!(
            c.check(&c.with_header("X-MongoDB-Server-Nonce", None), BODY),
            Err(SignedHeaderMissing("x-mongodb-server-nonce".into())),
            "{name}"
        );
        // Changed date: same day, then another day.
        let date = c.str("x_amz_date");
        let later = format!("{}9{}", &date[..14], &date[15..]);
        assert_eq!(c.check(&c.with_header("X-Amz-Date", Some(&later)), BODY), Err(SignatureMismatch));
        let next_day = format!("{}{}", &date[..7], if &date[7..8] == "9" { "8" } else { "9" });
        let next_day = format!("{next_day}{}", &date[8..]);
        assert_eq!(c.check(&c.with_header("X-Amz-Date", Some(&next_day)), BODY), Err(ScopeDateMismatch));
        assert_eq!(c.check(&c.with_header("X-Amz-Date", None), BODY), Err(MissingDate));
        assert_eq!(
            c.check(&c.with_header("X-Amz-Date", Some("2019-11-12T21:01:22Z")), BODY),
            Err(MalformedDate)
        );
        if c.case["session_token"].is_string() {
            // Wrong token, missing token.
            assert_eq!(
                c.check(&c.with_header("X-Amz-Security-Token", Some("AQoDYXdzEJX")), BODY),
                Err(SignatureMismatch),
                "{name}"
            );
            assert_eq!(
                c.check(&c.with_header("X-Amz-Security-Token", None), BODY),
                Err(SignedHeaderMissing("x-amz-security-token".into())),
                "{name}"
            );
        }
        // A signed header's name changed in the Authorization value.
        let mut a = c.authz();
        a.signed_headers.retain(|h| h != "x-mongodb-gs2-cb-flag");
        assert_eq!(verify(&c.request(&good, BODY), &a, c.str("secret_access_key")), Err(SignatureMismatch));
        // Scope changed (region, service).
        for tweak in [
            |a: &mut Authorization| a.credential.region = "us-east-2".into(),
            |a: &mut Authorization| a.credential.service = "s3".into(),
        ] {
            let mut a = c.authz();
            tweak(&mut a);
            assert_eq!(
                verify(&c.request(&good, BODY), &a, c.str("secret_access_key")),
                Err(SignatureMismatch)
            );
        }
    }
}

#[test]
fn legacy_sts_token_case_rejects_wrong_or_missing_token() {
    let dir = data_dir().join("aws-sig-v4-test-suite/post-sts-token/post-sts-header-before");
    let raw = RawRequest::parse(&read(&dir.join("post-sts-header-before.req")));
    let authz = Authorization::parse(read(&dir.join("post-sts-header-before.authz")).trim_end()).unwrap();
    let mut headers = raw.headers.clone();
    let token = headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token")).unwrap();
    token.1.push('A');
    let req = Request { headers: &headers, ..raw.request() };
    assert_eq!(verify(&req, &authz, SECRET), Err(VerifyError::SignatureMismatch));
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case("x-amz-security-token"));
    let req = Request { headers: &headers, ..raw.request() };
    assert!(matches!(verify(&req, &authz, SECRET), Err(VerifyError::SignedHeaderMissing(_))));
}
