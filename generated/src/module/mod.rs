//! Writing IIS modules in Rust: Rust types that *are* `CHttpModule`, `CGlobalModule`,
//! `IHttpModuleFactory` and `IHttpStoredContext` objects, and the `RegisterModule` export.
//!
//! A whole module is one type, one trait impl and one macro line:
//!
//! ```no_run
//! use httpserv::*;
//! use httpserv::module::HttpModule;
//!
//! #[derive(Clone)]
//! struct Hello;
//!
//! impl HttpModule for Hello {
//!     fn on_execute_request_handler(&mut self, ctx: &IHttpContext, _: &IHttpEventProvider)
//!         -> REQUEST_NOTIFICATION_STATUS
//!     {
//!         // ... write the response through ctx ...
//!         RQ_NOTIFICATION_FINISH_REQUEST
//!     }
//! }
//!
//! httpserv::register_module!(module = Hello, request = RQ_EXECUTE_REQUEST_HANDLER);
//! ```
//!
//! - [`HttpModule`]: the 28 request notifications and `OnAsyncCompletion`, with defaults that
//!   return `RQ_NOTIFICATION_CONTINUE`. One instance per request; `Send`, not `Sync`.
//! - [`HttpModuleFactory`]: makes the request modules; `Send + Sync`, lives until
//!   `Terminate`. [`Prototype`] (clone a value) and closures are factories.
//! - [`GlobalModule`]: the global notifications and `Terminate`; `Send + Sync`.
//! - [`RequestState`], [`ConnectionState`], [`NamedState`]: Rust values stored in IIS's
//!   context containers ([`StoredContext`]), dropped when IIS cleans them up.
//! - [`CompletionHandle`]: finish a notification later, from another thread
//!   (`RQ_NOTIFICATION_PENDING` + `IHttpContext3::PostCompletion` → `on_async_completion`).
//! - [`register_module!`](crate::register_module): the exported `RegisterModule`.
//! - Panics never reach IIS: see [`set_panic_hook`] and the table in the `panic` section of
//!   [`PanicReport`].
//!
//! # Ownership
//!
//! | object | allocated | freed |
//! |---|---|---|
//! | factory, global module | Rust heap, in `RegisterModule` | their `Terminate` (or `RegisterModule`, if IIS refused them) |
//! | request module | Rust heap, in `GetHttpModule` (`IModuleAllocator` is not used) | `Dispose`, or the scalar deleting destructor with flag 1 (whichever comes first; the module is dropped once) |
//! | stored state | Rust heap, in `set`/`get_or_insert_with` | `CleanupStoredContext` (or at once, if IIS refused it) |

// Trait impls of the generated `_Impl` traits keep the C++ method and parameter names.
#![allow(non_snake_case)]

mod completion;
mod factory;
mod global_module;
mod http_module;
mod panic;
mod raw_calls;
mod register;
mod scope;
mod state;

pub use completion::{CompletionHandle, http_context3};
pub use factory::{HttpModuleFactory, Prototype};
pub use global_module::GlobalModule;
pub use http_module::HttpModule;
pub use panic::{PanicReport, default_panic_hook, reset_panic_hook, set_panic_hook};
pub use register::{Registration, register};
pub use scope::{module_id, server};
pub use state::{ConnectionState, NamedState, RequestState, StateError, StoredContext};

/// Used by [`register_module!`](crate::register_module); not public API.
#[doc(hidden)]
pub mod __private {
    pub use httpserv_macros::abi;
    pub use windows_sys::core::HRESULT;
}
