//! The stages on two threads, when there are two cores.
//!
//! [`analyze`]: once libclang has parsed, the second thread checks the model while the first
//! lays out the vtables and plans the wrappers.
//!
//! [`bindings_file`]: the classes are emitted, their names checked and their text laid out by
//! two threads, the first taking classes from the front of the header, the second from the
//! back, until they meet; the first thread also does everything else.
//!
//! After the AST walk, most of a run is building token trees and laying them out as text, item
//! by item, and the classes are most of the items. Taking classes from both ends shares them
//! whatever each thread's speed (the two cores of a virtual machine are seldom equal). Token
//! streams cannot cross threads (proc-macro2's are `Rc`s), so each thread builds, checks and
//! prints its own; only text, names and the second emitter's [`Learned`] (its imports, opaque
//! types, errors) come back. The file is the one a single thread writes, byte for byte:
//!
//! - the classes keep their order (the first thread's, then the second's, put back in order),
//!   and nothing an emitter writes for a class depends on the classes emitted before it:
//!   whether an external type is written by its last segment (with a `use` line) or in full
//!   depends only on the header and the external-type table;
//! - errors come in the single-threaded order: the emitter's (each class's in header order),
//!   then the name checks' in file order, then rustfmt's for declined items.
//!
//! `tests/parallel.rs` compares both paths at every meeting point.

use std::path::Path;
use std::sync::Mutex;
use std::thread;

use proc_macro2::TokenStream;

use crate::diag::{Diagnostic, Error};
use crate::emit::{BindingsEmitter, ClassEmitter, Learned};
use crate::layout::VtableLayout;
use crate::model::{Api, Target};
use crate::validate::{self, ItemNames};
use crate::wrap::{self, WrapPlan};
use crate::write::{self, GeneratedFile, PrintedUnit};
use crate::{layout, release, timing};

/// Where the two threads meet in the list of classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meet {
    /// Wherever they are when they meet: each takes the next class from its end until none is
    /// left.
    Anywhere,
    /// The first thread takes the classes before this index, the second the others (tests).
    At(usize),
}

/// Whether this machine has two cores (or more) for the two threads.
pub fn two_cores() -> bool {
    thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
}

/// Whether [`bindings_file`] is worth its second thread: classes to share.
pub fn worth_it(api: &Api) -> bool {
    api.classes.len() >= 2
}

/// What [`analyze`] gives: the model, its layouts, and the wrap plan with its warnings.
pub type Analysis = (Api, Vec<VtableLayout>, (WrapPlan, Vec<String>));

/// Stages 1–2 and the wrap plan, as on one thread (`parse`, then the model checks, the
/// layouts, their checks and the wrap plan; the first error found in that order), with the
/// model checks on the second thread beside the layouts and the wrap plan: those need no
/// checked model (they only report what they cannot lay out or match). The layout checks,
/// which do (they make Rust identifiers of the names), wait for the model checks.
///
/// No thread starts before libclang has parsed. A thread reading the wrap table beside the
/// parse was tried: it took the read (0.9 ms) off the first thread, but the parse beside it was
/// 0.2–2.2 ms slower (glibc's `malloc`, which libclang uses, locks once a process has two
/// threads, and the two vCPUs of the benchmark machine slow each other down); over several sets
/// of interleaved runs it won or lost 1–2 ms, so the simpler code stayed. On those vCPUs a
/// thread started on the idle core begins 1.3 to 1.5 ms later (the core must be woken), about
/// when the layouts and the wrap plan are done; that thread also wakes the core for the
/// emitter's second thread, which then starts at once (0.1 ms).
pub fn analyze(parse: impl FnOnce() -> Result<Api, Error>) -> Result<Analysis, Error> {
    let api = parse()?;
    let (layouts, wraps) = thread::scope(|scope| {
        let api = &api;
        let model_checks = spawn(scope, "validate-2", move || {
            timing::stage("thread 2: validate model", || validate::model(api))
        });
        let planned = timing::stage("layout", || layout::layout_api(api)).map(|layouts| {
            let wraps = timing::stage("wrap plan", || wrap::plan_bundled(&layouts));
            (layouts, wraps)
        });
        timing::stage("wait for thread 2 (model)", || join(model_checks))?;
        let (layouts, wraps) = planned?;
        timing::stage("validate", || validate::layouts(api, &layouts))?;
        Ok::<_, Error>((layouts, wraps?))
    })?;
    Ok((api, layouts, wraps))
}

/// Work started on a second thread, or kept for the caller when no thread could be started.
enum Task<'scope, T, F> {
    Thread(thread::ScopedJoinHandle<'scope, T>),
    Here(F),
}

/// Starts `work` on a thread named `name`. Its stack is the main thread's size: the printer
/// recurses into nested token groups.
fn spawn<'scope, T, F>(
    scope: &'scope thread::Scope<'scope, '_>,
    name: &str,
    work: F,
) -> Task<'scope, T, F>
where
    T: Send + 'scope,
    F: FnOnce() -> T + Send + Clone + 'scope,
{
    let thread = thread::Builder::new().name(name.into()).stack_size(8 << 20);
    match thread.spawn_scoped(scope, work.clone()) {
        Ok(handle) => Task::Thread(handle),
        Err(_) => Task::Here(work),
    }
}

/// The result of `task`: waits for its thread (passing on a panic), or does the work here.
fn join<T, F: FnOnce() -> T>(task: Task<'_, T, F>) -> T {
    match task {
        Task::Thread(handle) => handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        Task::Here(work) => work(),
    }
}

/// The bindings file, formatted, with the classes shared between two threads.
pub fn bindings_file(
    api: &Api,
    layouts: &[VtableLayout],
    wraps: &WrapPlan,
    target: Target,
    relative_path: &Path,
    header_lines: &[String],
    meet: Meet,
) -> Result<GeneratedFile, Error> {
    let ends = Ends::new(api.classes.len(), meet);
    let ends = &ends;
    // The second thread's work; a closure of shared references, so it can be cloned and also
    // run here if no thread can be started.
    let second_half = move || {
        let mut emitter = ClassEmitter::new(api, wraps);
        let mut done = Vec::new();
        while let Some(k) = ends.take_back() {
            let (item, errors) = timing::stage("thread 2: emit", || {
                emitter.class(&api.classes[k], &layouts[k])
            });
            done.push((check_and_print(api, item, SECOND_STAGES), errors));
        }
        // In header order, as on one thread.
        done.reverse();
        let (classes, errors): (Vec<Checked>, Vec<Vec<Diagnostic>>) = done.into_iter().unzip();
        SecondHalf {
            learned: emitter.into_learned(errors.into_iter().flatten().collect()),
            classes,
        }
    };
    thread::scope(|scope| {
        let second = spawn(scope, "emit-2", second_half);

        let mut bindings = timing::stage("emit", || BindingsEmitter::new(api, wraps));
        let mut classes = Vec::new();
        while let Some(k) = ends.take_front() {
            let item = timing::stage("emit", || bindings.class(&api.classes[k], &layouts[k]));
            classes.push(check_and_print(api, item, FIRST_STAGES));
        }
        let second = timing::stage("wait for thread 2", || join(second));
        bindings.absorb(second.learned);
        classes.extend(second.classes);

        let file = timing::stage("emit", || bindings.finish(target))?;
        timing::stage("validate", || {
            let mut all = Vec::new();
            for chunk in file.uses.iter().chain(&file.items) {
                all.extend(validate::item_names(api, chunk)?);
            }
            for class in &mut classes {
                all.extend(std::mem::replace(&mut class.names, Ok(Vec::new()))?);
            }
            validate::names_defined_once(api, all)
        })?;
        let units = timing::stage("format: print", || {
            let mut units = vec![write::print_head(&file.inner_attrs, &file.uses)];
            units.extend(file.items.iter().map(write::print_item));
            units.extend(classes.into_iter().filter_map(|class| class.printed));
            units
        });
        release(file);
        write::format_printed(relative_path, units, header_lines)
    })
}

/// The classes not taken yet: `front..back`, with where the threads must meet, if set.
struct Ends(Mutex<(usize, usize, Option<usize>)>);

impl Ends {
    fn new(classes: usize, meet: Meet) -> Self {
        let at = match meet {
            Meet::Anywhere => None,
            Meet::At(k) => Some(k.min(classes)),
        };
        Ends(Mutex::new((0, classes, at)))
    }

    /// The next class from the front, for the first thread.
    fn take_front(&self) -> Option<usize> {
        let mut ends = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let (front, back, at) = &mut *ends;
        (*front < *back && at.is_none_or(|at| *front < at)).then(|| {
            *front += 1;
            *front - 1
        })
    }

    /// The next class from the back, for the second thread.
    fn take_back(&self) -> Option<usize> {
        let mut ends = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let (front, back, at) = &mut *ends;
        (*front < *back && at.is_none_or(|at| *back > at)).then(|| {
            *back -= 1;
            *back
        })
    }
}

/// One class, checked and printed by the thread that emitted it.
struct Checked {
    /// The names its item defines (or the error of the name checks' reading).
    names: Result<Vec<ItemNames>, Error>,
    /// Its item, printed; `None` when the class failed (no item).
    printed: Option<PrintedUnit>,
}

/// The `--time-stages` names of the name checks and the printer on each thread.
const FIRST_STAGES: (&str, &str) = ("validate", "format: print");
const SECOND_STAGES: (&str, &str) = ("thread 2: validate", "thread 2: print");

/// The name checks' first half and the printer on a class's item, timed as `stages`.
fn check_and_print(
    api: &Api,
    item: TokenStream,
    (validate, print): (&'static str, &'static str),
) -> Checked {
    if item.is_empty() {
        return Checked {
            names: Ok(Vec::new()),
            printed: None,
        };
    }
    let names = timing::stage(validate, || validate::item_names(api, &item));
    let printed = Some(timing::stage(print, || write::print_item(&item)));
    // Freed now, not left to the exit like the run's other values (`crate::release`): the
    // next class's tokens then reuse this memory, already mapped and in cache. With 100 times
    // the bundled header's classes: peak memory 640 -> 440 MB, emit 263 -> 175 ms.
    drop(item);
    Checked { names, printed }
}

/// What the second thread sends back: no token streams, only what the first thread merges.
struct SecondHalf {
    learned: Learned,
    /// Its classes, in header order.
    classes: Vec<Checked>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The classes each side takes, alternating turns (`pattern`: true for the front).
    fn take(classes: usize, meet: Meet, pattern: &[bool]) -> (Vec<usize>, Vec<usize>) {
        let ends = Ends::new(classes, meet);
        let (mut front, mut back) = (Vec::new(), Vec::new());
        for &first in pattern.iter().cycle().take(4 * classes + 4) {
            if first {
                front.extend(ends.take_front());
            } else {
                back.extend(ends.take_back());
            }
        }
        (front, back)
    }

    #[test]
    fn each_class_is_taken_once_front_from_the_start_back_from_the_end() {
        for pattern in [
            &[true, false][..],
            &[true, true, false],
            &[false, false, true],
        ] {
            for n in 0..6 {
                let (front, back) = take(n, Meet::Anywhere, pattern);
                let k = front.len();
                assert_eq!(front, (0..k).collect::<Vec<_>>(), "{pattern:?} {n}");
                assert_eq!(back, (k..n).rev().collect::<Vec<_>>(), "{pattern:?} {n}");
            }
        }
    }

    #[test]
    fn a_meeting_point_splits_there_whatever_the_speeds() {
        for pattern in [&[true, true, true, false][..], &[false, false, false, true]] {
            for at in 0..=5 {
                let (front, back) = take(5, Meet::At(at), pattern);
                assert_eq!(front, (0..at).collect::<Vec<_>>());
                assert_eq!(back, (at..5).rev().collect::<Vec<_>>());
            }
        }
        // Past the end: the first thread takes everything.
        assert_eq!(take(3, Meet::At(9), &[false, true]).0, vec![0, 1, 2]);
    }
}
