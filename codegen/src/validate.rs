//! Checks between the stages: what C++ (and so libclang) accepts but the generated Rust could not
//! express, or would express wrongly. Each finding is a located [`Diagnostic`], so a new SDK
//! header that trips one is refused with its file, line and construct rather than producing a
//! crate that does not compile, or worse, one that compiles with a wrong ABI.
//!
//! - [`model`] runs after parsing (wired in [`crate::analyze`]): duplicate uuids, names that are
//!   no Rust identifier, names the generated file would define twice (`IFoo` next to a header
//!   type `IFoo_Vtbl`, the enumerators of two `enum class`es), names that would shadow what the
//!   generated code uses (`typedef unsigned u32;`), classes with a vtable passed or returned by
//!   value.
//! - [`emitted`] runs on the emitted tokens before formatting: the same "defined twice" rule for
//!   whatever the emitter produces (items, struct fields, function-pointer parameters), so a
//!   collision introduced by a naming rule of the emitter is still caught here.

use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

use crate::diag::{Diagnostic, Error};
use crate::emit::EmittedFile;
use crate::external::{self, ExternalRust};
use crate::model::{Api, CType, Class, MemberKind, Method, SourceLoc};

/// Names the generated file uses unqualified (or that shadow a primitive it uses): a header type
/// of one of these names would change what the generated code means.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "bool",
    "char",
    "str",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "f32",
    "f64",
    "c_void",
    "Option",
    "Some",
    "None",
    "core",
    "std",
    "alloc",
    "widestring",
    "windows_sys",
    "httpserv_macros",
    "Self",
];

/// Items the generated crate always defines (see `provenance.rs`).
const RESERVED_VALUE_NAMES: &[&str] = &["HEADER_NAME", "HEADER_SHA256", "HEADER_SDK_VERSION"];

/// Model-level checks; every finding, not just the first.
pub fn model(api: &Api) -> Result<(), Error> {
    let mut v = Validator {
        api,
        errors: Vec::new(),
        types: FxHashMap::default(),
        values: FxHashMap::default(),
    };
    v.reserve();
    v.classes();
    v.structs();
    v.enums();
    v.typedefs();
    v.constants();
    v.opaque_names();
    v.uuids();
    v.function_types();
    if v.errors.is_empty() {
        Ok(())
    } else {
        v.errors.sort_by(|a, b| {
            (&a.loc.file, a.loc.line, a.loc.column).cmp(&(&b.loc.file, b.loc.line, b.loc.column))
        });
        Err(Error::Input(v.errors))
    }
}

/// Where a name was first defined, for "already defined at" messages.
#[derive(Clone)]
struct Definition {
    what: String,
    loc: Option<SourceLoc>,
}

struct Validator<'a> {
    api: &'a Api,
    errors: Vec<Diagnostic>,
    /// Rust type namespace: name → first definition.
    types: FxHashMap<String, Definition>,
    /// Rust value namespace (constants, enumerators, tuple-struct constructors).
    values: FxHashMap<String, Definition>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Namespace {
    Type,
    Value,
}

impl Validator<'_> {
    fn error(&mut self, loc: &SourceLoc, construct: String, message: String) {
        self.errors
            .push(Diagnostic::new(loc.clone(), construct, message));
    }

    fn reserve(&mut self) {
        for name in RESERVED_TYPE_NAMES {
            self.types.insert(
                name.to_string(),
                Definition {
                    what: "a name the generated code uses (a primitive, a prelude item or a \
                           crate)"
                        .into(),
                    loc: None,
                },
            );
        }
        for name in RESERVED_VALUE_NAMES {
            self.values.insert(
                name.to_string(),
                Definition {
                    what: "a constant every generated crate defines (its provenance)".into(),
                    loc: None,
                },
            );
        }
    }

    /// Records `name` in a namespace; reports a clash with what is already there.
    fn define(
        &mut self,
        ns: Namespace,
        name: &str,
        what: String,
        construct: &str,
        loc: &SourceLoc,
    ) {
        let table = match ns {
            Namespace::Type => &mut self.types,
            Namespace::Value => &mut self.values,
        };
        match table.get(name) {
            None => {
                table.insert(
                    name.to_string(),
                    Definition {
                        what,
                        loc: Some(loc.clone()),
                    },
                );
            }
            Some(first) => {
                let first = first.clone();
                let message = match first.loc {
                    Some(at) => format!(
                        "the generated Rust would define `{name}` ({what}) twice: it is already \
                         {} at {at}; rename one of them in the header",
                        first.what
                    ),
                    None => format!(
                        "`{name}` is {}: the generated code would change meaning; rename it in \
                         the header",
                        first.what
                    ),
                };
                self.error(loc, construct.to_string(), message);
            }
        }
    }

    /// A name the emitter writes as a plain identifier (types, constants, enumerators).
    fn item_name(&mut self, name: &str, construct: &str, loc: &SourceLoc) -> bool {
        if let Some(problem) = item_ident_problem(name) {
            self.error(loc, construct.to_string(), problem);
            false
        } else {
            true
        }
    }

    /// A name the emitter escapes (`r#type`, `self_`): methods, parameters, fields.
    /// `construct` is made only for an error: this runs for every parameter of every method.
    fn member_name(&mut self, name: &str, construct: impl FnOnce() -> String, loc: &SourceLoc) {
        if let Some(problem) = member_ident_problem(name) {
            self.error(loc, construct(), problem);
        }
    }

    fn classes(&mut self) {
        for class in &self.api.classes {
            let construct = format!("class `{}`", class.name);
            if self.item_name(&class.name, &construct, &class.loc) {
                self.define(
                    Namespace::Type,
                    &class.name,
                    format!("the struct of class `{}`", class.name),
                    &construct,
                    &class.loc,
                );
                self.define(
                    Namespace::Type,
                    &format!("{}_Vtbl", class.name),
                    format!("the vtable struct of class `{}`", class.name),
                    &construct,
                    &class.loc,
                );
            }
            for member in &class.members {
                if let MemberKind::Virtual(method) = &member.kind {
                    self.method(class, method);
                }
            }
        }
    }

    fn method(&mut self, class: &Class, method: &Method) {
        // The messages' texts are made only for an error: this runs for every method.
        let construct = || format!("method `{}::{}`", class.name, method.name);
        self.member_name(&method.name, construct, &method.loc);
        for param in &method.params {
            self.member_name(
                &param.name,
                || format!("parameter `{}` of {}", param.name, construct()),
                &method.loc,
            );
            if let Some(by_value) = self.class_by_value(&param.ty) {
                self.error(
                    &method.loc,
                    construct(),
                    format!(
                        "parameter `{}` passes class `{by_value}` (which has a vtable) by value: \
                         MSVC copies such objects through a hidden temporary; pass a pointer or \
                         reference instead",
                        param.name
                    ),
                );
            }
        }
        // The Rust names of `this`, the hidden return pointer and the parameters (unnamed ones
        // are `paramN`, keywords escaped the way the emitter does) must be distinct. A few
        // names: a list, searched, rather than a map.
        #[derive(Clone, Copy)]
        enum Binding {
            This,
            HiddenReturn,
            Param(usize),
        }
        let describe = |binding: Binding| match binding {
            Binding::This => "`this`".to_string(),
            Binding::HiddenReturn => "the hidden return pointer".to_string(),
            Binding::Param(i) => format!("parameter {} `{}`", i + 1, method.params[i].name),
        };
        let mut bound: Vec<(Cow<'_, str>, Binding)> = Vec::with_capacity(method.params.len() + 2);
        bound.push((Cow::Borrowed("this"), Binding::This));
        if method.returns_via_hidden_pointer() {
            bound.push((Cow::Borrowed("__return"), Binding::HiddenReturn));
        }
        for (i, param) in method.params.iter().enumerate() {
            let rust = if param.name.is_empty() || param.name == "this" || param.name == "__return"
            {
                Cow::Owned(format!("param{i}"))
            } else if member_ident_problem(&param.name).is_none() {
                crate::emit::rust_name(&param.name)
            } else {
                continue;
            };
            if let Some(&(_, first)) = bound.iter().find(|(name, _)| *name == rust) {
                let this_one = describe(Binding::Param(i));
                let first = describe(first);
                self.error(
                    &method.loc,
                    construct(),
                    format!(
                        "{this_one} and {first} would both be the Rust parameter `{rust}` \
                         (unnamed parameters are `paramN`, `self` is `self_`); rename the \
                         parameter in the header"
                    ),
                );
            } else {
                bound.push((rust, Binding::Param(i)));
            }
        }
        if let Some(by_value) = self.class_by_value(&method.ret) {
            self.error(
                &method.loc,
                construct(),
                format!(
                    "returns class `{by_value}` (which has a vtable) by value: not expressible \
                     without running its C++ copy constructor; return a pointer instead"
                ),
            );
        }
    }

    /// The name of the vtable class `ty` is, when it is one by value (not behind a pointer).
    fn class_by_value(&self, ty: &CType) -> Option<String> {
        match ty.canonical() {
            CType::Record { name } if self.api.class(name).is_some() => Some(name.clone()),
            _ => None,
        }
    }

    fn structs(&mut self) {
        for s in &self.api.structs {
            let construct = format!("struct `{}`", s.name);
            if self.item_name(&s.name, &construct, &s.loc) {
                self.define(
                    Namespace::Type,
                    &s.name,
                    format!("struct `{}`", s.name),
                    &construct,
                    &s.loc,
                );
            }
            for field in &s.fields {
                let construct = || format!("field `{}::{}`", s.name, field.name);
                self.member_name(&field.name, construct, &s.loc);
                if let Some(by_value) = self.class_by_value(&field.ty) {
                    self.error(
                        &s.loc,
                        construct(),
                        format!("holds class `{by_value}` (which has a vtable) by value"),
                    );
                }
            }
        }
    }

    fn enums(&mut self) {
        for e in &self.api.enums {
            let named = !e.name.is_empty();
            if named {
                let construct = format!("enum `{}`", e.name);
                if self.item_name(&e.name, &construct, &e.loc) {
                    // A newtype `struct E(pub i32)`: a type and a constructor function.
                    let what = format!("enum `{}`", e.name);
                    self.define(Namespace::Type, &e.name, what.clone(), &construct, &e.loc);
                    self.define(Namespace::Value, &e.name, what, &construct, &e.loc);
                }
            }
            for (variant, _) in &e.variants {
                let construct = if named {
                    format!("enumerator `{}::{variant}`", e.name)
                } else {
                    format!("enumerator `{variant}`")
                };
                if self.item_name(variant, &construct, &e.loc) {
                    self.define(
                        Namespace::Value,
                        variant,
                        construct.clone(),
                        &construct,
                        &e.loc,
                    );
                }
            }
        }
    }

    fn typedefs(&mut self) {
        for t in &self.api.typedefs {
            let construct = format!("typedef `{}`", t.name);
            if self.item_name(&t.name, &construct, &t.loc) {
                self.define(
                    Namespace::Type,
                    &t.name,
                    construct.clone(),
                    &construct,
                    &t.loc,
                );
            }
        }
    }

    fn constants(&mut self) {
        for c in &self.api.constants {
            let construct = format!("constant `{}`", c.name);
            if self.item_name(&c.name, &construct, &c.loc) {
                self.define(
                    Namespace::Value,
                    &c.name,
                    format!("`#define {}`", c.name),
                    &construct,
                    &c.loc,
                );
            }
        }
    }

    /// Records named in signatures that neither the header nor windows-sys defines become
    /// opaque structs of that name: the name must be an identifier that clashes with nothing.
    fn opaque_names(&mut self) {
        let mut uses: Vec<(String, SourceLoc, String)> = Vec::new();
        for class in &self.api.classes {
            for method in class.virtual_methods() {
                let construct = format!("method `{}::{}`", class.name, method.name);
                let mut names = Vec::new();
                record_names(&method.ret, &mut names);
                for p in &method.params {
                    record_names(&p.ty, &mut names);
                }
                uses.extend(
                    names
                        .into_iter()
                        .map(|n| (n, method.loc.clone(), construct.clone())),
                );
            }
        }
        for s in &self.api.structs {
            for f in &s.fields {
                let mut names = Vec::new();
                record_names(&f.ty, &mut names);
                let construct = format!("field `{}::{}`", s.name, f.name);
                uses.extend(
                    names
                        .into_iter()
                        .map(|n| (n, s.loc.clone(), construct.clone())),
                );
            }
        }
        for t in &self.api.typedefs {
            let mut names = Vec::new();
            record_names(&t.target, &mut names);
            let construct = format!("typedef `{}`", t.name);
            uses.extend(
                names
                    .into_iter()
                    .map(|n| (n, t.loc.clone(), construct.clone())),
            );
        }
        let mut seen = FxHashSet::default();
        let classes = self.api.classes.iter().map(|c| c.name.as_str());
        let local_names: FxHashSet<&str> = classes
            .chain(self.api.structs.iter().map(|s| s.name.as_str()))
            .collect();
        for (name, loc, construct) in uses {
            let local = local_names.contains(name.as_str());
            let external_path = matches!(
                external::lookup(&name).map(|e| e.rust),
                Some(ExternalRust::Path(_))
            );
            if local || external_path || !seen.insert(name.clone()) {
                continue;
            }
            if let Some(problem) = item_ident_problem(&name) {
                self.error(&loc, construct, format!("uses type `{name}`: {problem}"));
            } else {
                self.define(
                    Namespace::Type,
                    &name,
                    format!(
                        "the opaque type for `{name}`, which the header uses but does not define"
                    ),
                    &construct,
                    &loc,
                );
            }
        }
    }

    /// Variadic function pointers: MSVC makes every variadic function `__cdecl` whatever is
    /// written, and Rust needs a fixed parameter before `...`.
    fn function_types(&mut self) {
        let mut found: Vec<(SourceLoc, String, String)> = Vec::new();
        for class in &self.api.classes {
            for m in class.virtual_methods() {
                let construct = format!("method `{}::{}`", class.name, m.name);
                for ty in std::iter::once(&m.ret).chain(m.params.iter().map(|p| &p.ty)) {
                    if let Some(problem) = variadic_problem(ty) {
                        found.push((m.loc.clone(), construct.clone(), problem));
                    }
                }
            }
        }
        for t in &self.api.typedefs {
            if let Some(problem) = variadic_problem(&t.target) {
                found.push((t.loc.clone(), format!("typedef `{}`", t.name), problem));
            }
        }
        for s in &self.api.structs {
            for f in &s.fields {
                if let Some(problem) = variadic_problem(&f.ty) {
                    found.push((
                        s.loc.clone(),
                        format!("field `{}::{}`", s.name, f.name),
                        problem,
                    ));
                }
            }
        }
        for (loc, construct, problem) in found {
            self.error(&loc, construct, problem);
        }
    }

    fn uuids(&mut self) {
        let mut first: FxHashMap<crate::model::Uuid, &Class> = FxHashMap::default();
        for class in &self.api.classes {
            let Some(uuid) = class.uuid else { continue };
            match first.get(&uuid) {
                None => {
                    first.insert(uuid, class);
                }
                Some(previous) => {
                    let message = format!(
                        "uuid {uuid} is already the uuid of class `{}` at {}: two interfaces \
                         with one IID cannot be told apart by QueryInterface-style lookups",
                        previous.name, previous.loc
                    );
                    self.error(&class.loc, format!("class `{}`", class.name), message);
                }
            }
        }
    }
}

/// Why a variadic function type inside `ty` cannot be bound, if there is one.
fn variadic_problem(ty: &CType) -> Option<String> {
    match ty {
        CType::Function {
            ret,
            params,
            conv,
            variadic,
        } => {
            if *variadic && params.is_empty() {
                return Some(
                    "a variadic function type without a fixed parameter (`(...)`) cannot be \
                     expressed in Rust"
                        .into(),
                );
            }
            if *variadic && *conv != crate::model::CallConv::Cdecl {
                return Some(format!(
                    "a variadic function type declared {conv:?}: MSVC makes every variadic \
                     function __cdecl; write __cdecl (or nothing) so the binding uses the ABI \
                     actually called"
                ));
            }
            std::iter::once(&**ret)
                .chain(params.iter())
                .find_map(variadic_problem)
        }
        CType::Typedef { target, .. } => variadic_problem(target),
        CType::Pointer { pointee, .. } | CType::Reference { pointee, .. } => {
            variadic_problem(pointee)
        }
        _ => None,
    }
}

/// Record names reachable from a type through typedefs, pointers and function types.
fn record_names(ty: &CType, out: &mut Vec<String>) {
    match ty {
        CType::Record { name } => out.push(name.clone()),
        // A typedef windows-sys knows stops here; the emitter does not look through it.
        CType::Typedef { name, target } if external::lookup(name).is_none() => {
            record_names(target, out)
        }
        CType::Pointer { pointee, .. } | CType::Reference { pointee, .. } => {
            record_names(pointee, out)
        }
        CType::Function { ret, params, .. } => {
            record_names(ret, out);
            for p in params {
                record_names(p, out);
            }
        }
        _ => {}
    }
}

/// Why `name` cannot be the name of a generated item (written as a plain identifier), if so.
pub fn item_ident_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("has no name; anonymous declarations cannot be bound here".into());
    }
    if !is_identifier_text(name) {
        return Some(format!(
            "`{name}` is not a valid Rust identifier (characters such as `$` are a C++ \
             extension); rename it in the header"
        ));
    }
    if is_keyword(name) {
        return Some(format!(
            "`{name}` is a Rust keyword, which is not supported as the name of a type or \
             constant; rename it in the header"
        ));
    }
    None
}

/// Why `name` cannot be a method, parameter or field name (those are escaped: `r#type`,
/// `self_`), if so.
pub fn member_ident_problem(name: &str) -> Option<String> {
    if name.is_empty() || is_identifier_text(name) {
        None
    } else {
        Some(format!(
            "`{name}` is not a valid Rust identifier (characters such as `$` are a C++ \
             extension); rename it in the header"
        ))
    }
}

/// Whether `name` is reserved in edition 2024 (syn's list of what it refuses as an identifier,
/// which follows edition 2021, plus `gen`). A match instead of a `syn` parse of the name: this
/// runs for every name the emitter writes. `httpserv-macros` keeps the same list
/// (`macros/src/wrap.rs`, `is_keyword`): a proc-macro crate can neither export it nor depend on
/// this crate.
pub fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// Whether `name` is an identifier: identifier characters as Rust defines them (XID_Start or
/// `_`, then XID_Continue), keywords included.
pub fn is_identifier_text(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first == '_' || unicode_ident::is_xid_start(first))
        && chars.all(unicode_ident::is_xid_continue)
}

/// Post-layout check: the vtable struct's field names (the emitter's overload suffixes, keyword
/// escapes) must be unique, or the generated struct would declare a field twice.
pub fn layouts(api: &Api, layouts: &[crate::layout::VtableLayout]) -> Result<(), Error> {
    use crate::layout::{Slot, SlotEntry};
    let mut errors = Vec::new();
    let classes: FxHashMap<&str, &Class> =
        api.classes.iter().map(|c| (c.name.as_str(), c)).collect();
    for layout in layouts {
        let Some(class) = classes.get(layout.class.as_str()) else {
            continue;
        };
        // What a slot is, with where it is declared; written only for a message.
        fn what<'a>(slot: &'a Slot, class: &'a Class) -> (String, &'a SourceLoc) {
            match &slot.entry {
                SlotEntry::Method(m) => {
                    (format!("method `{}{}`", m.name, overload_hint(m)), &m.loc)
                }
                SlotEntry::ScalarDeletingDestructor => (format!("`~{}`", class.name), &class.loc),
            }
        }
        let names = crate::emit::field_names(layout);
        // Rust field name → the slot that has it (`None`: the base vtable's field).
        let mut seen: FxHashMap<Cow<'_, str>, Option<&Slot>> =
            FxHashMap::with_capacity_and_hasher(names.len() + 1, Default::default());
        if class.base.is_some() {
            seen.insert(Cow::Borrowed("base__"), None);
        }
        for (slot, field) in layout.own_slots().iter().zip(&names) {
            let rust = crate::emit::rust_name(field);
            if let Some(first) = seen.insert(rust.clone(), Some(slot)) {
                let (this, loc) = what(slot, class);
                let first = first.map_or_else(|| "the base vtable".into(), |s| what(s, class).0);
                errors.push(Diagnostic::new(
                    loc.clone(),
                    format!("class `{}`", class.name),
                    format!(
                        "{this} (slot {}) and {first} would both be the vtable field `{rust}`; \
                         rename one of them in the header",
                        slot.index
                    ),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(errors))
    }
}

/// `(DWORD)`-style parameter list, to tell overloads apart in messages.
fn overload_hint(m: &Method) -> String {
    let params: Vec<&str> = m.params.iter().map(|p| p.spelling.as_str()).collect();
    format!("({})", params.join(", "))
}

/// Checks the emitted tokens for names defined twice: top-level items per namespace, fields of
/// each struct, parameter names of each function-pointer type. A safety net under [`model`]
/// for naming rules of the emitter (overload suffixes, `param0` for unnamed parameters, `self`
/// becoming `self_`...). Locations are looked up in the model by item name.
///
/// Reads the tokens item by item (`EmittedItem`) rather than parsing the whole file with syn,
/// which cost more than the rest of the check: whether the tokens are a Rust file at all is
/// rustfmt's parse when formatting.
pub fn emitted(api: &Api, file: &EmittedFile) -> Result<(), Error> {
    let mut names = Vec::new();
    for chunk in file.uses.iter().chain(&file.items) {
        names.extend(item_names(api, chunk)?);
    }
    names_defined_once(api, names)
}

/// What the name checks of [`emitted`] need of one top-level item: the names it defines, and
/// the errors of its own fields.
#[derive(Debug)]
pub struct ItemNames {
    /// The name it defines in the type namespace (struct, enum, union, type, trait, mod).
    type_name: Option<String>,
    /// In the value namespace (const, static, fn, tuple or unit struct).
    value_name: Option<String>,
    /// Fields of a struct defined twice.
    field_errors: Vec<Diagnostic>,
}

/// The first half of [`emitted`] for one emitted chunk (one item or several), which can run
/// beside the emitter of other chunks; an error means the tokens are not items (a bug).
pub fn item_names(api: &Api, chunk: &TokenStream) -> Result<Vec<ItemNames>, Error> {
    let tokens: Vec<TokenTree> = chunk.clone().into_iter().collect();
    let mut rest = &tokens[..];
    let mut names = Vec::new();
    while !rest.is_empty() {
        let (item, len) = EmittedItem::read(rest).map_err(|message| Error::Format {
            file: crate::BINDINGS_FILE.into(),
            message: format!(
                "internal error: {message} in the emitted tokens `{}` (a bug of \
                 httpserv-codegen)",
                rest.iter().cloned().collect::<TokenStream>()
            ),
        })?;
        rest = &rest[len..];
        let mut field_errors = Vec::new();
        if let (Some(owner), Some(fields)) = (&item.type_name, &item.fields) {
            duplicate_fields(api, owner, fields, &mut field_errors);
        }
        names.push(ItemNames {
            type_name: item.type_name,
            value_name: item.value_name,
            field_errors,
        });
    }
    Ok(names)
}

/// The second half of [`emitted`]: `names` of every item, in file order.
pub fn names_defined_once(
    api: &Api,
    names: impl IntoIterator<Item = ItemNames>,
) -> Result<(), Error> {
    let mut errors = Vec::new();
    let mut types = FxHashSet::default();
    let mut values = FxHashSet::default();
    let twice = |name: String, ns: &str, errors: &mut Vec<Diagnostic>| {
        errors.push(Diagnostic::new(
            loc_of(api, &name),
            format!("generated item `{name}`"),
            format!(
                "the generated Rust defines `{name}` twice in the {ns} namespace; rename one of \
                 the header's declarations"
            ),
        ));
    };
    for item in names {
        if let Some(name) = item.type_name
            && !types.insert(name.clone())
        {
            twice(name, "type", &mut errors);
        }
        if let Some(name) = item.value_name
            && !values.insert(name.clone())
        {
            twice(name, "value", &mut errors);
        }
        errors.extend(item.field_errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(errors))
    }
}

/// One top-level item of emitted tokens, as far as the name checks need it.
#[derive(Debug)]
struct EmittedItem {
    /// The name it defines in the type namespace (struct, enum, union, type, trait, mod).
    type_name: Option<String>,
    /// In the value namespace (const, static, fn, tuple or unit struct).
    value_name: Option<String>,
    /// The inside of a struct's braces.
    fields: Option<Vec<TokenTree>>,
}

impl EmittedItem {
    /// The item `tokens` starts with, and how many tokens it has.
    fn read(tokens: &[TokenTree]) -> Result<(EmittedItem, usize), String> {
        let mut i = skip_attributes_and_visibility(tokens);
        while let Some(word) = ident_at(tokens, i)
            && (matches!(word.as_str(), "unsafe" | "async" | "default")
                || word == "extern" && !is_word(tokens, i + 1, "crate")
                || word == "const"
                    && ident_at(tokens, i + 1)
                        .is_some_and(|n| n == "fn" || n == "unsafe" || n == "extern"))
        {
            i += 1;
            if word == "extern" && matches!(tokens.get(i), Some(TokenTree::Literal(_))) {
                i += 1;
            }
        }
        let mut item = EmittedItem {
            type_name: None,
            value_name: None,
            fields: None,
        };
        let keyword = ident_at(tokens, i).ok_or("no item")?;
        let name_at = |i: usize| {
            ident_at(tokens, i)
                .map(|name| unraw(&name))
                .ok_or("no name")
        };
        let end = match keyword.as_str() {
            "use" | "extern" => end_at_semicolon(tokens, i)?,
            "const" | "static" => {
                let mutable = keyword == "static" && is_word(tokens, i + 1, "mut");
                item.value_name = Some(name_at(i + 1 + usize::from(mutable))?);
                end_at_semicolon(tokens, i)?
            }
            "type" => {
                item.type_name = Some(name_at(i + 1)?);
                end_at_semicolon(tokens, i)?
            }
            "struct" | "union" => {
                let name = name_at(i + 1)?;
                let body = (i + 2..tokens.len())
                    .find(|&k| match &tokens[k] {
                        TokenTree::Group(g) => g.delimiter() != Delimiter::Bracket,
                        TokenTree::Punct(p) => p.as_char() == ';',
                        _ => false,
                    })
                    .ok_or("no struct body")?;
                item.type_name = Some(name.clone());
                match &tokens[body] {
                    TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                        if keyword == "struct" {
                            item.fields = Some(group_tokens(&tokens[body]));
                        }
                        body + 1
                    }
                    _ => {
                        item.value_name = Some(name);
                        end_at_semicolon(tokens, body)?
                    }
                }
            }
            "enum" | "trait" | "mod" | "impl" | "fn" => {
                let name = name_at(i + 1);
                match keyword.as_str() {
                    "fn" => item.value_name = Some(name?),
                    "impl" => {}
                    _ => item.type_name = Some(name?),
                }
                let end = (i + 1..tokens.len())
                    .find(|&k| {
                        matches!(&tokens[k], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
                            || matches!(&tokens[k], TokenTree::Punct(p) if p.as_char() == ';')
                    })
                    .ok_or("no item body")?;
                end + 1
            }
            other => return Err(format!("unexpected `{other}`")),
        };
        Ok((item, end))
    }
}

/// The index after the outer attributes and the visibility at `tokens`' start.
fn skip_attributes_and_visibility(tokens: &[TokenTree]) -> usize {
    let mut i = 0;
    while matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == '#')
        && matches!(tokens.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket)
    {
        i += 2;
    }
    if is_word(tokens, i, "pub") {
        i += 1;
        if matches!(tokens.get(i), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
        {
            i += 1;
        }
    }
    i
}

/// Whether the token at `i` is the identifier `word` (without building a string).
fn is_word(tokens: &[TokenTree], i: usize, word: &str) -> bool {
    matches!(tokens.get(i), Some(TokenTree::Ident(ident)) if ident == word)
}

fn ident_at(tokens: &[TokenTree], i: usize) -> Option<String> {
    match tokens.get(i) {
        Some(TokenTree::Ident(ident)) => Some(ident.to_string()),
        _ => None,
    }
}

fn end_at_semicolon(tokens: &[TokenTree], from: usize) -> Result<usize, String> {
    (from..tokens.len())
        .find(|&k| matches!(&tokens[k], TokenTree::Punct(p) if p.as_char() == ';'))
        .map(|k| k + 1)
        .ok_or_else(|| "no `;`".into())
}

/// The tokens inside a group.
fn group_tokens(token: &TokenTree) -> Vec<TokenTree> {
    match token {
        TokenTree::Group(group) => group.stream().into_iter().collect(),
        _ => Vec::new(),
    }
}

/// `tokens` cut at the commas outside `<...>` (the commas of a field or parameter list).
fn split_commas(tokens: &[TokenTree]) -> Vec<&[TokenTree]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (k, token) in tokens.iter().enumerate() {
        let TokenTree::Punct(p) = token else { continue };
        let arrow = k > 0
            && matches!(&tokens[k - 1], TokenTree::Punct(q) if q.as_char() == '-' && q.spacing() == Spacing::Joint);
        match p.as_char() {
            '<' => depth += 1,
            '>' if !arrow => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&tokens[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    if start < tokens.len() {
        parts.push(&tokens[start..]);
    }
    parts
}

/// The name of a field or parameter (`name: Type`), after its attributes and visibility.
fn binding_name(tokens: &[TokenTree]) -> Option<(usize, String)> {
    let i = skip_attributes_and_visibility(tokens);
    let name = ident_at(tokens, i)?;
    matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Alone)
        .then(|| (i + 2, unraw(&name)))
}

/// The parameter list of a function-pointer type (`unsafe extern "system" fn(...) -> T`), if
/// `ty` is one.
fn bare_fn_params(ty: &[TokenTree]) -> Option<Vec<TokenTree>> {
    let mut i = 0;
    if is_word(ty, i, "unsafe") {
        i += 1;
    }
    if is_word(ty, i, "extern") {
        i += 1;
        if matches!(ty.get(i), Some(TokenTree::Literal(_))) {
            i += 1;
        }
    }
    if !is_word(ty, i, "fn") {
        return None;
    }
    match ty.get(i + 1) {
        Some(token @ TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
            Some(group_tokens(token))
        }
        _ => None,
    }
}

fn unraw(text: &str) -> String {
    text.strip_prefix("r#").unwrap_or(text).to_string()
}

fn duplicate_fields(api: &Api, owner: &str, fields: &[TokenTree], errors: &mut Vec<Diagnostic>) {
    let mut seen = FxHashSet::default();
    for field in split_commas(fields) {
        let Some((ty_start, name)) = binding_name(field) else {
            continue;
        };
        if !seen.insert(name.clone()) {
            errors.push(Diagnostic::new(
                loc_of_field(api, owner, &name),
                format!("generated struct `{owner}`"),
                format!(
                    "field `{name}` would be declared twice (two C++ members map to this Rust \
                     name); rename one of them in the header"
                ),
            ));
        }
        if let Some(params) = bare_fn_params(&field[ty_start..]) {
            let mut names = FxHashSet::default();
            for param in split_commas(&params) {
                let Some((_, param)) = binding_name(param) else {
                    continue;
                };
                if !names.insert(param.clone()) {
                    errors.push(Diagnostic::new(
                        loc_of_field(api, owner, &name),
                        format!("generated slot `{owner}::{name}`"),
                        format!(
                            "parameter `{param}` would be bound twice (an unnamed parameter \
                             is called `paramN`, `this` and `self` are renamed); rename the \
                             parameter in the header"
                        ),
                    ));
                }
            }
        }
    }
}

/// The header location of the declaration a generated name comes from (best effort).
fn loc_of(api: &Api, name: &str) -> SourceLoc {
    let class_name = name.strip_suffix("_Vtbl").unwrap_or(name);
    api.classes
        .iter()
        .find(|c| c.name == class_name)
        .map(|c| c.loc.clone())
        .or_else(|| {
            api.structs
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.loc.clone())
        })
        .or_else(|| {
            api.enums
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.loc.clone())
        })
        .or_else(|| {
            api.enums
                .iter()
                .find(|e| e.variants.iter().any(|(v, _)| v == name))
                .map(|e| e.loc.clone())
        })
        .or_else(|| {
            api.typedefs
                .iter()
                .find(|t| t.name == name)
                .map(|t| t.loc.clone())
        })
        .or_else(|| {
            api.constants
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.loc.clone())
        })
        .unwrap_or_else(|| SourceLoc {
            file: api.header_name.as_str().into(),
            line: 1,
            column: 1,
        })
}

/// The location of the method a vtable field comes from (the field name starts with it).
fn loc_of_field(api: &Api, owner: &str, field: &str) -> SourceLoc {
    let class_name = owner.strip_suffix("_Vtbl").unwrap_or(owner);
    api.class(class_name)
        .and_then(|c| {
            c.virtual_methods()
                .filter(|m| field.starts_with(m.name.as_str()))
                .max_by_key(|m| m.name.len())
                .map(|m| m.loc.clone())
        })
        .unwrap_or_else(|| loc_of(api, owner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConstValue, Constant, Enum, Member, Uuid};

    /// The macros keep their own copy of the keyword list (a proc-macro crate cannot share
    /// code): both must say the same.
    #[test]
    fn keyword_list_is_the_macros_list() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../macros/src/wrap.rs");
        let text = std::fs::read_to_string(path).unwrap();
        let start = text.find("const KEYWORDS").expect("KEYWORDS in the macros");
        let list = &text[start..start + text[start..].find("];").unwrap()];
        let list = &list[list.find('[').unwrap()..];
        let list = &list[list.find('[').unwrap()..]; // past `[&str; N]`, at the array
        let macros: FxHashSet<&str> = list.split('"').skip(1).step_by(2).collect();
        assert!(macros.len() > 50, "{macros:?}");
        for word in &macros {
            assert!(is_keyword(word), "{word} is a keyword for the macros only");
        }
        // Ours also refuses `_` as a type name; the macros rename a `_` parameter to `__` first.
        let ours = [
            "_", "as", "gen", "try", "Self", "yield", "abstract", "union", "raw",
        ];
        for word in ours {
            assert_eq!(
                is_keyword(word),
                word == "_" || macros.contains(word),
                "{word}"
            );
        }
    }

    fn class(name: &str, uuid: Option<&str>, line: u32) -> Class {
        Class {
            name: name.into(),
            base: None,
            uuid: uuid.and_then(Uuid::parse),
            members: vec![Member {
                decl_name: "f".into(),
                kind: MemberKind::Other,
            }],
            loc: SourceLoc {
                file: "x.h".into(),
                line,
                column: 7,
            },
        }
    }

    fn messages(api: &Api) -> Vec<String> {
        match model(api) {
            Ok(()) => Vec::new(),
            Err(Error::Input(d)) => d
                .iter()
                .map(|d| format!("{}: {}", d.loc, d.message))
                .collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn duplicate_uuid_names_both_classes() {
        let u = "11111111-2222-3333-4444-555555555555";
        let api = Api {
            classes: vec![class("IA", Some(u), 1), class("IB", Some(u), 5)],
            ..Api::default()
        };
        let m = messages(&api);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].starts_with("x.h:5:7: uuid 11111111"), "{m:?}");
        assert!(m[0].contains("class `IA` at x.h:1:7"), "{m:?}");
    }

    #[test]
    fn vtbl_name_and_enumerators_and_reserved_names_clash() {
        let loc = |line| SourceLoc {
            file: "x.h".into(),
            line,
            column: 1,
        };
        let api = Api {
            classes: vec![class("IFoo", None, 1)],
            typedefs: vec![crate::model::Typedef {
                name: "IFoo_Vtbl".into(),
                target: CType::Void,
                loc: loc(2),
            }],
            enums: ["A", "B"]
                .iter()
                .map(|n| Enum {
                    name: n.to_string(),
                    underlying: CType::Int {
                        bytes: 4,
                        signed: true,
                    },
                    variants: vec![("X".into(), 0)],
                    loc: loc(3),
                })
                .collect(),
            constants: vec![Constant {
                name: "HEADER_NAME".into(),
                value: ConstValue::Int {
                    value: 1,
                    hex: false,
                },
                loc: loc(4),
            }],
            ..Api::default()
        };
        let m = messages(&api).join("\n");
        assert!(
            m.contains("x.h:2:1: the generated Rust would define `IFoo_Vtbl`"),
            "{m}"
        );
        assert!(m.contains("enumerator `A::X` at x.h:3:1"), "{m}");
        assert!(
            m.contains("x.h:4:1: `HEADER_NAME` is a constant every generated crate defines"),
            "{m}"
        );
    }

    #[test]
    fn identifiers() {
        assert!(item_ident_problem("IFoo").is_none());
        assert!(item_ident_problem("type").unwrap().contains("keyword"));
        assert!(item_ident_problem("gen").unwrap().contains("keyword"));
        assert!(item_ident_problem("Get$Value").unwrap().contains("`$`"));
        assert!(member_ident_problem("type").is_none());
        assert!(member_ident_problem("self").is_none());
        assert!(member_ident_problem("a$b").is_some());
    }
}

/// The token reader of [`emitted`] against syn's parse of the same tokens (what the check
/// used before).
#[cfg(test)]
mod reader_tests {
    use super::*;
    use quote::quote;

    /// Item names per namespace, and per struct its fields with their function-pointer
    /// parameters, as [`EmittedItem`] reads them.
    fn read(tokens: TokenStream) -> Vec<String> {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut rest = &tokens[..];
        let mut out = Vec::new();
        while !rest.is_empty() {
            let (item, len) = EmittedItem::read(rest).unwrap();
            rest = &rest[len..];
            out.push(format!(
                "type {:?} value {:?}",
                item.type_name, item.value_name
            ));
            for field in split_commas(item.fields.as_deref().unwrap_or_default()) {
                let Some((ty, name)) = binding_name(field) else {
                    continue;
                };
                let params: Vec<String> = bare_fn_params(&field[ty..])
                    .map(|p| {
                        split_commas(&p)
                            .iter()
                            .filter_map(|p| binding_name(p))
                            .map(|(_, n)| n)
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(format!("  {name} {params:?}"));
            }
        }
        out
    }

    /// The same through syn.
    fn parsed(tokens: TokenStream) -> Vec<String> {
        let file: syn::File = syn::parse2(tokens).unwrap();
        let mut out = Vec::new();
        let name = |i: &syn::Ident| Some(unraw(&i.to_string()));
        for item in &file.items {
            let (ty, value) = match item {
                syn::Item::Struct(s) => {
                    let value = (!matches!(s.fields, syn::Fields::Named(_)))
                        .then(|| name(&s.ident))
                        .flatten();
                    (name(&s.ident), value)
                }
                syn::Item::Enum(e) => (name(&e.ident), None),
                syn::Item::Union(u) => (name(&u.ident), None),
                syn::Item::Type(t) => (name(&t.ident), None),
                syn::Item::Trait(t) => (name(&t.ident), None),
                syn::Item::Mod(m) => (name(&m.ident), None),
                syn::Item::Const(c) => (None, name(&c.ident)),
                syn::Item::Static(s) => (None, name(&s.ident)),
                syn::Item::Fn(f) => (None, name(&f.sig.ident)),
                _ => (None, None),
            };
            out.push(format!("type {ty:?} value {value:?}"));
            if let syn::Item::Struct(syn::ItemStruct {
                fields: syn::Fields::Named(fields),
                ..
            }) = item
            {
                for field in &fields.named {
                    let params: Vec<String> = match &field.ty {
                        syn::Type::BareFn(f) => f
                            .inputs
                            .iter()
                            .filter_map(|a| a.name.as_ref())
                            .map(|(i, _)| unraw(&i.to_string()))
                            .collect(),
                        _ => Vec::new(),
                    };
                    out.push(format!(
                        "  {} {params:?}",
                        unraw(&field.ident.as_ref().unwrap().to_string())
                    ));
                }
            }
        }
        out
    }

    #[test]
    fn keywords_are_those_syn_refuses_and_gen() {
        let names = "_ abstract as async await become box break const continue crate do dyn else \
                     enum extern false final fn for gen if impl in let loop macro match mod move \
                     mut override priv pub ref return Self self static struct super trait true \
                     try type typeof unsafe unsized use virtual where while yield union default \
                     auto raw safe macro_rules u32 IHttpContext _x x_ __return this";
        for name in names.split_whitespace() {
            let refused = name == "gen" || syn::parse_str::<syn::Ident>(name).is_err();
            assert_eq!(is_keyword(name), refused, "{name}");
        }
    }

    #[test]
    fn reads_items_as_syn_does() {
        let tokens = quote! {
            use core::ffi::c_void;
            use windows_sys::core::{GUID, HRESULT};
            #[doc = " x"]
            pub const A: u32 = 1;
            pub const r#B: Option<&str> = Some("b");
            pub static mut C: [u8; 2] = [0, 1];
            pub type D = Option<unsafe extern "system" fn(a: u32, b: HashMap<u8, u16>) -> u32>;
            #[repr(transparent)]
            #[derive(Clone, Copy)]
            pub struct E(pub u32);
            pub struct F;
            impl F {
                pub const G: Self = Self;
                pub const fn empty() -> Self { Self }
            }
            impl<T> core::ops::Deref for Wrapper<T> where T: Copy {
                type Target = T;
                fn deref(&self) -> &T { unsafe { &*(self as *const Self as *const T) } }
            }
            pub unsafe trait H { const IID: GUID; }
            unsafe impl H for F { const IID: GUID = GUID::from_u128(0x1234); }
            #[repr(C)]
            pub struct RustObject<T> {
                pub lpVtbl: *const core::ffi::c_void,
                pub value: T,
                pub map: HashMap<u8, u16>,
            }
            #[httpserv_macros::vtable]
            #[repr(C)]
            pub struct I_Vtbl {
                #[doc = " base"]
                pub base__: J_Vtbl,
                #[wrap(name = f, params(a = raw, b = bytes(count)))]
                #[deprecated(note = "n")]
                pub F: unsafe extern "system" fn(this: *mut I, a: u32, a: *mut u8) -> *mut c_void,
                pub r#type: unsafe extern "C" fn(this: *mut I, _: u32, x: Option<fn(u8) -> u8>, ...),
                pub G: Option<unsafe extern "system" fn(p: u32, p: u32)>,
            }
            pub struct K { a: u32, pub(crate) a: u8 }
            pub fn f(x: u32) -> u32 { x }
            pub enum L { M, N }
            pub union O { a: u32 }
            mod p;
        };
        assert_eq!(read(tokens.clone()), parsed(tokens));
    }

    #[test]
    fn reads_the_bundled_bindings_as_syn_does() {
        let opts = crate::Options::default();
        let (api, layouts) = crate::analyze(&opts).unwrap();
        let (file, _) = crate::emit_tokens(&api, &layouts, opts.target).unwrap();
        let items: TokenStream = file.uses.iter().chain(&file.items).cloned().collect();
        let read = read(items.clone());
        assert!(read.len() > 500, "{}", read.len());
        assert_eq!(read, parsed(items));
    }
}
