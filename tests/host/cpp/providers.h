// providers.h -- the event providers handed to module notifications, the completion info of
// OnAsyncCompletion, the request-scoped IModuleAllocator, and the providers of the global
// notifications the mock raises.
#pragma once
#include "host.h"

// IHttpEventProvider for the notifications without a richer provider.
class EventProvider final : public IHttpEventProvider {
  public:
    Context *ctx = nullptr;
    VOID SetErrorStatus(HRESULT hr) override;
};

class AuthenticationProvider final : public IAuthenticationProvider {
  public:
    Context *ctx = nullptr;
    VOID SetErrorStatus(HRESULT hr) override;
    VOID SetUser(IHttpUser *user) override;
};

class MapHandlerProvider final : public IMapHandlerProvider {
  public:
    Context *ctx = nullptr;
    VOID SetErrorStatus(HRESULT hr) override;
    HRESULT SetScriptName(PCWSTR name, DWORD cch) override;
    VOID SetScriptMap(IScriptMapInfo *map) override;
    VOID SetFileInfo(IHttpFileInfo *info) override;
};

class SendResponseProvider final : public ISendResponseProvider {
  public:
    Context *ctx = nullptr;
    bool headers_being_sent = false;
    bool final_send = false;
    DWORD flags = 0;
    HTTP_LOG_DATA *log_data = nullptr;
    VOID SetErrorStatus(HRESULT hr) override;
    BOOL GetHeadersBeingSent(VOID) const override { return headers_being_sent ? TRUE : FALSE; }
    DWORD GetFlags(VOID) const override { return flags; }
    VOID SetFlags(DWORD f) override { flags = f; }
    HTTP_LOG_DATA *GetLogData(VOID) const override { return log_data; }
    HRESULT SetLogData(HTTP_LOG_DATA *data) override;
    BOOL GetReadyToLogData(VOID) const override { return final_send ? TRUE : FALSE; }
};

// RQ_MAP_PATH: a URL being mapped to a physical path (IHttpContext::MapPath).
class MapPathProvider final : public IMapPathProvider {
  public:
    Context *ctx = nullptr;
    const wchar_t *url = nullptr;
    rt::WStr physical;
    VOID SetErrorStatus(HRESULT hr) override;
    PCWSTR GetUrl() const override { return url; }
    PCWSTR GetPhysicalPath() const override { return physical.c_str(); }
    HRESULT SetPhysicalPath(PCWSTR path, DWORD cch) override;
};

// RQ_READ_ENTITY: entity data just read by IHttpRequest::ReadEntityBody.
class ReadEntityProvider final : public IReadEntityProvider {
  public:
    Context *ctx = nullptr;
    PVOID buffer = nullptr;
    DWORD data = 0;
    DWORD capacity = 0;
    VOID SetErrorStatus(HRESULT hr) override;
    VOID GetEntity(PVOID *buf, DWORD *cb_data, DWORD *cb_buffer) override;
    VOID SetEntity(PVOID buf, DWORD cb_data, DWORD cb_buffer) override;
};

class CompletionInfo final : public IHttpCompletionInfo2 {
  public:
    DWORD bytes = 0;
    HRESULT status = S_OK;
    DWORD operation = 0;
    DWORD GetCompletionBytes(VOID) const override { return bytes; }
    HRESULT GetCompletionStatus(VOID) const override { return status; }
    DWORD GetCompletedOperation(VOID) const override { return operation; }
};

// What GetCompletedOperation reports (the mock's numbering).
enum CompletedOperation : DWORD {
    OP_POST_COMPLETION = 0,
    OP_READ_ENTITY = 1,
    OP_WRITE_ENTITY = 2,
    OP_FLUSH = 3,
};

// Request-scoped memory: freed by the host when the request ends.
class ModuleAllocator final : public IModuleAllocator {
  public:
    Context *ctx = nullptr;
    VOID *AllocateMemory(DWORD cb) override;
};

// ---- global notifications

class PreBeginRequestProvider final : public IPreBeginRequestProvider {
  public:
    Context *ctx = nullptr;
    HRESULT error = S_OK;
    VOID SetErrorStatus(HRESULT hr) override { error = hr; }
    IHttpContext *GetHttpContext(VOID) override;
};

// GL_APPLICATION_START and GL_APPLICATION_STOP.
class ApplicationProvider final : public IHttpApplicationProvider {
  public:
    IHttpApplication *application = nullptr;
    HRESULT error = S_OK;
    VOID SetErrorStatus(HRESULT hr) override { error = hr; }
    IHttpApplication *GetApplication(VOID) override { return application; }
};

class StopListeningProvider final : public IGlobalStopListeningProvider {
  public:
    HRESULT error = S_OK;
    VOID SetErrorStatus(HRESULT hr) override { error = hr; }
    BOOL DrainRequestsGracefully(VOID) const override { return TRUE; }
};

class ConfigurationChangeProvider final : public IGlobalConfigurationChangeProvider {
  public:
    PCWSTR path = nullptr;
    HRESULT error = S_OK;
    VOID SetErrorStatus(HRESULT hr) override { error = hr; }
    PCWSTR GetChangePath(VOID) const override { return path; }
};
