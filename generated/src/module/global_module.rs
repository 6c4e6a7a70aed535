//! `CGlobalModule` implemented by a Rust type.

use core::any::Any;
use core::ffi::c_void;
use core::mem::ManuallyDrop;
use core::ptr;
use std::panic::{self, AssertUnwindSafe};

use super::panic::{caught, guard, install_std_hook, report};
use super::scope::{self, Frame, Registered};
use crate::*;

macro_rules! global_module {
    ($(
        $(#[$doc:meta])*
        $cpp:ident => $rust:ident($($provider:ty)?);
    )*) => {
        /// A global module: IIS's `CGlobalModule`, one instance for the worker process.
        ///
        /// Implement the notifications registered in the `global_notifications` mask of
        /// [`register_module!`](crate::register_module); the defaults return
        /// `GL_NOTIFICATION_CONTINUE`. IIS calls them from many threads at once, hence
        /// `Send + Sync` and `&self`. A panic is caught and reported, and IIS gets
        /// `GL_NOTIFICATION_CONTINUE`. `Terminate` runs [`terminate`](Self::terminate), then
        /// drops the module.
        pub trait GlobalModule: Send + Sync + 'static {
            $(
                $(#[$doc])*
                fn $rust(&self $(, provider: &$provider)?) -> GLOBAL_NOTIFICATION_STATUS {
                    $(let _: &$provider = provider;)?
                    GL_NOTIFICATION_CONTINUE
                }
            )*

            /// `OnSuspendProcess` (`GL_SUSPEND_PROCESS`): the worker process is being suspended;
            /// store an `IGlobalSuspendProcessCallback` in `callback` to be told when it resumes.
            fn on_suspend_process(
                &self,
                callback: &mut *mut IGlobalSuspendProcessCallback,
            ) -> GLOBAL_NOTIFICATION_STATUS {
                let _ = callback;
                GL_NOTIFICATION_CONTINUE
            }

            /// `Terminate`: the worker process is shutting down; called once, last. The module
            /// is dropped right after.
            fn terminate(&mut self) {}
        }

        impl<G: GlobalModule> CGlobalModule_Impl for GlobalCell<G> {
            $(
                global_module!(@slot $cpp $rust $($provider)?);
            )*

            unsafe fn OnSuspendProcess(
                this: *mut RustObject<Self>,
                pCallback: *mut *mut IGlobalSuspendProcessCallback,
            ) -> GLOBAL_NOTIFICATION_STATUS {
                let mut unused = core::ptr::null_mut();
                // SAFETY: IIS passes this object and a writable pointer (or NULL).
                let callback = unsafe { pCallback.as_mut() }.unwrap_or(&mut unused);
                unsafe {
                    dispatch(this, &"CGlobalModule::OnSuspendProcess", false, |g| {
                        g.on_suspend_process(callback)
                    })
                }
            }

            unsafe fn Terminate(this: *mut RustObject<Self>) {
                // SAFETY: IIS terminates the module once, last; it came from `Box`.
                unsafe {
                    let registered = (*this).value.registered;
                    scope::enter(registered, || {
                        let _ = guard("CGlobalModule::Terminate", || (*this).value.global.terminate());
                        let _ = guard("CGlobalModule::Terminate", || drop(Box::from_raw(this)));
                    });
                }
            }
        }
    };
    (@slot $cpp:ident $rust:ident $provider:ty) => {
        // Inlined into the slot function: one function, one prologue on the fast path.
        #[inline(always)]
        unsafe fn $cpp(
            this: *mut RustObject<Self>,
            pProvider: *mut $provider,
        ) -> GLOBAL_NOTIFICATION_STATUS {
            // SAFETY: IIS passes this object and a live provider (checked for NULL).
            unsafe {
                dispatch(this, &concat!("CGlobalModule::", stringify!($cpp)), pProvider.is_null(), |g| {
                    g.$rust(&*pProvider)
                })
            }
        }
    };
    (@slot $cpp:ident $rust:ident) => {
        #[inline(always)]
        unsafe fn $cpp(this: *mut RustObject<Self>) -> GLOBAL_NOTIFICATION_STATUS {
            // SAFETY: IIS passes this object.
            unsafe { dispatch(this, &concat!("CGlobalModule::", stringify!($cpp)), false, |g| g.$rust()) }
        }
    };
}

global_module! {
    /// `OnGlobalStopListening` (`GL_STOP_LISTENING`): the worker process stops accepting requests.
    OnGlobalStopListening => on_global_stop_listening(IGlobalStopListeningProvider);
    /// `OnGlobalCacheCleanup` (`GL_CACHE_CLEANUP`).
    OnGlobalCacheCleanup => on_global_cache_cleanup();
    /// `OnGlobalCacheOperation` (`GL_CACHE_OPERATION`).
    OnGlobalCacheOperation => on_global_cache_operation(ICacheProvider);
    /// `OnGlobalHealthCheck` (`GL_HEALTH_CHECK`).
    OnGlobalHealthCheck => on_global_health_check();
    /// `OnGlobalConfigurationChange` (`GL_CONFIGURATION_CHANGE`).
    OnGlobalConfigurationChange => on_global_configuration_change(IGlobalConfigurationChangeProvider);
    /// `OnGlobalFileChange` (`GL_FILE_CHANGE`).
    OnGlobalFileChange => on_global_file_change(IGlobalFileChangeProvider);
    /// `OnGlobalPreBeginRequest` (`GL_PRE_BEGIN_REQUEST`): before any request notification;
    /// the provider gives the request's `IHttpContext`.
    OnGlobalPreBeginRequest => on_global_pre_begin_request(IPreBeginRequestProvider);
    /// `OnGlobalApplicationStart` (`GL_APPLICATION_START`).
    OnGlobalApplicationStart => on_global_application_start(IHttpApplicationStartProvider);
    /// `OnGlobalApplicationResolveModules` (`GL_APPLICATION_RESOLVE_MODULES`).
    OnGlobalApplicationResolveModules => on_global_application_resolve_modules(IHttpApplicationResolveModulesProvider);
    /// `OnGlobalApplicationStop` (`GL_APPLICATION_STOP`).
    OnGlobalApplicationStop => on_global_application_stop(IHttpApplicationStopProvider);
    /// `OnGlobalRSCAQuery` (`GL_RSCA_QUERY`).
    OnGlobalRSCAQuery => on_global_rsca_query(IGlobalRSCAQueryProvider);
    /// `OnGlobalTraceEvent` (`GL_TRACE_EVENT`).
    OnGlobalTraceEvent => on_global_trace_event(IGlobalTraceEventProvider);
    /// `OnGlobalCustomNotification` (`GL_CUSTOM_NOTIFICATION`).
    OnGlobalCustomNotification => on_global_custom_notification(ICustomNotificationProvider);
    /// `OnGlobalThreadCleanup` (`GL_THREAD_CLEANUP`).
    OnGlobalThreadCleanup => on_global_thread_cleanup(IGlobalThreadCleanupProvider);
    /// `OnGlobalApplicationPreload` (`GL_APPLICATION_PRELOAD`).
    OnGlobalApplicationPreload => on_global_application_preload(IGlobalApplicationPreloadProvider);
}

/// The Rust state of a `CGlobalModule` object.
pub(crate) struct GlobalCell<G> {
    registered: Registered,
    global: G,
}

impl<G: GlobalModule> GlobalCell<G> {
    const VTABLE: &'static CGlobalModule_Vtbl = &CGlobalModule_Vtbl::new::<Self>();

    /// A new `CGlobalModule` object for IIS, freed by `Terminate`.
    pub(crate) fn into_cpp(global: G, registered: Registered) -> *mut CGlobalModule {
        // The notifications' fast path relies on it (it does not check).
        install_std_hook();
        let object = Box::new(RustObject {
            lpVtbl: (Self::VTABLE as *const CGlobalModule_Vtbl).cast::<c_void>(),
            value: GlobalCell { registered, global },
        });
        Box::into_raw(object).cast()
    }

    /// Frees an object IIS did not accept.
    ///
    /// # Safety
    /// `object` came from [`Self::into_cpp`] and IIS does not hold it.
    pub(crate) unsafe fn free(object: *mut CGlobalModule) {
        // SAFETY: per the contract.
        drop(unsafe { Box::from_raw(object.cast::<RustObject<Self>>()) });
    }
}

/// One global notification. The fast path, inlined into the slot function IIS calls: enter a
/// frame on the stack (one thread-local load and store: the registration, found through it by
/// `module_id()`, `server()` and the state API, and the mark that panics are caught), call the
/// handler under `catch_unwind` (free unless it panics), leave the frame (one store). No lock:
/// `G: Sync`, IIS may call a global module from many threads at once. The NULL provider and the
/// panic are out of line, `extern "system"` like the slot function (see `http_module.rs`: no
/// Win64 -> SysV transition of the framework's own on this host).
#[inline(always)]
unsafe fn dispatch<G: GlobalModule>(
    this: *mut RustObject<GlobalCell<G>>,
    // A reference to a static reference: passed on as one pointer.
    method: &'static &'static str,
    null_argument: bool,
    call: impl FnOnce(&G) -> GLOBAL_NOTIFICATION_STATUS,
) -> GLOBAL_NOTIFICATION_STATUS {
    if null_argument {
        // SAFETY: no requirement beyond the types (the attribute only sets the ABI).
        return unsafe { refuse_null_provider(method) };
    }
    // SAFETY: a live object; `&G` is shared, as `G: Sync` allows.
    let cell = unsafe { &(*this).value };
    // One frame: this object's registration, panics caught.
    let frame = Frame::new(&cell.registered, ptr::null_mut(), true);
    let previous = frame.previous();
    // SAFETY: entered right after it was made; left below, before `frame` goes away; nothing
    // in between unwinds (the handler runs under `catch_unwind`), and frames the handler enters
    // are left before it returns.
    unsafe { frame.enter() };
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| call(&cell.global)));
    // SAFETY: read from `frame` above.
    unsafe { frame.leave_to(previous) };
    match outcome {
        Ok(status) => status,
        Err(payload) => {
            // Moved out by `global_panicked` (a `ManuallyDrop`: no drop code, a Rust call, here).
            let mut payload = ManuallyDrop::new(payload);
            // SAFETY: `payload` is not used again.
            unsafe { global_panicked(method, &mut payload) }
        }
    }
}

/// IIS passed a NULL provider: the module is not called.
#[cold]
#[inline(never)]
#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn refuse_null_provider(
    method: &&'static str,
) -> GLOBAL_NOTIFICATION_STATUS {
    report(
        method,
        "IIS passed a NULL provider; the module was not called",
        None,
    );
    GL_NOTIFICATION_CONTINUE
}

/// A global notification panicked: reports the panic; IIS gets `GL_NOTIFICATION_CONTINUE`.
///
/// # Safety
/// `payload` is moved out (the caller does not use it again).
#[cold]
#[inline(never)]
#[httpserv_macros::abi(winapi)]
unsafe extern "system" fn global_panicked(
    method: &&'static str,
    payload: &mut ManuallyDrop<Box<dyn Any + Send>>,
) -> GLOBAL_NOTIFICATION_STATUS {
    // SAFETY: the caller's contract.
    let payload = unsafe { ManuallyDrop::take(payload) };
    caught(method, payload);
    GL_NOTIFICATION_CONTINUE
}
