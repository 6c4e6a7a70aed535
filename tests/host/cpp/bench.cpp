// bench.cpp -- what the dispatch benchmark (benches/benches/dispatch.rs, issue 7) needs from the
// mock IIS: a C++ module compiled into the host, equivalent to the benchmark's Rust module, and
// a loop that delivers one notification to a module many times, the way Context::notify does
// (a virtual call of CHttpModule::OnBeginRequest with the request's context and provider); the
// same for a global notification (CGlobalModule::OnGlobalPreBeginRequest, the way
// Server::notify_global delivers it for every request).
#include "server.h"

namespace {

// What the module does in OnBeginRequest: nothing (the cost of the delivery alone), or a
// typical read of the request (the Host header) and a look at the response. Both are decided
// at run time (a member), as a module's configuration would be. BENCH_NOOP: a module whose
// OnBeginRequest is only `return RQ_NOTIFICATION_CONTINUE` (NoopModule).
enum BenchWork : DWORD { BENCH_EMPTY = 0, BENCH_TYPICAL = 1, BENCH_NOOP = 2 };

class BenchModule final : public CHttpModule {
  public:
    explicit BenchModule(DWORD work) : work(work) {}

    REQUEST_NOTIFICATION_STATUS OnBeginRequest(IHttpContext *ctx, IHttpEventProvider *) override {
        if (work == BENCH_EMPTY) return RQ_NOTIFICATION_CONTINUE;
        USHORT len = 0;
        PCSTR host = ctx->GetRequest()->GetHeader("Host", &len);
        IHttpResponse *response = ctx->GetResponse();
        return host && response ? RQ_NOTIFICATION_CONTINUE : RQ_NOTIFICATION_FINISH_REQUEST;
    }

  private:
    DWORD work;
};

class NoopModule final : public CHttpModule {
  public:
    REQUEST_NOTIFICATION_STATUS OnBeginRequest(IHttpContext *, IHttpEventProvider *) override {
        return RQ_NOTIFICATION_CONTINUE;
    }
};

class BenchFactory final : public IHttpModuleFactory {
  public:
    explicit BenchFactory(DWORD work) : work(work) {}

    HRESULT GetHttpModule(CHttpModule **module, IModuleAllocator *) override {
        if (work == BENCH_NOOP) {
            *module = new NoopModule();
        } else {
            *module = new BenchModule(work);
        }
        return S_OK;
    }
    VOID Terminate(VOID) override { delete this; }

  private:
    DWORD work;
};

HRESULT register_bench(DWORD work, IHttpModuleRegistrationInfo *info) {
    BenchFactory *factory = new BenchFactory(work);
    HRESULT hr = info->SetRequestNotifications(factory, RQ_BEGIN_REQUEST, 0);
    if (hr < 0) delete factory;
    return hr;
}

// The global module: OnGlobalPreBeginRequest does nothing, or gets the request's context from
// the provider and reads its Host header (BENCH_TYPICAL); BENCH_NOOP: NoopGlobal.
class BenchGlobal final : public CGlobalModule {
  public:
    explicit BenchGlobal(DWORD work) : work(work) {}

    GLOBAL_NOTIFICATION_STATUS OnGlobalPreBeginRequest(IPreBeginRequestProvider *provider) override {
        if (work == BENCH_EMPTY) return GL_NOTIFICATION_CONTINUE;
        USHORT len = 0;
        PCSTR host = provider->GetHttpContext()->GetRequest()->GetHeader("Host", &len);
        return host ? GL_NOTIFICATION_CONTINUE : GL_NOTIFICATION_HANDLED;
    }
    VOID Terminate(VOID) override { delete this; }

  private:
    DWORD work;
};

class NoopGlobal final : public CGlobalModule {
  public:
    GLOBAL_NOTIFICATION_STATUS OnGlobalPreBeginRequest(IPreBeginRequestProvider *) override {
        return GL_NOTIFICATION_CONTINUE;
    }
    VOID Terminate(VOID) override { delete this; }
};

HRESULT register_global_bench(DWORD work, IHttpModuleRegistrationInfo *info) {
    CGlobalModule *global;
    if (work == BENCH_NOOP) {
        global = new NoopGlobal();
    } else {
        global = new BenchGlobal(work);
    }
    HRESULT hr = info->SetGlobalNotifications(global, GL_PRE_BEGIN_REQUEST);
    if (hr < 0) global->Terminate();
    return hr;
}

HRESULT WINAPI register_global_empty(DWORD, IHttpModuleRegistrationInfo *info, IHttpServer *) {
    return register_global_bench(BENCH_EMPTY, info);
}
HRESULT WINAPI register_global_typical(DWORD, IHttpModuleRegistrationInfo *info, IHttpServer *) {
    return register_global_bench(BENCH_TYPICAL, info);
}
HRESULT WINAPI register_global_noop(DWORD, IHttpModuleRegistrationInfo *info, IHttpServer *) {
    return register_global_bench(BENCH_NOOP, info);
}

// The RegisterModule of the C++ module, one per kind of work.
HRESULT WINAPI register_empty(DWORD, IHttpModuleRegistrationInfo *info, IHttpServer *) {
    return register_bench(BENCH_EMPTY, info);
}
HRESULT WINAPI register_typical(DWORD, IHttpModuleRegistrationInfo *info, IHttpServer *) {
    return register_bench(BENCH_TYPICAL, info);
}
HRESULT WINAPI register_noop(DWORD, IHttpModuleRegistrationInfo *info, IHttpServer *) {
    return register_bench(BENCH_NOOP, info);
}

}  // namespace

// The PFN_REGISTERMODULE of the C++ bench module (work: 0 empty, 1 typical, 2 noop).
extern "C" PFN_REGISTERMODULE host_bench_cpp_module(DWORD work) {
    switch (work) {
    case BENCH_EMPTY: return register_empty;
    case BENCH_TYPICAL: return register_typical;
    default: return register_noop;
    }
}

// The PFN_REGISTERMODULE of the C++ global bench module (work: 0 empty, 1 typical, 2 noop).
extern "C" PFN_REGISTERMODULE host_bench_cpp_global_module(DWORD work) {
    switch (work) {
    case BENCH_EMPTY: return register_global_empty;
    case BENCH_TYPICAL: return register_global_typical;
    default: return register_global_noop;
    }
}

// A request parsed from `raw` (not run): the context notifications are delivered with.
extern "C" Context *host_bench_context_new(Server *s, const char *raw, usize len) {
    Context *c = new Context(s, rt::atomic_add(&s->next_request_id, 1));
    if (!c->request.parse(raw, len)) {
        delete c;
        return nullptr;
    }
    return c;
}

extern "C" void host_bench_context_free(Context *c) { delete c; }

// The module instance of the `index`-th registered module for the request `c`
// (IHttpModuleFactory::GetHttpModule, as the pipeline calls it); NULL if that fails.
extern "C" CHttpModule *host_bench_module(Server *s, usize index, Context *c) {
    if (index >= s->modules.len || !s->modules[index]->factory) return nullptr;
    CHttpModule *m = nullptr;
    HRESULT hr = s->modules[index]->factory->GetHttpModule(&m, &c->allocator);
    return hr < 0 ? nullptr : m;
}

extern "C" void host_bench_module_dispose(CHttpModule *m) { m->Dispose(); }

// Delivers RQ_BEGIN_REQUEST to `m` `n` times; returns how many calls answered CONTINUE.
extern "C" u64 host_bench_dispatch(CHttpModule *m, Context *c, u64 n) {
    u64 continued = 0;
    for (u64 i = 0; i < n; i++) {
        continued += m->OnBeginRequest(c, &c->event_provider) == RQ_NOTIFICATION_CONTINUE;
    }
    return continued;
}

// The global module of the `index`-th registered module (SetGlobalNotifications); NULL if none.
extern "C" CGlobalModule *host_bench_global_module(Server *s, usize index) {
    if (index >= s->modules.len) return nullptr;
    return s->modules[index]->global;
}

// Delivers GL_PRE_BEGIN_REQUEST for the request `c` to `g` `n` times, with one provider as
// Context::run makes it; returns how many calls answered CONTINUE.
extern "C" u64 host_bench_global_dispatch(CGlobalModule *g, Context *c, u64 n) {
    PreBeginRequestProvider pre;
    pre.ctx = c;
    u64 continued = 0;
    for (u64 i = 0; i < n; i++) {
        continued += g->OnGlobalPreBeginRequest(&pre) == GL_NOTIFICATION_CONTINUE;
    }
    return continued;
}
