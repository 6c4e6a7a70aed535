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
//!
//! # Why no syn, no quote
//!
//! Every module author builds this crate, and the macros run on every build of `httpserv`. With
//! syn (and proc-macro2 and quote) the macro crate was the critical path of a cold build
//! (BENCHMARKS.md, build cost). The macros read only a few narrow shapes of input, written by
//! the generator (`syntax.rs`), and build their expansions as Rust text, parsed once at the end.
//! They use the compiler's own `proc_macro` crate; the unit tests, which run outside the
//! compiler, where `proc_macro` cannot be used, compile the same code against `proc_macro2`,
//! which has the same API.

mod implement;
mod syntax;
mod wrap;

#[cfg(not(test))]
use proc_macro as pm;
#[cfg(test)]
use proc_macro2 as pm;

use pm::TokenStream;
use syntax::{Error, Joined, Result, Struct, TypeAlias, is_ident};

// The entry points exist outside tests only: the tests call the `expand_*` functions.

/// Attribute for a `#[repr(C)]` vtable struct `<Name>_Vtbl` whose slots are `extern "system"`
/// function pointers (member functions). Slots marked `#[explicit_stdcall]` (declared
/// `__stdcall` in C++) keep `system` on x86 too; slots written `extern "C"` (`__cdecl`) are `C`
/// there. Also derives the implementation side: the `<Name>_Impl` trait and
/// `<Name>_Vtbl::new::<T>()` (see `implement.rs`); the expansion refers to `RustObject<T>`,
/// which must be in scope where the struct is defined.
#[cfg(not(test))]
#[proc_macro_attribute]
pub fn vtable(args: TokenStream, input: TokenStream) -> TokenStream {
    Struct::parse(input)
        .and_then(|item| expand_vtable(args, item))
        .unwrap_or_else(Error::into_compile_error)
}

/// Attribute for a type alias of a function pointer (`PFN_ASYNC_COMPLETION`): the `WINAPI`
/// (`extern "system"`) and `extern "C"` pointers in it get the per-target ABI of the table above.
#[cfg(not(test))]
#[proc_macro_attribute]
pub fn function_pointer(args: TokenStream, input: TokenStream) -> TokenStream {
    TypeAlias::parse(input)
        .and_then(|item| expand_function_pointer(args, item))
        .unwrap_or_else(Error::into_compile_error)
}

/// Attribute for a Rust `extern "system"` function that C++ calls: a vtable slot implemented in
/// Rust (`#[abi(member)]`) or a `WINAPI` export/callback (`#[abi(winapi)]`). The function is
/// emitted once per target family with the ABI of the table above, so its address fits the
/// generated `_Vtbl` field or function-pointer typedef on every target.
#[cfg(not(test))]
#[proc_macro_attribute]
pub fn abi(args: TokenStream, input: TokenStream) -> TokenStream {
    expand_abi(args, input).unwrap_or_else(Error::into_compile_error)
}

fn expand_abi(args: TokenStream, item: TokenStream) -> Result<TokenStream> {
    let member = match args.to_string().as_str() {
        "member" => true,
        "winapi" => false,
        _ => {
            return Err(Error::spanned(
                &args,
                "expected `#[abi(member)]` (a vtable slot) or `#[abi(winapi)]` (WINAPI)",
            ));
        }
    };
    // The function's own ABI is the `extern "..."` before its `fn`; pointers in its parameters
    // keep theirs.
    let tokens: Vec<pm::TokenTree> = item.clone().into_iter().collect();
    let fn_at = tokens.iter().position(|t| is_ident(t, "fn"));
    let abi_at = fn_at.and_then(|fn_at| (1..fn_at).find(|&i| is_ident(&tokens[i - 1], "extern")));
    let written = abi_at.and_then(|i| match &tokens[i] {
        pm::TokenTree::Literal(lit) => syntax::string_value(lit),
        _ => None,
    });
    let (Some(abi_at), Some("system")) = (abi_at, written.as_deref()) else {
        return Err(Error::spanned(
            &item,
            "`#[abi(...)]` expects a function written `extern \"system\" fn`",
        ));
    };
    let mut out = TokenStream::new();
    for family in Family::ALL {
        let mut variant = tokens.clone();
        if let Some(abi) = family.abi("system", member) {
            let mut lit = pm::Literal::string(abi);
            lit.set_span(variant[abi_at].span());
            variant[abi_at] = pm::TokenTree::Literal(lit);
        }
        out.extend(syntax::parse(family.cfg()));
        out.extend(variant);
    }
    Ok(out)
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

    fn cfg(self) -> &'static str {
        match self {
            Family::X86 => r#"#[cfg(target_arch = "x86")]"#,
            Family::Win64OutsideWindows => r#"#[cfg(all(target_arch = "x86_64", not(windows)))]"#,
            Family::Other => {
                r#"#[cfg(not(any(target_arch = "x86", all(target_arch = "x86_64", not(windows)))))]"#
            }
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

fn expand_vtable(args: TokenStream, item: Struct) -> Result<TokenStream> {
    no_args(args, "vtable")?;
    let wrappers = wrap::wrappers(&item)?;
    let mut item = item;
    for field in item.fields.iter_mut() {
        field.attrs.retain(|a| !a.is("wrap"));
    }
    let mut text = implement::impl_trait(&item)?;
    for family in Family::ALL {
        let mut variant = Struct {
            attrs: item.attrs.clone(),
            vis: item.vis.clone(),
            name: item.name.clone(),
            fields: Vec::new(),
        };
        for field in &item.fields {
            let explicit = field.attrs.iter().any(|a| a.is(MARKER));
            variant.fields.push(syntax::Field {
                attrs: field
                    .attrs
                    .iter()
                    .filter(|a| !a.is(MARKER))
                    .cloned()
                    .collect(),
                vis: field.vis.clone(),
                name: field.name.clone(),
                ty: rewrite_type(&field.ty, family, !explicit),
            });
        }
        let builder = implement::vtable_builder(&variant)?;
        let cfg = family.cfg();
        text.push_str(&format!("{cfg} {variant} {cfg} {builder}"));
    }
    let mut out = syntax::parse(&text);
    out.extend(wrappers);
    Ok(out)
}

fn expand_function_pointer(args: TokenStream, item: TypeAlias) -> Result<TokenStream> {
    no_args(args, "function_pointer")?;
    let variants: Vec<String> = Family::ALL
        .iter()
        .map(|&family| {
            let variant = TypeAlias {
                attrs: item.attrs.clone(),
                vis: item.vis.clone(),
                name: item.name.clone(),
                ty: rewrite_type(&item.ty, family, false),
            };
            format!("{} {variant}", family.cfg())
        })
        .collect();
    Ok(syntax::parse(&Joined(&variants, "\n").to_string()))
}

fn no_args(args: TokenStream, name: &str) -> Result<()> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(Error::spanned(
            &args,
            format!("`#[{name}]` takes no arguments"),
        ))
    }
}

/// Rewrites the ABI of the outermost function pointer (a slot: `member` decides) and of every
/// function pointer nested in its signature (callbacks: never members).
fn rewrite_type(ty: &TokenStream, family: Family, member: bool) -> TokenStream {
    syntax::rewrite_abis(ty, &|written| family.abi(written, member), &|written| {
        family.abi(written, false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(text: &str) -> TokenStream {
        text.parse().unwrap()
    }

    /// Splits an expansion into its three `cfg` variants (x86, win64-outside-Windows, other).
    fn variants(out: &str) -> Vec<String> {
        let parts: Vec<String> = out.split("# [cfg (").skip(1).map(str::to_string).collect();
        assert_eq!(parts.len(), 3, "{out}");
        parts
    }

    #[test]
    fn vtable_abi_per_target_family() {
        let item = Struct::parse(tok(
            r#"#[repr(C)] struct V_Vtbl {
                pub base__: B_Vtbl,
                pub F: unsafe extern "system" fn(this: *mut V) -> i32,
                #[explicit_stdcall] pub G: unsafe extern "system" fn(this: *mut V),
                pub H: unsafe extern "C" fn(this: *mut V),
                pub K: unsafe extern "system" fn(this: *mut V, cb: Option<unsafe extern "system" fn()>),
            }"#,
        ))
        .unwrap();
        let out = expand_vtable(TokenStream::new(), item).unwrap();
        assert!(
            !out.to_string().contains("explicit_stdcall"),
            "markers must not survive"
        );
        let file: syn::File = syn::parse2(out).unwrap();
        // The trait, then (struct, builder) for each of the three target families.
        assert_eq!(file.items.len(), 7);
        assert!(matches!(&file.items[0], syn::Item::Trait(t) if t.ident == "V_Impl"));
        let text = |i: usize| {
            let item = &file.items[i];
            quote::quote!(#item).to_string()
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
        let item = TypeAlias::parse(tok(
            r#"pub type PFN = Option<unsafe extern "system" fn(p: *mut u8) -> i32>;"#,
        ))
        .unwrap();
        let out = expand_function_pointer(TokenStream::new(), item)
            .unwrap()
            .to_string();
        let v = variants(&out);
        assert!(v[0].contains("extern \"system\""), "{}", v[0]);
        assert!(v[1].contains("extern \"win64\""), "{}", v[1]);
        assert!(v[2].contains("extern \"system\""), "{}", v[2]);
    }

    #[test]
    fn abi_on_functions_follows_the_table() {
        let item = tok(r#"unsafe extern "system" fn f(this: *mut u8) -> i32 { 0 }"#);
        let member = expand_abi(tok("member"), item.clone()).unwrap().to_string();
        let v = variants(&member);
        assert!(v[0].contains("extern \"thiscall\""), "{}", v[0]);
        assert!(v[1].contains("extern \"win64\""), "{}", v[1]);
        assert!(v[2].contains("extern \"system\""), "{}", v[2]);
        let winapi = expand_abi(tok("winapi"), item.clone()).unwrap().to_string();
        assert!(variants(&winapi)[0].contains("extern \"system\""));
        assert!(expand_abi(tok("other"), item).is_err());
        let c = tok(r#"extern "C" fn g() {}"#);
        assert!(expand_abi(tok("member"), c).is_err());
    }

    #[test]
    fn rejects_arguments_and_tuple_structs() {
        assert!(Struct::parse(tok("struct V(u32);")).is_err());
        let item = Struct::parse(tok("struct V { a: u32 }")).unwrap();
        assert!(expand_vtable(tok("x"), item).is_err());
    }
}
