//! Finishing a request asynchronously: [`CompletionHandle`] and `IHttpContext3`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};

use windows_sys::core::HRESULT;

use super::panic::report;
use super::raw_calls::{self, E_INVALID_STATE, E_INVALIDARG};
use super::scope;
use crate::*;

/// The `IHttpContext3` of a request, obtained as httpserv.h's `HttpGetExtendedInterface` does
/// (through the `IHttpServer` given to `RegisterModule`); `None` if IIS does not provide it
/// (before IIS 8) or no module is registered yet.
pub fn http_context3(ctx: &IHttpContext) -> Option<&IHttpContext3> {
    // SAFETY: the registration's server pointer is NULL or the live IHttpServer IIS gave.
    let server = unsafe { scope::current()?.server.as_ref() }?;
    server.http_get_extended_interface(ctx).ok()
}

const CREATED: u8 = 0;
const EARLY: u8 = 1;
const ARMED: u8 = 2;
const DONE: u8 = 3;
const DEAD: u8 = 4;

struct Shared {
    state: AtomicU8,
    bytes: AtomicU32,
    ctx3: *mut IHttpContext3,
}

// SAFETY: `ctx3` is only used in the states where IIS keeps the request alive for us.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

/// A promise to finish a notification later, from any thread: the safe form of "return
/// `RQ_NOTIFICATION_PENDING`, then call `IHttpContext3::PostCompletion`".
///
/// Create it inside a notification with [`CompletionHandle::new`], send it to the thread that
/// does the work, and return `RQ_NOTIFICATION_PENDING`. [`post`](Self::post) (or dropping the
/// handle, which posts 0 bytes) makes IIS call the module's
/// [`on_async_completion`](super::HttpModule::on_async_completion) with that byte count.
///
/// It is safe because the framework sees the status the notification returns: the handle is
/// armed only if it is `RQ_NOTIFICATION_PENDING` (IIS then keeps the request alive until the
/// completion is posted). A handle whose notification returned anything else (or panicked)
/// posts nothing, and `post` fails with `HRESULT_FROM_WIN32(ERROR_INVALID_STATE)`. A `post`
/// that runs before the notification has returned is deferred until it has.
pub struct CompletionHandle {
    shared: Arc<Shared>,
    posted: bool,
}

impl CompletionHandle {
    /// A handle for the notification running on this thread, which must be a notification of
    /// `ctx` (not of a child request). One per notification.
    ///
    /// # Errors
    /// `HRESULT_FROM_WIN32(ERROR_INVALID_STATE)` outside a notification or for a second handle
    /// in the same notification, `E_INVALIDARG` for another request's context, and the error of
    /// `HttpGetExtendedInterface` when IIS has no `IHttpContext3`.
    pub fn new(ctx: &IHttpContext) -> Result<Self, HRESULT> {
        let ctx_ptr = (ctx as *const IHttpContext).cast_mut();
        match scope::notification(|frame| (frame.ctx(), frame.handle.get().is_null())) {
            None => Err(E_INVALID_STATE),
            Some((frame_ctx, _)) if frame_ctx != ctx_ptr => Err(E_INVALIDARG),
            Some((_, false)) => Err(E_INVALID_STATE),
            Some(_) => Ok(()),
        }?;
        // SAFETY: the registration's server pointer is NULL or the live IHttpServer IIS gave.
        let server = unsafe { scope::current().and_then(|r| r.server.as_ref()) }
            .ok_or(raw_calls::E_POINTER)?;
        let ctx3: &IHttpContext3 = server
            .http_get_extended_interface(ctx)
            .map_err(|e| e.code())?;
        let shared = Arc::new(Shared {
            state: AtomicU8::new(CREATED),
            bytes: AtomicU32::new(0),
            ctx3: core::ptr::from_ref(ctx3).cast_mut(),
        });
        // The same notification as above: IIS does not run another notification on this thread
        // from inside `HttpGetExtendedInterface`.
        scope::notification(|frame| {
            if frame.handle.get().is_null() {
                frame
                    .handle
                    .set(Arc::into_raw(shared.clone()).cast::<core::ffi::c_void>());
            }
        });
        Ok(CompletionHandle {
            shared,
            posted: false,
        })
    }

    /// Completes the pending notification: IIS calls `OnAsyncCompletion` with `bytes` as the
    /// completion's byte count (`IHttpContext3::PostCompletion(bytes, NULL, NULL)`).
    ///
    /// # Errors
    /// `HRESULT_FROM_WIN32(ERROR_INVALID_STATE)` when the notification did not return
    /// `RQ_NOTIFICATION_PENDING`, or the error of `PostCompletion`.
    pub fn post(mut self, bytes: u32) -> Result<(), HRESULT> {
        self.posted = true;
        fire(&self.shared, bytes)
    }
}

impl Drop for CompletionHandle {
    fn drop(&mut self) {
        if !self.posted {
            // A dropped handle must not leave the request pending forever.
            let _ = fire(&self.shared, 0);
        }
    }
}

fn fire(shared: &Shared, bytes: u32) -> Result<(), HRESULT> {
    shared.bytes.store(bytes, Ordering::Relaxed);
    loop {
        match shared.state.load(Ordering::Acquire) {
            CREATED => {
                if shared
                    .state
                    .compare_exchange(CREATED, EARLY, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    return Ok(());
                }
            }
            ARMED => {
                if shared
                    .state
                    .compare_exchange(ARMED, DONE, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    // SAFETY: armed: the request is pending on us and alive.
                    let hr = unsafe { raw_calls::post_completion(shared.ctx3, bytes) };
                    return if hr < 0 { Err(hr) } else { Ok(()) };
                }
            }
            _ => return Err(E_INVALID_STATE),
        }
    }
}

/// After a notification that created a [`CompletionHandle`] returned (and the module was
/// unlocked): arms the handle if the notification returned `RQ_NOTIFICATION_PENDING`, or posts
/// the completion that was requested early, or disarms it.
///
/// # Safety
/// `handle` is the value `CompletionHandle::new` stored in the notification's frame (from
/// `Arc::into_raw`), taken back once, here.
pub(crate) unsafe fn finish(handle: *const core::ffi::c_void, pending: bool) {
    // SAFETY: the caller's contract.
    let shared = unsafe { Arc::from_raw(handle.cast::<Shared>()) };
    resolve(&shared, pending);
}

fn resolve(shared: &Shared, pending: bool) {
    if !pending {
        if shared.state.swap(DEAD, Ordering::AcqRel) == EARLY {
            report(
                "CompletionHandle::post",
                "the notification did not return RQ_NOTIFICATION_PENDING; the completion was \
                 not posted",
                None,
            );
        }
        return;
    }
    if shared
        .state
        .compare_exchange(CREATED, ARMED, Ordering::AcqRel, Ordering::Acquire)
        .is_ok()
    {
        return;
    }
    if shared
        .state
        .compare_exchange(EARLY, DONE, Ordering::AcqRel, Ordering::Acquire)
        .is_ok()
    {
        let bytes = shared.bytes.load(Ordering::Relaxed);
        // SAFETY: the notification returned PENDING: the request is alive.
        let hr = unsafe { raw_calls::post_completion(shared.ctx3, bytes) };
        if hr < 0 {
            report(
                "IHttpContext3::PostCompletion",
                &format!("failed with HRESULT 0x{:08X}", hr as u32),
                None,
            );
        }
    }
}
