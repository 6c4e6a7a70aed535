//! Per-request, per-connection and named state: Rust values stored in IIS's context
//! containers as `IHttpStoredContext` objects.
//!
//! IIS keeps one stored context per module id in each request's
//! `IHttpModuleContextContainer` (and each connection's), and one per name in the request's
//! `INamedContextContainer` (shared by all modules). The framework stores a Rust value there
//! inside an object it owns and recognises (its vtable), keyed by this module's
//! `HTTP_MODULE_ID` (captured by `RegisterModule`, see [`module_id`](super::module_id)). IIS
//! calls `CleanupStoredContext` when the request (connection) ends: the value is dropped then,
//! exactly once.
//!
//! Access is through closures (`with`), which lock the value: IIS may run a module's code for
//! one request on several threads, and a stored value outlives any single notification.

use core::any::Any;
use core::ffi::c_void;
use core::fmt;
use core::marker::PhantomData;
use core::ptr;

use widestring::U16CStr;
use windows_sys::core::HRESULT;

use super::completion::http_context3;
use super::panic::guard;
use super::raw_calls;
use super::scope::{self, Exclusive};
use crate::*;

/// A value that can be stored with [`RequestState`], [`ConnectionState`] or [`NamedState`].
///
/// `Send` because IIS may run the notifications of one request on different threads. The value
/// is dropped when IIS cleans the context up (`CleanupStoredContext`): put cleanup in `Drop`.
pub trait StoredContext: Send + 'static {
    /// `IHttpConnectionStoredContext::NotifyDisconnect`: the client disconnected (connection
    /// state only; the value is dropped later, at cleanup).
    fn on_disconnect(&mut self) {}
}

/// Why state could not be stored or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateError {
    /// No module is registered yet (no `HTTP_MODULE_ID`).
    NotRegistered,
    /// IIS returned no container (or no `IHttpContext3` for named state).
    NoContainer,
    /// The slot holds a value of another type, or an object that is not ours.
    WrongType,
    /// IIS refused the value (`SetModuleContext` failed; e.g. the slot was just filled).
    Rejected(HRESULT),
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::NotRegistered => f.write_str("no module is registered"),
            StateError::NoContainer => f.write_str("IIS provided no context container"),
            StateError::WrongType => f.write_str("the stored context has another type"),
            StateError::Rejected(hr) => {
                write!(
                    f,
                    "IIS refused the stored context (HRESULT 0x{:08X})",
                    *hr as u32
                )
            }
        }
    }
}

impl std::error::Error for StateError {}

trait Erased: Send {
    fn as_any(&mut self) -> &mut dyn Any;
    fn on_disconnect(&mut self);
}

impl<T: StoredContext> Erased for T {
    fn as_any(&mut self) -> &mut dyn Any {
        self
    }
    fn on_disconnect(&mut self) {
        StoredContext::on_disconnect(self);
    }
}

/// The Rust state of a stored-context object (one vtable for every `T`: the value is boxed).
struct StoredCell {
    value: Exclusive<Box<dyn Erased>>,
}

static STORED_VTABLE: IHttpConnectionStoredContext_Vtbl =
    IHttpConnectionStoredContext_Vtbl::new::<StoredCell>();

impl IHttpStoredContext_Impl for StoredCell {
    unsafe fn CleanupStoredContext(this: *mut RustObject<Self>) {
        // SAFETY: IIS cleans each stored context up once; it came from `Box`.
        let _ = guard("IHttpStoredContext::CleanupStoredContext", || unsafe {
            drop(Box::from_raw(this))
        });
    }
}

impl IHttpConnectionStoredContext_Impl for StoredCell {
    unsafe fn NotifyDisconnect(this: *mut RustObject<Self>) {
        // SAFETY: a live object.
        let cell = unsafe { &(*this).value };
        let _ = guard("IHttpConnectionStoredContext::NotifyDisconnect", || {
            cell.value.with(|value| value.on_disconnect())
        });
    }
}

fn new_stored<T: StoredContext>(value: T) -> *mut RustObject<StoredCell> {
    Box::into_raw(Box::new(RustObject {
        lpVtbl: (&raw const STORED_VTABLE).cast::<c_void>(),
        value: StoredCell {
            value: Exclusive::new(Box::new(value)),
        },
    }))
}

/// Our object, or `None` for NULL or another module's object.
///
/// # Safety
/// `stored` is NULL or a live stored context.
unsafe fn ours<'a>(stored: *mut IHttpStoredContext) -> Option<&'a StoredCell> {
    let object = stored.cast::<RustObject<StoredCell>>();
    // SAFETY: every stored context starts with its vtable pointer.
    unsafe {
        (!object.is_null() && (*object).lpVtbl == (&raw const STORED_VTABLE).cast::<c_void>())
            .then(|| &(*object).value)
    }
}

/// Where a value lives: get/set of one slot of one container.
trait Slot {
    fn get(&self) -> *mut IHttpStoredContext;
    fn set(&self, stored: *mut IHttpStoredContext) -> HRESULT;
}

struct Request {
    container: *mut IHttpModuleContextContainer,
    id: HTTP_MODULE_ID,
}

impl Slot for Request {
    fn get(&self) -> *mut IHttpStoredContext {
        // SAFETY: a live container.
        unsafe { raw_calls::get_module_context(self.container, self.id) }
    }
    fn set(&self, stored: *mut IHttpStoredContext) -> HRESULT {
        // SAFETY: a live container and our object.
        unsafe { raw_calls::set_module_context(self.container, stored, self.id) }
    }
}

struct Connection {
    container: *mut IHttpConnectionModuleContextContainer,
    id: HTTP_MODULE_ID,
}

impl Slot for Connection {
    fn get(&self) -> *mut IHttpStoredContext {
        // SAFETY: a live container.
        unsafe { raw_calls::get_connection_context(self.container, self.id).cast() }
    }
    fn set(&self, stored: *mut IHttpStoredContext) -> HRESULT {
        // SAFETY: a live container and our object, which is an IHttpConnectionStoredContext.
        unsafe { raw_calls::set_connection_context(self.container, stored.cast(), self.id) }
    }
}

struct Named<'a> {
    container: *mut INamedContextContainer,
    name: &'a U16CStr,
}

impl Slot for Named<'_> {
    fn get(&self) -> *mut IHttpStoredContext {
        // SAFETY: a live container and a NUL-terminated name.
        unsafe { raw_calls::get_named_context(self.container, self.name) }
    }
    fn set(&self, stored: *mut IHttpStoredContext) -> HRESULT {
        // SAFETY: as above, and our object.
        unsafe { raw_calls::set_named_context(self.container, stored, self.name) }
    }
}

fn module_id() -> Result<HTTP_MODULE_ID, StateError> {
    scope::module_id().ok_or(StateError::NotRegistered)
}

fn request_slot(ctx: &IHttpContext) -> Result<Request, StateError> {
    let id = module_id()?;
    // SAFETY: a live context.
    let container = unsafe { raw_calls::request_container(ptr::from_ref(ctx).cast_mut()) };
    if container.is_null() {
        return Err(StateError::NoContainer);
    }
    Ok(Request { container, id })
}

fn connection_slot(ctx: &IHttpContext) -> Result<Connection, StateError> {
    let id = module_id()?;
    // SAFETY: a live context.
    let container = unsafe { raw_calls::connection_container(ptr::from_ref(ctx).cast_mut()) };
    if container.is_null() {
        return Err(StateError::NoContainer);
    }
    Ok(Connection { container, id })
}

fn named_slot<'a>(ctx: &IHttpContext, name: &'a U16CStr) -> Result<Named<'a>, StateError> {
    let ctx3 = http_context3(ctx).ok_or(StateError::NoContainer)?;
    // SAFETY: a live context.
    let container = unsafe { raw_calls::named_container(ptr::from_ref(ctx3).cast_mut()) };
    if container.is_null() {
        return Err(StateError::NoContainer);
    }
    Ok(Named { container, name })
}

fn set_in<T: StoredContext>(slot: &impl Slot, value: T) -> Result<(), StateError> {
    let object = new_stored(value);
    let hr = slot.set(object.cast());
    if hr < 0 {
        // IIS did not take it: it is still ours to free.
        let _ = guard("StoredContext::drop", || {
            // SAFETY: from `new_stored`, not held by IIS.
            drop(unsafe { Box::from_raw(object) })
        });
        return Err(StateError::Rejected(hr));
    }
    Ok(())
}

fn with_in<T: StoredContext, R>(
    slot: &impl Slot,
    f: impl FnOnce(&mut T) -> R,
) -> Result<Option<R>, StateError> {
    let stored = slot.get();
    if stored.is_null() {
        return Ok(None);
    }
    // SAFETY: IIS returns live stored contexts.
    let cell = unsafe { ours(stored) }.ok_or(StateError::WrongType)?;
    let access = cell
        .value
        .with(|value| value.as_any().downcast_mut::<T>().map(f));
    match access {
        Ok(Some(result)) => Ok(Some(result)),
        Ok(None) => Err(StateError::WrongType),
        Err(_) => panic!(
            "state of type {} is already being accessed on this thread (nested `with`)",
            core::any::type_name::<T>()
        ),
    }
}

fn get_or_insert_in<T: StoredContext, R>(
    slot: &impl Slot,
    init: impl FnOnce() -> T,
    f: impl FnOnce(&mut T) -> R,
) -> Result<R, StateError> {
    let mut rejected = None;
    if slot.get().is_null() {
        match set_in(slot, init()) {
            Ok(()) => {}
            // Another thread may have filled the slot first: use that value.
            Err(StateError::Rejected(hr)) => rejected = Some(hr),
            Err(other) => return Err(other),
        }
    }
    with_in(slot, f)?.ok_or(rejected.map_or(StateError::NoContainer, StateError::Rejected))
}

macro_rules! state_api {
    ($(#[$doc:meta])* $name:ident, $slot:ident($($arg:ident: $ty:ty),*)) => {
        $(#[$doc])*
        pub struct $name<T>(PhantomData<fn() -> T>);

        impl<T: StoredContext> $name<T> {
            /// Stores `value`; fails with [`StateError::Rejected`] if a value is already stored
            /// (use [`with`](Self::with) to change it).
            pub fn set(ctx: &IHttpContext $(, $arg: $ty)*, value: T) -> Result<(), StateError> {
                set_in(&$slot(ctx $(, $arg)*)?, value)
            }

            /// Runs `f` on the stored value: `Ok(None)` when nothing is stored.
            ///
            /// # Panics
            /// When called again for the same value from inside `f`.
            pub fn with<R>(
                ctx: &IHttpContext $(, $arg: $ty)*,
                f: impl FnOnce(&mut T) -> R,
            ) -> Result<Option<R>, StateError> {
                with_in(&$slot(ctx $(, $arg)*)?, f)
            }

            /// Runs `f` on the stored value, storing `init()` first when nothing is stored.
            pub fn get_or_insert_with<R>(
                ctx: &IHttpContext $(, $arg: $ty)*,
                init: impl FnOnce() -> T,
                f: impl FnOnce(&mut T) -> R,
            ) -> Result<R, StateError> {
                get_or_insert_in(&$slot(ctx $(, $arg)*)?, init, f)
            }

            /// Whether a value of type `T` is stored.
            pub fn exists(ctx: &IHttpContext $(, $arg: $ty)*) -> bool {
                matches!(Self::with(ctx $(, $arg)*, |_| ()), Ok(Some(())))
            }
        }
    };
}

state_api! {
    /// State of this module for one request, over `IHttpModuleContextContainer`
    /// (`pHttpContext->GetModuleContextContainer()`), keyed by this module's id; dropped when
    /// IIS cleans the request up.
    ///
    /// ```no_run
    /// use httpserv::module::{RequestState, StoredContext};
    /// # use httpserv::*;
    /// struct Started(u32);
    /// impl StoredContext for Started {}
    /// # fn f(ctx: &IHttpContext) {
    /// RequestState::set(ctx, Started(7)).unwrap();
    /// // ... in a later notification of the same request:
    /// let seven = RequestState::<Started>::with(ctx, |s| s.0).unwrap();
    /// # }
    /// ```
    RequestState, request_slot()
}

state_api! {
    /// State of this module for one client connection (kept across the requests of a
    /// keep-alive connection), over `IHttpConnectionModuleContextContainer`
    /// (`pHttpContext->GetConnection()->GetModuleContextContainer()`); IIS calls
    /// [`StoredContext::on_disconnect`] when the client goes away, and drops the value when
    /// it cleans the connection up.
    ConnectionState, connection_slot()
}

state_api! {
    /// State stored under a name in the request's `INamedContextContainer`
    /// (`IHttpContext3::GetNamedContextContainer`), which every module of the request shares:
    /// a value stored by another module (or another DLL) under the same name is reported as
    /// [`StateError::WrongType`].
    NamedState, named_slot(name: &U16CStr)
}
