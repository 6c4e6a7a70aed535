//! The typed model of the API a header declares: what the parse stage produces and every later
//! stage (layout, emission, reports) reads. Nothing here refers to libclang, so the stages after
//! parsing can be tested on hand-built values.

use std::fmt;
use std::sync::Arc;

/// Where something was declared, for diagnostics and generated docs. `file` is the path as the
/// user gave it (never made absolute), so messages and generated code stay machine-independent.
/// Shared (`Arc`): every declaration of a header has one, and most name the same file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceLoc {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for SourceLoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Everything the generator takes from one header.
#[derive(Debug, Clone, Default)]
pub struct Api {
    /// File name of the header (no directories) and the SHA-256 of its bytes.
    pub header_name: String,
    pub header_sha256: String,
    /// The Windows SDK version the header came from, when it was found with `--sdk`.
    pub sdk_version: Option<String>,
    /// Classes with a vtable, in header order.
    pub classes: Vec<Class>,
    /// Plain structs defined by the header (used by value in signatures).
    pub structs: Vec<Struct>,
    pub enums: Vec<Enum>,
    pub typedefs: Vec<Typedef>,
    pub constants: Vec<Constant>,
    /// Types named in signatures that neither the header nor the external-type table defines;
    /// they are emitted as opaque types usable only behind pointers.
    pub opaque_types: Vec<String>,
    /// Non-fatal findings (skipped macros and the like), printed by the CLI.
    pub warnings: Vec<String>,
}

impl Api {
    pub fn class(&self, name: &str) -> Option<&Class> {
        self.classes.iter().find(|c| c.name == name)
    }
}

/// A C++ class or struct that has a vtable (an interface, or `CHttpModule`/`CGlobalModule`).
#[derive(Debug, Clone)]
pub struct Class {
    pub name: String,
    pub base: Option<String>,
    pub uuid: Option<Uuid>,
    /// Named members in declaration order. Non-virtual ones take no vtable slot but still decide
    /// where an overload group starts (MSVC groups by the first declaration of a name).
    pub members: Vec<Member>,
    pub loc: SourceLoc,
}

impl Class {
    pub fn virtual_methods(&self) -> impl Iterator<Item = &Method> {
        self.members.iter().filter_map(|m| match &m.kind {
            MemberKind::Virtual(method) => Some(&**method),
            _ => None,
        })
    }
}

/// A named declaration inside a class body.
#[derive(Debug, Clone)]
pub struct Member {
    /// The name the compiler sees (after macro expansion): the overload-grouping key.
    pub decl_name: String,
    pub kind: MemberKind,
}

#[derive(Debug, Clone)]
pub enum MemberKind {
    /// Shared, not copied, by the layout of this class and of every class below it (`Arc`:
    /// the emitter's second thread reads layouts).
    Virtual(Arc<Method>),
    /// `virtual ~T()`: one slot, MSVC's scalar deleting destructor. `overrides` is true when a
    /// base class already has a virtual destructor (then no new slot).
    VirtualDestructor { overrides: bool, loc: SourceLoc },
    /// Non-virtual methods, constructors, nested types, typedefs: no slot.
    Other,
}

/// A virtual method.
#[derive(Debug, Clone)]
pub struct Method {
    /// The name as spelled in the header (before macros such as `GetUserName` → `GetUserNameW`).
    pub name: String,
    /// Unified symbol resolution id, to match overrides with the base slot they reuse.
    pub usr: String,
    /// USRs of the base methods this one overrides (empty for a new virtual).
    pub overrides: Vec<String>,
    pub ret: CType,
    pub ret_spelling: String,
    pub params: Vec<Param>,
    pub is_const: bool,
    pub is_pure: bool,
    /// The calling convention written on the declaration, if any (`__stdcall`...).
    pub declared_conv: Option<CallConv>,
    /// `Some(message)` for `__declspec(deprecated(...))`.
    pub deprecated: Option<String>,
    pub loc: SourceLoc,
}

impl Method {
    /// The convention the method really uses: explicit one, else MSVC's member default.
    pub fn conv(&self) -> CallConv {
        self.declared_conv.unwrap_or(CallConv::Member)
    }

    /// C++ signature as clang spells it: `PCSTR (HTTP_HEADER_ID, USHORT *) const`.
    pub fn signature(&self) -> String {
        let params: Vec<&str> = self.params.iter().map(|p| p.spelling.as_str()).collect();
        format!(
            "{} ({}){}",
            self.ret_spelling,
            params.join(", "),
            if self.is_const { " const" } else { "" }
        )
    }

    /// True when the return value travels through a hidden pointer (a struct returned by value).
    pub fn returns_via_hidden_pointer(&self) -> bool {
        matches!(self.ret.canonical(), CType::Record { .. })
    }
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub ty: CType,
    /// Type as clang spells it (arrays already decayed to pointers).
    pub spelling: String,
    /// Default argument as written (`NULL`, `FALSE`, `1`).
    pub default: Option<String>,
}

/// Calling conventions the generated code can express.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallConv {
    /// A non-static member function without an explicit convention: `thiscall` on 32-bit x86,
    /// the platform convention elsewhere.
    Member,
    /// `__stdcall` / `WINAPI`: Rust `"system"`.
    Stdcall,
    /// `__cdecl`, or a variadic member: Rust `"C"`.
    Cdecl,
}

/// A GUID from `__declspec(uuid("..."))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Uuid {
    pub data1: u32,
    pub data2: u16,
    pub data3: u16,
    pub data4: [u8; 8],
}

impl Uuid {
    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (case-insensitive, optional braces).
    pub fn parse(text: &str) -> Option<Uuid> {
        let t = text.trim().trim_start_matches('{').trim_end_matches('}');
        let parts: Vec<&str> = t.split('-').collect();
        let lens = [8, 4, 4, 4, 12];
        if parts.len() != 5
            || parts
                .iter()
                .zip(lens)
                .any(|(p, n)| p.len() != n || !p.chars().all(|c| c.is_ascii_hexdigit()))
        {
            return None;
        }
        let tail = format!("{}{}", parts[3], parts[4]);
        let mut data4 = [0u8; 8];
        for (i, byte) in data4.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&tail[i * 2..i * 2 + 2], 16).ok()?;
        }
        Some(Uuid {
            data1: u32::from_str_radix(parts[0], 16).ok()?,
            data2: u16::from_str_radix(parts[1], 16).ok()?,
            data3: u16::from_str_radix(parts[2], 16).ok()?,
            data4,
        })
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.data4;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
            self.data1, self.data2, self.data3, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]
        )
    }
}

/// A plain struct the header defines (no vtable), e.g. one returned by value.
#[derive(Debug, Clone)]
pub struct Struct {
    pub name: String,
    pub fields: Vec<Field>,
    pub loc: SourceLoc,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: CType,
}

#[derive(Debug, Clone)]
pub struct Enum {
    pub name: String,
    /// Underlying integer type (MSVC: `int` unless fixed).
    pub underlying: CType,
    pub variants: Vec<(String, i64)>,
    pub loc: SourceLoc,
}

#[derive(Debug, Clone)]
pub struct Typedef {
    pub name: String,
    pub target: CType,
    pub loc: SourceLoc,
}

#[derive(Debug, Clone)]
pub struct Constant {
    pub name: String,
    pub value: ConstValue,
    pub loc: SourceLoc,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstValue {
    /// An integer `#define`; `unsigned` from a `u`/`U` suffix or a hex literal.
    Int { value: i128, hex: bool },
    /// `"..."`: bytes without the terminating NUL.
    Narrow(Vec<u8>),
    /// `L"..."`: UTF-16 code units without the terminating NUL.
    Wide(Vec<u16>),
}

/// A C/C++ type as the header uses it, with typedef names kept (they decide the Rust spelling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CType {
    Void,
    /// C++ `bool` (one byte), not `BOOL`.
    Bool,
    /// `char`, `signed char`, `short`, `int`, `long`, `__int64` and unsigned forms; `long` is
    /// 32-bit on every Windows target.
    Int {
        bytes: u8,
        signed: bool,
    },
    /// `wchar_t`: a UTF-16 code unit on Windows.
    WChar,
    Float,
    Double,
    Typedef {
        name: String,
        target: Box<CType>,
    },
    Enum {
        name: String,
    },
    /// A struct, class or union, by tag name.
    Record {
        name: String,
    },
    Pointer {
        pointee: Box<CType>,
        pointee_const: bool,
    },
    /// `T &`: passed as a pointer.
    Reference {
        pointee: Box<CType>,
        pointee_const: bool,
    },
    Function {
        ret: Box<CType>,
        params: Vec<CType>,
        conv: CallConv,
        variadic: bool,
    },
}

impl CType {
    /// Strips typedefs (not pointers): the type the ABI sees at this level.
    pub fn canonical(&self) -> &CType {
        match self {
            CType::Typedef { target, .. } => target.canonical(),
            other => other,
        }
    }
}

/// The 32-bit Windows targets need `thiscall`; the model records which MSVC target was parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Target {
    #[default]
    X86_64,
    I686,
    Aarch64,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::X86_64, Target::I686, Target::Aarch64];

    pub fn triple(self) -> &'static str {
        match self {
            Target::X86_64 => "x86_64-pc-windows-msvc",
            Target::I686 => "i686-pc-windows-msvc",
            Target::Aarch64 => "aarch64-pc-windows-msvc",
        }
    }

    pub fn from_triple(triple: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.triple() == triple)
    }

    pub fn is_x86(self) -> bool {
        self == Target::I686
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.triple())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_round_trips_and_rejects_garbage() {
        let text = "e8698f7e-576e-4cac-a309-67435355faef";
        let uuid = Uuid::parse(text).unwrap();
        assert_eq!(uuid.data1, 0xe8698f7e);
        assert_eq!(uuid.data4, [0xa3, 0x09, 0x67, 0x43, 0x53, 0x55, 0xfa, 0xef]);
        assert_eq!(uuid.to_string(), text);
        assert_eq!(
            Uuid::parse("{E8698F7E-576E-4CAC-A309-67435355FAEF}"),
            Some(uuid)
        );
        assert_eq!(Uuid::parse("e8698f7e-576e-4cac-a309-67435355fae"), None);
        assert_eq!(Uuid::parse("g8698f7e-576e-4cac-a309-67435355faef"), None);
    }
}
