//! Sets what the C ABI crate's build script sets for its sources, minus the shared library's
//! link arguments (this is an rlib): `MONGOAWSAUTH_ABI_VERSION`, read from that script so that
//! the number has one home.

fn main() {
    let script = "../../crates/mongoawsauth-capi/build.rs";
    let text = std::fs::read_to_string(script).expect("the C ABI crate's build.rs");
    let version = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("const ABI_VERSION: u32 = ")?.strip_suffix(';'))
        .expect("`const ABI_VERSION: u32 = N;` in the C ABI crate's build.rs");
    println!("cargo:rustc-env=MONGOAWSAUTH_ABI_VERSION={version}");
    println!("cargo:rerun-if-changed={script}");
}
