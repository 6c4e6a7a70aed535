//! The implementation side of a vtable: `<Name>_Impl`, a trait with one method per own slot,
//! and `<Name>_Vtbl::new::<T>()`, which fills every slot (base slots included) with a
//! trampoline that calls `T`'s method. This is how Rust types *become* C++ objects
//! (`CHttpModule`, `IHttpModuleFactory`...) and how tests build fake IIS objects.
//!
//! The object layout C++ sees is `RustObject<T>` (emitted by the generator next to the
//! vtables): the vtable pointer, then the Rust value. Trait methods receive that object as a raw
//! pointer, not `&self`, because some slots (`Dispose`, the scalar deleting destructor) free it.

use std::fmt::Write;

use crate::pm::{Ident, TokenStream};
use crate::syntax::{Arg, BareFn, Error, Field, Result, Struct, ident_is, path_last_ident};

/// The trait, emitted once: method signatures do not depend on the target's ABI.
pub fn impl_trait(item: &Struct) -> Result<String> {
    let trait_name = impl_name(&item.name)?;
    let class = class_name(&item.name)?;
    let supertrait = match base_field(item) {
        Some(field) => impl_name(&type_ident(&field.ty)?)?,
        None => "Sized".to_string(),
    };
    let mut methods = String::new();
    for field in slot_fields(item) {
        let (name, f) = slot(field)?;
        for doc in field.attrs.iter().filter(|a| a.is("doc")) {
            write!(methods, "{doc} ").unwrap();
        }
        let params = parameters(&f);
        let output = f.return_text();
        let message = format!("{class}::{name} is not implemented by this Rust object");
        write!(
            methods,
            "#[doc = \"\"] \
             #[doc = \" The default aborts the process (a panic cannot unwind into C++): implement every\"] \
             #[doc = \" slot C++ may call.\"] \
             unsafe fn {name}(this: *mut RustObject<Self>{params}) {output} {{ \
                 let _ = this; \
                 unimplemented!({message:?}) \
             }}"
        )
        .unwrap();
    }
    let doc = format!(
        " Rust implementation of the slots `{class}` adds to its base; `{}::new::<T>()` builds \
         the vtable.",
        item.name
    );
    // `allow`: the C++ declarations decide the argument counts.
    Ok(format!(
        "#[doc = {doc:?}] \
         #[allow(unused_variables, clippy::too_many_arguments)] \
         pub trait {trait_name}: {supertrait} {{ {methods} }}"
    ))
}

/// `impl <Name>_Vtbl { pub const fn new<T>() -> Self }` for one target family: the trampolines
/// carry that family's ABI, taken from the (already rewritten) field types.
pub fn vtable_builder(item: &Struct) -> Result<String> {
    let vtbl = &item.name;
    let trait_name = impl_name(vtbl)?;
    let mut trampolines = String::new();
    let mut inits = Vec::new();
    if let Some(field) = base_field(item) {
        let base = type_ident(&field.ty)?;
        inits.push(format!("{}: {base}::new::<T>()", field.name));
    }
    for field in slot_fields(item) {
        let (name, f) = slot(field)?;
        let abi = &f.abi_tokens;
        let tramp = format!("__{}", name.to_string().trim_start_matches("r#"));
        let this_ty = &f.inputs[0].ty;
        let params = parameters(&f);
        let args: String = f
            .inputs
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, arg)| format!(", {}", arg_name(arg, i)))
            .collect();
        let output = f.return_text();
        // The trampoline's body: this vtable is only ever installed in a `RustObject<T>`.
        write!(
            trampolines,
            "unsafe {abi} fn {tramp}<T: {trait_name}>(this: {this_ty}{params}) {output} {{ \
                 unsafe {{ <T as {trait_name}>::{name}(this.cast::<RustObject<T>>(){args}) }} \
             }}"
        )
        .unwrap();
        inits.push(format!("{name}: {tramp}::<T>"));
    }
    Ok(format!(
        "#[allow(deprecated, clippy::too_many_arguments)] \
         impl {vtbl} {{ \
             #[doc = \" The vtable of a `RustObject<T>`: every slot calls `T`'s implementation.\"] \
             pub const fn new<T: {trait_name}>() -> Self {{ \
                 {trampolines} \
                 Self {{ {} }} \
             }} \
         }}",
        inits.join(", ")
    ))
}

/// `, name: Type` for every parameter after `this`.
fn parameters(f: &BareFn) -> String {
    f.inputs
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, arg)| format!(", {}: {}", arg_name(arg, i), arg.ty))
        .collect()
}

fn base_field(item: &Struct) -> Option<&Field> {
    item.fields.iter().find(|f| ident_is(&f.name, "base__"))
}

fn slot_fields(item: &Struct) -> impl Iterator<Item = &Field> {
    item.fields.iter().filter(|f| !ident_is(&f.name, "base__"))
}

fn slot(field: &Field) -> Result<(&Ident, BareFn)> {
    match BareFn::parse(&field.ty)? {
        Some(f) if !f.inputs.is_empty() => Ok((&field.name, f)),
        _ => Err(Error::spanned(
            &field.ty,
            "a vtable slot must be a function pointer taking `this` first",
        )),
    }
}

fn arg_name(arg: &Arg, index: usize) -> String {
    match &arg.name {
        Some(name) => name.to_string(),
        None => format!("arg{index}"),
    }
}

fn type_ident(ty: &TokenStream) -> Result<Ident> {
    path_last_ident(ty).ok_or_else(|| Error::spanned(ty, "expected a vtable type name"))
}

fn class_name(vtbl: &Ident) -> Result<String> {
    vtbl.to_string()
        .strip_suffix("_Vtbl")
        .map(str::to_string)
        .ok_or_else(|| Error::new(vtbl.span(), "a vtable struct's name ends in `_Vtbl`"))
}

fn impl_name(vtbl: &Ident) -> Result<String> {
    Ok(format!("{}_Impl", class_name(vtbl)?))
}
