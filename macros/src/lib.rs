//! Procedural macros used by the generated `httpserv` crate.
//!
//! The generator writes every function pointer once, with the ABI C++ declares in spirit:
//! `extern "system"` for member functions and `WINAPI` callbacks, `extern "C"` for `__cdecl`.
//! These attributes emit the item once per target family with the ABI MSVC really uses there,
//! because Rust cannot name an ABI through a type alias and writing every variant in the
//! generated file would triple it:
//!
//! | target | vtable slot (member function) | `WINAPI` callback | `__cdecl` |
//! |---|---|---|---|
//! | 32-bit x86 | `thiscall` | `system` (stdcall) | `C` |
//! | x86_64 outside Windows | `win64` | `win64` | `win64` |
//! | everything else (Windows x64 and arm64) | `system` | `system` | `C` |
//!
//! The second row exists for tests: IIS only runs on Windows, but clang can compile C++ for the
//! Microsoft ABI into Linux objects (`x86_64-pc-windows-msvc-elf`), and Rust code talking to it
//! must then use the Windows x64 convention, which Rust calls `win64`.

mod implement;
mod wrap;

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{Fields, Item, ItemStruct, ItemType, LitStr, Type, TypeBareFn, parse_macro_input};

/// Attribute for a `#[repr(C)]` vtable struct `<Name>_Vtbl` whose slots are `extern "system"`
/// function pointers (member functions). Slots marked `#[explicit_stdcall]` (declared
/// `__stdcall` in C++) keep `system` on x86 too; slots written `extern "C"` (`__cdecl`) are `C`
/// there. Also derives the implementation side: the `<Name>_Impl` trait and
/// `<Name>_Vtbl::new::<T>()` (see `implement.rs`); the expansion refers to `RustObject<T>`,
/// which must be in scope where the struct is defined.
#[proc_macro_attribute]
pub fn vtable(args: TokenStream, input: TokenStream) -> TokenStream {
    let args = TokenStream2::from(args);
    let item = parse_macro_input!(input as ItemStruct);
    expand_vtable(args, item)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Attribute for a type alias of a function pointer (`PFN_ASYNC_COMPLETION`): the `WINAPI`
/// (`extern "system"`) and `extern "C"` pointers in it get the per-target ABI of the table above.
#[proc_macro_attribute]
pub fn function_pointer(args: TokenStream, input: TokenStream) -> TokenStream {
    let args = TokenStream2::from(args);
    let item = parse_macro_input!(input as ItemType);
    expand_function_pointer(args, item)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Attribute for a Rust `extern "system"` function that C++ calls: a vtable slot implemented in
/// Rust (`#[abi(member)]`) or a `WINAPI` export/callback (`#[abi(winapi)]`). The function is
/// emitted once per target family with the ABI of the table above, so its address fits the
/// generated `_Vtbl` field or function-pointer typedef on every target.
#[proc_macro_attribute]
pub fn abi(args: TokenStream, input: TokenStream) -> TokenStream {
    let args = TokenStream2::from(args);
    let item = parse_macro_input!(input as syn::ItemFn);
    expand_abi(args, item)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn expand_abi(args: TokenStream2, item: syn::ItemFn) -> syn::Result<TokenStream2> {
    let member = match args.to_string().as_str() {
        "member" => true,
        "winapi" => false,
        _ => {
            return Err(syn::Error::new_spanned(
                args,
                "expected `#[abi(member)]` (a vtable slot) or `#[abi(winapi)]` (WINAPI)",
            ));
        }
    };
    let written = item
        .sig
        .abi
        .as_ref()
        .and_then(|a| a.name.as_ref())
        .map(LitStr::value);
    if written.as_deref() != Some("system") {
        return Err(syn::Error::new_spanned(
            &item.sig,
            "`#[abi(...)]` expects a function written `extern \"system\" fn`",
        ));
    }
    let variants = Family::ALL.map(|family| {
        let mut variant = item.clone();
        if let Some(abi) = family.abi("system", member)
            && let Some(name) = variant.sig.abi.as_mut().and_then(|a| a.name.as_mut())
        {
            *name = LitStr::new(abi, Span::call_site());
        }
        let cfg = family.cfg();
        quote!(#cfg #variant)
    });
    Ok(quote!(#(#variants)*))
}

/// The three target families of the table in the crate docs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    X86,
    Win64OutsideWindows,
    Other,
}

impl Family {
    const ALL: [Family; 3] = [Family::X86, Family::Win64OutsideWindows, Family::Other];

    fn cfg(self) -> TokenStream2 {
        match self {
            Family::X86 => quote!(#[cfg(target_arch = "x86")]),
            Family::Win64OutsideWindows => {
                quote!(#[cfg(all(target_arch = "x86_64", not(windows)))])
            }
            Family::Other => quote!(#[cfg(not(any(
                target_arch = "x86",
                all(target_arch = "x86_64", not(windows))
            )))]),
        }
    }

    /// The ABI for a function pointer written with `written`; `member` for vtable slots.
    fn abi(self, written: &str, member: bool) -> Option<&'static str> {
        match (self, written, member) {
            (Family::X86, "system", true) => Some("thiscall"),
            (Family::Win64OutsideWindows, "system" | "C", _) => Some("win64"),
            _ => None,
        }
    }
}

const MARKER: &str = "explicit_stdcall";

fn expand_vtable(args: TokenStream2, item: ItemStruct) -> syn::Result<TokenStream2> {
    no_args(args, "vtable")?;
    let Fields::Named(_) = &item.fields else {
        return Err(syn::Error::new_spanned(
            &item,
            "`#[vtable]` expects a struct with named fields (one per slot)",
        ));
    };
    let wrappers = wrap::wrappers(&item)?;
    let mut item = item;
    for field in item.fields.iter_mut() {
        field.attrs.retain(|a| !a.path().is_ident("wrap"));
    }
    let impl_trait = implement::impl_trait(&item)?;
    let mut variants = Vec::new();
    for family in Family::ALL {
        let mut variant = item.clone();
        for field in variant.fields.iter_mut() {
            let explicit = field.attrs.iter().any(|a| a.path().is_ident(MARKER));
            field.attrs.retain(|a| !a.path().is_ident(MARKER));
            rewrite_type(&mut field.ty, family, !explicit);
        }
        let builder = implement::vtable_builder(&variant)?;
        let cfg = family.cfg();
        variants.push(quote!(#cfg #variant #cfg #builder));
    }
    Ok(quote!(#impl_trait #(#variants)* #wrappers))
}

fn expand_function_pointer(args: TokenStream2, item: ItemType) -> syn::Result<TokenStream2> {
    no_args(args, "function_pointer")?;
    let variants = Family::ALL.map(|family| {
        let mut variant = Item::Type(item.clone());
        if let Item::Type(alias) = &mut variant {
            rewrite_type(&mut alias.ty, family, false);
        }
        let cfg = family.cfg();
        quote!(#cfg #variant)
    });
    Ok(quote!(#(#variants)*))
}

fn no_args(args: TokenStream2, name: &str) -> syn::Result<()> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(syn::Error::new_spanned(
            args,
            format!("`#[{name}]` takes no arguments"),
        ))
    }
}

/// Rewrites the ABI of the outermost function pointer (a slot: `member` decides) and of every
/// function pointer nested in its signature (callbacks: never members).
fn rewrite_type(ty: &mut Type, family: Family, member: bool) {
    struct Nested(Family);
    impl VisitMut for Nested {
        fn visit_type_bare_fn_mut(&mut self, f: &mut TypeBareFn) {
            set_abi(f, self.0, false);
            syn::visit_mut::visit_type_bare_fn_mut(self, f);
        }
    }
    match ty {
        Type::BareFn(f) => {
            set_abi(f, family, member);
            for input in f.inputs.iter_mut() {
                Nested(family).visit_type_mut(&mut input.ty);
            }
            if let syn::ReturnType::Type(_, ret) = &mut f.output {
                Nested(family).visit_type_mut(ret);
            }
        }
        other => Nested(family).visit_type_mut(other),
    }
}

fn set_abi(f: &mut TypeBareFn, family: Family, member: bool) {
    if let Some(name) = f.abi.as_mut().and_then(|abi| abi.name.as_mut())
        && let Some(abi) = family.abi(&name.value(), member)
    {
        *name = LitStr::new(abi, Span::call_site());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits an expansion into its three `cfg` variants (x86, win64-outside-Windows, other).
    fn variants(out: &str) -> Vec<String> {
        let parts: Vec<String> = out.split("# [cfg (").skip(1).map(str::to_string).collect();
        assert_eq!(parts.len(), 3, "{out}");
        parts
    }

    #[test]
    fn vtable_abi_per_target_family() {
        let item: ItemStruct = syn::parse_str(
            r#"#[repr(C)] struct V_Vtbl {
                pub base__: B_Vtbl,
                pub F: unsafe extern "system" fn(this: *mut V) -> i32,
                #[explicit_stdcall] pub G: unsafe extern "system" fn(this: *mut V),
                pub H: unsafe extern "C" fn(this: *mut V),
                pub K: unsafe extern "system" fn(this: *mut V, cb: Option<unsafe extern "system" fn()>),
            }"#,
        )
        .unwrap();
        let out = expand_vtable(TokenStream2::new(), item).unwrap();
        assert!(
            !out.to_string().contains("explicit_stdcall"),
            "markers must not survive"
        );
        let file: syn::File = syn::parse2(out).unwrap();
        // The trait, then (struct, builder) for each of the three target families.
        assert_eq!(file.items.len(), 7);
        assert!(matches!(&file.items[0], Item::Trait(t) if t.ident == "V_Impl"));
        let text = |i: usize| {
            let item = &file.items[i];
            quote!(#item).to_string()
        };
        let (x86, win64, other) = (text(1), text(3), text(5));
        assert!(x86.starts_with("# [cfg (target_arch = \"x86\")]"), "{x86}");
        // x86: F and K are thiscall; G stays stdcall ("system"); H stays C; K's callback system.
        assert_eq!(x86.matches("\"thiscall\"").count(), 2, "{x86}");
        assert!(
            x86.contains("cb : Option < unsafe extern \"system\" fn ()"),
            "{x86}"
        );
        assert!(x86.contains("H : unsafe extern \"C\""), "{x86}");
        // x86_64 outside Windows: everything is win64, callbacks included.
        assert_eq!(win64.matches("\"win64\"").count(), 5, "{win64}");
        assert!(!win64.contains("\"system\"") && !win64.contains("\"C\""));
        // Windows x64/arm64: as written.
        assert!(!other.contains("thiscall") && !other.contains("win64"));
        // Each family's builder uses that family's ABI for its trampolines.
        assert_eq!(text(2).matches("\"thiscall\"").count(), 2, "{}", text(2));
        assert!(text(2).contains("B_Vtbl :: new :: < T > ()"), "{}", text(2));
        assert_eq!(text(4).matches("\"win64\"").count(), 5, "{}", text(4));
    }

    #[test]
    fn function_pointer_alias_is_stdcall_on_x86_and_win64_off_windows() {
        let item: ItemType = syn::parse_str(
            r#"pub type PFN = Option<unsafe extern "system" fn(p: *mut u8) -> i32>;"#,
        )
        .unwrap();
        let out = expand_function_pointer(TokenStream2::new(), item)
            .unwrap()
            .to_string();
        let v = variants(&out);
        assert!(v[0].contains("extern \"system\""), "{}", v[0]);
        assert!(v[1].contains("extern \"win64\""), "{}", v[1]);
        assert!(v[2].contains("extern \"system\""), "{}", v[2]);
    }

    #[test]
    fn abi_on_functions_follows_the_table() {
        let item: syn::ItemFn =
            syn::parse_str(r#"unsafe extern "system" fn f(this: *mut u8) -> i32 { 0 }"#).unwrap();
        let member = expand_abi(quote!(member), item.clone())
            .unwrap()
            .to_string();
        let v = variants(&member);
        assert!(v[0].contains("extern \"thiscall\""), "{}", v[0]);
        assert!(v[1].contains("extern \"win64\""), "{}", v[1]);
        assert!(v[2].contains("extern \"system\""), "{}", v[2]);
        let winapi = expand_abi(quote!(winapi), item.clone())
            .unwrap()
            .to_string();
        assert!(variants(&winapi)[0].contains("extern \"system\""));
        assert!(expand_abi(quote!(other), item).is_err());
        let c: syn::ItemFn = syn::parse_str(r#"extern "C" fn g() {}"#).unwrap();
        assert!(expand_abi(quote!(member), c).is_err());
    }

    #[test]
    fn rejects_arguments_and_tuple_structs() {
        let item: ItemStruct = syn::parse_str("struct V(u32);").unwrap();
        assert!(expand_vtable(TokenStream2::new(), item).is_err());
        let item: ItemStruct = syn::parse_str("struct V { a: u32 }").unwrap();
        assert!(expand_vtable(quote!(x), item).is_err());
    }
}
