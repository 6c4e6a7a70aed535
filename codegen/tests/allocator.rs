//! The command line's allocator on Linux with glibc (feature `mimalloc`): mimalloc replaces
//! malloc for the whole process, libclang included, by defining the C allocation API in the
//! executable and exporting it (`allocator.dynlist`). Exporting only part of it would be worse
//! than nothing: a library that allocates with glibc's `aligned_alloc` and frees with the
//! exported `free` corrupts both heaps. The referees are glibc's manual ("Replacing malloc"),
//! not our list; the executable's dynamic symbol table as `nm -D` reads it; and the dynamic
//! linker's own report of what it bound (`LD_DEBUG=bindings`) while libclang is loaded.
#![cfg(all(target_os = "linux", target_env = "gnu", feature = "mimalloc"))]

use std::collections::BTreeSet;
use std::process::{Command, Output};

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

/// The output of `command`, which must run and succeed.
fn successful(command: &mut Command) -> Output {
    let out = command.output().expect("the command runs");
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn dynamic_symbols(defined: bool) -> BTreeSet<String> {
    let flag = if defined {
        "--defined-only"
    } else {
        "--undefined-only"
    };
    let out = successful(Command::new("nm").args(["-D", flag, BIN]));
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

#[test]
fn libclang_and_every_other_library_bind_the_allocation_api_to_the_executable() {
    // The dynamic linker reports each symbol it binds: "binding file A [0] to B [0]: normal
    // symbol `malloc' [GLIBC_2.2.5]". `layout` loads libclang and parses the bundled header.
    let out = successful(Command::new(BIN).arg("layout").env("LD_DEBUG", "bindings"));
    let log = String::from_utf8_lossy(&out.stderr);
    let mut libclang_bound = Vec::new();
    let mut elsewhere = Vec::new();
    for line in log.lines() {
        let Some((files, symbol)) = line.split_once(": normal symbol `") else {
            continue;
        };
        let name = symbol.split('\'').next().unwrap_or_default();
        let Some((from, to)) = files.split_once(" to ") else {
            continue;
        };
        if !GLIBC_REPLACEMENT_SET.contains(&name) {
            continue;
        }
        if !to.starts_with(BIN) {
            elsewhere.push(line.trim().to_string());
        } else if from.contains("libclang") {
            libclang_bound.push(name.to_string());
        }
    }
    assert!(
        elsewhere.is_empty(),
        "bound to another allocator:\n{}",
        elsewhere.join("\n")
    );
    assert!(
        libclang_bound.iter().any(|n| n == "malloc") && libclang_bound.iter().any(|n| n == "free"),
        "libclang's malloc and free were not bound to {BIN}: {libclang_bound:?}"
    );
}
