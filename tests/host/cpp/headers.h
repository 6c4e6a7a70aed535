// headers.h -- HTTP header storage shared by the mock request and response.
#pragma once
#include "rt.h"

#include <windows.h>
#include <http.h>

// Canonical names of the known headers (HTTP_HEADER_ID), which differ between request and
// response from index 20 on. NULL when out of range.
const char *request_header_name(int id);
const char *response_header_name(int id);
// The id of a known header name, or -1.
int request_header_id(const char *name, usize len);
int response_header_id(const char *name, usize len);

struct Header {
    rt::Str name;
    rt::Str value;
};

// Headers in arrival / insertion order; names compare case-insensitively.
struct HeaderList {
    rt::Vec<Header> items;
    // Set-Cookie-style headers: appending adds a line instead of ", value".
    bool (*repeats)(const char *name, usize len) = nullptr;

    // Index of the first header with this name, or -1.
    long long find(const char *name, usize len) const;
    const Header *get(const char *name, usize len) const;
    // fReplace semantics of IHttpRequest/IHttpResponse::SetHeader.
    void set(const char *name, usize nlen, const char *value, usize vlen, bool replace);
    // Removes every header of this name; returns how many.
    usize remove(const char *name, usize len);
    void add(const char *name, usize nlen, const char *value, usize vlen);
};
