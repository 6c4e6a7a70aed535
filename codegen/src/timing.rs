//! `--time-stages`: the wall-clock time of each pipeline stage, for `benches/regen.sh` and for
//! finding the slow stage. Off by default; when off, [`stage`] only calls its closure.
//!
//! Stages are recorded in the order they finish, under fixed names (`parse: libclang`,
//! `emit`...); a stage that runs twice (e.g. `diff` parses two headers) is summed. Stages of
//! the second thread (`thread 2: ...`, see `parallel.rs`) run beside the others, so they are
//! left out of the `(stages)` sum, which stays comparable with `(main)`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

static ENABLED: AtomicBool = AtomicBool::new(false);
static STAGES: Mutex<Vec<(&'static str, Duration)>> = Mutex::new(Vec::new());

/// The prefix of the names of stages that run beside the first thread's.
pub const SECOND_THREAD: &str = "thread 2: ";

/// Turns recording on for the rest of the process.
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Runs `f` and, when recording is on, adds its wall time to the stage `name`.
pub fn stage<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    let started = start();
    let result = f();
    record(name, started);
    result
}

/// The start of a stage that is not one closure: pass the value to [`record`] at its end.
/// `None` when recording is off.
pub fn start() -> Option<Instant> {
    ENABLED.load(Ordering::Relaxed).then(Instant::now)
}

/// Adds the time since `started` (from [`start`]) to the stage `name`.
pub fn record(name: &'static str, started: Option<Instant>) {
    let Some(started) = started else { return };
    let elapsed = started.elapsed();
    let mut stages = STAGES.lock().unwrap_or_else(|p| p.into_inner());
    match stages.iter_mut().find(|(n, _)| *n == name) {
        Some((_, total)) => *total += elapsed,
        None => stages.push((name, elapsed)),
    }
}

/// The recorded stages: `name` and milliseconds, one per line, then the sum of the stages and
/// `total` (the caller's measure of the whole run, e.g. since `main` started).
pub fn report(total: Duration) -> String {
    use std::fmt::Write;
    let stages = STAGES.lock().unwrap_or_else(|p| p.into_inner());
    let sum: Duration = stages
        .iter()
        .filter(|(name, _)| !name.starts_with(SECOND_THREAD))
        .map(|(_, t)| *t)
        .sum();
    let lines = stages
        .iter()
        .copied()
        .chain([("(stages)", sum), ("(main)", total)]);
    let mut out = String::new();
    for (name, time) in lines {
        let ms = time.as_secs_f64() * 1000.0;
        let _ = writeln!(out, "time: {name:<22} {ms:8.2} ms");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_by_default_calls_through() {
        // Recording is process-wide; this test only checks the closure's value passes through.
        assert_eq!(stage("test: passthrough", || 41 + 1), 42);
    }
}
