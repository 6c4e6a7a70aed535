//! Stage 2b: the plan of every safe wrapper, from `codegen/sdk/wrappers.tsv` checked against
//! the model.
//!
//! The table holds what the header cannot say (which returned pointers may be NULL, which
//! strings are counted, which methods have contracts types cannot enforce, names, summaries);
//! this stage checks every entry against the C++ types (a kind that does not fit its parameter is
//! an error naming the table line), turns C++ default arguments into Rust expressions, and hands
//! the emitter one [`WrapSpec`] per slot. The conventions themselves live in `httpserv-macros`.

use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::path::Path;

use crate::diag::{Diagnostic, Error};
use crate::layout::{SlotEntry, VtableLayout};
use crate::model::{CType, Method, SourceLoc};

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrapRow {
    pub class: String,
    pub field: String,
    pub name: String,
    pub ret: Kind,
    pub params: Vec<(String, Kind)>,
    /// `None` = safe; `Some(reason)` = `unsafe fn` with that `# Safety` text.
    pub safety: Option<String>,
    pub page: Option<String>,
    pub summary: String,
    pub line: u32,
}

/// `name` or `name(arg)`, e.g. `cstr`, `bytes(pcchHeaderValue)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kind {
    /// `Cow`: the kinds of slots without a row (`raw`) are constants.
    pub name: Cow<'static, str>,
    pub arg: Option<String>,
}

impl Kind {
    fn plain(name: &'static str) -> Kind {
        Kind {
            name: Cow::Borrowed(name),
            arg: None,
        }
    }

    fn parse(text: &str) -> Option<Kind> {
        let text = text.trim();
        let (name, arg) = match text.split_once('(') {
            Some((name, rest)) => (name, Some(rest.strip_suffix(')')?.trim().to_string())),
            None => (text, None),
        };
        let valid =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        (valid(name) && arg.as_deref().is_none_or(valid)).then(|| Kind {
            name: Cow::Owned(name.to_string()),
            arg,
        })
    }

    pub fn render(&self) -> String {
        match &self.arg {
            Some(arg) => format!("{}({arg})", self.name),
            None => self.name.to_string(),
        }
    }
}

/// Everything the emitter writes into one slot's `#[wrap(...)]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrapSpec {
    pub name: String,
    pub cpp: String,
    pub slot: usize,
    pub ret: Kind,
    pub params: Vec<(String, Kind)>,
    /// Defaulted inputs and the Rust expression of their default.
    pub defaults: Vec<(String, String)>,
    /// `Cow`: the text of every slot without a row is one constant.
    pub safety: Option<Cow<'static, str>>,
    pub page: Option<String>,
    pub summary: String,
}

/// The wrappers of one class's own slots, in slot order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassWraps {
    /// The vtable field name of each own slot ([`crate::emit::field_names`]).
    pub fields: Vec<String>,
    /// The spec of each own slot.
    pub specs: Vec<WrapSpec>,
}

/// Every slot's wrapper, by class. One entry per class rather than per slot: the emitter looks
/// a class up once and walks its slots in order, and no slot needs a key of its own (at 100
/// times the bundled header, 170,000 slots each keyed by two new strings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WrapPlan {
    classes: FxHashMap<String, ClassWraps>,
}

impl WrapPlan {
    /// The wrappers of `class`'s own slots, if it was planned.
    pub fn class(&self, class: &str) -> Option<&ClassWraps> {
        self.classes.get(class)
    }

    /// The number of slots planned, over every class.
    pub fn len(&self) -> usize {
        self.classes.values().map(|c| c.specs.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every planned slot as (class, field name, spec), classes in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &WrapSpec)> {
        self.classes.iter().flat_map(|(class, wraps)| {
            wraps
                .fields
                .iter()
                .zip(&wraps.specs)
                .map(move |(field, spec)| (class.as_str(), field.as_str(), spec))
        })
    }
}

/// Reads the bundled table and plans every slot of `layouts`; also returns the warnings.
pub fn plan_bundled(layouts: &[VtableLayout]) -> Result<(WrapPlan, Vec<String>), Error> {
    let path = bundled_table();
    let table = read_table(&path)?;
    plan(layouts, &table, Path::new("codegen/sdk/wrappers.tsv"))
}

/// The bundled table.
pub fn bundled_table() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sdk/wrappers.tsv")
}

/// Reads the table; syntax errors name the line.
pub fn read_table(path: &Path) -> Result<Vec<WrapRow>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        let number = index as u32 + 1;
        if line.trim().is_empty() {
            continue;
        }
        match parse_row(line, number) {
            Ok(row) => rows.push(row),
            Err(message) => errors.push(table_diag(path, number, message)),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(Error::Input(errors))
    }
}

fn table_diag(path: &Path, line: u32, message: String) -> Diagnostic {
    Diagnostic::new(
        SourceLoc {
            file: path.display().to_string().into(),
            line,
            column: 1,
        },
        "wrapper specification",
        message,
    )
}

fn parse_row(line: &str, number: u32) -> Result<WrapRow, String> {
    let cells: Vec<&str> = line.split('\t').collect();
    let [class, field, name, ret, params, safety, page, summary] = cells[..] else {
        return Err(format!(
            "expected 8 tab-separated columns, found {}",
            cells.len()
        ));
    };
    let ret = Kind::parse(ret).ok_or_else(|| format!("bad return kind `{ret}`"))?;
    let mut parsed_params = Vec::new();
    if params.trim() != "-" {
        for item in params.split(';').filter(|s| !s.trim().is_empty()) {
            let (param, kind) = item
                .split_once('=')
                .ok_or_else(|| format!("expected `param=kind`, found `{item}`"))?;
            let kind = Kind::parse(kind).ok_or_else(|| format!("bad kind in `{item}`"))?;
            parsed_params.push((param.trim().to_string(), kind));
        }
    }
    let safety = match safety.trim() {
        "safe" => None,
        other => Some(
            other
                .strip_prefix("unsafe:")
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .ok_or_else(|| {
                    format!("safety must be `safe` or `unsafe: reason`, found `{other}`")
                })?,
        ),
    };
    Ok(WrapRow {
        class: class.to_string(),
        field: field.to_string(),
        name: name.to_string(),
        ret,
        params: parsed_params,
        safety,
        page: (page.trim() != "-").then(|| page.trim().trim_end_matches(".md").to_string()),
        summary: summary.trim().to_string(),
        line: number,
    })
}

/// The spec of every own slot of every class, keyed by (class, field name), checked against
/// the model. Slots without a row get an `unsafe` raw wrapper and a warning.
pub fn plan(
    layouts: &[VtableLayout],
    table: &[WrapRow],
    table_path: &Path,
) -> Result<(WrapPlan, Vec<String>), Error> {
    let mut rows: FxHashMap<(&str, &str), &WrapRow> = FxHashMap::default();
    let mut errors = Vec::new();
    for row in table {
        if rows.insert((&row.class, &row.field), row).is_some() {
            errors.push(table_diag(
                table_path,
                row.line,
                format!("second row for {}::{}", row.class, row.field),
            ));
        }
    }
    let mut classes = FxHashMap::with_capacity_and_hasher(layouts.len(), Default::default());
    let mut warnings = Vec::new();
    let mut used = FxHashSet::default();
    for layout in layouts {
        let fields = crate::emit::field_names(layout);
        let mut specs = Vec::with_capacity(fields.len());
        let mut rust_names: FxHashMap<String, &str> = FxHashMap::default();
        for (slot, field) in layout.own_slots().iter().zip(&fields) {
            let row = rows.get(&(layout.class.as_str(), field.as_str())).copied();
            let spec = match (row, &slot.entry) {
                (Some(row), SlotEntry::Method(method)) => {
                    used.insert((row.class.clone(), row.field.clone()));
                    match check_row(row, method, slot.index, &layout.class) {
                        Ok(spec) => spec,
                        Err(message) => {
                            errors.push(table_diag(table_path, row.line, message));
                            continue;
                        }
                    }
                }
                (Some(row), SlotEntry::ScalarDeletingDestructor) => {
                    used.insert((row.class.clone(), row.field.clone()));
                    WrapSpec {
                        name: row.name.clone(),
                        cpp: format!("{0}::~{0}", layout.class),
                        slot: slot.index,
                        ret: Kind::plain("raw"),
                        params: Vec::new(),
                        defaults: Vec::new(),
                        safety: Some(row.safety.clone().map_or(
                            Cow::Borrowed("Destroys the object; it must not be used afterwards."),
                            Cow::Owned,
                        )),
                        page: row.page.clone(),
                        summary: row.summary.clone(),
                    }
                }
                (None, entry) => {
                    warnings.push(format!(
                        "no row for {}::{} in {}: it gets an unsafe raw wrapper",
                        layout.class,
                        field,
                        table_path.display()
                    ));
                    let mut spec = fallback(&layout.class, field, slot.index, entry);
                    // Fields that differ only in case (`self_`, `Self_`) share a snake name.
                    if rust_names.contains_key(&spec.name) {
                        spec.name = format!("{}_slot{}", spec.name, slot.index);
                    }
                    spec
                }
            };
            if let Some(previous) = rust_names.insert(spec.name.clone(), field) {
                errors.push(table_diag(
                    table_path,
                    row.map_or(1, |r| r.line),
                    format!(
                        "wrapper name `{}` is used twice in {} ({previous} and {field})",
                        spec.name, layout.class
                    ),
                ));
            }
            specs.push(spec);
        }
        classes.insert(layout.class.clone(), ClassWraps { fields, specs });
    }
    for row in table {
        if !used.contains(&(row.class.clone(), row.field.clone())) {
            warnings.push(format!(
                "{}:{}: {}::{} is not a slot of this header; row ignored",
                table_path.display(),
                row.line,
                row.class,
                row.field
            ));
        }
    }
    if errors.is_empty() {
        Ok((WrapPlan { classes }, warnings))
    } else {
        Err(Error::Input(errors))
    }
}

fn fallback(class: &str, field: &str, slot: usize, entry: &SlotEntry) -> WrapSpec {
    let params = match entry {
        SlotEntry::Method(m) => m
            .params
            .iter()
            .map(|p| (p.name.clone(), Kind::plain("raw")))
            .collect(),
        SlotEntry::ScalarDeletingDestructor => Vec::new(),
    };
    WrapSpec {
        name: snake_case(field),
        cpp: format!("{class}::{field}"),
        slot,
        ret: Kind::plain("raw"),
        params,
        defaults: Vec::new(),
        safety: Some(Cow::Borrowed(
            "No wrapper specification exists for this method: a raw call whose C++ contract the caller upholds.",
        )),
        page: None,
        summary: format!("Calls `{class}::{field}` directly."),
    }
}

/// `GetHeader_PCSTR` → `get_header_pcstr`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
        if boundary && !out.ends_with('_') {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Checks one row against the method's C++ types.
fn check_row(row: &WrapRow, method: &Method, slot: usize, class: &str) -> Result<WrapSpec, String> {
    if row.name.is_empty()
        || !row
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(format!("wrapper name `{}` is not snake_case", row.name));
    }
    check_ret(&row.ret, method)?;
    let mut defaults = Vec::new();
    for (param_name, kind) in &row.params {
        let param = method
            .params
            .iter()
            .find(|p| &p.name == param_name)
            .ok_or_else(|| {
                format!(
                    "`{param_name}` is not a parameter of {class}::{}",
                    method.name
                )
            })?;
        check_param(kind, &param.ty, method)
            .map_err(|m| format!("{class}::{} parameter `{param_name}`: {m}", method.name))?;
        if kind.name == "raw" && row.safety.is_none() {
            return Err(format!(
                "{class}::{} has a `raw` parameter `{param_name}` but is marked safe",
                method.name
            ));
        }
    }
    for param in &method.params {
        let kind = row
            .params
            .iter()
            .find(|(n, _)| n == &param.name)
            .map_or_else(|| Kind::plain("value"), |(_, k)| k.clone());
        if kind.name == "value" && row.safety.is_none() && is_unsafe_pointer(&param.ty) {
            return Err(format!(
                "{class}::{} passes pointer parameter `{}` as `value` in a safe wrapper; give it a kind or make the method unsafe",
                method.name, param.name
            ));
        }
        // Length params filled from a slice take no default; outputs take none either.
        let is_input = !kind.name.starts_with("out") && kind.name != "len_out";
        if let (Some(default), true) = (&param.default, is_input) {
            let filled = row.params.iter().any(|(_, k)| {
                matches!(&*k.name, "bytes" | "wide")
                    && k.arg.as_deref() == Some(param.name.as_str())
            });
            if !filled {
                defaults.push((param.name.clone(), default_expr(default, &kind, &param.ty)?));
            }
        }
    }
    Ok(WrapSpec {
        name: row.name.clone(),
        cpp: format!("{class}::{}", method.name),
        slot,
        ret: row.ret.clone(),
        params: row.params.clone(),
        defaults,
        safety: row.safety.clone().map(Cow::Owned),
        page: row.page.clone(),
        summary: row.summary.clone(),
    })
}

/// Typedef names along the chain (`PCSTR`, then what it aliases...).
fn typedef_names(ty: &CType) -> Vec<&str> {
    let mut names = Vec::new();
    let mut current = ty;
    while let CType::Typedef { name, target } = current {
        names.push(name.as_str());
        current = target;
    }
    names
}

fn is_named(ty: &CType, wanted: &[&str]) -> bool {
    typedef_names(ty).iter().any(|n| wanted.contains(n))
}

fn pointee(ty: &CType) -> Option<&CType> {
    match ty.canonical() {
        CType::Pointer { pointee, .. } | CType::Reference { pointee, .. } => Some(pointee),
        _ => None,
    }
}

/// A pointer to a class of the header or to an opaque interface of another header.
fn is_class_pointer(ty: &CType) -> bool {
    matches!(
        pointee(ty).map(CType::canonical),
        Some(CType::Record { .. })
    )
}

/// Raw pointers that a safe wrapper may not pass through unconverted. Opaque ids and handles
/// are values, not memory IIS reads through.
fn is_unsafe_pointer(ty: &CType) -> bool {
    pointee(ty).is_some() && !is_named(ty, &["HTTP_MODULE_ID", "HANDLE"])
}

fn is_narrow_string(ty: &CType) -> bool {
    is_named(ty, &["PCSTR", "LPCSTR", "PSTR"])
        || matches!(
            pointee(ty).map(CType::canonical),
            Some(CType::Int { bytes: 1, .. })
        )
}

fn is_wide_string(ty: &CType) -> bool {
    is_named(ty, &["PCWSTR", "LPCWSTR", "PWSTR"])
        || matches!(
            pointee(ty).map(CType::canonical),
            Some(
                CType::WChar
                    | CType::Int {
                        bytes: 2,
                        signed: false
                    }
            )
        )
}

fn check_param(kind: &Kind, ty: &CType, method: &Method) -> Result<(), String> {
    let pointee_of =
        || pointee(ty).ok_or_else(|| format!("kind `{}` needs a pointer", kind.render()));
    let ok = match &*kind.name {
        "value" | "raw" => true,
        "bool" => is_named(ty, &["BOOL"]),
        "flags" => {
            let known = crate::emit::FLAG_GROUPS
                .iter()
                .any(|(_, name, _)| kind.arg.as_deref() == Some(name));
            if !known {
                return Err(format!(
                    "`{}` names no flags type of the bindings",
                    kind.render()
                ));
            }
            matches!(
                ty.canonical(),
                CType::Int {
                    bytes: 4,
                    signed: false
                }
            )
        }
        "cstr" | "opt_cstr" | "bytes" => is_narrow_string(ty),
        "wstr" | "opt_wstr" | "wide" => is_wide_string(ty),
        "iface" | "opt_iface" => is_class_pointer(ty),
        "out" | "len_out" => {
            let target = pointee_of()?;
            kind.name != "len_out" || matches!(target.canonical(), CType::Int { .. })
        }
        "out_bool" => is_named(pointee_of()?, &["BOOL"]),
        "out_iface" => is_class_pointer(pointee_of()?),
        "out_cstr" | "out_bytes" => is_narrow_string(pointee_of()?),
        "out_wstr" | "out_wide" => is_wide_string(pointee_of()?),
        other => return Err(format!("unknown kind `{other}`")),
    };
    if !ok {
        return Err(format!(
            "kind `{}` does not fit type `{}`",
            kind.render(),
            spelling(ty)
        ));
    }
    if let Some(partner) = kind.arg.as_ref().filter(|_| kind.name != "flags")
        && !method.params.iter().any(|p| &p.name == partner)
    {
        return Err(format!(
            "`{}` names `{partner}`, which is not a parameter",
            kind.render()
        ));
    }
    Ok(())
}

fn check_ret(kind: &Kind, method: &Method) -> Result<(), String> {
    let ty = &method.ret;
    let ok = match &*kind.name {
        "value" | "raw" => true,
        "hresult" => is_named(ty, &["HRESULT"]),
        "bool" => is_named(ty, &["BOOL"]),
        "iface" | "opt_iface" => is_class_pointer(ty),
        "cstr" | "bytes" => is_narrow_string(ty),
        "wstr" | "wide" => is_wide_string(ty),
        other => return Err(format!("unknown return kind `{other}`")),
    };
    if !ok {
        return Err(format!(
            "return kind `{}` does not fit `{}` of {}",
            kind.render(),
            method.ret_spelling,
            method.name
        ));
    }
    if let Some(partner) = &kind.arg {
        let listed = method.params.iter().any(|p| &p.name == partner);
        if !listed {
            return Err(format!(
                "return kind `{}` names `{partner}`, which is not a parameter",
                kind.render()
            ));
        }
    }
    Ok(())
}

fn spelling(ty: &CType) -> String {
    match ty {
        CType::Typedef { name, .. } => name.clone(),
        other => format!("{other:?}"),
    }
}

/// A C++ default argument as a Rust expression for the wrapper's parameter kind.
fn default_expr(default: &str, kind: &Kind, ty: &CType) -> Result<String, String> {
    let pointer = pointee(ty).is_some();
    let const_pointee = matches!(
        ty.canonical(),
        CType::Pointer {
            pointee_const: true,
            ..
        }
    );
    let expr = match (&*kind.name, default) {
        ("opt_iface" | "opt_cstr" | "opt_wstr", "NULL" | "0" | "nullptr") => "None".to_string(),
        ("bool", "FALSE" | "0") => "false".to_string(),
        ("bool", "TRUE" | "1") => "true".to_string(),
        (_, "NULL" | "nullptr") | ("value" | "raw", "0") if pointer => {
            if const_pointee {
                "::core::ptr::null()".into()
            } else {
                "::core::ptr::null_mut()".into()
            }
        }
        ("value" | "raw", "FALSE" | "S_OK") => "0".to_string(),
        ("value" | "raw", "TRUE") => "1".to_string(),
        ("value" | "raw", number)
            if number
                .trim_start_matches('-')
                .chars()
                .all(|c| c.is_ascii_digit())
                && !number.is_empty() =>
        {
            number.to_string()
        }
        _ => {
            return Err(format!(
                "cannot express default `{default}` for kind `{}`",
                kind.render()
            ));
        }
    };
    Ok(expr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_parse_and_reject_garbage() {
        let row = parse_row(
            "IHttpRequest\tGetHeader_PCSTR\tget_header\tbytes(pcchHeaderValue)\tpszHeaderName=cstr;pcchHeaderValue=len_out\tsafe\tihttprequest-getheader-method.md\tA header.",
            2,
        )
        .unwrap();
        assert_eq!(row.ret.render(), "bytes(pcchHeaderValue)");
        assert_eq!(row.params[0], ("pszHeaderName".into(), Kind::plain("cstr")));
        assert_eq!(row.page.as_deref(), Some("ihttprequest-getheader-method"));
        assert!(parse_row("a\tb", 3).is_err());
        assert!(parse_row("a\tb\tc\tbytes(\t-\tsafe\t-\ts", 3).is_err());
        assert!(parse_row("a\tb\tc\tvalue\t-\tmaybe\t-\ts", 3).is_err());
    }

    #[test]
    fn snake_case_of_field_names() {
        assert_eq!(snake_case("GetHeader_PCSTR"), "get_header_pcstr");
        assert_eq!(snake_case("GetURLInfo"), "get_url_info");
    }
}
