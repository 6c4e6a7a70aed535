//! `RegisterModule`: the [`register_module!`](crate::register_module) macro and the
//! [`Registration`] it builds.

use widestring::U16CStr;
use windows_sys::core::HRESULT;

use super::factory::{FactoryCell, HttpModuleFactory, Prototype};
use super::global_module::{GlobalCell, GlobalModule};
use super::http_module::HttpModule;
use super::panic::{guard, report};
use super::raw_calls::{self, E_FAIL, E_INVALIDARG, E_NOT_SUPPORTED, S_OK};
use super::scope::{self, Registered};
use crate::*;

type MakeFactory =
    Box<dyn FnOnce(Registered) -> (*mut IHttpModuleFactory, unsafe fn(*mut IHttpModuleFactory))>;
type MakeGlobal =
    Box<dyn FnOnce(Registered) -> (*mut CGlobalModule, unsafe fn(*mut CGlobalModule))>;

/// What `RegisterModule` tells IIS: the request module factory and its notification masks,
/// the global module and its mask, priorities, and the lowest server version accepted.
///
/// [`register_module!`](crate::register_module)`(key = value, ...)` calls the method `key`
/// with `value` for each pair, in order, on [`Registration::new`].
#[must_use]
pub struct Registration {
    factory: Option<MakeFactory>,
    request: u32,
    post_request: u32,
    global: Option<MakeGlobal>,
    global_notifications: u32,
    request_priorities: Vec<(Option<u32>, &'static U16CStr)>,
    global_priorities: Vec<(Option<u32>, &'static U16CStr)>,
    min_server_version: u32,
}

impl Default for Registration {
    fn default() -> Self {
        Self::new()
    }
}

impl Registration {
    /// Nothing registered; accepts server version 7 (IIS 7.0) and later.
    pub fn new() -> Self {
        Registration {
            factory: None,
            request: 0,
            post_request: 0,
            global: None,
            global_notifications: 0,
            request_priorities: Vec::new(),
            global_priorities: Vec::new(),
            min_server_version: 7,
        }
    }

    /// The request module, cloned for each request ([`Prototype`]).
    pub fn module<M: HttpModule + Clone + Sync>(self, prototype: M) -> Self {
        self.factory(Prototype(prototype))
    }

    /// The request module factory (a type implementing [`HttpModuleFactory`], or a closure
    /// returning the module).
    pub fn factory<F: HttpModuleFactory>(mut self, factory: F) -> Self {
        self.factory = Some(Box::new(move |registered| {
            (
                FactoryCell::into_cpp(factory, registered),
                FactoryCell::<F>::free as unsafe fn(*mut IHttpModuleFactory),
            )
        }));
        self
    }

    /// The request notifications (`RQ_*` bits, or-ed) of `SetRequestNotifications`.
    pub fn request(mut self, notifications: u32) -> Self {
        self.request = notifications;
        self
    }

    /// The post-request notifications (`RQ_*` bits) of `SetRequestNotifications`.
    pub fn post_request(mut self, notifications: u32) -> Self {
        self.post_request = notifications;
        self
    }

    /// The global module.
    pub fn global<G: GlobalModule>(mut self, global: G) -> Self {
        self.global = Some(Box::new(move |registered| {
            (
                GlobalCell::into_cpp(global, registered),
                GlobalCell::<G>::free as unsafe fn(*mut CGlobalModule),
            )
        }));
        self
    }

    /// The global notifications (`GL_*` bits) of `SetGlobalNotifications`.
    pub fn global_notifications(mut self, notifications: u32) -> Self {
        self.global_notifications = notifications;
        self
    }

    /// `SetPriorityForRequestNotification` for every bit of the request mask, e.g.
    /// `PRIORITY_ALIAS_HIGH`.
    pub fn priority(mut self, alias: &'static U16CStr) -> Self {
        self.request_priorities.push((None, alias));
        self
    }

    /// `SetPriorityForRequestNotification` for one notification:
    /// `priority_for = (RQ_BEGIN_REQUEST, PRIORITY_ALIAS_FIRST)`.
    pub fn priority_for(mut self, (notification, alias): (u32, &'static U16CStr)) -> Self {
        self.request_priorities.push((Some(notification), alias));
        self
    }

    /// `SetPriorityForGlobalNotification` for every bit of the global mask.
    pub fn global_priority(mut self, alias: &'static U16CStr) -> Self {
        self.global_priorities.push((None, alias));
        self
    }

    /// `SetPriorityForGlobalNotification` for one notification.
    pub fn global_priority_for(mut self, (notification, alias): (u32, &'static U16CStr)) -> Self {
        self.global_priorities.push((Some(notification), alias));
        self
    }

    /// The lowest `dwServerVersion` accepted (default 7); below it `RegisterModule` fails
    /// with `HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)` and IIS does not load the module.
    pub fn min_server_version(mut self, version: u32) -> Self {
        self.min_server_version = version;
        self
    }
}

/// Each set bit of `mask`, lowest first.
fn bits(mask: u32) -> impl Iterator<Item = u32> {
    (0..32)
        .map(|i| 1u32 << i)
        .filter(move |bit| mask & bit != 0)
}

/// The body of the `RegisterModule` that [`register_module!`](crate::register_module) exports:
/// checks the arguments and the server version, builds the registration (a panic in `build`
/// gives `E_FAIL`), records the module id and server, and makes the `Set*Notifications` and
/// priority calls. Never unwinds.
///
/// # Safety
/// The arguments are those IIS passes to `RegisterModule`: live objects, or NULL.
pub unsafe fn register(
    server_version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    server: *mut IHttpServer,
    build: impl FnOnce() -> Registration,
) -> HRESULT {
    if info.is_null() || server.is_null() {
        report("RegisterModule", "IIS passed a NULL argument", None);
        return E_INVALIDARG;
    }
    let Ok(registration) = guard("RegisterModule", build) else {
        return E_FAIL;
    };
    if server_version < registration.min_server_version {
        report(
            "RegisterModule",
            &format!(
                "server version {server_version} is below the minimum {}",
                registration.min_server_version
            ),
            None,
        );
        // The registration (and the modules in it) is dropped: IIS never saw them.
        let _ = guard("RegisterModule", move || drop(registration));
        return E_NOT_SUPPORTED;
    }
    // SAFETY: a live registration info.
    let registered = Registered {
        id: unsafe { raw_calls::registration_id(info) },
        server,
    };
    scope::set_last(registered);
    let Registration {
        factory,
        request,
        post_request,
        global,
        global_notifications,
        request_priorities,
        global_priorities,
        ..
    } = registration;
    scope::enter(registered, || {
        if let Some(make) = factory {
            let Ok((object, free)) = guard("RegisterModule", || make(registered)) else {
                return E_FAIL;
            };
            // SAFETY: live info; our factory object.
            let hr = unsafe {
                raw_calls::set_request_notifications(info, object, request, post_request)
            };
            if hr < 0 {
                // IIS did not take the factory: free it here.
                let _ = guard("RegisterModule", || unsafe { free(object) });
                return hr;
            }
            for (only, alias) in &request_priorities {
                for bit in bits(only.unwrap_or(request | post_request)) {
                    // SAFETY: live info; a NUL-terminated alias.
                    let hr = unsafe { raw_calls::set_request_priority(info, bit, alias) };
                    if hr < 0 {
                        return hr;
                    }
                }
            }
        }
        if let Some(make) = global {
            let Ok((object, free)) = guard("RegisterModule", || make(registered)) else {
                return E_FAIL;
            };
            // SAFETY: live info; our global module object.
            let hr =
                unsafe { raw_calls::set_global_notifications(info, object, global_notifications) };
            if hr < 0 {
                let _ = guard("RegisterModule", || unsafe { free(object) });
                return hr;
            }
            for (only, alias) in &global_priorities {
                for bit in bits(only.unwrap_or(global_notifications)) {
                    // SAFETY: as above.
                    let hr = unsafe { raw_calls::set_global_priority(info, bit, alias) };
                    if hr < 0 {
                        return hr;
                    }
                }
            }
        }
        S_OK
    })
}

/// Exports `RegisterModule`, the function IIS calls when it loads the DLL, from a module crate
/// (`crate-type = ["cdylib"]`).
///
/// Arguments are `key = value` pairs, each a method of [`Registration`](crate::module::Registration)
/// called in order:
///
/// | key | value |
/// |---|---|
/// | `module` | a request module value, cloned per request (`M: HttpModule + Clone + Sync`) |
/// | `factory` | an [`HttpModuleFactory`](crate::module::HttpModuleFactory), or a closure returning a module |
/// | `request` / `post_request` | `RQ_*` bits of the (post-)notifications to receive |
/// | `global` / `global_notifications` | a [`GlobalModule`](crate::module::GlobalModule) and its `GL_*` bits |
/// | `priority` / `priority_for` | `PRIORITY_ALIAS_*` for all request notifications / `(RQ_*, alias)` |
/// | `global_priority` / `global_priority_for` | the same for global notifications |
/// | `min_server_version` | lowest `dwServerVersion` accepted (default 7) |
///
/// ```no_run
/// use httpserv::*;
/// use httpserv::module::HttpModule;
///
/// #[derive(Clone)]
/// struct Hello;
///
/// impl HttpModule for Hello {
///     fn on_execute_request_handler(&mut self, ctx: &IHttpContext, _: &IHttpEventProvider)
///         -> REQUEST_NOTIFICATION_STATUS
///     {
///         // ... write the response ...
///         RQ_NOTIFICATION_FINISH_REQUEST
///     }
/// }
///
/// httpserv::register_module!(module = Hello, request = RQ_EXECUTE_REQUEST_HANDLER);
/// ```
///
/// The export has the exact `PFN_REGISTERMODULE` signature and calling convention (`WINAPI`:
/// stdcall on 32-bit x86), and is named `RegisterModule` in the DLL's export table on
/// `x86_64`/`i686`/`aarch64-pc-windows-msvc` and `-gnu` without a `.def` file (see the README).
/// A panic while building the registration is caught (`E_FAIL`).
#[macro_export]
macro_rules! register_module {
    ($($key:ident = $value:expr),+ $(,)?) => {
        /// `RegisterModule`, exported for IIS by `httpserv::register_module!`.
        ///
        /// # Safety
        /// Called by IIS with its registration info and server.
        #[$crate::module::__private::abi(winapi)]
        #[unsafe(no_mangle)]
        #[allow(non_snake_case)]
        pub unsafe extern "system" fn RegisterModule(
            dwServerVersion: u32,
            pModuleInfo: *mut $crate::IHttpModuleRegistrationInfo,
            pHttpServer: *mut $crate::IHttpServer,
        ) -> $crate::module::__private::HRESULT {
            // SAFETY: the arguments come from IIS.
            unsafe {
                $crate::module::register(dwServerVersion, pModuleInfo, pHttpServer, || {
                    $crate::module::Registration::new() $(.$key($value))+
                })
            }
        }
    };
}
