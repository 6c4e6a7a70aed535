//! `CHttpModule` implemented by a Rust type: the [`HttpModule`] trait and the object IIS holds.

use core::any::Any;
use core::ffi::c_void;
use core::mem::ManuallyDrop;
use core::ptr;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

use windows_sys::core::BOOL;

use super::completion;
use super::panic::{caught, guard, install_std_hook, report};
use super::raw_calls;
use super::scope::{self, Exclusive, Frame, Registered};
use crate::*;

macro_rules! http_module {
    ($(
        $(#[$doc:meta])*
        $cpp:ident => $rust:ident($provider:ty);
    )*) => {
        /// A request-level module: IIS's `CHttpModule`, one instance per request.
        ///
        /// Implement the notifications you registered for (the `request`/`post_request` masks
        /// of [`register_module!`](crate::register_module)); every method has a default that
        /// returns `RQ_NOTIFICATION_CONTINUE`, like the C++ class minus its debug break. Post
        /// notifications (`on_post_*`) run when the module registered the same bit in
        /// `post_request`.
        ///
        /// IIS creates the instance through the module's [`HttpModuleFactory`] when a request
        /// reaches the first notification the module registered for, calls the notifications
        /// one at a time (possibly on different threads, hence `Send`; never concurrently: the
        /// framework also serializes a completion that races with the notification that
        /// returned `RQ_NOTIFICATION_PENDING`) and drops it when IIS disposes of it at the end
        /// of the request.
        ///
        /// A panic in a notification is caught: the response becomes a 500 (unless its headers
        /// were sent), the hook of [`set_panic_hook`](super::set_panic_hook) is told, and IIS
        /// gets `RQ_NOTIFICATION_FINISH_REQUEST`. The module instance stays in use for the
        /// notifications that follow (`on_end_request`...).
        ///
        /// [`HttpModuleFactory`]: super::HttpModuleFactory
        pub trait HttpModule: Send + 'static {
            $(
                $(#[$doc])*
                fn $rust(
                    &mut self,
                    ctx: &IHttpContext,
                    provider: &$provider,
                ) -> REQUEST_NOTIFICATION_STATUS {
                    let _ = (ctx, provider);
                    RQ_NOTIFICATION_CONTINUE
                }
            )*

            /// `OnAsyncCompletion`: an operation started with `RQ_NOTIFICATION_PENDING` (or an
            /// asynchronous IIS call) completed. `notification` is the `RQ_*` bit and
            /// `post_notification` tells whether it was the post notification that went
            /// pending; `completion` gives the byte count and status of the completion.
            /// Return `RQ_NOTIFICATION_PENDING` again to keep waiting.
            fn on_async_completion(
                &mut self,
                ctx: &IHttpContext,
                notification: u32,
                post_notification: bool,
                provider: &IHttpEventProvider,
                completion: &IHttpCompletionInfo,
            ) -> REQUEST_NOTIFICATION_STATUS {
                let _ = (ctx, notification, post_notification, provider, completion);
                RQ_NOTIFICATION_CONTINUE
            }
        }

        impl<M: HttpModule> CHttpModule_Impl for ModuleCell<M> {
            $(
                // Inlined into the slot function: one function, one prologue on the fast path.
                #[inline(always)]
                unsafe fn $cpp(
                    this: *mut RustObject<Self>,
                    pHttpContext: *mut IHttpContext,
                    pProvider: *mut $provider,
                ) -> REQUEST_NOTIFICATION_STATUS {
                    // SAFETY: IIS passes this object and live arguments (checked for NULL).
                    unsafe {
                        dispatch(
                            this,
                            &concat!("CHttpModule::", stringify!($cpp)),
                            pHttpContext,
                            pProvider.is_null(),
                            |module, ctx| module.$rust(ctx, &*pProvider),
                        )
                    }
                }
            )*

            #[inline(always)]
            unsafe fn OnAsyncCompletion(
                this: *mut RustObject<Self>,
                pHttpContext: *mut IHttpContext,
                dwNotification: u32,
                fPostNotification: BOOL,
                pProvider: *mut IHttpEventProvider,
                pCompletionInfo: *mut IHttpCompletionInfo,
            ) -> REQUEST_NOTIFICATION_STATUS {
                // SAFETY: as above.
                unsafe {
                    dispatch(
                        this,
                        &"CHttpModule::OnAsyncCompletion",
                        pHttpContext,
                        pProvider.is_null() || pCompletionInfo.is_null(),
                        |module, ctx| {
                            module.on_async_completion(
                                ctx,
                                dwNotification,
                                fPostNotification != 0,
                                &*pProvider,
                                &*pCompletionInfo,
                            )
                        },
                    )
                }
            }

            unsafe fn Dispose(this: *mut RustObject<Self>) {
                // SAFETY: IIS disposes of the module once; the object came from `Box`.
                unsafe { destroy(this, true) }
            }

            unsafe fn ScalarDeletingDestructor(
                this: *mut RustObject<Self>,
                flags: u32,
            ) -> *mut c_void {
                // SAFETY: `delete` from C++ (flag 1) frees; flag 0 only destroys.
                unsafe { destroy(this, flags & 1 != 0) };
                this.cast()
            }
        }
    };
}

http_module! {
    /// `OnBeginRequest` (`RQ_BEGIN_REQUEST`): the first notification of every request.
    OnBeginRequest => on_begin_request(IHttpEventProvider);
    /// `OnPostBeginRequest` (post `RQ_BEGIN_REQUEST`).
    OnPostBeginRequest => on_post_begin_request(IHttpEventProvider);
    /// `OnAuthenticateRequest` (`RQ_AUTHENTICATE_REQUEST`): set the user through the provider.
    OnAuthenticateRequest => on_authenticate_request(IAuthenticationProvider);
    /// `OnPostAuthenticateRequest` (post `RQ_AUTHENTICATE_REQUEST`).
    OnPostAuthenticateRequest => on_post_authenticate_request(IHttpEventProvider);
    /// `OnAuthorizeRequest` (`RQ_AUTHORIZE_REQUEST`).
    OnAuthorizeRequest => on_authorize_request(IHttpEventProvider);
    /// `OnPostAuthorizeRequest` (post `RQ_AUTHORIZE_REQUEST`).
    OnPostAuthorizeRequest => on_post_authorize_request(IHttpEventProvider);
    /// `OnResolveRequestCache` (`RQ_RESOLVE_REQUEST_CACHE`).
    OnResolveRequestCache => on_resolve_request_cache(IHttpEventProvider);
    /// `OnPostResolveRequestCache` (post `RQ_RESOLVE_REQUEST_CACHE`).
    OnPostResolveRequestCache => on_post_resolve_request_cache(IHttpEventProvider);
    /// `OnMapRequestHandler` (`RQ_MAP_REQUEST_HANDLER`): the provider can replace the handler.
    OnMapRequestHandler => on_map_request_handler(IMapHandlerProvider);
    /// `OnPostMapRequestHandler` (post `RQ_MAP_REQUEST_HANDLER`).
    OnPostMapRequestHandler => on_post_map_request_handler(IHttpEventProvider);
    /// `OnAcquireRequestState` (`RQ_ACQUIRE_REQUEST_STATE`).
    OnAcquireRequestState => on_acquire_request_state(IHttpEventProvider);
    /// `OnPostAcquireRequestState` (post `RQ_ACQUIRE_REQUEST_STATE`).
    OnPostAcquireRequestState => on_post_acquire_request_state(IHttpEventProvider);
    /// `OnPreExecuteRequestHandler` (`RQ_PRE_EXECUTE_REQUEST_HANDLER`).
    OnPreExecuteRequestHandler => on_pre_execute_request_handler(IHttpEventProvider);
    /// `OnPostPreExecuteRequestHandler` (post `RQ_PRE_EXECUTE_REQUEST_HANDLER`).
    OnPostPreExecuteRequestHandler => on_post_pre_execute_request_handler(IHttpEventProvider);
    /// `OnExecuteRequestHandler` (`RQ_EXECUTE_REQUEST_HANDLER`): where a handler writes the
    /// response; return `RQ_NOTIFICATION_FINISH_REQUEST` when it did.
    OnExecuteRequestHandler => on_execute_request_handler(IHttpEventProvider);
    /// `OnPostExecuteRequestHandler` (post `RQ_EXECUTE_REQUEST_HANDLER`).
    OnPostExecuteRequestHandler => on_post_execute_request_handler(IHttpEventProvider);
    /// `OnReleaseRequestState` (`RQ_RELEASE_REQUEST_STATE`).
    OnReleaseRequestState => on_release_request_state(IHttpEventProvider);
    /// `OnPostReleaseRequestState` (post `RQ_RELEASE_REQUEST_STATE`).
    OnPostReleaseRequestState => on_post_release_request_state(IHttpEventProvider);
    /// `OnUpdateRequestCache` (`RQ_UPDATE_REQUEST_CACHE`).
    OnUpdateRequestCache => on_update_request_cache(IHttpEventProvider);
    /// `OnPostUpdateRequestCache` (post `RQ_UPDATE_REQUEST_CACHE`).
    OnPostUpdateRequestCache => on_post_update_request_cache(IHttpEventProvider);
    /// `OnLogRequest` (`RQ_LOG_REQUEST`).
    OnLogRequest => on_log_request(IHttpEventProvider);
    /// `OnPostLogRequest` (post `RQ_LOG_REQUEST`).
    OnPostLogRequest => on_post_log_request(IHttpEventProvider);
    /// `OnEndRequest` (`RQ_END_REQUEST`): the last notification of every request.
    OnEndRequest => on_end_request(IHttpEventProvider);
    /// `OnPostEndRequest` (post `RQ_END_REQUEST`).
    OnPostEndRequest => on_post_end_request(IHttpEventProvider);
    /// `OnSendResponse` (`RQ_SEND_RESPONSE`, no post notification): the response (headers on
    /// the first call) is about to be sent; headers can still be changed.
    OnSendResponse => on_send_response(ISendResponseProvider);
    /// `OnMapPath` (`RQ_MAP_PATH`, no post notification): the provider can change the
    /// physical path of a URL.
    OnMapPath => on_map_path(IMapPathProvider);
    /// `OnReadEntity` (`RQ_READ_ENTITY`, no post notification): request body read.
    OnReadEntity => on_read_entity(IReadEntityProvider);
    /// `OnCustomRequestNotification` (`RQ_CUSTOM_NOTIFICATION`, no post notification).
    OnCustomRequestNotification => on_custom_request_notification(ICustomNotificationProvider);
}

/// The Rust state of a `CHttpModule` object: a `RustObject<ModuleCell<M>>` on the Rust heap.
pub(crate) struct ModuleCell<M> {
    registered: Registered,
    dropped: AtomicBool,
    module: Exclusive<ManuallyDrop<M>>,
}

impl<M: HttpModule> ModuleCell<M> {
    const VTABLE: &'static CHttpModule_Vtbl = &CHttpModule_Vtbl::new::<Self>();

    /// A new `CHttpModule` object for IIS (freed by `Dispose` or the deleting destructor).
    pub(crate) fn into_cpp(module: M, registered: Registered) -> *mut CHttpModule {
        // The notifications' fast path relies on it (it does not check).
        install_std_hook();
        let object = Box::new(RustObject {
            lpVtbl: (Self::VTABLE as *const CHttpModule_Vtbl).cast::<c_void>(),
            value: ModuleCell {
                registered,
                dropped: AtomicBool::new(false),
                module: Exclusive::new(ManuallyDrop::new(module)),
            },
        });
        Box::into_raw(object).cast()
    }
}

/// One notification. The fast path, inlined into the slot function IIS calls: lock the module
/// (one compare-and-swap), enter a frame on the stack (one thread-local load and store: the
/// registration, the context and the completion handle are in the frame, found through it only
/// by the code that asks), call the handler under `catch_unwind` (free unless it panics), leave
/// the frame and unlock (two stores). Everything else (NULL arguments, a contended or re-entered
/// lock, a panic, a completion handle) is out of line.
#[inline(always)]
unsafe fn dispatch<M: HttpModule>(
    this: *mut RustObject<ModuleCell<M>>,
    // A reference to a static reference: passed on as one pointer.
    method: &'static &'static str,
    ctx: *mut IHttpContext,
    null_argument: bool,
    call: impl FnOnce(&mut M, &IHttpContext) -> REQUEST_NOTIFICATION_STATUS,
) -> REQUEST_NOTIFICATION_STATUS {
    if ctx.is_null() || null_argument {
        // SAFETY: `ctx` is NULL or live.
        return unsafe { refuse_null_argument(method, ctx) };
    }
    // SAFETY: `this` is a live module object.
    let cell = unsafe { &(*this).value };
    let frame = Frame::new(&cell.registered, ctx, true);
    let previous = frame.previous();
    if cell.module.lock(&frame).is_err() {
        // SAFETY: a live context.
        return unsafe { refuse_reentry(method, ctx) };
    }
    // SAFETY: no frame was entered or left since `frame` was made (taking the lock, also when
    // it waits, does neither); left below, before `frame` goes away; nothing in between
    // unwinds (the handler runs under `catch_unwind`), and frames the handler enters are left
    // before it returns.
    unsafe { frame.enter() };
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: this thread holds the lock until `unlock` below; `ctx` is live for the call.
        call(unsafe { cell.module.get() }, unsafe { &*ctx })
    }));
    // SAFETY: read from `frame` above.
    unsafe { frame.leave_to(previous) };
    cell.module.unlock();
    let handle = frame.handle.get();
    match outcome {
        Ok(status) if handle.is_null() => status,
        // SAFETY: `handle` is the frame's, taken back once, here.
        Ok(status) => unsafe { finish_with_handle(status, handle) },
        Err(payload) => {
            // Moved out by `finish_panic` (a `ManuallyDrop`, so that no drop code, a Rust call,
            // is left here).
            let mut payload = ManuallyDrop::new(payload);
            // SAFETY: as above; `ctx` is live; `payload` is not used again.
            unsafe { finish_panic(method, ctx, &mut payload, handle) }
        }
    }
}

// The out-of-line paths of `dispatch` are `extern "system"` functions (through `#[abi(winapi)]`:
// `win64` on x86_64 outside Windows): a call to one from a slot function, which has the same
// convention, keeps the caller's registers as they are. A call to a Rust function would be a
// Win64 -> SysV transition on this host, making every slot function save and restore
// xmm6-xmm15 on its fast path for a call it rarely makes. (On Windows they are Rust's own
// convention; nothing changes.) They never unwind: they catch what they call.

/// A notification that created a [`CompletionHandle`](super::CompletionHandle) returned
/// `status` (module unlocked): arms the handle if it is `PENDING`, else disarms it. Returns
/// `status`.
///
/// # Safety
/// `handle` is the frame's handle, taken back once, here.
#[cold]
#[inline(never)]
#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn finish_with_handle(
    status: REQUEST_NOTIFICATION_STATUS,
    handle: *const c_void,
) -> REQUEST_NOTIFICATION_STATUS {
    // SAFETY: the caller's contract.
    unsafe { completion::finish(handle, status == RQ_NOTIFICATION_PENDING) };
    status
}

/// A notification panicked (module unlocked): disarms its completion handle if it made one,
/// reports the panic, turns the response into a 500 and finishes the request.
///
/// # Safety
/// `ctx` is live; `handle` is NULL or the frame's handle, taken back once, here; `payload` is
/// moved out (the caller does not use it again).
#[cold]
#[inline(never)]
#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn finish_panic(
    method: &&'static str,
    ctx: *mut IHttpContext,
    payload: &mut ManuallyDrop<Box<dyn Any + Send>>,
    handle: *const c_void,
) -> REQUEST_NOTIFICATION_STATUS {
    // SAFETY: the caller's contract.
    let payload = unsafe { ManuallyDrop::take(payload) };
    if !handle.is_null() {
        // SAFETY: the caller's contract.
        unsafe { completion::finish(handle, false) };
    }
    caught(method, payload);
    // SAFETY: a live context.
    unsafe { raw_calls::fail_with_500(ctx) };
    RQ_NOTIFICATION_FINISH_REQUEST
}

/// IIS passed a NULL context or provider: the module is not called.
///
/// # Safety
/// `ctx` is NULL or live.
#[cold]
#[inline(never)]
#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn refuse_null_argument(
    method: &&'static str,
    ctx: *mut IHttpContext,
) -> REQUEST_NOTIFICATION_STATUS {
    if ctx.is_null() {
        report(
            method,
            "IIS passed a NULL IHttpContext; the module was not called",
            None,
        );
    } else {
        report(
            method,
            "IIS passed a NULL provider; the module was not called",
            None,
        );
        // SAFETY: a live context.
        unsafe { raw_calls::fail_with_500(ctx) };
    }
    RQ_NOTIFICATION_FINISH_REQUEST
}

/// IIS called the module from inside one of its own notifications on the same thread.
///
/// # Safety
/// `ctx` is live.
#[cold]
#[inline(never)]
#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn refuse_reentry(
    method: &&'static str,
    ctx: *mut IHttpContext,
) -> REQUEST_NOTIFICATION_STATUS {
    report(
        method,
        "IIS called the module again from inside one of its notifications on the same thread; \
         the call was refused",
        None,
    );
    // SAFETY: a live context.
    unsafe { raw_calls::fail_with_500(ctx) };
    RQ_NOTIFICATION_FINISH_REQUEST
}

/// Drops the module once, and frees the object when `free` (never twice: `dropped`).
unsafe fn destroy<M: HttpModule>(this: *mut RustObject<ModuleCell<M>>, free: bool) {
    // SAFETY: the object is live until freed below.
    let cell = unsafe { &(*this).value };
    if !cell.dropped.swap(true, Ordering::AcqRel) {
        let dropped = Frame::run(&cell.registered, ptr::null_mut(), false, |frame| {
            cell.module.lock(frame)?;
            // SAFETY: this thread holds the lock; dropped once, guarded by `dropped`; never
            // used afterwards.
            let _ = guard("CHttpModule::Dispose", || unsafe {
                ManuallyDrop::drop(cell.module.get())
            });
            cell.module.unlock();
            Ok::<(), scope::Reentered>(())
        });
        if dropped.is_err() {
            report(
                "CHttpModule::Dispose",
                "disposed from inside one of its own notifications; the module was leaked",
                None,
            );
            return;
        }
    }
    if free {
        // SAFETY: allocated by `into_cpp`; the module inside is `ManuallyDrop`.
        drop(unsafe { Box::from_raw(this) });
    }
}
