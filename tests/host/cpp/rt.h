// rt.h -- the few runtime services the mock IIS needs, without any C or C++ library header.
//
// These objects are compiled for the Microsoft x64 ABI (clang -target x86_64-pc-windows-msvc-elf)
// and linked into Linux test binaries, so every call into glibc must be declared sysv_abi: the
// default convention here is Win64. build/main.rs checks that the objects reference no other
// outside symbol (an implicit memcpy, __chkstk, TLS or static-initializer machinery would
// otherwise resolve to something with the wrong ABI or not at all). Hence: no globals with
// constructors, no thread_local, no floating point, no large stack frames or struct copies
// that the compiler could turn into library calls.
#pragma once

typedef decltype(sizeof(0)) usize;
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

#define RT_SYSV __attribute__((sysv_abi))

extern "C" {
RT_SYSV void *malloc(usize size);
RT_SYSV void *realloc(void *p, usize size);
RT_SYSV void free(void *p);
RT_SYSV void abort(void);
RT_SYSV long long write(int fd, const void *buf, usize len);
RT_SYSV int sched_yield(void);
RT_SYSV int usleep(unsigned int usec);
struct rt_timespec {
    long long tv_sec;  // glibc x86_64: time_t and long are 64-bit (long is 32-bit in this ABI)
    long long tv_nsec;
};
RT_SYSV int clock_gettime(int clock, rt_timespec *ts);
}

namespace rt {

// Zeroed heap memory; aborts on exhaustion.
void *alloc(usize size);
void *grow(void *p, usize size);
void release(void *p);

// Writes to stderr and aborts: a broken invariant of the mock itself.
[[noreturn]] void fatal(const char *message);
void log(const char *message);

void copy(void *dst, const void *src, usize n);
void zero(void *dst, usize n);
usize cstrlen(const char *s);
usize wstrlen(const wchar_t *s);
bool ascii_ieq(const char *a, usize an, const char *b, usize bn);
char ascii_lower(char c);

// Live-allocation counters (everything the mock allocates goes through rt::alloc/new).
u64 live_allocations();

// Atomics: GCC builtins lower to lock-prefixed instructions, no library calls.
inline u64 atomic_add(u64 *p, u64 v) { return __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST); }
inline u64 atomic_load(const u64 *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
inline u32 atomic_load32(const u32 *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
inline void atomic_store32(u32 *p, u32 v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }

struct SpinLock {
    u32 held;
    void lock() {
        while (__atomic_exchange_n(&held, 1u, __ATOMIC_ACQUIRE)) sched_yield();
    }
    void unlock() { __atomic_store_n(&held, 0u, __ATOMIC_RELEASE); }
};

struct Guard {
    SpinLock &l;
    explicit Guard(SpinLock &lock) : l(lock) { l.lock(); }
    ~Guard() { l.unlock(); }
    Guard(const Guard &) = delete;
    Guard &operator=(const Guard &) = delete;
};

// A growable array of trivially relocatable values (raw pointers, PODs, Str).
template <class T> struct Vec {
    T *items = nullptr;
    usize len = 0;
    usize cap = 0;

    Vec() = default;
    Vec(const Vec &) = delete;
    Vec &operator=(const Vec &) = delete;
    ~Vec() { clear(); release(items); }

    T &push() {
        if (len == cap) {
            usize n = cap ? cap * 2 : 4;
            items = static_cast<T *>(grow(items, n * sizeof(T)));
            zero(items + cap, (n - cap) * sizeof(T));
            cap = n;
        }
        T *slot = items + len++;
        zero(slot, sizeof(T));
        return *slot;
    }
    void remove(usize i) {
        items[i].~T();
        for (usize k = i + 1; k < len; k++) copy(items + k - 1, items + k, sizeof(T));
        len--;
        zero(items + len, sizeof(T));
    }
    void clear() {
        for (usize i = 0; i < len; i++) items[i].~T();
        len = 0;
    }
    T &operator[](usize i) { return items[i]; }
    const T &operator[](usize i) const { return items[i]; }
};

// A NUL-terminated growable string of C (char or wchar_t); empty strings allocate nothing.
template <class C> struct BasicStr {
    C *p = nullptr;
    usize len = 0;
    usize cap = 0;

    BasicStr() = default;
    BasicStr(const BasicStr &) = delete;
    BasicStr &operator=(const BasicStr &) = delete;
    ~BasicStr() { release(p); }

    const C *c_str() const {
        static const C empty[1] = {0};
        return p ? p : empty;
    }
    void reserve(usize n) {
        if (n + 1 <= cap) return;
        usize c = cap ? cap : 16;
        while (c < n + 1) c *= 2;
        p = static_cast<C *>(grow(p, c * sizeof(C)));
        cap = c;
    }
    BasicStr &append(const C *s, usize n) {
        reserve(len + n);
        copy(p + len, s, n * sizeof(C));
        len += n;
        p[len] = 0;
        return *this;
    }
    BasicStr &append(C c) { return append(&c, 1); }
    BasicStr &assign(const C *s, usize n) {
        len = 0;
        if (p) p[0] = 0;
        return append(s, n);
    }
    void clear() {
        len = 0;
        if (p) p[0] = 0;
    }
};

typedef BasicStr<char> Str;
typedef BasicStr<wchar_t> WStr;

Str &append_cstr(Str &s, const char *c);
Str &append_uint(Str &s, u64 v);
Str &append_hex(Str &s, u64 v);
// Latin-1 widening / narrowing (the mock's strings are ASCII).
void widen(WStr &out, const char *s, usize n);
void narrow(Str &out, const wchar_t *s, usize n);

// Memory freed all at once (request-scoped allocations: IModuleAllocator,
// AllocateRequestMemory, strings returned to modules).
struct Arena {
    struct Block {
        Block *next;
    };
    Block *head = nullptr;
    SpinLock lock = {};
    Arena() = default;
    Arena(const Arena &) = delete;
    Arena &operator=(const Arena &) = delete;
    ~Arena() { reset(); }
    void *allocate(usize size);
    const char *dup(const char *s, usize n);
    const wchar_t *wdup(const wchar_t *s, usize n);
    void reset();
};

}  // namespace rt
