// response.cpp -- see response.h.
#include "response.h"

#include "context.h"

namespace {

bool is_set_cookie(const char *name, usize len) { return rt::ascii_ieq(name, len, "Set-Cookie", 10); }

const char *default_reason(USHORT code) {
    switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Redirect";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "";
    }
}

}  // namespace

HRESULT CachePolicy::append(rt::Str &list, PCSTR item) {
    if (!item || !*item) return HOST_E_INVALIDARG;
    if (list.len) list.append(',');
    rt::append_cstr(list, item);
    return S_OK;
}

HRESULT CachePolicy::SetVaryByValue(PCSTR value) {
    if (!value) return HOST_E_INVALIDARG;
    vary_value.assign(value, rt::cstrlen(value));
    return S_OK;
}

void Response::init() {
    headers.repeats = is_set_cookie;
    rt::append_cstr(reason, "OK");
}

usize Response::pending_bytes() const {
    usize n = 0;
    for (usize i = 0; i < pending.len; i++) n += pending[i].len;
    return n;
}

HRESULT Response::SetStatus(USHORT code, PCSTR text, USHORT sub, HRESULT hr,
                            IAppHostConfigException *exc, BOOL try_skip) {
    if (headers_sent) return HOST_E_NOT_SUPPORTED;
    if (code < 100 || code > 999) return HOST_E_INVALIDARG;
    status = code;
    substatus = sub;
    if (!text) text = default_reason(code);
    rt::Str copy;  // `text` may point into `reason` (from GetStatus)
    copy.assign(text, rt::cstrlen(text));
    reason.assign(copy.c_str(), copy.len);
    error_hr = hr;
    exception = exc;
    try_skip_custom_errors = try_skip;
    status_module = ctx->current_module_name();
    status_notification = ctx->current_notification;
    return S_OK;
}

HRESULT Response::SetHeader(PCSTR name, PCSTR value, USHORT cch, BOOL replace) {
    if (!name || (!value && cch)) return HOST_E_INVALIDARG;
    if (headers_sent) return HOST_E_NOT_SUPPORTED;
    headers.set(name, rt::cstrlen(name), value ? value : "", cch, replace != FALSE);
    return S_OK;
}

HRESULT Response::SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT cch, BOOL replace) {
    const char *name = response_header_name(id);
    if (!name) return HOST_E_INVALIDARG;
    return SetHeader(name, value, cch, replace);
}

HRESULT Response::DeleteHeader(PCSTR name) {
    if (!name) return HOST_E_INVALIDARG;
    if (headers_sent) return HOST_E_NOT_SUPPORTED;
    headers.remove(name, rt::cstrlen(name));
    return S_OK;
}

HRESULT Response::DeleteHeader(HTTP_HEADER_ID id) {
    const char *name = response_header_name(id);
    if (!name) return HOST_E_INVALIDARG;
    return DeleteHeader(name);
}

PCSTR Response::GetHeader(PCSTR name, USHORT *cch) const {
    const Header *h = name ? headers.get(name, rt::cstrlen(name)) : nullptr;
    if (cch) *cch = h ? USHORT(h->value.len) : 0;
    return h ? h->value.c_str() : nullptr;
}

PCSTR Response::GetHeader(HTTP_HEADER_ID id, USHORT *cch) const {
    const char *name = response_header_name(id);
    if (!name) {
        if (cch) *cch = 0;
        return nullptr;
    }
    return GetHeader(name, cch);
}

VOID Response::DisableKernelCache(ULONG why) {
    kernel_cache = false;
    kernel_cache_reason = why;
}

void Response::send(bool final) {
    const bool head = ctx->request.method.len == 4 && rt::ascii_ieq(ctx->request.method.c_str(), 4, "HEAD", 4);
    if (!headers_sent) {
        ctx->notify_send_response(true, final);
        headers_sent = true;
        if (!suppress_headers) {
            rt::append_cstr(out, ctx->request.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
            rt::append_uint(out, status);
            out.append(' ');
            out.append(reason.c_str(), reason.len);
            rt::append_cstr(out, "\r\n");
            for (usize i = 0; i < headers.items.len; i++) {
                const Header &h = headers.items[i];
                out.append(h.name.c_str(), h.name.len);
                rt::append_cstr(out, ": ");
                out.append(h.value.c_str(), h.value.len);
                rt::append_cstr(out, "\r\n");
            }
            bool has_length = headers.find("Content-Length", 14) >= 0;
            bool has_encoding = headers.find("Transfer-Encoding", 17) >= 0;
            if (!has_length && !has_encoding) {
                if (final) {
                    rt::append_cstr(out, "Content-Length: ");
                    rt::append_uint(out, pending_bytes());
                    rt::append_cstr(out, "\r\n");
                } else {
                    // Headers go out before the body is complete.
                    rt::append_cstr(out, "Transfer-Encoding: chunked\r\n");
                    chunked = true;
                }
            }
            rt::append_cstr(out, "\r\n");
        }
    } else {
        ctx->notify_send_response(false, final);
    }
    for (usize i = 0; i < pending.len; i++) {
        const rt::Str &s = pending[i];
        body_sent += s.len;
        if (head || s.len == 0) continue;
        if (chunked) {
            rt::append_hex(out, s.len);
            rt::append_cstr(out, "\r\n");
        }
        out.append(s.c_str(), s.len);
        if (chunked) rt::append_cstr(out, "\r\n");
    }
    pending.clear();
    if (final && chunked && !head) {
        rt::append_cstr(out, "0\r\n");
        for (usize i = 0; i < trailers.items.len; i++) {
            const Header &h = trailers.items[i];
            out.append(h.name.c_str(), h.name.len);
            rt::append_cstr(out, ": ");
            out.append(h.value.c_str(), h.value.len);
            rt::append_cstr(out, "\r\n");
        }
        rt::append_cstr(out, "\r\n");
    }
}

HRESULT Response::flush(BOOL async, PFN_ASYNC_COMPLETION callback, VOID *callback_context,
                        DWORD *sent, BOOL *expected) {
    usize bytes = pending_bytes();
    send(false);
    if (sent) *sent = DWORD(bytes);
    if (expected) *expected = FALSE;
    if (async && expected) {
        *expected = TRUE;
        if (sent) *sent = 0;
        ctx->post_io_completion(DWORD(bytes), S_OK, OP_FLUSH, callback, callback_context);
    }
    return S_OK;
}

HRESULT Response::Flush(BOOL async, BOOL more, DWORD *sent, BOOL *expected) {
    return flush(async, nullptr, nullptr, sent, expected);
}

HRESULT Response::Flush(BOOL async, BOOL more, PFN_ASYNC_COMPLETION callback,
                        VOID *callback_context, DWORD *sent, BOOL *expected) {
    return flush(async, callback, callback_context, sent, expected);
}

HRESULT Response::write(HTTP_DATA_CHUNK *chunks, DWORD n, BOOL async,
                        PFN_ASYNC_COMPLETION callback, VOID *callback_context, DWORD *sent,
                        BOOL *expected) {
    if (sent) *sent = 0;
    if (expected) *expected = FALSE;
    if (!chunks && n) return HOST_E_INVALIDARG;
    DWORD total = 0;
    for (DWORD i = 0; i < n; i++) {
        const HTTP_DATA_CHUNK &c = chunks[i];
        if (c.DataChunkType == HttpDataChunkFromMemory) {
            if (!c.FromMemory.pBuffer && c.FromMemory.BufferLength) return HOST_E_INVALIDARG;
            pending.push().assign(static_cast<const char *>(c.FromMemory.pBuffer), c.FromMemory.BufferLength);
            total += c.FromMemory.BufferLength;
        } else if (c.DataChunkType == HttpDataChunkFromFragmentCache) {
            rt::Str &seg = pending.push();
            if (!ctx->server_fragment(c.FromFragmentCache.pFragmentName, seg)) return HOST_E_NOT_FOUND;
            total += DWORD(seg.len);
        } else {
            return HOST_E_NOT_SUPPORTED;  // files are not part of the mock
        }
    }
    if (buffering_disabled) send(false);
    if (sent) *sent = total;
    if (async && expected) {
        *expected = TRUE;
        if (sent) *sent = 0;
        ctx->post_io_completion(total, S_OK, OP_WRITE_ENTITY, callback, callback_context);
    }
    return S_OK;
}

HRESULT Response::WriteEntityChunks(HTTP_DATA_CHUNK *chunks, DWORD n, BOOL async, BOOL more,
                                    DWORD *sent, BOOL *expected) {
    return write(chunks, n, async, nullptr, nullptr, sent, expected);
}

HRESULT Response::WriteEntityChunks(HTTP_DATA_CHUNK *chunks, DWORD n, BOOL async, BOOL more,
                                    PFN_ASYNC_COMPLETION callback, VOID *callback_context,
                                    DWORD *sent, BOOL *expected) {
    return write(chunks, n, async, callback, callback_context, sent, expected);
}

HRESULT Response::WriteEntityChunkByReference(HTTP_DATA_CHUNK *chunk, LONG position) {
    if (!chunk) return HOST_E_INVALIDARG;
    if (chunk->DataChunkType != HttpDataChunkFromMemory) return HOST_E_NOT_SUPPORTED;
    // The mock copies at once; IIS keeps the reference until the response is sent.
    const char *data = static_cast<const char *>(chunk->FromMemory.pBuffer);
    ULONG len = chunk->FromMemory.BufferLength;
    if (position < 0 || usize(position) >= pending.len) {
        pending.push().assign(data, len);
    } else {
        pending.push();
        for (usize i = pending.len - 1; i > usize(position); i--)
            rt::copy(&pending[i], &pending[i - 1], sizeof(rt::Str));
        rt::zero(&pending[usize(position)], sizeof(rt::Str));
        pending[usize(position)].assign(data, len);
    }
    return S_OK;
}

HRESULT Response::Redirect(PCSTR url, BOOL reset_status, BOOL include_parameters) {
    if (!url) return HOST_E_INVALIDARG;
    if (headers_sent) return HOST_E_NOT_SUPPORTED;
    rt::Str location;
    rt::append_cstr(location, url);
    if (include_parameters && ctx->request.query.len) {
        location.append('?');
        location.append(ctx->request.query.c_str(), ctx->request.query.len);
    }
    if (reset_status) SetStatus(302, "Redirect", 0, S_OK, nullptr, FALSE);
    headers.set("Location", 8, location.c_str(), location.len, true);
    pending.clear();
    return S_OK;
}

VOID Response::GetStatus(USHORT *code, USHORT *sub, PCSTR *text, USHORT *cch_text, HRESULT *hr,
                         PCWSTR *module, DWORD *notification, IAppHostConfigException **exc,
                         BOOL *try_skip) {
    if (code) *code = status;
    if (sub) *sub = substatus;
    if (text) *text = reason.c_str();
    if (cch_text) *cch_text = USHORT(reason.len);
    if (hr) *hr = error_hr;
    if (module) *module = status_module;
    if (notification) *notification = status_notification;
    if (exc) *exc = exception;
    if (try_skip) *try_skip = try_skip_custom_errors;
}

HRESULT Response::SetErrorDescription(PCWSTR text, DWORD cch, BOOL html_encode) {
    if (!text && cch) return HOST_E_INVALIDARG;
    error_description.assign(text ? text : L"", cch);
    return S_OK;
}

PCWSTR Response::GetErrorDescription(DWORD *cch) {
    if (cch) *cch = DWORD(error_description.len);
    return error_description.c_str();
}

HRESULT Response::SetTrailer(PCSTR name, PCSTR value, USHORT cch, BOOL replace) {
    if (!name || (!value && cch)) return HOST_E_INVALIDARG;
    trailers.set(name, rt::cstrlen(name), value ? value : "", cch, replace != FALSE);
    return S_OK;
}

HRESULT Response::DeleteTrailer(PCSTR name) {
    if (!name) return HOST_E_INVALIDARG;
    trailers.remove(name, rt::cstrlen(name));
    return S_OK;
}

PCSTR Response::GetTrailer(PCSTR name, USHORT *cch) const {
    const Header *h = name ? trailers.get(name, rt::cstrlen(name)) : nullptr;
    if (cch) *cch = h ? USHORT(h->value.len) : 0;
    return h ? h->value.c_str() : nullptr;
}

// A fresh HTTP_RESPONSE_V2 describing the response as it is now, in request memory.
HTTP_RESPONSE *Response::snapshot() const {
    rt::Arena &arena = ctx->arena;
    HTTP_RESPONSE_V2 *r = static_cast<HTTP_RESPONSE_V2 *>(arena.allocate(sizeof(HTTP_RESPONSE_V2)));
    r->Version.MajorVersion = 1;
    r->Version.MinorVersion = ctx->request.minor;
    r->StatusCode = status;
    r->pReason = arena.dup(reason.c_str(), reason.len);
    r->ReasonLength = USHORT(reason.len);
    usize unknown = 0;
    for (usize i = 0; i < headers.items.len; i++)
        if (response_header_id(headers.items[i].name.c_str(), headers.items[i].name.len) < 0) unknown++;
    HTTP_UNKNOWN_HEADER *u = static_cast<HTTP_UNKNOWN_HEADER *>(
        arena.allocate(sizeof(HTTP_UNKNOWN_HEADER) * (unknown ? unknown : 1)));
    for (usize i = 0; i < headers.items.len; i++) {
        const Header &h = headers.items[i];
        int id = response_header_id(h.name.c_str(), h.name.len);
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
    usize n = pending.len;
    HTTP_DATA_CHUNK *chunks = static_cast<HTTP_DATA_CHUNK *>(arena.allocate(sizeof(HTTP_DATA_CHUNK) * (n ? n : 1)));
    for (usize i = 0; i < n; i++) {
        chunks[i].DataChunkType = HttpDataChunkFromMemory;
        chunks[i].FromMemory.pBuffer = const_cast<char *>(pending[i].c_str());
        chunks[i].FromMemory.BufferLength = ULONG(pending[i].len);
    }
    r->EntityChunkCount = USHORT(n);
    r->pEntityChunks = chunks;
    return r;
}

HTTP_RESPONSE *Response::GetRawHttpResponse(VOID) { return snapshot(); }
const HTTP_RESPONSE *Response::GetRawHttpResponse(VOID) const { return snapshot(); }
