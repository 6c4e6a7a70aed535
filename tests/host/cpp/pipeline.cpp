// pipeline.cpp -- the integrated pipeline: module instances per request, request
// notifications in IIS order honouring masks, priorities and return values, PENDING held until
// IndicateCompletion / PostCompletion / an asynchronous I/O completes, OnAsyncCompletion, the
// final send, Dispose and context cleanup.
#include "server.h"

namespace {

struct Stage {
    DWORD bit;
    const char *name;
};

// The pipeline stages in IIS order. The response is sent after UpdateRequestCache (or as soon
// as a module finishes the request); LogRequest and EndRequest always run.
const Stage kStages[] = {
    {RQ_BEGIN_REQUEST, "BeginRequest"},
    {RQ_AUTHENTICATE_REQUEST, "AuthenticateRequest"},
    {RQ_AUTHORIZE_REQUEST, "AuthorizeRequest"},
    {RQ_RESOLVE_REQUEST_CACHE, "ResolveRequestCache"},
    {RQ_MAP_REQUEST_HANDLER, "MapRequestHandler"},
    {RQ_ACQUIRE_REQUEST_STATE, "AcquireRequestState"},
    {RQ_PRE_EXECUTE_REQUEST_HANDLER, "PreExecuteRequestHandler"},
    {RQ_EXECUTE_REQUEST_HANDLER, "ExecuteRequestHandler"},
    {RQ_RELEASE_REQUEST_STATE, "ReleaseRequestState"},
    {RQ_UPDATE_REQUEST_CACHE, "UpdateRequestCache"},
    {RQ_LOG_REQUEST, "LogRequest"},
    {RQ_END_REQUEST, "EndRequest"},
};
const usize kStageCount = sizeof(kStages) / sizeof(kStages[0]);
const usize kFirstEndStage = 10;  // LogRequest

const char *notification_name(DWORD bit) {
    for (usize i = 0; i < kStageCount; i++)
        if (kStages[i].bit == bit) return kStages[i].name;
    switch (bit) {
    case RQ_SEND_RESPONSE: return "SendResponse";
    case RQ_MAP_PATH: return "MapPath";
    case RQ_READ_ENTITY: return "ReadEntity";
    case RQ_CUSTOM_NOTIFICATION: return "CustomRequestNotification";
    default: return "?";
    }
}

REQUEST_NOTIFICATION_STATUS call(CHttpModule *m, DWORD bit, bool post, IHttpContext *c,
                                 IHttpEventProvider *p) {
    switch (bit) {
    case RQ_BEGIN_REQUEST:
        return post ? m->OnPostBeginRequest(c, p) : m->OnBeginRequest(c, p);
    case RQ_AUTHENTICATE_REQUEST:
        return post ? m->OnPostAuthenticateRequest(c, p)
                    : m->OnAuthenticateRequest(c, static_cast<IAuthenticationProvider *>(p));
    case RQ_AUTHORIZE_REQUEST:
        return post ? m->OnPostAuthorizeRequest(c, p) : m->OnAuthorizeRequest(c, p);
    case RQ_RESOLVE_REQUEST_CACHE:
        return post ? m->OnPostResolveRequestCache(c, p) : m->OnResolveRequestCache(c, p);
    case RQ_MAP_REQUEST_HANDLER:
        return post ? m->OnPostMapRequestHandler(c, p)
                    : m->OnMapRequestHandler(c, static_cast<IMapHandlerProvider *>(p));
    case RQ_ACQUIRE_REQUEST_STATE:
        return post ? m->OnPostAcquireRequestState(c, p) : m->OnAcquireRequestState(c, p);
    case RQ_PRE_EXECUTE_REQUEST_HANDLER:
        return post ? m->OnPostPreExecuteRequestHandler(c, p) : m->OnPreExecuteRequestHandler(c, p);
    case RQ_EXECUTE_REQUEST_HANDLER:
        return post ? m->OnPostExecuteRequestHandler(c, p) : m->OnExecuteRequestHandler(c, p);
    case RQ_RELEASE_REQUEST_STATE:
        return post ? m->OnPostReleaseRequestState(c, p) : m->OnReleaseRequestState(c, p);
    case RQ_UPDATE_REQUEST_CACHE:
        return post ? m->OnPostUpdateRequestCache(c, p) : m->OnUpdateRequestCache(c, p);
    case RQ_LOG_REQUEST:
        return post ? m->OnPostLogRequest(c, p) : m->OnLogRequest(c, p);
    case RQ_END_REQUEST:
        return post ? m->OnPostEndRequest(c, p) : m->OnEndRequest(c, p);
    case RQ_SEND_RESPONSE:
        return m->OnSendResponse(c, static_cast<ISendResponseProvider *>(p));
    case RQ_MAP_PATH:
        return m->OnMapPath(c, static_cast<IMapPathProvider *>(p));
    case RQ_READ_ENTITY:
        return m->OnReadEntity(c, static_cast<IReadEntityProvider *>(p));
    case RQ_CUSTOM_NOTIFICATION:
        return m->OnCustomRequestNotification(c, static_cast<ICustomNotificationProvider *>(p));
    }
    rt::fatal("mock IIS: unknown request notification");
}

// How long a PENDING notification may wait for its completion before the request is failed.
const u32 kPendingTimeoutMs = 20000;

}  // namespace

const char *status_name(REQUEST_NOTIFICATION_STATUS s) {
    switch (s) {
    case RQ_NOTIFICATION_CONTINUE: return "CONTINUE";
    case RQ_NOTIFICATION_PENDING: return "PENDING";
    case RQ_NOTIFICATION_FINISH_REQUEST: return "FINISH_REQUEST";
    default: return "INVALID";
    }
}

void trace_line(rt::Str &trace, const char *a, const char *b, const char *c) {
    rt::append_cstr(trace, a);
    if (b) rt::append_cstr(rt::append_cstr(trace, " "), b);
    if (c) rt::append_cstr(rt::append_cstr(trace, " "), c);
    trace.append('\n');
}

void Context::run() {
    rt::atomic_add(&server->stats.requests_started, 1);
    {
        rt::Str line;
        line.append(request.method.c_str(), request.method.len);
        line.append(' ');
        line.append(request.raw_url.c_str(), request.raw_url.len);
        trace_line(trace, "Request", line.c_str());
    }
    server->start_application(trace);
    PreBeginRequestProvider pre;
    pre.ctx = this;
    server->notify_global(GL_PRE_BEGIN_REQUEST, &pre, &trace);

    // One module instance per request module, created before the first notification.
    for (usize i = 0; i < server->modules.len; i++) {
        ModuleEntry *e = server->modules[i];
        if (!e->factory) continue;
        CHttpModule *m = nullptr;
        HRESULT hr = e->factory->GetHttpModule(&m, &allocator);
        if (hr < 0 || !m) {
            trace_line(trace, "GetHttpModule", e->narrow_name.c_str(), "FAILED");
            response.SetStatus(500, "Internal Server Error", 0, hr < 0 ? hr : HOST_E_FAIL, nullptr, FALSE);
            finishing = true;
            continue;
        }
        rt::atomic_add(&server->stats.modules_created, 1);
        ModuleInstance &inst = instances.push();
        inst.entry = e;
        inst.module = m;
    }

    for (usize s = 0; s < kFirstEndStage && !finishing; s++) {
        IHttpEventProvider *provider = &event_provider;
        if (kStages[s].bit == RQ_AUTHENTICATE_REQUEST) provider = &auth_provider;
        if (kStages[s].bit == RQ_MAP_REQUEST_HANDLER) provider = &map_handler_provider;
        if (notify(kStages[s].bit, false, provider) == RQ_NOTIFICATION_FINISH_REQUEST) break;
        if (notify(kStages[s].bit, true, &event_provider) == RQ_NOTIFICATION_FINISH_REQUEST) break;
    }

    response.send(true);

    for (usize s = kFirstEndStage; s < kStageCount; s++) {
        notify(kStages[s].bit, false, &event_provider);
        notify(kStages[s].bit, true, &event_provider);
    }

    // End of request: stored contexts, then the module instances, then the module's user.
    container.table.cleanup(false);
    named.cleanup();
    url_info.container.table.cleanup(false);
    metadata.container.table.cleanup(false);
    connection.container.cleanup();  // each request is its own connection in the mock
    for (usize i = 0; i < instances.len; i++) {
        instances[i].module->Dispose();
        rt::atomic_add(&server->stats.modules_disposed, 1);
        trace_line(trace, "Dispose", instances[i].entry->narrow_name.c_str());
    }
    set_user(nullptr);
    rt::atomic_add(&server->stats.requests_completed, 1);
}

REQUEST_NOTIFICATION_STATUS Context::notify(DWORD bit, bool post, IHttpEventProvider *provider) {
    rt::Vec<ModuleEntry *> order;
    server->order(bit, post, order);
    if (!order.len) return RQ_NOTIFICATION_CONTINUE;
    const long long saved_current = current;
    const DWORD saved_notification = current_notification;
    const bool saved_post = current_is_post;
    REQUEST_NOTIFICATION_STATUS result = RQ_NOTIFICATION_CONTINUE;
    rt::Str name;
    rt::append_cstr(name, post ? "Post" : "");
    rt::append_cstr(name, notification_name(bit));

    for (usize k = 0; k < order.len; k++) {
        long long idx = -1;
        for (usize i = 0; i < instances.len; i++)
            if (instances[i].entry == order[k]) idx = (long long)i;
        if (idx < 0) continue;  // GetHttpModule failed
        ModuleInstance &inst = instances[usize(idx)];
        if ((post ? inst.disabled_post : inst.disabled) & bit) continue;
        current = idx;
        current_notification = bit;
        current_is_post = post;
        const char *module_name = inst.entry->narrow_name.c_str();

        rt::atomic_store32(&completion_state, COMPLETION_NONE);
        REQUEST_NOTIFICATION_STATUS st = call(inst.module, bit, post, this, provider);
        trace_line(trace, name.c_str(), module_name, status_name(st));

        while (st == RQ_NOTIFICATION_PENDING) {
            // Held until the module (or an asynchronous operation) completes, possibly on
            // another thread.
            u32 state = COMPLETION_NONE;
            u64 deadline = host_now_ms() + kPendingTimeoutMs;
            while ((state = rt::atomic_load32(&completion_state)) == COMPLETION_NONE) {
                if (host_now_ms() > deadline) break;
                usleep(20);
            }
            if (state == COMPLETION_NONE) {
                rt::atomic_add(&server->stats.pending_timeouts, 1);
                trace_line(trace, "PendingTimeout", module_name);
                response.SetStatus(500, "Internal Server Error", 0, HOST_E_TIMEOUT, nullptr, FALSE);
                st = RQ_NOTIFICATION_FINISH_REQUEST;
                break;
            }
            if (state == COMPLETION_INDICATED) {
                st = indicated_status;
                rt::atomic_store32(&completion_state, COMPLETION_NONE);
                trace_line(trace, "IndicateCompletion", module_name, status_name(st));
                continue;
            }
            completion.bytes = completion_bytes;
            completion.status = completion_hr;
            completion.operation = completion_op;
            PFN_ASYNC_COMPLETION callback = completion_callback;
            VOID *callback_context = completion_callback_context;
            LPOVERLAPPED_COMPLETION_ROUTINE routine = completion_routine;
            VOID *routine_context = completion_routine_context;
            rt::atomic_store32(&completion_state, COMPLETION_NONE);  // may be posted again
            rt::atomic_add(&server->stats.async_completions, 1);
            if (routine) routine(0, completion.bytes, static_cast<LPOVERLAPPED>(routine_context));
            if (callback) {
                st = callback(this, &completion, callback_context);
                trace_line(trace, "CompletionCallback", module_name, status_name(st));
            } else {
                st = inst.module->OnAsyncCompletion(this, bit, post ? TRUE : FALSE, provider, &completion);
                trace_line(trace, "AsyncCompletion", module_name, status_name(st));
            }
        }
        if (st == RQ_NOTIFICATION_FINISH_REQUEST) {
            result = st;
            finishing = true;
            break;
        }
    }
    current = saved_current;
    current_notification = saved_notification;
    current_is_post = saved_post;
    return result;
}

void Context::notify_send_response(bool headers_being_sent, bool final) {
    send_provider.headers_being_sent = headers_being_sent;
    send_provider.final_send = final;
    notify(RQ_SEND_RESPONSE, false, &send_provider);
}

DWORD Context::notify_read_entity(VOID *buf, DWORD data, DWORD capacity) {
    ReadEntityProvider &p = read_entity_provider;
    p.buffer = buf;
    p.data = data;
    p.capacity = capacity;
    notify(RQ_READ_ENTITY, false, &p);
    DWORD n = p.data < capacity ? p.data : capacity;
    if (p.buffer != buf && p.buffer) rt::copy(buf, p.buffer, n);  // SetEntity replaced it
    p.buffer = nullptr;
    return n;
}

BOOL Context::GetIsLastNotification(REQUEST_NOTIFICATION_STATUS) {
    if (current < 0) return TRUE;
    const ModuleEntry *e = instances[usize(current)].entry;
    usize s = 0;
    while (s < kStageCount && kStages[s].bit != current_notification) s++;
    if (s == kStageCount) return FALSE;  // SendResponse, MapPath...: more may follow
    if (!current_is_post && (e->post_mask & kStages[s].bit)) return FALSE;
    for (usize t = s + 1; t < kStageCount; t++)
        if ((e->request_mask | e->post_mask) & kStages[t].bit) return FALSE;
    return TRUE;
}
