//! Stage 3: Rust tokens for the raw layer of the `httpserv` crate, from the model and layouts.
//!
//! Shapes follow windows-rs where it has one (`<Name>_Vtbl`, `base__`); what is C++-specific
//! (thiscall on x86, the scalar deleting destructor, hidden return pointers) is spelled out in
//! the docs of each item so a reader of `generated/` never has to guess.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};
use std::fmt;

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt, format_ident, quote};

use crate::diag::{Diagnostic, Error};
use crate::external::{self, ExternalRust};
use crate::layout::{SlotEntry, VtableLayout};
use crate::model::{Api, CType, CallConv, Class, ConstValue, Method, SourceLoc, Target};
use crate::wrap::{WrapPlan, WrapSpec};

/// The bindings file as emitted, in file order: inner attributes, `use` lines, then the items.
///
/// Kept apart rather than as one stream so that formatting can cut the file between items
/// without parsing it (see `write.rs`).
#[derive(Debug, Clone, Default)]
pub struct EmittedFile {
    /// `#![...]` attributes of the file.
    pub inner_attrs: TokenStream,
    /// One `use` item each.
    pub uses: Vec<TokenStream>,
    /// Whole top-level items: each stream is one item or several (a class is its struct, its
    /// impls and its vtable struct), never part of one.
    pub items: Vec<TokenStream>,
}

impl EmittedFile {
    /// The whole file as one token stream.
    pub fn to_tokens(&self) -> TokenStream {
        let (attrs, uses, items) = (&self.inner_attrs, &self.uses, &self.items);
        quote!(#attrs #(#uses)* #(#items)*)
    }
}

/// Rust tokens for the whole bindings file, plus the `use` lines it needs.
pub fn emit_bindings(
    api: &Api,
    layouts: &[VtableLayout],
    wraps: &WrapPlan,
    target: Target,
) -> Result<EmittedFile, Error> {
    let mut bindings = BindingsEmitter::new(api, wraps);
    let classes = bindings.classes(&api.classes, layouts);
    let mut file = bindings.finish(target)?;
    file.items.extend(classes);
    Ok(file)
}

/// What an emitter learned beyond its tokens: the `use` lines, opaque types and
/// function-pointer aliases the types it met need, and its errors. Two emitters that share the
/// classes (`parallel.rs`) merge these; the first one's come first.
#[derive(Debug, Default)]
pub struct Learned {
    /// `use` lines: last segment → full path (deterministic order).
    imports: BTreeMap<String, String>,
    /// Opaque types to declare: name → header that declares it.
    opaque: BTreeMap<String, String>,
    errors: Vec<Diagnostic>,
    /// Whether any emitted type mentions `c_void` (decides the `use` line).
    uses_c_void: bool,
    /// External function-pointer typedefs declared here (name → C definition, header).
    function_pointer_aliases: BTreeMap<String, (CType, &'static str)>,
}

/// An emitter of classes alone, for a second thread (`parallel.rs`): each class's errors come
/// back with its item, so the classes can be emitted in any order and their errors still be
/// reported in header order.
pub struct ClassEmitter<'a> {
    emitter: Emitter<'a>,
}

impl<'a> ClassEmitter<'a> {
    pub fn new(api: &'a Api, wraps: &'a WrapPlan) -> Self {
        ClassEmitter {
            emitter: Emitter::new(api, wraps),
        }
    }

    /// The item of `class` (empty when it failed) and its errors.
    pub fn class(
        &mut self,
        class: &Class,
        layout: &VtableLayout,
    ) -> (TokenStream, Vec<Diagnostic>) {
        let item = self.emitter.class(class, layout);
        (item, std::mem::take(&mut self.emitter.learned.errors))
    }

    /// What the emitter learned, with `errors`: those [`class`](Self::class) gave back, in
    /// header order.
    pub fn into_learned(self, errors: Vec<Diagnostic>) -> Learned {
        Learned {
            errors,
            ..self.emitter.learned
        }
    }
}

/// The bindings file in three steps: [`new`](Self::new) emits the constants, enums, typedefs
/// and structs; [`classes`](Self::classes) or [`class`](Self::class) the classes (all of them,
/// or the first ones, the others coming from a [`ClassEmitter`] and [`absorb`](Self::absorb));
/// [`finish`](Self::finish) what depends on every type met (opaque types, function-pointer
/// aliases, `use` lines).
pub struct BindingsEmitter<'a> {
    api: &'a Api,
    emitter: Emitter<'a>,
    constants: Vec<TokenStream>,
    enums: Vec<TokenStream>,
    /// Typedefs and structs.
    items: Vec<TokenStream>,
}

impl<'a> BindingsEmitter<'a> {
    pub fn new(api: &'a Api, wraps: &'a WrapPlan) -> Self {
        let mut emitter = Emitter::new(api, wraps);
        let constants = api.constants.iter().map(|c| emitter.constant(c)).collect();
        let enums = api.enums.iter().map(|e| emitter.enumeration(e)).collect();
        let mut items = Vec::new();
        for typedef in &api.typedefs {
            items.push(emitter.typedef(typedef));
        }
        for s in &api.structs {
            items.push(emitter.structure(s));
        }
        BindingsEmitter {
            api,
            emitter,
            constants,
            enums,
            items,
        }
    }

    /// The items of `classes`, in order, none empty: the caller puts them after
    /// [`finish`](Self::finish)'s items, where every class goes.
    pub fn classes(&mut self, classes: &[Class], layouts: &[VtableLayout]) -> Vec<TokenStream> {
        self.emitter.classes(classes, layouts)
    }

    /// The item of one class, the next after those emitted so far (empty when it failed; its
    /// errors stay with this emitter's).
    pub fn class(&mut self, class: &Class, layout: &VtableLayout) -> TokenStream {
        self.emitter.class(class, layout)
    }

    /// Takes in what another emitter learned from the classes that follow this one's, as if
    /// this emitter had emitted them next.
    pub fn absorb(&mut self, later: Learned) {
        self.emitter.learned.absorb(later);
    }

    /// Every item but the classes, in file order, and the file's attributes and `use` lines;
    /// the errors of everything emitted, the absorbed classes' included.
    pub fn finish(mut self, target: Target) -> Result<EmittedFile, Error> {
        let api = self.api;
        let emitter = &mut self.emitter;
        let aliases = emitter.function_pointer_aliases();
        let learned = &mut emitter.learned;
        if !learned.errors.is_empty() {
            return Err(Error::Input(std::mem::take(&mut learned.errors)));
        }
        let opaque: Vec<TokenStream> = learned
            .opaque
            .iter()
            .map(|(name, origin)| {
                let ident = ident(name);
                let doc = lit_fmt(format_args!(
                    " `{name}` from `{origin}`: no `windows-sys` equivalent, so an opaque type, \
                     usable only behind pointers."
                ));
                quote! {
                    #[doc = #doc]
                    #[repr(C)]
                    pub struct #ident {
                        _opaque: [u8; 0],
                        _not_send_sync_unpin: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
                    }
                }
            })
            .collect();
        let uses: Vec<TokenStream> = learned
            .imports
            .values()
            .map(|path| {
                let path: syn::Path =
                    syn::parse_str(path).expect("import paths come from our table");
                quote! { use #path; }
            })
            .collect();
        let object_type = (!api.classes.is_empty()).then(rust_object);
        let flags = flag_types(api);
        let interface_trait = api
            .classes
            .iter()
            .any(|c| c.uuid.is_some())
            .then(interface_trait);
        let c_void = learned.uses_c_void.then(|| {
            quote!(
                use core::ffi::c_void;
            )
        });
        let target_doc = lit_fmt(format_args!(
            " Parsed for `{target}`; slot order is the same on every MSVC target."
        ));
        let inner_attrs = quote! {
            #![doc = " Raw layer: constants, enums, typedefs and MSVC-ordered vtables of `httpserv.h`."]
            #![doc = ""]
            #![doc = #target_doc]
            #![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]
            #![allow(clippy::upper_case_acronyms, clippy::missing_safety_doc)]
        };
        let mut all = vec![crate::provenance::tokens(api)];
        all.extend(self.constants);
        all.extend(flags);
        all.extend(self.enums);
        all.extend(opaque);
        all.extend(aliases);
        all.extend(object_type);
        all.extend(interface_trait);
        all.extend(self.items);
        all.retain(|item| !item.is_empty());
        Ok(EmittedFile {
            inner_attrs,
            uses: c_void.into_iter().chain(uses).collect(),
            items: all,
        })
    }
}

impl Learned {
    /// See [`BindingsEmitter::absorb`]. Only the errors depend on the order: whether a path is
    /// imported does not depend on which paths were met before (see [`Emitter::import`]).
    fn absorb(&mut self, later: Learned) {
        self.imports.extend(later.imports);
        for (name, origin) in later.opaque {
            self.opaque.entry(name).or_insert(origin);
        }
        self.errors.extend(later.errors);
        self.uses_c_void |= later.uses_c_void;
        for (name, alias) in later.function_pointer_aliases {
            self.function_pointer_aliases.entry(name).or_insert(alias);
        }
    }
}

/// `#define` families that are bit masks, and the typed flags the bindings declare for them.
/// The constants stay as they are; each family also becomes a `#[repr(transparent)]` newtype
/// with one associated constant per `#define` (prefix dropped) and the bit operators.
pub const FLAG_GROUPS: &[(&str, &str, &str)] = &[
    (
        "RQ_",
        "RequestNotifications",
        "request notifications (`RQ_*`): which `CHttpModule` handlers run",
    ),
    (
        "GL_",
        "GlobalNotifications",
        "global notifications (`GL_*`): which `CGlobalModule` handlers run",
    ),
    (
        "CLONE_FLAG_",
        "CloneFlags",
        "what `IHttpContext::CloneContext` copies (`CLONE_FLAG_*`)",
    ),
    (
        "EXECUTE_FLAG_",
        "ExecuteFlags",
        "how `IHttpContext::ExecuteRequest` runs a child request (`EXECUTE_FLAG_*`)",
    ),
];

/// The typed flags of every [`FLAG_GROUPS`] family that has integer constants in the header.
fn flag_types(api: &Api) -> Vec<TokenStream> {
    FLAG_GROUPS
        .iter()
        .filter_map(|(prefix, type_name, what)| {
            let members: Vec<TokenStream> = api
                .constants
                .iter()
                .filter(|c| c.name.starts_with(prefix))
                .filter_map(|c| match c.value {
                    ConstValue::Int { value, .. } if u32::try_from(value).is_ok() => {
                        let member = rust_ident(&c.name[prefix.len()..]);
                        let constant = ident(&c.name);
                        let doc = lit_fmt(format_args!(" `{}`.", c.name));
                        Some(quote!(#[doc = #doc] pub const #member: Self = Self(#constant);))
                    }
                    _ => None,
                })
                .collect();
            if members.is_empty() {
                return None;
            }
            let ty = ident(type_name);
            let doc = lit_fmt(format_args!(" Typed {what}; combine with `|`."));
            Some(quote! {
                #[doc = #doc]
                #[repr(transparent)]
                #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
                pub struct #ty(pub u32);
                impl #ty {
                    #(#members)*
                    #[doc = " No flag."]
                    pub const fn empty() -> Self {
                        Self(0)
                    }
                    #[doc = " The `DWORD` IIS receives."]
                    pub const fn bits(self) -> u32 {
                        self.0
                    }
                    #[doc = " Whether every flag of `other` is set."]
                    pub const fn contains(self, other: Self) -> bool {
                        self.0 & other.0 == other.0
                    }
                }
                impl core::ops::BitOr for #ty {
                    type Output = Self;
                    fn bitor(self, other: Self) -> Self {
                        Self(self.0 | other.0)
                    }
                }
                impl core::ops::BitOrAssign for #ty {
                    fn bitor_assign(&mut self, other: Self) {
                        self.0 |= other.0;
                    }
                }
                impl core::ops::BitAnd for #ty {
                    type Output = Self;
                    fn bitand(self, other: Self) -> Self {
                        Self(self.0 & other.0)
                    }
                }
            })
        })
        .collect()
}

/// The trait of classes with a uuid, which `HttpGetExtendedInterface`-style lookups need.
fn interface_trait() -> TokenStream {
    quote! {
        #[doc = " A class of this header declared with `__declspec(uuid(...))`: `__uuidof(T)` is `T::IID`."]
        #[doc = ""]
        #[doc = " # Safety"]
        #[doc = " `IID` must be the uuid the header declares for exactly this class, whose vtable layout"]
        #[doc = " the implementing struct describes: IIS hands out objects by that uuid."]
        pub unsafe trait Interface {
            #[doc = " `__uuidof` of the class."]
            const IID: GUID;
        }
    }
}

/// The layout of a C++ object implemented in Rust, which every `<Name>_Vtbl::new::<T>()`
/// (derived by `#[vtable]`) assumes.
fn rust_object() -> TokenStream {
    quote! {
        #[doc = " A C++ object implemented in Rust: the vtable pointer C++ reads first, then the Rust value."]
        #[doc = ""]
        #[doc = " Build its vtable with `<Class>_Vtbl::new::<T>()` after implementing `<Class>_Impl` (and"]
        #[doc = " the base classes' `_Impl` traits) for `T`; a `*mut RustObject<T>` is then a valid"]
        #[doc = " `*mut <Class>` for C++."]
        #[repr(C)]
        pub struct RustObject<T> {
            #[doc = " Points to a `'static` vtable built by `<Class>_Vtbl::new::<T>()`."]
            pub lpVtbl: *const core::ffi::c_void,
            #[doc = " The Rust state."]
            pub value: T,
        }
    }
}

/// Where a type appears: a by-value use must know the type's size, a pointee need not.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Value,
    Return,
    Pointee,
}

struct Emitter<'a> {
    /// Names the header declares (classes, structs, enums, typedefs): emitted by name.
    local: FxHashSet<&'a str>,
    /// Last segments of more than one path of the external-type table: never imported.
    ambiguous: FxHashSet<&'static str>,
    learned: Learned,
    /// The safe wrapper of every slot, written as `#[wrap(...)]` on its field.
    wraps: &'a WrapPlan,
    /// The string literals of [`fixed_lit`](Self::fixed_lit).
    fixed_lits: FxHashMap<&'static str, Literal>,
    /// The tokens of each external path met (see [`external_path`](Self::external_path)): the
    /// same few paths come back in most slots, and each costs a lexed path or an import.
    external_paths: FxHashMap<&'static str, TokenStream>,
}

impl<'a> Emitter<'a> {
    fn new(api: &'a Api, wraps: &'a WrapPlan) -> Self {
        let mut local = FxHashSet::default();
        local.extend(api.classes.iter().map(|c| c.name.as_str()));
        local.extend(api.structs.iter().map(|s| s.name.as_str()));
        local.extend(api.enums.iter().map(|e| e.name.as_str()));
        local.extend(api.typedefs.iter().map(|t| t.name.as_str()));
        Emitter {
            local,
            ambiguous: ambiguous_last_segments(external::EXTERNAL_TYPES.iter().filter_map(|ext| {
                match ext.rust {
                    ExternalRust::Path(path) => Some(path),
                    _ => None,
                }
            })),
            learned: Learned::default(),
            wraps,
            fixed_lits: FxHashMap::default(),
            external_paths: FxHashMap::default(),
        }
    }

    /// The items of `classes`, in order, the empty ones (a class that failed) left out.
    fn classes(&mut self, classes: &[Class], layouts: &[VtableLayout]) -> Vec<TokenStream> {
        classes
            .iter()
            .zip(layouts)
            .map(|(class, layout)| self.class(class, layout))
            .filter(|item| !item.is_empty())
            .collect()
    }

    /// The external function-pointer typedefs the bindings used, declared here with the MSVC
    /// calling convention per target.
    fn function_pointer_aliases(&mut self) -> Vec<TokenStream> {
        let aliases = std::mem::take(&mut self.learned.function_pointer_aliases);
        aliases
            .into_iter()
            .map(|(name, (target, header))| {
                let ident = ident(&name);
                let ty = self.rust_type(
                    &target,
                    Position::Value,
                    &SourceLoc::default(),
                    &format_args!("typedef `{name}`"),
                );
                let doc = lit_fmt(format_args!(
                    " `{name}` from `{header}`, declared here rather than taken from `windows-sys` so that \
                     it has MSVC's calling convention on every target."
                ));
                quote! {
                    #[doc = #doc]
                    #[httpserv_macros::function_pointer]
                    pub type #ident = #ty;
                }
            })
            .collect()
    }

    /// [`lit`] for the texts the emitter writes in every class or slot, made once: copying a
    /// literal costs far less than lexing it (and `quote!` lexes those of its template each
    /// time).
    fn fixed_lit(&mut self, text: &'static str) -> Literal {
        self.fixed_lits
            .entry(text)
            .or_insert_with(|| lit(text))
            .clone()
    }

    fn fail(&mut self, loc: &SourceLoc, construct: String, message: String) -> TokenStream {
        self.learned
            .errors
            .push(Diagnostic::new(loc.clone(), construct, message));
        TokenStream::new()
    }

    fn constant(&mut self, c: &crate::model::Constant) -> TokenStream {
        let name = ident(&c.name);
        let (ty, value, shown) = match &c.value {
            ConstValue::Int { value, hex } => {
                let (ty, literal) = int_constant(*value, *hex);
                (ty, literal.clone(), literal.to_string())
            }
            ConstValue::Narrow(bytes) => match std::ffi::CString::new(bytes.clone()) {
                Ok(cstring) => {
                    let literal = Literal::c_string(&cstring);
                    let shown = format!("\"{}\"", String::from_utf8_lossy(bytes));
                    (quote!(&core::ffi::CStr), quote!(#literal), shown)
                }
                Err(_) => {
                    return self.fail(
                        &c.loc,
                        format!("constant `{}`", c.name),
                        "string constant with an embedded NUL is not supported".into(),
                    );
                }
            },
            ConstValue::Wide(units) => {
                let text = String::from_utf16(units).ok().filter(|t| !t.contains('\0'));
                let Some(text) = text else {
                    return self.fail(
                        &c.loc,
                        format!("constant `{}`", c.name),
                        "wide string constant that is not NUL-free UTF-16 is not supported".into(),
                    );
                };
                let shown = format!("L\"{text}\"");
                (
                    quote!(&widestring::U16CStr),
                    quote!(widestring::u16cstr!(#text)),
                    shown,
                )
            }
        };
        let doc = lit_fmt(format_args!(
            " `#define {} {}` ({}).",
            c.name,
            shown,
            short_loc(&c.loc)
        ));
        let ty_doc = match &c.value {
            ConstValue::Wide(_) => Some(" NUL-terminated UTF-16; `.as_ptr()` gives a `PCWSTR`."),
            ConstValue::Narrow(_) => Some(" NUL-terminated; `.as_ptr()` gives a `PCSTR`."),
            ConstValue::Int { .. } => None,
        };
        let ty_doc = ty_doc.map(|d| {
            let d = lit(d);
            quote!(#[doc = ""] #[doc = #d])
        });
        quote! {
            #[doc = #doc]
            #ty_doc
            pub const #name: #ty = #value;
        }
    }

    fn enumeration(&mut self, e: &crate::model::Enum) -> TokenStream {
        if e.name.is_empty() {
            // Anonymous enums without a typedef name are plain integer constants in C++.
            let underlying = self.rust_type(&e.underlying, Position::Value, &e.loc, &"enum");
            let consts = e.variants.iter().map(|(name, value)| {
                let ident = ident(name);
                let value = Literal::i64_unsuffixed(*value);
                let doc = lit_fmt(format_args!(
                    " Enumerator of an anonymous enum ({}).",
                    short_loc(&e.loc)
                ));
                quote! { #[doc = #doc] pub const #ident: #underlying = #value; }
            });
            return quote!(#(#consts)*);
        }
        let name = ident(&e.name);
        let underlying = self.rust_type(&e.underlying, Position::Value, &e.loc, &"enum");
        let doc = lit_fmt(format_args!(" `enum {}` ({}).", e.name, short_loc(&e.loc)));
        let consts = e.variants.iter().map(|(variant, value)| {
            let ident = ident(variant);
            let value = Literal::i64_unsuffixed(*value);
            let doc = lit_fmt(format_args!(" `{}::{variant}`.", e.name));
            quote! {
                #[doc = #doc]
                pub const #ident: #name = #name(#value);
            }
        });
        quote! {
            #[doc = #doc]
            #[doc = ""]
            #[doc = " A newtype, not a Rust `enum`: IIS may pass values this header does not list."]
            #[repr(transparent)]
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
            pub struct #name(pub #underlying);
            #(#consts)*
        }
    }

    fn typedef(&mut self, t: &crate::model::Typedef) -> TokenStream {
        let name = ident(&t.name);
        let target = self.rust_type(
            &t.target,
            Position::Value,
            &t.loc,
            &format_args!("typedef `{}`", t.name),
        );
        let doc = lit_fmt(format_args!(
            " `typedef {}` ({}).",
            t.name,
            short_loc(&t.loc)
        ));
        let abi = contains_function_pointer(&t.target).then(|| {
            quote! {
                #[doc = ""]
                #[doc = " `#[function_pointer]` gives the pointer the ABI MSVC uses on each target."]
                #[httpserv_macros::function_pointer]
            }
        });
        quote! {
            #[doc = #doc]
            #abi
            pub type #name = #target;
        }
    }

    fn structure(&mut self, s: &crate::model::Struct) -> TokenStream {
        let name = ident(&s.name);
        let fields: Vec<TokenStream> = s
            .fields
            .iter()
            .map(|f| {
                let field = rust_ident(&f.name);
                let ty = self.rust_type(
                    &f.ty,
                    Position::Value,
                    &s.loc,
                    &format_args!("struct `{}`", s.name),
                );
                quote!(pub #field: #ty)
            })
            .collect();
        let doc = lit_fmt(format_args!(
            " `struct {}` ({}).",
            s.name,
            short_loc(&s.loc)
        ));
        quote! {
            #[doc = #doc]
            #[repr(C)]
            #[derive(Clone, Copy)]
            pub struct #name { #(#fields),* }
        }
    }

    fn class(&mut self, class: &Class, layout: &VtableLayout) -> TokenStream {
        let name = ident(&class.name);
        let vtbl = format_ident!("{}_Vtbl", class.name);
        let decl = match &class.base {
            Some(base) => format!("class {} : public {base}", class.name),
            None => format!("class {}", class.name),
        };
        let doc = lit_fmt(format_args!(
            " `{decl}` ({}): {} vtable slots, {} of them its own.",
            short_loc(&class.loc),
            layout.slots.len(),
            layout.own_slots().len()
        ));
        let iid = class.uuid.map(|uuid| {
            let value: u128 = (u128::from(uuid.data1) << 96)
                | (u128::from(uuid.data2) << 80)
                | (u128::from(uuid.data3) << 64)
                | u128::from(u64::from_be_bytes(uuid.data4));
            let literal: TokenStream = format!(
                "0x{:08x}_{:04x}_{:04x}_{:04x}_{:012x}",
                uuid.data1,
                uuid.data2,
                uuid.data3,
                (value >> 48) & 0xffff,
                value & 0xffff_ffff_ffff
            )
            .parse()
            .expect("hex literal");
            let doc = lit_fmt(format_args!(" `__uuidof({})`: `{uuid}`.", class.name));
            self.external_path("windows_sys::core::GUID");
            quote! {
                impl #name {
                    #[doc = #doc]
                    pub const IID: GUID = GUID::from_u128(#literal);
                }
                // SAFETY: the uuid is the one the header declares for this class.
                unsafe impl Interface for #name {
                    const IID: GUID = Self::IID;
                }
            }
        });
        let upcast = class.base.as_ref().map(|base| {
            let base = ident(base);
            quote! {
                impl core::ops::Deref for #name {
                    type Target = #base;
                    #[inline]
                    fn deref(&self) -> &#base {
                        // SAFETY: single inheritance without data members: the object starts with
                        // one vtable pointer whose table begins with the base's slots, so it is a
                        // valid base object at the same address.
                        unsafe { &*(self as *const Self as *const #base) }
                    }
                }
            }
        });
        let base_field = class.base.as_ref().map(|base| {
            let base_vtbl = format_ident!("{}_Vtbl", base);
            let base_len = layout.base_slots;
            let doc = lit_fmt(format_args!(
                " Slots 0..{base_len}: the vtable of `{base}`."
            ));
            quote! { #[doc = #doc] pub base__: #base_vtbl, }
        });
        // The plan has the field names; a class it lacks (the emitter's tests) gets no wrappers.
        let planned = self.wraps.class(&class.name);
        let computed;
        let (field_names, specs): (&[String], &[WrapSpec]) = match planned {
            Some(wraps) => (&wraps.fields, &wraps.specs),
            None => {
                computed = field_names(layout);
                (&computed, &[])
            }
        };
        let fields: TokenStream = layout
            .own_slots()
            .iter()
            .zip(field_names)
            .enumerate()
            .map(|(k, (slot, field_name))| {
                let field = rust_ident(field_name);
                let wrap = specs.get(k).map(WrapAttribute);
                match &slot.entry {
                    SlotEntry::Method(method) => {
                        self.slot_field(class, &name, slot.index, &field, method, wrap)
                    }
                    SlotEntry::ScalarDeletingDestructor => {
                        self.learned.uses_c_void = true;
                        let doc = lit_fmt(format_args!(
                            " Slot {}: `virtual ~{}()`, as MSVC's scalar deleting destructor: \
                             destroys the object and, when bit 0 of `flags` is set, frees it; \
                             returns `this`.",
                            slot.index, class.name
                        ));
                        let abi = self.fixed_lit("system");
                        quote! {
                            #[doc = #doc]
                            #wrap
                            pub #field: unsafe extern #abi fn(this: *mut #name, flags: u32) -> *mut c_void,
                        }
                    }
                }
            })
            .collect();
        // The fields in a group of their own, which `quote!` shares where it would copy the
        // tokens of a stream.
        let fields = Group::new(
            Delimiter::Brace,
            base_field.into_iter().chain([fields]).collect(),
        );
        let vtbl_doc = lit_fmt(format_args!(
            " Vtable of `{}`, in MSVC slot order.",
            class.name
        ));
        // The address as a `usize` in hex (what `{:p}` prints): formatting a `*const Self`
        // would make rustc compile `Pointer::fmt` (and `ptr::from_ref`) once per class, over a
        // fifth of the functions a build of the crate generates.
        let debug_format = lit_fmt(format_args!("{}({{:#x}})", class.name));
        let pointer_doc = self.fixed_lit(" Pointer to the object's vtable.");
        let empty_doc = self.fixed_lit("");
        let abi_doc = [
            " `#[vtable]` gives each slot the ABI MSVC uses for member functions on each target:",
            " `thiscall` on 32-bit x86, the `system` convention written here on x86_64 and aarch64.",
        ]
        .map(|text| self.fixed_lit(text));
        quote! {
            #[doc = #doc]
            #[repr(C)]
            pub struct #name {
                #[doc = #pointer_doc]
                pub lpVtbl: *const #vtbl,
            }
            impl core::fmt::Debug for #name {
                fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    write!(f, #debug_format, self as *const Self as usize)
                }
            }
            #iid
            #upcast
            #[doc = #vtbl_doc]
            #[doc = #empty_doc]
            #(#[doc = #abi_doc])*
            #[httpserv_macros::vtable]
            #[repr(C)]
            pub struct #vtbl #fields
        }
    }

    fn slot_field(
        &mut self,
        class: &Class,
        this_ty: &Ident,
        index: usize,
        field: &Ident,
        method: &Method,
        wrap: Option<WrapAttribute<'_>>,
    ) -> TokenStream {
        let construct = MethodConstruct(&class.name, &method.name);
        // The parameters appended token by token (interpolating a type would copy its tokens),
        // then made a group, which `quote!` interpolates by sharing its stream.
        let mut params = quote!(this: *mut #this_ty);
        let ret = if method.returns_via_hidden_pointer() {
            let ty = self.rust_type(&method.ret, Position::Pointee, &method.loc, &construct);
            params.extend(quote!(, __return: *mut #ty));
            quote!(-> *mut #ty)
        } else {
            self.return_type(&method.ret, &method.loc, &construct)
        };
        for (i, p) in method.params.iter().enumerate() {
            let ty = self.rust_type(&p.ty, Position::Value, &method.loc, &construct);
            params.append(Punct::new(',', Spacing::Alone));
            params.append(param_ident(&p.name, i));
            params.append(Punct::new(':', Spacing::Alone));
            params.extend(ty);
        }
        let params = Group::new(Delimiter::Parenthesis, params);
        let (abi, marker) = match method.conv() {
            CallConv::Member => ("system", None),
            CallConv::Stdcall => ("system", Some(quote!(#[explicit_stdcall]))),
            CallConv::Cdecl => ("C", None),
        };
        let abi = self.fixed_lit(abi);
        let doc = lit_fmt(format_args!(
            " Slot {index}: `{}` ({}).",
            Declaration(method),
            short_loc(&method.loc)
        ));
        let hidden = method.returns_via_hidden_pointer().then(|| {
            quote!(#[doc = ""] #[doc = " Returns by value through the hidden `__return` pointer (MSVC: right after `this`)."])
        });
        let deprecated = method.deprecated.as_ref().map(|message| {
            let note = if message.is_empty() {
                "deprecated in the header"
            } else {
                message
            };
            let note = lit(note);
            quote!(#[deprecated(note = #note)])
        });
        quote! {
            #[doc = #doc]
            #hidden
            #wrap
            #deprecated
            #marker
            pub #field: unsafe extern #abi fn #params #ret,
        }
    }

    fn return_type(
        &mut self,
        ty: &CType,
        loc: &SourceLoc,
        construct: &dyn fmt::Display,
    ) -> TokenStream {
        if matches!(ty.canonical(), CType::Void) {
            return TokenStream::new();
        }
        // Appended rather than interpolated, which would copy the type's tokens.
        let mut ret = quote!(->);
        ret.extend(self.rust_type(ty, Position::Return, loc, construct));
        ret
    }

    /// `path`'s last segment, with a `use` line for `path`, unless a type of the header or
    /// another path of the table has that name: then `path` in full. Which it is depends only
    /// on the header and the table, never on what was emitted before, so emitters that share
    /// the classes (`parallel.rs`) write the same tokens as one emitter.
    fn import(&mut self, path: &str) -> TokenStream {
        let last = path.rsplit("::").next().unwrap_or(path);
        if self.local.contains(last) || self.ambiguous.contains(last) {
            return path.parse().unwrap_or_default();
        }
        self.learned
            .imports
            .insert(last.to_string(), path.to_string());
        ident_tokens(last)
    }

    /// An external path from the table (`u32`, `windows_sys::core::HRESULT`,
    /// `*mut windows_sys::...::SOCKADDR`), with `windows_sys` paths turned into imports.
    fn external_path(&mut self, text: &'static str) -> TokenStream {
        if let Some(tokens) = self.external_paths.get(text) {
            return tokens.clone();
        }
        let tokens = self.new_external_path(text);
        self.external_paths.insert(text, tokens.clone());
        tokens
    }

    /// See [`external_path`](Self::external_path), for a path met the first time.
    fn new_external_path(&mut self, text: &str) -> TokenStream {
        let (prefix, path) = match text.split_once(' ') {
            Some((ptr, rest)) if ptr.starts_with('*') => (Some(ptr), rest),
            _ => (None, text),
        };
        let path_tokens = if path == "core::ffi::c_void" {
            self.learned.uses_c_void = true;
            quote!(c_void)
        } else if path.contains("::") {
            self.import(path)
        } else {
            path.parse().unwrap_or_default()
        };
        match prefix {
            Some("*mut") => quote!(*mut #path_tokens),
            Some(_) => quote!(*const #path_tokens),
            None => path_tokens,
        }
    }

    fn rust_type(
        &mut self,
        ty: &CType,
        pos: Position,
        loc: &SourceLoc,
        construct: &dyn fmt::Display,
    ) -> TokenStream {
        match ty {
            CType::Void => match pos {
                Position::Pointee => {
                    self.learned.uses_c_void = true;
                    quote!(c_void)
                }
                _ => quote!(()),
            },
            CType::Bool => quote!(bool),
            CType::Int { bytes, signed } => primitive(*bytes, *signed),
            CType::WChar => quote!(u16),
            CType::Float => quote!(f32),
            CType::Double => quote!(f64),
            CType::Typedef { name, target } => {
                if self.local.contains(name.as_str()) {
                    return ident_tokens(name);
                }
                match external::lookup(name) {
                    Some(ext) => match ext.rust {
                        ExternalRust::Path(path) => self.external_path(path),
                        ExternalRust::Opaque => {
                            self.opaque_type(name, ext.sdk_header, pos, loc, construct)
                        }
                        ExternalRust::FunctionPointerAlias => {
                            self.learned
                                .function_pointer_aliases
                                .entry(name.clone())
                                .or_insert_with(|| ((**target).clone(), ext.sdk_header));
                            ident_tokens(name)
                        }
                    },
                    // Typedefs of the shims/SDK without a table row: use what they stand for.
                    None => self.rust_type(target, pos, loc, construct),
                }
            }
            CType::Enum { name } => {
                if self.local.contains(name.as_str()) {
                    return ident_tokens(name);
                }
                match external::lookup(name) {
                    Some(ext) => match ext.rust {
                        ExternalRust::Path(path) => self.external_path(path),
                        ExternalRust::Opaque | ExternalRust::FunctionPointerAlias => quote!(i32),
                    },
                    None => self.fail(
                        loc,
                        construct.to_string(),
                        format!("enum `{name}` is declared neither in this header nor in the external-type table"),
                    ),
                }
            }
            CType::Record { name } => {
                if self.local.contains(name.as_str()) {
                    return ident_tokens(name);
                }
                match external::lookup(name) {
                    Some(ExternalTypeRef {
                        rust: ExternalRust::Path(path),
                        ..
                    }) => self.external_path(path),
                    Some(ext) => self.opaque_type(name, ext.sdk_header, pos, loc, construct),
                    None => self.opaque_type(name, "another header", pos, loc, construct),
                }
            }
            CType::Pointer {
                pointee,
                pointee_const,
            }
            | CType::Reference {
                pointee,
                pointee_const,
            } => {
                if let CType::Function {
                    ret,
                    params,
                    conv,
                    variadic,
                } = pointee.canonical()
                {
                    return self.function_pointer(ret, params, *conv, *variadic, loc, construct);
                }
                let mut ty = if *pointee_const {
                    quote!(*const)
                } else {
                    quote!(*mut)
                };
                // Appended rather than interpolated, which would copy the pointee's tokens.
                ty.extend(self.rust_type(pointee, Position::Pointee, loc, construct));
                ty
            }
            CType::Function { .. } => self.fail(
                loc,
                construct.to_string(),
                "a function type used by value is not supported".into(),
            ),
        }
    }

    fn opaque_type(
        &mut self,
        name: &str,
        origin: &str,
        pos: Position,
        loc: &SourceLoc,
        construct: &dyn fmt::Display,
    ) -> TokenStream {
        if pos != Position::Pointee {
            return self.fail(
                loc,
                construct.to_string(),
                format!("`{name}` is used by value but its layout is unknown (declared in {origin}, not in the external-type table)"),
            );
        }
        self.learned
            .opaque
            .entry(name.to_string())
            .or_insert_with(|| origin.to_string());
        ident_tokens(name)
    }

    fn function_pointer(
        &mut self,
        ret: &CType,
        params: &[CType],
        conv: CallConv,
        variadic: bool,
        loc: &SourceLoc,
        construct: &dyn fmt::Display,
    ) -> TokenStream {
        let abi = match conv {
            CallConv::Stdcall => "system",
            CallConv::Cdecl => "C",
            CallConv::Member => {
                return self.fail(
                    loc,
                    construct.to_string(),
                    "a `__thiscall` function pointer outside a class is not supported".into(),
                );
            }
        };
        let abi = Literal::string(abi);
        let params: Vec<TokenStream> = params
            .iter()
            .map(|p| self.rust_type(p, Position::Value, loc, construct))
            .collect();
        let dots = variadic.then(|| quote!(, ...));
        let ret = self.return_type(ret, loc, construct);
        quote!(Option<unsafe extern #abi fn(#(#params),* #dots) #ret>)
    }
}

type ExternalTypeRef = external::ExternalType;

/// `#[wrap(...)]`: the plain description of a slot's safe wrapper that `httpserv-macros` expands.
///
/// Interpolated by `quote!` as it writes itself, into the field's tokens, like its parts
/// ([`WrapKind`]): a stream of its own would be copied there.
struct WrapAttribute<'a>(&'a WrapSpec);

impl ToTokens for WrapAttribute<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let spec = self.0;
        let name = rust_ident(&spec.name);
        let cpp = lit(&spec.cpp);
        let slot = Literal::usize_unsuffixed(spec.slot);
        let ret = WrapKind(&spec.ret);
        // The optional parts as iterators of at most one item, which `quote!` repeats.
        let params = (!spec.params.is_empty())
            .then(|| {
                let names = spec.params.iter().map(|(p, _)| rust_ident(p));
                let kinds = spec.params.iter().map(|(_, k)| WrapKind(k));
                quote!(params(#(#names = #kinds),*))
            })
            .into_iter();
        let defaults = (!spec.defaults.is_empty())
            .then(|| {
                let names = spec.defaults.iter().map(|(p, _)| rust_ident(p));
                let exprs = spec
                    .defaults
                    .iter()
                    .map(|(_, e)| e.parse::<TokenStream>().unwrap_or_default());
                quote!(defaults(#(#names = #exprs),*))
            })
            .into_iter();
        let safety = spec.safety.as_deref().map(lit).into_iter();
        let page = spec.page.as_deref().map(lit).into_iter();
        let doc = lit(&spec.summary);
        tokens.extend(quote! {
            #[wrap(
                name = #name, cpp = #cpp, slot = #slot, ret = #ret
                #(, #params)* #(, #defaults)* #(, safety = #safety)* #(, page = #page)*,
                doc = #doc
            )]
        });
    }
}

/// A wrapper kind as `#[wrap]` spells it: `name` or `name(arg)`.
struct WrapKind<'a>(&'a crate::wrap::Kind);

impl ToTokens for WrapKind<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.append(rust_ident(&self.0.name));
        if let Some(arg) = &self.0.arg {
            let arg = rust_ident(arg);
            tokens.append(Group::new(Delimiter::Parenthesis, quote!(#arg)));
        }
    }
}

/// The string literal `Literal::string(text)` makes, faster for the usual text (see
/// [`quoted_lit`]).
fn lit(text: &str) -> Literal {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    quoted.push_str(text);
    quoted.push('"');
    quoted_lit(quoted)
}

/// [`lit`] of formatted text, formatted straight between the quotes: `format!` would cost
/// another string.
fn lit_fmt(args: fmt::Arguments<'_>) -> Literal {
    // Room for most docs, which grow a string from empty in several steps.
    let mut quoted = String::with_capacity(128);
    quoted.push('"');
    fmt::Write::write_fmt(&mut quoted, args).expect("a `String` takes any text");
    quoted.push('"');
    quoted_lit(quoted)
}

/// The string literal of the text between the quotes of `quoted`, as `Literal::string` makes
/// it: proc-macro2 escapes every character through `char::escape_debug`, while text of
/// printable ASCII without `"` or `\` needs no escape, and lexing it quoted takes a quarter
/// of the time (the emitter writes a few thousand docs).
fn quoted_lit(quoted: String) -> Literal {
    let text = &quoted[1..quoted.len() - 1];
    // Without an early exit, so that the compiler checks many bytes at a time.
    let plain = text.bytes().fold(true, |plain, b| {
        plain & (b' '..=b'~').contains(&b) & (b != b'"') & (b != b'\\')
    });
    if plain && let Ok(literal) = quoted.parse() {
        return literal;
    }
    Literal::string(text)
}

/// The last segments shared by different paths of `paths` (`*const`/`*mut` prefixes aside).
fn ambiguous_last_segments<'t>(paths: impl IntoIterator<Item = &'t str>) -> FxHashSet<&'t str> {
    let mut first: FxHashMap<&str, &str> = FxHashMap::default();
    let mut ambiguous = FxHashSet::default();
    for text in paths {
        let path = text.rsplit(' ').next().unwrap_or(text);
        let Some((_, last)) = path.rsplit_once("::") else {
            continue;
        };
        if *first.entry(last).or_insert(path) != path {
            ambiguous.insert(last);
        }
    }
    ambiguous
}

/// Whether a type is, or points to, a function (through typedefs and pointers).
fn contains_function_pointer(ty: &CType) -> bool {
    match ty {
        CType::Function { .. } => true,
        CType::Typedef { target, .. } => contains_function_pointer(target),
        CType::Pointer { pointee, .. } | CType::Reference { pointee, .. } => {
            contains_function_pointer(pointee)
        }
        _ => false,
    }
}

fn primitive(bytes: u8, signed: bool) -> TokenStream {
    match (bytes, signed) {
        (1, true) => quote!(i8),
        (1, false) => quote!(u8),
        (2, true) => quote!(i16),
        (2, false) => quote!(u16),
        (8, true) => quote!(i64),
        (8, false) => quote!(u64),
        (_, true) => quote!(i32),
        (_, false) => quote!(u32),
    }
}

/// Integer `#define`s: `u32` when they fit (flags, masks), else `i32` or 64-bit.
fn int_constant(value: i128, hex: bool) -> (TokenStream, TokenStream) {
    let ty = if (0..=i128::from(u32::MAX)).contains(&value) {
        quote!(u32)
    } else if (i128::from(i32::MIN)..0).contains(&value) {
        quote!(i32)
    } else if value >= 0 {
        quote!(u64)
    } else {
        quote!(i64)
    };
    let literal: TokenStream = if hex && value >= 0 {
        format!("0x{value:08X}").parse().expect("hex literal")
    } else {
        let v = Literal::i128_unsuffixed(value.abs());
        if value < 0 { quote!(-#v) } else { quote!(#v) }
    };
    (ty, literal)
}

/// ``method `Class::Method` ``, the construct of a diagnostic about a method's types: written
/// only when there is one.
struct MethodConstruct<'a>(&'a str, &'a str);

impl fmt::Display for MethodConstruct<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "method `{}::{}`", self.0, self.1)
    }
}

/// A method as the header declares it, e.g. `HRESULT GetData(PCSTR pszName, DWORD cb = 0) const`.
struct Declaration<'a>(&'a Method);

impl fmt::Display for Declaration<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Piece by piece: `write!` costs more than `write_str` (the doc of every slot).
        let method = self.0;
        for piece in [&method.ret_spelling, " ", &method.name, "("] {
            f.write_str(piece)?;
        }
        for (i, p) in method.params.iter().enumerate() {
            let separator = if i > 0 { ", " } else { "" };
            for piece in [separator, &p.spelling, " ", &p.name] {
                f.write_str(piece)?;
            }
            if let Some(default) = &p.default {
                f.write_str(" = ")?;
                f.write_str(default)?;
            }
        }
        f.write_str(if method.is_const { ") const" } else { ")" })
    }
}

/// `file:line` with the file name only, so generated docs do not depend on where the header is.
fn short_loc(loc: &SourceLoc) -> ShortLoc<'_> {
    ShortLoc(loc)
}

/// See [`short_loc`]: written into the doc being formatted rather than into a string of its own.
struct ShortLoc<'a>(&'a SourceLoc);

impl fmt::Display for ShortLoc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = std::path::Path::new(&*self.0.file)
            .file_name()
            .unwrap_or_default();
        f.write_str(&file.to_string_lossy())?;
        f.write_str(":")?;
        fmt::Display::fmt(&self.0.line, f)
    }
}

/// The ident `name`: what `format_ident!("{}", name)` makes for a C++ name, without formatting.
fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The ident `name` alone: what `quote!(#ident)` makes, without copying the ident.
fn ident_tokens(name: &str) -> TokenStream {
    TokenTree::Ident(ident(name)).into()
}

/// A Rust identifier for a C++ name: raw identifiers for keywords, a trailing `_` for the
/// keywords that cannot be raw (`self`, `Self`, `super`, `crate`).
pub fn rust_ident(name: &str) -> Ident {
    let name = rust_name(name);
    if crate::validate::is_identifier_text(&name) && !crate::validate::is_keyword(&name) {
        Ident::new(&name, Span::call_site())
    } else {
        Ident::new_raw(&name, Span::call_site())
    }
}

/// The text of [`rust_ident`]`(name)` without the `r#` of a raw identifier: two names are the
/// same Rust identifier when these are equal. Allocates only for the keywords renamed with `_`.
pub fn rust_name(name: &str) -> Cow<'_, str> {
    match name {
        "" => Cow::Borrowed("unnamed_"),
        "self" | "Self" | "super" | "crate" | "_" => Cow::Owned(format!("{name}_")),
        _ => Cow::Borrowed(name),
    }
}

fn param_ident(name: &str, index: usize) -> Ident {
    if name.is_empty() || name == "this" || name == "__return" {
        format_ident!("param{}", index)
    } else {
        rust_ident(name)
    }
}

/// Field names of a class's own slots. Overloads share a C++ name, so each member of an
/// overload set gets a suffix from the first parameter type that tells them apart
/// (`GetHeader_PCSTR` / `GetHeader_HTTP_HEADER_ID`), or `_const` for the const twin.
pub fn field_names(layout: &VtableLayout) -> Vec<String> {
    let own = layout.own_slots();
    let mut by_name: FxHashMap<&str, Vec<usize>> =
        FxHashMap::with_capacity_and_hasher(own.len(), Default::default());
    for (i, slot) in own.iter().enumerate() {
        if let SlotEntry::Method(m) = &slot.entry {
            by_name.entry(&m.name).or_default().push(i);
        }
    }
    let mut names: Vec<String> = own
        .iter()
        .map(|slot| match &slot.entry {
            SlotEntry::Method(m) => m.name.clone(),
            SlotEntry::ScalarDeletingDestructor => "ScalarDeletingDestructor".to_string(),
        })
        .collect();
    let mut groups: Vec<&Vec<usize>> = by_name.values().filter(|g| g.len() > 1).collect();
    groups.sort();
    for group in groups {
        let methods: Vec<&Method> = group
            .iter()
            .filter_map(|&i| match &own[i].entry {
                SlotEntry::Method(m) => Some(&**m),
                SlotEntry::ScalarDeletingDestructor => None,
            })
            .collect();
        let suffixes: Vec<String> = methods
            .iter()
            .map(|m| overload_suffix(m, &methods))
            .collect();
        let unique: BTreeSet<&String> = suffixes.iter().collect();
        for (k, &i) in group.iter().enumerate() {
            let suffix = if unique.len() == suffixes.len() {
                suffixes[k].clone()
            } else {
                format!("{}_{}", suffixes[k], k)
            };
            names[i] = if suffix.is_empty() {
                names[i].clone()
            } else {
                format!("{}_{suffix}", names[i])
            };
        }
    }
    names
}

fn overload_suffix(method: &Method, group: &[&Method]) -> String {
    let spellings = |m: &Method| {
        m.params
            .iter()
            .map(|p| p.spelling.clone())
            .collect::<Vec<_>>()
    };
    let mine = spellings(method);
    let others: Vec<Vec<String>> = group
        .iter()
        .filter(|m| !std::ptr::eq(**m, method))
        .map(|m| spellings(m))
        .collect();
    if others.iter().all(|o| *o == mine) {
        // Only const-ness differs.
        return if method.is_const {
            "const".into()
        } else {
            String::new()
        };
    }
    let differs_at = (0..)
        .find(|&i| others.iter().any(|o| o.get(i) != mine.get(i)))
        .unwrap_or(0);
    match mine.get(differs_at) {
        Some(spelling) => sanitize(spelling),
        None => format!("{}args", mine.len()),
    }
}

/// `const GUID &` → `GUID`, `PCWSTR *` → `PCWSTR`: the type name as an identifier part.
fn sanitize(spelling: &str) -> String {
    let words: Vec<&str> = spelling
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| {
            !w.is_empty() && !matches!(*w, "const" | "struct" | "class" | "enum" | "volatile")
        })
        .collect();
    words.join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ambiguous_last_segments_are_those_of_two_paths() {
        let ambiguous = ambiguous_last_segments([
            "windows_sys::core::GUID",
            "*const windows_sys::core::GUID",
            "windows_sys::Win32::Foundation::HANDLE",
            "windows_sys::Win32::Other::HANDLE",
            "u32",
        ]);
        assert_eq!(ambiguous, FxHashSet::from_iter(["HANDLE"]));
    }

    #[test]
    fn imports_do_not_depend_on_the_order_paths_are_met() {
        let api = Api::default();
        let wraps = WrapPlan::default();
        let mut emitter = Emitter::new(&api, &wraps);
        emitter.ambiguous.insert("HANDLE");
        // Ambiguous: in full, whichever comes first, and no `use` line.
        let full = emitter
            .import("windows_sys::Win32::Other::HANDLE")
            .to_string();
        assert_eq!(full, "windows_sys :: Win32 :: Other :: HANDLE");
        let short = emitter.import("windows_sys::core::GUID").to_string();
        assert_eq!(short, "GUID");
        assert_eq!(
            emitter.learned.imports,
            BTreeMap::from([("GUID".to_string(), "windows_sys::core::GUID".to_string())])
        );
    }

    #[test]
    fn lit_is_literal_string() {
        for text in [
            "",
            " A doc with `code` and 'quotes'.",
            "say \"hi\"",
            "back\\slash",
            "tab\there",
            "line\nbreak",
            "non-ASCII: é ü ∑",
            "\0 nul",
            "/* not a comment */ // nor this",
        ] {
            let expected = Literal::string(text).to_string();
            assert_eq!(lit(text).to_string(), expected, "{text:?}");
            assert_eq!(
                lit_fmt(format_args!("{text}")).to_string(),
                expected,
                "{text:?}"
            );
        }
    }

    #[test]
    fn keywords_become_usable_identifiers() {
        assert_eq!(rust_ident("type").to_string(), "r#type");
        assert_eq!(rust_ident("self").to_string(), "self_");
        assert_eq!(rust_ident("gen").to_string(), "r#gen");
        assert_eq!(rust_ident("GetHeader").to_string(), "GetHeader");
    }

    #[test]
    fn type_spellings_sanitize() {
        assert_eq!(sanitize("const GUID &"), "GUID");
        assert_eq!(sanitize("PCWSTR *"), "PCWSTR");
        assert_eq!(sanitize("unsigned int"), "unsigned_int");
    }

    #[test]
    fn integer_constants_pick_a_c_like_type() {
        assert_eq!(int_constant(16, true).0.to_string(), "u32");
        assert_eq!(int_constant(16, true).1.to_string(), "0x00000010");
        assert_eq!(int_constant(-1, false).0.to_string(), "i32");
        assert_eq!(int_constant(1 << 40, false).0.to_string(), "u64");
    }
}
