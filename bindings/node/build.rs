//! Links the addon the way node loads it (napi-build sets the linker arguments).

fn main() {
    napi_build::setup();
}
