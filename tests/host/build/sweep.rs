//! Generates the slot sweep from the httpserv-codegen model (C++ recorders and callers, Rust
//! calls and Rust implementations), see `cpp/sweep.h` and `src/sweep.rs`.
//!
//! What comes from where, so that the sweep can only pass when the generated bindings agree
//! with clang:
//! - C++ slot positions: clang, compiling recorder classes that override every virtual by
//!   *name and parameter types* (`override` + `final` make clang reject a recorder that misses or
//!   misnames one).
//! - Rust slot positions and types: `generated/src/bindings.rs`, reached by *field name* (the
//!   calls) or through `<Class>_Vtbl::new::<T>()` (the implementations); argument and return
//!   types are inferred from the fields or copied from them, never restated here.
//! - Which method a field stands for: the model (`emit::field_names`), which is also where the
//!   generator takes the field names from. Field *order* is never read from the model here.

use std::collections::HashMap;
use std::fmt::Write as _;

use httpserv_codegen::emit::{field_names, rust_ident};
use httpserv_codegen::layout::{SlotEntry, VtableLayout};
use httpserv_codegen::model::{Api, CType, Method};
use quote::ToTokens;

/// The generated sources and their sizes.
pub struct Sweep {
    pub cpp: String,
    pub rust: String,
}

/// One vtable slot of one class, as the sweep sees it.
struct SlotInfo {
    index: usize,
    /// The class whose declaration created the slot (the C++ call goes through its pointer).
    introduced_by: String,
    /// `base__.base__.GetHeader_PCSTR`: the Rust field reached from this class's `_Vtbl`.
    path: String,
    method: Option<Method>,
}

impl SlotInfo {
    fn name(&self) -> String {
        match &self.method {
            Some(m) => m.name.clone(),
            None => format!("~{}", self.introduced_by),
        }
    }

    fn signature(&self) -> String {
        self.method
            .as_ref()
            .map(Method::signature)
            .unwrap_or_default()
    }
}

/// What the sweep needs to know about a C++ type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Void,
    Bool,
    Reference,
    /// Integers, enums, pointers (function pointers included): all fit 64 bits.
    Scalar,
}

fn kind(ty: &CType) -> Result<Kind, String> {
    Ok(match ty.canonical() {
        CType::Void => Kind::Void,
        CType::Bool => Kind::Bool,
        CType::Reference { .. } => Kind::Reference,
        CType::Int { .. } | CType::WChar | CType::Enum { .. } | CType::Pointer { .. } => {
            Kind::Scalar
        }
        other => {
            return Err(format!(
                "the sweep does not support values of type {other:?}"
            ));
        }
    })
}

/// Deterministic, distinct-looking 64-bit values (splitmix64).
fn mix(seed: u64, a: usize, b: usize, c: usize) -> u64 {
    let mut z = seed ^ ((a as u64) << 40) ^ ((b as u64) << 16) ^ (c as u64);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const SEED_RUST_ARGS: u64 = 0x5157_4545_5052_5553; // values Rust passes to C++
const SEED_CPP_RET: u64 = 0x4350_5052_4554_5552; // values C++ recorders return
const SEED_CPP_ARGS: u64 = 0x4350_5041_5247_5321; // values C++ passes to Rust
const SEED_RUST_RET: u64 = 0x5255_5354_5245_5455; // values Rust implementations return

fn value_for(kind: Kind, seed: u64, a: usize, b: usize, c: usize) -> u64 {
    let v = mix(seed, a, b, c);
    if kind == Kind::Bool { v & 1 } else { v }
}

fn cpp_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Rust string literal (the `Debug` form of a `str` is one).
fn rust_string(s: &str) -> String {
    format!("{s:?}")
}

/// A parameter's type as a declaration can spell it: `PCSTR[41]` (an array parameter, which is
/// a pointer) becomes `PCSTR *`.
fn param_type(spelling: &str) -> String {
    match spelling.split_once('[') {
        Some((element, _)) => format!("{} *", element.trim_end()),
        None => spelling.to_string(),
    }
}

/// The pointee spelling of a reference parameter (`const GUID &` → `const GUID`).
fn referee(spelling: &str) -> Result<String, String> {
    spelling
        .trim_end()
        .strip_suffix('&')
        .map(|s| s.trim_end().to_string())
        .ok_or_else(|| format!("reference parameter spelled `{spelling}`"))
}

/// The own slot fields of every `_Vtbl` struct in the bindings: name → (Rust parameter types
/// after `this`, Rust return type or `None` for unit), exactly as written there.
type BindingFields = HashMap<String, Vec<(String, Vec<String>, Option<String>)>>;

fn binding_fields(bindings: &syn::File) -> BindingFields {
    let mut out = BindingFields::new();
    for item in &bindings.items {
        let syn::Item::Struct(s) = item else { continue };
        let Some(class) = s
            .ident
            .to_string()
            .strip_suffix("_Vtbl")
            .map(str::to_string)
        else {
            continue;
        };
        let mut fields = Vec::new();
        for field in &s.fields {
            let name = field
                .ident
                .as_ref()
                .map(|i| i.to_string())
                .unwrap_or_default();
            if name == "base__" {
                continue;
            }
            let syn::Type::BareFn(f) = &field.ty else {
                continue;
            };
            let params = f
                .inputs
                .iter()
                .skip(1)
                .map(|a| a.ty.to_token_stream().to_string())
                .collect();
            let ret = match &f.output {
                syn::ReturnType::Default => None,
                syn::ReturnType::Type(_, ty) => Some(ty.to_token_stream().to_string()),
            };
            fields.push((name, params, ret));
        }
        out.insert(class, fields);
    }
    out
}

/// The `use` items of the bindings file, so that copied types resolve the same way.
fn binding_uses(bindings: &syn::File) -> Vec<String> {
    bindings
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Use(u) => Some(u.to_token_stream().to_string()),
            _ => None,
        })
        .collect()
}

pub fn generate(
    api: &Api,
    layouts: &[VtableLayout],
    bindings: &syn::File,
) -> Result<Sweep, String> {
    let by_name: HashMap<&str, usize> = layouts
        .iter()
        .enumerate()
        .map(|(i, l)| (l.class.as_str(), i))
        .collect();
    let names: Vec<Vec<String>> = layouts.iter().map(field_names).collect();
    let fields = binding_fields(bindings);

    // Classes and their slots, with the Rust field path of every slot.
    let mut classes: Vec<(String, Vec<SlotInfo>)> = Vec::new();
    for layout in layouts {
        if api.class(&layout.class).is_none() {
            return Err(format!("layout of unknown class {}", layout.class));
        }
        // The chain from this class to its root: hops to each ancestor.
        let mut hops: HashMap<String, usize> = HashMap::new();
        let mut current = Some(layout.class.clone());
        let mut depth = 0;
        while let Some(name) = current {
            hops.insert(name.clone(), depth);
            depth += 1;
            current = api.class(&name).and_then(|c| c.base.clone());
        }
        let mut slots = Vec::new();
        for slot in &layout.slots {
            let intro = &layouts[by_name[&*slot.introduced_by]];
            let own = slot.index - intro.base_slots;
            let field = names[by_name[intro.class.as_str()]][own].clone();
            let k = *hops.get(&*slot.introduced_by).ok_or_else(|| {
                format!(
                    "{}: slot {} from a class outside its chain",
                    layout.class, slot.index
                )
            })?;
            let path = format!("{}{}", "base__.".repeat(k), rust_ident(&field));
            let method = match &slot.entry {
                SlotEntry::Method(m) => Some((**m).clone()),
                SlotEntry::ScalarDeletingDestructor => None,
            };
            if let Some(m) = &method {
                if m.returns_via_hidden_pointer() {
                    return Err(format!(
                        "{}::{} returns a struct by value: extend the sweep for hidden return pointers",
                        layout.class, m.name
                    ));
                }
                if m.params.len() > 12 {
                    return Err(format!(
                        "{}::{}: more than 12 parameters",
                        layout.class, m.name
                    ));
                }
            }
            slots.push(SlotInfo {
                index: slot.index,
                introduced_by: slot.introduced_by.to_string(),
                path,
                method,
            });
        }
        classes.push((layout.class.clone(), slots));
    }

    // The bindings must have the same field *names* as the model (their order is what the sweep
    // tests at run time, so it is deliberately not compared here).
    for (layout, own_names) in layouts.iter().zip(&names) {
        let Some(in_bindings) = fields.get(&layout.class) else {
            return Err(format!(
                "generated/src/bindings.rs has no {}_Vtbl",
                layout.class
            ));
        };
        let mut a: Vec<&String> = own_names.iter().collect();
        let mut b: Vec<&String> = in_bindings.iter().map(|(n, _, _)| n).collect();
        a.sort();
        b.sort();
        if a != b {
            return Err(format!(
                "{}_Vtbl: the bindings' fields {b:?} are not the model's {a:?}; regenerate generated/",
                layout.class
            ));
        }
    }

    let mut first_slot = Vec::new();
    let mut total = 0;
    for (_, slots) in &classes {
        first_slot.push(total);
        total += slots.len();
    }

    let cpp = generate_cpp(&classes)?;
    let rust = generate_rust(
        api,
        &classes,
        &first_slot,
        &fields,
        &names,
        &by_name,
        layouts,
        bindings,
    )?;
    Ok(Sweep { cpp, rust })
}

fn generate_cpp(classes: &[(String, Vec<SlotInfo>)]) -> Result<String, String> {
    let mut out = String::new();
    out.push_str(
        "// @generated by tests/host/build/sweep.rs from the httpserv-codegen model. Do not edit.\n\
         #include \"sweep.h\"\n\n\
         #pragma clang diagnostic ignored \"-Wdeprecated-declarations\"\n\
         #pragma clang diagnostic ignored \"-Wunused-parameter\"\n\n",
    );

    // Recorders: every virtual overridden by name and parameter types.
    for (ci, (class, slots)) in classes.iter().enumerate() {
        let _ = writeln!(
            out,
            "class SweepRec_{class} final : public {class} {{\n public:"
        );
        for slot in slots {
            let Some(m) = &slot.method else {
                let _ = writeln!(
                    out,
                    "    ~SweepRec_{class}() override {{ sweep_begin({}, {}, \"\", this, 0); }}",
                    cpp_string(class),
                    cpp_string(&slot.name())
                );
                continue;
            };
            let params: Vec<String> = m
                .params
                .iter()
                .enumerate()
                .map(|(k, p)| format!("{} a{k}", param_type(&p.spelling)))
                .collect();
            let ret_kind = kind(&m.ret)?;
            let ret_size = if ret_kind == Kind::Void {
                "0".to_string()
            } else {
                format!("sizeof({})", m.ret_spelling)
            };
            let _ = writeln!(
                out,
                "    {} {}({}){} override {{",
                m.ret_spelling,
                m.name,
                params.join(", "),
                if m.is_const { " const" } else { "" }
            );
            let _ = writeln!(
                out,
                "        sweep_begin({}, {}, {}, this, {ret_size});",
                cpp_string(class),
                cpp_string(&m.name),
                cpp_string(&m.signature())
            );
            for (k, p) in m.params.iter().enumerate() {
                let arg = if kind(&p.ty)? == Kind::Reference {
                    format!("&a{k}")
                } else {
                    format!("a{k}")
                };
                let _ = writeln!(
                    out,
                    "        sweep_arg(g_sweep_record, sweep_bits({arg}), sizeof({arg}));"
                );
            }
            let value = value_for(ret_kind, SEED_CPP_RET, ci, slot.index, 99);
            match ret_kind {
                Kind::Void => {}
                Kind::Bool => {
                    let _ = writeln!(out, "        return {};", value != 0);
                }
                Kind::Scalar => {
                    let _ = writeln!(out, "        return ({})0x{value:016x}ull;", m.ret_spelling);
                }
                Kind::Reference => return Err(format!("{class}::{}: returns a reference", m.name)),
            }
            out.push_str("    }\n");
        }
        out.push_str("};\n\n");
    }

    out.push_str("extern \"C\" void *sweep_new_object(u32 cls) {\n    switch (cls) {\n");
    for (ci, (class, _)) in classes.iter().enumerate() {
        let _ = writeln!(
            out,
            "    case {ci}: return static_cast<{class} *>(new SweepRec_{class}());"
        );
    }
    out.push_str("    }\n    rt::fatal(\"sweep: no such class\");\n}\n\n");
    out.push_str("extern \"C\" void sweep_delete_object(u32 cls, void *p) {\n    switch (cls) {\n");
    for (ci, (class, _)) in classes.iter().enumerate() {
        let _ = writeln!(
            out,
            "    case {ci}: delete static_cast<SweepRec_{class} *>(static_cast<{class} *>(p)); return;"
        );
    }
    out.push_str("    }\n    rt::fatal(\"sweep: no such class\");\n}\n\n");

    // Callers: C++ calls each method of a Rust-implemented object by name.
    for (ci, (class, slots)) in classes.iter().enumerate() {
        if slots.iter().any(|s| s.method.is_none()) {
            let _ = writeln!(out, "struct SweepDeleter_{class} : {class} {{}};");
        }
        let _ = writeln!(
            out,
            "static u64 sweep_call_{class}({class} *o, u32 slot, SweepRecord *e) {{\n    \
             e->object = {};\n    e->self = u64(usize(o));\n    switch (slot) {{",
            cpp_string(class)
        );
        for slot in slots {
            let _ = writeln!(out, "    case {}: {{", slot.index);
            let _ = writeln!(
                out,
                "        e->method = {};\n        e->signature = {};",
                cpp_string(&slot.name()),
                cpp_string(&slot.signature())
            );
            let Some(m) = &slot.method else {
                let _ = writeln!(
                    out,
                    "        sweep_arg(*e, 1, sizeof(unsigned int));\n        e->ret_size = 0;\n        \
                     delete static_cast<SweepDeleter_{class} *>(o);\n        return 0;\n    }}"
                );
                continue;
            };
            let mut args = Vec::new();
            for (k, p) in m.params.iter().enumerate() {
                let pk = kind(&p.ty)?;
                let v = value_for(pk, SEED_CPP_ARGS, ci, slot.index, k);
                match pk {
                    Kind::Reference => {
                        let _ = writeln!(
                            out,
                            "        {} a{k} = *({} *)0x{v:016x}ull;\n        \
                             sweep_arg(*e, sweep_bits(&a{k}), sizeof(&a{k}));",
                            p.spelling,
                            referee(&p.spelling)?
                        );
                    }
                    Kind::Bool => {
                        let _ = writeln!(
                            out,
                            "        bool a{k} = {};\n        sweep_arg(*e, sweep_bits(a{k}), sizeof(a{k}));",
                            v != 0
                        );
                    }
                    Kind::Scalar => {
                        let _ = writeln!(
                            out,
                            "        {ty} a{k} = ({ty})0x{v:016x}ull;\n        \
                             sweep_arg(*e, sweep_bits(a{k}), sizeof(a{k}));",
                            ty = param_type(&p.spelling)
                        );
                    }
                    Kind::Void => return Err(format!("{class}::{}: void parameter", m.name)),
                }
                args.push(format!("a{k}"));
            }
            let target = format!(
                "static_cast<{}{} *>(o)->{}({})",
                if m.is_const { "const " } else { "" },
                slot.introduced_by,
                m.name,
                args.join(", ")
            );
            if kind(&m.ret)? == Kind::Void {
                let _ = writeln!(
                    out,
                    "        e->ret_size = 0;\n        {target};\n        return 0;\n    }}"
                );
            } else {
                let _ = writeln!(
                    out,
                    "        e->ret_size = sizeof({});\n        return sweep_bits({target});\n    }}",
                    m.ret_spelling
                );
            }
        }
        out.push_str("    }\n    rt::fatal(\"sweep: no such slot\");\n}\n\n");
    }
    out.push_str(
        "extern \"C\" u64 sweep_cpp_call(u32 cls, u32 slot, void *obj, SweepRecord *e) {\n    switch (cls) {\n",
    );
    for (ci, (class, _)) in classes.iter().enumerate() {
        let _ = writeln!(
            out,
            "    case {ci}: return sweep_call_{class}(static_cast<{class} *>(obj), slot, e);"
        );
    }
    out.push_str("    }\n    rt::fatal(\"sweep: no such class\");\n}\n");
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn generate_rust(
    api: &Api,
    classes: &[(String, Vec<SlotInfo>)],
    first_slot: &[usize],
    fields: &BindingFields,
    names: &[Vec<String>],
    by_name: &HashMap<&str, usize>,
    layouts: &[VtableLayout],
    bindings: &syn::File,
) -> Result<String, String> {
    let mut out = String::new();
    out.push_str(
        "// @generated by tests/host/build/sweep.rs from the httpserv-codegen model. Do not edit.\n\
         // Included by tests/sweep.rs.\n\
         use httpserv::*;\n\
         use httpserv_host_tests::sweep::{ClassDesc, Checker, SlotDesc, bits, record, ret_bits, ret_value};\n",
    );
    for u in binding_uses(bindings) {
        let _ = writeln!(out, "#[allow(unused_imports)]\n{u}");
    }

    // The tables.
    let _ = writeln!(
        out,
        "\npub static CLASSES: [ClassDesc; {}] = [",
        classes.len()
    );
    for (ci, (class, slots)) in classes.iter().enumerate() {
        let _ = writeln!(
            out,
            "    ClassDesc {{ index: {ci}, name: {}, first_slot: {}, slots: {}, destructor: {} }},",
            rust_string(class),
            first_slot[ci],
            slots.len(),
            slots.iter().any(|s| s.method.is_none())
        );
    }
    out.push_str("];\n\n");
    let total: usize = classes.iter().map(|(_, s)| s.len()).sum();
    let _ = writeln!(out, "pub static SLOTS: [SlotDesc; {total}] = [");
    for (ci, (class, slots)) in classes.iter().enumerate() {
        for slot in slots {
            let (args, cpp_ret, rust_ret) = match &slot.method {
                Some(m) => {
                    let mut args = Vec::new();
                    for (k, p) in m.params.iter().enumerate() {
                        let v = value_for(kind(&p.ty)?, SEED_RUST_ARGS, ci, slot.index, k);
                        args.push(format!("0x{v:016x}"));
                    }
                    let rk = kind(&m.ret)?;
                    (
                        args,
                        value_for(rk, SEED_CPP_RET, ci, slot.index, 99),
                        value_for(rk, SEED_RUST_RET, ci, slot.index, 99),
                    )
                }
                // The scalar deleting destructor: flags = 1 (delete), returns `this`.
                None => (vec!["1".to_string()], 0, 0),
            };
            let _ = writeln!(
                out,
                "    SlotDesc {{ class: {ci}, object: {}, slot: {}, field: {}, method: {}, signature: {}, \
                 destructor: {}, args: &[{}], cpp_ret: 0x{cpp_ret:016x}, rust_ret: 0x{rust_ret:016x} }},",
                rust_string(class),
                slot.index,
                rust_string(&slot.path),
                rust_string(&slot.name()),
                rust_string(&slot.signature()),
                slot.method.is_none(),
                args.join(", ")
            );
        }
    }
    out.push_str("];\n\n");

    // Rust calls C++: every slot through the generated vtables, by field name.
    out.push_str(
        "/// Rust calls every slot of every class on C++ recorder objects.\n\
         pub unsafe fn rust_calls_cpp(s: &mut Checker) {\n    unsafe {\n",
    );
    for (class, _) in classes {
        let _ = writeln!(out, "        rust_calls_cpp_{class}(s);");
    }
    out.push_str("    }\n}\n\n");
    for (ci, (class, slots)) in classes.iter().enumerate() {
        let _ = writeln!(
            out,
            "unsafe fn rust_calls_cpp_{class}(s: &mut Checker) {{\n    unsafe {{\n        \
             let obj: *mut {class} = s.new_cpp_object({ci}).cast();\n        \
             let vt = (*obj).lpVtbl;"
        );
        // The destructor (which frees the recorder) goes last.
        let mut order: Vec<&SlotInfo> = slots.iter().filter(|s| s.method.is_some()).collect();
        order.extend(slots.iter().filter(|s| s.method.is_none()));
        for slot in order {
            let id = first_slot[ci] + slot.index;
            let nargs = slot.method.as_ref().map_or(1, |m| m.params.len());
            let args: String = (0..nargs).map(|_| ", a.next()").collect();
            let call = format!("((*vt).{})(obj.cast(){args})", slot.path);
            let binding = if nargs == 0 { "a" } else { "mut a" };
            let is_void = match &slot.method {
                Some(m) => kind(&m.ret)? == Kind::Void,
                None => false,
            };
            if is_void {
                let _ = writeln!(
                    out,
                    "        {{ let {binding} = s.args({id}); let () = {call}; s.check_cpp_call({id}, obj.cast(), (0, 0), a); }}"
                );
            } else {
                let _ = writeln!(
                    out,
                    "        {{ let {binding} = s.args({id}); let r = ret_bits({call}); s.check_cpp_call({id}, obj.cast(), r, a); }}"
                );
            }
        }
        if !slots.iter().any(|s| s.method.is_none()) {
            let _ = writeln!(out, "        s.delete_cpp_object({ci}, obj.cast());"); // inside `unsafe`
        }
        out.push_str("    }\n}\n\n");
    }

    // C++ calls Rust: one implementation type per class, every `_Impl` trait of its chain.
    for (ci, (class, _)) in classes.iter().enumerate() {
        let _ = writeln!(out, "pub struct SweepImpl_{class};");
        let mut chain = vec![class.clone()];
        while let Some(base) = api
            .class(chain.last().unwrap())
            .and_then(|c| c.base.clone())
        {
            chain.push(base);
        }
        for ancestor in &chain {
            let ai = by_name[ancestor.as_str()];
            let _ = writeln!(out, "impl {ancestor}_Impl for SweepImpl_{class} {{");
            let own = fields
                .get(ancestor)
                .ok_or_else(|| format!("no {ancestor}_Vtbl in the bindings"))?;
            for (field, params, ret) in own {
                let own_index = names[ai]
                    .iter()
                    .position(|n| n == field)
                    .ok_or_else(|| format!("{ancestor}_Vtbl.{field} is not in the model"))?;
                let id = first_slot[ci] + layouts[ai].base_slots + own_index;
                let decl: Vec<String> = params
                    .iter()
                    .enumerate()
                    .map(|(k, t)| format!("a{k}: {t}"))
                    .collect();
                let recorded: Vec<String> =
                    (0..params.len()).map(|k| format!("bits(&a{k})")).collect();
                let ident = rust_ident(field);
                match ret {
                    None => {
                        let _ = writeln!(
                            out,
                            "    unsafe fn {ident}(this: *mut RustObject<Self>{}) {{ record({id}, this.cast(), &[{}], 0); }}",
                            decl.iter().map(|d| format!(", {d}")).collect::<String>(),
                            recorded.join(", ")
                        );
                    }
                    Some(ty) => {
                        let _ = writeln!(
                            out,
                            "    unsafe fn {ident}(this: *mut RustObject<Self>{}) -> {ty} {{ \
                             record({id}, this.cast(), &[{}], core::mem::size_of::<{ty}>()); ret_value({id}) }}",
                            decl.iter().map(|d| format!(", {d}")).collect::<String>(),
                            recorded.join(", ")
                        );
                    }
                }
            }
            out.push_str("}\n");
        }
        let _ = writeln!(
            out,
            "static VTBL_{class}: {class}_Vtbl = {class}_Vtbl::new::<SweepImpl_{class}>();\n"
        );
    }
    out.push_str(
        "/// C++ calls every slot of every class on Rust objects built with `<Class>_Vtbl::new`.\n\
         pub unsafe fn cpp_calls_rust(s: &mut Checker) {\n    unsafe {\n",
    );
    for (ci, (class, _)) in classes.iter().enumerate() {
        let _ = writeln!(
            out,
            "        {{ let mut o = RustObject {{ lpVtbl: (&raw const VTBL_{class}).cast(), value: SweepImpl_{class} }}; \
             s.cpp_calls_rust({ci}, (&raw mut o).cast()); }}"
        );
    }
    out.push_str("    }\n}\n");
    Ok(out)
}
