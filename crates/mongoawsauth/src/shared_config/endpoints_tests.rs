use std::path::Path;

use super::*;
use crate::ErrorKind;

fn profile(text: &str) -> ProfileEndpoints {
    let config = SharedConfig::from_texts(Some((Path::new("/h/.aws/config"), text)), None).unwrap();
    ProfileEndpoints::read(&config, config.profile("p").unwrap())
}

fn settings(vars: &[(&str, &str)], text: Option<&str>) -> Result<EndpointSettings, Error> {
    let p = text.map(profile);
    EndpointSettings::resolve(&Env::from_vars(vars.iter().copied()), p.as_ref())
}

/// Variables, profile text, expected STS URL. URLs are computed, never requested.
type Vars<'a> = &'a [(&'a str, &'a str)];
type Row<'a> = (Vars<'a>, Option<&'a str>, &'a str);

#[test]
fn sts_endpoint_table() {
    let services = "[profile p]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:3\nservices = s\n\
                    [services s]\nsts =\n  endpoint_url = http://127.0.0.1:2\nsso =\n  endpoint_url = http://127.0.0.1:5\n";
    let rows: &[Row<'_>] = &[
        (&[], None, "https://sts.amazonaws.com"),
        (&[], Some("[profile p]\nregion = eu-west-1\n"), "https://sts.eu-west-1.amazonaws.com"),
        (
            &[(REGION, "us-west-2")],
            Some("[profile p]\nregion = eu-west-1\n"),
            "https://sts.us-west-2.amazonaws.com",
        ),
        (
            &[(DEFAULT_REGION, "us-west-2")],
            Some("[profile p]\nregion = eu-west-1\n"),
            "https://sts.us-west-2.amazonaws.com",
        ),
        (&[(REGION, " ")], Some("[profile p]\nregion = eu-west-1\n"), "https://sts.eu-west-1.amazonaws.com"),
        // sts_regional_endpoints from the profile, overridden by the variable.
        (
            &[],
            Some("[profile p]\nregion = us-east-1\nsts_regional_endpoints = legacy\n"),
            "https://sts.amazonaws.com",
        ),
        (
            &[(STS_REGIONAL_ENDPOINTS, "regional")],
            Some("[profile p]\nregion = us-east-1\nsts_regional_endpoints = legacy\n"),
            "https://sts.us-east-1.amazonaws.com",
        ),
        // Endpoint URLs: service variable, global variable, services section, profile endpoint_url.
        (
            &[(ENDPOINT_URL_STS, "http://127.0.0.1:1"), (ENDPOINT_URL, "http://127.0.0.1:9")],
            Some(services),
            "http://127.0.0.1:1",
        ),
        (&[(ENDPOINT_URL, "http://127.0.0.1:9")], Some(services), "http://127.0.0.1:9"),
        (&[], Some(services), "http://127.0.0.1:2"),
        (
            &[],
            Some(
                "[profile p]\nendpoint_url = http://127.0.0.1:3\nservices = s\n[services s]\nsso =\n  endpoint_url = http://127.0.0.1:5\n",
            ),
            "http://127.0.0.1:3",
        ),
        // A services name with no section is ignored.
        (
            &[],
            Some("[profile p]\nregion = eu-west-1\nservices = nowhere\n"),
            "https://sts.eu-west-1.amazonaws.com",
        ),
        // ignore_configured_endpoint_urls, from the variable or the profile.
        (
            &[(IGNORE_URLS, "true"), (ENDPOINT_URL_STS, "http://127.0.0.1:1")],
            Some(services),
            "https://sts.eu-west-1.amazonaws.com",
        ),
        (
            &[(ENDPOINT_URL_STS, "http://127.0.0.1:1")],
            Some("[profile p]\nignore_configured_endpoint_urls = TRUE\nregion = eu-west-1\n"),
            "https://sts.eu-west-1.amazonaws.com",
        ),
        (
            &[(IGNORE_URLS, "false")],
            Some("[profile p]\nignore_configured_endpoint_urls = true\nendpoint_url = http://127.0.0.1:3\n"),
            "http://127.0.0.1:3",
        ),
        // FIPS and dual-stack, from variables or the profile.
        (&[(REGION, "eu-west-1"), (USE_FIPS, "true")], None, "https://sts-fips.eu-west-1.amazonaws.com"),
        (
            &[],
            Some("[profile p]\nregion = eu-west-1\nuse_fips_endpoint = true\n"),
            "https://sts-fips.eu-west-1.amazonaws.com",
        ),
        (
            &[(USE_FIPS, "false")],
            Some("[profile p]\nregion = eu-west-1\nuse_fips_endpoint = true\n"),
            "https://sts.eu-west-1.amazonaws.com",
        ),
        (&[(REGION, "eu-west-1"), (USE_DUAL_STACK, "true")], None, "https://sts.eu-west-1.api.aws"),
        (
            &[(REGION, "eu-west-1"), (USE_DUAL_STACK, "true"), (USE_FIPS, "true")],
            None,
            "https://sts-fips.eu-west-1.api.aws",
        ),
        (&[(REGION, "us-gov-west-1"), (USE_FIPS, "true")], None, "https://sts.us-gov-west-1.amazonaws.com"),
        (
            &[(REGION, "us-gov-west-1"), (USE_FIPS, "true"), (USE_DUAL_STACK, "true")],
            None,
            "https://sts-fips.us-gov-west-1.api.aws",
        ),
        (&[(REGION, "cn-north-1"), (USE_FIPS, "true")], None, "https://sts-fips.cn-north-1.amazonaws.com.cn"),
        (
            &[(REGION, "cn-north-1"), (USE_DUAL_STACK, "true")],
            None,
            "https://sts.cn-north-1.api.amazonwebservices.com.cn",
        ),
        (&[(REGION, "us-iso-east-1"), (USE_FIPS, "true")], None, "https://sts-fips.us-iso-east-1.c2s.ic.gov"),
        // FIPS wins over the legacy global endpoint.
        (
            &[(REGION, "us-east-1"), (USE_FIPS, "true"), (STS_REGIONAL_ENDPOINTS, "legacy")],
            None,
            "https://sts-fips.us-east-1.amazonaws.com",
        ),
    ];
    for (vars, text, want) in rows {
        let s = settings(vars, *text).unwrap_or_else(|e| panic!("{vars:?} {text:?}: {e}"));
        let got = s.sts_endpoint(None).unwrap_or_else(|e| panic!("{vars:?} {text:?}: {e}"));
        assert_eq!(got.url(), *want, "{vars:?} {text:?}");
    }
    // The options' override wins over everything, FIPS included.
    let s =
        settings(&[(USE_FIPS, "true"), (ENDPOINT_URL_STS, "http://127.0.0.1:1")], Some(services)).unwrap();
    assert_eq!(s.sts_endpoint(Some("http://127.0.0.1:7")).unwrap().url(), "http://127.0.0.1:7");
}

#[test]
fn origins_say_where_each_setting_was_written() {
    let s = settings(&[], Some("[profile p]\nregion = eu-west-1\nservices = s\n[services s]\nsts =\n  endpoint_url = http://127.0.0.1:2\n")).unwrap();
    let url = s.sts_endpoint_url.as_ref().unwrap();
    assert_eq!(url.origin.to_string(), "sts.endpoint_url in [services s] in /h/.aws/config line 6");
    let region = s.region.as_ref().unwrap();
    assert_eq!(region.origin.to_string(), "region in [profile p] in /h/.aws/config line 2");
    let s = settings(&[], Some("[profile p]\nregion = eu-west-1\n")).unwrap();
    let e = s.sts_endpoint(None).unwrap();
    assert!(e.to_string().contains("region eu-west-1 from region in [profile p]"), "{e}");
    let s = settings(&[(REGION, "eu-west-1"), (USE_FIPS, "true")], None).unwrap();
    assert!(s.sts_endpoint(None).unwrap().to_string().ends_with(", FIPS)"));
    assert_eq!(s.use_fips.origin, SettingOrigin::Variable(USE_FIPS));
    assert_eq!(s.use_dual_stack.origin, SettingOrigin::Default);
}

#[test]
fn bad_settings_name_where_they_were_written() {
    let rows: &[Row<'_>] = &[
        (&[(USE_FIPS, "yes")], None, "AWS_USE_FIPS_ENDPOINT must be true or false"),
        (
            &[],
            Some("[profile p]\nuse_dualstack_endpoint = 1\n"),
            "use_dualstack_endpoint in [profile p] in /h/.aws/config line 2",
        ),
        (&[], Some("[profile p]\nsts_regional_endpoints = global\n"), "'regional' or 'legacy'"),
    ];
    for (vars, text, want) in rows {
        let e = settings(vars, *text).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e.message().contains(want), "{e}");
    }
    let sts_errors: &[Row<'_>] = &[
        (&[], Some("[profile p]\nregion = Evil.example/x\n"), "region in [profile p]"),
        (&[], Some("[profile p]\nendpoint_url = sts.amazonaws.com\n"), "endpoint_url in [profile p]"),
        (&[(USE_FIPS, "true")], None, "needs a region"),
        (
            &[(USE_FIPS, "true"), (ENDPOINT_URL, "http://127.0.0.1:1"), (REGION, "eu-west-1")],
            None,
            "cannot be combined",
        ),
        (&[(USE_DUAL_STACK, "true"), (REGION, "us-iso-east-1")], None, "no dual-stack"),
        (&[(USE_FIPS, "true"), (REGION, "aws-global")], None, "aws-global"),
    ];
    for (vars, text, want) in sts_errors {
        let e = settings(vars, *text).unwrap().sts_endpoint(None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e.message().contains(want), "{want}: {e}");
    }
}

#[test]
fn sso_portal_table() {
    let services = "[profile p]\nendpoint_url = http://127.0.0.1:3\nservices = s\n[services s]\nsso =\n  endpoint_url = http://127.0.0.1:5\n";
    let rows: &[(Vars<'_>, Option<&str>, &str, &str)] = &[
        (&[], None, "eu-west-1", "https://portal.sso.eu-west-1.amazonaws.com"),
        (&[(USE_FIPS, "true")], None, "eu-west-1", "https://portal.sso-fips.eu-west-1.amazonaws.com"),
        (&[(USE_DUAL_STACK, "true")], None, "eu-west-1", "https://portal.sso.eu-west-1.api.aws"),
        (
            &[(USE_DUAL_STACK, "true"), (USE_FIPS, "true")],
            None,
            "eu-west-1",
            "https://portal.sso-fips.eu-west-1.api.aws",
        ),
        (&[(USE_FIPS, "true")], None, "us-gov-west-1", "https://portal.sso.us-gov-west-1.amazonaws.com"),
        (&[], None, "cn-north-1", "https://portal.sso.cn-north-1.amazonaws.com.cn"),
        (
            &[(ENDPOINT_URL_SSO, "http://127.0.0.1:1"), (ENDPOINT_URL, "http://127.0.0.1:9")],
            Some(services),
            "eu-west-1",
            "http://127.0.0.1:1",
        ),
        (&[(ENDPOINT_URL, "http://127.0.0.1:9")], Some(services), "eu-west-1", "http://127.0.0.1:9"),
        (&[], Some(services), "eu-west-1", "http://127.0.0.1:5"),
        (
            &[(ENDPOINT_URL_STS, "http://127.0.0.1:1")],
            Some("[profile p]\n"),
            "eu-west-1",
            "https://portal.sso.eu-west-1.amazonaws.com",
        ),
        (&[(IGNORE_URLS, "true")], Some(services), "eu-west-1", "https://portal.sso.eu-west-1.amazonaws.com"),
    ];
    for (vars, text, region, want) in rows {
        let s = settings(vars, *text).unwrap();
        assert_eq!(
            s.sso_portal_url(region).unwrap_or_else(|e| panic!("{vars:?}: {e}")),
            *want,
            "{vars:?} {text:?}"
        );
    }
    assert!(settings(&[], None).unwrap().sso_portal_url("bad/region").is_err());
    assert!(
        settings(&[(USE_FIPS, "true"), (ENDPOINT_URL_SSO, "http://127.0.0.1:1")], None)
            .unwrap()
            .sso_portal_url("eu-west-1")
            .is_err()
    );
}
