// server.h -- IHttpServer3 (the worker process), the module registry and
// IHttpModuleRegistrationInfo2 (what RegisterModule receives).
#pragma once
#include "context.h"
#include "objects.h"

// Ranks of the PRIORITY_ALIAS_* names; lower runs first (RQ_SEND_RESPONSE: reversed).
enum Priority : u8 { PRIORITY_FIRST, PRIORITY_HIGH, PRIORITY_MEDIUM, PRIORITY_LOW, PRIORITY_LAST };

class RegistrationInfo final : public IHttpModuleRegistrationInfo2 {
  public:
    ModuleEntry *entry = nullptr;
    PCWSTR GetName(VOID) const override;
    HTTP_MODULE_ID GetId(VOID) const override;
    HRESULT SetRequestNotifications(IHttpModuleFactory *factory, DWORD notifications,
                                    DWORD post_notifications) override;
    HRESULT SetGlobalNotifications(CGlobalModule *module, DWORD notifications) override;
    HRESULT SetPriorityForRequestNotification(DWORD notification, PCWSTR priority) override;
    HRESULT SetPriorityForGlobalNotification(DWORD notification, PCWSTR priority) override;
    HRESULT SetPriorityForPostRequestNotification(DWORD notification, PCWSTR priority) override;
};

// One module loaded from a RegisterModule entry point. HTTP_MODULE_ID is its address.
struct ModuleEntry {
    Server *server;
    rt::WStr name;
    rt::Str narrow_name;  // for traces
    RegistrationInfo info;
    IHttpModuleFactory *factory;
    DWORD request_mask, post_mask;
    CGlobalModule *global;
    DWORD global_mask;
    u8 priority[32], post_priority[32], global_priority[32];  // by notification bit
};

class Server final : public IHttpServer3 {
  public:
    rt::Vec<ModuleEntry *> modules;  // in registration order; fixed once requests run
    Site site;
    Application application;
    PerfCounters perf;
    HostStats stats = {};
    u64 next_request_id = 0;
    u32 application_started = 0;
    rt::SpinLock lock = {};  // application start, fragments, recorded calls
    struct Fragment {
        rt::WStr name;
        rt::Str data;
    };
    rt::Vec<Fragment> fragments;
    rt::Str events;  // ReportUnhealthy, RecycleProcess, ... ("name: detail\n")
    u64 thread_count = 0;

    Server();
    ~Server();  // IIS shutdown: stop listening, application stop, Terminate, container cleanup
    HRESULT register_module(PCWSTR name, PFN_REGISTERMODULE entry, DWORD server_version);
    // Modules for a request notification in pipeline order.
    void order(DWORD bit, bool post, rt::Vec<ModuleEntry *> &out) const;
    // Raises a global notification; returns false when a module answered HANDLED.
    bool notify_global(DWORD bit, IHttpEventProvider *provider, rt::Str *trace);
    void record_event(const char *what, PCWSTR detail);
    void start_application(rt::Str &trace);

    // IHttpServer
    BOOL IsCommandLineLaunch(VOID) const override { return FALSE; }
    PCWSTR GetAppPoolName(VOID) const override { return L"DefaultAppPool"; }
    HRESULT AssociateWithThreadPool(HANDLE h, LPOVERLAPPED_COMPLETION_ROUTINE routine) override {
        return HOST_E_NOT_SUPPORTED;
    }
    VOID IncrementThreadCount(VOID) override { rt::atomic_add(&thread_count, 1); }
    VOID DecrementThreadCount(VOID) override { rt::atomic_add(&thread_count, ~0ull); }
    VOID ReportUnhealthy(PCWSTR reason, HRESULT hr) override { record_event("ReportUnhealthy", reason); }
    VOID RecycleProcess(PCWSTR reason) override { record_event("RecycleProcess", reason); }
    IAppHostAdminManager *GetAdminManager(VOID) const override { return nullptr; }
    HRESULT GetFileInfo(PCWSTR, HANDLE, PSID, PCWSTR, HANDLE, BOOL, IHttpFileInfo **info,
                        IHttpTraceContext *) override;
    HRESULT FlushKernelCache(PCWSTR url) override { return S_OK; }
    HRESULT DoCacheOperation(CACHE_OPERATION, IHttpCacheKey *, IHttpCacheSpecificData **data,
                             IHttpTraceContext *) override;
    GLOBAL_NOTIFICATION_STATUS NotifyCustomNotification(ICustomNotificationProvider *provider) override;
    IHttpPerfCounterInfo *GetPerfCounterInfo(VOID) override { return &perf; }
    VOID RecycleApplication(PCWSTR path) override { record_event("RecycleApplication", path); }
    VOID NotifyConfigurationChange(PCWSTR path) override;
    VOID NotifyFileChange(PCWSTR file) override { record_event("NotifyFileChange", file); }
    IDispensedHttpModuleContextContainer *DispenseContainer(VOID) override;
    HRESULT AddFragmentToCache(HTTP_DATA_CHUNK *chunk, PCWSTR name) override;
    HRESULT ReadFragmentFromCache(PCWSTR name, BYTE *buf, DWORD cb, DWORD *copied) override;
    HRESULT RemoveFragmentFromCache(PCWSTR name) override;
    HRESULT GetWorkerProcessSettings(IWpfSettings **settings) override;
    HRESULT GetProtocolManagerCustomInterface(PCWSTR, PCWSTR, DWORD, PVOID *out) override;
    BOOL SatisfiesPrecondition(PCWSTR precondition, BOOL *unknown) const override;
    IHttpTraceContext *GetTraceContext(VOID) const override { return nullptr; }
    HRESULT RegisterFileChangeMonitor(PCWSTR, HANDLE, IHttpFileMonitor **monitor) override;
    HRESULT GetExtendedInterface(HTTP_SERVER_INTERFACE_VERSION version, PVOID *out) override;
    // IHttpServer2
    HRESULT GetToken(PCWSTR, PCWSTR, DWORD, IHttpTokenEntry **entry, PCWSTR, PSOCKADDR,
                     IHttpTraceContext *) override;
    PCWSTR GetAppPoolConfigFile(DWORD *cch) const override;
    HRESULT GetExtendedInterface(const GUID &version1, PVOID input, const GUID &version2,
                                 PVOID *output) override;
    HRESULT GetMetadata(PCWSTR site, PCWSTR url, IReferencedMetadataInfo **info) override;
    HRESULT GetWorkerProcessFramework(IWorkerProcessFramework **framework) override;
    // IHttpServer3
    HRESULT QueryRequestProperty(HTTP_OPAQUE_ID, HTTP_REQUEST_PROPERTY, PVOID, ULONG, PVOID, ULONG,
                                 PULONG returned, LPOVERLAPPED) override;

  private:
    int fragment_index(PCWSTR name) const;
};
