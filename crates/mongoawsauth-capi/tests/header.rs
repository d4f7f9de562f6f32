//! `include/mongoawsauth.h` is generated, checked in, and must match what the pinned cbindgen
//! produces from this crate. `make header` (MONGOAWSAUTH_WRITE_HEADER=1) rewrites it.

use std::path::{Path, PathBuf};

const OVERVIEW: &str = include_str!("../header-overview.h");

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn header_path() -> PathBuf {
    crate_dir().join("../../include/mongoawsauth.h")
}

fn version_macros() -> String {
    let major = env!("CARGO_PKG_VERSION_MAJOR");
    let minor = env!("CARGO_PKG_VERSION_MINOR");
    let patch = env!("CARGO_PKG_VERSION_PATCH");
    format!(
        "\n/** The major version of this header. */\n#define MONGOAWSAUTH_VERSION_MAJOR {major}\n\
         /** The minor version of this header. */\n#define MONGOAWSAUTH_VERSION_MINOR {minor}\n\
         /** The patch version of this header. */\n#define MONGOAWSAUTH_VERSION_PATCH {patch}\n\
         /** The version of this header as one number, `(major << 16) | (minor << 8) | patch`, \
         comparable with `mongoawsauth_version_number()`. */\n\
         #define MONGOAWSAUTH_VERSION_NUMBER \\\n    \
         ((MONGOAWSAUTH_VERSION_MAJOR << 16) | (MONGOAWSAUTH_VERSION_MINOR << 8) | MONGOAWSAUTH_VERSION_PATCH)\n{DEPRECATED_MACRO}"
    )
}

/// What cbindgen.toml's `deprecated_with_note` puts in front of a deprecated function: the
/// compiler's deprecation attribute where there is one, so that a call warns, and nothing
/// elsewhere. A program defines it first (as empty) to silence the warnings.
const DEPRECATED_MACRO: &str = "
/**
 * Marks a function kept for one release under its old name: compilers that support it warn at
 * each call with the new name. Define it as empty before including this header to silence them.
 */
#ifndef MONGOAWSAUTH_DEPRECATED
#if defined(__GNUC__) || defined(__clang__)
#define MONGOAWSAUTH_DEPRECATED(note) __attribute__((deprecated(note)))
#elif defined(_MSC_VER)
#define MONGOAWSAUTH_DEPRECATED(note) __declspec(deprecated(note))
#else
#define MONGOAWSAUTH_DEPRECATED(note)
#endif
#endif
";

fn generate() -> String {
    let dir = crate_dir();
    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    config.header = Some(OVERVIEW.trim_end().to_owned());
    config.after_includes = Some(version_macros());
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header")
        .write(&mut out);
    String::from_utf8(out).expect("UTF-8 header")
}

#[test]
fn checked_in_header_is_current() {
    let generated = generate();
    let path = header_path();
    if std::env::var_os("MONGOAWSAUTH_WRITE_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("write include/mongoawsauth.h");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "{} is stale or missing: run `make header` and commit the result",
        Path::new("include/mongoawsauth.h").display()
    );
}

#[test]
fn header_versions_match_the_crate() {
    let header = generate();
    for (name, value) in [
        ("MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        assert!(header.contains(&format!("#define MONGOAWSAUTH_VERSION_{name} {value}\n")), "{name}");
    }
}

/// The setters' documentation states the defaults; they must be the core's (`defaults`), which
/// every face reads, so that the header cannot keep an old number after the core changes one.
#[test]
fn header_states_the_core_defaults() {
    use mongoawsauth_core::defaults;
    let header = std::fs::read_to_string(header_path()).expect("include/mongoawsauth.h");
    let millis = |d: std::time::Duration| format!("(default {} ms", d.as_millis());
    for (setter, default) in [
        ("mongoawsauth_options_set_credentials_timeout_ms", millis(defaults::CREDENTIALS_TIMEOUT)),
        ("mongoawsauth_options_set_metadata_connect_timeout_ms", millis(defaults::METADATA_CONNECT_TIMEOUT)),
        ("mongoawsauth_options_set_metadata_read_timeout_ms", millis(defaults::METADATA_READ_TIMEOUT)),
        ("mongoawsauth_options_set_sts_timeout_ms", millis(defaults::STS_TIMEOUT)),
        ("mongoawsauth_options_set_refresh_window_ms", millis(defaults::REFRESH_WINDOW)),
        ("mongoawsauth_options_set_refresh_ahead_ms", millis(defaults::REFRESH_AHEAD)),
        ("mongoawsauth_options_set_ecs_base_url", format!("`{}`", defaults::ECS_BASE_URL)),
    ] {
        let declaration =
            header.find(&format!(" {setter}(")).unwrap_or_else(|| panic!("{setter} is not declared"));
        let doc_start = header[..declaration].rfind("/**").expect("a doc comment");
        let doc = header[doc_start..declaration].replace("\n * ", " ");
        assert!(doc.contains(&default), "the documentation of {setter} does not say {default}: {doc}");
    }
}
