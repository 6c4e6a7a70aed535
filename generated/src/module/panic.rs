//! Panic safety: no panic ever unwinds into IIS.
//!
//! Every method IIS calls on a Rust object runs the Rust code inside
//! [`std::panic::catch_unwind`]. A caught panic is reported to the *panic hook* of this module
//! (see [`set_panic_hook`]) and converted into what IIS understands:
//!
//! | where | what IIS gets |
//! |---|---|
//! | a request notification (`CHttpModule::On*`, `OnAsyncCompletion`) | status 500 (unless the headers were sent) and `RQ_NOTIFICATION_FINISH_REQUEST` |
//! | a global notification (`CGlobalModule::On*`) | `GL_NOTIFICATION_CONTINUE` |
//! | `IHttpModuleFactory::GetHttpModule` | `E_FAIL`, no module (IIS answers 500) |
//! | `RegisterModule` | `E_FAIL` (IIS does not load the module) |
//! | `Dispose`, `Terminate`, `CleanupStoredContext`, destructors | nothing: the memory is still freed |
//!
//! Catching needs `panic = "unwind"` (Cargo's default); with `panic = "abort"` a panic ends
//! `w3wp.exe`. A panic payload whose own `Drop` panics is leaked rather than dropped.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Once, PoisonError, RwLock};

use core::ptr;

use super::scope::{self, Frame};

/// What the panic hook is told about a caught panic (or another failure the framework handled
/// in place of the module, such as a NULL argument from the host).
#[derive(Debug, Clone, Copy)]
pub struct PanicReport<'a> {
    /// The C++ method IIS called, e.g. `"CHttpModule::OnBeginRequest"`.
    pub method: &'a str,
    /// The panic message (`"Box<dyn Any>"` for a payload that is not a string).
    pub message: &'a str,
    /// `file:line:column` of the panic, when it was captured.
    pub location: Option<&'a str>,
}

impl fmt::Display for PanicReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "httpserv: panic in {}", self.method)?;
        if let Some(location) = self.location {
            write!(f, " at {location}")?;
        }
        write!(f, ": {}", self.message)
    }
}

type Hook = Box<dyn Fn(&PanicReport<'_>) + Send + Sync>;

static HOOK: RwLock<Option<Hook>> = RwLock::new(None);
static STD_HOOK: Once = Once::new();

thread_local! {
    /// The location of the last panic caught on this thread, written by the std hook.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the panic hook (process-wide, for this DLL). The hook runs on the thread that
/// panicked, inside the IIS call; it must be quick and must not block on IIS. A panic inside
/// the hook is swallowed.
pub fn set_panic_hook(hook: impl Fn(&PanicReport<'_>) + Send + Sync + 'static) {
    *HOOK.write().unwrap_or_else(PoisonError::into_inner) = Some(Box::new(hook));
}

/// Restores the default hook ([`default_panic_hook`]).
pub fn reset_panic_hook() {
    *HOOK.write().unwrap_or_else(PoisonError::into_inner) = None;
}

/// The default hook: one line through `OutputDebugStringA` on Windows (visible in a debugger or
/// Sysinternals DebugView), on standard error elsewhere.
pub fn default_panic_hook(report: &PanicReport<'_>) {
    let line = format!("{report}\n");
    #[cfg(windows)]
    {
        let mut bytes: Vec<u8> = line.into_bytes();
        bytes.retain(|&b| b != 0);
        bytes.push(0);
        // SAFETY: a NUL-terminated buffer that lives across the call.
        unsafe {
            windows_sys::Win32::System::Diagnostics::Debug::OutputDebugStringA(bytes.as_ptr())
        };
    }
    #[cfg(not(windows))]
    {
        use std::io::Write;
        // Nothing to do when standard error is closed.
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
}

/// Reports to the current hook; never unwinds.
pub(crate) fn report(method: &str, message: &str, location: Option<&str>) {
    let report = PanicReport {
        method,
        message,
        location,
    };
    let call = AssertUnwindSafe(|| {
        let hook = HOOK.read().unwrap_or_else(PoisonError::into_inner);
        match hook.as_ref() {
            Some(hook) => hook(&report),
            None => default_panic_hook(&report),
        }
    });
    if let Err(payload) = panic::catch_unwind(call) {
        drop_payload(payload);
    }
}

/// Installs (once) a std panic hook that records the location of panics raised under
/// [`guard`] or in a request or global notification (where `scope::guarded()`) and stays
/// silent for them (the framework reports them itself); panics elsewhere go to the previous
/// hook. The objects whose notifications do not check it install it when they are made.
#[inline]
pub(crate) fn install_std_hook() {
    if !STD_HOOK.is_completed() {
        install_std_hook_now();
    }
}

#[cold]
#[inline(never)]
fn install_std_hook_now() {
    STD_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if scope::guarded() {
                let location = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                LOCATION.with(|slot| {
                    if let Ok(mut slot) = slot.try_borrow_mut() {
                        *slot = location;
                    }
                });
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`; a panic is caught, reported as a panic in `method` and turned into `Err(())`.
#[inline]
pub(crate) fn guard<R>(method: &str, f: impl FnOnce() -> R) -> Result<R, ()> {
    install_std_hook();
    // Marks the panics of `f` as caught (for the std hook); the registration and notification
    // stay those of the frames around.
    let result = Frame::run(ptr::null(), ptr::null_mut(), true, |_| {
        panic::catch_unwind(AssertUnwindSafe(f))
    });
    match result {
        Ok(value) => Ok(value),
        Err(payload) => {
            caught(method, payload);
            Err(())
        }
    }
}

/// Reports the panic [`guard`] or a notification caught (out of line: calls do not pay for
/// it).
#[cold]
#[inline(never)]
pub(crate) fn caught(method: &str, payload: Box<dyn Any + Send>) {
    let location = LOCATION.with(|slot| slot.try_borrow_mut().ok().and_then(|mut s| s.take()));
    report(
        method,
        payload_message(payload.as_ref()),
        location.as_deref(),
    );
    drop_payload(payload);
}

fn payload_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "Box<dyn Any>"
    }
}

/// Drops a panic payload; if its destructor panics too, that second payload is leaked.
fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}
