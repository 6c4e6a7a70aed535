//! Text reports computed from the same model and layout that the emitter uses: the `layout`
//! command's table and the ABI table the clang referee tests compare with LLVM IR.

use std::fmt::Write;

use crate::layout::{SlotEntry, VtableLayout};
use crate::model::{Api, CType, CallConv, Target};

/// `TYPE\tSLOT\tMETHOD\tSIGNATURE`, one line per slot of every class, in header order.
pub fn layout_table(layouts: &[VtableLayout]) -> String {
    let mut out = String::new();
    for layout in layouts {
        for slot in &layout.slots {
            let signature = match &slot.entry {
                SlotEntry::Method(m) => m.signature(),
                SlotEntry::ScalarDeletingDestructor => "()".to_string(),
            };
            let _ = writeln!(
                out,
                "{}\t{}\t{}\t{}",
                layout.class,
                slot.index,
                slot.method_name(&layout.class),
                signature
            );
        }
    }
    out
}

/// The Rust ABI string the generated code uses for a convention on a target.
pub fn rust_abi(conv: CallConv, target: Target) -> &'static str {
    match conv {
        CallConv::Member if target.is_x86() => "thiscall",
        CallConv::Member | CallConv::Stdcall => "system",
        CallConv::Cdecl => "cdecl",
    }
}

/// `TYPE\tSLOT\tMETHOD\tCONV\tRET\tPARAMS`: the machine-level shape of every slot's function
/// pointer as the generated Rust declares it (ABI classes `void bool i8 i16 i32 i64 f32 f64 ptr`;
/// `this` first, then `sret` for a struct returned through a hidden pointer).
pub fn abi_table(api: &Api, layouts: &[VtableLayout], target: Target) -> String {
    let mut out = String::new();
    for layout in layouts {
        for slot in &layout.slots {
            let (conv, ret, params) = match &slot.entry {
                SlotEntry::Method(m) => {
                    let mut params = vec!["this"];
                    let ret = if m.returns_via_hidden_pointer() {
                        params.push("sret");
                        "ptr"
                    } else {
                        abi_class(api, &m.ret)
                    };
                    params.extend(m.params.iter().map(|p| abi_class(api, &p.ty)));
                    (rust_abi(m.conv(), target), ret, params)
                }
                SlotEntry::ScalarDeletingDestructor => (
                    rust_abi(CallConv::Member, target),
                    "ptr",
                    vec!["this", "i32"],
                ),
            };
            let _ = writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}",
                layout.class,
                slot.index,
                slot.method_name(&layout.class),
                conv,
                ret,
                params.join(",")
            );
        }
    }
    out
}

/// The machine class of a value of this type (signedness does not matter to the ABI).
pub fn abi_class(api: &Api, ty: &CType) -> &'static str {
    match ty.canonical() {
        CType::Void => "void",
        CType::Bool => "bool",
        CType::Int { bytes: 1, .. } => "i8",
        CType::Int { bytes: 2, .. } | CType::WChar => "i16",
        CType::Int { bytes: 8, .. } => "i64",
        CType::Int { .. } => "i32",
        CType::Float => "f32",
        CType::Double => "f64",
        CType::Pointer { .. } | CType::Reference { .. } | CType::Function { .. } => "ptr",
        CType::Enum { name } => api
            .enums
            .iter()
            .find(|e| &e.name == name)
            .map(|e| abi_class(api, &e.underlying))
            // Enums declared elsewhere (HTTP_HEADER_ID...) are `int` in MSVC.
            .unwrap_or("i32"),
        CType::Record { .. } => "record",
        CType::Typedef { target, .. } => abi_class(api, target),
    }
}
