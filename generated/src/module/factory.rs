//! `IHttpModuleFactory` implemented by a Rust type.

use core::ffi::c_void;
use core::ptr;

use windows_sys::core::HRESULT;

use super::http_module::{HttpModule, ModuleCell};
use super::panic::guard;
use super::raw_calls::{E_FAIL, E_POINTER, S_OK};
use super::scope::{self, Registered};
use crate::*;

/// IIS's `IHttpModuleFactory`: makes one [`HttpModule`] per request.
///
/// IIS calls the factory from many threads at once, hence `Send + Sync` and `&self`. It lives
/// from `RegisterModule` until IIS calls `IHttpModuleFactory::Terminate` (worker process
/// shutdown), which runs [`terminate`](Self::terminate) and then drops the factory.
///
/// Two ready-made factories: [`Prototype`] clones a module value, and every
/// `Fn() -> impl HttpModule` closure is a factory.
///
/// Modules are allocated on the Rust heap (not with IIS's `IModuleAllocator`), so they may
/// have any alignment and their `Drop` runs when IIS disposes of them.
pub trait HttpModuleFactory: Send + Sync + 'static {
    /// The request module this factory makes.
    type Module: HttpModule;

    /// `GetHttpModule`: a new module for a request. A panic here fails the request (IIS gets
    /// `E_FAIL` and answers 500).
    fn create_module(&self) -> Self::Module;

    /// `Terminate`: the worker process is shutting down; called once, after the last request.
    /// The factory is dropped right after.
    fn terminate(&mut self) {}
}

/// A factory that clones a prototype module for each request:
/// `register_module!(module = Hello, ...)` registers `Prototype(Hello)`.
#[derive(Debug, Clone, Default)]
pub struct Prototype<M>(pub M);

impl<M: HttpModule + Clone + Sync> HttpModuleFactory for Prototype<M> {
    type Module = M;

    fn create_module(&self) -> M {
        self.0.clone()
    }
}

impl<F, M> HttpModuleFactory for F
where
    F: Fn() -> M + Send + Sync + 'static,
    M: HttpModule,
{
    type Module = M;

    fn create_module(&self) -> M {
        self()
    }
}

/// The Rust state of an `IHttpModuleFactory` object.
pub(crate) struct FactoryCell<F> {
    registered: Registered,
    factory: F,
}

impl<F: HttpModuleFactory> FactoryCell<F> {
    const VTABLE: &'static IHttpModuleFactory_Vtbl = &IHttpModuleFactory_Vtbl::new::<Self>();

    /// A new `IHttpModuleFactory` object for IIS, freed by `Terminate`.
    pub(crate) fn into_cpp(factory: F, registered: Registered) -> *mut IHttpModuleFactory {
        let object = Box::new(RustObject {
            lpVtbl: (Self::VTABLE as *const IHttpModuleFactory_Vtbl).cast::<c_void>(),
            value: FactoryCell {
                registered,
                factory,
            },
        });
        Box::into_raw(object).cast()
    }

    /// Frees an object IIS did not accept.
    ///
    /// # Safety
    /// `object` came from [`Self::into_cpp`] and IIS does not hold it.
    pub(crate) unsafe fn free(object: *mut IHttpModuleFactory) {
        // SAFETY: per the contract.
        drop(unsafe { Box::from_raw(object.cast::<RustObject<Self>>()) });
    }
}

impl<F: HttpModuleFactory> IHttpModuleFactory_Impl for FactoryCell<F> {
    unsafe fn GetHttpModule(
        this: *mut RustObject<Self>,
        ppModule: *mut *mut CHttpModule,
        pAllocator: *mut IModuleAllocator,
    ) -> HRESULT {
        let _ = pAllocator;
        if ppModule.is_null() {
            return E_POINTER;
        }
        // SAFETY: IIS passes this object and a writable out pointer.
        unsafe {
            *ppModule = ptr::null_mut();
            let cell = &(*this).value;
            let registered = cell.registered;
            let made = scope::enter(registered, || {
                guard("IHttpModuleFactory::GetHttpModule", || {
                    cell.factory.create_module()
                })
            });
            match made {
                Ok(module) => {
                    *ppModule = ModuleCell::into_cpp(module, registered);
                    S_OK
                }
                Err(()) => E_FAIL,
            }
        }
    }

    unsafe fn Terminate(this: *mut RustObject<Self>) {
        // SAFETY: IIS terminates the factory once, after its last use; it came from `Box`.
        unsafe {
            let registered = (*this).value.registered;
            scope::enter(registered, || {
                let _ = guard("IHttpModuleFactory::Terminate", || {
                    (*this).value.factory.terminate()
                });
                let _ = guard("IHttpModuleFactory::Terminate", || {
                    drop(Box::from_raw(this))
                });
            });
        }
    }
}
