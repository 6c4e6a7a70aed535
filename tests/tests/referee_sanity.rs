//! Checks the referee itself on a tiny inline header whose MSVC layout and calling conventions
//! are known from first principles, so that a broken dump/IR parser cannot make the real
//! comparisons (`vtable_layout_vs_clang.rs`, `call_abi_vs_clang.rs`) pass vacuously.
//!
//! MSVC rules used for the expected values:
//! - new virtual methods are grouped by name at the position of the name's first declaration,
//!   overloads within a group in *reverse* declaration order: `f(int)`, `g`, `f(char)` gives
//!   `f(char)`, `f(int)`, `g`;
//! - a derived class's overload of a base name gets a new slot after the base's slots (no
//!   merging); an override reuses the base slot;
//! - a virtual destructor takes one slot (the scalar deleting destructor,
//!   `void *(this, unsigned flags)`);
//! - member functions are `__thiscall` on i686 unless declared otherwise; on x86_64 and aarch64
//!   every convention is the C one;
//! - a member function returns any class type through a hidden pointer passed right after
//!   `this`, even a 4-byte struct.
//!
//! Independent of `httpserv-codegen`: the "ours" tables here are written by hand.

use std::path::{Path, PathBuf};

use httpserv_tests::{
    MSVC_TRIPLES, clang_call_abi, clang_vtable_dump, clang_vtable_dump_text, compare_abi,
    compare_layout, is_x86_32, macros_to_undef, parse_dump_blocks, probe_calls, probe_class_name,
    vtable_types_in_header,
};

/// Stand-in windows.h: an A/W rename macro (must be #undef'd by the referee) and a keyword
/// alias used as `VOID (` (must not be).
const WINDOWS_H: &str = r#"
#define VOID void
#define GetUserName GetUserNameW
typedef unsigned long long U64;
"#;

const SANITY_H: &str = r#"
#ifndef SANITY_H
#define SANITY_H
typedef VOID (*PFN_SANITY)(int);
struct Pt { int a; double b; };
struct Small { int a; };
struct NotPolymorphic { int x; int Get() const { return x; } };
class S1 {
public:
    virtual void f(int) = 0;
    virtual int g() const = 0;
    virtual void f(char) = 0;
    virtual ~S1() {}
    virtual Pt h(short, bool) = 0;
    virtual double __stdcall k(float) = 0;
    virtual U64 GetUserName(PFN_SANITY, int arr[4]) = 0;
};
class S2 : public S1 {
public:
    virtual void f(long) = 0;
    virtual int g() const { return 0; }
    virtual char m(wchar_t, unsigned long long) = 0;
    virtual Small __cdecl s() = 0;
};
#endif
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    header: PathBuf,
    include_dirs: Vec<PathBuf>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let inc = dir.path().join("inc");
    std::fs::create_dir(&inc).unwrap();
    std::fs::write(inc.join("windows.h"), WINDOWS_H).unwrap();
    let header = dir.path().join("sanity.h");
    std::fs::write(&header, SANITY_H).unwrap();
    Fixture {
        header,
        include_dirs: vec![inc],
        _dir: dir,
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// (method, return, params, const) per slot, from the rules in the module doc.
fn expected_layout(ty: &str) -> Vec<(&'static str, &'static str, Vec<&'static str>, bool)> {
    let dtor = if ty == "S1" { "~S1" } else { "~S2" };
    let mut v = vec![
        ("f", "void", vec!["char"], false),
        ("f", "void", vec!["int"], false),
        ("g", "int", vec![], true),
        (dtor, "", vec![], false),
        ("h", "Pt", vec!["short", "bool"], false),
        ("k", "double", vec!["float"], false),
        ("GetUserName", "U64", vec!["PFN_SANITY", "int *"], false),
    ];
    if ty == "S2" {
        v.push(("f", "void", vec!["long"], false));
        v.push(("m", "char", vec!["wchar_t", "unsigned long long"], false));
        v.push(("s", "Small", vec![], false));
    }
    v
}

#[test]
fn undef_rule_picks_only_the_rename_macro() {
    let fx = fixture();
    let names = macros_to_undef(&fx.header, &fx.include_dirs, MSVC_TRIPLES[0]).unwrap();
    assert_eq!(names, ["GetUserName"]);
}

#[test]
fn vtable_types_come_from_the_header_only() {
    let fx = fixture();
    for triple in MSVC_TRIPLES {
        let types = vtable_types_in_header(&fx.header, &fx.include_dirs, triple).unwrap();
        assert_eq!(types, ["S1", "S2"], "{triple}");
    }
}

#[test]
fn dump_parser_matches_first_principles() {
    let fx = fixture();
    let types = strings(&["S1", "S2"]);
    for triple in MSVC_TRIPLES {
        // The raw dump: the probe blocks exist, are non-empty, and clang's own entry counts
        // equal what the parser reads (+1 for probe_).
        let text = clang_vtable_dump_text(&fx.header, &fx.include_dirs, triple, &types).unwrap();
        let blocks = parse_dump_blocks(&text).unwrap();
        for ty in &types {
            let probe = probe_class_name(ty);
            let mine: Vec<_> = blocks
                .iter()
                .filter(|b| b.path.last() == Some(&probe))
                .collect();
            assert_eq!(mine.len(), 1, "{triple}: one vftable for {probe}");
            let b = mine[0];
            assert!(b.declared_entries > 0);
            assert_eq!(b.entries.len(), b.declared_entries, "{triple} {probe}");
            assert_eq!(
                b.declared_entries,
                expected_layout(ty).len() + 1,
                "{triple} {probe}"
            );
        }

        let dump = clang_vtable_dump(&fx.header, &fx.include_dirs, triple, &types).unwrap();
        assert_eq!(dump.len(), 2);
        for ty in &types {
            let slots = &dump[ty];
            let want = expected_layout(ty);
            assert_eq!(slots.len(), want.len(), "{triple} {ty}");
            for (slot, (method, ret, params, is_const)) in slots.iter().zip(want) {
                assert_eq!(slot.method, method, "{triple} {ty} slot {}", slot.index);
                assert_eq!(slot.ret, ret, "{triple} {ty} slot {}", slot.index);
                assert_eq!(slot.params, params, "{triple} {ty} slot {}", slot.index);
                assert_eq!(slot.is_const, is_const, "{triple} {ty} slot {}", slot.index);
                assert_eq!(
                    slot.scalar_deleting_dtor,
                    method.starts_with('~'),
                    "{triple} {ty} slot {}",
                    slot.index
                );
            }
        }
        // Declaring class / overrider as printed: g is S2's in S2, f(char) stays S1's.
        assert_eq!(dump["S2"][2].class, "S2");
        assert_eq!(dump["S2"][0].class, "S1");
        assert!(dump["S1"][0].pure && !dump["S2"][2].pure);
    }
}

/// (ret, params) per slot of the expected call ABI.
fn expected_abi(ty: &str) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![
        ("void", "this,i8"),
        ("void", "this,i32"),
        ("i32", "this"),
        ("ptr", "this,i32"),
        ("void", "this,sret,i16,bool"),
        ("f64", "this,f32"),
        ("i64", "this,ptr,ptr"),
    ];
    if ty == "S2" {
        v.push(("void", "this,i32"));
        v.push(("i8", "this,i16,i64"));
        v.push(("void", "this,sret"));
    }
    v
}

#[test]
fn ir_parser_matches_first_principles() {
    let fx = fixture();
    let types = strings(&["S1", "S2"]);
    for triple in MSVC_TRIPLES {
        let dump = clang_vtable_dump(&fx.header, &fx.include_dirs, triple, &types).unwrap();
        let calls = probe_calls(&dump);
        assert_eq!(calls.len(), 17);
        let ir = clang_call_abi(&fx.header, &fx.include_dirs, triple, &calls).unwrap();
        assert_eq!(ir.len(), calls.len());
        for ty in &types {
            let got: Vec<_> = ir.iter().filter(|c| &c.ty == ty).collect();
            let want = expected_abi(ty);
            assert_eq!(got.len(), want.len());
            for (slot, (c, (ret, params))) in got.iter().zip(want).enumerate() {
                let ctx = format!("{triple} {ty} slot {slot}: {}", c.call);
                assert_eq!(c.slot, slot, "{ctx}");
                assert_eq!(c.gep_index, slot as u64, "{ctx}");
                assert_eq!(c.ret, ret, "{ctx}");
                assert_eq!(c.params.join(","), params, "{ctx}");
                let cc = if !is_x86_32(triple) {
                    ""
                } else if c.method == "k" {
                    "x86_stdcallcc"
                } else if c.method == "s" {
                    ""
                } else {
                    "x86_thiscallcc"
                };
                assert_eq!(c.cc, cc, "{ctx}");
            }
        }
    }
}

fn hand_layout_table(ty_rewrites: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for ty in ["S1", "S2"] {
        for (slot, (method, ret, params, is_const)) in expected_layout(ty).into_iter().enumerate() {
            let sig = if method.starts_with('~') {
                "()".to_string()
            } else {
                format!(
                    "{ret} ({}){}",
                    params.join(", "),
                    if is_const { " const" } else { "" }
                )
            };
            let mut sig = sig;
            for (from, to) in ty_rewrites {
                sig = sig.replace(from, to);
            }
            s.push_str(&format!("{ty}\t{slot}\t{method}\t{sig}\n"));
        }
    }
    s
}

fn hand_abi_table(triple: &str) -> String {
    let mut s = String::new();
    for ty in ["S1", "S2"] {
        let layout = expected_layout(ty);
        for (slot, (ret, params)) in expected_abi(ty).into_iter().enumerate() {
            let method = layout[slot].0;
            let conv = match method {
                "k" => "system",
                "s" => "cdecl",
                _ if is_x86_32(triple) => "thiscall",
                _ => "system",
            };
            // Struct returns: RET is the hidden pointer, as MSVC returns it.
            let ret = if params.contains("sret") { "ptr" } else { ret };
            s.push_str(&format!(
                "{ty}\t{slot}\t{method}\t{conv}\t{ret}\t{params}\n"
            ));
        }
    }
    s
}

#[test]
fn comparison_accepts_the_right_tables_and_rejects_wrong_ones() {
    let fx = fixture();
    let triple = "i686-pc-windows-msvc";
    let h = Path::new(&fx.header);

    let good = compare_layout(h, &fx.include_dirs, triple, &hand_layout_table(&[])).unwrap();
    good.assert_ok("hand-written layout table");
    assert_eq!(good.checked, 17);
    assert_eq!(good.clang_slots, 17);
    assert!(good.same_type_spellings.is_empty());

    // Different spelling of the same types: accepted, and listed.
    let alias = hand_layout_table(&[("U64", "unsigned long long"), ("int *)", "int[4])")]);
    let c = compare_layout(h, &fx.include_dirs, triple, &alias).unwrap();
    c.assert_ok("same types, other spellings");
    assert_eq!(
        c.same_type_spellings.len(),
        2,
        "{:#?}",
        c.same_type_spellings
    );

    // A different type: rejected.
    let wrong_type = hand_layout_table(&[("U64", "long long")]);
    let c = compare_layout(h, &fx.include_dirs, triple, &wrong_type).unwrap();
    assert_eq!(c.mismatches.len(), 2, "{:#?}", c.mismatches);

    // Overloads in declaration order (the classic mistake): rejected.
    let swapped = hand_layout_table(&[])
        .replace("\t0\tf\tvoid (char)", "\t0\tf\tvoid (TMP)")
        .replace("\t1\tf\tvoid (int)", "\t1\tf\tvoid (char)")
        .replace("\t0\tf\tvoid (TMP)", "\t0\tf\tvoid (int)");
    let c = compare_layout(h, &fx.include_dirs, triple, &swapped).unwrap();
    assert_eq!(c.mismatches.len(), 4, "{:#?}", c.mismatches);

    // A missing type and a missing slot: rejected.
    let short: String = hand_layout_table(&[])
        .lines()
        .filter(|l| !l.starts_with("S1\t") && !l.starts_with("S2\t9\t"))
        .map(|l| format!("{l}\n"))
        .collect();
    let c = compare_layout(h, &fx.include_dirs, triple, &short).unwrap();
    assert_eq!(c.mismatches.len(), 3, "{:#?}", c.mismatches);

    for triple in MSVC_TRIPLES {
        let good = compare_abi(h, &fx.include_dirs, triple, &hand_abi_table(triple)).unwrap();
        good.assert_ok("hand-written ABI table");
        assert_eq!(good.checked, 17);
    }

    // sret after the first argument instead of right after `this`, and thiscall for a
    // __stdcall method on i686: rejected.
    let bad = hand_abi_table(triple)
        .replace("this,sret,i16,bool", "this,i16,sret,bool")
        .replace("\tk\tsystem\t", "\tk\tthiscall\t");
    let c = compare_abi(h, &fx.include_dirs, triple, &bad).unwrap();
    assert_eq!(c.mismatches.len(), 4, "{:#?}", c.mismatches);
}
