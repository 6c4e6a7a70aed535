//! Wrapper cost (issue 7, item 3): each typical IIS call through the safe wrapper and through
//! the raw vtable field, on fake objects (`httpserv_benches::Fakes`), in the same run.
//!
//! `cargo bench -p httpserv-benches --bench wrappers`; the ratio wrapper/raw per method is in
//! BENCHMARKS.md. The probes are `#[inline(never)]` functions (the same ones the assembly check
//! compares), called with `black_box`ed arguments, so each iteration is one real indirect call.
//! After criterion's benchmarks, a paired measurement (wrapper and raw in alternating rounds)
//! prints the ratio with its quartiles: calls of ~4 ns drift more between two criterion
//! benchmarks on a shared machine than the wrappers cost.

use std::hint::black_box;
use std::ptr;
use std::time::Instant;

use criterion::{Criterion, criterion_group};
use httpserv::IHttpContext;
use httpserv_benches::*;

fn wrappers(c: &mut Criterion) {
    let fakes = Fakes::new();
    let context: &IHttpContext = fakes.context;

    let mut group = c.benchmark_group("get_response");
    group.bench_function("wrapper", |b| {
        b.iter(|| wrapper_get_response(black_box(context)))
    });
    group.bench_function("raw", |b| {
        b.iter(|| unsafe { raw_get_response(black_box(context)) })
    });
    group.finish();

    let mut group = c.benchmark_group("get_header");
    group.bench_function("wrapper", |b| {
        b.iter(|| wrapper_get_header(black_box(fakes.request), black_box(c"Host")))
    });
    group.bench_function("raw", |b| {
        b.iter(|| unsafe { raw_get_header(black_box(fakes.request), black_box(c"Host")) })
    });
    group.finish();

    let mut group = c.benchmark_group("set_header");
    group.bench_function("wrapper", |b| {
        b.iter(|| {
            wrapper_set_header(
                black_box(fakes.response),
                black_box(c"X-Id"),
                black_box(b"42"),
                black_box(true),
            )
        })
    });
    group.bench_function("raw", |b| {
        b.iter(|| unsafe {
            raw_set_header(
                black_box(fakes.response),
                black_box(c"X-Id"),
                black_box(b"42"),
                black_box(1),
            )
        })
    });
    group.finish();

    let mut group = c.benchmark_group("post_completion");
    group.bench_function("wrapper", |b| {
        b.iter(|| unsafe {
            wrapper_post_completion(
                black_box(fakes.context),
                black_box(0),
                black_box(None),
                black_box(ptr::null_mut()),
            )
        })
    });
    group.bench_function("raw", |b| {
        b.iter(|| unsafe {
            raw_post_completion(
                black_box(fakes.context),
                black_box(0),
                black_box(None),
                black_box(ptr::null_mut()),
            )
        })
    });
    group.finish();
}

/// Wrapper/raw time ratio measured in alternating rounds (`ROUNDS` rounds of `CALLS` calls of
/// each, the order swapped every round), so that drift of the machine between criterion's two
/// benchmarks does not show as a difference: quartiles of the per-round ratios.
fn paired_ratio(mut wrapper: impl FnMut(), mut raw: impl FnMut()) -> [f64; 3] {
    const CALLS: u32 = 20_000;
    const ROUNDS: usize = 201;
    fn time(f: &mut impl FnMut()) -> f64 {
        let start = Instant::now();
        for _ in 0..CALLS {
            f();
        }
        start.elapsed().as_secs_f64()
    }
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            let (w, r) = if round % 2 == 0 {
                let w = time(&mut wrapper);
                (w, time(&mut raw))
            } else {
                let r = time(&mut raw);
                (time(&mut wrapper), r)
            };
            w / r
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    [
        ratios[ROUNDS / 4],
        ratios[ROUNDS / 2],
        ratios[3 * ROUNDS / 4],
    ]
}

fn paired() {
    let fakes = Fakes::new();
    let context: &IHttpContext = fakes.context;
    let rows = [
        (
            "get_response",
            paired_ratio(
                || {
                    black_box(wrapper_get_response(black_box(context)));
                },
                || {
                    black_box(unsafe { raw_get_response(black_box(context)) });
                },
            ),
        ),
        (
            "get_header",
            paired_ratio(
                || {
                    black_box(wrapper_get_header(
                        black_box(fakes.request),
                        black_box(c"Host"),
                    ));
                },
                || {
                    black_box(unsafe {
                        raw_get_header(black_box(fakes.request), black_box(c"Host"))
                    });
                },
            ),
        ),
        (
            "set_header",
            paired_ratio(
                || {
                    let _ = black_box(wrapper_set_header(
                        black_box(fakes.response),
                        black_box(c"X-Id"),
                        black_box(b"42"),
                        black_box(true),
                    ));
                },
                || {
                    black_box(unsafe {
                        raw_set_header(
                            black_box(fakes.response),
                            black_box(c"X-Id"),
                            black_box(b"42"),
                            black_box(1),
                        )
                    });
                },
            ),
        ),
        (
            "post_completion",
            paired_ratio(
                || {
                    let _ = black_box(unsafe {
                        wrapper_post_completion(
                            black_box(fakes.context),
                            black_box(0),
                            black_box(None),
                            black_box(ptr::null_mut()),
                        )
                    });
                },
                || {
                    black_box(unsafe {
                        raw_post_completion(
                            black_box(fakes.context),
                            black_box(0),
                            black_box(None),
                            black_box(ptr::null_mut()),
                        )
                    });
                },
            ),
        ),
    ];
    println!("\npaired wrapper/raw time ratio (alternating rounds): lower quartile, median, upper");
    for (name, [low, median, high]) in rows {
        println!("{name:<16} {low:.3}  {median:.3}  {high:.3}");
    }
}

criterion_group!(benches, wrappers);

fn main() {
    benches();
    // Only under `cargo bench` (criterion's own `--bench`), not when tests run the target.
    if std::env::args().any(|a| a == "--bench") {
        paired();
    }
    Criterion::default().configure_from_args().final_summary();
}
