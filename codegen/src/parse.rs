//! Stage 1: libclang reads the header and we copy what we need into the owned [`Api`] model.
//!
//! Why libclang directly (through the `clang` crate over `clang-sys`) and not bindgen's output:
//! bindgen lays C++ vtables out in declaration order, drops overload/const/default-argument and
//! uuid facts, skips `L"..."` macros, and a second libclang parse for what it cannot give would
//! double the run time. One parse here gives every fact; the layout stage applies MSVC's rules.

use std::cell::RefCell;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use clang::source::{File, Location, SourceRange};
use clang::token::{Token, TokenKind};
use clang::{
    Availability, CallingConvention, Clang, Entity, EntityKind, Index, TranslationUnit, Type,
    TypeKind, Unsaved,
};
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Error};
use crate::model::{
    Api, CType, CallConv, Class, ConstValue, Constant, Enum, Field, Member, MemberKind, Method,
    Param, SourceLoc, Struct, Target, Typedef, Uuid,
};

/// What to parse and how.
#[derive(Debug, Clone)]
pub struct ParseRequest<'a> {
    pub header: &'a Path,
    /// User include folders, searched before the bundled shims.
    pub include_dirs: &'a [PathBuf],
    pub shims_dir: &'a Path,
    pub target: Target,
}

/// libclang allows one `Clang` per process at a time; tests parse from several threads.
static LIBCLANG: Mutex<()> = Mutex::new(());

/// Name of the in-memory translation unit (never written to disk).
const TU_NAME: &str = "httpserv-codegen-input.cpp";

/// Compiler arguments shared by every parse; the referee tests use the same ones with clang++.
pub fn clang_args(req: &ParseRequest<'_>) -> Vec<String> {
    let mut args: Vec<String> = [
        "-x",
        "c++",
        "-std=c++14",
        "-fms-extensions",
        "-fms-compatibility",
        "-fno-rtti",
        // No host or MSVC system headers: the result must not depend on the machine.
        "-nostdlibinc",
        "-DWIN32",
        // libclang < 17 rejects `__FUNCTION__ "literal"` (MSVC concatenates them), which the
        // default method bodies of real SDK headers use. Bodies never matter to the bindings.
        "-D__FUNCTION__=\"\"",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--target={}", req.target.triple()));
    for dir in req.include_dirs {
        args.push(format!("-I{}", dir.display()));
    }
    args.push(format!("-I{}", req.shims_dir.display()));
    args
}

/// Parses the header and returns its API model, or every error libclang and our checks found.
/// `loaded` runs once libclang is loaded, before it parses (see [`crate::generated_files`]).
pub fn parse(req: &ParseRequest<'_>, loaded: &mut dyn FnMut()) -> Result<Api, Error> {
    if req.header.is_dir() {
        return Err(Error::input(
            loc_at(req.header, 1, 1),
            format!("header `{}`", req.header.display()),
            "is a folder, not a file: pass the path of httpserv.h itself",
        ));
    }
    let bytes = match std::fs::read(req.header) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::HeaderNotFound(req.header.display().to_string()));
        }
        Err(e) => return Err(Error::io(req.header, e)),
    };
    let header_name = req
        .header
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let header_sha256 = format!("{:x}", Sha256::digest(&bytes));
    check_is_text(req.header, &bytes)?;

    let _guard = LIBCLANG
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let started = crate::timing::start();
    let clang = Clang::new().map_err(Error::Libclang)?;
    crate::timing::record("parse: load libclang", started);
    loaded();
    let started = crate::timing::start();
    let index = Index::new(&clang, false, false);
    let tu_source = format!(
        "#include <windows.h>\n#include \"{}\"\n",
        req.header.display()
    );
    let tu = index
        .parser(TU_NAME)
        .arguments(&clang_args(req))
        .unsaved(&[Unsaved::new(TU_NAME, &tu_source)])
        .detailed_preprocessing_record(true)
        .skip_function_bodies(true)
        .parse()
        .map_err(|e| {
            Error::input(
                loc_at(req.header, 1, 1),
                format!("header `{}`", req.header.display()),
                format!("libclang could not parse it: {e}"),
            )
        })?;

    check_clang_diagnostics(&tu, req.header, &bytes)?;
    crate::timing::record("parse: libclang", started);

    let started = crate::timing::start();
    let header_path = std::fs::canonicalize(req.header).map_err(|e| Error::io(req.header, e))?;
    let mut walker = Walker {
        req,
        header_path,
        header_display: req.header.display().to_string().into(),
        header_bytes: bytes,
        macros: FxHashMap::default(),
        macro_bodies: RefCell::new(FxHashMap::default()),
        api: Api {
            header_name,
            header_sha256,
            ..Api::default()
        },
        errors: Vec::new(),
        anonymous_enums: BTreeMap::new(),
        vtable_classes: FxHashMap::default(),
        is_header_file: RefCell::new(FxHashMap::default()),
        typedef_convs: RefCell::new(FxHashMap::default()),
    };
    walker.collect_macros(&tu);
    walker.walk(tu.get_entity().get_children());
    crate::timing::record("parse: model", started);
    if walker.api.classes.is_empty() && walker.errors.is_empty() {
        walker.errors.push(Diagnostic::new(
            loc_at(req.header, 1, 1),
            format!("header `{}`", req.header.display()),
            "declares no class with virtual methods: nothing to bind (is this httpserv.h?)",
        ));
    }
    let api = std::mem::take(&mut walker.api);
    let errors = std::mem::take(&mut walker.errors);
    // The walker's tables point into the AST: they go first (see `crate::release`). The AST
    // itself is disposed of even by the command line, which leaves the rest of its memory to
    // the exit: libclang allocates through the same allocator (mimalloc, on Linux with glibc),
    // so the later stages reuse the AST's memory instead of faulting in new pages (at 100 times
    // the bundled header: 7 ms to dispose of it, peak memory 340 -> 294 MB, the stages after
    // it 10-30 % faster).
    crate::release(walker);
    drop(tu);
    if errors.is_empty() {
        Ok(api)
    } else {
        Err(Error::Input(errors))
    }
}

/// The tokens of a declaration written before its name (`__stdcall`, `__declspec(uuid(...))`).
/// Only those are tokenized: the parameters or the body after the name are most of a
/// declaration. A name that comes out of a macro expansion: the whole range, cut at the name.
fn tokens_before_name<'tu>(entity: &Entity<'tu>) -> Option<Vec<Token<'tu>>> {
    let range = entity.get_range()?;
    let name = entity.get_location()?;
    let expanded = name.get_expansion_location();
    let spelled = name.get_spelling_location();
    let plain_name = spelled.file == expanded.file && spelled.offset == expanded.offset;
    let tokens = if plain_name {
        SourceRange::new(range.get_start(), name)
    } else {
        range
    };
    let mut tokens = tokens.tokenize();
    // Tokens come in file order. Cut at the name (tokenize includes the token at the end of a
    // range): from the end when the range stops at the name, else from the start.
    let at_or_after_name =
        |t: &Token<'_>| t.get_location().get_expansion_location().offset >= expanded.offset;
    if plain_name {
        while tokens.last().is_some_and(at_or_after_name) {
            tokens.pop();
        }
    } else {
        let before = tokens
            .iter()
            .position(at_or_after_name)
            .unwrap_or(tokens.len());
        tokens.truncate(before);
    }
    Some(tokens)
}

fn loc_at(file: &Path, line: u32, column: u32) -> SourceLoc {
    SourceLoc {
        file: file.display().to_string().into(),
        line,
        column,
    }
}

/// Refuses input that is no C++ text before libclang turns it into pages of errors: UTF-16
/// (which clang cannot read) and binary data (a NUL byte).
fn check_is_text(header: &Path, bytes: &[u8]) -> Result<(), Error> {
    let construct = format!("header `{}`", header.display());
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::input(
            loc_at(header, 1, 1),
            construct,
            "is UTF-16 encoded (it starts with a UTF-16 byte-order mark); convert it to UTF-8",
        ));
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        let column = offset
            - bytes[..offset]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        return Err(Error::input(
            loc_at(header, line as u32, column as u32),
            construct,
            format!("contains a NUL byte (offset {offset}): this is binary data, not a C++ header"),
        ));
    }
    Ok(())
}

/// Turns libclang errors into our diagnostics (warnings are the header's own business).
/// Locations in the header are shown with the path as the user gave it; errors libclang places
/// in our two-line wrapper are about the header as a whole (its name on line 2: not found) or
/// about its end (the end of line 2: something left open, e.g. a truncated file).
fn check_clang_diagnostics(
    tu: &TranslationUnit<'_>,
    header: &Path,
    header_bytes: &[u8],
) -> Result<(), Error> {
    use clang::diagnostic::Severity;
    const MAX_REPORTED: usize = 20;
    let canonical_header = std::fs::canonicalize(header).ok();
    let mut errors = Vec::new();
    for diagnostic in tu.get_diagnostics() {
        if !matches!(diagnostic.get_severity(), Severity::Error | Severity::Fatal) {
            continue;
        }
        let location = diagnostic.get_location().get_file_location();
        let mut message = diagnostic.get_text();
        let loc = match location.file {
            Some(file) if file.get_path() != Path::new(TU_NAME) => {
                let path = file.get_path();
                let is_header = canonical_header.is_some()
                    && std::fs::canonicalize(&path).ok() == canonical_header;
                SourceLoc {
                    file: if is_header {
                        header.display().to_string().into()
                    } else {
                        path.display().to_string().into()
                    },
                    line: location.line,
                    column: location.column,
                }
            }
            // Line 2 is `#include "header"`: column 10 is the file name (not found...), the
            // end of the line is where libclang reports what the header left open.
            _ if location.line > 2 || (location.line == 2 && location.column > 10) => {
                message.push_str(" (at the end of the header: is it truncated?)");
                end_of(header, header_bytes)
            }
            _ => loc_at(header, 1, 1),
        };
        errors.push(Diagnostic::new(loc, "C++ parse", message));
        if errors.len() == MAX_REPORTED {
            break;
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(errors))
    }
}

/// The location just after the last character of the header.
fn end_of(header: &Path, bytes: &[u8]) -> SourceLoc {
    let text = String::from_utf8_lossy(bytes);
    let last = text.lines().last().unwrap_or("");
    let line = text.lines().count().max(1);
    loc_at(header, line as u32, last.chars().count() as u32 + 1)
}

struct Walker<'r, 'tu> {
    req: &'r ParseRequest<'r>,
    header_path: PathBuf,
    header_display: Arc<str>,
    /// The header's bytes, to read identifiers at libclang's byte offsets.
    header_bytes: Vec<u8>,
    /// Object-like macros of the whole translation unit: name → the last definition. Used to
    /// see through `WINAPI` and friends to the calling-convention keyword.
    macros: FxHashMap<String, Entity<'tu>>,
    /// Body tokens of the macros of `macros` read so far: most are never asked for, and
    /// tokenizing every definition of `windows.h` costs more than looking them up.
    macro_bodies: RefCell<FxHashMap<String, Rc<[String]>>>,
    api: Api,
    errors: Vec<Diagnostic>,
    /// Anonymous enums waiting for the typedef that names them, by declaration location.
    anonymous_enums: BTreeMap<(u32, u32), usize>,
    /// Classes with a vtable seen so far, name → index in `api.classes`.
    vtable_classes: FxHashMap<String, usize>,
    /// Whether a file libclang names is the header (canonicalizing is a syscall; thousands of
    /// shim entities ask).
    is_header_file: RefCell<FxHashMap<File<'tu>, bool>>,
    /// [`Walker::declared_conv`] of the typedefs met so far: every parameter of type `DWORD`
    /// asks for the same declaration, whose tokens cost more than the rest of the walk.
    typedef_convs: RefCell<FxHashMap<Entity<'tu>, Option<CallConv>>>,
}

impl<'r, 'tu> Walker<'r, 'tu> {
    fn in_header(&self, entity: &Entity<'tu>) -> bool {
        entity
            .get_location()
            .is_some_and(|location| self.is_header(&location.get_expansion_location()))
    }

    /// Whether an expansion location is in the header (given, so that callers that need the
    /// location too compute it once: each costs libclang a line and column look-up).
    fn is_header(&self, location: &Location<'tu>) -> bool {
        let Some(file) = location.file else {
            return false;
        };
        // Keyed by the file itself (libclang's unique id), not its path: no string per call.
        *self
            .is_header_file
            .borrow_mut()
            .entry(file)
            .or_insert_with(|| {
                let path = file.get_path();
                path == self.header_path
                    || std::fs::canonicalize(path).is_ok_and(|p| p == self.header_path)
            })
    }

    fn loc(&self, entity: &Entity<'tu>) -> SourceLoc {
        let Some(location) = entity.get_location() else {
            return loc_at(self.req.header, 1, 1);
        };
        let location = location.get_expansion_location();
        let file = match &location.file {
            Some(f) if !self.is_header(&location) => f.get_path().display().to_string().into(),
            _ => self.header_display.clone(),
        };
        SourceLoc {
            file,
            line: location.line,
            column: location.column,
        }
    }

    fn error(&mut self, entity: &Entity<'tu>, construct: String, message: impl Into<String>) {
        let loc = self.loc(entity);
        self.errors.push(Diagnostic::new(loc, construct, message));
    }

    /// The identifier written in the header at the entity's location: `GetUserName` even when
    /// windows.h turned it into `GetUserNameW`.
    fn spelled_name(&self, entity: &Entity<'tu>) -> Option<String> {
        let name = entity.get_name()?;
        let Some(location) = entity.get_location().map(|l| l.get_expansion_location()) else {
            return Some(name);
        };
        if !self.is_header(&location) {
            return Some(name);
        }
        // libclang's offset counts bytes of the file as it is, so index the raw bytes: a lossy
        // UTF-8 decoding would shift every offset after a Latin-1 byte in a comment.
        let offset = location.offset as usize;
        let rest = self.header_bytes.get(offset..)?;
        // ASCII identifier characters, `$` (an MSVC extension, refused later by validation
        // with a message) and any non-ASCII byte (UTF-8 identifiers).
        let len = rest
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80)
            .count();
        match std::str::from_utf8(&rest[..len]) {
            Ok(ident) if !ident.is_empty() => Some(ident.to_string()),
            _ => Some(name),
        }
    }

    fn collect_macros(&mut self, tu: &'tu TranslationUnit<'tu>) {
        for entity in tu.get_entity().get_children() {
            if entity.get_kind() != EntityKind::MacroDefinition || entity.is_function_like_macro() {
                continue;
            }
            if let Some(name) = entity.get_name() {
                self.macros.insert(name, entity);
            }
        }
    }

    /// The tokens after the name of the object-like macro `name` (its last definition).
    fn macro_body(&self, name: &str) -> Option<Rc<[String]>> {
        if let Some(body) = self.macro_bodies.borrow().get(name) {
            return Some(body.clone());
        }
        let range = self.macros.get(name)?.get_range()?;
        let body: Rc<[String]> = range
            .tokenize()
            .iter()
            .skip(1)
            .map(|t| t.get_spelling())
            .collect();
        self.macro_bodies
            .borrow_mut()
            .insert(name.to_string(), body.clone());
        Some(body)
    }

    /// Follows object-like macros until a calling-convention keyword (or nothing) is found.
    fn conv_of_token(&self, token: &str, depth: u32) -> Option<CallConv> {
        match token.trim_start_matches('_') {
            "stdcall" => return Some(CallConv::Stdcall),
            "cdecl" => return Some(CallConv::Cdecl),
            "thiscall" => return Some(CallConv::Member),
            _ => {}
        }
        if depth > 8 {
            return None;
        }
        let body = self.macro_body(token)?;
        body.iter().find_map(|t| self.conv_of_token(t, depth + 1))
    }

    /// The convention keyword written in the tokens of a declaration before its name.
    fn declared_conv(&self, entity: &Entity<'tu>) -> Option<CallConv> {
        tokens_before_name(entity)?
            .iter()
            .filter(|t| t.get_kind() == TokenKind::Identifier || t.get_kind() == TokenKind::Keyword)
            .find_map(|t| self.conv_of_token(&t.get_spelling(), 0))
    }

    /// [`declared_conv`](Self::declared_conv) of a typedef, computed once per typedef.
    fn typedef_conv(&self, decl: Entity<'tu>) -> Option<CallConv> {
        if let Some(&conv) = self.typedef_convs.borrow().get(&decl) {
            return conv;
        }
        let conv = self.declared_conv(&decl);
        self.typedef_convs.borrow_mut().insert(decl, conv);
        conv
    }

    fn walk(&mut self, entities: Vec<Entity<'tu>>) {
        for entity in entities {
            match entity.get_kind() {
                EntityKind::LinkageSpec => self.walk(entity.get_children()),
                EntityKind::MacroDefinition if self.in_header(&entity) => self.constant(&entity),
                _ if !self.in_header(&entity) => {}
                EntityKind::ClassDecl | EntityKind::StructDecl if entity.is_definition() => {
                    self.record(&entity)
                }
                EntityKind::EnumDecl if entity.is_definition() => self.enumeration(&entity),
                EntityKind::TypedefDecl | EntityKind::TypeAliasDecl => self.typedef(&entity),
                EntityKind::ClassTemplate => {
                    let has_virtual = entity.get_children().iter().any(|c| {
                        c.is_virtual_method()
                            || (c.get_kind() == EntityKind::Destructor && c.is_virtual_method())
                    });
                    if has_virtual {
                        let name = entity.get_name().unwrap_or_default();
                        self.error(
                            &entity,
                            format!("class template `{name}`"),
                            "a class template with virtual methods has no single vtable to bind; \
                             unsupported",
                        );
                    }
                }
                EntityKind::Namespace => {
                    let name = entity.get_name().unwrap_or_default();
                    self.error(
                        &entity,
                        format!("namespace `{name}`"),
                        "namespaces are not supported in the bound header",
                    );
                }
                EntityKind::UnionDecl if entity.is_definition() => {
                    let name = entity.get_name().unwrap_or_default();
                    self.api.warnings.push(format!(
                        "{}: union `{name}` is not bound (only usable behind pointers)",
                        self.loc(&entity)
                    ));
                }
                _ => {}
            }
        }
    }

    fn constant(&mut self, entity: &Entity<'tu>) {
        let Some(name) = entity.get_name() else {
            return;
        };
        let Some(body) = self.macro_body(&name) else {
            // Function-like macros are not constants.
            if entity.is_function_like_macro() {
                self.api.warnings.push(format!(
                    "{}: function-like macro `{name}` is not bound",
                    self.loc(entity)
                ));
            }
            return;
        };
        if body.is_empty() {
            return; // include guards and feature switches
        }
        match literal_value(&body) {
            Some(ConstValue::Int { value, .. })
                if value < i128::from(i64::MIN) || value > i128::from(u64::MAX) =>
            {
                self.api.warnings.push(format!(
                    "{}: macro `{name}` ({}) does not fit in 64 bits; not bound",
                    self.loc(entity),
                    body.join(" ")
                ))
            }
            Some(value) => {
                let loc = self.loc(entity);
                self.api.constants.push(Constant { name, value, loc })
            }
            None => self.api.warnings.push(format!(
                "{}: macro `{name}` is not a literal constant (`{}`); not bound",
                self.loc(entity),
                body.join(" ")
            )),
        }
    }

    fn enumeration(&mut self, entity: &Entity<'tu>) {
        let name = entity.get_name().unwrap_or_default();
        let underlying = entity
            .get_enum_underlying_type()
            .map(|t| self.ctype(t, None))
            .transpose();
        let underlying = match underlying {
            Ok(u) => u.unwrap_or(CType::Int {
                bytes: 4,
                signed: true,
            }),
            Err(message) => {
                self.error(entity, format!("enum `{name}`"), message);
                return;
            }
        };
        // libclang gives each value sign-extended and zero-extended; which one is the value
        // depends on the underlying type (`enum E : ULONG { X = 0xFFFFFFFF }` is 4294967295).
        let unsigned = matches!(underlying.canonical(), CType::Int { signed: false, .. });
        let mut variants = Vec::new();
        for c in entity
            .get_children()
            .iter()
            .filter(|c| c.get_kind() == EntityKind::EnumConstantDecl)
        {
            let (signed, zero_extended) = c.get_enum_constant_value().unwrap_or((0, 0));
            let variant = c.get_name().unwrap_or_default();
            let value = if unsigned {
                match i64::try_from(zero_extended) {
                    Ok(v) => v,
                    Err(_) => {
                        self.error(
                            c,
                            format!("enumerator `{name}::{variant}`"),
                            format!(
                                "value {zero_extended} does not fit in 63 bits; unsigned 64-bit enumerators above i64::MAX are not supported"
                            ),
                        );
                        return;
                    }
                }
            } else {
                signed
            };
            variants.push((variant, value));
        }
        let loc = self.loc(entity);
        let anonymous = name.is_empty() || entity.is_anonymous() || name.contains(' ');
        if anonymous {
            self.anonymous_enums
                .insert((loc.line, loc.column), self.api.enums.len());
        }
        self.api.enums.push(Enum {
            name: if anonymous { String::new() } else { name },
            underlying,
            variants,
            loc,
        });
    }

    fn typedef(&mut self, entity: &Entity<'tu>) {
        let name = entity.get_name().unwrap_or_default();
        let Some(underlying) = entity.get_typedef_underlying_type() else {
            return;
        };
        // `typedef enum { ... } NAME;` names the anonymous enum instead of aliasing it.
        if let Some(decl) = underlying.get_declaration()
            && decl.get_kind() == EntityKind::EnumDecl
        {
            let decl_loc = self.loc(&decl);
            if let Some(&index) = self.anonymous_enums.get(&(decl_loc.line, decl_loc.column)) {
                self.api.enums[index].name = name;
                return;
            }
            // `typedef enum X X;` is just the C spelling of the enum's own name.
            if decl.get_name().as_deref() == Some(name.as_str()) {
                return;
            }
        }
        if let Some(decl) = underlying.get_declaration()
            && matches!(
                decl.get_kind(),
                EntityKind::StructDecl | EntityKind::ClassDecl
            )
            && decl.get_name().as_deref() == Some(name.as_str())
        {
            return;
        }
        let conv = self.declared_conv(entity);
        match self.ctype(underlying, conv) {
            Ok(target) => {
                let loc = self.loc(entity);
                self.api.typedefs.push(Typedef { name, target, loc });
            }
            Err(message) => self.error(entity, format!("typedef `{name}`"), message),
        }
    }

    /// A class or struct definition: a vtable class when it or its base has virtual methods.
    fn record(&mut self, entity: &Entity<'tu>) {
        let name = entity.get_name().unwrap_or_default();
        let construct = format!("class `{name}`");
        let children = entity.get_children();
        let bases: Vec<&Entity<'tu>> = children
            .iter()
            .filter(|c| c.get_kind() == EntityKind::BaseSpecifier)
            .collect();
        if bases.len() > 1 {
            self.error(
                entity,
                construct,
                "multiple inheritance is not supported (MSVC gives such a class several vtables)",
            );
            return;
        }
        let mut base = None;
        if let Some(spec) = bases.first() {
            if spec.is_virtual_base() {
                self.error(
                    entity,
                    construct,
                    "virtual inheritance is not supported (MSVC adds a virtual base table)",
                );
                return;
            }
            let base_name = spec
                .get_type()
                .and_then(|t| t.get_declaration())
                .and_then(|d| d.get_name())
                .unwrap_or_default();
            if !self.vtable_classes.contains_key(&base_name) {
                self.error(
                    entity,
                    construct,
                    format!(
                        "base class `{base_name}` is not a class with virtual methods defined \
                         earlier in this header"
                    ),
                );
                return;
            }
            base = Some(base_name);
        }
        let has_virtual = children.iter().any(|c| c.is_virtual_method());
        if base.is_none() && !has_virtual {
            self.plain_struct(entity, &name, &children);
            return;
        }
        let uuid = self.uuid(entity);
        let mut members = Vec::new();
        let mut ok = true;
        for child in &children {
            match self.member(child, &name) {
                Ok(Some(member)) => members.push(member),
                Ok(None) => {}
                Err((construct, message)) => {
                    self.error(child, construct, message);
                    ok = false;
                }
            }
        }
        if !ok {
            return;
        }
        let loc = self.loc(entity);
        if let Some(&previous) = self.vtable_classes.get(&name) {
            let first = self.api.classes[previous].loc.clone();
            self.error(
                entity,
                construct,
                format!("a class of this name was already defined at {first}"),
            );
            return;
        }
        self.vtable_classes
            .insert(name.clone(), self.api.classes.len());
        self.api.classes.push(Class {
            name,
            base,
            uuid,
            members,
            loc,
        });
    }

    /// `__declspec(uuid("..."))` (or a macro around it): the first uuid-shaped string literal
    /// among the tokens before the class name.
    fn uuid(&self, entity: &Entity<'tu>) -> Option<Uuid> {
        tokens_before_name(entity)?
            .iter()
            .filter(|t| t.get_kind() == TokenKind::Literal)
            .find_map(|t| Uuid::parse(t.get_spelling().trim_matches('"')))
    }

    fn member(
        &mut self,
        child: &Entity<'tu>,
        class: &str,
    ) -> Result<Option<Member>, (String, String)> {
        let decl_name = child.get_name().unwrap_or_default();
        let kind = match child.get_kind() {
            EntityKind::Method => {
                // Made only for an error: this runs for every method.
                let construct = || format!("method `{class}::{decl_name}`");
                if decl_name.starts_with("operator") {
                    return Err((
                        construct(),
                        "operator overloads are not supported in an interface".into(),
                    ));
                }
                if !child.is_virtual_method() {
                    MemberKind::Other
                } else {
                    MemberKind::Virtual(Arc::new(self.method(child).map_err(|m| (construct(), m))?))
                }
            }
            EntityKind::Destructor if child.is_virtual_method() => MemberKind::VirtualDestructor {
                overrides: child
                    .get_overridden_methods()
                    .is_some_and(|o| !o.is_empty()),
                loc: self.loc(child),
            },
            EntityKind::StructDecl | EntityKind::ClassDecl | EntityKind::UnionDecl
                if is_anonymous_record(child) =>
            {
                return Err((
                    format!("anonymous member of `{class}`"),
                    "a class with virtual methods may not have data members (here an anonymous union/struct): their offsets would depend on the compiler, and IIS interfaces have none"
                        .into(),
                ));
            }
            EntityKind::StructDecl | EntityKind::ClassDecl
                if child.get_children().iter().any(|c| c.is_virtual_method()) =>
            {
                return Err((
                    format!("nested class `{class}::{decl_name}`"),
                    "a nested class with virtual methods is not supported: declare it at file scope"
                        .into(),
                ));
            }
            EntityKind::FieldDecl => {
                return Err((
                    format!("data member `{class}::{decl_name}`"),
                    "a class with virtual methods may not have data members: their offsets \
                     would depend on the compiler, and IIS interfaces have none"
                        .into(),
                ));
            }
            EntityKind::BaseSpecifier
            | EntityKind::AccessSpecifier
            | EntityKind::UnexposedAttr
            | EntityKind::DllImport
            | EntityKind::DllExport
            | EntityKind::FinalAttr => return Ok(None),
            _ if child.is_attribute() || decl_name.is_empty() => return Ok(None),
            _ => MemberKind::Other,
        };
        Ok(Some(Member { decl_name, kind }))
    }

    fn method(&mut self, entity: &Entity<'tu>) -> Result<Method, String> {
        let name = self.spelled_name(entity).unwrap_or_default();
        let ty = entity.get_type().ok_or("method without a type")?;
        if ty.is_variadic() {
            return Err(
                "variadic virtual methods are not supported (they use cdecl and cannot be \
                 called safely through a vtable from Rust)"
                    .into(),
            );
        }
        let declared_conv = if self.req.target.is_x86() {
            // On x86 libclang knows the answer; elsewhere conventions collapse, so read tokens.
            match ty.get_calling_convention() {
                Some(CallingConvention::Thiscall) => None,
                Some(CallingConvention::Stdcall) => Some(CallConv::Stdcall),
                Some(CallingConvention::Cdecl) => Some(CallConv::Cdecl),
                other => return Err(format!("unsupported calling convention {other:?}")),
            }
        } else {
            self.declared_conv(entity)
        };
        let result = entity
            .get_result_type()
            .ok_or("method without a return type")?;
        let ret = self.ctype(result, None)?;
        let mut params = Vec::new();
        for (index, arg) in entity
            .get_arguments()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let arg_ty = arg.get_type().ok_or("parameter without a type")?;
            let param_name = arg
                .get_name()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("param{index}"));
            params.push(Param {
                ty: self
                    .ctype(arg_ty, None)
                    .map_err(|m| format!("parameter `{param_name}`: {m}"))?,
                spelling: type_spelling(&arg_ty),
                default: default_argument(arg),
                name: param_name,
            });
        }
        let deprecated = (entity.get_availability() == Availability::Deprecated)
            .then(|| deprecation_message(entity));
        Ok(Method {
            name,
            usr: entity.get_usr().map(|u| u.0).unwrap_or_default(),
            overrides: entity
                .get_overridden_methods()
                .unwrap_or_default()
                .iter()
                .filter_map(|m| m.get_usr().map(|u| u.0))
                .collect(),
            ret,
            ret_spelling: type_spelling(&result),
            params,
            is_const: entity.is_const_method(),
            is_pure: entity.is_pure_virtual_method(),
            declared_conv,
            deprecated,
            loc: self.loc(entity),
        })
    }

    fn plain_struct(&mut self, entity: &Entity<'tu>, name: &str, children: &[Entity<'tu>]) {
        let mut fields = Vec::new();
        for child in children {
            if is_anonymous_record(child) {
                self.error(
                    child,
                    format!("struct `{name}`"),
                    "anonymous union/struct members are not supported (their fields would be lost from the layout); give the member a name and a named type",
                );
                return;
            }
            if child.get_kind() != EntityKind::FieldDecl {
                continue;
            }
            let field_name = child.get_name().unwrap_or_default();
            if child.is_bit_field() {
                self.error(
                    child,
                    format!("field `{name}::{field_name}`"),
                    "bit-fields are not supported",
                );
                return;
            }
            let Some(ty) = child.get_type() else { continue };
            match self.ctype(ty, None) {
                Ok(ty) => fields.push(Field {
                    name: field_name,
                    ty,
                }),
                Err(message) => {
                    self.error(child, format!("field `{name}::{field_name}`"), message);
                    return;
                }
            }
        }
        let loc = self.loc(entity);
        self.api.structs.push(Struct {
            name: name.to_string(),
            fields,
            loc,
        });
    }

    /// Copies a libclang type into the model. `conv_hint` is the convention written on the
    /// enclosing declaration, for function types on targets where libclang forgets it.
    fn ctype(&self, ty: Type<'tu>, conv_hint: Option<CallConv>) -> Result<CType, String> {
        use TypeKind as K;
        let int = |bytes, signed| Ok(CType::Int { bytes, signed });
        match ty.get_kind() {
            K::Void => Ok(CType::Void),
            K::Bool => Ok(CType::Bool),
            K::CharS | K::SChar => int(1, true),
            K::CharU | K::UChar => int(1, false),
            K::Short => int(2, true),
            K::UShort | K::Char16 => int(2, false),
            K::Int | K::Long => int(4, true),
            K::UInt | K::ULong | K::Char32 => int(4, false),
            K::LongLong => int(8, true),
            K::ULongLong => int(8, false),
            K::WChar => Ok(CType::WChar),
            K::Float => Ok(CType::Float),
            K::Double | K::LongDouble => Ok(CType::Double),
            K::Typedef => {
                let decl = ty.get_declaration().ok_or("typedef without declaration")?;
                let name = decl.get_name().unwrap_or_default();
                let target = decl
                    .get_typedef_underlying_type()
                    .ok_or("typedef without underlying type")?;
                let hint = conv_hint.or_else(|| self.typedef_conv(decl));
                Ok(CType::Typedef {
                    name,
                    target: Box::new(self.ctype(target, hint)?),
                })
            }
            K::Elaborated => self.ctype(
                ty.get_elaborated_type()
                    .ok_or("elaborated type without target")?,
                conv_hint,
            ),
            K::Attributed => self.ctype(
                ty.get_modified_type()
                    .ok_or("attributed type without target")?,
                conv_hint,
            ),
            K::Record => {
                let decl = ty.get_declaration().ok_or("record without declaration")?;
                Ok(CType::Record {
                    name: decl.get_name().unwrap_or_default(),
                })
            }
            K::Enum => {
                let decl = ty.get_declaration().ok_or("enum without declaration")?;
                Ok(CType::Enum {
                    name: decl.get_name().unwrap_or_default(),
                })
            }
            K::Pointer | K::LValueReference | K::RValueReference => {
                let pointee = ty.get_pointee_type().ok_or("pointer without pointee")?;
                let pointee_const = pointee.is_const_qualified();
                let pointee = Box::new(self.ctype(pointee, conv_hint)?);
                Ok(if ty.get_kind() == K::Pointer {
                    CType::Pointer {
                        pointee,
                        pointee_const,
                    }
                } else {
                    CType::Reference {
                        pointee,
                        pointee_const,
                    }
                })
            }
            K::ConstantArray | K::IncompleteArray => {
                let element = ty.get_element_type().ok_or("array without element type")?;
                Ok(CType::Pointer {
                    pointee_const: element.is_const_qualified(),
                    pointee: Box::new(self.ctype(element, conv_hint)?),
                })
            }
            K::FunctionPrototype | K::FunctionNoPrototype => {
                // MSVC makes every variadic function `__cdecl`, whatever is written (clang on
                // x86 agrees; elsewhere the written keyword would be all we saw).
                let conv = if ty.is_variadic() {
                    CallConv::Cdecl
                } else if self.req.target.is_x86() {
                    match ty.get_calling_convention() {
                        Some(CallingConvention::Stdcall) => CallConv::Stdcall,
                        Some(CallingConvention::Cdecl) => CallConv::Cdecl,
                        Some(CallingConvention::Thiscall) => CallConv::Member,
                        other => return Err(format!("unsupported calling convention {other:?}")),
                    }
                } else {
                    conv_hint.unwrap_or(CallConv::Cdecl)
                };
                let ret = Box::new(self.ctype(
                    ty.get_result_type().ok_or("function without result type")?,
                    None,
                )?);
                let params = ty
                    .get_argument_types()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| self.ctype(p, None))
                    .collect::<Result<_, _>>()?;
                Ok(CType::Function {
                    ret,
                    params,
                    conv,
                    variadic: ty.is_variadic(),
                })
            }
            K::Unexposed | K::Auto => {
                // Decayed array parameters and other sugar: the canonical type says what it is.
                let canonical = ty.get_canonical_type();
                if canonical.get_kind() == K::Unexposed {
                    Err(format!("type `{}` is not supported", ty.get_display_name()))
                } else {
                    self.ctype(canonical, conv_hint)
                }
            }
            other => Err(format!(
                "type `{}` ({other:?}) is not supported",
                ty.get_display_name()
            )),
        }
    }
}

/// A type as clang spells it, in the same form for every libclang version: libclang 13 writes
/// `PCSTR [41]` where 14 and later write `PCSTR[41]`. The spelling reaches `layout` and the
/// generated documentation, which must not depend on the libclang installed.
fn type_spelling(ty: &Type<'_>) -> String {
    let name = ty.get_display_name();
    // Most spellings have no array: no second string for them.
    if name.contains(" [") {
        name.replace(" [", "[")
    } else {
        name
    }
}

/// An anonymous struct/union member (`union { int a; float b; };`): libclang shows the record,
/// not a field, so a walk over fields would silently miss its members.
fn is_anonymous_record(entity: &Entity<'_>) -> bool {
    matches!(
        entity.get_kind(),
        EntityKind::StructDecl | EntityKind::ClassDecl | EntityKind::UnionDecl
    ) && entity.is_definition()
        && (entity.is_anonymous()
            || entity
                .get_name()
                .is_none_or(|n| n.is_empty() || n.contains("(anonymous") || n.contains("(unnamed")))
}

/// The default argument of a parameter as written (`NULL`, `-1`), from its tokens.
fn default_argument(param: &Entity<'_>) -> Option<String> {
    // A default argument is an expression child of the parameter (its other children are
    // type references): most parameters have none, and their tokens are not worth reading.
    if !param.get_children().iter().any(Entity::is_expression) {
        return None;
    }
    let tokens = param.get_range()?.tokenize();
    let mut depth = 0i32;
    let mut start = None;
    for (i, token) in tokens.iter().enumerate() {
        match token.get_spelling().as_str() {
            "(" | "[" | "<" => depth += 1,
            ")" | "]" | ">" => depth -= 1,
            "=" if depth == 0 => {
                start = Some(i + 1);
                break;
            }
            _ => {}
        }
    }
    let parts: Vec<(TokenKind, String)> = tokens[start?..]
        .iter()
        .map(|t| (t.get_kind(), t.get_spelling()))
        .collect();
    let mut text = String::new();
    for (i, (kind, spelling)) in parts.iter().enumerate() {
        let word = |k: &TokenKind| !matches!(k, TokenKind::Punctuation);
        if i > 0 && word(kind) && word(&parts[i - 1].0) {
            text.push(' ');
        }
        text.push_str(spelling);
    }
    (!text.is_empty()).then_some(text)
}

/// The message of `__declspec(deprecated("..."))`, or empty when there is none.
fn deprecation_message(entity: &Entity<'_>) -> String {
    let Some(range) = entity.get_range() else {
        return String::new();
    };
    let tokens = range.tokenize();
    let spellings: Vec<String> = tokens.iter().map(|t| t.get_spelling()).collect();
    spellings
        .iter()
        .position(|s| s == "deprecated")
        .and_then(|i| spellings.get(i + 2))
        .filter(|s| s.starts_with('"') || s.starts_with("L\""))
        .map(|s| unescape(s.trim_start_matches('L').trim_matches('"')))
        .unwrap_or_default()
}

/// Evaluates a macro body that is a literal: integers (any base, suffixes, sign, parentheses)
/// and (concatenated) narrow or wide string literals.
pub fn literal_value(body: &[String]) -> Option<ConstValue> {
    let mut tokens: Vec<&str> = body.iter().map(String::as_str).collect();
    while tokens.first() == Some(&"(") && tokens.last() == Some(&")") {
        tokens = tokens[1..tokens.len() - 1].to_vec();
    }
    if tokens.is_empty() {
        return None;
    }
    if tokens.iter().all(|t| t.starts_with('"')) {
        let text: String = tokens
            .iter()
            .map(|t| unescape(&t[1..t.len() - 1]))
            .collect();
        return Some(ConstValue::Narrow(text.into_bytes()));
    }
    if tokens.iter().all(|t| t.starts_with("L\"")) {
        let text: String = tokens
            .iter()
            .map(|t| unescape(&t[2..t.len() - 1]))
            .collect();
        return Some(ConstValue::Wide(text.encode_utf16().collect()));
    }
    let (negative, literal) = match tokens.as_slice() {
        [literal] => (false, *literal),
        ["-", literal] => (true, *literal),
        _ => return None,
    };
    let digits = literal.trim_end_matches(['u', 'U', 'l', 'L']);
    let (radix, digits, hex) = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, h, true)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..], false)
    } else {
        (10, digits, false)
    };
    let value = i128::from_str_radix(digits, radix).ok()?;
    Some(ConstValue::Int {
        value: if negative { -value } else { value },
        hex,
    })
}

/// C escape sequences in a string literal body.
fn unescape(body: &str) -> String {
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('x') => {
                let mut hex = String::new();
                while let Some(h) = chars.peek().filter(|h| h.is_ascii_hexdigit()) {
                    hex.push(*h);
                    chars.next();
                }
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(tokens: &[&str]) -> Vec<String> {
        tokens.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn literal_macros_evaluate() {
        assert_eq!(
            literal_value(&body(&["0x00000010"])),
            Some(ConstValue::Int {
                value: 16,
                hex: true
            })
        );
        assert_eq!(
            literal_value(&body(&["(", "-", "1", ")"])),
            Some(ConstValue::Int {
                value: -1,
                hex: false
            })
        );
        assert_eq!(
            literal_value(&body(&["10UL"])),
            Some(ConstValue::Int {
                value: 10,
                hex: false
            })
        );
        assert_eq!(
            literal_value(&body(&["L\"FIRST\""])),
            Some(ConstValue::Wide("FIRST".encode_utf16().collect()))
        );
        assert_eq!(
            literal_value(&body(&["\"Register\"", "\"Module\""])),
            Some(ConstValue::Narrow(b"RegisterModule".to_vec()))
        );
        assert_eq!(literal_value(&body(&["FOO", "|", "BAR"])), None);
        assert_eq!(literal_value(&body(&["\"a\"", "L\"b\""])), None);
    }

    #[test]
    fn escapes_are_decoded() {
        assert_eq!(unescape(r#"a\"b\\c\x41"#), "a\"b\\cA");
    }
}
