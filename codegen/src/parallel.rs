//! Stages 3–4 on two threads: emit, check the names of and print the classes at the end of the
//! file on a second thread while the first thread does the same for the rest.
//!
//! After the AST walk, most of a run is building token trees and laying them out as text, item
//! by item, and the classes are most of the items. proc-macro2's token streams cannot cross
//! threads (they are `Rc`s), so each thread builds, checks and prints its own; only text, names
//! and the second emitter's [`Learned`] (its imports, opaque types, errors) come back. The file
//! is the one the single-threaded pipeline writes, byte for byte:
//!
//! - the classes keep their order (the first thread's, then the second's), and nothing an
//!   emitter writes for a class depends on the classes before it: whether an external type is
//!   written by its last segment (with a `use` line) or in full depends only on the header and
//!   the external-type table;
//! - errors come in the single-threaded order: the emitter's, then the name checks' in file
//!   order, then rustfmt's for declined items.
//!
//! `tests/parallel.rs` compares both paths at every split point.

use std::path::Path;
use std::thread;

use crate::diag::Error;
use crate::emit::{self, BindingsEmitter, Learned};
use crate::layout::VtableLayout;
use crate::model::{Api, Target};
use crate::validate::{self, ItemNames};
use crate::wrap::WrapPlan;
use crate::write::{self, GeneratedFile, PrintedUnit};
use crate::{release, timing};

/// Where to cut [`Api::classes`] so that both threads have about the same work: the classes
/// from the returned index on go to the second thread. `None` when there are too few classes
/// to share or one core.
pub fn split_point(api: &Api, layouts: &[VtableLayout]) -> Option<usize> {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || api.classes.len() < 2 {
        return None;
    }
    // Work, in slots: a class costs about its own slots (a field, a wrapper, an `_Impl` method
    // each) plus its struct and impls; what the first thread also does (constants, enums,
    // typedefs, structs, the `use` lines) counts a quarter of a slot per line of it. Measured on
    // the bundled header with `--time-stages` (the first thread's wait for the second).
    let class_work = |layout: &VtableLayout| layout.own_slots().len() + 4;
    let rest: usize = api.constants.len()
        + api.enums.iter().map(|e| e.variants.len()).sum::<usize>()
        + api.typedefs.len()
        + api.structs.iter().map(|s| s.fields.len()).sum::<usize>();
    let total: usize = layouts.iter().map(class_work).sum::<usize>() + rest / 4;
    let mut second = 0;
    let mut k = layouts.len();
    while k > 1 && 2 * (second + class_work(&layouts[k - 1])) <= total {
        k -= 1;
        second += class_work(&layouts[k]);
    }
    (k < layouts.len()).then_some(k)
}

/// The bindings file, formatted, with the classes from `split` on emitted, checked and printed
/// on a second thread.
pub fn bindings_file(
    api: &Api,
    layouts: &[VtableLayout],
    wraps: &WrapPlan,
    target: Target,
    relative_path: &Path,
    header_lines: &[String],
    split: usize,
) -> Result<GeneratedFile, Error> {
    let (first_classes, second_classes) = api.classes.split_at(split);
    let (first_layouts, second_layouts) = layouts.split_at(split);
    // The second thread's work; a closure of shared references, so it can also run here if
    // no thread can be started.
    let second_half = || {
        let part = timing::stage("thread 2: emit", || {
            emit::emit_classes(api, wraps, second_classes, second_layouts)
        });
        let checked = timing::stage("thread 2: validate", || names(api, &part.items));
        let printed = timing::stage("thread 2: print", || {
            part.items.iter().map(write::print_item).collect()
        });
        release(part.items);
        SecondHalf {
            learned: part.learned,
            checked,
            printed,
        }
    };
    thread::scope(|scope| {
        // The main thread's stack size: the printer recurses into nested token groups.
        let second = thread::Builder::new()
            .name("emit-2".into())
            .stack_size(8 << 20)
            .spawn_scoped(scope, second_half)
            .ok();

        let (mut bindings, classes) = timing::stage("emit", || {
            let mut bindings = BindingsEmitter::new(api, wraps);
            let classes = bindings.classes(first_classes, first_layouts);
            (bindings, classes)
        });
        let mut checked = timing::stage("validate", || vec![names(api, &classes)]);
        let mut printed: Vec<PrintedUnit> = timing::stage("format: print", || {
            classes.iter().map(write::print_item).collect()
        });
        release(classes);

        let second = match second {
            Some(thread) => timing::stage("wait for thread 2", || thread.join())
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => second_half(),
        };
        bindings.absorb(second.learned);
        checked.push(second.checked);
        printed.extend(second.printed);

        let file = timing::stage("emit", || bindings.finish(target))?;
        timing::stage("validate", || {
            let mut all = Vec::new();
            for chunk in file.uses.iter().chain(&file.items) {
                all.extend(validate::item_names(api, chunk)?);
            }
            for names in checked {
                all.extend(names?);
            }
            validate::names_defined_once(api, all)
        })?;
        let units = timing::stage("format: print", || {
            let mut units = vec![write::print_head(&file.inner_attrs, &file.uses)];
            units.extend(file.items.iter().map(write::print_item));
            units.extend(printed);
            units
        });
        release(file);
        write::format_printed(relative_path, units, header_lines)
    })
}

/// What the second thread sends back: no token streams, only what the first thread merges.
struct SecondHalf {
    learned: Learned,
    /// The names its items define (or the error of the name checks' reading).
    checked: Result<Vec<ItemNames>, Error>,
    /// Its items, printed.
    printed: Vec<PrintedUnit>,
}

/// The names `items` define, in order.
fn names(api: &Api, items: &[proc_macro2::TokenStream]) -> Result<Vec<ItemNames>, Error> {
    let mut names = Vec::new();
    for item in items {
        names.extend(validate::item_names(api, item)?);
    }
    Ok(names)
}
