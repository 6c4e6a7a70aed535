// host.h -- common declarations of the mock IIS (tests/host/cpp).
//
// A mock of the IIS 7+ integrated pipeline written for this project against the bundled
// codegen/sdk/httpserv.h: it loads modules through their RegisterModule entry point and runs
// requests through them, with real behaviour behind every interface the request path uses.
// See README.md in tests/host for what it does and does not do.
#pragma once
#include <windows.h>
#include <httpserv.h>

#include "http_raw.h"
#include "rt.h"

// HRESULTs the mock returns.
#define HOST_E_NOTIMPL ((HRESULT)0x80004001L)
#define HOST_E_NOINTERFACE ((HRESULT)0x80004002L)
#define HOST_E_FAIL ((HRESULT)0x80004005L)
#define HOST_E_INVALIDARG ((HRESULT)0x80070057L)
#define HOST_E_OUTOFMEMORY ((HRESULT)0x8007000EL)
#define HOST_E_HANDLE_EOF ((HRESULT)0x80070026L)            // ERROR_HANDLE_EOF
#define HOST_E_NOT_SUPPORTED ((HRESULT)0x80070032L)         // ERROR_NOT_SUPPORTED
#define HOST_E_ALREADY_ASSIGNED ((HRESULT)0x80070055L)      // ERROR_ALREADY_ASSIGNED
#define HOST_E_INSUFFICIENT_BUFFER ((HRESULT)0x8007007AL)   // ERROR_INSUFFICIENT_BUFFER
#define HOST_E_NOT_FOUND ((HRESULT)0x80070490L)             // ERROR_NOT_FOUND
#define HOST_E_INVALID_INDEX ((HRESULT)0x80070585L)         // ERROR_INVALID_INDEX (unknown server variable)
#define HOST_E_TIMEOUT ((HRESULT)0x800705B4L)               // ERROR_TIMEOUT

class Server;
class Context;
struct ModuleEntry;

// Counters the tests read (host_server_stats); all updated atomically.
struct HostStats {
    u64 requests_started;
    u64 requests_completed;
    u64 modules_created;       // CHttpModule objects returned by GetHttpModule
    u64 modules_disposed;      // CHttpModule::Dispose calls made by the host
    u64 stored_contexts_cleaned;  // IHttpStoredContext::CleanupStoredContext calls
    u64 async_completions;     // OnAsyncCompletion / completion callbacks delivered
    u64 global_notifications;  // CGlobalModule handler calls
    u64 factories_terminated;
    u64 global_modules_terminated;
    u64 pending_timeouts;      // requests abandoned while PENDING
};

// Appends to a trace line buffer: "a b c\n".
void trace_line(rt::Str &trace, const char *a, const char *b = nullptr, const char *c = nullptr);
const char *status_name(REQUEST_NOTIFICATION_STATUS s);
