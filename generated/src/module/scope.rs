//! Which registration and which notification a call belongs to, and mutual exclusion for
//! objects IIS may call from several threads.
//!
//! Every object the framework hands to IIS (factory, request module, global module) remembers
//! the [`Registered`] module it belongs to (its `HTTP_MODULE_ID` and the `IHttpServer` of the
//! `RegisterModule` call). Each trampoline puts a [`Frame`] on its thread for the duration of
//! the call, so the per-request state API can key by the right module id even when one process
//! (a test, or IIS loading the same DLL under two names) holds several registrations, and
//! [`CompletionHandle`](super::CompletionHandle) finds the notification it belongs to. Outside a
//! trampoline the most recent registration of this DLL is used.
//!
//! The frames of a thread form a list on its stack: one thread-local pointer to the innermost
//! frame, each frame pointing to the one it interrupted. Entering costs one thread-local load
//! and store and leaving one store; everything else (which registration is current, the
//! notification of a completion handle, whether a panic will be caught) is looked up by walking
//! the list, which only the rare callers that ask for it do.

use core::cell::{Cell, UnsafeCell};
use core::ffi::c_void;
use core::ptr;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use crate::{HTTP_MODULE_ID, IHttpContext, IHttpServer};

/// One `RegisterModule` call: the module id IIS assigned and the server it passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Registered {
    pub id: HTTP_MODULE_ID,
    pub server: *mut IHttpServer,
}

// SAFETY: both are process-wide IIS objects that IIS calls from any thread.
unsafe impl Send for Registered {}
unsafe impl Sync for Registered {}

static LAST_ID: AtomicPtr<c_void> = AtomicPtr::new(ptr::null_mut());
static LAST_SERVER: AtomicPtr<IHttpServer> = AtomicPtr::new(ptr::null_mut());

thread_local! {
    /// The innermost [`Frame`] of this thread (NULL: none). Every frame in the list is alive:
    /// a frame is taken off (by the code that put it on, also on unwind) before its stack
    /// memory ends.
    static TOP: Cell<*const Frame> = const { Cell::new(ptr::null()) };
    static MARKER: u8 = const { 0 };
}

/// What one call from IIS into this DLL is doing, on that call's stack; see the module docs.
pub(crate) struct Frame {
    /// The frame this one interrupts (NULL: none): the innermost one when this one was made.
    previous: *const Frame,
    /// The registration of the object IIS called; NULL: that of the previous frames.
    registered: *const Registered,
    /// The context of the request notification this frame runs; NULL: not a notification.
    ctx: *mut IHttpContext,
    /// Panics in this frame are caught by [`guard`](super::panic::guard) or a notification.
    guarded: bool,
    /// The notification's completion handle (`Arc::into_raw`), set by `CompletionHandle::new`
    /// and taken back by the notification (see `completion.rs`).
    pub(crate) handle: Cell<*const c_void>,
}

impl Frame {
    /// A frame to enter next, on top of the thread's innermost frame now. `registered` must
    /// outlive the frame's use (it is read through the pointer while the frame is entered).
    #[inline]
    pub(crate) fn new(
        registered: *const Registered,
        ctx: *mut IHttpContext,
        guarded: bool,
    ) -> Frame {
        Frame {
            previous: TOP.with(Cell::get),
            registered,
            ctx,
            guarded,
            handle: Cell::new(ptr::null()),
        }
    }

    /// Makes this frame the innermost of the thread.
    ///
    /// # Safety
    /// No frame was entered or left on this thread since this one was made (so the innermost
    /// frame is still `previous`), and [`leave`](Self::leave) is called before this frame is
    /// moved or its memory ends, after every frame entered later was left (also when
    /// unwinding).
    #[inline]
    pub(crate) unsafe fn enter(&self) {
        debug_assert!(TOP.with(Cell::get) == self.previous);
        TOP.with(|top| top.set(self));
    }

    /// Takes this (innermost) frame off the thread.
    #[inline]
    pub(crate) fn leave(&self) {
        TOP.with(|top| top.set(self.previous));
    }

    /// The frame this one interrupts: for [`leave_to`](Self::leave_to).
    #[inline]
    pub(crate) fn previous(&self) -> *const Frame {
        self.previous
    }

    /// [`leave`](Self::leave) with the value of [`previous`](Self::previous) read by the caller
    /// before the frame escaped, which the compiler can keep in a register (`leave` reads it
    /// back from the frame: one more memory round trip on the notifications' path).
    ///
    /// # Safety
    /// `previous` is `self.previous()`.
    #[inline]
    pub(crate) unsafe fn leave_to(&self, previous: *const Frame) {
        debug_assert!(previous == self.previous);
        TOP.with(|top| top.set(previous));
    }

    /// Runs `f` with a new frame entered (left afterwards, also on unwind); `f` gets the frame.
    #[inline]
    pub(crate) fn run<R>(
        registered: *const Registered,
        ctx: *mut IHttpContext,
        guarded: bool,
        f: impl FnOnce(&Frame) -> R,
    ) -> R {
        struct Leave<'a>(&'a Frame);
        impl Drop for Leave<'_> {
            #[inline]
            fn drop(&mut self) {
                self.0.leave();
            }
        }
        let frame = Frame::new(registered, ctx, guarded);
        // SAFETY: entered right after it was made; left by `Leave` when `f` returns or unwinds,
        // before `frame` goes away; frames entered inside `f` were left by then.
        unsafe { frame.enter() };
        let leave = Leave(&frame);
        f(leave.0)
    }

    /// The context of this frame's notification (NULL: not a notification).
    pub(crate) fn ctx(&self) -> *mut IHttpContext {
        self.ctx
    }
}

/// Calls `f` on the frames of this thread, innermost first, until it returns `Some`.
fn find<R>(mut f: impl FnMut(&Frame) -> Option<R>) -> Option<R> {
    let mut frame = TOP.with(Cell::get);
    // SAFETY: every frame in the list is alive (see `TOP`); this thread is inside all of them.
    while let Some(current) = unsafe { frame.as_ref() } {
        if let Some(found) = f(current) {
            return Some(found);
        }
        frame = current.previous;
    }
    None
}

/// The innermost request notification running on this thread, if any: the frame to give a
/// completion handle to. The reference is valid while the caller runs inside that frame.
pub(crate) fn notification<R>(f: impl FnOnce(&Frame) -> R) -> Option<R> {
    let frame = find(|frame| (!frame.ctx.is_null()).then_some(ptr::from_ref(frame)))?;
    // SAFETY: a live frame of this thread (see `find`), which outlives this call.
    Some(f(unsafe { &*frame }))
}

/// Whether a panic on this thread now would be caught by the framework.
pub(crate) fn guarded() -> bool {
    find(|frame| frame.guarded.then_some(())).is_some()
}

/// Whether `owner` (a lock word's value) is a frame of this thread.
fn is_this_threads_frame(owner: usize) -> bool {
    find(|frame| (ptr::from_ref(frame) as usize == owner).then_some(())).is_some()
}

/// Records a successful registration as the fallback for code outside the trampolines.
pub(crate) fn set_last(registered: Registered) {
    LAST_SERVER.store(registered.server, Ordering::Release);
    LAST_ID.store(registered.id, Ordering::Release);
}

/// The registration of the object whose method is running on this thread, else the most
/// recent registration of this DLL.
pub(crate) fn current() -> Option<Registered> {
    // SAFETY: a frame's registration outlives the frame's use (`Frame::new`).
    find(|frame| unsafe { frame.registered.as_ref() }.copied()).or_else(|| {
        let id = LAST_ID.load(Ordering::Acquire);
        let server = LAST_SERVER.load(Ordering::Acquire);
        (!id.is_null() || !server.is_null()).then_some(Registered { id, server })
    })
}

/// Runs `f` with `registered` current on this thread (restored afterwards, also on unwind).
#[inline]
pub(crate) fn enter<R>(registered: Registered, f: impl FnOnce() -> R) -> R {
    Frame::run(&registered, ptr::null_mut(), false, |_| f())
}

/// The `HTTP_MODULE_ID` IIS gave this module in `RegisterModule`: the one of the module whose
/// notification is running on this thread, else the most recent registration of this DLL.
/// `None` before `RegisterModule`.
pub fn module_id() -> Option<HTTP_MODULE_ID> {
    current().map(|r| r.id).filter(|id| !id.is_null())
}

/// The `IHttpServer` IIS passed to `RegisterModule` (it lives as long as the worker process).
/// `None` before `RegisterModule`.
pub fn server() -> Option<&'static IHttpServer> {
    // SAFETY: IIS's server object outlives every module of the process.
    current().and_then(|r| unsafe { r.server.as_ref() })
}

/// A number unique to the calling thread while it runs (never 0).
#[inline]
fn thread_marker() -> usize {
    MARKER.with(|m| m as *const u8 as usize)
}

/// The calling thread already holds the lock of the same object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reentered;

/// A value that at most one thread uses at a time, without requiring `T: Sync`.
///
/// IIS calls the notifications of one request one after the other, but not always on the same
/// thread, and a completion posted from a worker thread may reach `OnAsyncCompletion` before
/// the notification that returned `RQ_NOTIFICATION_PENDING` has returned: the second call then
/// waits here. A call back into the same object from inside a call on the same thread (which
/// IIS does not do) is refused instead of deadlocking.
///
/// One word is the lock and the owner: 0 when free, else a value unique to the owning thread:
/// the address of the owner's [`Frame`] ([`lock`](Self::lock), the request modules' fast path:
/// no thread-local needed) or the [`thread_marker`] ([`with`](Self::with)). Taking it is one
/// compare-and-swap, giving it back one store, the least a lock can cost on every
/// notification. The rare second thread waits by yielding, then by sleeping briefly (the first
/// one is usually only returning from its notification).
pub(crate) struct Exclusive<T> {
    owner: AtomicUsize,
    value: UnsafeCell<T>,
}

// SAFETY: `with` and `lock` hand out `&mut T` to one thread at a time, which is what `T: Send`
// allows.
unsafe impl<T: Send> Sync for Exclusive<T> {}

impl<T> Exclusive<T> {
    pub(crate) fn new(value: T) -> Self {
        Exclusive {
            owner: AtomicUsize::new(0),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` with exclusive access, waiting for another thread's access to end.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Result<R, Reentered> {
        self.acquire(thread_marker())?;
        struct Release<'a>(&'a AtomicUsize);
        impl Drop for Release<'_> {
            #[inline]
            fn drop(&mut self) {
                self.0.store(0, Ordering::Release);
            }
        }
        let _release = Release(&self.owner);
        // SAFETY: this thread owns the lock (and did not re-enter).
        Ok(f(unsafe { &mut *self.value.get() }))
    }

    /// Takes the lock for `frame`, waiting for another thread's access to end; give it back
    /// with [`unlock`](Self::unlock). `frame` must be entered whenever code that could call
    /// back into this object runs while the lock is held (that is how a call back is
    /// recognised and refused).
    #[inline]
    pub(crate) fn lock(&self, frame: &Frame) -> Result<(), Reentered> {
        self.acquire(ptr::from_ref(frame) as usize)
    }

    /// The value, while this thread holds the lock.
    ///
    /// # Safety
    /// The calling thread holds the lock (a successful [`lock`](Self::lock) not yet given back),
    /// and uses the reference only until it gives the lock back.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn get(&self) -> &mut T {
        // SAFETY: exclusive by the lock (the caller's contract).
        unsafe { &mut *self.value.get() }
    }

    /// Gives back the lock taken by [`lock`](Self::lock).
    #[inline]
    pub(crate) fn unlock(&self) {
        self.owner.store(0, Ordering::Release);
    }

    #[inline]
    fn acquire(&self, me: usize) -> Result<(), Reentered> {
        match self
            .owner
            .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
        {
            Ok(_) => Ok(()),
            // SAFETY: no requirement beyond the types (the attribute only sets the ABI).
            Err(owner) => match unsafe { contended(&self.owner, owner, me) } {
                true => Ok(()),
                false => Err(Reentered),
            },
        }
    }
}

/// The lock word `lock` held `owner`: refuses a re-entry (returns false), else waits for the
/// other thread (yields, then sleeps 50 µs at a time) until it gives the lock back and takes it
/// for `me` (returns true). `extern "system"`, like the request modules' slot functions that
/// call it (see `http_module.rs`); never unwinds.
#[cold]
#[inline(never)]
#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn contended(lock: &AtomicUsize, owner: usize, me: usize) -> bool {
    // Only this thread ever stores its own marker or the address of one of its live frames
    // (other threads' frames are on other stacks), so a match cannot be stale.
    if owner == thread_marker() || is_this_threads_frame(owner) {
        return false;
    }
    for attempt in 0u32.. {
        if attempt < 64 {
            std::thread::yield_now();
        } else {
            std::thread::sleep(std::time::Duration::from_micros(50));
        }
        if lock
            .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            break;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_refuses_reentry_and_serializes_threads() {
        let cell = Exclusive::new(0u32);
        assert_eq!(
            cell.with(|v| cell.with(|_| ()).map(|()| *v)),
            Ok(Err(Reentered))
        );
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        cell.with(|v| *v += 1).unwrap();
                    }
                });
            }
        });
        assert_eq!(cell.with(|v| *v), Ok(4000));
    }

    #[test]
    fn lock_refuses_a_frame_of_the_same_thread_and_serializes_threads() {
        let cell = Exclusive::new(0u32);
        let outer = Frame::run(ptr::null(), ptr::null_mut(), false, |frame| {
            cell.lock(frame).unwrap();
            // A call back into the same object, from a frame entered inside the first.
            let inner = Frame::run(ptr::null(), ptr::null_mut(), false, |frame| {
                cell.lock(frame)
            });
            // `with` (thread marker) sees the frame's lock as this thread's too.
            let with = cell.with(|_| ());
            cell.unlock();
            (inner, with)
        });
        assert_eq!(outer, (Err(Reentered), Err(Reentered)));
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        Frame::run(ptr::null(), ptr::null_mut(), false, |frame| {
                            cell.lock(frame).unwrap();
                            // SAFETY: locked.
                            unsafe { *cell.get() += 1 };
                            cell.unlock();
                        });
                    }
                });
            }
        });
        assert_eq!(cell.with(|v| *v), Ok(4000));
    }

    #[test]
    fn frames_nest_and_each_question_finds_the_innermost_frame_that_answers_it() {
        let a = Registered {
            id: 1 as HTTP_MODULE_ID,
            server: ptr::null_mut(),
        };
        let ctx = ptr::dangling_mut::<IHttpContext>();
        assert!(!guarded());
        assert_eq!(notification(|f| f.ctx()), None);
        Frame::run(&a, ctx, true, |outer| {
            assert!(guarded());
            // A frame with neither a registration nor a notification (a `guard`).
            Frame::run(ptr::null(), ptr::null_mut(), false, |_| {
                assert_eq!(current(), Some(a));
                assert_eq!(notification(|f| f.ctx()), Some(ctx));
                assert!(notification(|f| ptr::eq(f, outer)).unwrap());
                assert!(guarded(), "the outer frame catches");
            });
        });
        assert!(!guarded());
        assert_eq!(notification(|f| f.ctx()), None);
        // Left on unwind too.
        let caught = std::panic::catch_unwind(|| {
            Frame::run(&a, ctx, true, |_| panic!("unwinds through the frame"))
        });
        assert!(caught.is_err());
        assert_eq!(notification(|f| f.ctx()), None);
        assert_eq!(TOP.with(Cell::get), ptr::null());
    }

    #[test]
    fn enter_sets_and_restores_the_current_registration() {
        let a = Registered {
            id: 1 as HTTP_MODULE_ID,
            server: ptr::null_mut(),
        };
        let b = Registered {
            id: 2 as HTTP_MODULE_ID,
            server: ptr::null_mut(),
        };
        enter(a, || {
            assert_eq!(current(), Some(a));
            enter(b, || assert_eq!(current(), Some(b)));
            assert_eq!(current(), Some(a));
        });
    }
}
