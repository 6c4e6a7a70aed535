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

use std::fmt::Write;

use crate::pm::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use crate::syntax::{
    self, Attribute, BareFn, Cursor, Error, Field, Result, Struct, integer_value, split_entries,
};

/// `kind` or `kind(parameter)`.
#[derive(Clone)]
pub struct Kind {
    pub name: String,
    pub arg: Option<String>,
}

impl Kind {
    const VALUE: &str = "value";

    fn value() -> Self {
        Kind {
            name: Kind::VALUE.to_string(),
            arg: None,
        }
    }

    fn parse(tokens: TokenStream, key: &str) -> Result<Self> {
        let mut cursor = Cursor::new(tokens);
        let name = cursor.expect_ident(&format!("a kind after `{key} =`"))?;
        let arg = match cursor.peek() {
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                let mut inner = Cursor::new(g.stream());
                let arg = inner.expect_ident("a parameter name in the kind's parentheses")?;
                if !inner.is_end() {
                    return Err(Error::new(inner.span(), "expected one parameter name"));
                }
                cursor.next();
                Some(arg.to_string())
            }
            _ => None,
        };
        if !cursor.is_end() {
            return Err(Error::new(
                cursor.span(),
                "unexpected tokens after the kind",
            ));
        }
        Ok(Kind {
            name: name.to_string(),
            arg,
        })
    }

    fn is(&self, name: &str) -> bool {
        self.name == name
    }
}

/// A parsed `#[wrap(...)]`.
pub struct Spec {
    /// The wrapper's name (`r#type` if it is a keyword).
    pub name: String,
    pub cpp: String,
    pub slot: u32,
    pub ret: Option<Kind>,
    pub params: Vec<(String, Kind)>,
    pub defaults: Vec<(String, TokenStream)>,
    pub safety: Option<String>,
    pub page: Option<String>,
    pub doc: String,
    span: Span,
}

/// The entries of a comma-separated list: `key = value` (the value's tokens) or `key(...)`
/// (the parenthesised tokens, with `nested` true).
fn entries(tokens: TokenStream) -> Result<Vec<(Ident, TokenStream, bool)>> {
    let mut out = Vec::new();
    for piece in split_entries(tokens) {
        let mut cursor = Cursor::new(piece);
        let key = cursor.expect_ident("a key")?;
        if cursor.eat_punct('=') {
            if cursor.is_end() {
                return Err(Error::new(key.span(), format!("`{key} =` needs a value")));
            }
            out.push((key, cursor.rest(), false));
        } else {
            let inner = cursor.expect_group(
                Delimiter::Parenthesis,
                &format!("`= value` or `(...)` after `{key}`"),
            )?;
            if !cursor.is_end() {
                return Err(Error::new(cursor.span(), "unexpected tokens"));
            }
            out.push((key, inner, true));
        }
    }
    Ok(out)
}

fn string(key: &Ident, value: TokenStream) -> Result<String> {
    let mut cursor = Cursor::new(value);
    let text = cursor.expect_string(&format!("`{key}`"))?;
    if !cursor.is_end() {
        return Err(Error::new(
            cursor.span(),
            "unexpected tokens after the string",
        ));
    }
    Ok(text)
}

fn single_ident(key: &Ident, value: TokenStream) -> Result<Ident> {
    let mut cursor = Cursor::new(value);
    let ident = cursor.expect_ident(&format!("a name after `{key} =`"))?;
    if !cursor.is_end() {
        return Err(Error::new(cursor.span(), "expected a single name"));
    }
    Ok(ident)
}

pub fn parse_spec(attr: &Attribute) -> Result<Spec> {
    let mut spec = Spec {
        name: String::new(),
        cpp: String::new(),
        slot: 0,
        ret: None,
        params: Vec::new(),
        defaults: Vec::new(),
        safety: None,
        page: None,
        doc: String::new(),
        span: attr.span,
    };
    for (key, value, nested) in entries(attr.args.clone())? {
        let text = key.to_string();
        let expected_nested = matches!(text.as_str(), "params" | "defaults");
        if nested != expected_nested {
            let form = if expected_nested { "(...)" } else { " = value" };
            return Err(Error::new(key.span(), format!("write `{key}{form}`")));
        }
        match text.as_str() {
            "name" => {
                let name = single_ident(&key, value)?;
                spec.span = name.span();
                spec.name = name.to_string();
            }
            "cpp" => spec.cpp = string(&key, value)?,
            "slot" => {
                spec.slot = match value.clone().into_iter().collect::<Vec<_>>().as_slice() {
                    [TokenTree::Literal(lit)] => integer_value(lit)
                        .and_then(|v| u32::try_from(v).ok())
                        .ok_or_else(|| Error::spanned(&value, "expected a slot number"))?,
                    _ => return Err(Error::spanned(&value, "expected a slot number")),
                }
            }
            "ret" => spec.ret = Some(Kind::parse(value, &text)?),
            "safety" => spec.safety = Some(string(&key, value)?),
            "page" => spec.page = Some(string(&key, value)?),
            "doc" => spec.doc = string(&key, value)?,
            "params" | "defaults" => {
                for (param, value, nested) in entries(value)? {
                    if nested {
                        return Err(Error::new(
                            param.span(),
                            format!("write `{param} = ...` inside `{key}(...)`"),
                        ));
                    }
                    let param = param.to_string();
                    if text == "params" {
                        let kind = Kind::parse(value, &param)?;
                        spec.params.push((param, kind));
                    } else {
                        spec.defaults.push((param, value));
                    }
                }
            }
            _ => {
                return Err(Error::new(
                    key.span(),
                    format!("unknown `#[wrap]` key `{key}`"),
                ));
            }
        }
    }
    if spec.name.is_empty() {
        return Err(Error::new(attr.span, "`#[wrap]` needs `name = ...`"));
    }
    Ok(spec)
}

/// The base URL of the reference pages named by `page = "..."`.
const REFERENCE: &str =
    "https://learn.microsoft.com/en-us/iis/web-development-reference/native-code-api-reference/";

/// Every wrapper of a vtable struct, as one `impl <Class> { ... }` (empty if the struct has no
/// `#[wrap]`).
pub fn wrappers(item: &Struct) -> Result<TokenStream> {
    let vtbl = item.name.to_string();
    let Some(class) = vtbl.strip_suffix("_Vtbl") else {
        return Err(Error::new(item.name.span(), "name must end in `_Vtbl`"));
    };
    let mut methods = TokenStream::new();
    for field in item.fields.iter() {
        for attr in field.attrs.iter().filter(|a| a.is("wrap")) {
            let spec = parse_spec(attr)?;
            methods.extend(method(field, &spec)?);
        }
    }
    if methods.is_empty() {
        return Ok(TokenStream::new());
    }
    // Pointer-typed values a safe wrapper passes through are opaque ids and handles
    // (`HTTP_MODULE_ID`, `HANDLE`), never memory IIS reads: the generator refuses any other raw
    // pointer in a safe wrapper.
    let mut out = syntax::parse(&format!(
        "#[allow(clippy::too_many_arguments, clippy::not_unsafe_ptr_arg_deref, deprecated)] \
         impl {class}"
    ));
    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, methods))]);
    Ok(out)
}

/// One parameter of the raw slot and what the wrapper does with it.
struct Param<'a> {
    raw: String,
    rust: String,
    ty: &'a TokenStream,
    kind: Kind,
    default: Option<&'a TokenStream>,
}

fn method(field: &Field, spec: &Spec) -> Result<TokenStream> {
    let slot_name = field.name.to_string();
    let Some(f) = BareFn::parse(&field.ty)? else {
        return Err(Error::spanned(&field.ty, "a slot is a function pointer"));
    };
    let params = params(&f, spec)?;
    let ret_kind = spec.ret.clone().unwrap_or_else(Kind::value);
    let mut text = build(&slot_name, &f, spec, &params, &ret_kind, false)?;
    if params.iter().any(|p| p.default.is_some()) {
        text.push_str(&build(&slot_name, &f, spec, &params, &ret_kind, true)?);
    }
    // The names keep the span of `name = ...`, so that a compile error about a call ("method
    // defined here") points at the wrapper's description, not at the whole `#[vtable]`.
    Ok(name_spans(syntax::parse(&text), spec.span))
}

/// `tokens` with the name after each top-level `fn` spanned at `span`.
fn name_spans(tokens: TokenStream, span: Span) -> TokenStream {
    let mut after_fn = false;
    tokens
        .into_iter()
        .map(|mut token| {
            if after_fn && let TokenTree::Ident(ident) = &mut token {
                ident.set_span(span);
            }
            after_fn = syntax::is_ident(&token, "fn");
            token
        })
        .collect()
}

fn params<'a>(f: &'a BareFn, spec: &'a Spec) -> Result<Vec<Param<'a>>> {
    let mut out = Vec::new();
    for arg in f.inputs.iter().skip(1) {
        let Some(raw) = &arg.name else {
            return Err(Error::spanned(&arg.ty, "slot parameters must be named"));
        };
        let raw = raw.to_string();
        let kind = spec
            .params
            .iter()
            .find(|(name, _)| *name == raw)
            .map_or_else(Kind::value, |(_, k)| k.clone());
        let default = spec
            .defaults
            .iter()
            .find(|(name, _)| *name == raw)
            .map(|(_, e)| e);
        out.push(Param {
            rust: rust_param_name(&raw),
            raw,
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
            p.kind.name.starts_with("out")
                || p.kind.is("len_out")
                || out.iter().any(|q| {
                    matches!(q.kind.name.as_str(), "bytes" | "wide")
                        && q.kind.arg.as_ref() == Some(&p.raw)
                })
        })
        .collect();
    for pass in 0..2 {
        let names: Vec<String> = out.iter().map(|p| p.rust.clone()).collect();
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
            return Err(Error::new(
                spec.span,
                format!("`#[wrap]` names `{name}`, which is not a parameter of this slot"),
            ));
        }
    }
    Ok(out)
}

/// `pszHeaderName` → `header_name`: Hungarian prefixes dropped, snake_case, keywords made raw.
pub fn rust_param_name(raw: &str) -> String {
    snake_name(raw, true)
}

fn snake_name(raw: &str, strip_prefix: bool) -> String {
    const PREFIXES: [&str; 24] = [
        "ppsz", "pwsz", "pcwsz", "psz", "wsz", "sz", "pcch", "cch", "pcb", "cb", "pdw", "dw",
        "ppv", "pv", "pp", "pf", "f", "ul", "u", "hr", "pb", "pc", "p", "h",
    ];
    let text = raw.trim_start_matches("r#");
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
        "self" | "super" | "crate" | "" | "_" => format!("{snake}_"),
        _ if is_keyword(&snake) => format!("r#{snake}"),
        _ => snake,
    }
}

/// Keywords of Rust 2024 (strict and reserved), which a parameter name must not be. The same
/// list as the generator's (`codegen/src/validate.rs`, `is_keyword`), which this crate cannot
/// depend on.
fn is_keyword(name: &str) -> bool {
    const KEYWORDS: [&str; 52] = [
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do",
        "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
        "gen",
    ];
    KEYWORDS.contains(&name)
}

fn need_pointee(p: &Param<'_>) -> Result<(TokenStream, bool)> {
    syntax::pointee(p.ty).ok_or_else(|| {
        Error::spanned(
            p.ty,
            format!("kind `{}` needs a pointer parameter", p.kind.name),
        )
    })
}

/// The `httpserv` runtime the expansion calls (the generated crate declares
/// `extern crate self as httpserv`, so this also works inside it).
const RT: &str = "::httpserv::runtime";

/// One wrapper (Rust text): the short form (`with_defaults == false`) or the `_with` form.
fn build(
    slot: &str,
    f: &BareFn,
    spec: &Spec,
    params: &[Param<'_>],
    ret_kind: &Kind,
    with_defaults: bool,
) -> Result<String> {
    let fallible = ret_kind.is("hresult");
    let mut inputs = String::new(); // Rust parameters: `, name: Type` each
    let mut prelude = String::new(); // statements before the call
    let mut args = String::new(); // raw call arguments: `, expr` each
    let mut outputs = Vec::new(); // (expression, type) of the results after the call
    let rust_of = |raw: &str| {
        params
            .iter()
            .find(|p| p.raw == raw)
            .map_or_else(|| rust_param_name(raw), |p| p.rust.clone())
    };
    let length_of = |target: &str| {
        params.iter().find(|p| {
            p.kind.arg.as_deref() == Some(target)
                && matches!(p.kind.name.as_str(), "bytes" | "wide")
        })
    };
    for p in params {
        let (raw, rust, ty) = (&p.raw, &p.rust, p.ty);
        let kind = p.kind.name.as_str();
        // Short form: a defaulted input becomes a local holding the default.
        let exposed = |inputs: &mut String, prelude: &mut String, rust_ty: &str| match p.default {
            Some(default) if !with_defaults => {
                write!(prelude, "let {rust}: {rust_ty} = {default};").unwrap()
            }
            _ => write!(inputs, ", {rust}: {rust_ty}").unwrap(),
        };
        let arg = match kind {
            "value" | "raw" => {
                if let Some(slice) = length_of(raw) {
                    // A length filled from the slice parameter that names it.
                    let slice = &slice.rust;
                    let len = if fallible {
                        format!("{RT}::length({slice}.len())?")
                    } else {
                        format!("{RT}::length_or_panic({slice}.len())")
                    };
                    write!(prelude, "let {rust}: {ty} = {len};").unwrap();
                } else {
                    exposed(&mut inputs, &mut prelude, &ty.to_string());
                }
                rust.clone()
            }
            "bool" => {
                exposed(&mut inputs, &mut prelude, "bool");
                format!("{RT}::from_bool({rust})")
            }
            "cstr" | "wstr" | "bytes" | "wide" => {
                let rust_ty = match kind {
                    "cstr" => "&::core::ffi::CStr",
                    "wstr" => "&::widestring::U16CStr",
                    "bytes" => "&[u8]",
                    _ => "&::widestring::U16Str",
                };
                exposed(&mut inputs, &mut prelude, rust_ty);
                format!("{rust}.as_ptr().cast()")
            }
            "flags" => {
                let Some(flags) = &p.kind.arg else {
                    return Err(Error::new(spec.span, "`flags(Type)` needs the flags type"));
                };
                exposed(&mut inputs, &mut prelude, flags);
                format!("{rust}.0")
            }
            "opt_cstr" | "opt_wstr" => {
                let rust_ty = if kind == "opt_cstr" {
                    "Option<&::core::ffi::CStr>"
                } else {
                    "Option<&::widestring::U16CStr>"
                };
                exposed(&mut inputs, &mut prelude, rust_ty);
                format!("{rust}.map_or(::core::ptr::null(), |s| s.as_ptr().cast())")
            }
            "iface" | "opt_iface" => {
                let (target, mutable) = need_pointee(p)?;
                let cast = if mutable { ".cast_mut()" } else { "" };
                if kind == "iface" {
                    exposed(&mut inputs, &mut prelude, &format!("&{target}"));
                    format!("::core::ptr::from_ref({rust}){cast}")
                } else {
                    exposed(&mut inputs, &mut prelude, &format!("Option<&{target}>"));
                    let null = if mutable { "null_mut" } else { "null" };
                    format!(
                        "match {rust} {{ Some(r) => ::core::ptr::from_ref(r){cast}, \
                         None => ::core::ptr::{null}() }}"
                    )
                }
            }
            "out" | "out_bool" | "len_out" | "out_iface" | "out_cstr" | "out_wstr"
            | "out_bytes" | "out_wide" => {
                let (target, _) = need_pointee(p)?;
                write!(
                    prelude,
                    "let mut {rust}: {target} = unsafe {{ ::core::mem::zeroed() }};"
                )
                .unwrap();
                let len = p.kind.arg.as_deref().map(rust_of).unwrap_or_default();
                let result = match kind {
                    "out" => Some((rust.clone(), target.to_string())),
                    "out_bool" => Some((format!("{RT}::to_bool({rust})"), "bool".to_string())),
                    "out_iface" => {
                        let (iface, _) = syntax::pointee(&target)
                            .ok_or_else(|| Error::spanned(ty, "`out_iface` needs `*mut *mut T`"))?;
                        Some((
                            format!("unsafe {{ {RT}::interface({rust}) }}"),
                            format!("Option<&{iface}>"),
                        ))
                    }
                    "out_cstr" => Some((
                        format!("unsafe {{ {RT}::c_string({rust}.cast()) }}"),
                        "Option<&::core::ffi::CStr>".to_string(),
                    )),
                    "out_wstr" => Some((
                        format!("unsafe {{ {RT}::wide_c_string({rust}.cast()) }}"),
                        "Option<&::widestring::U16CStr>".to_string(),
                    )),
                    "out_bytes" => Some((
                        format!("unsafe {{ {RT}::bytes({rust}.cast(), {len}) }}"),
                        "Option<&[u8]>".to_string(),
                    )),
                    "out_wide" => Some((
                        format!("unsafe {{ {RT}::wide({rust}.cast(), {len}) }}"),
                        "Option<&::widestring::U16Str>".to_string(),
                    )),
                    _ => None, // len_out: consumed by the string that names it
                };
                outputs.extend(result);
                format!("&mut {rust}")
            }
            other => {
                return Err(Error::new(
                    spec.span,
                    format!("unknown parameter kind `{other}` for `{raw}`"),
                ));
            }
        };
        write!(args, ", {arg}").unwrap();
    }

    // The return value.
    let ret_ty = f.output.as_ref();
    let len = ret_kind.arg.as_deref().map(rust_of).unwrap_or_default();
    let method_path = &spec.cpp;
    let (ret_expr, ret_rust): (Option<String>, Option<String>) =
        match (ret_kind.name.as_str(), ret_ty) {
            (_, None) | ("hresult", Some(_)) => (None, None),
            ("value" | "raw", Some(ty)) => (Some("ret".into()), Some(ty.to_string())),
            ("bool", Some(_)) => (Some(format!("{RT}::to_bool(ret)")), Some("bool".into())),
            ("iface" | "opt_iface", Some(ty)) => {
                let (target, mutable) = syntax::pointee(ty)
                    .ok_or_else(|| Error::spanned(ty, "`iface` return needs a pointer"))?;
                let ptr = if mutable { "ret" } else { "ret.cast_mut()" };
                if ret_kind.is("iface") {
                    (
                        Some(format!(
                            "{RT}::non_null(unsafe {{ {RT}::interface({ptr}) }}, {method_path:?})"
                        )),
                        Some(format!("&{target}")),
                    )
                } else {
                    (
                        Some(format!("unsafe {{ {RT}::interface({ptr}) }}")),
                        Some(format!("Option<&{target}>")),
                    )
                }
            }
            ("cstr", Some(_)) => (
                Some(format!("unsafe {{ {RT}::c_string(ret.cast()) }}")),
                Some("Option<&::core::ffi::CStr>".into()),
            ),
            ("wstr", Some(_)) => (
                Some(format!("unsafe {{ {RT}::wide_c_string(ret.cast()) }}")),
                Some("Option<&::widestring::U16CStr>".into()),
            ),
            ("bytes", Some(_)) => (
                Some(format!("unsafe {{ {RT}::bytes(ret.cast(), {len}) }}")),
                Some("Option<&[u8]>".into()),
            ),
            ("wide", Some(_)) => (
                Some(format!("unsafe {{ {RT}::wide(ret.cast(), {len}) }}")),
                Some("Option<&::widestring::U16Str>".into()),
            ),
            (other, Some(_)) => {
                return Err(Error::new(
                    spec.span,
                    format!("unknown return kind `{other}`"),
                ));
            }
        };
    let mut values: Vec<String> = ret_expr.into_iter().collect();
    let mut types: Vec<String> = ret_rust.into_iter().collect();
    values.extend(outputs.iter().map(|(v, _)| v.clone()));
    types.extend(outputs.iter().map(|(_, t)| t.clone()));
    let (value, value_ty) = match values.len() {
        0 => ("()".to_string(), "()".to_string()),
        1 => (values[0].clone(), types[0].clone()),
        _ => (
            format!("({})", values.join(", ")),
            format!("({})", types.join(", ")),
        ),
    };
    let (body_end, signature_ret) = if fallible {
        (
            format!("{RT}::check(ret, {value})"),
            format!("-> {RT}::Result<{value_ty}>"),
        )
    } else if values.is_empty() {
        ("let _ = ret;".to_string(), String::new())
    } else {
        (value, format!("-> {value_ty}"))
    };

    let short = spec.name.trim_start_matches("r#");
    let name = if with_defaults {
        format!("{short}_with")
    } else {
        spec.name.clone()
    };
    let unsafety = if spec.safety.is_some() { "unsafe" } else { "" };
    let mut docs = Vec::new();
    if with_defaults {
        docs.push(format!(
            " Like [`Self::{}`], with every C++ default argument explicit.",
            spec.name
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
                " Passes the C++ defaults for {}; `{short}_with` takes them.",
                omitted.join(", "),
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
    let docs: String = docs.iter().map(|d| format!("#[doc = {d:?}] ")).collect();
    let call_ret = if ret_ty.is_some() {
        "let ret ="
    } else {
        "let ret: () ="
    };
    // The call's safety: `self` is a live object whose first field points to its vtable; the
    // arguments are converted as the `#[wrap]` kinds of this slot state.
    Ok(format!(
        "{docs} #[inline] pub {unsafety} fn {name}(&self{inputs}) {signature_ret} {{ \
             {prelude} \
             {call_ret} unsafe {{ ((*self.lpVtbl).{slot})(::core::ptr::from_ref(self).cast_mut(){args}) }}; \
             {body_end} \
         }}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hungarian_prefixes_are_dropped() {
        let name = rust_param_name;
        assert_eq!(name("pszHeaderName"), "header_name");
        assert_eq!(name("pcchHeaderValue"), "header_value");
        assert_eq!(name("fReplace"), "replace");
        assert_eq!(name("statusCode"), "status_code");
        assert_eq!(name("uSubStatus"), "sub_status");
        assert_eq!(name("pHttpContext"), "http_context");
        assert_eq!(name("ulHeaderIndex"), "header_index");
        assert_eq!(name("pszURL"), "url");
        assert_eq!(name("type"), "r#type");
        assert_eq!(name("pSelf"), "self_");
    }

    fn expand(field: &str) -> Result<String> {
        let item = Struct::parse(
            format!("struct IFoo_Vtbl {{ {field} }}")
                .parse()
                .expect("test input is Rust"),
        )?;
        Ok(wrappers(&item)?.to_string())
    }

    #[test]
    fn wrapper_text_parses_and_converts_as_the_kinds_say() {
        let text = expand(
            r#"#[wrap(name = get_header, cpp = "IFoo::GetHeader", slot = 3, ret = bytes(pcchValue),
                      params(pszName = cstr, pcchValue = len_out), page = "p", doc = "Doc \"q\".")]
               pub GetHeader: unsafe extern "system" fn(this: *mut IFoo, pszName: PCSTR,
                   pcchValue: *mut u16) -> PCSTR"#,
        )
        .unwrap();
        let file: syn::File = syn::parse_str(&text).expect("the expansion is Rust");
        let syn::Item::Impl(block) = &file.items[0] else {
            panic!("{text}")
        };
        let syn::ImplItem::Fn(method) = &block.items[0] else {
            panic!("{text}")
        };
        let signature = quote::quote!(#method).to_string();
        assert!(
            signature.contains(
                "pub fn get_header (& self , name : & :: core :: ffi :: CStr) -> Option < & [u8] >"
            ),
            "{signature}"
        );
        assert!(
            signature.contains("let mut value : u16 = unsafe"),
            "{signature}"
        );
        assert!(signature.contains("Doc \\\"q\\\"."), "{signature}");
        assert!(
            signature.contains("native-code-api-reference/p"),
            "{signature}"
        );
    }

    #[test]
    fn defaults_give_a_short_form_and_a_with_form() {
        let text = expand(
            r#"#[wrap(name = set, cpp = "IFoo::Set", slot = 0, ret = hresult,
                      params(fReplace = bool), defaults(fReplace = true))]
               pub Set: unsafe extern "system" fn(this: *mut IFoo, fReplace: BOOL) -> HRESULT"#,
        )
        .unwrap();
        let text = text.replace(' ', "");
        assert!(
            text.contains("pubfnset(&self)->::httpserv::runtime::Result<()>"),
            "{text}"
        );
        assert!(text.contains("letreplace:bool=true;"), "{text}");
        assert!(text.contains("pubfnset_with(&self,replace:bool)"), "{text}");
        // Defaults are expressions: a `<` there is no generic bracket.
        let text = expand(
            r#"#[wrap(name = f, defaults(pA = 1 < 2, pB = 3))]
               pub F: unsafe extern "system" fn(this: *mut IFoo, pA: bool, pB: u32)"#,
        )
        .unwrap()
        .replace(' ', "");
        assert!(text.contains("leta:bool=1<2;letb:u32=3;"), "{text}");
    }

    #[test]
    fn bad_descriptions_are_errors_that_say_why() {
        let message = |field: &str| match expand(field) {
            Ok(text) => panic!("accepted: {text}"),
            Err(e) => format!("{e:?}"),
        };
        let slot = "pub F: unsafe extern \"system\" fn(this: *mut IFoo, pA: u32)";
        for (attr, expected) in [
            ("#[wrap(cpp = \"x\")]", "needs `name = ...`"),
            (
                "#[wrap(name = f, colour = 1)]",
                "unknown `#[wrap]` key `colour`",
            ),
            (
                "#[wrap(name = f, params(pB = bool))]",
                "names `pB`, which is not a parameter",
            ),
            (
                "#[wrap(name = f, params(pA = shiny))]",
                "unknown parameter kind `shiny`",
            ),
            (
                "#[wrap(name = f, params(pA = iface))]",
                "needs a pointer parameter",
            ),
            ("#[wrap(name = f, slot = x)]", "expected a slot number"),
            ("#[wrap(name = f, doc = 3)]", "expected a string literal"),
            ("#[wrap(name = f, params = 1)]", "write `params(...)`"),
        ] {
            let got = message(&format!("{attr} {slot}"));
            assert!(got.contains(expected), "{attr}: {got}");
        }
        assert!(message("#[wrap(name = f)] pub F: u32").contains("a slot is a function pointer"));
    }
}
