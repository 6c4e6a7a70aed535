//! The implementation side of a vtable: `<Name>_Impl`, a trait with one method per own slot,
//! and `<Name>_Vtbl::new::<T>()`, which fills every slot (base slots included) with a
//! trampoline that calls `T`'s method. This is how Rust types *become* C++ objects
//! (`CHttpModule`, `IHttpModuleFactory`...) and how tests build fake IIS objects.
//!
//! The object layout C++ sees is `RustObject<T>` (emitted by the generator next to the
//! vtables): the vtable pointer, then the Rust value. Trait methods receive that object as a raw
//! pointer, not `&self`, because some slots (`Dispose`, the scalar deleting destructor) free it.

use proc_macro2::{Ident, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::{Field, ItemStruct, Type, TypeBareFn};

/// The trait, emitted once: method signatures do not depend on the target's ABI.
pub fn impl_trait(item: &ItemStruct) -> syn::Result<TokenStream2> {
    let trait_name = impl_name(&item.ident)?;
    let class = class_name(&item.ident)?;
    let supertrait = match base_field(item) {
        Some(field) => {
            let base = impl_name(&type_ident(&field.ty)?)?;
            quote!(#base)
        }
        None => quote!(Sized),
    };
    let mut methods = Vec::new();
    for field in slot_fields(item) {
        let (name, f) = slot(field)?;
        let docs = field.attrs.iter().filter(|a| a.path().is_ident("doc"));
        let params = f.inputs.iter().enumerate().skip(1).map(|(i, arg)| {
            let name = arg_name(arg, i);
            let ty = &arg.ty;
            quote!(#name: #ty)
        });
        let output = &f.output;
        let message = format!("{class}::{name} is not implemented by this Rust object");
        methods.push(quote! {
            #(#docs)*
            ///
            /// The default aborts the process (a panic cannot unwind into C++): implement every
            /// slot C++ may call.
            unsafe fn #name(this: *mut RustObject<Self> #(, #params)*) #output {
                let _ = this;
                unimplemented!(#message)
            }
        });
    }
    let doc = format!(
        " Rust implementation of the slots `{class}` adds to its base; `{}::new::<T>()` builds \
         the vtable.",
        item.ident
    );
    Ok(quote! {
        #[doc = #doc]
        // The C++ declarations decide the argument counts.
        #[allow(unused_variables, clippy::too_many_arguments)]
        pub trait #trait_name: #supertrait {
            #(#methods)*
        }
    })
}

/// `impl <Name>_Vtbl { pub const fn new<T>() -> Self }` for one target family: the trampolines
/// carry that family's ABI, taken from the (already rewritten) field types.
pub fn vtable_builder(item: &ItemStruct) -> syn::Result<TokenStream2> {
    let vtbl = &item.ident;
    let trait_name = impl_name(vtbl)?;
    let mut trampolines = Vec::new();
    let mut inits = Vec::new();
    if let Some(field) = base_field(item) {
        let base = type_ident(&field.ty)?;
        let name = field.ident.as_ref().expect("named field");
        inits.push(quote!(#name: #base::new::<T>()));
    }
    for field in slot_fields(item) {
        let (name, f) = slot(field)?;
        let abi = &f.abi;
        let tramp = format_ident!("__{}", name.to_string().trim_start_matches("r#"));
        let this = f.inputs.first().expect("slot has `this`");
        let this_ty = &this.ty;
        let params: Vec<TokenStream2> = f
            .inputs
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, arg)| {
                let name = arg_name(arg, i);
                let ty = &arg.ty;
                quote!(#name: #ty)
            })
            .collect();
        let args: Vec<Ident> = f
            .inputs
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, arg)| arg_name(arg, i))
            .collect();
        let output = &f.output;
        trampolines.push(quote! {
            unsafe #abi fn #tramp<T: #trait_name>(this: #this_ty #(, #params)*) #output {
                // SAFETY: this vtable is only ever installed in a `RustObject<T>`.
                unsafe { <T as #trait_name>::#name(this.cast::<RustObject<T>>() #(, #args)*) }
            }
        });
        inits.push(quote!(#name: #tramp::<T>));
    }
    Ok(quote! {
        #[allow(deprecated, clippy::too_many_arguments)]
        impl #vtbl {
            /// The vtable of a `RustObject<T>`: every slot calls `T`'s implementation.
            pub const fn new<T: #trait_name>() -> Self {
                #(#trampolines)*
                Self { #(#inits),* }
            }
        }
    })
}

fn base_field(item: &ItemStruct) -> Option<&Field> {
    item.fields
        .iter()
        .find(|f| f.ident.as_ref().is_some_and(|i| i == "base__"))
}

fn slot_fields(item: &ItemStruct) -> impl Iterator<Item = &Field> {
    item.fields
        .iter()
        .filter(|f| f.ident.as_ref().is_none_or(|i| i != "base__"))
}

fn slot(field: &Field) -> syn::Result<(&Ident, &TypeBareFn)> {
    let name = field.ident.as_ref().expect("named field");
    match &field.ty {
        Type::BareFn(f) if !f.inputs.is_empty() => Ok((name, f)),
        other => Err(syn::Error::new_spanned(
            other,
            "a vtable slot must be a function pointer taking `this` first",
        )),
    }
}

fn arg_name(arg: &syn::BareFnArg, index: usize) -> Ident {
    match &arg.name {
        Some((name, _)) if name != "_" => name.clone(),
        _ => format_ident!("arg{}", index),
    }
}

fn type_ident(ty: &Type) -> syn::Result<Ident> {
    match ty {
        Type::Path(p) if p.qself.is_none() => Ok(p
            .path
            .segments
            .last()
            .expect("path has a segment")
            .ident
            .clone()),
        other => Err(syn::Error::new_spanned(
            other,
            "expected a vtable type name",
        )),
    }
}

fn class_name(vtbl: &Ident) -> syn::Result<String> {
    vtbl.to_string()
        .strip_suffix("_Vtbl")
        .map(str::to_string)
        .ok_or_else(|| syn::Error::new_spanned(vtbl, "a vtable struct's name ends in `_Vtbl`"))
}

fn impl_name(vtbl: &Ident) -> syn::Result<Ident> {
    Ok(format_ident!("{}_Impl", class_name(vtbl)?))
}
