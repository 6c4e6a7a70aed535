//! End-to-end tests of httpserv-rs on the real Microsoft C++ ABI.
//!
//! `cpp/` is a mock IIS written for this project against the bundled `codegen/sdk/httpserv.h`;
//! `build/main.rs` compiles it with `clang++ -target x86_64-pc-windows-msvc-elf` (MSVC vtables,
//! mangling and the Win64 calling convention in ELF objects) and links it into the test
//! binaries, where the published bindings already use `extern "win64"` (see httpserv-macros).
//! Nothing here exists on other targets.

#[cfg(mock_iis)]
pub mod dylib;
#[cfg(mock_iis)]
pub mod host;
#[cfg(mock_iis)]
pub mod module;
#[cfg(mock_iis)]
pub mod sweep;
