// context.cpp -- IHttpContext4 outside the pipeline: server variables, paths, completion
// entry points, extended interfaces. The pipeline itself is in pipeline.cpp.
#include "context.h"

#include "server.h"

u64 host_now_filetime() {
    rt_timespec ts = {};
    clock_gettime(0 /* CLOCK_REALTIME */, &ts);
    // 100-ns ticks since 1601-01-01 (FILETIME), like GetSystemTimeAsFileTime.
    return u64(ts.tv_sec) * 10000000ull + u64(ts.tv_nsec) / 100 + 116444736000000000ull;
}

u64 host_now_ms() {
    rt_timespec ts = {};
    clock_gettime(1 /* CLOCK_MONOTONIC */, &ts);
    return u64(ts.tv_sec) * 1000ull + u64(ts.tv_nsec) / 1000000ull;
}

Context::Context(Server *s, u64 id) : server(s), request_id(id) {
    request.ctx = this;
    response.ctx = this;
    response.init();
    connection.ctx = this;
    event_provider.ctx = this;
    auth_provider.ctx = this;
    map_handler_provider.ctx = this;
    send_provider.ctx = this;
    map_path_provider.ctx = this;
    read_entity_provider.ctx = this;
    allocator.ctx = this;
    u64 *cleaned = &s->stats.stored_contexts_cleaned;
    container.table.cleaned_counter = cleaned;
    named.table.cleaned_counter = cleaned;
    connection.container.table.cleaned_counter = cleaned;
    connection.container.connection_table.cleaned_counter = cleaned;
    url_info.container.table.cleaned_counter = cleaned;
    metadata.container.table.cleaned_counter = cleaned;
    start_time = host_now_filetime();
    start_ms = host_now_ms();
}

Context::~Context() = default;

IHttpSite *Context::GetSite(VOID) { return &server->site; }
IHttpApplication *Context::GetApplication(VOID) { return &server->application; }

const wchar_t *Context::current_module_name() const {
    return current >= 0 ? instances[usize(current)].entry->name.c_str() : nullptr;
}

void Context::set_error_status(HRESULT hr) {
    error_status = hr;
    rt::Str line;
    rt::append_cstr(line, "0x");
    rt::append_hex(line, u32(hr));
    trace_line(trace, "SetErrorStatus", line.c_str());
}

void Context::set_user(IHttpUser *u) {
    if (user && user != u) user->DereferenceUser();
    user = u;
}


bool Context::server_fragment(PCWSTR name, rt::Str &out) {
    DWORD needed = 0;
    HRESULT hr = server->ReadFragmentFromCache(name, nullptr, 0, &needed);
    if (hr != HOST_E_INSUFFICIENT_BUFFER && hr != S_OK) return false;
    out.reserve(needed);
    hr = server->ReadFragmentFromCache(name, reinterpret_cast<BYTE *>(out.p), needed, &needed);
    if (hr != S_OK) return false;
    out.len = needed;
    out.p[needed] = 0;
    return true;
}

// ---- completion

VOID Context::IndicateCompletion(REQUEST_NOTIFICATION_STATUS status) {
    indicated_status = status;
    rt::atomic_store32(&completion_state, COMPLETION_INDICATED);
}

HRESULT Context::PostCompletion(DWORD bytes) {
    completion_bytes = bytes;
    completion_hr = S_OK;
    completion_op = OP_POST_COMPLETION;
    completion_callback = nullptr;
    completion_callback_context = nullptr;
    completion_routine = nullptr;
    completion_routine_context = nullptr;
    rt::atomic_store32(&completion_state, COMPLETION_POSTED);
    return S_OK;
}

// IHttpContext3's overload: `routine` (if any) runs when the completion is delivered, before
// OnAsyncCompletion, with (NO_ERROR, bytes, context) -- the mock's reading of this overload.
HRESULT Context::PostCompletion(DWORD bytes, LPOVERLAPPED_COMPLETION_ROUTINE routine, VOID *context) {
    completion_bytes = bytes;
    completion_hr = S_OK;
    completion_op = OP_POST_COMPLETION;
    completion_callback = nullptr;
    completion_callback_context = nullptr;
    completion_routine = routine;
    completion_routine_context = context;
    rt::atomic_store32(&completion_state, COMPLETION_POSTED);
    return S_OK;
}

void Context::post_io_completion(DWORD bytes, HRESULT hr, DWORD op, PFN_ASYNC_COMPLETION callback,
                                 VOID *callback_context) {
    completion_bytes = bytes;
    completion_hr = hr;
    completion_op = op;
    completion_callback = callback;
    completion_callback_context = callback_context;
    completion_routine = nullptr;
    completion_routine_context = nullptr;
    rt::atomic_store32(&completion_state, COMPLETION_POSTED);
}

VOID Context::DisableNotifications(DWORD notifications, DWORD post_notifications) {
    if (current < 0) return;
    instances[usize(current)].disabled |= notifications;
    instances[usize(current)].disabled_post |= post_notifications;
}

BOOL Context::GetNextNotification(REQUEST_NOTIFICATION_STATUS, DWORD *notification, BOOL *is_post,
                                  CHttpModule **module, IHttpEventProvider **provider) {
    // The mock never batches notifications for a module: there is no next one to hand out.
    if (notification) *notification = 0;
    if (is_post) *is_post = FALSE;
    if (module) *module = nullptr;
    if (provider) *provider = nullptr;
    return FALSE;
}

HRESULT Context::ExecuteRequest(BOOL, IHttpContext *, DWORD, IHttpUser *, BOOL *expected) {
    if (expected) *expected = FALSE;
    return HOST_E_NOT_SUPPORTED;  // no child requests in the mock
}

HRESULT Context::CloneContext(DWORD, IHttpContext **clone) {
    if (clone) *clone = nullptr;
    return HOST_E_NOT_SUPPORTED;
}

HRESULT Context::MapHandler(DWORD, PCWSTR, PCWSTR, PCSTR, IScriptMapInfo **map, BOOL) {
    if (map) *map = nullptr;
    return HOST_E_NOT_SUPPORTED;
}

HRESULT Context::GetExtendedInterface(HTTP_CONTEXT_INTERFACE_VERSION, PVOID *out) {
    if (out) *out = nullptr;
    return HOST_E_NOINTERFACE;  // obsolete: HttpGetExtendedInterface goes through IHttpServer2
}

HRESULT Context::GetCurrentExecutionStats(DWORD *notification, DWORD *notification_start,
                                          PCWSTR *module, DWORD *module_start,
                                          DWORD *async_notification, DWORD *async_start) const {
    if (notification) *notification = current_notification;
    if (notification_start) *notification_start = DWORD(start_ms);
    if (module) *module = current_module_name();
    if (module_start) *module_start = DWORD(start_ms);
    if (async_notification) *async_notification = 0;
    if (async_start) *async_start = 0;
    return S_OK;
}

ULONGLONG Context::GetRequestElapsedTime(VOID) { return host_now_ms() - start_ms; }

HRESULT Context::InheritServerVariable(PCSTR name, BOOL fail_if_missing) {
    if (!name) return HOST_E_INVALIDARG;
    return fail_if_missing ? HOST_E_NOT_FOUND : S_OK;  // a root request has no parent
}

// ---- server variables

namespace {

bool is(const char *name, usize len, const char *want) {
    return rt::ascii_ieq(name, len, want, rt::cstrlen(want));
}

bool has_prefix(const char *name, usize len, const char *prefix) {
    usize n = rt::cstrlen(prefix);
    return len > n && rt::ascii_ieq(name, n, prefix, n);
}

}  // namespace

bool Context::lookup_variable(const char *name, usize len, rt::Str &v) {
    for (usize i = 0; i < overrides.len; i++)
        if (rt::ascii_ieq(overrides[i].name.c_str(), overrides[i].name.len, name, len)) {
            v.assign(overrides[i].value.c_str(), overrides[i].value.len);
            return true;
        }
    const Request &r = request;
    if (is(name, len, "REQUEST_METHOD")) {
        v.assign(r.method.c_str(), r.method.len);
    } else if (is(name, len, "URL") || is(name, len, "SCRIPT_NAME") || is(name, len, "PATH_INFO")) {
        v.assign(r.path.c_str(), r.path.len);
    } else if (is(name, len, "QUERY_STRING")) {
        v.assign(r.query.c_str(), r.query.len);
    } else if (is(name, len, "UNENCODED_URL") || is(name, len, "HTTP_URL")) {
        v.assign(r.raw_url.c_str(), r.raw_url.len);
    } else if (is(name, len, "SERVER_PROTOCOL")) {
        rt::append_cstr(v, r.minor == 0 ? "HTTP/1.0" : "HTTP/1.1");
    } else if (is(name, len, "SERVER_NAME")) {
        const Header *host = r.headers.get("Host", 4);
        if (host) {
            usize n = 0;
            while (n < host->value.len && host->value.p[n] != ':') n++;
            v.assign(host->value.c_str(), n);
        } else {
            rt::append_cstr(v, "localhost");
        }
    } else if (is(name, len, "SERVER_PORT")) {
        rt::append_cstr(v, "80");
    } else if (is(name, len, "SERVER_PORT_SECURE")) {
        rt::append_cstr(v, "0");
    } else if (is(name, len, "HTTPS")) {
        rt::append_cstr(v, "off");
    } else if (is(name, len, "REMOTE_ADDR") || is(name, len, "REMOTE_HOST") || is(name, len, "LOCAL_ADDR")) {
        rt::append_cstr(v, "127.0.0.1");
    } else if (is(name, len, "REMOTE_PORT")) {
        rt::append_cstr(v, "50000");
    } else if (is(name, len, "CONTENT_LENGTH")) {
        rt::append_uint(v, r.body.len);
    } else if (is(name, len, "CONTENT_TYPE")) {
        const Header *h = r.headers.get("Content-Type", 12);
        if (h) v.assign(h->value.c_str(), h->value.len);
    } else if (is(name, len, "SERVER_SOFTWARE")) {
        rt::append_cstr(v, "Microsoft-IIS/10.0");
    } else if (is(name, len, "INSTANCE_ID")) {
        rt::append_cstr(v, "1");
    } else if (is(name, len, "APPL_MD_PATH")) {
        rt::append_cstr(v, "/LM/W3SVC/1/ROOT");
    } else if (is(name, len, "APPL_PHYSICAL_PATH")) {
        rt::append_cstr(v, "C:\\inetpub\\wwwroot\\");
    } else if (is(name, len, "PATH_TRANSLATED")) {
        rt::WStr p;
        physical_path_of(r.path, p);
        rt::narrow(v, p.c_str(), p.len);
    } else if (is(name, len, "AUTH_TYPE") || is(name, len, "AUTH_USER") || is(name, len, "LOGON_USER") ||
               is(name, len, "REMOTE_USER")) {
        IHttpUser *u = GetUser();
        PCWSTR w = is(name, len, "AUTH_TYPE") ? u->GetAuthenticationType() : u->GetUserName();
        rt::narrow(v, w, rt::wstrlen(w));
    } else if (is(name, len, "ALL_RAW")) {
        for (usize i = 0; i < r.headers.items.len; i++) {
            const Header &h = r.headers.items[i];
            v.append(h.name.c_str(), h.name.len);
            rt::append_cstr(v, ": ");
            v.append(h.value.c_str(), h.value.len);
            rt::append_cstr(v, "\r\n");
        }
    } else if (has_prefix(name, len, "HTTP_")) {
        // HTTP_USER_AGENT -> User-Agent
        rt::Str header;
        for (usize i = 5; i < len; i++) header.append(name[i] == '_' ? '-' : name[i]);
        const Header *h = r.headers.get(header.c_str(), header.len);
        if (!h) return false;
        v.assign(h->value.c_str(), h->value.len);
    } else if (has_prefix(name, len, "HEADER_")) {
        const Header *h = r.headers.get(name + 7, len - 7);
        if (!h) return false;
        v.assign(h->value.c_str(), h->value.len);
    } else {
        return false;
    }
    return true;
}

HRESULT Context::GetServerVariable(PCSTR name, PCSTR *value, DWORD *cch) {
    if (!name || !value) return HOST_E_INVALIDARG;
    rt::Str v;
    if (!lookup_variable(name, rt::cstrlen(name), v)) {
        *value = nullptr;
        if (cch) *cch = 0;
        return HOST_E_INVALID_INDEX;
    }
    *value = arena.dup(v.c_str(), v.len);
    if (cch) *cch = DWORD(v.len);
    return S_OK;
}

HRESULT Context::GetServerVariable(PCSTR name, PCWSTR *value, DWORD *cch) {
    if (!name || !value) return HOST_E_INVALIDARG;
    rt::Str v;
    if (!lookup_variable(name, rt::cstrlen(name), v)) {
        *value = nullptr;
        if (cch) *cch = 0;
        return HOST_E_INVALID_INDEX;
    }
    rt::WStr w;
    rt::widen(w, v.c_str(), v.len);
    *value = arena.wdup(w.c_str(), w.len);
    if (cch) *cch = DWORD(w.len);
    return S_OK;
}

HRESULT Context::SetServerVariable(PCSTR name, PCWSTR value) {
    if (!name || !*name) return HOST_E_INVALIDARG;
    usize len = rt::cstrlen(name);
    for (usize i = 0; i < overrides.len; i++)
        if (rt::ascii_ieq(overrides[i].name.c_str(), overrides[i].name.len, name, len)) {
            overrides.remove(i);
            break;
        }
    if (!value) return S_OK;  // NULL removes the module's value
    Header &h = overrides.push();
    h.name.assign(name, len);
    rt::narrow(h.value, value, rt::wstrlen(value));
    return S_OK;
}

// ---- paths

void Context::physical_path_of(const rt::Str &url, rt::WStr &out) {
    rt::Str p;
    rt::append_cstr(p, "C:\\inetpub\\wwwroot");
    for (usize i = 0; i < url.len; i++) p.append(url.p[i] == '/' ? '\\' : url.p[i]);
    rt::widen(out, p.c_str(), p.len);
}

// The default mapping, then RQ_MAP_PATH notifications that may change it.
static void map_url(Context &c, const wchar_t *url, rt::WStr &out);

PCWSTR Context::GetPhysicalPath(DWORD *cch) {
    rt::WStr url;
    rt::widen(url, request.path.c_str(), request.path.len);
    rt::WStr path;
    map_url(*this, url.c_str(), path);
    if (cch) *cch = DWORD(path.len);
    return arena.wdup(path.c_str(), path.len);
}

PCWSTR Context::GetScriptName(DWORD *cch) const {
    Context *self = const_cast<Context *>(this);
    if (script_name_set) {
        if (cch) *cch = DWORD(script_name.len);
        return self->arena.wdup(script_name.c_str(), script_name.len);
    }
    rt::WStr w;
    rt::widen(w, request.path.c_str(), request.path.len);
    if (cch) *cch = DWORD(w.len);
    return self->arena.wdup(w.c_str(), w.len);
}

PCWSTR Context::GetScriptTranslated(DWORD *cch) { return GetPhysicalPath(cch); }

HRESULT Context::MapPath(PCWSTR url, PWSTR physical, DWORD *cb) {
    if (!url || !cb) return HOST_E_INVALIDARG;
    rt::WStr path;
    map_url(*this, url, path);
    DWORD needed = DWORD((path.len + 1) * sizeof(wchar_t));
    if (!physical || *cb < needed) {
        *cb = needed;
        return HOST_E_INSUFFICIENT_BUFFER;
    }
    rt::copy(physical, path.c_str(), needed);
    *cb = needed;
    return S_OK;
}

static void map_url(Context &c, const wchar_t *url, rt::WStr &out) {
    rt::Str narrow;
    rt::narrow(narrow, url, rt::wstrlen(url));
    rt::Str p;
    rt::append_cstr(p, "C:\\inetpub\\wwwroot");
    for (usize i = 0; i < narrow.len; i++) p.append(narrow.p[i] == '/' ? '\\' : narrow.p[i]);
    MapPathProvider &mp = c.map_path_provider;
    mp.url = url;
    rt::widen(mp.physical, p.c_str(), p.len);
    c.notify(RQ_MAP_PATH, false, &mp);
    out.assign(mp.physical.c_str(), mp.physical.len);
    mp.url = nullptr;
}

HRESULT Context::NotifyCustomNotification(ICustomNotificationProvider *provider, BOOL *expected) {
    if (!provider) return HOST_E_INVALIDARG;
    if (expected) *expected = FALSE;
    notify(RQ_CUSTOM_NOTIFICATION, false, provider);
    return S_OK;
}
