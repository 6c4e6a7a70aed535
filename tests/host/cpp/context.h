// context.h -- IHttpContext4: one request going through the pipeline, with everything it
// owns (request, response, user, connection, containers, providers, request memory).
#pragma once
#include "containers.h"
#include "objects.h"
#include "providers.h"
#include "request.h"
#include "response.h"

// A module instance of this request (GetHttpModule result) and what it switched off.
struct ModuleInstance {
    ModuleEntry *entry;
    CHttpModule *module;
    DWORD disabled;       // DisableNotifications
    DWORD disabled_post;
};

class Context final : public IHttpContext4 {
  public:
    Server *server = nullptr;
    u64 request_id = 0;
    rt::Arena arena;  // request memory: IModuleAllocator, AllocateRequestMemory, strings we hand out
    Request request;
    Response response;
    AnonymousUser anonymous;
    IHttpUser *user = nullptr;  // the module's user after IAuthenticationProvider::SetUser
    Connection connection;
    ModuleContainer container;
    NamedContainer named;
    UrlInfo url_info;
    MetadataInfo metadata;
    EventProvider event_provider;
    AuthenticationProvider auth_provider;
    MapHandlerProvider map_handler_provider;
    SendResponseProvider send_provider;
    MapPathProvider map_path_provider;
    ReadEntityProvider read_entity_provider;
    CompletionInfo completion;
    ModuleAllocator allocator;

    rt::Vec<ModuleInstance> instances;
    long long current = -1;  // the instance being notified
    DWORD current_notification = 0;
    bool current_is_post = false;
    rt::Str trace;

    // Completion of a pending notification (may be set from another thread).
    enum : u32 { COMPLETION_NONE = 0, COMPLETION_INDICATED = 1, COMPLETION_POSTED = 2 };
    u32 completion_state = COMPLETION_NONE;
    REQUEST_NOTIFICATION_STATUS indicated_status = RQ_NOTIFICATION_CONTINUE;
    DWORD completion_bytes = 0;
    HRESULT completion_hr = S_OK;
    DWORD completion_op = 0;
    PFN_ASYNC_COMPLETION completion_callback = nullptr;
    VOID *completion_callback_context = nullptr;
    LPOVERLAPPED_COMPLETION_ROUTINE completion_routine = nullptr;
    VOID *completion_routine_context = nullptr;

    HRESULT error_status = S_OK;  // last IHttpEventProvider::SetErrorStatus
    bool request_handled = false, full_duplex = false, script_name_set = false;
    bool finishing = false;       // a module returned RQ_NOTIFICATION_FINISH_REQUEST
    rt::WStr script_name;
    IScriptMapInfo *script_map = nullptr;
    IHttpFileInfo *file_info = nullptr;
    u64 start_time = 0;           // 100-ns ticks since 1601 (FILETIME)
    u64 start_ms = 0;

    Context(Server *server, u64 id);
    ~Context();

    // ---- the pipeline (pipeline.cpp)
    void run();
    // Notifies every module registered for `bit` (`post`: the post-notification).
    REQUEST_NOTIFICATION_STATUS notify(DWORD bit, bool post, IHttpEventProvider *provider);
    void notify_send_response(bool headers_being_sent, bool final);
    DWORD notify_read_entity(VOID *buf, DWORD data, DWORD capacity);
    // Queues the completion of an asynchronous operation of the current module.
    void post_io_completion(DWORD bytes, HRESULT hr, DWORD op, PFN_ASYNC_COMPLETION callback,
                            VOID *callback_context);
    void set_error_status(HRESULT hr);
    void set_user(IHttpUser *u);
    const wchar_t *current_module_name() const;
    bool server_fragment(PCWSTR name, rt::Str &out);

    // ---- IHttpContext
    IHttpSite *GetSite(VOID) override;
    IHttpApplication *GetApplication(VOID) override;
    IHttpConnection *GetConnection(VOID) override { return &connection; }
    IHttpRequest *GetRequest(VOID) override { return &request; }
    IHttpResponse *GetResponse(VOID) override { return &response; }
    BOOL GetResponseHeadersSent(VOID) const override { return response.headers_sent ? TRUE : FALSE; }
    IHttpUser *GetUser(VOID) const override { return user ? user : const_cast<AnonymousUser *>(&anonymous); }
    IHttpModuleContextContainer *GetModuleContextContainer(VOID) override { return &container; }
    VOID IndicateCompletion(REQUEST_NOTIFICATION_STATUS status) override;
    HRESULT PostCompletion(DWORD bytes) override;
    VOID DisableNotifications(DWORD notifications, DWORD post_notifications) override;
    BOOL GetNextNotification(REQUEST_NOTIFICATION_STATUS status, DWORD *notification, BOOL *is_post,
                             CHttpModule **module, IHttpEventProvider **provider) override;
    BOOL GetIsLastNotification(REQUEST_NOTIFICATION_STATUS status) override;
    HRESULT ExecuteRequest(BOOL async, IHttpContext *child, DWORD flags, IHttpUser *user,
                           BOOL *expected) override;
    DWORD GetExecuteFlags(VOID) const override { return 0; }
    HRESULT GetServerVariable(PCSTR name, PCWSTR *value, DWORD *cch) override;
    HRESULT GetServerVariable(PCSTR name, PCSTR *value, DWORD *cch) override;
    HRESULT SetServerVariable(PCSTR name, PCWSTR value) override;
    VOID *AllocateRequestMemory(DWORD cb) override { return arena.allocate(cb); }
    IHttpUrlInfo *GetUrlInfo(VOID) override { return &url_info; }
    IMetadataInfo *GetMetadata(VOID) override { return &metadata; }
    PCWSTR GetPhysicalPath(DWORD *cch) override;
    PCWSTR GetScriptName(DWORD *cch) const override;
    PCWSTR GetScriptTranslated(DWORD *cch) override;
    IScriptMapInfo *GetScriptMap(VOID) const override { return script_map; }
    VOID SetRequestHandled(VOID) override { request_handled = true; }
    IHttpFileInfo *GetFileInfo(VOID) const override { return file_info; }
    HRESULT MapPath(PCWSTR url, PWSTR physical, DWORD *cb) override;
    HRESULT NotifyCustomNotification(ICustomNotificationProvider *provider, BOOL *expected) override;
    IHttpContext *GetParentContext(VOID) const override { return nullptr; }
    IHttpContext *GetRootContext(VOID) const override { return const_cast<Context *>(this); }
    HRESULT CloneContext(DWORD flags, IHttpContext **clone) override;
    HRESULT ReleaseClonedContext(VOID) override { return HOST_E_NOT_SUPPORTED; }
    HRESULT GetCurrentExecutionStats(DWORD *notification, DWORD *notification_start, PCWSTR *module,
                                     DWORD *module_start, DWORD *async_notification,
                                     DWORD *async_start) const override;
    IHttpTraceContext *GetTraceContext(VOID) const override { return nullptr; }
    HRESULT GetServerVarChanges(DWORD, DWORD *, DWORD *, PCSTR **, PCWSTR **, DWORD *, DWORD **) override {
        return HOST_E_NOTIMPL;
    }
    HRESULT CancelIo(VOID) override { return S_OK; }
    HRESULT MapHandler(DWORD site, PCWSTR site_name, PCWSTR url, PCSTR verb, IScriptMapInfo **map,
                       BOOL ignore_wildcards) override;
    HRESULT GetExtendedInterface(HTTP_CONTEXT_INTERFACE_VERSION version, PVOID *out) override;
    // IHttpContext2
    IHttpUser *GetOriginalUser(VOID) const override { return const_cast<AnonymousUser *>(&anonymous); }
    // IHttpContext3
    INamedContextContainer *GetNamedContextContainer(VOID) override { return &named; }
    VOID EnableFullDuplex(VOID) override { full_duplex = true; }
    HRESULT InheritServerVariable(PCSTR name, BOOL fail_if_missing) override;
    HRESULT PostCompletion(DWORD bytes, LPOVERLAPPED_COMPLETION_ROUTINE routine, VOID *context) override;
    // IHttpContext4
    ULONGLONG GetRequestStartTime(VOID) override { return start_time; }
    ULONGLONG GetRequestElapsedTime(VOID) override;

  private:
    bool lookup_variable(const char *name, usize len, rt::Str &value);
    void physical_path_of(const rt::Str &url, rt::WStr &out);
    rt::Vec<Header> overrides;   // SetServerVariable values (narrowed)
};

// Current time for GetRequestStartTime (FILETIME ticks) and elapsed milliseconds.
u64 host_now_filetime();
u64 host_now_ms();
