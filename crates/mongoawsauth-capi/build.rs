//! Gives the shared library a SONAME carrying the ABI version, so that a future incompatible
//! ABI installs beside this one instead of breaking programs linked against it.

/// Bumped only for an incompatible change to the C ABI (see docs/c-api.md, "ABI stability").
const ABI_VERSION: u32 = 0;

fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" || target_os.ends_with("bsd") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libmongoawsauth.so.{ABI_VERSION}");
    }
    println!("cargo:rustc-env=MONGOAWSAUTH_ABI_VERSION={ABI_VERSION}");
    println!("cargo:rerun-if-changed=build.rs");
}
