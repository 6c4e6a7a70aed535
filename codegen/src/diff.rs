//! `httpserv-codegen diff OLD NEW`: what changed in the API between two headers (two SDK
//! releases), computed from the two models and their MSVC vtable layouts.
//!
//! One line per change, in a fixed order (types, then per-class slot changes, constants, enums,
//! typedefs, structs), so reports can be compared as text:
//!
//! ```text
//! + class IHttpContext3 : IHttpContext2 (44 slots, 4 own)
//! - class IFoo
//! + method IHttpUser::GetUserVariable (slot 10): PVOID (PCSTR)
//! ~ method IHttpUser::GetUserName: slot 1 -> 2
//! ~ method IFoo::Bar (slot 3): signature `HRESULT (DWORD)` -> `HRESULT (ULONG)`
//! ~ constant FOO: 0x00000010 -> 0x00000020
//! ABI BREAK: class IHttpUser: slot 1 was `GetUserName PCWSTR ()`, is `GetAuthenticationType PCWSTR ()` (2 slots differ)
//! ```
//!
//! `diff --against DIR NEW` ([`against`]) compares a generated crate's `bindings.rs` with what
//! NEW generates, in the same line format (slots are the vtable fields, signatures the Rust
//! function-pointer types).
//!
//! An ABI break is a change that makes code built against OLD call the wrong function or pass
//! the wrong data with NEW: a vtable slot of a class present in both that moved, changed its
//! signature or disappeared, a changed base class or uuid, a changed struct layout. New classes,
//! new slots appended at the end and new constants are not breaks. A slot that moved in an
//! existing interface is either an SDK bug or a parse bug; it is reported loudly either way.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::layout::{SlotEntry, VtableLayout};
use crate::model::{Api, CType, Class, ConstValue};

/// One side of the comparison.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub api: &'a Api,
    pub layouts: &'a [VtableLayout],
}

/// The report: change lines, ABI-break lines and a count of each kind.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub old_header: String,
    pub new_header: String,
    /// `+`/`-`/`~` lines, in report order.
    pub changes: Vec<String>,
    /// `ABI BREAK: ...` lines.
    pub abi_breaks: Vec<String>,
    pub counts: Counts,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub types_added: usize,
    pub types_removed: usize,
    pub methods_added: usize,
    pub methods_removed: usize,
    pub slots_moved: usize,
    pub signatures_changed: usize,
    pub constants_changed: usize,
    pub enums_changed: usize,
    pub other_changed: usize,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.abi_breaks.is_empty()
    }

    /// The text the CLI prints.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "--- {}", self.old_header);
        let _ = writeln!(out, "+++ {}", self.new_header);
        for line in &self.changes {
            let _ = writeln!(out, "{line}");
        }
        for line in &self.abi_breaks {
            let _ = writeln!(out, "{line}");
        }
        let c = &self.counts;
        if self.is_empty() {
            let _ = writeln!(out, "no API changes");
        } else {
            let _ = writeln!(
                out,
                "summary: {} types added, {} removed; {} methods added, {} removed, {} moved, \
                 {} signatures changed; {} constants and {} enums changed; {} other changes; \
                 {} ABI breaks",
                c.types_added,
                c.types_removed,
                c.methods_added,
                c.methods_removed,
                c.slots_moved,
                c.signatures_changed,
                c.constants_changed,
                c.enums_changed,
                c.other_changed,
                self.abi_breaks.len()
            );
        }
        out
    }
}

/// Compares two analysed headers.
pub fn diff(old: Side<'_>, new: Side<'_>) -> Report {
    let mut r = Report {
        old_header: header_label(old.api),
        new_header: header_label(new.api),
        ..Report::default()
    };
    classes(&mut r, old, new);
    constants(&mut r, old.api, new.api);
    enums(&mut r, old.api, new.api);
    typedefs(&mut r, old.api, new.api);
    structs(&mut r, old.api, new.api);
    r
}

fn header_label(api: &Api) -> String {
    let short = api.header_sha256.get(..12).unwrap_or(&api.header_sha256);
    match &api.sdk_version {
        Some(v) => format!("{} of Windows SDK {v} (sha256 {short})", api.header_name),
        None => format!("{} (sha256 {short})", api.header_name),
    }
}

/// A class as the comparison sees it: base, uuid and every slot's identity (name, signature),
/// inherited slots first. Built from a model and its layout, or from a generated crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassView {
    pub name: String,
    pub base: Option<String>,
    pub uuid: Option<String>,
    /// `(name, signature)` per slot; the destructor is `("~Class", "()")`.
    pub slots: Vec<(String, String)>,
    /// Leading slots inherited from the base.
    pub base_slots: usize,
}

impl ClassView {
    fn from_model(class: &Class, layout: &VtableLayout) -> ClassView {
        ClassView {
            name: class.name.clone(),
            base: class.base.clone(),
            uuid: class.uuid.map(|u| u.to_string()),
            slots: layout
                .slots
                .iter()
                .map(|s| match &s.entry {
                    SlotEntry::Method(m) => (m.name.clone(), m.signature()),
                    // The destructor slot is the same whoever declared it.
                    SlotEntry::ScalarDeletingDestructor => ("~".to_string(), "()".to_string()),
                })
                .collect(),
            base_slots: layout.base_slots,
        }
    }

    fn display_name(&self, id: &(String, String)) -> String {
        if id.0 == "~" {
            format!("~{}", self.name)
        } else {
            id.0.clone()
        }
    }

    fn slot_text(&self, index: usize) -> String {
        let id = &self.slots[index];
        format!("{} {}", self.display_name(id), id.1)
    }

    fn decl(&self, with_slots: bool) -> String {
        let base = self
            .base
            .as_ref()
            .map(|b| format!(" : {b}"))
            .unwrap_or_default();
        if with_slots {
            format!(
                "class {}{base} ({} slots, {} own)",
                self.name,
                self.slots.len(),
                self.slots.len() - self.base_slots
            )
        } else {
            format!("class {}{base}", self.name)
        }
    }
}

fn model_views(side: Side<'_>) -> Vec<ClassView> {
    side.api
        .classes
        .iter()
        .filter_map(|c| {
            side.layouts
                .iter()
                .find(|l| l.class == c.name)
                .map(|l| ClassView::from_model(c, l))
        })
        .collect()
}

fn classes(r: &mut Report, old: Side<'_>, new: Side<'_>) {
    compare_classes(r, &model_views(old), &model_views(new));
}

/// Added, removed and changed classes, in the order of the side that has them.
fn compare_classes(r: &mut Report, old: &[ClassView], new: &[ClassView]) {
    let old_names: BTreeSet<&str> = old.iter().map(|c| c.name.as_str()).collect();
    let new_names: BTreeSet<&str> = new.iter().map(|c| c.name.as_str()).collect();
    for class in new {
        if !old_names.contains(class.name.as_str()) {
            r.changes.push(format!("+ {}", class.decl(true)));
            r.counts.types_added += 1;
        }
    }
    for class in old {
        if !new_names.contains(class.name.as_str()) {
            r.changes.push(format!("- {}", class.decl(false)));
            r.counts.types_removed += 1;
        }
    }
    for new_class in new {
        if let Some(old_class) = old.iter().find(|c| c.name == new_class.name) {
            common_class(r, old_class, new_class);
        }
    }
}

fn common_class(r: &mut Report, old: &ClassView, new: &ClassView) {
    let name = &new.name;
    let show = |b: &Option<String>| b.clone().unwrap_or_else(|| "(none)".into());
    if old.base != new.base {
        r.changes.push(format!(
            "~ class {name}: base {} -> {}",
            show(&old.base),
            show(&new.base)
        ));
        r.counts.other_changed += 1;
        r.abi_breaks.push(format!(
            "ABI BREAK: class {name}: base class changed from {} to {}",
            show(&old.base),
            show(&new.base)
        ));
    }
    if old.uuid != new.uuid {
        r.changes.push(format!(
            "~ class {name}: uuid {} -> {}",
            show(&old.uuid),
            show(&new.uuid)
        ));
        r.counts.other_changed += 1;
        r.abi_breaks.push(format!(
            "ABI BREAK: class {name}: uuid changed (QueryInterface-style lookups with the old IID fail)"
        ));
    }

    // Method-level changes, for the slots this class introduces (base changes are reported on
    // the base class). Identities: (method name, signature).
    type Own = Vec<Option<(usize, (String, String))>>;
    let own = |v: &ClassView| -> Own {
        (v.base_slots..v.slots.len())
            .map(|i| Some((i, v.slots[i].clone())))
            .collect()
    };
    let mut old_left = own(old);
    let mut new_left = own(new);
    // 1. Same identity: unchanged, or moved.
    let mut lines: Vec<(usize, String)> = Vec::new();
    for o in old_left.iter_mut() {
        let Some((old_index, id)) = o.clone() else {
            continue;
        };
        if let Some(n) = new_left
            .iter_mut()
            .find(|n| n.as_ref().is_some_and(|(_, nid)| *nid == id))
        {
            let (new_index, _) = n.take().expect("found above");
            *o = None;
            if new_index != old_index {
                lines.push((
                    new_index,
                    format!(
                        "~ method {name}::{}: slot {old_index} -> {new_index}",
                        new.display_name(&id)
                    ),
                ));
                r.counts.slots_moved += 1;
            }
        }
    }
    // 2. Same name at the same slot (or the only one of that name left): signature changed.
    for o in old_left.iter_mut() {
        let Some((old_index, id)) = o.clone() else {
            continue;
        };
        let same_slot = new_left.iter().position(|n| {
            n.as_ref()
                .is_some_and(|(ni, nid)| *ni == old_index && nid.0 == id.0)
        });
        let same_name = || {
            new_left
                .iter()
                .position(|n| n.as_ref().is_some_and(|(_, nid)| nid.0 == id.0))
        };
        if let Some(k) = same_slot.or_else(same_name) {
            let (new_index, new_id) = new_left[k].take().expect("found above");
            *o = None;
            let slot = if new_index == old_index {
                format!("slot {new_index}")
            } else {
                format!("slot {old_index} -> {new_index}")
            };
            lines.push((
                new_index,
                format!(
                    "~ method {name}::{} ({slot}): signature `{}` -> `{}`",
                    new.display_name(&id),
                    id.1,
                    new_id.1
                ),
            ));
            r.counts.signatures_changed += 1;
        }
    }
    // 3. What is left was added or removed.
    for (index, id) in new_left.into_iter().flatten() {
        lines.push((
            index,
            format!(
                "+ method {name}::{} (slot {index}): {}",
                new.display_name(&id),
                id.1
            ),
        ));
        r.counts.methods_added += 1;
    }
    for (index, id) in old_left.into_iter().flatten() {
        lines.push((
            index,
            format!(
                "- method {name}::{} (was slot {index}): {}",
                old.display_name(&id),
                id.1
            ),
        ));
        r.counts.methods_removed += 1;
    }
    lines.sort();
    r.changes.extend(lines.into_iter().map(|(_, l)| l));

    // The ABI check covers every slot, inherited ones too: callers index the whole table.
    let differing: Vec<usize> = (0..old.slots.len())
        .filter(|&i| new.slots.get(i) != Some(&old.slots[i]))
        .collect();
    if let Some(&first) = differing.first() {
        let was = old.slot_text(first);
        let is = if first < new.slots.len() {
            format!("`{}`", new.slot_text(first))
        } else {
            "gone (the vtable is shorter)".to_string()
        };
        let more = if differing.len() > 1 {
            format!(" ({} slots differ)", differing.len())
        } else {
            String::new()
        };
        r.abi_breaks.push(format!(
            "ABI BREAK: class {name}: slot {first} was `{was}`, is {is}{more}"
        ));
    }
}

fn const_text(value: &ConstValue) -> String {
    match value {
        ConstValue::Int { value, hex: true } if *value >= 0 => format!("0x{value:08X}"),
        ConstValue::Int { value, .. } => value.to_string(),
        ConstValue::Narrow(bytes) => format!("{:?}", String::from_utf8_lossy(bytes)),
        ConstValue::Wide(units) => format!("L{:?}", String::from_utf16_lossy(units)),
    }
}

fn constants(r: &mut Report, old: &Api, new: &Api) {
    let old_map: BTreeMap<&str, &ConstValue> = old
        .constants
        .iter()
        .map(|c| (c.name.as_str(), &c.value))
        .collect();
    let new_map: BTreeMap<&str, &ConstValue> = new
        .constants
        .iter()
        .map(|c| (c.name.as_str(), &c.value))
        .collect();
    for c in &new.constants {
        match old_map.get(c.name.as_str()) {
            None => r
                .changes
                .push(format!("+ constant {} = {}", c.name, const_text(&c.value))),
            Some(old_value) if **old_value != c.value => r.changes.push(format!(
                "~ constant {}: {} -> {}",
                c.name,
                const_text(old_value),
                const_text(&c.value)
            )),
            Some(_) => continue,
        }
        r.counts.constants_changed += 1;
    }
    for c in &old.constants {
        if !new_map.contains_key(c.name.as_str()) {
            r.changes.push(format!("- constant {}", c.name));
            r.counts.constants_changed += 1;
        }
    }
}

fn enums(r: &mut Report, old: &Api, new: &Api) {
    // Anonymous enums are keyed by their first enumerator.
    let key = |e: &crate::model::Enum| {
        if e.name.is_empty() {
            format!(
                "(anonymous: {})",
                e.variants.first().map(|v| v.0.as_str()).unwrap_or("")
            )
        } else {
            e.name.clone()
        }
    };
    let old_map: BTreeMap<String, &crate::model::Enum> =
        old.enums.iter().map(|e| (key(e), e)).collect();
    let new_keys: BTreeSet<String> = new.enums.iter().map(key).collect();
    for e in &new.enums {
        let k = key(e);
        let Some(old_enum) = old_map.get(&k) else {
            r.changes.push(format!("+ enum {k}"));
            r.counts.enums_changed += 1;
            continue;
        };
        let mut changed = false;
        if old_enum.underlying != e.underlying {
            r.changes.push(format!(
                "~ enum {k}: underlying type {} -> {}",
                ctype_text(&old_enum.underlying),
                ctype_text(&e.underlying)
            ));
            changed = true;
        }
        let old_values: BTreeMap<&str, i64> = old_enum
            .variants
            .iter()
            .map(|(n, v)| (n.as_str(), *v))
            .collect();
        let new_values: BTreeMap<&str, i64> =
            e.variants.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        for (n, v) in &e.variants {
            match old_values.get(n.as_str()) {
                None => r.changes.push(format!("~ enum {k}: + {n} = {v}")),
                Some(old_v) if old_v != v => {
                    r.changes.push(format!("~ enum {k}: {n} {old_v} -> {v}"))
                }
                Some(_) => continue,
            }
            changed = true;
        }
        for (n, _) in &old_enum.variants {
            if !new_values.contains_key(n.as_str()) {
                r.changes.push(format!("~ enum {k}: - {n}"));
                changed = true;
            }
        }
        if changed {
            r.counts.enums_changed += 1;
        }
    }
    for e in &old.enums {
        let k = key(e);
        if !new_keys.contains(&k) {
            r.changes.push(format!("- enum {k}"));
            r.counts.enums_changed += 1;
        }
    }
}

fn typedefs(r: &mut Report, old: &Api, new: &Api) {
    let old_map: BTreeMap<&str, &CType> = old
        .typedefs
        .iter()
        .map(|t| (t.name.as_str(), &t.target))
        .collect();
    let new_names: BTreeSet<&str> = new.typedefs.iter().map(|t| t.name.as_str()).collect();
    for t in &new.typedefs {
        match old_map.get(t.name.as_str()) {
            None => r
                .changes
                .push(format!("+ typedef {} = {}", t.name, ctype_text(&t.target))),
            Some(old_target) if **old_target != t.target => {
                r.changes.push(format!(
                    "~ typedef {}: {} -> {}",
                    t.name,
                    ctype_text(old_target),
                    ctype_text(&t.target)
                ));
                r.abi_breaks.push(format!(
                    "ABI BREAK: typedef {}: now stands for another type",
                    t.name
                ));
            }
            Some(_) => continue,
        }
        r.counts.other_changed += 1;
    }
    for t in &old.typedefs {
        if !new_names.contains(t.name.as_str()) {
            r.changes.push(format!("- typedef {}", t.name));
            r.counts.other_changed += 1;
        }
    }
}

fn structs(r: &mut Report, old: &Api, new: &Api) {
    let fields = |s: &crate::model::Struct| -> Vec<String> {
        s.fields
            .iter()
            .map(|f| format!("{}: {}", f.name, ctype_text(&f.ty)))
            .collect()
    };
    let old_map: BTreeMap<&str, &crate::model::Struct> =
        old.structs.iter().map(|s| (s.name.as_str(), s)).collect();
    let new_names: BTreeSet<&str> = new.structs.iter().map(|s| s.name.as_str()).collect();
    for s in &new.structs {
        match old_map.get(s.name.as_str()) {
            None => r.changes.push(format!("+ struct {}", s.name)),
            Some(old_struct) if fields(old_struct) != fields(s) => {
                r.changes.push(format!(
                    "~ struct {}: {{ {} }} -> {{ {} }}",
                    s.name,
                    fields(old_struct).join(", "),
                    fields(s).join(", ")
                ));
                r.abi_breaks
                    .push(format!("ABI BREAK: struct {}: layout changed", s.name));
            }
            Some(_) => continue,
        }
        r.counts.other_changed += 1;
    }
    for s in &old.structs {
        if !new_names.contains(s.name.as_str()) {
            r.changes.push(format!("- struct {}", s.name));
            r.counts.other_changed += 1;
        }
    }
}

/// A short C-like spelling of a model type, for report lines.
pub fn ctype_text(ty: &CType) -> String {
    match ty {
        CType::Void => "void".into(),
        CType::Bool => "bool".into(),
        CType::Int { bytes, signed } => format!("{}{}", if *signed { "i" } else { "u" }, bytes * 8),
        CType::WChar => "wchar_t".into(),
        CType::Float => "float".into(),
        CType::Double => "double".into(),
        CType::Typedef { name, .. } | CType::Enum { name } | CType::Record { name } => name.clone(),
        CType::Pointer {
            pointee,
            pointee_const,
        } => format!(
            "{}{} *",
            if *pointee_const { "const " } else { "" },
            ctype_text(pointee)
        ),
        CType::Reference {
            pointee,
            pointee_const,
        } => format!(
            "{}{} &",
            if *pointee_const { "const " } else { "" },
            ctype_text(pointee)
        ),
        CType::Function {
            ret,
            params,
            conv,
            variadic,
        } => {
            let mut ps: Vec<String> = params.iter().map(ctype_text).collect();
            if *variadic {
                ps.push("...".into());
            }
            format!("{} ({conv:?} *)({})", ctype_text(ret), ps.join(", "))
        }
    }
}

/// `diff --against DIR NEW`: compares the Rust declarations of a generated crate's
/// `bindings.rs` (`old`) with those generated from a header now (`new`): vtable structs slot by
/// slot (field name and function-pointer type, attributes ignored), base classes, IIDs,
/// constants, type aliases and plain structs. Both texts should come from the same generator
/// version, or changes of the generator show up as API changes.
pub fn against(old: &str, new: &str) -> Result<Report, String> {
    let old = CrateView::parse(old).map_err(|e| format!("the generated crate: {e}"))?;
    let new = CrateView::parse(new).map_err(|e| format!("the new header's bindings: {e}"))?;
    let mut r = Report {
        old_header: format!("{} (generated crate)", old.label),
        new_header: new.label.clone(),
        ..Report::default()
    };
    compare_classes(&mut r, &old.classes, &new.classes);
    compare_items(&mut r, "constant", &old.consts, &new.consts, false);
    compare_items(&mut r, "type", &old.types, &new.types, true);
    compare_items(&mut r, "struct", &old.structs, &new.structs, true);
    Ok(r)
}

/// Name → declaration text, in file order.
type Items = Vec<(String, String)>;

fn compare_items(r: &mut Report, kind: &str, old: &Items, new: &Items, breaks_abi: bool) {
    let old_map: BTreeMap<&str, &str> = old.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let new_names: BTreeSet<&str> = new.iter().map(|(n, _)| n.as_str()).collect();
    for (name, text) in new {
        match old_map.get(name.as_str()) {
            None => r.changes.push(format!("+ {kind} {name} = {text}")),
            Some(old_text) if *old_text != text => {
                r.changes
                    .push(format!("~ {kind} {name}: {old_text} -> {text}"));
                if breaks_abi {
                    r.abi_breaks
                        .push(format!("ABI BREAK: {kind} {name}: declaration changed"));
                }
            }
            Some(_) => continue,
        }
        if kind == "constant" {
            r.counts.constants_changed += 1;
        } else {
            r.counts.other_changed += 1;
        }
    }
    for (name, _) in old {
        if !new_names.contains(name.as_str()) {
            r.changes.push(format!("- {kind} {name}"));
            if kind == "constant" {
                r.counts.constants_changed += 1;
            } else {
                r.counts.other_changed += 1;
            }
        }
    }
}

/// What `against` reads from a generated `bindings.rs`.
struct CrateView {
    label: String,
    classes: Vec<ClassView>,
    consts: Items,
    types: Items,
    structs: Items,
}

impl CrateView {
    fn parse(text: &str) -> Result<CrateView, String> {
        use quote::ToTokens;
        let file = syn::parse_file(text).map_err(|e| format!("not Rust source: {e}"))?;
        let text_of = |t: &dyn ToTokens| t.to_token_stream().to_string();
        let mut header_name = String::from("(unknown header)");
        let mut header_sha = String::new();
        let mut consts = Vec::new();
        let mut types = Vec::new();
        let mut structs = Vec::new();
        // Class name -> (base, own slots (field name, type)) from the `_Vtbl` structs.
        let mut vtables: Vec<(String, Option<String>, Items)> = Vec::new();
        let mut classes_with_vtable: BTreeSet<String> = BTreeSet::new();
        let mut iids: BTreeMap<String, String> = BTreeMap::new();
        for item in &file.items {
            match item {
                syn::Item::Const(c) => {
                    let name = c.ident.to_string();
                    let value = text_of(&*c.expr);
                    match name.as_str() {
                        "HEADER_NAME" => header_name = value.trim_matches('"').to_string(),
                        "HEADER_SHA256" => header_sha = value.trim_matches('"').to_string(),
                        "HEADER_SDK_VERSION" => {}
                        _ => consts.push((name, format!("{}: {value}", text_of(&*c.ty)))),
                    }
                }
                syn::Item::Type(t) => types.push((t.ident.to_string(), text_of(&*t.ty))),
                syn::Item::Struct(st) => {
                    let name = st.ident.to_string();
                    let fields: Vec<(String, String)> = st
                        .fields
                        .iter()
                        .map(|f| {
                            (
                                f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default(),
                                text_of(&f.ty),
                            )
                        })
                        .collect();
                    if let Some(class) = name.strip_suffix("_Vtbl") {
                        let mut base = None;
                        let mut own = Vec::new();
                        for (field, ty) in fields {
                            if field == "base__" {
                                base = Some(ty.trim_end_matches("_Vtbl").trim().to_string());
                            } else {
                                own.push((field, ty));
                            }
                        }
                        vtables.push((class.to_string(), base, own));
                    } else if fields.iter().any(|(f, _)| f == "lpVtbl") {
                        classes_with_vtable.insert(name);
                    } else if !st.generics.params.is_empty()
                        || fields.iter().any(|(f, _)| f == "_opaque")
                    {
                        // Generic helpers of the emitter, and opaque stand-ins for types
                        // declared elsewhere (one may become a class of the header).
                    } else {
                        let shown: Vec<String> =
                            fields.iter().map(|(f, t)| format!("{f}: {t}")).collect();
                        structs.push((name, format!("{{ {} }}", shown.join(", "))));
                    }
                }
                syn::Item::Impl(imp) if imp.trait_.is_none() => {
                    let self_ty = text_of(&*imp.self_ty);
                    for inner in &imp.items {
                        if let syn::ImplItem::Const(c) = inner
                            && c.ident == "IID"
                        {
                            iids.insert(self_ty.clone(), text_of(&c.expr));
                        }
                    }
                }
                _ => {}
            }
        }
        // Slot numbers: a class's own slots follow its base's (bases come first in the file).
        let mut all_slots: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        let mut classes = Vec::new();
        for (class, base, own) in vtables {
            if !classes_with_vtable.contains(&class) {
                continue;
            }
            let mut slots = match &base {
                Some(b) => all_slots.get(b).cloned().ok_or_else(|| {
                    format!("`{class}_Vtbl` names base `{b}` before it is declared")
                })?,
                None => Vec::new(),
            };
            let base_slots = slots.len();
            slots.extend(own);
            all_slots.insert(class.clone(), slots.clone());
            classes.push(ClassView {
                uuid: iids.get(&class).cloned(),
                name: class,
                base,
                slots,
                base_slots,
            });
        }
        if classes.is_empty() {
            return Err(
                "no `_Vtbl` structs: is this a bindings.rs written by httpserv-codegen?".into(),
            );
        }
        let short = header_sha.get(..12).unwrap_or(&header_sha);
        Ok(CrateView {
            label: format!("{header_name} (sha256 {short})"),
            classes,
            consts,
            types,
            structs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Constant, Enum, Field, Member, MemberKind, Method, SourceLoc, Struct};
    use std::sync::Arc;

    fn method(name: &str, ret: &str) -> Member {
        Member {
            decl_name: name.into(),
            kind: MemberKind::Virtual(Arc::new(Method {
                name: name.into(),
                usr: format!("{name}{ret}"),
                overrides: Vec::new(),
                ret: CType::Void,
                ret_spelling: ret.into(),
                params: Vec::new(),
                is_const: false,
                is_pure: true,
                declared_conv: None,
                deprecated: None,
                loc: SourceLoc::default(),
            })),
        }
    }

    fn api(classes: Vec<(&str, Vec<Member>)>) -> (Api, Vec<VtableLayout>) {
        let api = Api {
            header_name: "h.h".into(),
            header_sha256: "0123456789abcdef".into(),
            classes: classes
                .into_iter()
                .map(|(name, members)| Class {
                    name: name.into(),
                    base: None,
                    uuid: None,
                    members,
                    loc: SourceLoc::default(),
                })
                .collect(),
            ..Api::default()
        };
        let layouts = crate::layout::layout_api(&api).unwrap();
        (api, layouts)
    }

    fn run(old: &(Api, Vec<VtableLayout>), new: &(Api, Vec<VtableLayout>)) -> Report {
        diff(
            Side {
                api: &old.0,
                layouts: &old.1,
            },
            Side {
                api: &new.0,
                layouts: &new.1,
            },
        )
    }

    #[test]
    fn identical_inputs_report_nothing() {
        let a = api(vec![("IA", vec![method("f", "void"), method("g", "int")])]);
        let report = run(&a, &a);
        assert!(report.is_empty());
        assert!(report.render().ends_with("no API changes\n"));
    }

    #[test]
    fn appended_method_is_not_a_break_but_a_signature_change_is() {
        let old = api(vec![("IA", vec![method("f", "void"), method("g", "int")])]);
        let new = api(vec![(
            "IA",
            vec![
                method("f", "void"),
                method("g", "long"),
                method("h", "void"),
            ],
        )]);
        let report = run(&old, &new);
        assert_eq!(
            report.changes,
            [
                "~ method IA::g (slot 1): signature `int ()` -> `long ()`",
                "+ method IA::h (slot 2): void ()",
            ]
        );
        assert_eq!(
            report.abi_breaks,
            ["ABI BREAK: class IA: slot 1 was `g int ()`, is `g long ()`"]
        );
    }

    #[test]
    fn removed_method_and_removed_type() {
        let old = api(vec![
            ("IA", vec![method("f", "void"), method("g", "int")]),
            ("IB", vec![method("x", "void")]),
        ]);
        let new = api(vec![("IA", vec![method("f", "void")])]);
        let report = run(&old, &new);
        assert_eq!(
            report.changes,
            ["- class IB", "- method IA::g (was slot 1): int ()"]
        );
        assert_eq!(
            report.abi_breaks,
            ["ABI BREAK: class IA: slot 1 was `g int ()`, is gone (the vtable is shorter)"]
        );
    }

    #[test]
    fn constants_enums_typedefs_structs() {
        let loc = SourceLoc::default();
        let mut old = api(vec![("IA", vec![method("f", "void")])]);
        let mut new = old.clone();
        let int = |v| ConstValue::Int {
            value: v,
            hex: true,
        };
        old.0.constants = vec![
            Constant {
                name: "A".into(),
                value: int(1),
                loc: loc.clone(),
            },
            Constant {
                name: "B".into(),
                value: int(2),
                loc: loc.clone(),
            },
        ];
        new.0.constants = vec![
            Constant {
                name: "A".into(),
                value: int(16),
                loc: loc.clone(),
            },
            Constant {
                name: "C".into(),
                value: ConstValue::Wide("x".encode_utf16().collect()),
                loc: loc.clone(),
            },
        ];
        let e = |variants: Vec<(&str, i64)>| Enum {
            name: "E".into(),
            underlying: CType::Int {
                bytes: 4,
                signed: true,
            },
            variants: variants
                .into_iter()
                .map(|(n, v)| (n.to_string(), v))
                .collect(),
            loc: loc.clone(),
        };
        old.0.enums = vec![e(vec![("X", 0), ("Y", 1)])];
        new.0.enums = vec![e(vec![("X", 0), ("Y", 2), ("Z", 3)])];
        let s = |ty| Struct {
            name: "S".into(),
            fields: vec![Field {
                name: "a".into(),
                ty,
            }],
            loc: loc.clone(),
        };
        old.0.structs = vec![s(CType::Int {
            bytes: 4,
            signed: false,
        })];
        new.0.structs = vec![s(CType::Int {
            bytes: 8,
            signed: false,
        })];
        let report = run(&old, &new);
        assert_eq!(
            report.changes,
            [
                "~ constant A: 0x00000001 -> 0x00000010",
                "+ constant C = L\"x\"",
                "- constant B",
                "~ enum E: Y 1 -> 2",
                "~ enum E: + Z = 3",
                "~ struct S: { a: u32 } -> { a: u64 }",
            ]
        );
        assert_eq!(report.abi_breaks, ["ABI BREAK: struct S: layout changed"]);
        assert_eq!(report.counts.constants_changed, 3);
        assert_eq!(report.counts.enums_changed, 1);
    }
}
