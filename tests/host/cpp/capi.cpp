// capi.cpp -- the C entry points the Rust tests call (Win64 convention: Rust declares them
// `extern "win64"`). See src/host.rs.
#include "server.h"

// One executed request, as the client saw it.
struct HostResult {
    rt::Str response;  // the bytes sent on the connection
    rt::Str trace;     // notifications in order, one per line
};

extern "C" Server *host_server_new(void) { return new Server(); }

// Loads a module: calls its RegisterModule (through PFN_REGISTERMODULE) as IIS does.
extern "C" HRESULT host_server_register(Server *s, PCWSTR name, PFN_REGISTERMODULE entry,
                                        DWORD server_version) {
    return s->register_module(name, entry, server_version);
}

// Runs one raw HTTP/1.x request through the pipeline. Thread-safe: requests may run
// concurrently on one server.
extern "C" HostResult *host_server_execute(Server *s, const char *raw, usize len) {
    HostResult *r = new HostResult();
    u64 id = rt::atomic_add(&s->next_request_id, 1);
    Context *c = new Context(s, id);
    if (!c->request.parse(raw, len)) {
        rt::append_cstr(r->response, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        trace_line(r->trace, "BadRequest");
    } else {
        c->run();
        r->response.assign(c->response.out.c_str(), c->response.out.len);
        r->trace.assign(c->trace.c_str(), c->trace.len);
    }
    delete c;
    return r;
}

extern "C" const char *host_result_response(const HostResult *r, usize *len) {
    *len = r->response.len;
    return r->response.c_str();
}

extern "C" const char *host_result_trace(const HostResult *r, usize *len) {
    *len = r->trace.len;
    return r->trace.c_str();
}

extern "C" void host_result_free(HostResult *r) { delete r; }

extern "C" void host_server_stats(const Server *s, HostStats *out) {
    const u64 *in = reinterpret_cast<const u64 *>(&s->stats);
    u64 *o = reinterpret_cast<u64 *>(out);
    for (usize i = 0; i < sizeof(HostStats) / sizeof(u64); i++) o[i] = rt::atomic_load(in + i);
}

// Copies server events (ReportUnhealthy, RecycleProcess...) into `buf`; returns their length.
extern "C" usize host_server_events(Server *s, char *buf, usize cap) {
    rt::Guard g(s->lock);
    usize n = s->events.len < cap ? s->events.len : cap;
    rt::copy(buf, s->events.c_str(), n);
    return s->events.len;
}

// Raises a global notification that needs no provider (GL_CACHE_CLEANUP, GL_HEALTH_CHECK) or
// GL_CONFIGURATION_CHANGE (path "MACHINE/WEBROOT/APPHOST"); returns false when HANDLED.
extern "C" BOOL host_server_notify_global(Server *s, DWORD bit) {
    if (bit == GL_CONFIGURATION_CHANGE) {
        ConfigurationChangeProvider p;
        p.path = L"MACHINE/WEBROOT/APPHOST";
        return s->notify_global(bit, &p, nullptr) ? TRUE : FALSE;
    }
    if (bit != GL_CACHE_CLEANUP && bit != GL_HEALTH_CHECK) return FALSE;
    return s->notify_global(bit, nullptr, nullptr) ? TRUE : FALSE;
}

// IIS shutdown (stop listening, application stop, Terminate); the final counters go to `out`.
extern "C" void host_server_shutdown(Server *s, HostStats *out) {
    Server *copy = s;
    copy->~Server();
    if (out) host_server_stats(copy, out);
    rt::release(copy);
}

extern "C" u64 host_live_allocations(void) { return rt::live_allocations(); }

// Sizes and offsets of the HTTP API structures as this compiler lays them out (checked against
// windows-sys by tests/abi_structs.rs).
extern "C" usize host_layout(u32 what) {
    switch (what) {
    case 0: return sizeof(HTTP_DATA_CHUNK);
    case 1: return __builtin_offsetof(HTTP_DATA_CHUNK, FromMemory.pBuffer);
    case 2: return __builtin_offsetof(HTTP_DATA_CHUNK, FromMemory.BufferLength);
    case 3: return sizeof(HTTP_REQUEST_V1);
    case 4: return sizeof(HTTP_REQUEST_V2);
    case 5: return __builtin_offsetof(HTTP_REQUEST_V1, CookedUrl);
    case 6: return __builtin_offsetof(HTTP_REQUEST_V1, Headers);
    case 7: return __builtin_offsetof(HTTP_REQUEST_V1, BytesReceived);
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winvalid-offsetof"  // single inheritance: well defined here
    case 8: return __builtin_offsetof(HTTP_REQUEST_V2, RequestInfoCount);
#pragma clang diagnostic pop
    case 9: return sizeof(HTTP_RESPONSE_V1);
    case 10: return sizeof(HTTP_RESPONSE_V2);
    case 11: return __builtin_offsetof(HTTP_RESPONSE_V1, Headers);
    case 12: return __builtin_offsetof(HTTP_RESPONSE_V1, pEntityChunks);
    case 13: return sizeof(HTTP_CACHE_POLICY);
    case 14: return sizeof(HTTP_COOKED_URL);
    case 15: return sizeof(HTTP_UNKNOWN_HEADER);
    case 16: return sizeof(SOCKADDR);
    }
    return ~usize(0);
}
