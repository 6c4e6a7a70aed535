// request.h -- IHttpRequest4: the parsed request line, headers and entity body.
#pragma once
#include "headers.h"
#include "host.h"

class Request final : public IHttpRequest4 {
  public:
    Context *ctx = nullptr;
    rt::Str method;
    rt::Str path;      // the URL path ("/a/b")
    rt::Str query;     // without the '?'
    rt::Str raw_url;   // the request target as received
    rt::Str original_url;  // path?query before any SetUrl (GetForwardedUrl)
    USHORT major = 1, minor = 1;
    HeaderList headers;
    rt::Str body;          // entity body as received
    usize body_offset = 0;  // next byte ReadEntityBody returns
    rt::Str preloaded;     // InsertEntityBody data, returned before the rest
    bool url_changed = false;
    SOCKADDR local = {}, remote = {};

    // Parses "METHOD target HTTP/x.y\r\nName: value\r\n...\r\n\r\nbody"; false when malformed.
    bool parse(const char *raw, usize len);

    HTTP_REQUEST *GetRawHttpRequest(VOID) override;
    const HTTP_REQUEST *GetRawHttpRequest(VOID) const override;
    PCSTR GetHeader(PCSTR name, USHORT *cch) const override;
    PCSTR GetHeader(HTTP_HEADER_ID id, USHORT *cch) const override;
    HRESULT SetHeader(PCSTR name, PCSTR value, USHORT cch, BOOL replace) override;
    HRESULT SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT cch, BOOL replace) override;
    HRESULT DeleteHeader(PCSTR name) override;
    HRESULT DeleteHeader(HTTP_HEADER_ID id) override;
    PCSTR GetHttpMethod(VOID) const override { return method.c_str(); }
    HRESULT SetHttpMethod(PCSTR m) override;
    HRESULT SetUrl(PCWSTR url, DWORD cch, BOOL reset_query) override;
    HRESULT SetUrl(PCSTR url, DWORD cch, BOOL reset_query) override;
    BOOL GetUrlChanged(VOID) const override { return url_changed ? TRUE : FALSE; }
    PCWSTR GetForwardedUrl(VOID) const override;
    PSOCKADDR GetLocalAddress(VOID) const override { return const_cast<SOCKADDR *>(&local); }
    PSOCKADDR GetRemoteAddress(VOID) const override { return const_cast<SOCKADDR *>(&remote); }
    HRESULT ReadEntityBody(VOID *buf, DWORD cb, BOOL async, DWORD *received, BOOL *pending) override;
    HRESULT InsertEntityBody(VOID *buf, DWORD cb) override;
    DWORD GetRemainingEntityBytes(VOID) override;
    VOID GetHttpVersion(USHORT *major_out, USHORT *minor_out) const override;
    HRESULT GetClientCertificate(HTTP_SSL_CLIENT_CERT_INFO **info, BOOL *negotiated) override;
    HRESULT NegotiateClientCertificate(BOOL async, BOOL *pending) override;
    DWORD GetSiteId(VOID) const override { return 1; }
    HRESULT GetHeaderChanges(DWORD, DWORD *, PCSTR *, DWORD *, PCSTR **, PCSTR **, DWORD *,
                             DWORD *, DWORD **) override {
        return HOST_E_NOTIMPL;
    }
    // IHttpRequest2
    HRESULT GetChannelBindingToken(PBYTE *token, DWORD *size) override;
    // IHttpRequest3
    HRESULT ReadEntityBody(VOID *buf, DWORD cb, BOOL async, PFN_ASYNC_COMPLETION callback,
                           VOID *callback_context, DWORD *received, BOOL *pending) override;
    // IHttpRequest4
    HRESULT ReadEntityBody(VOID *buf, DWORD cb, BOOL async, ULONG flags, DWORD *received,
                           BOOL *pending) override;

  private:
    HRESULT read_entity(VOID *buf, DWORD cb, BOOL async, PFN_ASYNC_COMPLETION callback,
                        VOID *callback_context, DWORD *received, BOOL *pending);
    HTTP_REQUEST *snapshot() const;
};
