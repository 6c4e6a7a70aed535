// objects.cpp -- see objects.h.
#include "objects.h"

#include "context.h"

VOID PerfCounters::IncrementCounter(DWORD index, DWORD value) {
    if (index < 16) rt::atomic_add(&counters[index], value);
}

VOID PerfCounters::DecrementCounter(DWORD index, DWORD value) {
    if (index < 16) rt::atomic_add(&counters[index], 0 - u64(value));
}

HRESULT AnonymousUser::IsInRole(PCWSTR role, BOOL *in_role) {
    if (in_role) *in_role = FALSE;
    return HOST_E_NOTIMPL;
}

VOID *Connection::AllocateMemory(DWORD cb) { return ctx->arena.allocate(cb); }
