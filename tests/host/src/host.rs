//! The mock IIS (`cpp/`) seen from Rust: create a server, load modules through their
//! `RegisterModule`, run raw HTTP requests, read the counters.

use core::ffi::c_char;

use httpserv::PFN_REGISTERMODULE;
use windows_sys::core::{BOOL, HRESULT};

/// Counters kept by the host (`HostStats` in `cpp/host.h`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostStats {
    pub requests_started: u64,
    pub requests_completed: u64,
    /// `CHttpModule` objects returned by `IHttpModuleFactory::GetHttpModule`.
    pub modules_created: u64,
    /// `CHttpModule::Dispose` calls made by the host.
    pub modules_disposed: u64,
    /// `IHttpStoredContext::CleanupStoredContext` calls.
    pub stored_contexts_cleaned: u64,
    /// `OnAsyncCompletion` / completion callbacks delivered.
    pub async_completions: u64,
    /// `CGlobalModule` handler calls.
    pub global_notifications: u64,
    pub factories_terminated: u64,
    pub global_modules_terminated: u64,
    /// Requests abandoned after waiting for a completion too long.
    pub pending_timeouts: u64,
}

#[repr(C)]
struct RawServer {
    _opaque: [u8; 0],
}

#[repr(C)]
struct RawResult {
    _opaque: [u8; 0],
}

unsafe extern "win64" {
    fn host_server_new() -> *mut RawServer;
    fn host_server_register(
        server: *mut RawServer,
        name: *const u16,
        entry: PFN_REGISTERMODULE,
        server_version: u32,
    ) -> HRESULT;
    fn host_server_execute(server: *mut RawServer, raw: *const u8, len: usize) -> *mut RawResult;
    fn host_result_response(result: *const RawResult, len: *mut usize) -> *const c_char;
    fn host_result_trace(result: *const RawResult, len: *mut usize) -> *const c_char;
    fn host_result_free(result: *mut RawResult);
    fn host_server_stats(server: *const RawServer, out: *mut HostStats);
    fn host_server_events(server: *mut RawServer, buf: *mut c_char, cap: usize) -> usize;
    fn host_server_notify_global(server: *mut RawServer, bit: u32) -> BOOL;
    fn host_server_shutdown(server: *mut RawServer, out: *mut HostStats);
    fn host_live_allocations() -> u64;
    fn host_layout(what: u32) -> usize;
}

/// What the client saw for one request, and the notifications the host delivered.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The bytes sent on the connection (status line, headers, body).
    pub response: Vec<u8>,
    /// One line per notification, e.g. `BeginRequest hello CONTINUE`.
    pub trace: String,
}

impl Exchange {
    pub fn response_text(&self) -> String {
        String::from_utf8_lossy(&self.response).into_owned()
    }
}

/// A mock IIS worker process. Requests may run concurrently from several threads.
pub struct Host {
    raw: *mut RawServer,
}

// SAFETY: the C++ server synchronises everything requests share (module list fixed after
// registration, atomic counters, locked application state).
unsafe impl Send for Host {}
unsafe impl Sync for Host {}

impl Default for Host {
    fn default() -> Self {
        Self::new()
    }
}

/// The IIS version passed to `RegisterModule` by default (IIS 10).
pub const SERVER_VERSION: u32 = 10;

impl Host {
    pub fn new() -> Host {
        // SAFETY: plain constructor.
        Host {
            raw: unsafe { host_server_new() },
        }
    }

    /// Loads a module the way IIS does: calls `entry` (its `RegisterModule` export) through
    /// `PFN_REGISTERMODULE` with a fresh `IHttpModuleRegistrationInfo` and the server.
    pub fn register(&self, name: &str, entry: PFN_REGISTERMODULE) -> HRESULT {
        self.register_version(name, entry, SERVER_VERSION)
    }

    pub fn register_version(&self, name: &str, entry: PFN_REGISTERMODULE, version: u32) -> HRESULT {
        let wide: Vec<u16> = name.encode_utf16().chain([0]).collect();
        // SAFETY: `wide` is NUL-terminated; the host copies it.
        unsafe { host_server_register(self.raw, wide.as_ptr(), entry, version) }
    }

    /// Runs one raw HTTP/1.x request through the pipeline.
    pub fn execute(&self, raw: &[u8]) -> Exchange {
        // SAFETY: the result is read, copied and freed here.
        unsafe {
            let result = host_server_execute(self.raw, raw.as_ptr(), raw.len());
            let mut len = 0;
            let p = host_result_response(result, &mut len);
            let response = std::slice::from_raw_parts(p.cast::<u8>(), len).to_vec();
            let p = host_result_trace(result, &mut len);
            let trace = String::from_utf8_lossy(std::slice::from_raw_parts(p.cast::<u8>(), len))
                .into_owned();
            host_result_free(result);
            Exchange { response, trace }
        }
    }

    /// [`execute`](Self::execute) of a text request.
    pub fn get(&self, raw: &str) -> Exchange {
        self.execute(raw.as_bytes())
    }

    pub fn stats(&self) -> HostStats {
        let mut out = HostStats::default();
        // SAFETY: plain copy of counters.
        unsafe { host_server_stats(self.raw, &mut out) };
        out
    }

    /// Server events modules caused (`ReportUnhealthy: reason`, ...), one per line.
    pub fn events(&self) -> String {
        let mut buf = vec![0u8; 4096];
        // SAFETY: the host writes at most `cap` bytes.
        let n = unsafe { host_server_events(self.raw, buf.as_mut_ptr().cast(), buf.len()) };
        buf.truncate(n.min(4096));
        String::from_utf8_lossy(&buf).into_owned()
    }

    /// Raises `GL_CACHE_CLEANUP`, `GL_HEALTH_CHECK` or `GL_CONFIGURATION_CHANGE`; false when a
    /// global module answered `GL_NOTIFICATION_HANDLED`.
    pub fn notify_global(&self, bit: u32) -> bool {
        // SAFETY: the host validates `bit`.
        unsafe { host_server_notify_global(self.raw, bit) != 0 }
    }

    /// Shuts the worker process down (global stop notifications, `Terminate` of every factory
    /// and global module) and returns the final counters.
    pub fn shutdown(mut self) -> HostStats {
        let mut out = HostStats::default();
        // SAFETY: `raw` is not used again (Drop sees null).
        unsafe { host_server_shutdown(self.raw, &mut out) };
        self.raw = core::ptr::null_mut();
        out
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if !self.raw.is_null() {
            // SAFETY: as in shutdown().
            unsafe { host_server_shutdown(self.raw, core::ptr::null_mut()) };
        }
    }
}

/// Allocations the C++ side holds right now (its operator new and containers).
pub fn live_allocations() -> u64 {
    // SAFETY: reads an atomic counter.
    unsafe { host_live_allocations() }
}

/// Size or offset number `what` of the HTTP API structures as clang lays them out for the
/// mock (see `host_layout` in `cpp/capi.cpp`).
pub fn layout(what: u32) -> usize {
    // SAFETY: pure function.
    unsafe { host_layout(what) }
}
