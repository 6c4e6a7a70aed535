//! Referee: `httpserv_codegen::abi_table` against the LLVM IR clang emits for a virtual call to
//! every slot, for the three MSVC triples, on the bundled `httpserv.h` and on
//! `tests/headers/torture.h`.
//!
//! Per slot (`httpserv_tests::compare_abi`): the `getelementptr` index on the vptr equals SLOT;
//! the calling convention matches CONV (i686: `x86_thiscallcc` = `thiscall`, `x86_stdcallcc`
//! = `system`, none = `cdecl`; x86_64/aarch64: the IR must use the C convention and any of the
//! three is accepted); the return class matches RET (`ptr` or `void` accepted when the IR
//! passes a hidden `sret` pointer); PARAMS equals the IR's argument classes exactly, so `sret`
//! must sit right after `this`. Destructor slots are probed too, through `delete p` (MSVC's
//! scalar deleting destructor: `ptr (this, i32)`).

use std::path::Path;

use httpserv_codegen::{Options, Target};
use httpserv_tests::{bundled_header_path, compare_abi, parse_abi_table, torture_header_path};

/// See `vtable_layout_vs_clang.rs`: 767 slots in the shared API facts (`shared/abi/notes.md`).
const BUNDLED_SLOTS: usize = 767;

fn target(triple: &str) -> Target {
    Target::ALL
        .into_iter()
        .find(|t| t.triple() == triple)
        .unwrap_or_else(|| panic!("httpserv_codegen::Target has no {triple}"))
}

fn check(header: &Path, triple: &str) -> usize {
    let opts = Options {
        header: Some(header.to_path_buf()),
        target: target(triple),
        ..Options::default()
    };
    let ours = httpserv_codegen::abi_table(&opts)
        .unwrap_or_else(|e| panic!("abi_table({}, {triple}) failed: {e}", header.display()));
    let cmp = compare_abi(header, &[], triple, &ours)
        .unwrap_or_else(|e| panic!("referee failed for {triple}: {e}"));
    cmp.assert_ok(&format!("abi_table of {}", header.display()));
    assert!(cmp.checked > 0, "nothing was compared");
    assert_eq!(cmp.checked, cmp.clang_slots, "every slot was probed");
    let rows = parse_abi_table(&ours).expect("abi_table parses");
    assert_eq!(rows.len(), cmp.clang_slots, "one abi_table row per slot");
    cmp.checked
}

#[test]
fn bundled_header_x86_64() {
    assert_eq!(
        check(&bundled_header_path(), "x86_64-pc-windows-msvc"),
        BUNDLED_SLOTS
    );
}

#[test]
fn bundled_header_i686() {
    assert_eq!(
        check(&bundled_header_path(), "i686-pc-windows-msvc"),
        BUNDLED_SLOTS
    );
}

#[test]
fn bundled_header_aarch64() {
    assert_eq!(
        check(&bundled_header_path(), "aarch64-pc-windows-msvc"),
        BUNDLED_SLOTS
    );
}

#[test]
fn torture_header_x86_64() {
    check(&torture_header_path(), "x86_64-pc-windows-msvc");
}

#[test]
fn torture_header_i686() {
    check(&torture_header_path(), "i686-pc-windows-msvc");
}

#[test]
fn torture_header_aarch64() {
    check(&torture_header_path(), "aarch64-pc-windows-msvc");
}
