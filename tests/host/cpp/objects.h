// objects.h -- the server's site and application, and the per-request user, connection,
// URL info and metadata objects.
#pragma once
#include "containers.h"

class PerfCounters final : public IHttpPerfCounterInfo {
  public:
    u64 counters[16] = {};
    VOID IncrementCounter(DWORD index, DWORD value) override;
    VOID DecrementCounter(DWORD index, DWORD value) override;
};

// "Default Web Site", id 1.
class Site final : public IHttpSite {
  public:
    ModuleContainer container;
    PerfCounters perf;
    DWORD GetSiteId(VOID) const override { return 1; }
    PCWSTR GetSiteName(VOID) const override { return L"Default Web Site"; }
    IHttpModuleContextContainer *GetModuleContextContainer(VOID) override { return &container; }
    IHttpPerfCounterInfo *GetPerfCounterInfo(VOID) override { return &perf; }
};

// The root application of the site.
class Application final : public IHttpApplication2 {
  public:
    ModuleContainer container;
    u32 warming_up = 0;
    PCWSTR GetApplicationPhysicalPath(VOID) const override { return L"C:\\inetpub\\wwwroot\\"; }
    PCWSTR GetApplicationId(VOID) const override { return L"/LM/W3SVC/1/ROOT"; }
    PCWSTR GetAppConfigPath(VOID) const override { return L"MACHINE/WEBROOT/APPHOST/Default Web Site"; }
    IHttpModuleContextContainer *GetModuleContextContainer(VOID) override { return &container; }
    VOID BeginApplicationWarmup(VOID) override { rt::atomic_store32(&warming_up, 1); }
    VOID EndApplicationWarmup(VOID) override { rt::atomic_store32(&warming_up, 0); }
    BOOL QueryIsWarmingUp(VOID) override { return rt::atomic_load32(&warming_up) ? TRUE : FALSE; }
};

// The anonymous user every request starts with (IAuthenticationProvider::SetUser replaces it).
class AnonymousUser final : public IHttpUser {
  public:
    u64 references = 1;
    PCWSTR GetRemoteUserName(VOID) override { return L""; }
    PCWSTR GetUserName(VOID) override { return L""; }
    PCWSTR GetAuthenticationType(VOID) override { return L""; }
    PCWSTR GetPassword(VOID) override { return L""; }
    HANDLE GetImpersonationToken(VOID) override { return nullptr; }
    HANDLE GetPrimaryToken(VOID) override { return nullptr; }
    VOID ReferenceUser(VOID) override { rt::atomic_add(&references, 1); }
    VOID DereferenceUser(VOID) override { rt::atomic_add(&references, ~0ull); }
    BOOL SupportsIsInRole(VOID) override { return FALSE; }
    HRESULT IsInRole(PCWSTR role, BOOL *in_role) override;
    PVOID GetUserVariable(PCSTR name) override { return nullptr; }
};

// Each request arrives on its own connection in the mock.
class Connection final : public IHttpConnection {
  public:
    Context *ctx = nullptr;
    ConnectionContainer container;
    bool connected = true;
    BOOL IsConnected(VOID) const override { return connected ? TRUE : FALSE; }
    VOID *AllocateMemory(DWORD cb) override;
    IHttpConnectionModuleContextContainer *GetModuleContextContainer(VOID) override { return &container; }
};

class UrlInfo final : public IHttpUrlInfo {
  public:
    ModuleContainer container;
    IHttpModuleContextContainer *GetModuleContextContainer(VOID) override { return &container; }
    BOOL IsFrequentlyHit(VOID) const override { return FALSE; }
};

class MetadataInfo final : public IMetadataInfo {
  public:
    ModuleContainer container;
    PCWSTR GetMetaPath(VOID) const override { return L"MACHINE/WEBROOT/APPHOST/Default Web Site"; }
    PCWSTR GetVrPath(VOID) const override { return L"C:\\inetpub\\wwwroot"; }
    IHttpTokenEntry *GetVrToken(VOID) override { return nullptr; }
    IHttpModuleContextContainer *GetModuleContextContainer(VOID) override { return &container; }
};
