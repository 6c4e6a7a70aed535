//! Procedural macros used by the generated `httpserv` crate.
//!
//! `#[vtable]` keeps the generated vtables readable and target-independent: the generator
//! writes each slot once as `unsafe extern "system" fn(...)`, and this attribute emits the
//! struct twice under `cfg`, once with `extern "thiscall"` for 32-bit x86 (MSVC's default for
//! member functions) and once as written for every other target (where `system` is the platform
//! convention MSVC uses for members). Rust cannot name an ABI through a type alias, and writing
//! both variants in the generated file would double it.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::{Fields, ItemStruct, LitStr, Type, TypeBareFn, parse_macro_input};

/// Attribute for a `#[repr(C)]` vtable struct whose slots are `extern "system"` function
/// pointers. Slots that carry `#[explicit_stdcall]` (declared `__stdcall` in C++) keep
/// `system` on x86 too; slots written with another ABI (`"C"` for `__cdecl`) are left alone.
#[proc_macro_attribute]
pub fn vtable(args: TokenStream, input: TokenStream) -> TokenStream {
    let args = TokenStream2::from(args);
    let item = parse_macro_input!(input as ItemStruct);
    expand_vtable(args, item)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn expand_vtable(args: TokenStream2, item: ItemStruct) -> syn::Result<TokenStream2> {
    if !args.is_empty() {
        return Err(syn::Error::new_spanned(
            args,
            "`#[vtable]` takes no arguments",
        ));
    }
    let Fields::Named(_) = &item.fields else {
        return Err(syn::Error::new_spanned(
            &item,
            "`#[vtable]` expects a struct with named fields (one per slot)",
        ));
    };
    let mut other = item.clone();
    strip_markers(&mut other);
    let mut x86 = item;
    rewrite_member_abi(&mut x86, "thiscall");
    Ok(quote! {
        #[cfg(target_arch = "x86")]
        #x86
        #[cfg(not(target_arch = "x86"))]
        #other
    })
}

const MARKER: &str = "explicit_stdcall";

fn strip_markers(item: &mut ItemStruct) {
    for field in item.fields.iter_mut() {
        field.attrs.retain(|a| !a.path().is_ident(MARKER));
    }
}

/// Sets `abi` on every `extern "system"` slot of fields without the marker. Function pointers
/// *inside* a slot's signature (callbacks such as `PFN_ASYNC_COMPLETION`) keep their own ABI.
fn rewrite_member_abi(item: &mut ItemStruct, abi: &str) {
    for field in item.fields.iter_mut() {
        let explicit = field.attrs.iter().any(|a| a.path().is_ident(MARKER));
        field.attrs.retain(|a| !a.path().is_ident(MARKER));
        if explicit {
            continue;
        }
        if let Type::BareFn(TypeBareFn {
            abi: Some(field_abi),
            ..
        }) = &mut field.ty
            && let Some(name) = field_abi.name.as_mut()
            && name.value() == "system"
        {
            *name = LitStr::new(abi, Span::call_site());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(src: &str) -> String {
        let item: ItemStruct = syn::parse_str(src).unwrap();
        expand_vtable(TokenStream2::new(), item)
            .unwrap()
            .to_string()
    }

    #[test]
    fn x86_variant_uses_thiscall_and_other_keeps_system() {
        let out = expand(
            r#"#[repr(C)] struct V {
                pub base__: B_Vtbl,
                pub F: unsafe extern "system" fn(this: *mut X) -> i32,
                #[explicit_stdcall] pub G: unsafe extern "system" fn(this: *mut X),
                pub H: unsafe extern "C" fn(this: *mut X),
                pub K: unsafe extern "system" fn(this: *mut X, cb: Option<unsafe extern "system" fn()>),
            }"#,
        );
        let (x86, other) = out
            .split_once("# [cfg (not (target_arch = \"x86\"))]")
            .unwrap();
        assert!(x86.contains("# [cfg (target_arch = \"x86\")]"));
        assert_eq!(x86.matches("\"thiscall\"").count(), 2, "{x86}"); // F and K, not G or H
        assert!(
            x86.contains("cb : Option < unsafe extern \"system\" fn ()"),
            "{x86}"
        );
        assert!(!other.contains("thiscall"));
        assert!(
            !out.contains("explicit_stdcall"),
            "markers must not survive: {out}"
        );
    }

    #[test]
    fn rejects_arguments_and_tuple_structs() {
        let item: ItemStruct = syn::parse_str("struct V(u32);").unwrap();
        assert!(expand_vtable(TokenStream2::new(), item).is_err());
        let item: ItemStruct = syn::parse_str("struct V { a: u32 }").unwrap();
        assert!(expand_vtable(quote!(x), item).is_err());
    }
}
