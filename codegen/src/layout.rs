//! Stage 2: MSVC's vtable layout, computed from the model alone (no libclang here).
//!
//! The rules, as MSVC applies them to a class with at most one base:
//! 1. the base's slots come first, unchanged (an override reuses its base slot);
//! 2. the class's own new virtuals are grouped by name; groups are placed in the order of the
//!    first declaration of that name in the class body, counting every named member (non-virtual
//!    methods, overrides, constructors...), not just virtual ones;
//! 3. within a group, new overloads take slots in reverse declaration order;
//! 4. a virtual destructor takes one slot (the scalar deleting destructor) where its group falls.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::diag::{Diagnostic, Error};
use crate::model::{Api, Class, MemberKind, Method};

/// The vtable of one class: every slot, inherited ones included.
#[derive(Debug, Clone)]
pub struct VtableLayout {
    pub class: String,
    pub slots: Vec<Slot>,
    /// Number of leading slots that belong to the base class.
    pub base_slots: usize,
}

impl VtableLayout {
    /// The slots this class adds (the fields of its own `_Vtbl` struct, after `base__`).
    pub fn own_slots(&self) -> &[Slot] {
        &self.slots[self.base_slots..]
    }
}

#[derive(Debug, Clone)]
pub struct Slot {
    pub index: usize,
    /// The class whose declaration created this slot (shared by its slots and by the copies
    /// of them in every derived class's layout).
    pub introduced_by: Arc<str>,
    pub entry: SlotEntry,
}

#[derive(Debug, Clone)]
pub enum SlotEntry {
    /// The model's method, shared (a derived class's layout starts as its base's, so each
    /// method is in the layout of every class below it).
    Method(Arc<Method>),
    /// MSVC's scalar deleting destructor: `void *(this, unsigned int flags)`.
    ScalarDeletingDestructor,
}

impl Slot {
    /// The name reports print: the method name, or `~Class` for the destructor of `class`.
    pub fn method_name(&self, class: &str) -> String {
        match &self.entry {
            SlotEntry::Method(m) => m.name.clone(),
            SlotEntry::ScalarDeletingDestructor => format!("~{class}"),
        }
    }
}

/// Lays out every class of the API, bases before derived classes (header order guarantees it).
pub fn layout_api(api: &Api) -> Result<Vec<VtableLayout>, Error> {
    let mut done: FxHashMap<&str, usize> = FxHashMap::default();
    let mut layouts: Vec<VtableLayout> = Vec::with_capacity(api.classes.len());
    let mut errors = Vec::new();
    for class in &api.classes {
        let base = match &class.base {
            Some(name) => match done.get(name.as_str()) {
                Some(&i) => Some(&layouts[i]),
                None => {
                    errors.push(Diagnostic::new(
                        class.loc.clone(),
                        format!("class `{}`", class.name),
                        format!("base class `{name}` has no layout (declared later or failed)"),
                    ));
                    continue;
                }
            },
            None => None,
        };
        match layout_class(class, base) {
            Ok(layout) => {
                done.insert(&class.name, layouts.len());
                layouts.push(layout);
            }
            Err(diag) => errors.push(diag),
        }
    }
    if errors.is_empty() {
        Ok(layouts)
    } else {
        Err(Error::Input(errors))
    }
}

/// Lays out one class given its base's finished layout.
pub fn layout_class(
    class: &Class,
    base: Option<&VtableLayout>,
) -> Result<VtableLayout, Diagnostic> {
    let mut slots: Vec<Slot> = base.map(|b| b.slots.clone()).unwrap_or_default();
    let base_slots = slots.len();
    let introduced_by: Arc<str> = Arc::from(class.name.as_str());

    // Rule 2: one group per distinct name, in order of first declaration.
    let mut group_of: FxHashMap<&str, usize> = FxHashMap::default();
    let mut groups: Vec<Vec<&MemberKind>> = Vec::new();
    for member in &class.members {
        let next = groups.len();
        let g = *group_of.entry(member.decl_name.as_str()).or_insert(next);
        if g == groups.len() {
            groups.push(Vec::new());
        }
        if matches!(
            member.kind,
            MemberKind::Virtual(_) | MemberKind::VirtualDestructor { .. }
        ) {
            groups[g].push(&member.kind);
        }
    }

    for group in &groups {
        // Rule 3: reverse declaration order within the group.
        for kind in group.iter().rev() {
            match kind {
                MemberKind::Virtual(method) if !method.overrides.is_empty() => {
                    let slot = slots[..base_slots]
                        .iter_mut()
                        .find(|s| match &s.entry {
                            SlotEntry::Method(m) => method.overrides.contains(&m.usr),
                            SlotEntry::ScalarDeletingDestructor => false,
                        })
                        .ok_or_else(|| {
                            Diagnostic::new(
                                method.loc.clone(),
                                format!("method `{}::{}`", class.name, method.name),
                                "overrides a method that is not in the base class's vtable",
                            )
                        })?;
                    if let SlotEntry::Method(base_method) = &slot.entry
                        && base_method.ret_spelling != method.ret_spelling
                    {
                        return Err(Diagnostic::new(
                            method.loc.clone(),
                            format!("method `{}::{}`", class.name, method.name),
                            format!(
                                "covariant return type (`{}` overriding `{}`) is not supported: \
                                 MSVC may add an adjusting thunk slot",
                                method.ret_spelling, base_method.ret_spelling
                            ),
                        ));
                    }
                    slot.entry = SlotEntry::Method(Arc::clone(method));
                }
                MemberKind::Virtual(method) => slots.push(Slot {
                    index: slots.len(),
                    introduced_by: Arc::clone(&introduced_by),
                    entry: SlotEntry::Method(Arc::clone(method)),
                }),
                MemberKind::VirtualDestructor { .. } => {
                    let inherited = slots[..base_slots]
                        .iter()
                        .any(|s| matches!(s.entry, SlotEntry::ScalarDeletingDestructor));
                    if !inherited {
                        slots.push(Slot {
                            index: slots.len(),
                            introduced_by: Arc::clone(&introduced_by),
                            entry: SlotEntry::ScalarDeletingDestructor,
                        });
                    }
                }
                MemberKind::Other => {}
            }
        }
    }
    Ok(VtableLayout {
        class: class.name.clone(),
        slots,
        base_slots,
    })
}

#[cfg(test)]
mod tests {
    //! Hand-built classes with answers worked out from MSVC's documented rules. The independent
    //! check against clang's own layout lives in the `httpserv-tests` crate.
    use super::*;
    use crate::model::{CType, Member, SourceLoc};

    fn method(name: &str, usr: &str, overrides: &[&str]) -> Member {
        Member {
            decl_name: name.to_string(),
            kind: MemberKind::Virtual(Arc::new(Method {
                name: name.to_string(),
                usr: usr.to_string(),
                overrides: overrides.iter().map(|s| s.to_string()).collect(),
                ret: CType::Void,
                ret_spelling: "void".into(),
                params: Vec::new(),
                is_const: false,
                is_pure: true,
                declared_conv: None,
                deprecated: None,
                loc: SourceLoc::default(),
            })),
        }
    }

    fn other(name: &str) -> Member {
        Member {
            decl_name: name.to_string(),
            kind: MemberKind::Other,
        }
    }

    fn class(name: &str, base: Option<&str>, members: Vec<Member>) -> Class {
        Class {
            name: name.into(),
            base: base.map(str::to_string),
            uuid: None,
            members,
            loc: SourceLoc::default(),
        }
    }

    fn order(layout: &VtableLayout) -> Vec<String> {
        layout
            .slots
            .iter()
            .map(|s| match &s.entry {
                SlotEntry::Method(m) => m.usr.clone(),
                SlotEntry::ScalarDeletingDestructor => "dtor".into(),
            })
            .collect()
    }

    #[test]
    fn overloads_are_grouped_at_first_declaration_and_reversed() {
        let c = class(
            "A",
            None,
            vec![
                method("f", "f1", &[]),
                method("g", "g", &[]),
                method("f", "f2", &[]),
                method("f", "f3", &[]),
            ],
        );
        let layout = layout_class(&c, None).unwrap();
        assert_eq!(order(&layout), ["f3", "f2", "f1", "g"]);
    }

    #[test]
    fn non_virtual_member_positions_the_group() {
        // `h` is first declared non-virtually, after `g`: its virtual overload lands after `g`
        // even though it is declared last.
        let c = class(
            "A",
            None,
            vec![
                method("g", "g", &[]),
                other("h"),
                method("i", "i", &[]),
                method("h", "h1", &[]),
            ],
        );
        assert_eq!(order(&layout_class(&c, None).unwrap()), ["g", "h1", "i"]);
    }

    #[test]
    fn derived_class_appends_and_overrides_reuse_slots() {
        let base = class(
            "B",
            None,
            vec![method("f", "B::f", &[]), method("g", "B::g", &[])],
        );
        let base_layout = layout_class(&base, None).unwrap();
        let derived = class(
            "D",
            Some("B"),
            vec![
                method("f", "D::f(int)", &[]),
                method("g", "D::g", &["B::g"]),
            ],
        );
        let layout = layout_class(&derived, Some(&base_layout)).unwrap();
        assert_eq!(order(&layout), ["B::f", "D::g", "D::f(int)"]);
        assert_eq!(layout.base_slots, 2);
        assert_eq!(layout.own_slots().len(), 1);
    }

    #[test]
    fn destructor_takes_one_slot_where_declared_and_is_inherited_once() {
        let mut members = vec![method("a", "a", &[])];
        members.push(Member {
            decl_name: "~A".into(),
            kind: MemberKind::VirtualDestructor {
                overrides: false,
                loc: SourceLoc::default(),
            },
        });
        members.push(method("b", "b", &[]));
        let base = layout_class(&class("A", None, members), None).unwrap();
        assert_eq!(order(&base), ["a", "dtor", "b"]);
        let derived = class(
            "D",
            Some("A"),
            vec![
                Member {
                    decl_name: "~D".into(),
                    kind: MemberKind::VirtualDestructor {
                        overrides: true,
                        loc: SourceLoc::default(),
                    },
                },
                method("c", "c", &[]),
            ],
        );
        let layout = layout_class(&derived, Some(&base)).unwrap();
        assert_eq!(order(&layout), ["a", "dtor", "b", "c"]);
    }

    #[test]
    fn override_of_unknown_method_is_an_error() {
        let c = class("A", None, vec![method("f", "f", &["nowhere"])]);
        let err = layout_class(&c, None).unwrap_err();
        assert!(err.message.contains("not in the base"), "{}", err.message);
    }
}
