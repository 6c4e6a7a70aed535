//! Which registration a call belongs to, and mutual exclusion for objects IIS may call from
//! several threads.
//!
//! Every object the framework hands to IIS (factory, request module, global module) remembers
//! the [`Registered`] module it belongs to (its `HTTP_MODULE_ID` and the `IHttpServer` of the
//! `RegisterModule` call). Each trampoline makes that registration *current* on its thread for
//! the duration of the call, so the per-request state API can key by the right module id even
//! when one process (a test, or IIS loading the same DLL under two names) holds several
//! registrations. Outside a trampoline the most recent registration of this DLL is used.

use core::cell::{Cell, UnsafeCell};
use core::ffi::c_void;
use core::ptr;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use crate::{HTTP_MODULE_ID, IHttpServer};

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
    static CURRENT: Cell<Option<Registered>> = const { Cell::new(None) };
    static MARKER: u8 = const { 0 };
}

/// Records a successful registration as the fallback for code outside the trampolines.
pub(crate) fn set_last(registered: Registered) {
    LAST_SERVER.store(registered.server, Ordering::Release);
    LAST_ID.store(registered.id, Ordering::Release);
}

/// The registration of the object whose method is running on this thread, else the most
/// recent registration of this DLL.
pub(crate) fn current() -> Option<Registered> {
    CURRENT.with(Cell::get).or_else(|| {
        let id = LAST_ID.load(Ordering::Acquire);
        let server = LAST_SERVER.load(Ordering::Acquire);
        (!id.is_null() || !server.is_null()).then_some(Registered { id, server })
    })
}

/// Runs `f` with `registered` current on this thread (restored afterwards, also on unwind).
#[inline]
pub(crate) fn enter<R>(registered: Registered, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Registered>);
    impl Drop for Restore {
        #[inline]
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(Some(registered))));
    f()
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

/// The calling thread is already inside [`Exclusive::with`] of the same object.
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
/// One word is the lock and the owner: 0 when free, else the [`thread_marker`] of the thread
/// inside. Taking it is one compare-and-swap, giving it back one store, the least a lock can
/// cost on every notification. The rare second thread waits by yielding, then by sleeping
/// briefly (the first one is usually only returning from its notification).
pub(crate) struct Exclusive<T> {
    owner: AtomicUsize,
    value: UnsafeCell<T>,
}

// SAFETY: `with` hands out `&mut T` to one thread at a time, which is what `T: Send` allows.
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
        let me = thread_marker();
        if let Err(owner) = self
            .owner
            .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
        {
            // Only this thread ever stores its own marker, so `owner == me` cannot be stale.
            if owner == me {
                return Err(Reentered);
            }
            self.wait(me);
        }
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

    /// Takes the lock from another thread: yields, then sleeps 50 µs at a time, until that
    /// thread gives it back.
    #[cold]
    #[inline(never)]
    fn wait(&self, me: usize) {
        for attempt in 0u32.. {
            if attempt < 64 {
                std::thread::yield_now();
            } else {
                std::thread::sleep(std::time::Duration::from_micros(50));
            }
            if self
                .owner
                .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }
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
