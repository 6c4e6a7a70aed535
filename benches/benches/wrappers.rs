//! Wrapper cost (issue 7, item 3): each typical IIS call through the safe wrapper and through
//! the raw vtable field, on fake objects (`httpserv_benches::Fakes`), in the same run.
//!
//! `cargo bench -p httpserv-benches --bench wrappers`; the ratio wrapper/raw per method is in
//! BENCHMARKS.md. The probes are `#[inline(never)]` functions (the same ones the assembly check
//! compares), called with `black_box`ed arguments, so each iteration is one real indirect call.

use std::hint::black_box;
use std::ptr;

use criterion::{Criterion, criterion_group, criterion_main};
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

criterion_group!(benches, wrappers);
criterion_main!(benches);
