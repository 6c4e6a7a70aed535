//! Safe wrappers: the conventions of the whole API, in one place.
//!
//! The generator annotates each vtable slot with `#[wrap(...)]`, a plain description of how the
//! method maps to Rust (its name, and a *kind* for the return value and each parameter that is
//! not passed as is). This module turns that description into an `#[inline]` inherent method on
//! the interface struct: the raw indirect call plus the conversions the kinds name, nothing else.
//!
//! ```text
//! #[wrap(name = get_header, cpp = "IHttpRequest::GetHeader", slot = 3,
//!        ret = bytes(pcchHeaderValue), params(pszHeaderName = cstr, pcchHeaderValue = len_out),
//!        page = "ihttprequest-getheader-method", doc = "...")]
//! pub GetHeader_PCSTR: unsafe extern "system" fn(this: *mut IHttpRequest,
//!     pszHeaderName: PCSTR, pcchHeaderValue: *mut u16) -> PCSTR,
//! ```
//! becomes `pub fn get_header(&self, header_name: &CStr) -> Option<&[u8]>`.
//!
//! | kind | parameter in Rust | return value in Rust |
//! |---|---|---|
//! | `value` (default) | as in C++ | as in C++ |
//! | `bool` | `bool` (C++ `BOOL`) | `bool` |
//! | `hresult` | | `Result<outputs>` |
//! | `cstr` / `wstr` | `&CStr` / `&U16CStr` (NUL-terminated by construction) | `Option<&CStr>` / `Option<&U16CStr>` |
//! | `opt_cstr` / `opt_wstr` | `Option<&CStr>` / `Option<&U16CStr>` (NULL for `None`) | |
//! | `bytes(L)` / `wide(L)` | `&[u8]` / `&U16Str`, length param `L` filled from the slice | `Option<&[u8]>` / `Option<&U16Str>`, length read from out-param `L` |
//! | `flags(T)` | `T`, a typed mask such as `RequestNotifications` (passes its `u32`) | |
//! | `iface` / `opt_iface` | `&T` / `Option<&T>` | `&T` (NULL panics, never UB) / `Option<&T>` |
//! | `out`, `out_bool`, `out_iface`, `out_cstr`, `out_wstr`, `out_bytes(L)`, `out_wide(L)` | (none: returned) | appended to the outputs |
//! | `len_out` | (none) | consumed by the `bytes(L)`/`wide(L)` that names it |
//! | `raw` | as in C++ (the method is then `unsafe`) | as in C++ |
//!
//! Parameters listed in `defaults(...)` (C++ default arguments) are left out of the short form,
//! which passes the default; `<name>_with` takes them all. `safety = "..."` makes the wrapper an
//! `unsafe fn` whose `# Safety` section is that text.

use proc_macro2::{Ident, Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Field, ItemStruct, LitInt, LitStr, Type, TypeBareFn};

/// `ident` or `ident(ident)`.
#[derive(Clone)]
pub struct Kind {
    pub name: Ident,
    pub arg: Option<Ident>,
}

impl Parse for Kind {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name: Ident = input.call(syn::ext::IdentExt::parse_any)?;
        let arg = if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            Some(content.call(syn::ext::IdentExt::parse_any)?)
        } else {
            None
        };
        Ok(Kind { name, arg })
    }
}

impl Kind {
    fn is(&self, name: &str) -> bool {
        self.name == name
    }
}

/// A parsed `#[wrap(...)]`.
pub struct Spec {
    pub name: Ident,
    pub cpp: String,
    pub slot: u32,
    pub ret: Option<Kind>,
    pub params: Vec<(Ident, Kind)>,
    pub defaults: Vec<(Ident, Expr)>,
    pub safety: Option<String>,
    pub page: Option<String>,
    pub doc: String,
    span: Span,
}

pub fn parse_spec(attr: &syn::Attribute) -> syn::Result<Spec> {
    let mut spec = Spec {
        name: format_ident!("_"),
        cpp: String::new(),
        slot: 0,
        ret: None,
        params: Vec::new(),
        defaults: Vec::new(),
        safety: None,
        page: None,
        doc: String::new(),
        span: Span::call_site(),
    };
    let mut named = false;
    attr.parse_nested_meta(|meta| {
        let key = meta
            .path
            .get_ident()
            .map(Ident::to_string)
            .unwrap_or_default();
        match key.as_str() {
            "name" => {
                spec.name = meta.value()?.call(syn::ext::IdentExt::parse_any)?;
                spec.span = spec.name.span();
                named = true;
            }
            "cpp" => spec.cpp = meta.value()?.parse::<LitStr>()?.value(),
            "slot" => spec.slot = meta.value()?.parse::<LitInt>()?.base10_parse()?,
            "ret" => spec.ret = Some(meta.value()?.parse()?),
            "safety" => spec.safety = Some(meta.value()?.parse::<LitStr>()?.value()),
            "page" => spec.page = Some(meta.value()?.parse::<LitStr>()?.value()),
            "doc" => spec.doc = meta.value()?.parse::<LitStr>()?.value(),
            "params" => meta.parse_nested_meta(|param| {
                let name = param_ident(&param.path)?;
                spec.params.push((name, param.value()?.parse()?));
                Ok(())
            })?,
            "defaults" => meta.parse_nested_meta(|param| {
                let name = param_ident(&param.path)?;
                spec.defaults.push((name, param.value()?.parse()?));
                Ok(())
            })?,
            _ => return Err(meta.error(format!("unknown `#[wrap]` key `{key}`"))),
        }
        Ok(())
    })?;
    if !named {
        return Err(syn::Error::new_spanned(
            attr,
            "`#[wrap]` needs `name = ...`",
        ));
    }
    Ok(spec)
}

fn param_ident(path: &syn::Path) -> syn::Result<Ident> {
    path.segments
        .first()
        .filter(|_| path.segments.len() == 1)
        .map(|s| s.ident.clone())
        .ok_or_else(|| syn::Error::new_spanned(path, "expected a parameter name"))
}

/// The base URL of the reference pages named by `page = "..."`.
const REFERENCE: &str =
    "https://learn.microsoft.com/en-us/iis/web-development-reference/native-code-api-reference/";

/// Every wrapper of a vtable struct, as one `impl <Class> { ... }`.
pub fn wrappers(item: &ItemStruct) -> syn::Result<TokenStream2> {
    let vtbl = item.ident.to_string();
    let Some(class) = vtbl.strip_suffix("_Vtbl") else {
        return Err(syn::Error::new_spanned(
            &item.ident,
            "name must end in `_Vtbl`",
        ));
    };
    let class = format_ident!("{}", class);
    let mut methods = Vec::new();
    for field in item.fields.iter() {
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("wrap")) {
            let spec = parse_spec(attr)?;
            methods.push(method(field, &spec)?);
        }
    }
    if methods.is_empty() {
        return Ok(TokenStream2::new());
    }
    Ok(quote! {
        // Pointer-typed values a safe wrapper passes through are opaque ids and handles
        // (`HTTP_MODULE_ID`, `HANDLE`), never memory IIS reads: the generator refuses any other
        // raw pointer in a safe wrapper.
        #[allow(clippy::too_many_arguments, clippy::not_unsafe_ptr_arg_deref, deprecated)]
        impl #class {
            #(#methods)*
        }
    })
}

/// One parameter of the raw slot and what the wrapper does with it.
struct Param<'a> {
    raw: Ident,
    rust: Ident,
    ty: &'a Type,
    kind: Kind,
    default: Option<&'a Expr>,
}

fn method(field: &Field, spec: &Spec) -> syn::Result<TokenStream2> {
    let slot_name = field.ident.as_ref().expect("named field");
    let Type::BareFn(f) = &field.ty else {
        return Err(syn::Error::new_spanned(
            &field.ty,
            "a slot is a function pointer",
        ));
    };
    let params = params(f, spec)?;
    let ret_kind = spec.ret.clone().unwrap_or(Kind {
        name: format_ident!("value"),
        arg: None,
    });
    let has_defaults = params.iter().any(|p| p.default.is_some());
    let short = build(slot_name, f, spec, &params, &ret_kind, false)?;
    let with = if has_defaults {
        build(slot_name, f, spec, &params, &ret_kind, true)?
    } else {
        TokenStream2::new()
    };
    Ok(quote!(#short #with))
}

fn params<'a>(f: &'a TypeBareFn, spec: &'a Spec) -> syn::Result<Vec<Param<'a>>> {
    let mut out = Vec::new();
    for arg in f.inputs.iter().skip(1) {
        let Some((raw, _)) = &arg.name else {
            return Err(syn::Error::new_spanned(
                arg,
                "slot parameters must be named",
            ));
        };
        let kind = spec
            .params
            .iter()
            .find(|(name, _)| name == raw)
            .map(|(_, k)| k.clone())
            .unwrap_or(Kind {
                name: format_ident!("value"),
                arg: None,
            });
        let default = spec
            .defaults
            .iter()
            .find(|(name, _)| name == raw)
            .map(|(_, e)| e);
        out.push(Param {
            rust: rust_param_name(raw),
            raw: raw.clone(),
            ty: &arg.ty,
            kind,
            default,
        });
    }
    // Two parameters that lose their prefixes to the same name (`pszUrl`, `cchUrl`): the one the
    // caller does not see (a length or an output) keeps its prefix; if that is not enough, both.
    let hidden: Vec<bool> = out
        .iter()
        .map(|p| {
            let kind = p.kind.name.to_string();
            kind.starts_with("out")
                || kind == "len_out"
                || out.iter().any(|q| {
                    matches!(q.kind.name.to_string().as_str(), "bytes" | "wide")
                        && q.kind.arg.as_ref() == Some(&p.raw)
                })
        })
        .collect();
    for pass in 0..2 {
        let names: Vec<Ident> = out.iter().map(|p| p.rust.clone()).collect();
        for (i, p) in out.iter_mut().enumerate() {
            let clash = names.iter().filter(|n| **n == names[i]).count() > 1;
            if clash && (hidden[i] || pass == 1) {
                p.rust = snake_name(&p.raw, false);
            }
        }
    }
    let named = spec.params.iter().map(|(n, _)| n);
    for name in named.chain(spec.defaults.iter().map(|(n, _)| n)) {
        if !out.iter().any(|p| &p.raw == name) {
            return Err(syn::Error::new(
                spec.span,
                format!("`#[wrap]` names `{name}`, which is not a parameter of this slot"),
            ));
        }
    }
    Ok(out)
}

/// `pszHeaderName` → `header_name`: Hungarian prefixes dropped, snake_case, keywords made raw.
pub fn rust_param_name(raw: &Ident) -> Ident {
    snake_name(raw, true)
}

fn snake_name(raw: &Ident, strip_prefix: bool) -> Ident {
    const PREFIXES: [&str; 24] = [
        "ppsz", "pwsz", "pcwsz", "psz", "wsz", "sz", "pcch", "cch", "pcb", "cb", "pdw", "dw",
        "ppv", "pv", "pp", "pf", "f", "ul", "u", "hr", "pb", "pc", "p", "h",
    ];
    let text = raw.to_string();
    let text = text.trim_start_matches("r#");
    let stem = PREFIXES
        .iter()
        .filter(|_| strip_prefix)
        .find_map(|prefix| {
            text.strip_prefix(prefix)
                .filter(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        })
        .unwrap_or(text);
    let mut snake = String::new();
    let chars: Vec<char> = stem.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
        if boundary && !snake.ends_with('_') {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    match snake.as_str() {
        "self" | "super" | "crate" | "" | "_" => format_ident!("{}_", snake),
        _ if syn::parse_str::<Ident>(&snake).is_err() || snake == "gen" => {
            Ident::new_raw(&snake, Span::call_site())
        }
        _ => Ident::new(&snake, Span::call_site()),
    }
}

/// `*mut T` / `*const T` → (`T`, is `*mut`).
fn pointee(ty: &Type) -> Option<(&Type, bool)> {
    match ty {
        Type::Ptr(p) => Some((&p.elem, p.mutability.is_some())),
        _ => None,
    }
}

fn need_pointee<'a>(p: &'a Param<'_>) -> syn::Result<(&'a Type, bool)> {
    pointee(p.ty).ok_or_else(|| {
        syn::Error::new_spanned(
            p.ty,
            format!("kind `{}` needs a pointer parameter", p.kind.name),
        )
    })
}

/// Paths the expansion uses: the `httpserv` runtime (the generated crate declares
/// `extern crate self as httpserv`, so this also works inside it).
fn rt() -> TokenStream2 {
    quote!(::httpserv::runtime)
}

/// One wrapper: the short form (`with_defaults == false`) or the `_with` form.
fn build(
    slot: &Ident,
    f: &TypeBareFn,
    spec: &Spec,
    params: &[Param<'_>],
    ret_kind: &Kind,
    with_defaults: bool,
) -> syn::Result<TokenStream2> {
    let rt = rt();
    let fallible = ret_kind.is("hresult");
    let mut inputs = Vec::new(); // Rust parameters
    let mut prelude = Vec::new(); // statements before the call
    let mut args = Vec::new(); // raw call arguments
    let mut outputs = Vec::new(); // (expression, type) of the results after the call
    let rust_of = |raw: &Ident| {
        params
            .iter()
            .find(|p| &p.raw == raw)
            .map_or_else(|| rust_param_name(raw), |p| p.rust.clone())
    };
    let length_of = |target: &Ident| {
        params.iter().find(|p| {
            matches!(&p.kind.arg, Some(a) if a == target)
                && matches!(p.kind.name.to_string().as_str(), "bytes" | "wide")
        })
    };
    for p in params {
        let (raw, rust, ty) = (&p.raw, &p.rust, p.ty);
        let kind = p.kind.name.to_string();
        // Short form: a defaulted input becomes a local holding the default.
        let exposed = |inputs: &mut Vec<TokenStream2>,
                       prelude: &mut Vec<TokenStream2>,
                       rust_ty: TokenStream2| {
            match p.default {
                Some(default) if !with_defaults => {
                    prelude.push(quote!(let #rust: #rust_ty = #default;))
                }
                _ => inputs.push(quote!(#rust: #rust_ty)),
            }
        };
        match kind.as_str() {
            "value" | "raw" => {
                if let Some(slice) = length_of(raw) {
                    // A length filled from the slice parameter that names it.
                    let slice = &slice.rust;
                    let len = if fallible {
                        quote!(#rt::length(#slice.len())?)
                    } else {
                        quote!(#rt::length_or_panic(#slice.len()))
                    };
                    prelude.push(quote!(let #rust: #ty = #len;));
                } else {
                    exposed(&mut inputs, &mut prelude, quote!(#ty));
                }
                args.push(quote!(#rust));
            }
            "bool" => {
                exposed(&mut inputs, &mut prelude, quote!(bool));
                args.push(quote!(#rt::from_bool(#rust)));
            }
            "cstr" => {
                exposed(&mut inputs, &mut prelude, quote!(&::core::ffi::CStr));
                args.push(quote!(#rust.as_ptr().cast()));
            }
            "wstr" => {
                exposed(&mut inputs, &mut prelude, quote!(&::widestring::U16CStr));
                args.push(quote!(#rust.as_ptr().cast()));
            }
            "flags" => {
                let Some(flags) = &p.kind.arg else {
                    return Err(syn::Error::new(
                        spec.span,
                        "`flags(Type)` needs the flags type",
                    ));
                };
                exposed(&mut inputs, &mut prelude, quote!(#flags));
                args.push(quote!(#rust.0));
            }
            "opt_cstr" => {
                exposed(
                    &mut inputs,
                    &mut prelude,
                    quote!(Option<&::core::ffi::CStr>),
                );
                args.push(quote!(#rust.map_or(::core::ptr::null(), |s| s.as_ptr().cast())));
            }
            "opt_wstr" => {
                exposed(
                    &mut inputs,
                    &mut prelude,
                    quote!(Option<&::widestring::U16CStr>),
                );
                args.push(quote!(#rust.map_or(::core::ptr::null(), |s| s.as_ptr().cast())));
            }
            "bytes" => {
                exposed(&mut inputs, &mut prelude, quote!(&[u8]));
                args.push(quote!(#rust.as_ptr().cast()));
            }
            "wide" => {
                exposed(&mut inputs, &mut prelude, quote!(&::widestring::U16Str));
                args.push(quote!(#rust.as_ptr().cast()));
            }
            "iface" | "opt_iface" => {
                let (target, mutable) = need_pointee(p)?;
                let cast = if mutable {
                    quote!(.cast_mut())
                } else {
                    quote!()
                };
                if kind == "iface" {
                    exposed(&mut inputs, &mut prelude, quote!(&#target));
                    args.push(quote!(::core::ptr::from_ref(#rust)#cast));
                } else {
                    exposed(&mut inputs, &mut prelude, quote!(Option<&#target>));
                    let null = if mutable {
                        quote!(::core::ptr::null_mut())
                    } else {
                        quote!(::core::ptr::null())
                    };
                    args.push(quote!(match #rust { Some(r) => ::core::ptr::from_ref(r)#cast, None => #null }));
                }
            }
            "out" | "out_bool" | "len_out" | "out_iface" | "out_cstr" | "out_wstr"
            | "out_bytes" | "out_wide" => {
                let (target, _) = need_pointee(p)?;
                prelude.push(quote!(let mut #rust: #target = unsafe { ::core::mem::zeroed() };));
                args.push(quote!(&mut #rust));
                let len = p.kind.arg.as_ref().map(&rust_of);
                let result = match kind.as_str() {
                    "out" => Some((quote!(#rust), quote!(#target))),
                    "out_bool" => Some((quote!(#rt::to_bool(#rust)), quote!(bool))),
                    "out_iface" => {
                        let (iface, _) = pointee(target).ok_or_else(|| {
                            syn::Error::new_spanned(ty, "`out_iface` needs `*mut *mut T`")
                        })?;
                        Some((
                            quote!(unsafe { #rt::interface(#rust) }),
                            quote!(Option<&#iface>),
                        ))
                    }
                    "out_cstr" => Some((
                        quote!(unsafe { #rt::c_string(#rust.cast()) }),
                        quote!(Option<&::core::ffi::CStr>),
                    )),
                    "out_wstr" => Some((
                        quote!(unsafe { #rt::wide_c_string(#rust.cast()) }),
                        quote!(Option<&::widestring::U16CStr>),
                    )),
                    "out_bytes" => Some((
                        quote!(unsafe { #rt::bytes(#rust.cast(), #len) }),
                        quote!(Option<&[u8]>),
                    )),
                    "out_wide" => Some((
                        quote!(unsafe { #rt::wide(#rust.cast(), #len) }),
                        quote!(Option<&::widestring::U16Str>),
                    )),
                    _ => None, // len_out: consumed by the string that names it
                };
                outputs.extend(result);
            }
            other => {
                return Err(syn::Error::new(
                    spec.span,
                    format!("unknown parameter kind `{other}` for `{raw}`"),
                ));
            }
        }
    }

    // The return value.
    let ret_ty = match &f.output {
        syn::ReturnType::Type(_, ty) => Some(&**ty),
        syn::ReturnType::Default => None,
    };
    let len = ret_kind.arg.as_ref().map(rust_of);
    let method_path = &spec.cpp;
    let (ret_expr, ret_rust): (Option<TokenStream2>, Option<TokenStream2>) =
        match (ret_kind.name.to_string().as_str(), ret_ty) {
            (_, None) => (None, None),
            ("hresult", Some(_)) => (None, None),
            ("value" | "raw", Some(ty)) => (Some(quote!(ret)), Some(quote!(#ty))),
            ("bool", Some(_)) => (Some(quote!(#rt::to_bool(ret))), Some(quote!(bool))),
            ("iface" | "opt_iface", Some(ty)) => {
                let (target, mutable) = pointee(ty)
                    .ok_or_else(|| syn::Error::new_spanned(ty, "`iface` return needs a pointer"))?;
                let ptr = if mutable {
                    quote!(ret)
                } else {
                    quote!(ret.cast_mut())
                };
                if ret_kind.is("iface") {
                    (
                        Some(quote!(#rt::non_null(unsafe { #rt::interface(#ptr) }, #method_path))),
                        Some(quote!(&#target)),
                    )
                } else {
                    (
                        Some(quote!(unsafe { #rt::interface(#ptr) })),
                        Some(quote!(Option<&#target>)),
                    )
                }
            }
            ("cstr", Some(_)) => (
                Some(quote!(unsafe { #rt::c_string(ret.cast()) })),
                Some(quote!(Option<&::core::ffi::CStr>)),
            ),
            ("wstr", Some(_)) => (
                Some(quote!(unsafe { #rt::wide_c_string(ret.cast()) })),
                Some(quote!(Option<&::widestring::U16CStr>)),
            ),
            ("bytes", Some(_)) => (
                Some(quote!(unsafe { #rt::bytes(ret.cast(), #len) })),
                Some(quote!(Option<&[u8]>)),
            ),
            ("wide", Some(_)) => (
                Some(quote!(unsafe { #rt::wide(ret.cast(), #len) })),
                Some(quote!(Option<&::widestring::U16Str>)),
            ),
            (other, Some(_)) => {
                return Err(syn::Error::new(
                    spec.span,
                    format!("unknown return kind `{other}`"),
                ));
            }
        };
    let mut values: Vec<TokenStream2> = ret_expr.into_iter().collect();
    let mut types: Vec<TokenStream2> = ret_rust.into_iter().collect();
    values.extend(outputs.iter().map(|(v, _)| v.clone()));
    types.extend(outputs.iter().map(|(_, t)| t.clone()));
    let (value, value_ty) = match values.len() {
        0 => (quote!(()), quote!(())),
        1 => (values[0].clone(), types[0].clone()),
        _ => (quote!((#(#values),*)), quote!((#(#types),*))),
    };
    let (body_end, signature_ret) = if fallible {
        (
            quote!(#rt::check(ret, #value)),
            quote!(-> #rt::Result<#value_ty>),
        )
    } else if values.is_empty() {
        (quote!(let _ = ret;), quote!())
    } else {
        (value, quote!(-> #value_ty))
    };

    let name = if with_defaults {
        format_ident!("{}_with", spec.name.to_string().trim_start_matches("r#"))
    } else {
        spec.name.clone()
    };
    let unsafety = spec.safety.as_ref().map(|_| quote!(unsafe));
    let mut docs = Vec::new();
    if with_defaults {
        let short = &spec.name;
        docs.push(format!(
            " Like [`Self::{short}`], with every C++ default argument explicit."
        ));
    } else {
        docs.push(format!(" {}", spec.doc));
        let omitted: Vec<String> = params
            .iter()
            .filter(|p| p.default.is_some())
            .map(|p| format!("`{}`", p.rust))
            .collect();
        if !omitted.is_empty() {
            docs.push(String::new());
            docs.push(format!(
                " Passes the C++ defaults for {}; `{}_with` takes them.",
                omitted.join(", "),
                spec.name.to_string().trim_start_matches("r#")
            ));
        }
    }
    docs.push(String::new());
    let link = spec
        .page
        .as_ref()
        .map(|page| format!(" ([reference]({REFERENCE}{page}))"))
        .unwrap_or_default();
    docs.push(format!(" `{}`, vtable slot {}{link}.", spec.cpp, spec.slot));
    if let Some(safety) = &spec.safety {
        docs.push(String::new());
        docs.push(" # Safety".to_string());
        docs.push(format!(" {safety}"));
    }
    let call_ret = if ret_ty.is_some() {
        quote!(let ret =)
    } else {
        quote!(let ret: () =)
    };
    Ok(quote! {
        #(#[doc = #docs])*
        #[inline]
        pub #unsafety fn #name(&self #(, #inputs)*) #signature_ret {
            #(#prelude)*
            // SAFETY: `self` is a live object whose first field points to its vtable; the
            // arguments are converted as the `#[wrap]` kinds of this slot state.
            #call_ret unsafe { ((*self.lpVtbl).#slot)(::core::ptr::from_ref(self).cast_mut() #(, #args)*) };
            #body_end
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hungarian_prefixes_are_dropped() {
        let name = |s: &str| rust_param_name(&format_ident!("{}", s)).to_string();
        assert_eq!(name("pszHeaderName"), "header_name");
        assert_eq!(name("pcchHeaderValue"), "header_value");
        assert_eq!(name("fReplace"), "replace");
        assert_eq!(name("statusCode"), "status_code");
        assert_eq!(name("uSubStatus"), "sub_status");
        assert_eq!(name("pHttpContext"), "http_context");
        assert_eq!(name("ulHeaderIndex"), "header_index");
        assert_eq!(name("pszURL"), "url");
        assert_eq!(name("type"), "r#type");
    }
}
