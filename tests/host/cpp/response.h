// response.h -- IHttpResponse4 and its IHttpCachePolicy2: status, headers, body, flushing
// (chunked once headers go out before the end), trailers; and the bytes "sent" to the client.
#pragma once
#include "headers.h"
#include "host.h"

class CachePolicy final : public IHttpCachePolicy2 {
  public:
    HTTP_CACHE_POLICY kernel = {};
    HTTP_CACHE_POLICY user = {};
    rt::Str vary_headers, vary_query, vary_value;
    bool kernel_invalidator = false, user_cache = true, cached = false, force_update = false;

    HTTP_CACHE_POLICY *GetKernelCachePolicy(VOID) override { return &kernel; }
    VOID SetKernelCacheInvalidatorSet(VOID) override { kernel_invalidator = true; }
    HTTP_CACHE_POLICY *GetUserCachePolicy(VOID) override { return &user; }
    HRESULT AppendVaryByHeader(PCSTR header) override { return append(vary_headers, header); }
    PCSTR GetVaryByHeaders(VOID) const override { return vary_headers.len ? vary_headers.c_str() : nullptr; }
    HRESULT AppendVaryByQueryString(PCSTR param) override { return append(vary_query, param); }
    PCSTR GetVaryByQueryStrings(VOID) const override { return vary_query.len ? vary_query.c_str() : nullptr; }
    HRESULT SetVaryByValue(PCSTR value) override;
    PCSTR GetVaryByValue(VOID) const override { return vary_value.len ? vary_value.c_str() : nullptr; }
    BOOL IsUserCacheEnabled(VOID) const override { return user_cache ? TRUE : FALSE; }
    VOID DisableUserCache(VOID) override { user_cache = false; }
    BOOL IsCached(VOID) const override { return cached ? TRUE : FALSE; }
    VOID SetIsCached(VOID) override { cached = true; }
    BOOL GetKernelCacheInvalidatorSet(VOID) const override { return kernel_invalidator ? TRUE : FALSE; }
    BOOL IsForceUpdateSet(VOID) const override { return force_update ? TRUE : FALSE; }
    VOID SetForceUpdate(VOID) override { force_update = true; }

  private:
    static HRESULT append(rt::Str &list, PCSTR item);
};

class Response final : public IHttpResponse4 {
  public:
    Context *ctx = nullptr;
    USHORT status = 200, substatus = 0;
    rt::Str reason;
    HRESULT error_hr = S_OK;
    IAppHostConfigException *exception = nullptr;
    BOOL try_skip_custom_errors = FALSE;
    const wchar_t *status_module = nullptr;  // the module that set the status
    DWORD status_notification = 0;
    HeaderList headers;
    HeaderList trailers;
    rt::Vec<rt::Str> pending;  // body not yet sent, as written (segments)
    rt::WStr error_description;
    CachePolicy cache_policy;
    bool headers_sent = false, suppress_headers = false, buffering_disabled = false;
    bool kernel_cache = true, need_disconnect = false, reset = false, closed = false;
    bool go_away = false, chunked = false;
    ULONG kernel_cache_reason = 0, stream_error = 0;
    rt::Str out;  // everything sent to the client
    u64 body_sent = 0;

    void init();
    // Sends what is buffered; `final` at the end of the request.
    void send(bool final);
    usize pending_bytes() const;

    HTTP_RESPONSE *GetRawHttpResponse(VOID) override;
    const HTTP_RESPONSE *GetRawHttpResponse(VOID) const override;
    IHttpCachePolicy *GetCachePolicy(VOID) override { return &cache_policy; }
    HRESULT SetStatus(USHORT code, PCSTR reason, USHORT sub, HRESULT hr,
                      IAppHostConfigException *exception, BOOL try_skip) override;
    HRESULT SetHeader(PCSTR name, PCSTR value, USHORT cch, BOOL replace) override;
    HRESULT SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT cch, BOOL replace) override;
    HRESULT DeleteHeader(PCSTR name) override;
    HRESULT DeleteHeader(HTTP_HEADER_ID id) override;
    PCSTR GetHeader(PCSTR name, USHORT *cch) const override;
    PCSTR GetHeader(HTTP_HEADER_ID id, USHORT *cch) const override;
    VOID Clear(VOID) override { pending.clear(); }
    VOID ClearHeaders(VOID) override { headers.items.clear(); }
    VOID SetNeedDisconnect(VOID) override { need_disconnect = true; }
    VOID ResetConnection(VOID) override { reset = true; }
    VOID DisableKernelCache(ULONG reason) override;
    BOOL GetKernelCacheEnabled(VOID) const override { return kernel_cache ? TRUE : FALSE; }
    VOID SuppressHeaders(VOID) override { suppress_headers = true; }
    BOOL GetHeadersSuppressed(VOID) const override { return suppress_headers ? TRUE : FALSE; }
    HRESULT Flush(BOOL async, BOOL more, DWORD *sent, BOOL *expected) override;
    HRESULT Redirect(PCSTR url, BOOL reset_status, BOOL include_parameters) override;
    HRESULT WriteEntityChunkByReference(HTTP_DATA_CHUNK *chunk, LONG position) override;
    HRESULT WriteEntityChunks(HTTP_DATA_CHUNK *chunks, DWORD n, BOOL async, BOOL more,
                              DWORD *sent, BOOL *expected) override;
    VOID DisableBuffering(VOID) override { buffering_disabled = true; }
    VOID GetStatus(USHORT *code, USHORT *sub, PCSTR *reason, USHORT *cch_reason, HRESULT *hr,
                   PCWSTR *module, DWORD *notification, IAppHostConfigException **exception,
                   BOOL *try_skip) override;
    HRESULT SetErrorDescription(PCWSTR text, DWORD cch, BOOL html_encode) override;
    PCWSTR GetErrorDescription(DWORD *cch) override;
    HRESULT GetHeaderChanges(DWORD, DWORD *, PCSTR *, DWORD *, PCSTR **, PCSTR **, DWORD *,
                             DWORD *, DWORD **) override {
        return HOST_E_NOTIMPL;
    }
    VOID CloseConnection(VOID) override { closed = true; }
    // IHttpResponse2
    HRESULT WriteEntityChunks(HTTP_DATA_CHUNK *chunks, DWORD n, BOOL async, BOOL more,
                              PFN_ASYNC_COMPLETION callback, VOID *callback_context, DWORD *sent,
                              BOOL *expected) override;
    HRESULT Flush(BOOL async, BOOL more, PFN_ASYNC_COMPLETION callback, VOID *callback_context,
                  DWORD *sent, BOOL *expected) override;
    // IHttpResponse3
    HRESULT PushPromise(PCSTR verb, PCWSTR path, PCWSTR query, DWORD n, PCSTR *names,
                        PCSTR *values) override {
        return HOST_E_NOT_SUPPORTED;  // HTTP/1.x only
    }
    // IHttpResponse4
    HRESULT DeleteTrailer(PCSTR name) override;
    PCSTR GetTrailer(PCSTR name, USHORT *cch) const override;
    VOID ResetStream(ULONG code) override { stream_error = code; }
    VOID SetNeedGoAway(VOID) override { go_away = true; }
    HRESULT SetTrailer(PCSTR name, PCSTR value, USHORT cch, BOOL replace) override;

  private:
    HRESULT write(HTTP_DATA_CHUNK *chunks, DWORD n, BOOL async, PFN_ASYNC_COMPLETION callback,
                  VOID *callback_context, DWORD *sent, BOOL *expected);
    HRESULT flush(BOOL async, PFN_ASYNC_COMPLETION callback, VOID *callback_context, DWORD *sent,
                  BOOL *expected);
    HTTP_RESPONSE *snapshot() const;
};
