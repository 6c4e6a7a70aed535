//! Dispatch cost (issue 7, item 4): one request notification (`OnBeginRequest`) delivered by the
//! MSVC-ABI mock IIS (`tests/host`) to a Rust module written with `httpserv::module` and to the
//! equivalent C++ module compiled into the host (`tests/host/cpp/bench.cpp`), in the same run.
//!
//! The C++ side delivers the notification `iters` times in a loop (`host_bench_dispatch`: the
//! virtual call `Context::notify` makes), on a parsed request, to a module instance obtained
//! from the module's factory as the pipeline does; criterion times the loop (`iter_custom`).
//! Two kinds of work in the handler, the same in both languages:
//!
//! - `empty`: return `RQ_NOTIFICATION_CONTINUE` (the cost of the delivery alone);
//! - `typical`: read the `Host` request header, get the response, then return;
//! - `noop`: a module whose handler is only `return RQ_NOTIFICATION_CONTINUE` (in Rust the
//!   trait's default method), where `empty` and `typical` are one module with a run-time
//!   switch. What the delivery costs when the handler has no code that could call a SysV
//!   function (a panic, an allocation): on this host, the slot function then needs no Win64
//!   -> SysV transition.
//!
//! and three modules for each: `c++`, `rust` (the framework: `HttpModule`, registered with
//! `httpserv::module::register`) and `rust-raw` (the same handler on the raw bindings,
//! `CHttpModule_Impl`: the Win64 → SysV calling-convention trampoline only, which exists on
//! this Linux host and not on Windows, where Rust's own convention is Win64).
//!
//! The same for one global notification, `OnGlobalPreBeginRequest` (`GL_PRE_BEGIN_REQUEST`, raised
//! for every request), delivered `iters` times (`host_bench_global_dispatch`: the virtual call
//! `Server::notify_global` makes, with one `IPreBeginRequestProvider` of the parsed request) to
//! the module's `CGlobalModule`: `c++` (`BenchGlobal` in `bench.cpp`), `rust`
//! (`httpserv::module::GlobalModule`, registered with `Registration::global`) and `rust-raw`
//! (`CGlobalModule_Impl`). Handlers: `empty` returns `GL_NOTIFICATION_CONTINUE`; `typical` gets
//! the request's `IHttpContext` from the provider and reads its `Host` header; `noop` is a module
//! whose handler is only `return GL_NOTIFICATION_CONTINUE` (in Rust the trait's default).
//! Criterion groups `global_empty`, `global_typical`, `global_noop`; the paired ratios follow
//! those of the request notification.
//!
//! `cargo bench -p httpserv-benches --bench dispatch`. x86_64 outside Windows only (where the
//! host exists); elsewhere it prints that and measures nothing.

use criterion::{Criterion, criterion_group, criterion_main};

#[cfg(all(target_arch = "x86_64", not(windows)))]
mod host {
    use std::time::{Duration, Instant};

    use criterion::Criterion;
    use httpserv::module::{GlobalModule, HttpModule, Registration};
    use httpserv::*;
    use windows_sys::core::HRESULT;

    #[repr(C)]
    struct Server {
        _opaque: [u8; 0],
    }
    #[repr(C)]
    struct Context {
        _opaque: [u8; 0],
    }

    unsafe extern "win64" {
        fn host_server_new() -> *mut Server;
        fn host_server_register(
            server: *mut Server,
            name: *const u16,
            entry: PFN_REGISTERMODULE,
            server_version: u32,
        ) -> HRESULT;
        fn host_server_shutdown(server: *mut Server, out: *mut [u64; 10]);
        fn host_bench_cpp_module(work: u32) -> PFN_REGISTERMODULE;
        fn host_bench_context_new(server: *mut Server, raw: *const u8, len: usize) -> *mut Context;
        fn host_bench_context_free(context: *mut Context);
        fn host_bench_module(
            server: *mut Server,
            index: usize,
            ctx: *mut Context,
        ) -> *mut CHttpModule;
        fn host_bench_module_dispose(module: *mut CHttpModule);
        fn host_bench_dispatch(module: *mut CHttpModule, ctx: *mut Context, n: u64) -> u64;
        fn host_bench_cpp_global_module(work: u32) -> PFN_REGISTERMODULE;
        fn host_bench_global_module(server: *mut Server, index: usize) -> *mut CGlobalModule;
        fn host_bench_global_dispatch(global: *mut CGlobalModule, ctx: *mut Context, n: u64)
        -> u64;
    }

    /// What a benchmark delivers its notification to.
    #[derive(Clone, Copy)]
    enum Target {
        /// `OnBeginRequest` to a module instance.
        Request(*mut CHttpModule),
        /// `OnGlobalPreBeginRequest` to a global module.
        Global(*mut CGlobalModule),
    }

    impl Target {
        /// Delivers the notification `n` times; returns how many calls answered CONTINUE.
        #[inline]
        unsafe fn deliver(self, ctx: *mut Context, n: u64) -> u64 {
            unsafe {
                match self {
                    Target::Request(module) => host_bench_dispatch(module, ctx, n),
                    Target::Global(global) => host_bench_global_dispatch(global, ctx, n),
                }
            }
        }

        fn is_global(self) -> bool {
            matches!(self, Target::Global(_))
        }
    }

    /// One benchmark: the handler's work, the module's language, the module.
    type Module = (&'static str, &'static str, Target);

    /// The Rust module: the same work as `BenchModule` in `tests/host/cpp/bench.cpp`.
    #[derive(Clone)]
    struct Bench {
        typical: bool,
    }

    impl HttpModule for Bench {
        fn on_begin_request(
            &mut self,
            ctx: &IHttpContext,
            _: &IHttpEventProvider,
        ) -> REQUEST_NOTIFICATION_STATUS {
            if !self.typical {
                return RQ_NOTIFICATION_CONTINUE;
            }
            let host = ctx.get_request().get_header(c"Host");
            let _response = ctx.get_response();
            if host.is_some() {
                RQ_NOTIFICATION_CONTINUE
            } else {
                RQ_NOTIFICATION_FINISH_REQUEST
            }
        }
    }

    /// The global module: the same work as `BenchGlobal` in `tests/host/cpp/bench.cpp`.
    struct GlobalBench {
        typical: bool,
    }

    impl GlobalModule for GlobalBench {
        fn on_global_pre_begin_request(
            &self,
            provider: &IPreBeginRequestProvider,
        ) -> GLOBAL_NOTIFICATION_STATUS {
            if !self.typical {
                return GL_NOTIFICATION_CONTINUE;
            }
            let host = provider
                .get_http_context()
                .get_request()
                .get_header(c"Host");
            if host.is_some() {
                GL_NOTIFICATION_CONTINUE
            } else {
                GL_NOTIFICATION_HANDLED
            }
        }
    }

    /// The global `noop` module: `on_global_pre_begin_request` is the trait's default.
    struct GlobalNoop;

    impl GlobalModule for GlobalNoop {}

    /// The global module on the raw bindings (`CGlobalModule_Impl`, no framework).
    struct RawGlobalBench {
        typical: bool,
    }

    #[allow(non_snake_case)]
    impl CGlobalModule_Impl for RawGlobalBench {
        unsafe fn OnGlobalPreBeginRequest(
            this: *mut RustObject<Self>,
            pProvider: *mut IPreBeginRequestProvider,
        ) -> GLOBAL_NOTIFICATION_STATUS {
            // SAFETY: `this` is the live object; the host passes a live provider.
            let (global, provider) = unsafe { (&(*this).value, &*pProvider) };
            if !global.typical {
                return GL_NOTIFICATION_CONTINUE;
            }
            let host = provider
                .get_http_context()
                .get_request()
                .get_header(c"Host");
            if host.is_some() {
                GL_NOTIFICATION_CONTINUE
            } else {
                GL_NOTIFICATION_HANDLED
            }
        }
    }

    static RAW_GLOBAL_VTABLE: CGlobalModule_Vtbl = CGlobalModule_Vtbl::new::<RawGlobalBench>();

    /// The global `noop` module on the raw bindings.
    struct RawGlobalNoop;

    #[allow(non_snake_case)]
    impl CGlobalModule_Impl for RawGlobalNoop {
        unsafe fn OnGlobalPreBeginRequest(
            _this: *mut RustObject<Self>,
            _pProvider: *mut IPreBeginRequestProvider,
        ) -> GLOBAL_NOTIFICATION_STATUS {
            GL_NOTIFICATION_CONTINUE
        }
    }

    static RAW_GLOBAL_NOOP_VTABLE: CGlobalModule_Vtbl = CGlobalModule_Vtbl::new::<RawGlobalNoop>();

    /// A leaked raw global module object (its vtable and value), as a `CGlobalModule`.
    fn raw_global<T: 'static>(vtable: &'static CGlobalModule_Vtbl, value: T) -> Target {
        let object = Box::leak(Box::new(RustObject {
            lpVtbl: std::ptr::from_ref(vtable).cast(),
            value,
        }));
        Target::Global(std::ptr::from_mut(object).cast())
    }

    /// The `noop` module: `on_begin_request` is the trait's default.
    #[derive(Clone)]
    struct Noop;

    impl HttpModule for Noop {}

    /// The `noop` module on the raw bindings.
    struct RawNoop;

    #[allow(non_snake_case)]
    impl CHttpModule_Impl for RawNoop {
        unsafe fn OnBeginRequest(
            _this: *mut RustObject<Self>,
            _pHttpContext: *mut IHttpContext,
            _pProvider: *mut IHttpEventProvider,
        ) -> REQUEST_NOTIFICATION_STATUS {
            RQ_NOTIFICATION_CONTINUE
        }
    }

    static RAW_NOOP_VTABLE: CHttpModule_Vtbl = CHttpModule_Vtbl::new::<RawNoop>();

    /// The same module on the raw bindings (`CHttpModule_Impl`, no framework): a Rust object
    /// C++ calls through the vtable, nothing between the trampoline and the handler. Measures
    /// what the calling convention costs on this host (see BENCHMARKS.md), apart from the
    /// framework.
    struct RawBench {
        typical: bool,
    }

    // The `_Impl` traits use the C++ names of methods and parameters.
    #[allow(non_snake_case)]
    impl CHttpModule_Impl for RawBench {
        unsafe fn OnBeginRequest(
            this: *mut RustObject<Self>,
            pHttpContext: *mut IHttpContext,
            _pProvider: *mut IHttpEventProvider,
        ) -> REQUEST_NOTIFICATION_STATUS {
            // SAFETY: `this` is the live object; the host passes a live context.
            let (module, ctx) = unsafe { (&(*this).value, &*pHttpContext) };
            if !module.typical {
                return RQ_NOTIFICATION_CONTINUE;
            }
            let host = ctx.get_request().get_header(c"Host");
            let _response = ctx.get_response();
            if host.is_some() {
                RQ_NOTIFICATION_CONTINUE
            } else {
                RQ_NOTIFICATION_FINISH_REQUEST
            }
        }
    }

    static RAW_VTABLE: CHttpModule_Vtbl = CHttpModule_Vtbl::new::<RawBench>();

    /// A leaked `RawBench` object, as a `CHttpModule`.
    fn raw_module(typical: bool) -> *mut CHttpModule {
        let object = Box::leak(Box::new(RustObject {
            lpVtbl: std::ptr::from_ref(&RAW_VTABLE).cast(),
            value: RawBench { typical },
        }));
        std::ptr::from_mut(object).cast()
    }

    #[httpserv_macros::abi(winapi)]
    unsafe extern "system" fn register_noop(
        version: u32,
        info: *mut IHttpModuleRegistrationInfo,
        server: *mut IHttpServer,
    ) -> HRESULT {
        // SAFETY: the host's arguments.
        unsafe {
            httpserv::module::register(version, info, server, || {
                Registration::new().module(Noop).request(RQ_BEGIN_REQUEST)
            })
        }
    }

    unsafe fn register_global_module<G: GlobalModule>(
        version: u32,
        info: *mut IHttpModuleRegistrationInfo,
        server: *mut IHttpServer,
        global: G,
    ) -> HRESULT {
        // SAFETY: the host's arguments.
        unsafe {
            httpserv::module::register(version, info, server, move || {
                Registration::new()
                    .global(global)
                    .global_notifications(GL_PRE_BEGIN_REQUEST)
            })
        }
    }

    #[httpserv_macros::abi(winapi)]
    unsafe extern "system" fn register_global_empty(
        version: u32,
        info: *mut IHttpModuleRegistrationInfo,
        server: *mut IHttpServer,
    ) -> HRESULT {
        unsafe { register_global_module(version, info, server, GlobalBench { typical: false }) }
    }

    #[httpserv_macros::abi(winapi)]
    unsafe extern "system" fn register_global_typical(
        version: u32,
        info: *mut IHttpModuleRegistrationInfo,
        server: *mut IHttpServer,
    ) -> HRESULT {
        unsafe { register_global_module(version, info, server, GlobalBench { typical: true }) }
    }

    #[httpserv_macros::abi(winapi)]
    unsafe extern "system" fn register_global_noop(
        version: u32,
        info: *mut IHttpModuleRegistrationInfo,
        server: *mut IHttpServer,
    ) -> HRESULT {
        unsafe { register_global_module(version, info, server, GlobalNoop) }
    }

    unsafe fn register(
        version: u32,
        info: *mut IHttpModuleRegistrationInfo,
        server: *mut IHttpServer,
        typical: bool,
    ) -> HRESULT {
        // SAFETY: the host's arguments.
        unsafe {
            httpserv::module::register(version, info, server, move || {
                Registration::new()
                    .module(Bench { typical })
                    .request(RQ_BEGIN_REQUEST)
            })
        }
    }

    #[httpserv_macros::abi(winapi)]
    unsafe extern "system" fn register_empty(
        version: u32,
        info: *mut IHttpModuleRegistrationInfo,
        server: *mut IHttpServer,
    ) -> HRESULT {
        unsafe { register(version, info, server, false) }
    }

    #[httpserv_macros::abi(winapi)]
    unsafe extern "system" fn register_typical(
        version: u32,
        info: *mut IHttpModuleRegistrationInfo,
        server: *mut IHttpServer,
    ) -> HRESULT {
        unsafe { register(version, info, server, true) }
    }

    /// Time of `calls` deliveries to `module`, in seconds.
    unsafe fn time(module: Target, ctx: *mut Context, calls: u64) -> f64 {
        let start = Instant::now();
        let continued = unsafe { module.deliver(ctx, calls) };
        let elapsed = start.elapsed().as_secs_f64();
        assert_eq!(continued, calls);
        elapsed
    }

    /// Each Rust module against the C++ module of the same work, in alternating rounds (the
    /// order swapped every round), so that the machine's drift between criterion's separate
    /// benchmarks does not count: quartiles of the per-round time ratios.
    unsafe fn paired(modules: &[Module], ctx: *mut Context) {
        const CALLS: u64 = 100_000;
        const ROUNDS: usize = 101;
        println!(
            "\npaired time ratio against the C++ module (alternating rounds of {CALLS} calls):"
        );
        println!("lower quartile, median, upper quartile; median ns per notification");
        let mut global_heading = false;
        for &(work, language, module) in modules.iter().filter(|m| m.1 != "c++") {
            if module.is_global() && !global_heading {
                global_heading = true;
                println!("global notification (OnGlobalPreBeginRequest):");
            }
            let cpp = modules
                .iter()
                .find(|m| m.0 == work && m.1 == "c++" && m.2.is_global() == module.is_global())
                .expect("a C++ module for each work")
                .2;
            let mut ratios = Vec::with_capacity(ROUNDS);
            let mut per_call = Vec::with_capacity(ROUNDS);
            for round in 0..ROUNDS {
                let (rust, cxx) = unsafe {
                    if round % 2 == 0 {
                        let rust = time(module, ctx, CALLS);
                        (rust, time(cpp, ctx, CALLS))
                    } else {
                        let cxx = time(cpp, ctx, CALLS);
                        (time(module, ctx, CALLS), cxx)
                    }
                };
                ratios.push(rust / cxx);
                per_call.push((rust * 1e9 / CALLS as f64, cxx * 1e9 / CALLS as f64));
            }
            ratios.sort_by(f64::total_cmp);
            per_call.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (rust_ns, _) = per_call[ROUNDS / 2];
            per_call.sort_by(|a, b| a.1.total_cmp(&b.1));
            let (_, cxx_ns) = per_call[ROUNDS / 2];
            println!(
                "{work:<8} {language:<9} {:.3}  {:.3}  {:.3}   {rust_ns:.1} ns vs {cxx_ns:.1} ns",
                ratios[ROUNDS / 4],
                ratios[ROUNDS / 2],
                ratios[3 * ROUNDS / 4]
            );
        }
    }

    pub fn dispatch(c: &mut Criterion) {
        // Links the host's C++ archive (bundled in httpserv-host-tests) into this binary.
        let _ = httpserv_host_tests::host::live_allocations();
        unsafe {
            let server = host_server_new();
            // Registration order = module index.
            let entries = [
                ("empty", "rust", Some(register_empty as _)),
                ("typical", "rust", Some(register_typical as _)),
                ("noop", "rust", Some(register_noop as _)),
                ("empty", "c++", host_bench_cpp_module(0)),
                ("typical", "c++", host_bench_cpp_module(1)),
                ("noop", "c++", host_bench_cpp_module(2)),
            ];
            // Global modules, registered after the request modules.
            let globals = [
                ("empty", "rust", Some(register_global_empty as _)),
                ("typical", "rust", Some(register_global_typical as _)),
                ("noop", "rust", Some(register_global_noop as _)),
                ("empty", "c++", host_bench_cpp_global_module(0)),
                ("typical", "c++", host_bench_cpp_global_module(1)),
                ("noop", "c++", host_bench_cpp_global_module(2)),
            ];
            for (work, language, entry) in entries {
                let name: Vec<u16> = format!("{language}-{work}")
                    .encode_utf16()
                    .chain([0])
                    .collect();
                assert_eq!(host_server_register(server, name.as_ptr(), entry, 10), 0);
            }
            for (work, language, entry) in globals {
                let name: Vec<u16> = format!("{language}-global-{work}")
                    .encode_utf16()
                    .chain([0])
                    .collect();
                assert_eq!(host_server_register(server, name.as_ptr(), entry, 10), 0);
            }
            let raw = b"GET /bench HTTP/1.1\r\nHost: example.com\r\n\r\n";
            let ctx = host_bench_context_new(server, raw.as_ptr(), raw.len());
            assert!(!ctx.is_null(), "request parsed");
            let mut modules: Vec<Module> = Vec::new();
            for (index, (work, language, _)) in entries.into_iter().enumerate() {
                let module = host_bench_module(server, index, ctx);
                assert!(!module.is_null(), "GetHttpModule of {language}-{work}");
                modules.push((work, language, Target::Request(module)));
            }
            modules.push(("empty", "rust-raw", Target::Request(raw_module(false))));
            modules.push(("typical", "rust-raw", Target::Request(raw_module(true))));
            let noop = Box::leak(Box::new(RustObject {
                lpVtbl: std::ptr::from_ref(&RAW_NOOP_VTABLE).cast(),
                value: RawNoop,
            }));
            modules.push((
                "noop",
                "rust-raw",
                Target::Request(std::ptr::from_mut(noop).cast()),
            ));
            for (index, (work, language, _)) in globals.into_iter().enumerate() {
                let global = host_bench_global_module(server, entries.len() + index);
                assert!(
                    !global.is_null(),
                    "global module of {language}-global-{work}"
                );
                modules.push((work, language, Target::Global(global)));
            }
            let raw_bench = |typical| RawGlobalBench { typical };
            modules.push((
                "empty",
                "rust-raw",
                raw_global(&RAW_GLOBAL_VTABLE, raw_bench(false)),
            ));
            modules.push((
                "typical",
                "rust-raw",
                raw_global(&RAW_GLOBAL_VTABLE, raw_bench(true)),
            ));
            modules.push((
                "noop",
                "rust-raw",
                raw_global(&RAW_GLOBAL_NOOP_VTABLE, RawGlobalNoop),
            ));
            for &(work, language, module) in &modules {
                assert_eq!(
                    module.deliver(ctx, 1),
                    1,
                    "{}",
                    name(work, language, module)
                );
            }
            if let Some(profile) = std::env::var_os("HTTPSERV_DISPATCH_PROFILE") {
                profile_only(&modules, ctx, &profile.to_string_lossy());
            } else {
                run_criterion(c, &modules, ctx);
            }
            for (_, language, module) in modules {
                if let (Target::Request(module), false) = (module, language == "rust-raw") {
                    host_bench_module_dispose(module);
                }
            }
            host_bench_context_free(ctx);
            host_server_shutdown(server, std::ptr::null_mut());
        }
    }

    /// The name of a benchmark for `HTTPSERV_DISPATCH_PROFILE`: `LANGUAGE-WORK` for the request
    /// notification, `LANGUAGE-global-WORK` for the global one.
    fn name(work: &str, language: &str, module: Target) -> String {
        match module {
            Target::Request(_) => format!("{language}-{work}"),
            Target::Global(_) => format!("{language}-global-{work}"),
        }
    }

    /// `HTTPSERV_DISPATCH_PROFILE=LANGUAGE-WORK:CALLS` (e.g. `rust-empty:1000000`,
    /// `rust-global-empty:1000000`): only `CALLS` deliveries to that module, no criterion, for
    /// instruction counts under `valgrind --tool=callgrind --toggle-collect=host_bench_dispatch`
    /// (`host_bench_global_dispatch` for a global module; Ir / CALLS = instructions per
    /// notification, the host's loop included).
    unsafe fn profile_only(modules: &[Module], ctx: *mut Context, spec: &str) {
        let (name, calls) = spec.split_once(':').unwrap_or((spec, "1000000"));
        let calls: u64 = calls
            .parse()
            .expect("HTTPSERV_DISPATCH_PROFILE=LANGUAGE-WORK:CALLS");
        let &(_, _, module) = modules
            .iter()
            .find(|m| self::name(m.0, m.1, m.2) == name)
            .expect(
                "a module named LANGUAGE-WORK or LANGUAGE-global-WORK, e.g. rust-empty, \
                 c++-typical, rust-raw-global-empty",
            );
        let seconds = unsafe { time(module, ctx, calls) };
        println!(
            "{name}: {calls} notifications, {:.2} ns each",
            seconds * 1e9 / calls as f64
        );
    }

    unsafe fn run_criterion(c: &mut Criterion, modules: &[Module], ctx: *mut Context) {
        unsafe {
            let bench_mode = std::env::args().any(|a| a == "--bench");
            for (prefix, global) in [("dispatch", false), ("global", true)] {
                for work in ["empty", "typical", "noop"] {
                    let mut group = c.benchmark_group(format!("{prefix}_{work}"));
                    let selected = modules
                        .iter()
                        .filter(|m| m.0 == work && m.2.is_global() == global);
                    for &(_, language, module) in selected {
                        group.bench_function(language, |b| {
                            b.iter_custom(|iters| -> Duration {
                                let start = Instant::now();
                                let continued = module.deliver(ctx, iters);
                                let elapsed = start.elapsed();
                                assert_eq!(continued, iters);
                                elapsed
                            })
                        });
                    }
                    group.finish();
                }
            }
            if bench_mode {
                paired(modules, ctx);
            }
        }
    }
}

#[cfg(all(target_arch = "x86_64", not(windows)))]
fn dispatch(c: &mut Criterion) {
    host::dispatch(c)
}

#[cfg(not(all(target_arch = "x86_64", not(windows))))]
fn dispatch(_: &mut Criterion) {
    eprintln!("dispatch: the MSVC-ABI host (tests/host) runs on x86_64 outside Windows only");
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
