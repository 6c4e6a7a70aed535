//! Property-based fuzzing of the stages after libclang: random class models (single
//! inheritance chains, overloads, overrides of base methods, virtual destructors, non-virtual
//! members, parameters of every `CType` variant, keyword names) go through validation, layout,
//! emission, formatting and the reports. Properties:
//!
//! - nothing panics; a model either fails with a located diagnostic or becomes a Rust file that
//!   parses (every model the validation accepts must emit and format);
//! - MSVC layout invariants: slot indices are `0..n`; the base's slots come first, unchanged
//!   except where this class overrides them (same slot, new method); slot count = base slots +
//!   new virtuals (+ 1 for a first virtual destructor); each name's new slots are contiguous, in
//!   reverse declaration order, and name groups follow the order of first declaration (counting
//!   non-virtual members);
//! - `diff` of a model with itself reports nothing.
//!
//! cargo-fuzz needs a nightly toolchain, so this is proptest. CI runs the default 256 cases
//! (`PROPTEST_CASES` raises it for longer runs by hand: `PROPTEST_CASES=20000 cargo test -p
//! httpserv-codegen --release --test fuzz_layout`).

use std::collections::HashMap;
use std::sync::Arc;

use httpserv_codegen::layout::{SlotEntry, VtableLayout};
use httpserv_codegen::model::{
    Api, CType, CallConv, Class, ConstValue, Constant, Enum, Field, Member, MemberKind, Method,
    Param, SourceLoc, Struct, Target, Typedef, Uuid,
};
use proptest::prelude::*;

/// Method names: few, so overloads and groups happen; some Rust keywords.
const NAMES: &[&str] = &[
    "Get", "Set", "Open", "Close", "Read", "type", "self", "match", "Release", "F",
];
/// Parameter names as the parse stage gives them: never empty (an unnamed parameter is
/// `paramN`), never `this` (not a C++ parameter name).
const PARAM_NAMES: &[&str] = &["p", "self", "match", "dwFlags", "param0", "param1", "fn"];

/// A type, chosen abstractly; turned into a `CType` against the model's local names.
#[derive(Debug, Clone)]
enum TypeSpec {
    Void,
    Bool,
    Int(u8, bool),
    WChar,
    Float,
    Double,
    ExternalTypedef(&'static str),
    UnknownTypedef,
    LocalTypedef,
    LocalEnum,
    LocalStruct,
    /// Another class of the model, always behind a pointer.
    ClassPtr(usize),
    /// A record nobody defines, behind a pointer.
    OpaqueRecord,
    Pointer(Box<TypeSpec>, bool),
    Reference(Box<TypeSpec>, bool),
    FunctionPointer(Box<TypeSpec>, Vec<TypeSpec>, bool),
}

fn type_spec() -> impl Strategy<Value = TypeSpec> {
    let leaf = prop_oneof![
        Just(TypeSpec::Void),
        Just(TypeSpec::Bool),
        (prop::sample::select(vec![1u8, 2, 4, 8]), any::<bool>())
            .prop_map(|(b, s)| TypeSpec::Int(b, s)),
        Just(TypeSpec::WChar),
        Just(TypeSpec::Float),
        Just(TypeSpec::Double),
        prop::sample::select(vec!["DWORD", "HRESULT", "PCSTR", "BOOL", "HANDLE"])
            .prop_map(TypeSpec::ExternalTypedef),
        Just(TypeSpec::UnknownTypedef),
        Just(TypeSpec::LocalTypedef),
        Just(TypeSpec::LocalEnum),
        Just(TypeSpec::LocalStruct),
        (0usize..8).prop_map(TypeSpec::ClassPtr),
        Just(TypeSpec::OpaqueRecord),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), any::<bool>()).prop_map(|(t, c)| TypeSpec::Pointer(Box::new(t), c)),
            (inner.clone(), any::<bool>()).prop_map(|(t, c)| TypeSpec::Reference(Box::new(t), c)),
            (
                inner.clone(),
                prop::collection::vec(inner, 0..3),
                any::<bool>()
            )
                .prop_map(|(r, ps, v)| TypeSpec::FunctionPointer(Box::new(r), ps, v)),
        ]
    })
}

#[derive(Debug, Clone)]
enum MemberSpec {
    /// A new virtual method.
    Virtual {
        name: usize,
        ret: TypeSpec,
        params: Vec<(usize, TypeSpec)>,
        is_const: bool,
        conv: u8,
    },
    /// An override of the base's k-th (mod n) method slot, if the base has one.
    Override {
        k: usize,
    },
    Destructor,
    /// A non-virtual member (it still positions its name's group).
    Other {
        name: usize,
    },
}

fn member_spec() -> impl Strategy<Value = MemberSpec> {
    prop_oneof![
        6 => (
            0..NAMES.len(),
            type_spec(),
            prop::collection::vec((0..PARAM_NAMES.len(), type_spec()), 0..4),
            any::<bool>(),
            0u8..4,
        )
            .prop_map(|(name, ret, params, is_const, conv)| MemberSpec::Virtual {
                name,
                ret,
                params,
                is_const,
                conv
            }),
        2 => any::<usize>().prop_map(|k| MemberSpec::Override { k }),
        1 => Just(MemberSpec::Destructor),
        2 => (0..NAMES.len()).prop_map(|name| MemberSpec::Other { name }),
    ]
}

#[derive(Debug, Clone)]
struct ClassSpec {
    /// Base: `Some(j)` picks class `j % i` for class `i > 0`.
    base: Option<usize>,
    uuid: bool,
    members: Vec<MemberSpec>,
}

fn class_spec() -> impl Strategy<Value = ClassSpec> {
    (
        prop::option::weighted(0.7, any::<usize>()),
        any::<bool>(),
        prop::collection::vec(member_spec(), 0..10),
    )
        .prop_map(|(base, uuid, members)| ClassSpec {
            base,
            uuid,
            members,
        })
}

fn loc(line: u32) -> SourceLoc {
    SourceLoc {
        file: "fuzz.h".into(),
        line,
        column: 1,
    }
}

fn ctype(spec: &TypeSpec, classes: usize) -> CType {
    let boxed = |t: &TypeSpec| Box::new(ctype(t, classes));
    match spec {
        TypeSpec::Void => CType::Void,
        TypeSpec::Bool => CType::Bool,
        TypeSpec::Int(bytes, signed) => CType::Int {
            bytes: *bytes,
            signed: *signed,
        },
        TypeSpec::WChar => CType::WChar,
        TypeSpec::Float => CType::Float,
        TypeSpec::Double => CType::Double,
        TypeSpec::ExternalTypedef(name) => CType::Typedef {
            name: name.to_string(),
            target: Box::new(CType::Int {
                bytes: 4,
                signed: false,
            }),
        },
        TypeSpec::UnknownTypedef => CType::Typedef {
            name: "SHIM_ONLY_INT".into(),
            target: Box::new(CType::Int {
                bytes: 2,
                signed: true,
            }),
        },
        TypeSpec::LocalTypedef => CType::Typedef {
            name: "LOCAL_T".into(),
            target: Box::new(CType::Int {
                bytes: 8,
                signed: false,
            }),
        },
        TypeSpec::LocalEnum => CType::Enum {
            name: "LOCAL_E".into(),
        },
        TypeSpec::LocalStruct => CType::Record {
            name: "LOCAL_S".into(),
        },
        TypeSpec::ClassPtr(i) => CType::Pointer {
            pointee: Box::new(CType::Record {
                name: format!("IFuzz{}", i % classes.max(1)),
            }),
            pointee_const: false,
        },
        // By value its size is unknown (emission refuses that, as the catalogue tests).
        TypeSpec::OpaqueRecord => CType::Pointer {
            pointee: Box::new(CType::Record {
                name: "OPAQUE_ELSEWHERE".into(),
            }),
            pointee_const: true,
        },
        TypeSpec::Pointer(t, c) => CType::Pointer {
            pointee: boxed(t),
            pointee_const: *c,
        },
        TypeSpec::Reference(t, c) => CType::Reference {
            pointee: boxed(t),
            pointee_const: *c,
        },
        TypeSpec::FunctionPointer(r, ps, variadic) => {
            let mut params: Vec<CType> = ps.iter().map(|p| ctype(p, classes)).collect();
            // As clang gives them: a variadic function is `__cdecl` with a fixed parameter
            // (the validation refuses the other shapes; its own tests cover that).
            if *variadic && params.is_empty() {
                params.push(CType::Int {
                    bytes: 4,
                    signed: true,
                });
            }
            CType::Pointer {
                pointee: Box::new(CType::Function {
                    ret: boxed(r),
                    params,
                    conv: if *variadic {
                        CallConv::Cdecl
                    } else {
                        CallConv::Stdcall
                    },
                    variadic: *variadic,
                }),
                pointee_const: false,
            }
        }
    }
}

fn spelling(ty: &CType) -> String {
    httpserv_codegen::diff::ctype_text(ty)
}

/// Builds the model. Overrides are resolved against the base's finished layout, so they always
/// name a real base slot (with the base method's return spelling: no covariance).
fn build(specs: &[ClassSpec]) -> Api {
    let mut api = Api {
        header_name: "fuzz.h".into(),
        header_sha256: "00".repeat(32),
        structs: vec![Struct {
            name: "LOCAL_S".into(),
            fields: vec![Field {
                name: "type".into(),
                ty: CType::Int {
                    bytes: 4,
                    signed: false,
                },
            }],
            loc: loc(1),
        }],
        enums: vec![Enum {
            name: "LOCAL_E".into(),
            underlying: CType::Int {
                bytes: 4,
                signed: true,
            },
            variants: vec![("LOCAL_E_A".into(), 0), ("LOCAL_E_B".into(), -1)],
            loc: loc(2),
        }],
        typedefs: vec![Typedef {
            name: "LOCAL_T".into(),
            target: CType::Int {
                bytes: 8,
                signed: false,
            },
            loc: loc(3),
        }],
        constants: vec![Constant {
            name: "LOCAL_C".into(),
            value: ConstValue::Int {
                value: 0x10,
                hex: true,
            },
            loc: loc(4),
        }],
        ..Api::default()
    };
    let classes = specs.len();
    let mut line = 10;
    for (i, spec) in specs.iter().enumerate() {
        let name = format!("IFuzz{i}");
        let base = if i == 0 {
            None
        } else {
            spec.base.map(|j| format!("IFuzz{}", j % i))
        };
        // The base's virtual methods, in slot order, to pick overrides from.
        let base_methods: Vec<Method> = match &base {
            Some(b) => {
                let layouts = httpserv_codegen::layout::layout_api(&Api {
                    classes: api.classes.clone(),
                    ..Api::default()
                })
                .expect("earlier classes lay out");
                let layout = layouts.iter().find(|l| &l.class == b).unwrap();
                layout
                    .slots
                    .iter()
                    .filter_map(|s| match &s.entry {
                        SlotEntry::Method(m) => Some((**m).clone()),
                        SlotEntry::ScalarDeletingDestructor => None,
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        let base_has_dtor = base.is_some() && {
            let layouts = httpserv_codegen::layout::layout_api(&Api {
                classes: api.classes.clone(),
                ..Api::default()
            })
            .unwrap();
            layouts
                .iter()
                .find(|l| Some(&l.class) == base.as_ref())
                .unwrap()
                .slots
                .iter()
                .any(|s| matches!(s.entry, SlotEntry::ScalarDeletingDestructor))
        };
        let mut members = Vec::new();
        let mut overridden = std::collections::HashSet::new();
        let mut has_dtor = false;
        for (m_index, m) in spec.members.iter().enumerate() {
            line += 1;
            let member = match m {
                MemberSpec::Virtual {
                    name: n,
                    ret,
                    params,
                    is_const,
                    conv,
                } => {
                    let ret = ctype(ret, classes);
                    let mut used = std::collections::HashSet::new();
                    let params: Vec<Param> = params
                        .iter()
                        .enumerate()
                        .map(|(k, (pn, t))| {
                            // C++ parameter names are distinct; `F(int, int param0)` (an
                            // unnamed `param0` next to a named one) is left to the validation.
                            let mut name = PARAM_NAMES[*pn].to_string();
                            if !used.insert(name.clone()) {
                                name = format!("{name}{k}");
                            }
                            // `void` is no parameter type (`F(void)` has no parameters).
                            let ty = match ctype(t, classes) {
                                CType::Void => CType::Bool,
                                ty => ty,
                            };
                            Param {
                                name,
                                spelling: spelling(&ty),
                                ty,
                                default: None,
                            }
                        })
                        .collect();
                    let method = Method {
                        name: NAMES[*n].to_string(),
                        usr: format!("c:@S@{name}@F@{}#{m_index}", NAMES[*n]),
                        overrides: Vec::new(),
                        ret_spelling: spelling(&ret),
                        ret,
                        params,
                        is_const: *is_const,
                        is_pure: true,
                        declared_conv: match conv {
                            1 => Some(CallConv::Stdcall),
                            2 => Some(CallConv::Cdecl),
                            _ => None,
                        },
                        deprecated: None,
                        loc: loc(line),
                    };
                    Member {
                        decl_name: method.name.clone(),
                        kind: MemberKind::Virtual(Arc::new(method)),
                    }
                }
                MemberSpec::Override { k } => {
                    if base_methods.is_empty() {
                        continue;
                    }
                    let target = &base_methods[k % base_methods.len()];
                    // C++ allows one overrider per base method.
                    if !overridden.insert(target.usr.clone()) {
                        continue;
                    }
                    let mut method = target.clone();
                    method.usr = format!("c:@S@{name}@F@{}#{m_index}", target.name);
                    method.overrides = vec![target.usr.clone()];
                    method.loc = loc(line);
                    Member {
                        decl_name: method.name.clone(),
                        kind: MemberKind::Virtual(Arc::new(method)),
                    }
                }
                MemberSpec::Destructor => {
                    if has_dtor {
                        continue;
                    }
                    has_dtor = true;
                    Member {
                        decl_name: format!("~{name}"),
                        kind: MemberKind::VirtualDestructor {
                            overrides: base_has_dtor,
                            loc: loc(line),
                        },
                    }
                }
                MemberSpec::Other { name: n } => Member {
                    decl_name: NAMES[*n].to_string(),
                    kind: MemberKind::Other,
                },
            };
            members.push(member);
        }
        // A class with a vtable has at least one virtual (or a base).
        if base.is_none()
            && !members.iter().any(|m| {
                matches!(
                    m.kind,
                    MemberKind::Virtual(_) | MemberKind::VirtualDestructor { .. }
                )
            })
        {
            line += 1;
            members.push(Member {
                decl_name: "Anchor".into(),
                kind: MemberKind::Virtual(Arc::new(Method {
                    name: "Anchor".into(),
                    usr: format!("c:@S@{name}@F@Anchor"),
                    overrides: Vec::new(),
                    ret: CType::Void,
                    ret_spelling: "void".into(),
                    params: Vec::new(),
                    is_const: false,
                    is_pure: true,
                    declared_conv: None,
                    deprecated: None,
                    loc: loc(line),
                })),
            });
        }
        line += 1;
        api.classes.push(Class {
            name,
            base,
            uuid: spec
                .uuid
                .then(|| Uuid::parse(&format!("{i:08x}-0000-0000-0000-000000000000")).unwrap()),
            members,
            loc: loc(line),
        });
    }
    api
}

/// The layout invariants, checked against the model (not against the layout code's logic).
fn check_invariants(api: &Api, layouts: &[VtableLayout]) -> Result<(), TestCaseError> {
    let by_name: HashMap<&str, &VtableLayout> =
        layouts.iter().map(|l| (l.class.as_str(), l)).collect();
    prop_assert_eq!(layouts.len(), api.classes.len());
    for class in &api.classes {
        let layout = by_name[class.name.as_str()];
        let base = class.base.as_ref().map(|b| by_name[b.as_str()]);
        let base_len = base.map_or(0, |b| b.slots.len());
        prop_assert_eq!(layout.base_slots, base_len);

        // Indices 0..n.
        for (i, slot) in layout.slots.iter().enumerate() {
            prop_assert_eq!(slot.index, i, "{}: slot index", class.name);
        }

        // Count: base slots + new virtuals (+1 for a destructor the base lacks).
        let new_virtuals = class
            .virtual_methods()
            .filter(|m| m.overrides.is_empty())
            .count();
        let base_dtor = base.is_some_and(|b| {
            b.slots
                .iter()
                .any(|s| matches!(s.entry, SlotEntry::ScalarDeletingDestructor))
        });
        let own_dtor = class
            .members
            .iter()
            .any(|m| matches!(m.kind, MemberKind::VirtualDestructor { .. }));
        let expected = base_len + new_virtuals + usize::from(own_dtor && !base_dtor);
        prop_assert_eq!(layout.slots.len(), expected, "{}: slot count", class.name);

        // Base slots first, unchanged unless overridden here (then: same slot, the overrider).
        if let Some(base) = base {
            for (i, base_slot) in base.slots.iter().enumerate() {
                let slot = &layout.slots[i];
                prop_assert_eq!(&slot.introduced_by, &base_slot.introduced_by);
                match (&base_slot.entry, &slot.entry) {
                    (SlotEntry::ScalarDeletingDestructor, SlotEntry::ScalarDeletingDestructor) => {}
                    (SlotEntry::Method(b), SlotEntry::Method(m)) => {
                        let overrider = class
                            .virtual_methods()
                            .find(|o| o.overrides.contains(&b.usr));
                        match overrider {
                            Some(o) => prop_assert_eq!(&m.usr, &o.usr),
                            None => prop_assert_eq!(&m.usr, &b.usr),
                        }
                    }
                    _ => prop_assert!(false, "{}: slot {} changed kind", class.name, i),
                }
            }
        }

        // Own slots: grouped by name, groups in first-declaration order, each group reversed.
        let mut first_decl: Vec<&str> = Vec::new();
        for m in &class.members {
            if !first_decl.contains(&m.decl_name.as_str()) {
                first_decl.push(&m.decl_name);
            }
        }
        let mut expected_own: Vec<String> = Vec::new();
        for name in &first_decl {
            let mut group: Vec<String> = class
                .members
                .iter()
                .filter(|m| m.decl_name == *name)
                .filter_map(|m| match &m.kind {
                    MemberKind::Virtual(method) if method.overrides.is_empty() => {
                        Some(method.usr.clone())
                    }
                    MemberKind::VirtualDestructor { .. } if !base_dtor => Some("~".into()),
                    _ => None,
                })
                .collect();
            group.reverse();
            expected_own.extend(group);
        }
        let own: Vec<String> = layout
            .own_slots()
            .iter()
            .map(|s| match &s.entry {
                SlotEntry::Method(m) => m.usr.clone(),
                SlotEntry::ScalarDeletingDestructor => "~".into(),
            })
            .collect();
        prop_assert_eq!(own, expected_own, "{}: own slot order", class.name);
        for slot in layout.own_slots() {
            prop_assert_eq!(&*slot.introduced_by, class.name.as_str());
        }
    }
    Ok(())
}

/// Formats through rustfmt only for every 8th case (it is a process per call); the others stop
/// at a syn parse of the emitted tokens, which is what decides whether the file is well-formed.
static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

proptest! {
    #[test]
    fn later_stages_never_panic_and_keep_msvc_layout_invariants(
        specs in prop::collection::vec(class_spec(), 1..6),
        target in prop::sample::select(Target::ALL.to_vec()),
    ) {
        let api = build(&specs);
        let layouts = httpserv_codegen::layout::layout_api(&api)
            .map_err(|e| TestCaseError::fail(format!("layout refused a valid model: {e}")))?;
        check_invariants(&api, &layouts)?;

        // Reports and diff never panic; a model compared with itself has no changes.
        let table = httpserv_codegen::report::layout_table(&layouts);
        prop_assert_eq!(table.lines().count(), layouts.iter().map(|l| l.slots.len()).sum::<usize>());
        let _ = httpserv_codegen::report::abi_table(&api, &layouts, target);
        let side = httpserv_codegen::diff::Side { api: &api, layouts: &layouts };
        let report = httpserv_codegen::diff::diff(side, side);
        prop_assert!(report.is_empty(), "self-diff: {:?}", report);

        // Validation may refuse a model (a name clash the random names produced); a model it
        // accepts must emit and format.
        let valid = httpserv_codegen::validate::model(&api)
            .and_then(|()| httpserv_codegen::validate::layouts(&api, &layouts));
        if valid.is_ok() {
            let emitted = match httpserv_codegen::emit_tokens(&api, &layouts, target) {
                Ok((emitted, _warnings)) => emitted,
                // Emission refuses what it cannot express (a function type by value...) with a
                // located diagnostic, never a panic; a validated model must not clash.
                Err(httpserv_codegen::Error::Input(d)) => {
                    prop_assert!(!d.is_empty());
                    prop_assert!(
                        !d.iter().any(|d| d.construct.starts_with("generated ")),
                        "validated model emits a clash: {:?}", d
                    );
                    return Ok(());
                }
                Err(e) => return Err(TestCaseError::fail(format!("emit: {e}"))),
            };
            let file: Result<syn::File, _> = syn::parse2(emitted.to_tokens());
            prop_assert!(file.is_ok(), "emitted tokens do not parse: {:?}", file.err());
            if CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 8 == 0 {
                use httpserv_codegen::write::{format_file, Formatting, Rustfmt};
                let format = |formatting| format_file(
                    std::path::Path::new("src/bindings.rs"),
                    &emitted,
                    &["fuzz".to_string()],
                    formatting,
                );
                let formatted = format(Formatting::Rustfmt(Rustfmt::spawn_n(1)));
                prop_assert!(formatted.is_ok(), "format: {:?}", formatted.err());
                // The printer's layout (items it declines through rustfmt) is rustfmt's.
                let printed = format(Formatting::Printer);
                prop_assert!(printed.is_ok(), "format: {:?}", printed.err());
                prop_assert_eq!(printed.unwrap().text(), formatted.unwrap().text());
            }
        }
    }
}
