//! Referee: `httpserv_codegen::layout_table` against clang's MSVC vtable layouts.
//!
//! For each of the three MSVC triples, and for the bundled `httpserv.h` and our torture header
//! (`tests/headers/torture.h`): the generator's types are exactly the header's classes with a
//! vtable (clang's AST), in header order; each has the slot count clang lays out; and every
//! slot has clang's method name, constness, return type and parameter types
//! (`httpserv_tests::compare_layout`, which documents the one normalisation applied: spellings
//! that differ as text are accepted only when clang confirms they name the same type).
//! Our own output is never the oracle.

use std::path::{Path, PathBuf};

use httpserv_codegen::{Options, Target};
use httpserv_tests::{
    Comparison, MSVC_TRIPLES, bundled_header_path, compare_layout, parse_layout_table, shims_dir,
    torture_header_path,
};

/// Vtable types and slots of the bundled header. These numbers are not derived from the
/// generator: they are the counts of the shared API facts (`shared/abi/notes.md`, "Counts":
/// "Types with a vtable: 67 ... Total vtable slots: 767"), established from the TerraFX
/// bindings and an older SDK copy of httpserv.h and cross-checked there by applying MSVC's
/// overload rule. The test checks them against clang's view *and* against ours.
const BUNDLED_TYPES: usize = 67;
const BUNDLED_SLOTS: usize = 767;

/// The torture header's vtable types and slot counts, from the header's own comments (MSVC
/// rules applied by hand when writing it); checked against clang's view.
const TORTURE_TYPES: [(&str, usize); 8] = [
    ("ITortureBase", 8),
    ("ITortureLevel1", 11),
    ("ITortureLevel2", 15),
    ("ITortureLevel3", 24),
    ("ITortureMoved", 4),
    ("ITortureKeywords", 20),
    ("CTortureModule", 4),
    ("CTortureDerivedModule", 5),
];

fn target(triple: &str) -> Target {
    Target::ALL
        .into_iter()
        .find(|t| t.triple() == triple)
        .unwrap_or_else(|| panic!("httpserv_codegen::Target has no {triple}"))
}

/// Runs the generator's `layout_table` for `header` on `triple` and compares it with clang.
/// Returns the comparison (already asserted free of mismatches) and our parsed rows.
fn check(header: &Path, triple: &str) -> (Comparison, Vec<httpserv_tests::LayoutRow>) {
    let opts = Options {
        header: Some(header.to_path_buf()),
        target: target(triple),
        ..Options::default()
    };
    let ours = httpserv_codegen::layout_table(&opts)
        .unwrap_or_else(|e| panic!("layout_table({}, {triple}) failed: {e}", header.display()));
    let cmp = compare_layout(header, &[], triple, &ours)
        .unwrap_or_else(|e| panic!("referee failed for {triple}: {e}"));
    for s in &cmp.same_type_spellings {
        eprintln!("[{triple}] accepted as the same type: {s}");
    }
    cmp.assert_ok(&format!("layout_table of {}", header.display()));
    assert!(cmp.checked > 0, "nothing was compared");
    assert_eq!(
        cmp.checked, cmp.clang_slots,
        "every slot clang lays out was compared"
    );
    let rows = parse_layout_table(&ours).expect("layout_table parses");
    (cmp, rows)
}

fn check_bundled(triple: &str) {
    let (cmp, rows) = check(&bundled_header_path(), triple);
    assert_eq!(cmp.clang_types.len(), BUNDLED_TYPES, "clang's vtable types");
    assert_eq!(cmp.clang_slots, BUNDLED_SLOTS, "clang's vtable slots");
    let mut ours_types: Vec<&str> = rows.iter().map(|r| r.ty.as_str()).collect();
    ours_types.dedup();
    assert_eq!(ours_types.len(), BUNDLED_TYPES, "our vtable types");
    assert_eq!(rows.len(), BUNDLED_SLOTS, "our vtable slots");
}

fn check_torture(triple: &str) {
    let (cmp, _) = check(&torture_header_path(), triple);
    let names: Vec<&str> = TORTURE_TYPES.iter().map(|(n, _)| *n).collect();
    assert_eq!(cmp.clang_types, names, "clang's vtable types of torture.h");
    let slots: usize = TORTURE_TYPES.iter().map(|(_, n)| n).sum();
    assert_eq!(cmp.clang_slots, slots, "clang's vtable slots of torture.h");
}

#[test]
fn bundled_header_x86_64() {
    check_bundled("x86_64-pc-windows-msvc");
}

#[test]
fn bundled_header_i686() {
    check_bundled("i686-pc-windows-msvc");
}

#[test]
fn bundled_header_aarch64() {
    check_bundled("aarch64-pc-windows-msvc");
}

#[test]
fn torture_header_x86_64() {
    check_torture("x86_64-pc-windows-msvc");
}

#[test]
fn torture_header_i686() {
    check_torture("i686-pc-windows-msvc");
}

#[test]
fn torture_header_aarch64() {
    check_torture("aarch64-pc-windows-msvc");
}

/// The referee compiles with the generator's inputs: the same three targets, the same bundled
/// header and shims directory.
#[test]
fn referee_uses_the_generators_inputs() {
    let ours: Vec<&str> = Target::ALL.iter().map(|t| t.triple()).collect();
    let mut a = ours.clone();
    let mut b = MSVC_TRIPLES.to_vec();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "Target::ALL must be exactly the three MSVC triples");
    let canon = |p: PathBuf| {
        p.canonicalize()
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    assert_eq!(
        canon(httpserv_codegen::bundled_header()),
        canon(bundled_header_path())
    );
    assert_eq!(
        canon(httpserv_codegen::bundled_shims_dir()),
        canon(shims_dir())
    );
    assert_eq!(
        Options::default().header_path(),
        httpserv_codegen::bundled_header(),
        "Options::default() binds the bundled header"
    );
}
