// containers.cpp -- module context containers (see containers.h).
#include "containers.h"

IHttpStoredContext *ContextTable::get(void *key) {
    rt::Guard g(lock);
    for (usize i = 0; i < entries.len; i++)
        if (entries[i].key == key) return entries[i].context;
    return nullptr;
}

HRESULT ContextTable::set(void *key, IHttpStoredContext *context) {
    if (!context) return HOST_E_INVALIDARG;
    rt::Guard g(lock);
    for (usize i = 0; i < entries.len; i++)
        if (entries[i].key == key) return HOST_E_ALREADY_ASSIGNED;  // as IIS: set once
    StoredEntry &e = entries.push();
    e.key = key;
    e.context = context;
    return S_OK;
}

void ContextTable::cleanup(bool disconnect) {
    // Take the entries first: CleanupStoredContext may free the context (and must not find it).
    lock.lock();
    usize n = entries.len;
    StoredEntry *taken = static_cast<StoredEntry *>(rt::alloc(sizeof(StoredEntry) * (n ? n : 1)));
    rt::copy(taken, entries.items, sizeof(StoredEntry) * n);
    entries.clear();
    lock.unlock();
    for (usize i = 0; i < n; i++) {
        if (disconnect) static_cast<IHttpConnectionStoredContext *>(taken[i].context)->NotifyDisconnect();
        taken[i].context->CleanupStoredContext();
        if (cleaned_counter) rt::atomic_add(cleaned_counter, 1);
    }
    rt::release(taken);
}

IHttpStoredContext *ModuleContainer::GetModuleContext(HTTP_MODULE_ID id) { return table.get(id); }
HRESULT ModuleContainer::SetModuleContext(IHttpStoredContext *c, HTTP_MODULE_ID id) {
    return table.set(id, c);
}

IHttpStoredContext *DispensedContainer::GetModuleContext(HTTP_MODULE_ID id) { return table.get(id); }
HRESULT DispensedContainer::SetModuleContext(IHttpStoredContext *c, HTTP_MODULE_ID id) {
    return table.set(id, c);
}
VOID DispensedContainer::ReleaseContainer(VOID) {
    table.cleanup(false);
    delete this;
}

IHttpStoredContext *ConnectionContainer::GetModuleContext(HTTP_MODULE_ID id) { return table.get(id); }
HRESULT ConnectionContainer::SetModuleContext(IHttpStoredContext *c, HTTP_MODULE_ID id) {
    return table.set(id, c);
}
IHttpConnectionStoredContext *ConnectionContainer::GetConnectionModuleContext(HTTP_MODULE_ID id) {
    return static_cast<IHttpConnectionStoredContext *>(connection_table.get(id));
}
HRESULT ConnectionContainer::SetConnectionModuleContext(IHttpConnectionStoredContext *c,
                                                        HTTP_MODULE_ID id) {
    return connection_table.set(id, c);
}
void ConnectionContainer::cleanup() {
    connection_table.cleanup(true);
    table.cleanup(false);
}

rt::WStr *NamedContainer::key_for(LPCWSTR name, bool create) {
    usize len = rt::wstrlen(name);
    for (usize i = 0; i < names.len; i++) {
        rt::WStr *k = names[i];
        if (k->len != len) continue;
        bool same = true;
        for (usize j = 0; j < len && same; j++) same = k->p[j] == name[j];
        if (same) return k;
    }
    if (!create) return nullptr;
    rt::WStr *k = new rt::WStr();
    k->assign(name, len);
    names.push() = k;
    return k;
}

IHttpStoredContext *NamedContainer::GetNamedContext(LPCWSTR name) {
    if (!name) return nullptr;
    rt::Guard g(table.lock);
    rt::WStr *k = key_for(name, false);
    if (!k) return nullptr;
    for (usize i = 0; i < table.entries.len; i++)
        if (table.entries[i].key == k) return table.entries[i].context;
    return nullptr;
}

HRESULT NamedContainer::SetNamedContext(IHttpStoredContext *context, LPCWSTR name) {
    if (!name || !context) return HOST_E_INVALIDARG;
    rt::WStr *k;
    {
        rt::Guard g(table.lock);
        k = key_for(name, true);
    }
    return table.set(k, context);
}

void NamedContainer::cleanup() { table.cleanup(false); }

NamedContainer::~NamedContainer() {
    for (usize i = 0; i < names.len; i++) delete names[i];
}
