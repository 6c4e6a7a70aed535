// providers.cpp -- see providers.h.
#include "providers.h"

#include "context.h"

VOID EventProvider::SetErrorStatus(HRESULT hr) { ctx->set_error_status(hr); }
VOID AuthenticationProvider::SetErrorStatus(HRESULT hr) { ctx->set_error_status(hr); }
VOID MapHandlerProvider::SetErrorStatus(HRESULT hr) { ctx->set_error_status(hr); }
VOID SendResponseProvider::SetErrorStatus(HRESULT hr) { ctx->set_error_status(hr); }
VOID MapPathProvider::SetErrorStatus(HRESULT hr) { ctx->set_error_status(hr); }
VOID ReadEntityProvider::SetErrorStatus(HRESULT hr) { ctx->set_error_status(hr); }

// The module's user replaces the anonymous one; IIS releases it (DereferenceUser) when the
// request ends, as it holds the reference the module handed over.
VOID AuthenticationProvider::SetUser(IHttpUser *user) { ctx->set_user(user); }

HRESULT MapHandlerProvider::SetScriptName(PCWSTR name, DWORD cch) {
    if (!name) return HOST_E_INVALIDARG;
    ctx->script_name.assign(name, cch);
    ctx->script_name_set = true;
    return S_OK;
}

VOID MapHandlerProvider::SetScriptMap(IScriptMapInfo *map) { ctx->script_map = map; }
VOID MapHandlerProvider::SetFileInfo(IHttpFileInfo *info) { ctx->file_info = info; }

HRESULT SendResponseProvider::SetLogData(HTTP_LOG_DATA *data) {
    log_data = data;
    return S_OK;
}

HRESULT MapPathProvider::SetPhysicalPath(PCWSTR path, DWORD cch) {
    if (!path) return HOST_E_INVALIDARG;
    physical.assign(path, cch);
    return S_OK;
}

VOID ReadEntityProvider::GetEntity(PVOID *buf, DWORD *cb_data, DWORD *cb_buffer) {
    if (buf) *buf = buffer;
    if (cb_data) *cb_data = data;
    if (cb_buffer) *cb_buffer = capacity;
}

VOID ReadEntityProvider::SetEntity(PVOID buf, DWORD cb_data, DWORD cb_buffer) {
    buffer = buf;
    data = cb_data;
    capacity = cb_buffer;
}

VOID *ModuleAllocator::AllocateMemory(DWORD cb) { return ctx->arena.allocate(cb); }

IHttpContext *PreBeginRequestProvider::GetHttpContext(VOID) { return ctx; }
