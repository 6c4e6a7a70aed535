//! Links the `httpserv-codegen` executable so that, on Linux with glibc and with the `mimalloc`
//! feature, the libraries it loads (libclang...) allocate with mimalloc: see `allocator.dynlist`
//! and the `mimalloc` dependency in Cargo.toml.

use std::env;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=allocator.dynlist");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let libc = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && libc == "gnu" && env::var_os("CARGO_FEATURE_MIMALLOC").is_some() {
        let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        let list = Path::new(&manifest).join("allocator.dynlist");
        // Only the executable: the library's users choose their own allocator.
        println!(
            "cargo::rustc-link-arg-bin=httpserv-codegen=-Wl,--dynamic-list={}",
            list.display()
        );
    }
}
