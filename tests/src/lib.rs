//! Independent ABI referee for httpserv-rs.
//!
//! The generator (`httpserv-codegen`) computes MSVC vtable layouts and calling conventions
//! itself. This crate checks them against the only authority we have on this machine: clang
//! compiling the same header for the `*-pc-windows-msvc` targets. Nothing here reads the
//! generator's model; the tests hand the generator's *text reports* (`layout_table`,
//! `abi_table`) to [`compare_layout`] / [`compare_abi`], which ask clang and diff.
//!
//! What clang is asked, and how its answer is read:
//!
//! * **Which classes have a vtable** ([`vtable_types_in_header`]): `-Xclang -ast-dump` of the
//!   translation unit; every top-level `CXXRecordDecl ... definition` whose source range starts
//!   in the header file and whose `DefinitionData` line says `polymorphic`, in dump (= header)
//!   order.
//! * **Vtable layouts** ([`clang_vtable_dump`]): `-Xclang -fdump-vtable-layouts` on a probe
//!   translation unit that derives `struct Probe_T : T { virtual void probe_(); }` from every
//!   type and defines `probe_` out of line, which makes clang lay out and print the full
//!   vftable of `Probe_T` (all of `T`'s slots, inherited ones included, plus `probe_` last).
//! * **Calls** ([`clang_call_abi`]): one `extern "C" void probe_N(T *p)` per slot that makes the
//!   virtual call with exactly-typed arguments, compiled to LLVM IR (`-S -emit-llvm -O0`); the
//!   vtable index is read from the `getelementptr` on the loaded vptr, the calling convention,
//!   return type and argument list from the indirect `call`.
//! * **Type identity** ([`clang_same_types`]): where our spelling of a type differs from clang's
//!   text, a `static_assert` over a `same<A, B>` template decides whether they denote the same
//!   type (e.g. `VOID` vs `void`, `__int64` vs `long long`).
//!
//! Every clang run writes its translation unit into a fresh `tempfile` directory; nothing is
//! shared between calls, so tests may run in parallel.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Environment variable that overrides the `clang++` executable.
pub const CLANGXX_ENV: &str = "HTTPSERV_CLANGXX";

/// The three MSVC targets the generator supports, spelled as clang's `-target` wants them.
pub const MSVC_TRIPLES: [&str; 3] = [
    "x86_64-pc-windows-msvc",
    "i686-pc-windows-msvc",
    "aarch64-pc-windows-msvc",
];

/// The clang++ executable (`$HTTPSERV_CLANGXX`, else `clang++` from `PATH`).
pub fn clangxx() -> OsString {
    std::env::var_os(CLANGXX_ENV).unwrap_or_else(|| OsString::from("clang++"))
}

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `codegen/sdk/shims`: the stand-in Windows headers. Always the last `-I` directory, exactly
/// as the generator appends it (a test checks this equals `bundled_shims_dir()`).
pub fn shims_dir() -> PathBuf {
    workspace_root().join("codegen").join("sdk").join("shims")
}

/// `codegen/sdk/httpserv.h`.
pub fn bundled_header_path() -> PathBuf {
    workspace_root()
        .join("codegen")
        .join("sdk")
        .join("httpserv.h")
}

/// `tests/headers/torture.h`.
pub fn torture_header_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("headers")
        .join("torture.h")
}

/// True for the 32-bit x86 triples (the only target where thiscall/stdcall/cdecl differ).
pub fn is_x86_32(triple: &str) -> bool {
    let arch = triple.split('-').next().unwrap_or("");
    matches!(arch, "i386" | "i486" | "i586" | "i686" | "x86")
}

// ---------------------------------------------------------------------------------------------
// Running clang
// ---------------------------------------------------------------------------------------------

/// One clang run. The TU's temp dir lives as long as this value.
struct ClangRun {
    stdout: String,
    stderr: String,
    /// Exit status was success.
    ok: bool,
    /// Path of the translation unit (diagnostics start with it).
    tu: PathBuf,
    _dir: tempfile::TempDir,
}

/// The flags the generator parses headers with (see the brief / `codegen` docs), plus
/// `-fno-color-diagnostics` so that dumps and diagnostics are plain text.
fn base_args(triple: &str, include_dirs: &[PathBuf]) -> Vec<OsString> {
    let mut args: Vec<OsString> = [
        "-x",
        "c++",
        "-target",
        triple,
        "-std=c++14",
        "-fms-extensions",
        "-fms-compatibility",
        "-fno-rtti",
        "-DWIN32",
        // libclang < 17 rejects MSVC's `__FUNCTION__ "literal"` concatenation.
        "-D__FUNCTION__=\"\"",
        "-fno-color-diagnostics",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    for dir in include_dirs.iter().cloned().chain([shims_dir()]) {
        let mut arg = OsString::from("-I");
        arg.push(dir.as_os_str());
        args.push(arg);
    }
    args
}

/// Writes `source` to `<fresh tempdir>/<name>` and compiles it with the base flags plus
/// `extra`. A non-zero exit status is an error carrying clang's stderr and the numbered TU,
/// unless `allow_failure` (used by [`clang_same_types`], whose failures are answers).
fn run_clang(
    name: &str,
    source: &str,
    triple: &str,
    include_dirs: &[PathBuf],
    extra: &[&str],
    allow_failure: bool,
) -> Result<ClangRun, String> {
    let dir = tempfile::Builder::new()
        .prefix("httpserv-referee-")
        .tempdir()
        .map_err(|e| format!("cannot create a temp dir: {e}"))?;
    let tu = dir.path().join(name);
    std::fs::write(&tu, source).map_err(|e| format!("cannot write {}: {e}", tu.display()))?;
    let mut cmd = Command::new(clangxx());
    cmd.args(base_args(triple, include_dirs));
    cmd.args(extra);
    cmd.arg(&tu);
    let out = cmd.output().map_err(|e| {
        format!(
            "cannot run {:?} ({e}); install clang (Debian: `apt-get install clang`) or set {CLANGXX_ENV}",
            clangxx()
        )
    })?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() && !allow_failure {
        return Err(format!(
            "clang++ failed ({}) on a probe translation unit for {triple}.\n\
             command: {cmd:?}\n--- stderr ---\n{stderr}\n--- translation unit (first 300 lines) ---\n{}",
            out.status,
            numbered(source, 300)
        ));
    }
    Ok(ClangRun {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        ok: out.status.success(),
        tu,
        _dir: dir,
    })
}

fn numbered(source: &str, max: usize) -> String {
    let mut s = String::new();
    for (i, line) in source.lines().enumerate().take(max) {
        let _ = writeln!(s, "{:4} {line}", i + 1);
    }
    s
}

fn null_output() -> &'static str {
    if cfg!(windows) { "NUL" } else { "/dev/null" }
}

// ---------------------------------------------------------------------------------------------
// The probe prelude: windows.h, macro clean-up, the header
// ---------------------------------------------------------------------------------------------

/// C++14 keywords (and MS ones that matter): a macro whose replacement is one of these is a
/// spelling alias for the language (`VOID` -> `void`, `CONST` -> `const`), never a renamed
/// function.
const CXX_KEYWORDS: &[&str] = &[
    "alignas",
    "alignof",
    "asm",
    "auto",
    "bool",
    "break",
    "case",
    "catch",
    "char",
    "char16_t",
    "char32_t",
    "class",
    "const",
    "constexpr",
    "const_cast",
    "continue",
    "decltype",
    "default",
    "delete",
    "do",
    "double",
    "dynamic_cast",
    "else",
    "enum",
    "explicit",
    "export",
    "extern",
    "false",
    "float",
    "for",
    "friend",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "mutable",
    "namespace",
    "new",
    "noexcept",
    "nullptr",
    "operator",
    "private",
    "protected",
    "public",
    "register",
    "reinterpret_cast",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "static_assert",
    "static_cast",
    "struct",
    "switch",
    "template",
    "this",
    "thread_local",
    "throw",
    "true",
    "try",
    "typedef",
    "typeid",
    "typename",
    "union",
    "unsigned",
    "using",
    "virtual",
    "void",
    "volatile",
    "wchar_t",
    "while",
];

/// Replaces comments and string/character literals by spaces (keeping line structure).
fn strip_comments_and_literals(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            out.push_str("  ");
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                out.push(if chars[i] == '\n' { '\n' } else { ' ' });
                i += 1;
            }
            out.push_str("  ");
            i += 2;
        } else if c == '"' || c == '\'' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != c && chars[i] != '\n' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_ident_start) && chars.all(is_ident_char)
}

/// Identifiers of `src` that are directly followed (after blanks) by `(`.
fn identifiers_before_paren(src: &str) -> BTreeSet<String> {
    let text = strip_comments_and_literals(src);
    let chars: Vec<char> = text.chars().collect();
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < chars.len() {
        if is_ident_start(chars[i]) && (i == 0 || !is_ident_char(chars[i - 1])) {
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            let ident: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if chars.get(j) == Some(&'(') {
                out.insert(ident);
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Object-like macros that `<windows.h>` (as found on the include path) defines, with their
/// replacement text.
fn windows_h_object_macros(
    triple: &str,
    include_dirs: &[PathBuf],
) -> Result<BTreeMap<String, String>, String> {
    let out = run_clang(
        "macros.cpp",
        "#include <windows.h>\n",
        triple,
        include_dirs,
        &["-E", "-dM"],
        false,
    )?;
    let mut macros = BTreeMap::new();
    for line in out.stdout.lines() {
        let Some(rest) = line.strip_prefix("#define ") else {
            continue;
        };
        let name_len = rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len());
        let (name, tail) = rest.split_at(name_len);
        if tail.starts_with('(') {
            continue; // function-like
        }
        macros.insert(name.to_string(), tail.trim().to_string());
    }
    Ok(macros)
}

/// Names the probe translation units `#undef` between `<windows.h>` and the header.
///
/// The header spells a method `GetUserName`; the shim (like the real SDK) has
/// `#define GetUserName GetUserNameW`, so clang would report `GetUserNameW`. The generator
/// reports the header's spelling, and so must the referee. Rule: every object-like macro of
/// `<windows.h>` that the header uses as `NAME (` and whose replacement is a single identifier
/// that is neither a keyword (`VOID` -> `void`, used as `VOID (WINAPI *PFN)(...)`) nor reserved
/// (`__stdcall`...). That is exactly the Win32 A/W renaming pattern; it is derived from the
/// header and `<windows.h>` only, not from the generator's output.
pub fn macros_to_undef(
    header: &Path,
    include_dirs: &[PathBuf],
    triple: &str,
) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(header)
        .map_err(|e| format!("cannot read {}: {e}", header.display()))?;
    let used = identifiers_before_paren(&text);
    let macros = windows_h_object_macros(triple, include_dirs)?;
    Ok(used
        .into_iter()
        .filter(|name| {
            macros.get(name).is_some_and(|repl| {
                is_identifier(repl)
                    && !repl.starts_with('_')
                    && !CXX_KEYWORDS.contains(&repl.as_str())
            })
        })
        .collect())
}

fn canonical_header(header: &Path) -> Result<PathBuf, String> {
    header
        .canonicalize()
        .map_err(|e| format!("header {}: {e}", header.display()))
}

fn include_line(header: &Path) -> String {
    let s = header
        .to_string_lossy()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    format!("#include \"{s}\"\n")
}

/// `#include <windows.h>`, the `#undef`s of [`macros_to_undef`], `#include "<header>"`.
/// `header` must be canonical (absolute, no symlinks) so that clang prints it verbatim.
fn prelude(header: &Path, include_dirs: &[PathBuf], triple: &str) -> Result<String, String> {
    let mut s = String::from("#include <windows.h>\n");
    for name in macros_to_undef(header, include_dirs, triple)? {
        let _ = write!(s, "#ifdef {name}\n#undef {name}\n#endif\n");
    }
    s.push_str(&include_line(header));
    Ok(s)
}

// ---------------------------------------------------------------------------------------------
// Which classes have a vtable (AST dump)
// ---------------------------------------------------------------------------------------------

/// Every class with a vtable that is *defined* at namespace scope in `header`, in header order,
/// according to clang's AST (`DefinitionData ... polymorphic`).
pub fn vtable_types_in_header(
    header: &Path,
    include_dirs: &[PathBuf],
    triple: &str,
) -> Result<Vec<String>, String> {
    let header = canonical_header(header)?;
    let source = prelude(&header, include_dirs, triple)?;
    let out = run_clang(
        "records.cpp",
        &source,
        triple,
        include_dirs,
        &["-fsyntax-only", "-Xclang", "-ast-dump"],
        false,
    )?;
    parse_ast_vtable_types(&out.stdout, &header.to_string_lossy())
}

/// Updates "is the last printed location in `header`" from one AST-dump line.
///
/// clang's text dumper prints a location as `FILE:LINE:COL` when the file differs from the
/// last location it printed, else `line:LINE:COL` or `col:COL`. Following that state across
/// the whole dump tells which file every abbreviated location is in.
fn track_ast_file(line: &str, header: &str, in_header: &mut bool) {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' {
            // `:\d+:\d+`
            let mut j = i + 1;
            let d1 = j;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if j > d1 && j < bytes.len() && bytes[j] == b':' {
                let d2 = j + 1;
                let mut k = d2;
                while k < bytes.len() && bytes[k].is_ascii_digit() {
                    k += 1;
                }
                if k > d2 {
                    let prefix = &line[..i];
                    let file_start = prefix
                        .rfind(['<', ' ', ',', '=', '\''])
                        .map_or(0, |p| p + 1);
                    let token = &prefix[file_start..];
                    let is_header = prefix.strip_suffix(header).is_some_and(|before| {
                        before.is_empty() || before.ends_with(['<', ' ', ',', '='])
                    });
                    if is_header {
                        *in_header = true;
                    } else if token != "line" {
                        *in_header = false;
                    }
                    i = k;
                    continue;
                }
            }
        }
        i += 1;
    }
}

/// Parses `clang -Xclang -ast-dump` text (see [`vtable_types_in_header`]).
pub fn parse_ast_vtable_types(ast: &str, header: &str) -> Result<Vec<String>, String> {
    let lines: Vec<&str> = ast.lines().collect();
    let mut in_header = false;
    let mut types = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let top = line.strip_prefix("|-").or_else(|| line.strip_prefix("`-"));
        let mut record_in_header = false;
        if let Some(rest) = top.filter(|r| r.starts_with("CXXRecordDecl ")) {
            if let Some(p) = rest.find(" <") {
                let begin = &rest[p + 2..];
                record_in_header = if begin.starts_with("line:") || begin.starts_with("col:") {
                    in_header
                } else {
                    begin.starts_with(header) && begin[header.len()..].starts_with(':')
                };
            }
        }
        track_ast_file(line, header, &mut in_header);
        if !record_in_header {
            continue;
        }
        let rest = top.unwrap_or_default();
        let words: Vec<&str> = rest.split_whitespace().collect();
        let n = words.len();
        if n < 3 || words[n - 1] != "definition" || !matches!(words[n - 3], "class" | "struct") {
            continue;
        }
        let name = words[n - 2];
        let data = lines
            .get(i + 1)
            .filter(|l| l.contains("DefinitionData"))
            .ok_or_else(|| format!("AST dump: no DefinitionData after `{line}`"))?;
        if data.split_whitespace().any(|w| w == "polymorphic") {
            if types.iter().any(|t| t == name) {
                return Err(format!("AST dump: class `{name}` defined twice"));
            }
            types.push(name.to_string());
        }
    }
    Ok(types)
}

// ---------------------------------------------------------------------------------------------
// Vtable layout dump
// ---------------------------------------------------------------------------------------------

/// One slot of clang's `-fdump-vtable-layouts` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpSlot {
    /// 0-based vftable index.
    pub index: usize,
    /// Class that declared the method or the final overrider in `T` (`ITortureLevel2` for an
    /// override of a base slot). For the destructor: the probed type `T`.
    pub class: String,
    /// Method name; `~T` for the destructor.
    pub method: String,
    /// Return type as clang prints it (typedef sugar kept); empty for the destructor.
    pub ret: String,
    /// Parameter types as clang prints them (arrays already decayed to pointers).
    pub params: Vec<String>,
    pub is_const: bool,
    pub is_volatile: bool,
    /// `[pure]`.
    pub pure: bool,
    /// `[scalar deleting]`: MSVC's scalar deleting destructor.
    pub scalar_deleting_dtor: bool,
    /// The dump line after `N | `.
    pub raw: String,
}

/// Name of the probe class derived from `ty`.
pub fn probe_class_name(ty: &str) -> String {
    let cleaned: String = ty
        .chars()
        .map(|c| if is_ident_char(c) { c } else { '_' })
        .collect();
    format!("Probe_{cleaned}")
}

/// Parses the text after `N | ` of one dump entry, e.g.
/// `PCSTR IHttpRequest::GetHeader(HTTP_HEADER_ID, USHORT *) const [pure]`,
/// `const TORTURE_POINT *ITortureLevel3::GetPointPtr(ULONGLONG *) const [pure]`,
/// `void (*A::fp())(int) [pure]`, `Probe_A::~Probe_A() [scalar deleting]`.
pub fn parse_dump_entry(index: usize, text: &str) -> Result<DumpSlot, String> {
    let err = |why: &str| format!("cannot parse vtable dump entry {index} `{text}`: {why}");
    let mut s = text.trim();
    let mut pure = false;
    let mut scalar_deleting_dtor = false;
    // Trailing annotations: ` [pure]`, ` [scalar deleting]`, ` [deleted]`...
    while s.ends_with(']') {
        let Some(open) = s.rfind(" [") else { break };
        match &s[open + 2..s.len() - 1] {
            "pure" => pure = true,
            "scalar deleting" => scalar_deleting_dtor = true,
            "deleted" | "unused" | "vector deleting" => {}
            _ => break, // part of a type (array return), not an annotation
        }
        s = s[..open].trim_end();
    }
    // The qualified name `Class::method(`: the first `(` preceded by `Ident(::Ident)+`.
    let (qual_start, open_paren) = s
        .char_indices()
        .filter(|&(_, c)| c == '(')
        .find_map(|(pos, _)| qualified_name_start(s, pos).map(|start| (start, pos)))
        .ok_or_else(|| err("no `Class::method(`"))?;
    let close_paren = matching_close(s, open_paren).ok_or_else(|| err("unbalanced parentheses"))?;
    let qualified = &s[qual_start..open_paren];
    let sep = qualified
        .rfind("::")
        .ok_or_else(|| err("unqualified method"))?;
    let class = qualified[..sep].to_string();
    let method = qualified[sep + 2..].to_string();
    let params = split_top_level(&s[open_paren + 1..close_paren])
        .into_iter()
        .map(|p| normalize_spaces(&p))
        .collect();
    // Method qualifiers, then what is left of a declarator-style return type.
    let mut rest = &s[close_paren + 1..];
    let mut is_const = false;
    let mut is_volatile = false;
    loop {
        let t = rest.trim_start();
        if let Some(r) = strip_word(t, "const") {
            is_const = true;
            rest = r;
        } else if let Some(r) = strip_word(t, "volatile") {
            is_volatile = true;
            rest = r;
        } else if let Some(r) = strip_word(t, "noexcept") {
            rest = r;
        } else if let Some(r) = t.strip_prefix("&&").or_else(|| t.strip_prefix('&')) {
            rest = r;
        } else {
            break;
        }
    }
    let prefix = s[..qual_start].trim_end();
    let suffix = rest.trim();
    // `void (*A::fp())(int)`: prefix `void (*`, suffix `)(int)` -> `void (*)(int)`.
    let ret = normalize_spaces(&format!("{prefix}{suffix}"));
    Ok(DumpSlot {
        index,
        class,
        method,
        ret,
        params,
        is_const,
        is_volatile,
        pure,
        scalar_deleting_dtor,
        raw: text.trim().to_string(),
    })
}

fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    s.strip_prefix(word)
        .filter(|r| !r.starts_with(is_ident_char))
}

/// If `s[..paren]` ends with `Ident(::Ident)+` (last component may start with `~`), returns
/// the byte offset where that qualified name starts.
fn qualified_name_start(s: &str, paren: usize) -> Option<usize> {
    let b = s.as_bytes();
    let ident_back = |end: usize| -> Option<usize> {
        let mut i = end;
        while i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
            i -= 1;
        }
        (i < end && !b[i].is_ascii_digit()).then_some(i)
    };
    let mut start = ident_back(paren)?;
    if start > 0 && b[start - 1] == b'~' {
        start -= 1;
    }
    let mut components = 1;
    while start >= 2 && &b[start - 2..start] == b"::" {
        start = ident_back(start - 2)?;
        components += 1;
    }
    if components < 2 {
        return None;
    }
    if start > 0
        && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_' || b[start - 1] == b':')
    {
        return None;
    }
    Some(start)
}

/// Index of the `)` matching the `(` at `open`.
fn matching_close(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits at commas outside `()`, `[]`, `{}`, `<>`; trims; `""` -> no element.
fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() || !out.is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// Collapses runs of whitespace to one space and trims.
pub fn normalize_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One `VFTable for '...' ... (N entries).` block of the dump.
#[derive(Debug, Clone)]
pub struct DumpBlock {
    /// The names between quotes: the vfptr's base first, the most derived class last.
    pub path: Vec<String>,
    /// `N` of `(N entries)`.
    pub declared_entries: usize,
    pub entries: Vec<(usize, String)>,
}

/// Splits `-fdump-vtable-layouts` output into its `VFTable for` blocks (the `VFTable indices`
/// blocks are skipped). Entry lines are `  N | text`; any other non-empty line inside a block
/// (`[this adjustment: ...]` thunk notes) is ignored.
pub fn parse_dump_blocks(dump: &str) -> Result<Vec<DumpBlock>, String> {
    let mut blocks = Vec::new();
    let mut current: Option<DumpBlock> = None;
    for line in dump.lines() {
        if let Some(rest) = line.strip_prefix("VFTable for '") {
            if let Some(b) = current.take() {
                blocks.push(b);
            }
            let bad = || format!("cannot parse vtable dump header `{line}`");
            let close = rest.rfind("' (").ok_or_else(bad)?;
            let path = rest[..close].split("' in '").map(str::to_string).collect();
            let count = rest[close + 3..]
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or_else(bad)?;
            current = Some(DumpBlock {
                path,
                declared_entries: count,
                entries: Vec::new(),
            });
            continue;
        }
        if line.trim().is_empty() || line.starts_with("VFTable indices for") {
            if let Some(b) = current.take() {
                blocks.push(b);
            }
            continue;
        }
        if let Some(b) = current.as_mut() {
            if let Some((num, text)) = line.split_once(" | ") {
                if let Ok(index) = num.trim().parse::<usize>() {
                    b.entries.push((index, text.to_string()));
                }
            }
        }
    }
    if let Some(b) = current.take() {
        blocks.push(b);
    }
    Ok(blocks)
}

/// Extracts the full vtable of every type in `types` from a dump of the probe TU (see
/// [`clang_vtable_dump`]): the single block whose most derived class is `Probe_T`, checked
/// against its `(N entries)` count, with the trailing `probe_` slot dropped and
/// `Probe_T::~Probe_T` mapped back to `~T`.
pub fn parse_vtable_dump(
    dump: &str,
    types: &[String],
) -> Result<BTreeMap<String, Vec<DumpSlot>>, String> {
    let blocks = parse_dump_blocks(dump)?;
    let mut out = BTreeMap::new();
    for ty in types {
        let probe = probe_class_name(ty);
        let mine: Vec<&DumpBlock> = blocks
            .iter()
            .filter(|b| b.path.last() == Some(&probe))
            .collect();
        let block = match mine.as_slice() {
            [b] if b.path.len() >= 2 => *b,
            [_] => {
                return Err(format!(
                    "`{ty}` has no vftable (clang laid out a new one for {probe})"
                ));
            }
            [] => return Err(format!("clang printed no vftable for {probe}")),
            _ => {
                return Err(format!(
                    "{probe} has {} vftables (multiple inheritance is not supported)",
                    mine.len()
                ));
            }
        };
        if block.entries.len() != block.declared_entries {
            return Err(format!(
                "vftable of {probe}: header says {} entries, parsed {}",
                block.declared_entries,
                block.entries.len()
            ));
        }
        let mut slots = Vec::with_capacity(block.entries.len());
        for (pos, (index, text)) in block.entries.iter().enumerate() {
            if *index != pos {
                return Err(format!(
                    "vftable of {probe}: entry {pos} is numbered {index}"
                ));
            }
            slots.push(parse_dump_entry(*index, text)?);
        }
        match slots.pop() {
            Some(last) if last.class == probe && last.method == "probe_" => {}
            other => {
                return Err(format!(
                    "vftable of {probe}: last entry is not {probe}::probe_ but {other:?}"
                ));
            }
        }
        let short = ty.rsplit("::").next().unwrap_or(ty);
        for slot in &mut slots {
            if slot.class == probe && slot.method == format!("~{probe}") {
                slot.class = ty.clone();
                slot.method = format!("~{short}");
            } else if slot.class == probe {
                return Err(format!(
                    "vftable of {probe}: unexpected probe entry {}",
                    slot.raw
                ));
            }
        }
        out.insert(ty.clone(), slots);
    }
    Ok(out)
}

/// Compiles the probe TU (`#include <windows.h>`, `#undef`s, `#include "<header>"`, then
/// `struct Probe_T : T { virtual void probe_(); }; void Probe_T::probe_() {}` per type) with
/// `-Xclang -fdump-vtable-layouts -S -emit-llvm` and returns every type's full vtable.
pub fn clang_vtable_dump(
    header: &Path,
    include_dirs: &[PathBuf],
    triple: &str,
    types: &[String],
) -> Result<BTreeMap<String, Vec<DumpSlot>>, String> {
    let text = clang_vtable_dump_text(header, include_dirs, triple, types)?;
    parse_vtable_dump(&text, types)
}

/// The raw `-fdump-vtable-layouts` text of [`clang_vtable_dump`]'s probe TU.
pub fn clang_vtable_dump_text(
    header: &Path,
    include_dirs: &[PathBuf],
    triple: &str,
    types: &[String],
) -> Result<String, String> {
    let header = canonical_header(header)?;
    let mut source = prelude(&header, include_dirs, triple)?;
    for ty in types {
        let probe = probe_class_name(ty);
        let _ = writeln!(
            source,
            "struct {probe} : {ty} {{ virtual void probe_(); }};\nvoid {probe}::probe_() {{}}"
        );
    }
    let out = run_clang(
        "layout.cpp",
        &source,
        triple,
        include_dirs,
        &[
            "-Xclang",
            "-fdump-vtable-layouts",
            "-S",
            "-emit-llvm",
            "-o",
            null_output(),
        ],
        false,
    )?;
    Ok(out.stdout)
}

// ---------------------------------------------------------------------------------------------
// Calls through the vtable (LLVM IR)
// ---------------------------------------------------------------------------------------------

/// One virtual call to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeCall {
    /// The type whose vtable is probed (`T` of `probe_N(T *p)`).
    pub ty: String,
    /// The slot the call is expected to use.
    pub slot: usize,
    /// Class the call is made through: the declaring class or final overrider as the dump
    /// prints it. Calling through it sidesteps name hiding (`IHttpRequest3::ReadEntityBody`
    /// hides `IHttpRequest::ReadEntityBody` in `IHttpRequest4`); with single inheritance its
    /// vfptr is `T`'s, so the index is the same.
    pub class: String,
    pub method: String,
    /// Exact argument types (make<P>() for each), as clang printed them.
    pub params: Vec<String>,
    pub is_const: bool,
    pub is_dtor: bool,
}

impl ProbeCall {
    pub fn from_dump(ty: &str, slot: &DumpSlot) -> ProbeCall {
        ProbeCall {
            ty: ty.to_string(),
            slot: slot.index,
            class: slot.class.clone(),
            method: slot.method.clone(),
            params: slot.params.clone(),
            is_const: slot.is_const,
            is_dtor: slot.scalar_deleting_dtor,
        }
    }
}

/// One [`ProbeCall`] per slot of every type of a dump, in type order then slot order.
pub fn probe_calls(dump: &BTreeMap<String, Vec<DumpSlot>>) -> Vec<ProbeCall> {
    dump.iter()
        .flat_map(|(ty, slots)| slots.iter().map(move |s| ProbeCall::from_dump(ty, s)))
        .collect()
}

/// What the IR says about one probe call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IrCall {
    pub ty: String,
    /// Expected slot (copied from the [`ProbeCall`]).
    pub slot: usize,
    pub method: String,
    /// The constant index of the `getelementptr` on the vptr (0 if clang emitted none).
    pub gep_index: u64,
    /// LLVM calling convention keyword of the call (`x86_thiscallcc`, `x86_stdcallcc`...), or
    /// `""` for the C convention.
    pub cc: String,
    /// ABI class of the return (`void bool i8 i16 i32 i64 f32 f64 ptr`, else `?<llvm type>`).
    pub ret: String,
    /// ABI classes of the arguments: `this` first, `sret` for the hidden return pointer.
    pub params: Vec<String>,
    /// The IR `call` instruction.
    pub call: String,
}

fn probe_call_source(index: usize, call: &ProbeCall) -> String {
    let ty = &call.ty;
    if call.is_dtor {
        // The scalar deleting destructor is reached by `delete` (flag 1). The destructor may be
        // protected (CHttpModule): the TU is compiled with -fno-access-control.
        return format!("extern \"C\" void probe_{index}({ty} *p) {{ delete p; }}\n");
    }
    let cv = if call.is_const { "const " } else { "" };
    let args: Vec<String> = call
        .params
        .iter()
        .map(|p| format!("referee_make<{p}>()"))
        .collect();
    format!(
        "extern \"C\" void probe_{index}({ty} *p) {{ static_cast<{cv}{cls} *>(p)->{m}({args}); }}\n",
        cls = call.class,
        m = call.method,
        args = args.join(", ")
    )
}

/// Compiles one probe function per call to LLVM IR and reads each call's vtable index, calling
/// convention and argument/return ABI classes. Method access is ignored
/// (`-Xclang -fno-access-control`) so protected methods and destructors can be probed.
pub fn clang_call_abi(
    header: &Path,
    include_dirs: &[PathBuf],
    triple: &str,
    calls: &[ProbeCall],
) -> Result<Vec<IrCall>, String> {
    let header = canonical_header(header)?;
    let mut source = prelude(&header, include_dirs, triple)?;
    source.push_str("template <class X> X referee_make();\n");
    for (i, call) in calls.iter().enumerate() {
        source.push_str(&probe_call_source(i, call));
    }
    let out = run_clang(
        "calls.cpp",
        &source,
        triple,
        include_dirs,
        &[
            "-Xclang",
            "-fno-access-control",
            "-Wno-deprecated-declarations",
            "-O0",
            "-S",
            "-emit-llvm",
            "-o",
            "-",
        ],
        false,
    )?;
    parse_probe_ir(&out.stdout, calls)
}

/// Bodies of the IR functions, by name (`@name` or `@"name"` without the `@`).
fn ir_function_bodies(ir: &str) -> BTreeMap<String, Vec<&str>> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in ir.lines() {
        if let Some((name, body)) = current.as_mut() {
            if line == "}" {
                out.insert(std::mem::take(name), std::mem::take(body));
                current = None;
            } else {
                body.push(line);
            }
            continue;
        }
        if line.starts_with("define ") {
            if let Some(at) = line.find(" @") {
                let rest = &line[at + 2..];
                let name = if let Some(q) = rest.strip_prefix('"') {
                    q.split('"').next().unwrap_or("").to_string()
                } else {
                    rest.split('(').next().unwrap_or("").to_string()
                };
                current = Some((name, Vec::new()));
            }
        }
    }
    out
}

/// Parses the IR of [`clang_call_abi`]'s TU.
pub fn parse_probe_ir(ir: &str, calls: &[ProbeCall]) -> Result<Vec<IrCall>, String> {
    let bodies = ir_function_bodies(ir);
    calls
        .iter()
        .enumerate()
        .map(|(i, call)| {
            let name = format!("probe_{i}");
            let body = bodies.get(&name).ok_or_else(|| {
                format!("IR has no function @{name} ({}::{})", call.ty, call.method)
            })?;
            parse_probe_body(body)
                .map(|p| IrCall {
                    ty: call.ty.clone(),
                    slot: call.slot,
                    method: call.method.clone(),
                    gep_index: p.gep_index,
                    cc: p.call.cc,
                    ret: p.call.ret,
                    params: p.call.params,
                    call: p.call.text,
                })
                .map_err(|e| {
                    format!(
                        "@{name} ({}::{} slot {}): {e}\n{}",
                        call.ty,
                        call.method,
                        call.slot,
                        body.join("\n")
                    )
                })
        })
        .collect()
}

struct ProbeBody {
    gep_index: u64,
    call: ParsedCall,
}

/// Finds the one indirect call of a probe body and follows its callee back:
/// `%f = load <fnptr>, <ptr> %slot` <- `%slot = getelementptr ... %vtable, iNN K`.
fn parse_probe_body(body: &[&str]) -> Result<ProbeBody, String> {
    let mut defs: BTreeMap<&str, &str> = BTreeMap::new();
    let mut calls = Vec::new();
    for line in body {
        let t = line.trim();
        let (def, inst) = match t.split_once(" = ") {
            Some((lhs, rhs)) if lhs.starts_with('%') && !lhs.contains(' ') => (Some(lhs), rhs),
            _ => (None, t),
        };
        if let Some(d) = def {
            defs.insert(d, inst);
        }
        let inst_no_tail = ["tail ", "musttail ", "notail "]
            .iter()
            .find_map(|p| inst.strip_prefix(p))
            .unwrap_or(inst);
        if inst_no_tail.starts_with("call ") {
            let parsed = parse_call(inst_no_tail)?;
            if parsed.callee.starts_with('%') {
                calls.push(parsed);
            }
        }
    }
    let call = match calls.len() {
        1 => calls.pop().unwrap_or_else(|| unreachable!()),
        n => return Err(format!("expected exactly one indirect call, found {n}")),
    };
    let load = defs
        .get(call.callee.as_str())
        .ok_or_else(|| format!("callee {} is not defined in the body", call.callee))?;
    let load_ops = load
        .strip_prefix("load ")
        .map(split_top_level)
        .ok_or_else(|| format!("callee {} is not a load: {load}", call.callee))?;
    let slot_ptr = load_ops
        .get(1)
        .and_then(|op| op.split_whitespace().last())
        .ok_or_else(|| format!("cannot read the load's pointer operand: {load}"))?;
    let slot_def = defs
        .get(slot_ptr)
        .ok_or_else(|| format!("{slot_ptr} is not defined in the body"))?;
    let gep_index = if let Some(gep) = slot_def.strip_prefix("getelementptr ") {
        parse_gep_index(gep)?
    } else if slot_def.starts_with("load ") {
        // Newer clang may load slot 0 straight from the vptr without a GEP.
        0
    } else {
        return Err(format!(
            "the loaded function pointer does not come from a GEP: {slot_def}"
        ));
    };
    Ok(ProbeBody { gep_index, call })
}

/// `getelementptr [inbounds|nuw|nusw|inrange(..)] T, P %p, iNN K` -> K.
fn parse_gep_index(gep: &str) -> Result<u64, String> {
    let mut s = gep.trim_start();
    loop {
        if let Some(r) = strip_word(s, "inbounds")
            .or_else(|| strip_word(s, "nuw"))
            .or_else(|| strip_word(s, "nusw"))
        {
            s = r.trim_start();
        } else if s.starts_with("inrange(") {
            let close = matching_close(s, "inrange".len()).ok_or("bad inrange")?;
            s = s[close + 1..].trim_start();
        } else {
            break;
        }
    }
    let ops = split_top_level(s);
    if ops.len() != 3 {
        return Err(format!(
            "expected a single-index GEP on the vptr: getelementptr {gep}"
        ));
    }
    let idx = &ops[2];
    let mut words = idx.split_whitespace();
    let ty = words.next().unwrap_or("");
    let value = words.next().unwrap_or("");
    if !(ty == "i32" || ty == "i64") {
        return Err(format!("GEP index is not an i32/i64 constant: `{idx}`"));
    }
    value
        .parse()
        .map_err(|_| format!("GEP index is not a constant: `{idx}`"))
}

/// A parsed IR `call`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCall {
    /// `%8` or `@name`.
    pub callee: String,
    pub cc: String,
    /// ABI class of the return.
    pub ret: String,
    /// ABI classes of the arguments; the first pointer is `this`, `sret` marks the hidden
    /// return pointer.
    pub params: Vec<String>,
    /// LLVM types of the arguments (diagnostics only).
    pub param_types: Vec<String>,
    pub text: String,
}

/// Parses `call [cc] [ret attrs] RET CALLEE(ARGS)[ #N]` (typed pointers or `ptr`).
pub fn parse_call(inst: &str) -> Result<ParsedCall, String> {
    let err = |why: &str| format!("cannot parse call `{inst}`: {why}");
    let mut s = inst
        .trim()
        .strip_prefix("call ")
        .ok_or_else(|| err("not a call"))?
        .trim();
    // Trailing `, !dbg !12` metadata and ` #3` attribute groups.
    if let Some(p) = s.find(", !") {
        s = s[..p].trim_end();
    }
    while let Some(p) = s.rfind(" #") {
        if s[p + 2..].chars().all(|c| c.is_ascii_digit()) && p + 2 < s.len() {
            s = s[..p].trim_end();
        } else {
            break;
        }
    }
    if !s.ends_with(')') {
        return Err(err("does not end with the argument list"));
    }
    let open = matching_open(s, s.len() - 1).ok_or_else(|| err("unbalanced argument list"))?;
    let args = &s[open + 1..s.len() - 1];
    let head = s[..open].trim_end();
    let callee_start = head.rfind(char::is_whitespace).map_or(0, |p| p + 1);
    let callee = head[callee_start..].to_string();
    let mut spec = head[..callee_start].trim();
    // Calling convention and return attributes, then the return type.
    let mut cc = String::new();
    loop {
        let word_len = spec
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(spec.len());
        let word = &spec[..word_len];
        if word.is_empty() || is_llvm_type_start(spec) {
            break;
        }
        if word == "cc" {
            // `cc 70`
            let rest = spec[word_len..].trim_start();
            let n_len = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            cc = format!("cc {}", &rest[..n_len]);
            spec = rest[n_len..].trim_start();
        } else if word.ends_with("cc") {
            cc = word.to_string();
            spec = spec[word_len..].trim_start();
        } else {
            spec = skip_attribute(spec, word_len).trim_start();
        }
    }
    let (ret_ty, _) = parse_llvm_type(spec).map_err(|e| err(&e))?;
    let mut params = Vec::new();
    let mut param_types = Vec::new();
    for (i, arg) in split_top_level(args).iter().enumerate() {
        let (ty, rest) = parse_llvm_type(arg).map_err(|e| err(&e))?;
        let mut class = abi_class_of_llvm_type(&ty);
        let mut words = rest.trim();
        let mut sret = false;
        let mut byval = false;
        while !words.is_empty() {
            let word_len = words
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(words.len());
            let word = &words[..word_len];
            if word.is_empty() {
                break; // the value (`%3`, `1`, `null`...) follows
            }
            match word {
                "sret" => sret = true,
                "byval" | "inalloca" | "preallocated" => byval = true,
                _ => {}
            }
            let next = skip_attribute(words, word_len).trim_start();
            if next.is_empty() {
                break; // that word was the value (`null`, `undef`, a number)
            }
            words = next;
        }
        if sret {
            class = "sret".to_string();
        } else if byval {
            class = format!("byval:{ty}");
        } else if i == 0 && class == "ptr" {
            class = "this".to_string();
        }
        params.push(class);
        param_types.push(ty);
    }
    if params.first().map(String::as_str) != Some("this") && callee.starts_with('%') {
        return Err(err("the first argument is not the object pointer"));
    }
    Ok(ParsedCall {
        callee,
        cc,
        ret: abi_class_of_llvm_type(&ret_ty),
        params,
        param_types,
        text: inst.trim().to_string(),
    })
}

/// Skips an attribute word at the start of `s` (length `word_len`) with its arguments:
/// `align 8`, `dereferenceable(8)`, `sret(%struct.S)`.
fn skip_attribute(s: &str, word_len: usize) -> &str {
    let word = &s[..word_len];
    let rest = &s[word_len..];
    if rest.starts_with('(') {
        return matching_close(s, word_len).map_or("", |c| &s[c + 1..]);
    }
    if word == "align" || word == "addrspace" {
        let r = rest.trim_start();
        let n = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
        return &r[n..];
    }
    rest
}

fn matching_open(s: &str, close: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0i32;
    let mut i = close + 1;
    while i > 0 {
        i -= 1;
        match b[i] {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

const LLVM_TYPE_KEYWORDS: &[&str] = &[
    "void",
    "ptr",
    "half",
    "bfloat",
    "float",
    "double",
    "x86_fp80",
    "fp128",
    "ppc_fp128",
    "x86_mmx",
    "x86_amx",
    "label",
    "metadata",
    "token",
];

fn is_llvm_type_start(s: &str) -> bool {
    if s.starts_with(['%', '{', '[', '<']) {
        return true;
    }
    let word_len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    let word = &s[..word_len];
    LLVM_TYPE_KEYWORDS.contains(&word)
        || (word.len() > 1
            && word.starts_with('i')
            && word[1..].chars().all(|c| c.is_ascii_digit()))
}

/// Parses one LLVM type at the start of `s`; returns it (spaces normalised) and the rest.
/// Handles `%class.A*`, `%"class.ns::A"*`, `i8*`, `ptr`, `ptr addrspace(1)`, `{ i32, i64 }`,
/// `[2 x i64]`, `<4 x float>` and typed function pointers `i8* (%class.A*, i32)*`.
pub fn parse_llvm_type(s: &str) -> Result<(String, &str), String> {
    let s = s.trim_start();
    let bad = || format!("no LLVM type at `{s}`");
    let mut end;
    if let Some(q) = s.strip_prefix("%\"") {
        end = 2 + q.find('"').ok_or_else(bad)? + 1;
    } else if let Some(name) = s.strip_prefix('%') {
        end = 1 + name
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '$' | '-')))
            .unwrap_or(name.len());
    } else if s.starts_with(['{', '[', '<']) {
        // `<{ ... }>` (packed struct) balances like the others.
        end = matching_bracket(s, 0).ok_or_else(bad)? + 1;
    } else if is_llvm_type_start(s) {
        end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        if &s[..end] == "ptr" {
            let rest = &s[end..];
            if let Some(r) = rest.strip_prefix(" addrspace(") {
                end += " addrspace(".len() + r.find(')').ok_or_else(bad)? + 1;
            }
        }
    } else {
        return Err(bad());
    }
    // Postfix: `*`, ` addrspace(N)*`, and `(args)*` (function pointer).
    loop {
        let rest = &s[end..];
        if rest.starts_with('*') {
            end += 1;
            continue;
        }
        let trimmed = rest.trim_start();
        let skipped = rest.len() - trimmed.len();
        if trimmed.starts_with('(') {
            if let Some(close) = matching_close(trimmed, 0) {
                if trimmed[close + 1..].starts_with('*') {
                    end += skipped + close + 2;
                    continue;
                }
            }
        }
        if let Some(r) = trimmed.strip_prefix("addrspace(") {
            if let Some(close) = r.find(')') {
                if r[close + 1..].starts_with('*') {
                    end += skipped + "addrspace(".len() + close + 2;
                    continue;
                }
            }
        }
        break;
    }
    Ok((normalize_spaces(&s[..end]), &s[end..]))
}

fn matching_bracket(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in s[open..].char_indices() {
        match c {
            '{' | '[' | '<' | '(' => depth += 1,
            '}' | ']' | '>' | ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// ABI class of an LLVM type: `void bool i8 i16 i32 i64 f32 f64 ptr`, else `?<type>`.
pub fn abi_class_of_llvm_type(ty: &str) -> String {
    match ty {
        "void" => "void".into(),
        "i1" => "bool".into(),
        "i8" | "i16" | "i32" | "i64" => ty.into(),
        "float" => "f32".into(),
        "double" => "f64".into(),
        _ if ty == "ptr" || ty.starts_with("ptr addrspace") || ty.ends_with('*') => "ptr".into(),
        _ => format!("?{ty}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Type identity, decided by clang
// ---------------------------------------------------------------------------------------------

/// Where a type occurs; decides which language rule makes two spellings the same type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRole {
    /// Compared as is: `same<A, B>`.
    Return,
    /// Compared as the parameter of a function type: `same<void(A), void(B)>`. The language
    /// adjusts parameter types (array -> pointer, function -> pointer, top-level cv dropped),
    /// so `DWORD[4]`, `DWORD *` and `DWORD *const` are one parameter type.
    Param,
}

/// One question for [`clang_same_types`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TypeQuery {
    pub ours: String,
    pub clang: String,
    pub role: TypeRole,
}

/// Asks clang, in the context of the header, whether each pair of spellings denotes the same
/// type. `Ok(())` = same; `Err(diagnostic)` = different or not a valid type.
pub fn clang_same_types(
    header: &Path,
    include_dirs: &[PathBuf],
    triple: &str,
    queries: &[TypeQuery],
) -> Result<Vec<Result<(), String>>, String> {
    if queries.is_empty() {
        return Ok(Vec::new());
    }
    let header = canonical_header(header)?;
    let mut source = prelude(&header, include_dirs, triple)?;
    source.push_str(
        "template <class A, class B> struct referee_same { enum { value = 0 }; };\n\
         template <class A> struct referee_same<A, A> { enum { value = 1 }; };\n",
    );
    let mut line_of = BTreeMap::new();
    for (i, q) in queries.iter().enumerate() {
        let ours = q.ours.replace('\n', " ");
        let clang = q.clang.replace('\n', " ");
        let (a, b) = match q.role {
            TypeRole::Return => (ours, clang),
            TypeRole::Param => (format!("void({ours})"), format!("void({clang})")),
        };
        line_of.insert(source.lines().count() + 1, i);
        let _ = writeln!(
            source,
            "static_assert(referee_same<{a}, {b}>::value, \"referee type check {i}\");"
        );
    }
    let out = run_clang(
        "same.cpp",
        &source,
        triple,
        include_dirs,
        &["-fsyntax-only", "-ferror-limit=0"],
        true,
    )?;
    let mut results: Vec<Result<(), String>> = vec![Ok(()); queries.len()];
    if out.ok {
        return Ok(results);
    }
    let tu = out.tu.to_string_lossy().into_owned();
    let mut attributed = false;
    for line in out.stderr.lines() {
        let Some(rest) = line
            .strip_prefix(tu.as_str())
            .and_then(|r| r.strip_prefix(':'))
        else {
            continue;
        };
        let mut parts = rest.splitn(3, ':');
        let (Some(l), Some(_col), Some(msg)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if !msg.trim_start().starts_with("error") {
            continue;
        }
        let Some(&i) = l.parse::<usize>().ok().and_then(|l| line_of.get(&l)) else {
            continue;
        };
        attributed = true;
        let prev = results[i].as_ref().err().cloned().unwrap_or_default();
        results[i] = Err(format!("{prev}{}", msg.trim()));
    }
    if !attributed {
        return Err(format!(
            "clang failed on the type-identity TU for {triple} outside the checks:\n{}",
            out.stderr
        ));
    }
    Ok(results)
}

// ---------------------------------------------------------------------------------------------
// The generator's reports
// ---------------------------------------------------------------------------------------------

/// One line of `layout_table`: `TYPE\tSLOT\tMETHOD\tSIGNATURE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutRow {
    pub ty: String,
    pub slot: usize,
    pub method: String,
    pub signature: String,
    /// Return type (empty for `()`, the destructor).
    pub ret: String,
    pub params: Vec<String>,
    pub is_const: bool,
    pub line: String,
}

/// Parses `layout_table` output. SIGNATURE is `RET (P1, P2)[ const]`, or `()` for the
/// destructor; the parameter list is the last top-level parenthesised group.
pub fn parse_layout_table(text: &str) -> Result<Vec<LayoutRow>, String> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let err = |why: &str| format!("layout_table line {}: {why}: `{line}`", n + 1);
        let cols: Vec<&str> = line.split('\t').collect();
        let [ty, slot, method, signature] = cols.as_slice() else {
            return Err(err("expected 4 tab-separated columns"));
        };
        let slot = slot
            .trim()
            .parse()
            .map_err(|_| err("SLOT is not a number"))?;
        let mut sig = signature.trim();
        let mut is_const = false;
        if let Some(s) = sig.strip_suffix("const").map(str::trim_end) {
            if s.ends_with(')') {
                is_const = true;
                sig = s;
            }
        }
        if !sig.ends_with(')') {
            return Err(err("SIGNATURE does not end with `)` or `) const`"));
        }
        let open =
            matching_open(sig, sig.len() - 1).ok_or_else(|| err("unbalanced parentheses"))?;
        let params = split_top_level(&sig[open + 1..sig.len() - 1])
            .into_iter()
            .map(|p| normalize_spaces(&p))
            .collect();
        rows.push(LayoutRow {
            ty: ty.trim().to_string(),
            slot,
            method: method.trim().to_string(),
            signature: signature.trim().to_string(),
            ret: normalize_spaces(&sig[..open]),
            params,
            is_const,
            line: line.to_string(),
        });
    }
    Ok(rows)
}

/// One line of `abi_table`: `TYPE\tSLOT\tMETHOD\tCONV\tRET\tPARAMS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbiRow {
    pub ty: String,
    pub slot: usize,
    pub method: String,
    pub conv: String,
    pub ret: String,
    pub params: Vec<String>,
    pub line: String,
}

/// Parses `abi_table` output.
pub fn parse_abi_table(text: &str) -> Result<Vec<AbiRow>, String> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let err = |why: &str| format!("abi_table line {}: {why}: `{line}`", n + 1);
        let cols: Vec<&str> = line.split('\t').collect();
        let [ty, slot, method, conv, ret, params] = cols.as_slice() else {
            return Err(err("expected 6 tab-separated columns"));
        };
        rows.push(AbiRow {
            ty: ty.trim().to_string(),
            slot: slot
                .trim()
                .parse()
                .map_err(|_| err("SLOT is not a number"))?,
            method: method.trim().to_string(),
            conv: conv.trim().to_string(),
            ret: ret.trim().to_string(),
            params: params
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
            line: line.to_string(),
        });
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Comparisons
// ---------------------------------------------------------------------------------------------

/// Result of comparing one report with clang.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    pub triple: String,
    /// Vtable types clang found in the header, in header order.
    pub clang_types: Vec<String>,
    /// Total slots of those types according to clang.
    pub clang_slots: usize,
    /// Rows (slots) checked.
    pub checked: usize,
    /// Spellings that differ as text but that clang confirmed to be the same type.
    pub same_type_spellings: Vec<String>,
    pub mismatches: Vec<String>,
}

impl Comparison {
    /// Panics with every mismatch if there is any.
    pub fn assert_ok(&self, what: &str) {
        if self.mismatches.is_empty() {
            return;
        }
        let mut msg = format!(
            "{what} for {}: {} mismatch(es) against clang ({} slots checked):\n",
            self.triple,
            self.mismatches.len(),
            self.checked
        );
        for m in &self.mismatches {
            let _ = writeln!(msg, "  - {m}");
        }
        panic!("{msg}");
    }
}

/// Groups rows by type, keeping first-appearance order; reports non-contiguous groups and
/// slot numbers that are not 0, 1, 2... in order.
/// What both comparisons start from: our rows grouped by type, clang's vtable types (compared
/// with ours as lists) and clang's dump of them.
#[allow(clippy::type_complexity)]
fn start_comparison<'a, R>(
    header: &Path,
    include_dirs: &[PathBuf],
    triple: &str,
    rows: &'a [R],
    key: impl Fn(&R) -> (&str, usize),
) -> Result<
    (
        Comparison,
        BTreeMap<String, Vec<&'a R>>,
        BTreeMap<String, Vec<DumpSlot>>,
    ),
    String,
> {
    let mut cmp = Comparison {
        triple: triple.to_string(),
        ..Comparison::default()
    };
    let (ours_types, ours_map) = group_rows(rows, key, &mut cmp.mismatches);
    cmp.clang_types = vtable_types_in_header(header, include_dirs, triple)?;
    compare_type_lists(&cmp.clang_types, &ours_types, &mut cmp.mismatches);
    let dump = clang_vtable_dump(header, include_dirs, triple, &cmp.clang_types)?;
    cmp.clang_slots = dump.values().map(Vec::len).sum();
    Ok((cmp, ours_map, dump))
}

fn group_rows<'a, R>(
    rows: &'a [R],
    key: impl Fn(&R) -> (&str, usize),
    mismatches: &mut Vec<String>,
) -> (Vec<String>, BTreeMap<String, Vec<&'a R>>) {
    let mut order: Vec<String> = Vec::new();
    let mut map: BTreeMap<String, Vec<&R>> = BTreeMap::new();
    for row in rows {
        let (ty, slot) = key(row);
        if order.last().map(String::as_str) != Some(ty) {
            if order.iter().any(|t| t == ty) {
                mismatches.push(format!("ours: rows of `{ty}` are not contiguous"));
            } else {
                order.push(ty.to_string());
            }
        }
        let group = map.entry(ty.to_string()).or_default();
        if slot != group.len() {
            mismatches.push(format!(
                "ours: `{ty}` row #{} has SLOT {slot} (slots must be 0, 1, 2... in order)",
                group.len()
            ));
        }
        group.push(row);
    }
    (order, map)
}

fn compare_type_lists(clang: &[String], ours: &[String], mismatches: &mut Vec<String>) {
    let c: BTreeSet<&String> = clang.iter().collect();
    let o: BTreeSet<&String> = ours.iter().collect();
    for t in c.difference(&o) {
        mismatches.push(format!(
            "type `{t}` has a vtable (clang) but is missing from ours"
        ));
    }
    for t in o.difference(&c) {
        mismatches.push(format!(
            "type `{t}` is in ours but clang finds no vtable class of that name in the header"
        ));
    }
    if c == o && clang != ours {
        if let Some(i) = (0..clang.len()).find(|&i| clang[i] != ours[i]) {
            mismatches.push(format!(
                "types are not in header order: position {i} is `{}` in ours, `{}` in the header",
                ours[i], clang[i]
            ));
        }
    }
}

/// Compares `layout_table` output with clang's AST and vtable dump for `header`.
///
/// Per type: same set and order of types; same slot count; per slot the same method name,
/// constness, return type and parameter types. Types are first compared as text (whitespace
/// collapsed). The only normalisation beyond that: a pair that differs as text is accepted iff
/// clang, compiling the same header, agrees both spellings denote the same type
/// ([`clang_same_types`]; e.g. `VOID` vs `void`, `__int64` vs `long long`, a typedef and its
/// target). Each accepted pair is listed in [`Comparison::same_type_spellings`].
pub fn compare_layout(
    header: &Path,
    include_dirs: &[PathBuf],
    triple: &str,
    ours: &str,
) -> Result<Comparison, String> {
    let rows = parse_layout_table(ours)?;
    let (mut cmp, ours_map, dump) = start_comparison(header, include_dirs, triple, &rows, |r| {
        (r.ty.as_str(), r.slot)
    })?;

    // (query) -> places where it is needed
    let mut queries: BTreeMap<TypeQuery, Vec<String>> = BTreeMap::new();
    for ty in &cmp.clang_types {
        let Some(o) = ours_map.get(ty) else { continue };
        let c = &dump[ty];
        if o.len() != c.len() {
            cmp.mismatches.push(format!(
                "{ty}: ours has {} slots, clang {}",
                o.len(),
                c.len()
            ));
        }
        for i in 0..o.len().max(c.len()) {
            let (ours_row, clang_slot) = match (o.get(i), c.get(i)) {
                (Some(r), Some(s)) => (r, s),
                (Some(r), None) => {
                    cmp.mismatches
                        .push(format!("{ty} slot {i}: only in ours: {}", r.line));
                    continue;
                }
                (None, Some(s)) => {
                    cmp.mismatches
                        .push(format!("{ty} slot {i}: only in clang: {}", s.raw));
                    continue;
                }
                (None, None) => continue,
            };
            cmp.checked += 1;
            let here = format!(
                "{ty} slot {i}\n      ours : {}\n      clang: {}",
                ours_row.line.replace('\t', " | "),
                clang_slot.raw
            );
            if ours_row.method != clang_slot.method {
                cmp.mismatches.push(format!(
                    "{here}\n      method `{}` in ours, `{}` in clang",
                    ours_row.method, clang_slot.method
                ));
                continue;
            }
            if ours_row.is_const != clang_slot.is_const {
                cmp.mismatches.push(format!(
                    "{here}\n      constness differs (ours const={}, clang const={})",
                    ours_row.is_const, clang_slot.is_const
                ));
            }
            let mut pairs = vec![(
                TypeRole::Return,
                "return type".to_string(),
                &ours_row.ret,
                &clang_slot.ret,
            )];
            if ours_row.params.len() != clang_slot.params.len() {
                cmp.mismatches.push(format!(
                    "{here}\n      parameter count differs: ours {}, clang {}",
                    ours_row.params.len(),
                    clang_slot.params.len()
                ));
            } else {
                for (k, (a, b)) in ours_row.params.iter().zip(&clang_slot.params).enumerate() {
                    pairs.push((TypeRole::Param, format!("parameter {}", k + 1), a, b));
                }
            }
            for (role, what, a, b) in pairs {
                if normalize_spaces(a) == normalize_spaces(b) {
                    continue;
                }
                queries
                    .entry(TypeQuery {
                        ours: normalize_spaces(a),
                        clang: normalize_spaces(b),
                        role,
                    })
                    .or_default()
                    .push(format!("{here}\n      {what}"));
            }
        }
    }
    let list: Vec<TypeQuery> = queries.keys().cloned().collect();
    let answers = clang_same_types(header, include_dirs, triple, &list)?;
    for (q, answer) in list.iter().zip(answers) {
        let places = &queries[q];
        match answer {
            Ok(()) => cmp.same_type_spellings.push(format!(
                "`{}` (ours) = `{}` (clang) as {:?}, {} slot(s), e.g. {}",
                q.ours,
                q.clang,
                q.role,
                places.len(),
                places[0].lines().next().unwrap_or("")
            )),
            Err(e) => {
                for p in places {
                    cmp.mismatches.push(format!(
                        "{p}: `{}` (ours) is not the same type as `{}` (clang): {e}",
                        q.ours, q.clang
                    ));
                }
            }
        }
    }
    Ok(cmp)
}

/// Expected CONV for an IR calling convention on a target, or why there is none.
fn conv_matches(triple: &str, ir_cc: &str, ours: &str) -> Result<(), String> {
    if is_x86_32(triple) {
        let expected = match ir_cc {
            "x86_thiscallcc" => "thiscall",
            "x86_stdcallcc" => "system",
            "" => "cdecl",
            other => return Err(format!("IR uses `{other}`, which no CONV value expresses")),
        };
        if ours == expected {
            Ok(())
        } else {
            Err(format!(
                "CONV `{ours}`, IR `{}` needs `{expected}`",
                display_cc(ir_cc)
            ))
        }
    } else if !ir_cc.is_empty() {
        Err(format!(
            "IR uses `{ir_cc}` on a 64-bit target (expected the C convention)"
        ))
    } else if matches!(ours, "thiscall" | "system" | "cdecl") {
        // On x86_64 and aarch64 Windows all three are the one C convention.
        Ok(())
    } else {
        Err(format!("CONV `{ours}` is not one of thiscall/system/cdecl"))
    }
}

fn display_cc(cc: &str) -> &str {
    if cc.is_empty() { "ccc (C)" } else { cc }
}

/// Compares `abi_table` output with the LLVM IR of a virtual call to every slot: GEP index ==
/// SLOT, calling convention, return class, parameter classes (which fixes the `sret` position).
/// The destructor slot is probed through `delete p` (MSVC's scalar deleting destructor,
/// `void *(this, i32 flags)`).
pub fn compare_abi(
    header: &Path,
    include_dirs: &[PathBuf],
    triple: &str,
    ours: &str,
) -> Result<Comparison, String> {
    let rows = parse_abi_table(ours)?;
    let (mut cmp, ours_map, dump) = start_comparison(header, include_dirs, triple, &rows, |r| {
        (r.ty.as_str(), r.slot)
    })?;
    let calls = probe_calls(&dump);
    let ir = clang_call_abi(header, include_dirs, triple, &calls)?;
    for (call, got) in calls.iter().zip(&ir) {
        let ty = &call.ty;
        let slot = call.slot;
        let Some(group) = ours_map.get(ty) else {
            continue;
        };
        let Some(row) = group.get(slot) else {
            cmp.mismatches.push(format!(
                "{ty} slot {slot} ({}): missing from ours",
                call.method
            ));
            continue;
        };
        cmp.checked += 1;
        let here = format!(
            "{ty} slot {slot}\n      ours : {}\n      clang: {}",
            row.line.replace('\t', " | "),
            got.call
        );
        let mut problems = Vec::new();
        if row.method != call.method {
            problems.push(format!(
                "method `{}` in ours, `{}` in clang",
                row.method, call.method
            ));
        }
        if got.gep_index != slot as u64 {
            problems.push(format!(
                "clang's call uses vtable index {} (the dump says slot {slot})",
                got.gep_index
            ));
        }
        if let Err(e) = conv_matches(triple, &got.cc, &row.conv) {
            problems.push(e);
        }
        let has_sret = got.params.iter().any(|p| p == "sret");
        let ret_ok = if has_sret {
            // MSVC returns the hidden pointer in eax/rax/x0; clang's IR says void.
            matches!(row.ret.as_str(), "ptr" | "void")
        } else {
            row.ret == got.ret
        };
        if !ret_ok {
            problems.push(format!(
                "RET `{}`, IR returns `{}`{}",
                row.ret,
                got.ret,
                if has_sret {
                    " with sret (ptr or void accepted)"
                } else {
                    ""
                }
            ));
        }
        if row.params != got.params {
            problems.push(format!(
                "PARAMS `{}`, IR `{}`",
                row.params.join(","),
                got.params.join(",")
            ));
        }
        for p in problems {
            cmp.mismatches.push(format!("{here}\n      {p}"));
        }
    }
    for (ty, group) in &ours_map {
        let n = dump.get(ty).map_or(0, Vec::len);
        for row in group.iter().skip(n) {
            if dump.contains_key(ty) {
                cmp.mismatches.push(format!(
                    "{ty} slot {}: only in ours: {}",
                    row.slot, row.line
                ));
            }
        }
    }
    Ok(cmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dump_entries() {
        let e = parse_dump_entry(
            3,
            "PCSTR IHttpRequest::GetHeader(HTTP_HEADER_ID, USHORT *) const [pure]",
        )
        .unwrap();
        assert_eq!(e.class, "IHttpRequest");
        assert_eq!(e.method, "GetHeader");
        assert_eq!(e.ret, "PCSTR");
        assert_eq!(e.params, ["HTTP_HEADER_ID", "USHORT *"]);
        assert!(e.is_const && e.pure && !e.scalar_deleting_dtor);

        let e = parse_dump_entry(
            23,
            "const TORTURE_POINT *ITortureLevel3::GetPointPtr(ULONGLONG *) const [pure]",
        )
        .unwrap();
        assert_eq!(e.ret, "const TORTURE_POINT *");
        assert_eq!(e.method, "GetPointPtr");
        assert!(e.is_const);

        let e = parse_dump_entry(3, "void (*A::fp())(int) [pure]").unwrap();
        assert_eq!(e.ret, "void (*)(int)");
        assert!(e.params.is_empty());

        let e = parse_dump_entry(1, "Probe_A::~Probe_A() [scalar deleting]").unwrap();
        assert_eq!(
            (e.class.as_str(), e.method.as_str(), e.ret.as_str()),
            ("Probe_A", "~Probe_A", "")
        );
        assert!(e.scalar_deleting_dtor && !e.pure);

        let e = parse_dump_entry(0, "void ns::B::f(const G &, int (*)(char), E) volatile").unwrap();
        assert_eq!(e.class, "ns::B");
        assert_eq!(e.params, ["const G &", "int (*)(char)", "E"]);
        assert!(e.is_volatile && !e.is_const && !e.pure);
    }

    #[test]
    fn dump_blocks() {
        let dump = "VFTable for 'A' (2 entries).\n   0 | void A::f()\n   1 | void A::g()\n\n\
                    VFTable indices for 'A' (2 entries).\n   0 | void A::f()\n   1 | void A::g()\n\n\
                    VFTable for 'A' in 'Probe_A' (4 entries).\n   0 | void A::f()\n   1 | Probe_A::~Probe_A() [scalar deleting]\n\
                    \x20      [this adjustment: -4 non-virtual]\n   2 | void A::g()\n   3 | void Probe_A::probe_()\n\n";
        let types = vec!["A".to_string()];
        let m = parse_vtable_dump(dump, &types).unwrap();
        let a = &m["A"];
        assert_eq!(a.len(), 3);
        assert_eq!(a[1].method, "~A");
        assert_eq!(a[1].class, "A");
        assert_eq!(a[2].method, "g");
        // A wrong entry count is an error, not a silent pass.
        let bad = dump.replace("(4 entries)", "(5 entries)");
        assert!(parse_vtable_dump(&bad, &types).is_err());
    }

    #[test]
    fn ir_calls_typed_pointers() {
        let c = parse_call("call x86_thiscallcc noundef zeroext i1 %14(%class.A* noundef nonnull align 4 dereferenceable(4) %3, i1 noundef zeroext %10, float noundef %9, double noundef %8, i64 noundef %7, i16 noundef signext %4)").unwrap();
        assert_eq!(c.cc, "x86_thiscallcc");
        assert_eq!(c.ret, "bool");
        assert_eq!(c.params, ["this", "bool", "f32", "f64", "i64", "i16"]);
        let c = parse_call("call void %8(%class.A* noundef nonnull align 8 dereferenceable(8) %4, %struct.S* inreg sret(%struct.S) align 8 %3)").unwrap();
        assert_eq!(c.cc, "");
        assert_eq!(c.ret, "void");
        assert_eq!(c.params, ["this", "sret"]);
        let c = parse_call("call x86_thiscallcc noundef i8* %9(%class.A* noundef nonnull align 4 dereferenceable(4) %3, i32 noundef 1) #3").unwrap();
        assert_eq!(c.ret, "ptr");
        assert_eq!(c.params, ["this", "i32"]);
        let c = parse_call("call x86_stdcallcc noundef void (i32)* %9(%\"class.ns::A\"* noundef %3, void (i32, i8*)* noundef %4, i8* noundef null)").unwrap();
        assert_eq!(c.cc, "x86_stdcallcc");
        assert_eq!(c.ret, "ptr");
        assert_eq!(c.params, ["this", "ptr", "ptr"]);
    }

    #[test]
    fn ir_calls_opaque_pointers() {
        let c = parse_call("call x86_thiscallcc noundef ptr %8(ptr noundef nonnull align 4 dereferenceable(4) %3, ptr dead_on_unwind writable sret(%struct.S) align 8 %4, i32 noundef %5)").unwrap();
        assert_eq!(c.ret, "ptr");
        assert_eq!(c.params, ["this", "sret", "i32"]);
        let body = [
            "  %2 = alloca ptr, align 8",
            "  %3 = load ptr, ptr %2, align 8",
            "  %vtable = load ptr, ptr %3, align 8",
            "  %4 = getelementptr inbounds nuw ptr, ptr %vtable, i64 7",
            "  %5 = load ptr, ptr %4, align 8",
            "  call void %5(ptr noundef nonnull align 8 dereferenceable(8) %3)",
            "  ret void",
        ];
        assert_eq!(parse_probe_body(&body).unwrap().gep_index, 7);
        let body0 = [
            "  %3 = load ptr, ptr %2, align 8",
            "  %vtable = load ptr, ptr %3, align 8",
            "  %5 = load ptr, ptr %vtable, align 8",
            "  call void %5(ptr noundef %3)",
        ];
        assert_eq!(parse_probe_body(&body0).unwrap().gep_index, 0);
    }

    #[test]
    fn gep_typed() {
        assert_eq!(
            parse_gep_index("inbounds i32 (%class.A*, i32)*, i32 (%class.A*, i32)** %6, i64 9")
                .unwrap(),
            9
        );
        assert_eq!(parse_gep_index("inbounds ptr, ptr %6, i32 4").unwrap(), 4);
    }

    #[test]
    fn ast_tracking() {
        let h = "/x/h.h";
        let ast = "TranslationUnitDecl 0x1 <<invalid sloc>> <invalid sloc>\n\
|-CXXRecordDecl 0x2 </s/windows.h:2:1, col:41> col:7 class Other definition\n\
| |-DefinitionData polymorphic literal\n\
|-CXXRecordDecl 0x3 </x/h.h:1:1, line:5:1> line:1:64 referenced class A definition\n\
| |-DefinitionData polymorphic abstract literal\n\
| |-ParmVarDecl 0x9 <line:3:9, /s/windows.h:9:1> col:2 x 'int'\n\
|-CXXRecordDecl 0x4 <line:6:1, col:23> col:8 struct Plain definition\n\
| |-DefinitionData pass_in_registers aggregate\n\
|-CXXRecordDecl 0x5 </x/h.h:7:1, col:40> col:7 class B definition\n\
| |-DefinitionData polymorphic abstract literal\n\
`-CXXRecordDecl 0x6 <line:8:1, col:7> col:7 class Fwd\n";
        assert_eq!(parse_ast_vtable_types(ast, h).unwrap(), ["A", "B"]);
    }

    #[test]
    fn tables() {
        let rows = parse_layout_table(
            "IHttpRequest\t3\tGetHeader\tPCSTR (HTTP_HEADER_ID, USHORT *) const\nCHttpModule\t30\t~CHttpModule\t()\nX\t0\tf\tvoid (*)(int) (int, const G &)\n",
        )
        .unwrap();
        assert_eq!(rows[0].ret, "PCSTR");
        assert_eq!(rows[0].params, ["HTTP_HEADER_ID", "USHORT *"]);
        assert!(rows[0].is_const);
        assert_eq!(rows[1].ret, "");
        assert!(rows[1].params.is_empty());
        assert_eq!(rows[2].ret, "void (*)(int)");
        assert_eq!(rows[2].params, ["int", "const G &"]);
        let abi =
            parse_abi_table("CHttpModule\t30\t~CHttpModule\tthiscall\tptr\tthis,i32\n").unwrap();
        assert_eq!(abi[0].params, ["this", "i32"]);
    }

    #[test]
    fn undef_candidates() {
        let ids = identifiers_before_paren(
            "// GetFoo( in a comment\nvirtual BOOL GetUserName (x) = 0;\ntypedef VOID (WINAPI *P)(int);\nconst char *s = \"Bar(\";",
        );
        assert!(ids.contains("GetUserName"));
        assert!(ids.contains("VOID"));
        assert!(!ids.contains("GetFoo"));
        assert!(!ids.contains("Bar"));
    }
}
