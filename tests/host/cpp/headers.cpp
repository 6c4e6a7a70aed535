// headers.cpp -- known header names (http.h order) and the header list.
#include "headers.h"

namespace {

const char *const kCommon[20] = {
    "Cache-Control", "Connection",       "Date",             "Keep-Alive",       "Pragma",
    "Trailer",       "Transfer-Encoding", "Upgrade",         "Via",              "Warning",
    "Allow",         "Content-Length",   "Content-Type",     "Content-Encoding", "Content-Language",
    "Content-Location", "Content-MD5",   "Content-Range",    "Expires",          "Last-Modified",
};

const char *const kRequestOnly[21] = {
    "Accept",        "Accept-Charset",   "Accept-Encoding",  "Accept-Language",  "Authorization",
    "Cookie",        "Expect",           "From",             "Host",             "If-Match",
    "If-Modified-Since", "If-None-Match", "If-Range",        "If-Unmodified-Since", "Max-Forwards",
    "Proxy-Authorization", "Referer",    "Range",            "TE",               "Translate",
    "User-Agent",
};

const char *const kResponseOnly[10] = {
    "Accept-Ranges", "Age", "ETag", "Location", "Proxy-Authenticate",
    "Retry-After",   "Server", "Set-Cookie", "Vary", "WWW-Authenticate",
};

int lookup(const char *(*name_of)(int), int count, const char *name, usize len) {
    for (int i = 0; i < count; i++) {
        const char *n = name_of(i);
        if (rt::ascii_ieq(n, rt::cstrlen(n), name, len)) return i;
    }
    return -1;
}

}  // namespace

const char *request_header_name(int id) {
    if (id >= 0 && id < 20) return kCommon[id];
    if (id >= 20 && id < HttpHeaderRequestMaximum) return kRequestOnly[id - 20];
    return nullptr;
}

const char *response_header_name(int id) {
    if (id >= 0 && id < 20) return kCommon[id];
    if (id >= 20 && id < HttpHeaderResponseMaximum) return kResponseOnly[id - 20];
    return nullptr;
}

int request_header_id(const char *name, usize len) {
    return lookup(request_header_name, HttpHeaderRequestMaximum, name, len);
}

int response_header_id(const char *name, usize len) {
    return lookup(response_header_name, HttpHeaderResponseMaximum, name, len);
}

long long HeaderList::find(const char *name, usize len) const {
    for (usize i = 0; i < items.len; i++)
        if (rt::ascii_ieq(items[i].name.c_str(), items[i].name.len, name, len)) return (long long)i;
    return -1;
}

const Header *HeaderList::get(const char *name, usize len) const {
    long long i = find(name, len);
    return i < 0 ? nullptr : &items[usize(i)];
}

void HeaderList::add(const char *name, usize nlen, const char *value, usize vlen) {
    Header &h = items.push();
    h.name.assign(name, nlen);
    h.value.assign(value, vlen);
}

void HeaderList::set(const char *name, usize nlen, const char *value, usize vlen, bool replace) {
    long long i = find(name, nlen);
    if (replace) {
        remove(name, nlen);
        add(name, nlen, value, vlen);
    } else if (i < 0 || (repeats && repeats(name, nlen))) {
        add(name, nlen, value, vlen);
    } else {
        Header &h = items[usize(i)];
        h.value.append(", ", 2);
        h.value.append(value, vlen);
    }
}

usize HeaderList::remove(const char *name, usize len) {
    usize removed = 0;
    for (usize i = 0; i < items.len;) {
        if (rt::ascii_ieq(items[i].name.c_str(), items[i].name.len, name, len)) {
            items.remove(i);
            removed++;
        } else {
            i++;
        }
    }
    return removed;
}
