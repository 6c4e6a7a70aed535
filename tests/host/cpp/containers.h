// containers.h -- the module context containers: module id (or name) -> IHttpStoredContext,
// cleaned up (CleanupStoredContext, and NotifyDisconnect for connection contexts) when the
// object that owns the container ends.
#pragma once
#include "host.h"

struct StoredEntry {
    void *key;                    // HTTP_MODULE_ID, or a name (rt::WStr *) for named contexts
    IHttpStoredContext *context;
};

// Shared by all container kinds; thread-safe (site and application containers are shared
// between concurrent requests).
struct ContextTable {
    rt::Vec<StoredEntry> entries;
    rt::SpinLock lock = {};
    u64 *cleaned_counter = nullptr;  // HostStats::stored_contexts_cleaned

    IHttpStoredContext *get(void *key);
    HRESULT set(void *key, IHttpStoredContext *context);
    // Calls CleanupStoredContext on every context (after NotifyDisconnect when `disconnect`).
    void cleanup(bool disconnect);
};

class ModuleContainer : public IHttpModuleContextContainer {
  public:
    ContextTable table;
    IHttpStoredContext *GetModuleContext(HTTP_MODULE_ID moduleId) override;
    HRESULT SetModuleContext(IHttpStoredContext *context, HTTP_MODULE_ID moduleId) override;
};

// IHttpServer::DispenseContainer: owned by the module, freed by ReleaseContainer.
class DispensedContainer final : public IDispensedHttpModuleContextContainer {
  public:
    ContextTable table;
    IHttpStoredContext *GetModuleContext(HTTP_MODULE_ID moduleId) override;
    HRESULT SetModuleContext(IHttpStoredContext *context, HTTP_MODULE_ID moduleId) override;
    VOID ReleaseContainer(VOID) override;
};

// IHttpConnection::GetModuleContextContainer: module contexts and connection contexts.
class ConnectionContainer final : public IHttpConnectionModuleContextContainer {
  public:
    ContextTable table;
    ContextTable connection_table;  // IHttpConnectionStoredContext entries
    IHttpStoredContext *GetModuleContext(HTTP_MODULE_ID moduleId) override;
    HRESULT SetModuleContext(IHttpStoredContext *context, HTTP_MODULE_ID moduleId) override;
    IHttpConnectionStoredContext *GetConnectionModuleContext(HTTP_MODULE_ID moduleId) override;
    HRESULT SetConnectionModuleContext(IHttpConnectionStoredContext *context,
                                       HTTP_MODULE_ID moduleId) override;
    void cleanup();
};

// IHttpContext3::GetNamedContextContainer: contexts by (case-sensitive) name.
class NamedContainer final : public INamedContextContainer {
  public:
    rt::Vec<rt::WStr *> names;
    ContextTable table;
    IHttpStoredContext *GetNamedContext(LPCWSTR name) override;
    HRESULT SetNamedContext(IHttpStoredContext *context, LPCWSTR name) override;
    void cleanup();
    ~NamedContainer();

  private:
    rt::WStr *key_for(LPCWSTR name, bool create);
};
