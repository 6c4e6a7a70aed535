//! Bindings generated from the torture header (keywords as method names, struct returns,
//! explicit `__stdcall`/`__cdecl` members, deprecated methods, overloads across four levels of
//! inheritance) must compile warning-free and clippy-clean as a crate of their own.

use std::path::Path;
use std::process::Command;

#[test]
fn torture_bindings_compile_clippy_clean() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let crate_dir = dir.path();
    std::fs::create_dir_all(crate_dir.join("src")).unwrap();
    // Same dependency lines as generated/Cargo.toml, with absolute paths to this workspace.
    let generated_manifest =
        std::fs::read_to_string(workspace.join("generated/Cargo.toml")).unwrap();
    let windows_sys = generated_manifest
        .lines()
        .find(|l| l.starts_with("windows-sys"))
        .expect("generated/Cargo.toml depends on windows-sys")
        .replace("workspace = true", "version = \"0.61\"");
    let manifest = format!(
        "[package]\nname = \"torture-bindings\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
         [workspace]\n[dependencies]\n\
         httpserv-macros = {{ path = {:?} }}\n\
         widestring = {{ version = \"1.2\", default-features = false }}\n{windows_sys}\n",
        workspace.join("macros")
    );
    std::fs::write(crate_dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(
        crate_dir.join("src/lib.rs"),
        "//! Torture bindings.\nmod bindings;\npub use bindings::*;\n",
    )
    .unwrap();
    // The workspace's lock file pins the same dependency versions.
    std::fs::copy(workspace.join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();

    httpserv_codegen::generate(&httpserv_codegen::Options {
        header: Some(workspace.join("tests/headers/torture.h")),
        out_dir: Some(crate_dir.to_path_buf()),
        ..Default::default()
    })
    .expect("generate from torture.h");

    let output = Command::new(env!("CARGO"))
        .args(["clippy", "--quiet", "--offline", "--", "-D", "warnings"])
        .current_dir(crate_dir)
        .env("CARGO_TARGET_DIR", workspace.join("target/torture-check"))
        .output()
        .expect("run cargo clippy");
    assert!(
        output.status.success(),
        "torture bindings do not compile cleanly:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
