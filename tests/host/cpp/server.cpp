// server.cpp -- IHttpServer3, module registration and global notifications (see server.h).
#include "server.h"

namespace {

bool same_guid(const GUID &a, const GUID &b) {
    if (a.Data1 != b.Data1 || a.Data2 != b.Data2 || a.Data3 != b.Data3) return false;
    for (int i = 0; i < 8; i++)
        if (a.Data4[i] != b.Data4[i]) return false;
    return true;
}

bool wide_is(PCWSTR s, const char *ascii) {
    if (!s) return false;
    usize i = 0;
    for (; ascii[i]; i++)
        if (s[i] != wchar_t(u8(ascii[i]))) return false;
    return s[i] == 0;
}

// PRIORITY_ALIAS_* -> rank, or -1.
int priority_of(PCWSTR alias) {
    static const char *const names[] = {"FIRST", "HIGH", "MEDIUM", "LOW", "LAST"};
    for (int i = 0; i < 5; i++)
        if (wide_is(alias, names[i])) return i;
    return -1;
}

HRESULT set_priorities(u8 *table, DWORD notifications, PCWSTR alias) {
    int p = priority_of(alias);
    if (p < 0 || !notifications) return HOST_E_INVALIDARG;
    for (int b = 0; b < 32; b++)
        if (notifications & (1u << b)) table[b] = u8(p);
    return S_OK;
}

const char *global_name(DWORD bit) {
    switch (bit) {
    case GL_STOP_LISTENING: return "GlobalStopListening";
    case GL_CACHE_CLEANUP: return "GlobalCacheCleanup";
    case GL_CACHE_OPERATION: return "GlobalCacheOperation";
    case GL_HEALTH_CHECK: return "GlobalHealthCheck";
    case GL_CONFIGURATION_CHANGE: return "GlobalConfigurationChange";
    case GL_FILE_CHANGE: return "GlobalFileChange";
    case GL_PRE_BEGIN_REQUEST: return "GlobalPreBeginRequest";
    case GL_APPLICATION_START: return "GlobalApplicationStart";
    case GL_APPLICATION_RESOLVE_MODULES: return "GlobalApplicationResolveModules";
    case GL_APPLICATION_STOP: return "GlobalApplicationStop";
    case GL_RSCA_QUERY: return "GlobalRSCAQuery";
    case GL_TRACE_EVENT: return "GlobalTraceEvent";
    case GL_CUSTOM_NOTIFICATION: return "GlobalCustomNotification";
    case GL_THREAD_CLEANUP: return "GlobalThreadCleanup";
    case GL_APPLICATION_PRELOAD: return "GlobalApplicationPreload";
    case GL_SUSPEND_PROCESS: return "GlobalSuspendProcess";
    default: return "Global?";
    }
}

GLOBAL_NOTIFICATION_STATUS call_global(CGlobalModule *g, DWORD bit, IHttpEventProvider *p) {
    switch (bit) {
    case GL_STOP_LISTENING: return g->OnGlobalStopListening(static_cast<IGlobalStopListeningProvider *>(p));
    case GL_CACHE_CLEANUP: return g->OnGlobalCacheCleanup();
    case GL_CACHE_OPERATION: return g->OnGlobalCacheOperation(static_cast<ICacheProvider *>(p));
    case GL_HEALTH_CHECK: return g->OnGlobalHealthCheck();
    case GL_CONFIGURATION_CHANGE:
        return g->OnGlobalConfigurationChange(static_cast<IGlobalConfigurationChangeProvider *>(p));
    case GL_FILE_CHANGE: return g->OnGlobalFileChange(static_cast<IGlobalFileChangeProvider *>(p));
    case GL_PRE_BEGIN_REQUEST: return g->OnGlobalPreBeginRequest(static_cast<IPreBeginRequestProvider *>(p));
    case GL_APPLICATION_START:
        return g->OnGlobalApplicationStart(static_cast<IHttpApplicationStartProvider *>(p));
    case GL_APPLICATION_RESOLVE_MODULES:
        return g->OnGlobalApplicationResolveModules(static_cast<IHttpApplicationResolveModulesProvider *>(p));
    case GL_APPLICATION_STOP:
        return g->OnGlobalApplicationStop(static_cast<IHttpApplicationStopProvider *>(p));
    case GL_RSCA_QUERY: return g->OnGlobalRSCAQuery(static_cast<IGlobalRSCAQueryProvider *>(p));
    case GL_TRACE_EVENT: return g->OnGlobalTraceEvent(static_cast<IGlobalTraceEventProvider *>(p));
    case GL_CUSTOM_NOTIFICATION:
        return g->OnGlobalCustomNotification(static_cast<ICustomNotificationProvider *>(p));
    case GL_THREAD_CLEANUP: return g->OnGlobalThreadCleanup(static_cast<IGlobalThreadCleanupProvider *>(p));
    case GL_APPLICATION_PRELOAD:
        return g->OnGlobalApplicationPreload(static_cast<IGlobalApplicationPreloadProvider *>(p));
    }
    rt::fatal("mock IIS: unsupported global notification");
}

}  // namespace

// ---- registration

PCWSTR RegistrationInfo::GetName(VOID) const { return entry->name.c_str(); }
HTTP_MODULE_ID RegistrationInfo::GetId(VOID) const { return entry; }

HRESULT RegistrationInfo::SetRequestNotifications(IHttpModuleFactory *factory, DWORD notifications,
                                                  DWORD post_notifications) {
    if (!factory || (!notifications && !post_notifications)) return HOST_E_INVALIDARG;
    entry->factory = factory;
    entry->request_mask = notifications;
    entry->post_mask = post_notifications;
    return S_OK;
}

HRESULT RegistrationInfo::SetGlobalNotifications(CGlobalModule *module, DWORD notifications) {
    if (!module) return HOST_E_INVALIDARG;
    entry->global = module;
    entry->global_mask = notifications;
    return S_OK;
}

HRESULT RegistrationInfo::SetPriorityForRequestNotification(DWORD notification, PCWSTR priority) {
    return set_priorities(entry->priority, notification, priority);
}

HRESULT RegistrationInfo::SetPriorityForGlobalNotification(DWORD notification, PCWSTR priority) {
    return set_priorities(entry->global_priority, notification, priority);
}

HRESULT RegistrationInfo::SetPriorityForPostRequestNotification(DWORD notification, PCWSTR priority) {
    return set_priorities(entry->post_priority, notification, priority);
}

Server::Server() {
    u64 *cleaned = &stats.stored_contexts_cleaned;
    site.container.table.cleaned_counter = cleaned;
    application.container.table.cleaned_counter = cleaned;
}

HRESULT Server::register_module(PCWSTR name, PFN_REGISTERMODULE entry_point, DWORD server_version) {
    if (!name || !entry_point) return HOST_E_INVALIDARG;
    ModuleEntry *e = new ModuleEntry();
    e->server = this;
    e->name.assign(name, rt::wstrlen(name));
    rt::narrow(e->narrow_name, name, e->name.len);
    e->info.entry = e;
    for (int b = 0; b < 32; b++)
        e->priority[b] = e->post_priority[b] = e->global_priority[b] = PRIORITY_MEDIUM;
    // Exactly what IIS does with the DLL's export: call it through PFN_REGISTERMODULE.
    HRESULT hr = entry_point(server_version, &e->info, this);
    if (hr < 0) {
        delete e;  // IIS refuses the module (and the worker process fails to start)
        return hr;
    }
    modules.push() = e;
    return hr;
}

void Server::order(DWORD bit, bool post, rt::Vec<ModuleEntry *> &out) const {
    int b = __builtin_ctz(bit);
    for (usize i = 0; i < modules.len; i++) {
        ModuleEntry *e = modules[i];
        if (!e->factory || !((post ? e->post_mask : e->request_mask) & bit)) continue;
        out.push() = e;
    }
    // Stable insertion sort by priority (ties: registration order). As documented for IIS,
    // RQ_SEND_RESPONSE runs in the reverse order.
    for (usize i = 1; i < out.len; i++) {
        ModuleEntry *e = out[i];
        u8 p = post ? e->post_priority[b] : e->priority[b];
        usize j = i;
        while (j > 0) {
            ModuleEntry *o = out[j - 1];
            u8 q = post ? o->post_priority[b] : o->priority[b];
            if (q <= p) break;
            out[j] = o;
            j--;
        }
        out[j] = e;
    }
    if (bit == RQ_SEND_RESPONSE)
        for (usize i = 0, j = out.len; i + 1 < j; i++, j--) {
            ModuleEntry *t = out[i];
            out[i] = out[j - 1];
            out[j - 1] = t;
        }
}

bool Server::notify_global(DWORD bit, IHttpEventProvider *provider, rt::Str *trace) {
    int b = __builtin_ctz(bit);
    rt::Vec<ModuleEntry *> order;
    for (usize i = 0; i < modules.len; i++)
        if (modules[i]->global && (modules[i]->global_mask & bit)) order.push() = modules[i];
    for (usize i = 1; i < order.len; i++) {
        ModuleEntry *e = order[i];
        usize j = i;
        while (j > 0 && order[j - 1]->global_priority[b] > e->global_priority[b]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = e;
    }
    for (usize i = 0; i < order.len; i++) {
        GLOBAL_NOTIFICATION_STATUS st = call_global(order[i]->global, bit, provider);
        rt::atomic_add(&stats.global_notifications, 1);
        if (trace)
            trace_line(*trace, global_name(bit), order[i]->narrow_name.c_str(),
                       st == GL_NOTIFICATION_HANDLED ? "HANDLED" : "CONTINUE");
        if (st == GL_NOTIFICATION_HANDLED) return false;
    }
    return true;
}

void Server::start_application(rt::Str &trace) {
    rt::Guard g(lock);  // requests wait until the application has started
    if (application_started) return;
    application_started = 1;
    ApplicationProvider p;
    p.application = &application;
    notify_global(GL_APPLICATION_START, &p, &trace);
}

Server::~Server() {
    StopListeningProvider stop;
    notify_global(GL_STOP_LISTENING, &stop, nullptr);
    if (application_started) {
        ApplicationProvider p;
        p.application = &application;
        notify_global(GL_APPLICATION_STOP, &p, nullptr);
    }
    site.container.table.cleanup(false);
    application.container.table.cleanup(false);
    for (usize i = 0; i < modules.len; i++) {
        ModuleEntry *e = modules[i];
        if (e->factory) {
            e->factory->Terminate();
            rt::atomic_add(&stats.factories_terminated, 1);
        }
        if (e->global) {
            e->global->Terminate();
            rt::atomic_add(&stats.global_modules_terminated, 1);
        }
        delete e;
    }
}

void Server::record_event(const char *what, PCWSTR detail) {
    rt::Guard g(lock);
    rt::append_cstr(events, what);
    rt::append_cstr(events, ": ");
    rt::Str d;
    rt::narrow(d, detail, rt::wstrlen(detail));
    events.append(d.c_str(), d.len);
    events.append('\n');
}

// ---- IHttpServer

HRESULT Server::GetFileInfo(PCWSTR, HANDLE, PSID, PCWSTR, HANDLE, BOOL, IHttpFileInfo **info,
                            IHttpTraceContext *) {
    if (info) *info = nullptr;
    return HOST_E_NOT_SUPPORTED;  // no file system behind the mock
}

HRESULT Server::DoCacheOperation(CACHE_OPERATION, IHttpCacheKey *, IHttpCacheSpecificData **data,
                                 IHttpTraceContext *) {
    if (data) *data = nullptr;
    return HOST_E_NOT_SUPPORTED;
}

GLOBAL_NOTIFICATION_STATUS Server::NotifyCustomNotification(ICustomNotificationProvider *provider) {
    if (!provider) return GL_NOTIFICATION_CONTINUE;
    return notify_global(GL_CUSTOM_NOTIFICATION, provider, nullptr) ? GL_NOTIFICATION_CONTINUE
                                                                    : GL_NOTIFICATION_HANDLED;
}

VOID Server::NotifyConfigurationChange(PCWSTR path) {
    record_event("NotifyConfigurationChange", path);
    ConfigurationChangeProvider p;
    p.path = path;
    notify_global(GL_CONFIGURATION_CHANGE, &p, nullptr);
}

IDispensedHttpModuleContextContainer *Server::DispenseContainer(VOID) {
    DispensedContainer *c = new DispensedContainer();
    c->table.cleaned_counter = &stats.stored_contexts_cleaned;
    return c;
}

int Server::fragment_index(PCWSTR name) const {
    usize len = rt::wstrlen(name);
    for (usize i = 0; i < fragments.len; i++) {
        const rt::WStr &n = fragments[i].name;
        if (n.len != len) continue;
        bool same = true;
        for (usize k = 0; k < len && same; k++) same = n.p[k] == name[k];
        if (same) return int(i);
    }
    return -1;
}

HRESULT Server::AddFragmentToCache(HTTP_DATA_CHUNK *chunk, PCWSTR name) {
    if (!chunk || !name || chunk->DataChunkType != HttpDataChunkFromMemory) return HOST_E_INVALIDARG;
    rt::Guard g(lock);
    int i = fragment_index(name);
    Fragment &f = i >= 0 ? fragments[usize(i)] : fragments.push();
    f.name.assign(name, rt::wstrlen(name));
    f.data.assign(static_cast<const char *>(chunk->FromMemory.pBuffer), chunk->FromMemory.BufferLength);
    return S_OK;
}

HRESULT Server::ReadFragmentFromCache(PCWSTR name, BYTE *buf, DWORD cb, DWORD *copied) {
    if (!name || !copied) return HOST_E_INVALIDARG;
    rt::Guard g(lock);
    int i = fragment_index(name);
    if (i < 0) return HOST_E_NOT_FOUND;
    const rt::Str &d = fragments[usize(i)].data;
    *copied = DWORD(d.len);
    if (!buf || cb < d.len) return HOST_E_INSUFFICIENT_BUFFER;
    rt::copy(buf, d.c_str(), d.len);
    return S_OK;
}

HRESULT Server::RemoveFragmentFromCache(PCWSTR name) {
    if (!name) return HOST_E_INVALIDARG;
    rt::Guard g(lock);
    int i = fragment_index(name);
    if (i < 0) return HOST_E_NOT_FOUND;
    fragments.remove(usize(i));
    return S_OK;
}

HRESULT Server::GetWorkerProcessSettings(IWpfSettings **settings) {
    if (settings) *settings = nullptr;
    return HOST_E_NOT_SUPPORTED;
}

HRESULT Server::GetProtocolManagerCustomInterface(PCWSTR, PCWSTR, DWORD, PVOID *out) {
    if (out) *out = nullptr;
    return HOST_E_NOT_SUPPORTED;
}

// Preconditions the mock knows: integratedMode, bitness64 (true), classicMode, bitness32
// (false). Anything else is unknown.
BOOL Server::SatisfiesPrecondition(PCWSTR precondition, BOOL *unknown) const {
    if (unknown) *unknown = FALSE;
    if (!precondition) return TRUE;
    rt::Str all;
    rt::narrow(all, precondition, rt::wstrlen(precondition));
    usize start = 0;
    for (usize i = 0; i <= all.len; i++) {
        if (i < all.len && all.p[i] != ',') continue;
        usize s = start, e = i;
        start = i + 1;
        while (s < e && all.p[s] == ' ') s++;
        while (e > s && all.p[e - 1] == ' ') e--;
        if (s == e) continue;
        const char *t = all.p + s;
        usize n = e - s;
        if (rt::ascii_ieq(t, n, "integratedMode", 14) || rt::ascii_ieq(t, n, "bitness64", 9)) continue;
        if (rt::ascii_ieq(t, n, "classicMode", 11) || rt::ascii_ieq(t, n, "bitness32", 9)) return FALSE;
        if (unknown) *unknown = TRUE;
        return FALSE;
    }
    return TRUE;
}

HRESULT Server::RegisterFileChangeMonitor(PCWSTR, HANDLE, IHttpFileMonitor **monitor) {
    if (monitor) *monitor = nullptr;
    return HOST_E_NOT_SUPPORTED;
}

HRESULT Server::GetExtendedInterface(HTTP_SERVER_INTERFACE_VERSION version, PVOID *out) {
    if (!out) return HOST_E_INVALIDARG;
    *out = nullptr;
    if (version == HTTP_SERVER_INTERFACE_V2) {
        *out = static_cast<IHttpServer2 *>(this);
        return S_OK;
    }
    if (version == HTTP_SERVER_INTERFACE_V3) {
        *out = static_cast<IHttpServer3 *>(this);
        return S_OK;
    }
    return HOST_E_NOINTERFACE;
}

HRESULT Server::GetToken(PCWSTR, PCWSTR, DWORD, IHttpTokenEntry **entry, PCWSTR, PSOCKADDR,
                         IHttpTraceContext *) {
    if (entry) *entry = nullptr;
    return HOST_E_NOT_SUPPORTED;
}

PCWSTR Server::GetAppPoolConfigFile(DWORD *cch) const {
    static const wchar_t path[] = L"C:\\inetpub\\temp\\apppools\\DefaultAppPool\\DefaultAppPool.config";
    if (cch) *cch = DWORD(sizeof(path) / sizeof(path[0]) - 1);
    return path;
}

// HttpGetExtendedInterface: every object of the mock implements the newest version of its
// interface, so the answer is the object itself.
HRESULT Server::GetExtendedInterface(const GUID &v1, PVOID input, const GUID &v2, PVOID *output) {
    if (!output) return HOST_E_INVALIDARG;
    *output = nullptr;
    struct Family {
        const GUID *base;
        const GUID *versions[4];
        int count;
    };
    static const Family families[] = {
        {&__uuidof(IHttpContext),
         {&__uuidof(IHttpContext), &__uuidof(IHttpContext2), &__uuidof(IHttpContext3), &__uuidof(IHttpContext4)}, 4},
        {&__uuidof(IHttpRequest),
         {&__uuidof(IHttpRequest), &__uuidof(IHttpRequest2), &__uuidof(IHttpRequest3), &__uuidof(IHttpRequest4)}, 4},
        {&__uuidof(IHttpResponse),
         {&__uuidof(IHttpResponse), &__uuidof(IHttpResponse2), &__uuidof(IHttpResponse3), &__uuidof(IHttpResponse4)}, 4},
        {&__uuidof(IHttpApplication), {&__uuidof(IHttpApplication), &__uuidof(IHttpApplication2)}, 2},
        {&__uuidof(IHttpCachePolicy), {&__uuidof(IHttpCachePolicy), &__uuidof(IHttpCachePolicy2)}, 2},
        {&__uuidof(IHttpCompletionInfo), {&__uuidof(IHttpCompletionInfo), &__uuidof(IHttpCompletionInfo2)}, 2},
        {&__uuidof(IHttpModuleRegistrationInfo),
         {&__uuidof(IHttpModuleRegistrationInfo), &__uuidof(IHttpModuleRegistrationInfo2)}, 2},
    };
    if (same_guid(v1, __uuidof(IHttpServer))) {
        if (same_guid(v2, __uuidof(IHttpServer2))) *output = static_cast<IHttpServer2 *>(this);
        if (same_guid(v2, __uuidof(IHttpServer3))) *output = static_cast<IHttpServer3 *>(this);
        return *output ? S_OK : HOST_E_NOINTERFACE;
    }
    if (!input) return HOST_E_INVALIDARG;
    for (const Family &f : families) {
        if (!same_guid(v1, *f.base)) continue;
        for (int i = 0; i < f.count; i++)
            if (same_guid(v2, *f.versions[i])) {
                *output = input;
                return S_OK;
            }
    }
    return HOST_E_NOINTERFACE;
}

HRESULT Server::GetMetadata(PCWSTR, PCWSTR, IReferencedMetadataInfo **info) {
    if (info) *info = nullptr;
    return HOST_E_NOT_SUPPORTED;
}

HRESULT Server::GetWorkerProcessFramework(IWorkerProcessFramework **framework) {
    if (framework) *framework = nullptr;
    return HOST_E_NOT_SUPPORTED;
}

HRESULT Server::QueryRequestProperty(HTTP_OPAQUE_ID, HTTP_REQUEST_PROPERTY, PVOID, ULONG, PVOID,
                                     ULONG, PULONG returned, LPOVERLAPPED) {
    if (returned) *returned = 0;
    return HOST_E_NOT_SUPPORTED;
}
