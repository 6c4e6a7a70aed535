// request.cpp -- see request.h.
#include "request.h"

#include "context.h"

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

// The next line of `raw` from `pos` (without CRLF); false at the end.
bool next_line(const char *raw, usize len, usize &pos, const char *&line, usize &line_len) {
    if (pos >= len) return false;
    usize start = pos;
    while (pos < len && raw[pos] != '\n') pos++;
    usize end = pos;
    if (pos < len) pos++;  // '\n'
    if (end > start && raw[end - 1] == '\r') end--;
    line = raw + start;
    line_len = end - start;
    return true;
}

u64 parse_uint(const char *s, usize n, bool &ok) {
    u64 v = 0;
    ok = n > 0;
    for (usize i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') ok = false;
        v = v * 10 + u64(s[i] - '0');
    }
    return v;
}

HTTP_VERB verb_of(const rt::Str &m) {
    static const char *const names[] = {"OPTIONS", "GET",  "HEAD",  "POST",     "PUT",
                                        "DELETE",  "TRACE", "CONNECT", "TRACK", "MOVE",
                                        "COPY",    "PROPFIND", "PROPPATCH", "MKCOL", "LOCK",
                                        "UNLOCK",  "SEARCH"};
    for (int i = 0; i < 17; i++) {
        const char *n = names[i];
        usize nl = rt::cstrlen(n);
        if (nl == m.len) {
            bool same = true;
            for (usize k = 0; k < nl && same; k++) same = n[k] == m.p[k];
            if (same) return HTTP_VERB(HttpVerbOPTIONS + i);
        }
    }
    return HttpVerbUnknown;
}

void set_sockaddr(SOCKADDR &a, u16 port) {
    a.sa_family = 2;  // AF_INET: port (big-endian) then 127.0.0.1
    a.sa_data[0] = char(port >> 8);
    a.sa_data[1] = char(port & 0xff);
    a.sa_data[2] = 127;
    a.sa_data[5] = 1;
}

}  // namespace

bool Request::parse(const char *raw, usize len) {
    usize pos = 0;
    const char *line;
    usize n;
    if (!next_line(raw, len, pos, line, n)) return false;
    // METHOD SP target SP HTTP/x.y
    usize i = 0;
    while (i < n && !is_space(line[i])) i++;
    method.assign(line, i);
    while (i < n && is_space(line[i])) i++;
    usize t = i;
    while (i < n && !is_space(line[i])) i++;
    raw_url.assign(line + t, i - t);
    while (i < n && is_space(line[i])) i++;
    if (method.len == 0 || raw_url.len == 0 || n - i != 8 || line[i] != 'H' || line[i + 6] != '.')
        return false;
    major = USHORT(line[i + 5] - '0');
    minor = USHORT(line[i + 7] - '0');
    if (major > 9 || minor > 9) return false;
    usize q = 0;
    while (q < raw_url.len && raw_url.p[q] != '?') q++;
    path.assign(raw_url.p, q);
    if (q < raw_url.len) query.assign(raw_url.p + q + 1, raw_url.len - q - 1);
    original_url.assign(raw_url.p, raw_url.len);
    // Headers until the empty line.
    for (;;) {
        if (!next_line(raw, len, pos, line, n)) return false;
        if (n == 0) break;
        usize c = 0;
        while (c < n && line[c] != ':') c++;
        if (c == 0 || c == n) return false;
        usize v = c + 1;
        while (v < n && is_space(line[v])) v++;
        usize e = n;
        while (e > v && is_space(line[e - 1])) e--;
        headers.add(line, c, line + v, e - v);
    }
    // Body: Content-Length bytes, else the rest.
    usize rest = len - pos;
    const Header *cl = headers.get("Content-Length", 14);
    if (cl) {
        bool ok;
        u64 want = parse_uint(cl->value.c_str(), cl->value.len, ok);
        if (!ok || want > rest) return false;
        rest = usize(want);
    }
    body.assign(raw + pos, rest);
    set_sockaddr(local, 80);
    set_sockaddr(remote, 50000);
    return true;
}

PCSTR Request::GetHeader(PCSTR name, USHORT *cch) const {
    const Header *h = name ? headers.get(name, rt::cstrlen(name)) : nullptr;
    if (cch) *cch = h ? USHORT(h->value.len) : 0;
    return h ? h->value.c_str() : nullptr;
}

PCSTR Request::GetHeader(HTTP_HEADER_ID id, USHORT *cch) const {
    const char *name = request_header_name(id);
    if (!name) {
        if (cch) *cch = 0;
        return nullptr;
    }
    return GetHeader(name, cch);
}

HRESULT Request::SetHeader(PCSTR name, PCSTR value, USHORT cch, BOOL replace) {
    if (!name || (!value && cch)) return HOST_E_INVALIDARG;
    headers.set(name, rt::cstrlen(name), value ? value : "", cch, replace != FALSE);
    return S_OK;
}

HRESULT Request::SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT cch, BOOL replace) {
    const char *name = request_header_name(id);
    if (!name) return HOST_E_INVALIDARG;
    return SetHeader(name, value, cch, replace);
}

HRESULT Request::DeleteHeader(PCSTR name) {
    if (!name) return HOST_E_INVALIDARG;
    headers.remove(name, rt::cstrlen(name));
    return S_OK;
}

HRESULT Request::DeleteHeader(HTTP_HEADER_ID id) {
    const char *name = request_header_name(id);
    if (!name) return HOST_E_INVALIDARG;
    return DeleteHeader(name);
}

HRESULT Request::SetHttpMethod(PCSTR m) {
    if (!m || !*m) return HOST_E_INVALIDARG;
    method.assign(m, rt::cstrlen(m));
    return S_OK;
}

HRESULT Request::SetUrl(PCSTR url, DWORD cch, BOOL reset_query) {
    if (!url || !cch) return HOST_E_INVALIDARG;
    usize q = 0;
    while (q < cch && url[q] != '?') q++;
    path.assign(url, q);
    if (q < cch)
        query.assign(url + q + 1, cch - q - 1);
    else if (reset_query)
        query.clear();
    raw_url.assign(url, cch);
    url_changed = true;
    return S_OK;
}

HRESULT Request::SetUrl(PCWSTR url, DWORD cch, BOOL reset_query) {
    if (!url || !cch) return HOST_E_INVALIDARG;
    rt::Str narrow;
    rt::narrow(narrow, url, cch);
    return SetUrl(narrow.c_str(), DWORD(narrow.len), reset_query);
}

PCWSTR Request::GetForwardedUrl(VOID) const {
    if (!url_changed) return nullptr;
    rt::WStr wide;
    rt::widen(wide, original_url.c_str(), original_url.len);
    return ctx->arena.wdup(wide.c_str(), wide.len);
}

HRESULT Request::read_entity(VOID *buf, DWORD cb, BOOL async, PFN_ASYNC_COMPLETION callback,
                             VOID *callback_context, DWORD *received, BOOL *pending) {
    if (received) *received = 0;
    if (pending) *pending = FALSE;
    if (!buf && cb) return HOST_E_INVALIDARG;
    DWORD got = 0;
    u8 *out = static_cast<u8 *>(buf);
    // Inserted entity first, then the rest of the received body.
    usize from_pre = preloaded.len < cb ? preloaded.len : cb;
    rt::copy(out, preloaded.c_str(), from_pre);
    if (from_pre) {
        rt::Str rest;
        rest.assign(preloaded.c_str() + from_pre, preloaded.len - from_pre);
        preloaded.assign(rest.c_str(), rest.len);
    }
    got += DWORD(from_pre);
    usize remaining = body.len - body_offset;
    usize from_body = remaining < cb - got ? remaining : cb - got;
    rt::copy(out + got, body.c_str() + body_offset, from_body);
    body_offset += from_body;
    got += DWORD(from_body);
    if (got == 0 && cb) return HOST_E_HANDLE_EOF;
    got = ctx->notify_read_entity(buf, got, cb);
    if (async && pending) {
        // Completes asynchronously: the module returns RQ_NOTIFICATION_PENDING and gets the
        // byte count in OnAsyncCompletion (or its completion callback).
        *pending = TRUE;
        ctx->post_io_completion(got, S_OK, OP_READ_ENTITY, callback, callback_context);
        return S_OK;
    }
    if (received) *received = got;
    return S_OK;
}

HRESULT Request::ReadEntityBody(VOID *buf, DWORD cb, BOOL async, DWORD *received, BOOL *pending) {
    return read_entity(buf, cb, async, nullptr, nullptr, received, pending);
}

HRESULT Request::ReadEntityBody(VOID *buf, DWORD cb, BOOL async, PFN_ASYNC_COMPLETION callback,
                                VOID *callback_context, DWORD *received, BOOL *pending) {
    return read_entity(buf, cb, async, callback, callback_context, received, pending);
}

HRESULT Request::ReadEntityBody(VOID *buf, DWORD cb, BOOL async, ULONG flags, DWORD *received,
                                BOOL *pending) {
    return read_entity(buf, cb, async, nullptr, nullptr, received, pending);
}

HRESULT Request::InsertEntityBody(VOID *buf, DWORD cb) {
    if (!buf && cb) return HOST_E_INVALIDARG;
    rt::Str joined;
    joined.append(static_cast<const char *>(buf), cb);
    joined.append(preloaded.c_str(), preloaded.len);
    preloaded.assign(joined.c_str(), joined.len);
    return S_OK;
}

DWORD Request::GetRemainingEntityBytes(VOID) {
    return DWORD(preloaded.len + (body.len - body_offset));
}

VOID Request::GetHttpVersion(USHORT *major_out, USHORT *minor_out) const {
    if (major_out) *major_out = major;
    if (minor_out) *minor_out = minor;
}

HRESULT Request::GetClientCertificate(HTTP_SSL_CLIENT_CERT_INFO **info, BOOL *negotiated) {
    if (info) *info = nullptr;
    if (negotiated) *negotiated = FALSE;
    return HOST_E_NOT_FOUND;  // plain HTTP: no certificate
}

HRESULT Request::NegotiateClientCertificate(BOOL async, BOOL *pending) {
    if (pending) *pending = FALSE;
    return HOST_E_NOT_SUPPORTED;
}

HRESULT Request::GetChannelBindingToken(PBYTE *token, DWORD *size) {
    if (token) *token = nullptr;
    if (size) *size = 0;
    return HOST_E_NOT_SUPPORTED;  // no TLS channel
}

// A fresh HTTP_REQUEST_V2 describing the request as it is now, in request memory.
HTTP_REQUEST *Request::snapshot() const {
    rt::Arena &arena = ctx->arena;
    HTTP_REQUEST_V2 *r = static_cast<HTTP_REQUEST_V2 *>(arena.allocate(sizeof(HTTP_REQUEST_V2)));
    r->ConnectionId = ctx->request_id;
    r->RequestId = ctx->request_id;
    r->RawConnectionId = ctx->request_id;
    r->Version.MajorVersion = major;
    r->Version.MinorVersion = minor;
    r->Verb = verb_of(method);
    if (r->Verb == HttpVerbUnknown) {
        r->pUnknownVerb = arena.dup(method.c_str(), method.len);
        r->UnknownVerbLength = USHORT(method.len);
    }
    r->pRawUrl = arena.dup(raw_url.c_str(), raw_url.len);
    r->RawUrlLength = USHORT(raw_url.len);
    // Cooked URL: http://host/path?query (wide; lengths in bytes).
    const Header *host = headers.get("Host", 4);
    rt::Str full;
    rt::append_cstr(full, "http://");
    if (host)
        full.append(host->value.c_str(), host->value.len);
    else
        rt::append_cstr(full, "localhost");
    usize host_end = full.len;
    full.append(path.c_str(), path.len);
    usize path_end = full.len;
    if (query.len) {
        full.append('?');
        full.append(query.c_str(), query.len);
    }
    rt::WStr wide;
    rt::widen(wide, full.c_str(), full.len);
    const wchar_t *w = arena.wdup(wide.c_str(), wide.len);
    r->CookedUrl.pFullUrl = w;
    r->CookedUrl.FullUrlLength = USHORT(wide.len * 2);
    r->CookedUrl.pHost = w + 7;
    r->CookedUrl.HostLength = USHORT((host_end - 7) * 2);
    r->CookedUrl.pAbsPath = w + host_end;
    r->CookedUrl.AbsPathLength = USHORT((path_end - host_end) * 2);
    if (query.len) {
        r->CookedUrl.pQueryString = w + path_end;
        r->CookedUrl.QueryStringLength = USHORT((wide.len - path_end) * 2);
    }
    r->Address.pRemoteAddress = const_cast<SOCKADDR *>(&remote);
    r->Address.pLocalAddress = const_cast<SOCKADDR *>(&local);
    usize unknown = 0;
    for (usize i = 0; i < headers.items.len; i++) {
        const Header &h = headers.items[i];
        if (request_header_id(h.name.c_str(), h.name.len) < 0) unknown++;
    }
    HTTP_UNKNOWN_HEADER *u = static_cast<HTTP_UNKNOWN_HEADER *>(
        arena.allocate(sizeof(HTTP_UNKNOWN_HEADER) * (unknown ? unknown : 1)));
    for (usize i = 0; i < headers.items.len; i++) {
        const Header &h = headers.items[i];
        int id = request_header_id(h.name.c_str(), h.name.len);
        const char *value = arena.dup(h.value.c_str(), h.value.len);
        if (id >= 0) {
            r->Headers.KnownHeaders[id].pRawValue = value;
            r->Headers.KnownHeaders[id].RawValueLength = USHORT(h.value.len);
        } else {
            HTTP_UNKNOWN_HEADER &e = u[r->Headers.UnknownHeaderCount++];
            e.pName = arena.dup(h.name.c_str(), h.name.len);
            e.NameLength = USHORT(h.name.len);
            e.pRawValue = value;
            e.RawValueLength = USHORT(h.value.len);
        }
    }
    r->Headers.pUnknownHeaders = u;
    r->BytesReceived = body.len;
    return r;
}

HTTP_REQUEST *Request::GetRawHttpRequest(VOID) { return snapshot(); }
const HTTP_REQUEST *Request::GetRawHttpRequest(VOID) const { return snapshot(); }
