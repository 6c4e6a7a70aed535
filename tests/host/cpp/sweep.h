// sweep.h -- support for the generated slot sweep (OUT_DIR/sweep_gen.cpp, written by
// build/sweep.rs from the httpserv-codegen model).
//
// Rust calls every slot of every class on C++ recorder objects (classes deriving from the
// header's classes and overriding every virtual, so clang alone decides which slot each method
// occupies); each recorder method stores its identity and arguments in the SweepRecord.
// In the other direction, sweep_cpp_call() calls one method of a Rust-implemented object
// through a pointer to the header's class and describes what it called in a SweepRecord.
#pragma once
#include <windows.h>
#include <httpserv.h>

#include "rt.h"

#define SWEEP_MAX_ARGS 12

// Mirrored by httpserv_host_tests::sweep::SweepRecord.
struct SweepRecord {
    const char *object;     // the class whose object was called
    const char *method;     // method name as declared ("~CHttpModule" for the destructor)
    const char *signature;  // "PCSTR (HTTP_HEADER_ID, USHORT *) const"
    u64 self;               // `this` as the method saw it
    u32 nargs;
    u32 ret_size;           // sizeof the C++ return type, 0 for void
    u64 args[SWEEP_MAX_ARGS];   // each argument's bits, zero-extended from its C++ size
    u32 sizes[SWEEP_MAX_ARGS];  // sizeof each C++ parameter (references: sizeof(void *))
    u32 calls;              // recorder methods run since the last reset
};

extern SweepRecord g_sweep_record;

inline void sweep_begin(const char *object, const char *method, const char *signature,
                        const void *self, u32 ret_size) {
    SweepRecord &r = g_sweep_record;
    r.object = object;
    r.method = method;
    r.signature = signature;
    r.self = u64(usize(self));
    r.nargs = 0;
    r.ret_size = ret_size;
    r.calls++;
}

inline void sweep_arg(SweepRecord &r, u64 bits, u32 size) {
    if (r.nargs >= SWEEP_MAX_ARGS) rt::fatal("sweep: too many arguments");
    r.args[r.nargs] = bits;
    r.sizes[r.nargs] = size;
    r.nargs++;
}

// Bits of a value zero-extended from its own size.
template <class T> inline u64 sweep_bits(T v) {
    u64 x = u64(v);
    return sizeof(T) >= 8 ? x : (x & ((1ull << (sizeof(T) * 8)) - 1));
}
template <class T> inline u64 sweep_bits(T *p) { return u64(usize(p)); }
inline u64 sweep_bits(bool b) { return b ? 1 : 0; }
