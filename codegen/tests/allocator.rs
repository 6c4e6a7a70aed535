//! The command line's allocator on Linux with glibc (feature `mimalloc`): mimalloc replaces
//! malloc for the whole process, libclang included, by defining the C allocation API in the
//! executable and exporting it (`allocator.dynlist`). Exporting only part of it would be worse
//! than nothing: a library that allocates with glibc's `aligned_alloc` and frees with the
//! exported `free` corrupts both heaps. The referee is glibc's manual ("Replacing malloc"),
//! not our list, and the executable's dynamic symbol table as `nm -D` reads it.
#![cfg(all(target_os = "linux", target_env = "gnu", feature = "mimalloc"))]

use std::collections::BTreeSet;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_httpserv-codegen");

/// The functions glibc's manual says a replacement must provide (the first four) or should
/// provide because programs call them (the others).
const GLIBC_REPLACEMENT_SET: [&str; 10] = [
    "malloc",
    "free",
    "calloc",
    "realloc",
    "aligned_alloc",
    "malloc_usable_size",
    "memalign",
    "posix_memalign",
    "pvalloc",
    "valloc",
];

fn dynamic_symbols(defined: bool) -> BTreeSet<String> {
    let flag = if defined {
        "--defined-only"
    } else {
        "--undefined-only"
    };
    let out = Command::new("nm")
        .args(["-D", flag, BIN])
        .output()
        .expect("nm (binutils) runs");
    assert!(
        out.status.success(),
        "nm -D {BIN}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().last())
        // `malloc@GLIBC_2.2.5` when the executable imports it instead.
        .map(|name| name.split('@').next().unwrap().to_string())
        .collect()
}

#[test]
fn the_executable_exports_the_whole_allocation_api() {
    let defined = dynamic_symbols(true);
    let missing: Vec<_> = GLIBC_REPLACEMENT_SET
        .iter()
        .filter(|name| !defined.contains(**name))
        .collect();
    assert!(missing.is_empty(), "not exported by {BIN}: {missing:?}");
}

#[test]
fn the_executable_imports_no_allocation_function_from_glibc() {
    let imported = dynamic_symbols(false);
    let from_glibc: Vec<_> = GLIBC_REPLACEMENT_SET
        .iter()
        .filter(|name| imported.contains(**name))
        .collect();
    assert!(
        from_glibc.is_empty(),
        "{BIN} still calls glibc's {from_glibc:?}"
    );
}
