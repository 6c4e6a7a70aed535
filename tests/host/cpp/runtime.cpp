// runtime.cpp -- what clang's Microsoft-ABI objects expect from the MSVC runtime and the Win32
// API, provided on top of glibc (called through sysv_abi declarations, see rt.h).
#include "rt.h"

namespace {
u64 g_live_allocations = 0;  // constant-initialized: no static constructor
}

namespace rt {

void *alloc(usize size) {
    void *p = malloc(size ? size : 1);
    if (!p) fatal("mock IIS: out of memory");
    zero(p, size);
    atomic_add(&g_live_allocations, 1);
    return p;
}

void *grow(void *p, usize size) {
    if (!p) return alloc(size);
    void *q = realloc(p, size);
    if (!q) fatal("mock IIS: out of memory");
    return q;
}

void release(void *p) {
    if (!p) return;
    atomic_add(&g_live_allocations, ~0ull);  // -1
    free(p);
}

u64 live_allocations() { return atomic_load(&g_live_allocations); }

void log(const char *message) { write(2, message, cstrlen(message)); }

void fatal(const char *message) {
    log(message);
    log("\n");
    abort();
    __builtin_unreachable();  // abort() is declared without noreturn in rt.h
}

// Volatile byte loops: with -fno-builtin clang does not turn them into memcpy/memset calls.
void copy(void *dst, const void *src, usize n) {
    volatile u8 *d = static_cast<volatile u8 *>(dst);
    const u8 *s = static_cast<const u8 *>(src);
    for (usize i = 0; i < n; i++) d[i] = s[i];
}

void zero(void *dst, usize n) {
    volatile u8 *d = static_cast<volatile u8 *>(dst);
    for (usize i = 0; i < n; i++) d[i] = 0;
}

usize cstrlen(const char *s) {
    usize n = 0;
    while (s && s[n]) n++;
    return n;
}

usize wstrlen(const wchar_t *s) {
    usize n = 0;
    while (s && s[n]) n++;
    return n;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool ascii_ieq(const char *a, usize an, const char *b, usize bn) {
    if (an != bn) return false;
    for (usize i = 0; i < an; i++)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

Str &append_cstr(Str &s, const char *c) { return s.append(c, cstrlen(c)); }

Str &append_uint(Str &s, u64 v) {
    char buf[24];
    usize n = 0;
    do {
        buf[n++] = char('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) s.append(buf[--n]);
    return s;
}

Str &append_hex(Str &s, u64 v) {
    static const char digits[] = "0123456789abcdef";
    char buf[16];
    usize n = 0;
    do {
        buf[n++] = digits[v & 15];
        v >>= 4;
    } while (v);
    while (n) s.append(buf[--n]);
    return s;
}

void widen(WStr &out, const char *s, usize n) {
    out.clear();
    out.reserve(n);
    for (usize i = 0; i < n; i++) out.append(wchar_t(u8(s[i])));
}

void narrow(Str &out, const wchar_t *s, usize n) {
    out.clear();
    out.reserve(n);
    for (usize i = 0; i < n; i++) out.append(s[i] < 0x100 ? char(s[i]) : '?');
}

void *Arena::allocate(usize size) {
    // Block header padded to 16 bytes so returned memory is 16-aligned like malloc's.
    const usize header = 16;
    Block *b = static_cast<Block *>(alloc(header + size));
    Guard g(lock);
    b->next = head;
    head = b;
    return reinterpret_cast<u8 *>(b) + header;
}

const char *Arena::dup(const char *s, usize n) {
    char *p = static_cast<char *>(allocate(n + 1));
    copy(p, s, n);
    return p;
}

const wchar_t *Arena::wdup(const wchar_t *s, usize n) {
    wchar_t *p = static_cast<wchar_t *>(allocate((n + 1) * sizeof(wchar_t)));
    copy(p, s, n * sizeof(wchar_t));
    return p;
}

void Arena::reset() {
    Guard g(lock);
    while (head) {
        Block *next = head->next;
        release(head);
        head = next;
    }
}

}  // namespace rt

// ---- MSVC C++ runtime: operator new/delete (mangled ??2@YAPEAX_K@Z, ??3@YAXPEAX@Z, ...) and
// _purecall, which every vtable of an abstract class references.
void *operator new(usize size) { return rt::alloc(size); }
void *operator new[](usize size) { return rt::alloc(size); }
void operator delete(void *p) noexcept { rt::release(p); }
void operator delete[](void *p) noexcept { rt::release(p); }
void operator delete(void *p, usize) noexcept { rt::release(p); }
void operator delete[](void *p, usize) noexcept { rt::release(p); }

extern "C" int _purecall(void) { rt::fatal("mock IIS: pure virtual function called"); }

// ---- Win32: the two functions CHttpModule's default bodies call (httpserv.h). Not declared
// through the windows.h shim here, which marks them dllimport.
extern "C" void OutputDebugStringA(const char *message) { rt::log(message); }
extern "C" void DebugBreak(void) { rt::fatal("mock IIS: DebugBreak() (a CHttpModule default body was reached)"); }
