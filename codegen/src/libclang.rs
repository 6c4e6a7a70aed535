//! Finding libclang quickly, and letting it parse on the main thread.
//!
//! `clang-sys` (loaded at run time) looks for libclang on every `Clang::new()` unless
//! `LIBCLANG_PATH` is set: it runs `llvm-config --prefix` and expands glob patterns such as
//! `/usr/lib*/*/*` over the whole of `/usr/lib`, some 15 000 `stat` calls on a typical Linux
//! machine, which cost more than libclang's parse of the header. When `LIBCLANG_PATH` is set
//! it only looks at that path (a file, or a folder holding one).
//!
//! [`locate`] does the same choice as `clang-sys`, the highest version by file name (its
//! `parse_version` rule, earlier folder wins a tie), over a fixed list of the folders where
//! package managers and the LLVM installers put libclang, reading each folder once:
//!
//! - `LD_LIBRARY_PATH` (Linux) and the `lib`/`lib64` folders under `/usr` and `/usr/local`,
//!   their multiarch subfolders (`x86_64-linux-gnu`...) and `llvm*/lib` subfolders
//!   (`/usr/lib/llvm-19/lib`, `/usr/lib64/llvm17/lib`, `/usr/local/llvm*/lib`);
//! - macOS: the Command Line Tools, Xcode and Homebrew folders;
//! - Windows: `LLVM\bin` under `Program Files` and Scoop's LLVM.
//!
//! The CLI calls it once at start-up, before any thread exists, and sets `LIBCLANG_PATH` to
//! the file found. When nothing is found there it leaves the variable unset, so `clang-sys`
//! does its full search and reports its own error; a user's `LIBCLANG_PATH` is never changed.

use std::path::{Path, PathBuf};

/// The environment variable `clang-sys` reads first.
pub const LIBCLANG_PATH: &str = "LIBCLANG_PATH";

/// The libclang `clang-sys` would load, found in the usual folders; `None` if it is not there.
pub fn locate() -> Option<PathBuf> {
    best_in(&search_dirs())
}

/// The libclang of the highest version in `dirs`; the earlier folder wins a tie.
fn best_in(dirs: &[PathBuf]) -> Option<PathBuf> {
    let mut best: Option<(Vec<u32>, PathBuf)> = None;
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|name| is_libclang_name(name))
            .collect();
        // read_dir order is the file system's; sort so ties resolve the same way everywhere.
        names.sort();
        for name in names {
            let version = parse_version(&name);
            // Only a file that would win is opened to check it (most would not).
            if best.as_ref().is_some_and(|(v, _)| version <= *v) {
                continue;
            }
            let path = dir.join(&name);
            if is_loadable(&path) {
                best = Some((version, path));
            }
        }
    }
    best.map(|(_, path)| path)
}

/// Sets `LIBCLANG_PATH` to [`locate`]'s answer unless it is already set.
///
/// # Safety
///
/// Changes the process environment: call it while no other thread may read or write it (the
/// CLI calls it first thing in `main`).
pub unsafe fn set_libclang_path() {
    if std::env::var_os(LIBCLANG_PATH).is_some() {
        return;
    }
    if let Some(path) = locate() {
        // SAFETY: the caller guarantees that no other thread uses the environment.
        unsafe { std::env::set_var(LIBCLANG_PATH, path) };
    }
}

/// The environment variable that makes libclang parse on the thread that calls it.
pub const LIBCLANG_NOTHREADS: &str = "LIBCLANG_NOTHREADS";

/// The stack libclang gives the thread it parses on (`clang::DesiredStackSize`).
const PARSE_STACK: u64 = 8 << 20;

/// Sets `LIBCLANG_NOTHREADS` unless it is set, when this thread's stack is as large as the one
/// libclang would parse on.
///
/// Without it libclang parses each header on a thread of its own, with an 8 MiB stack, and
/// waits for it: on an idle machine the other core is asleep and takes about a millisecond to
/// wake, and the new thread's stack faults in page by page (`generate` took 3.9 ms less of
/// 66.7 without that thread, BENCHMARKS.md section 1). libclang's crash recovery runs on both
/// paths. The main thread of a Unix process has the stack limit as its size; elsewhere
/// (Windows: the executable's 1 MiB) libclang keeps its own thread.
///
/// # Safety
///
/// As [`set_libclang_path`]; and libclang must then be called from the main thread only (the
/// CLI parses there, before it starts any thread).
pub unsafe fn parse_on_main_thread() {
    if std::env::var_os(LIBCLANG_NOTHREADS).is_none() && stack_is_enough(main_stack_limit()) {
        // SAFETY: the caller guarantees that no other thread uses the environment.
        unsafe { std::env::set_var(LIBCLANG_NOTHREADS, "1") };
    }
}

/// Whether a main thread whose stack may grow to `limit` bytes (`None`: without limit) can
/// parse in libclang's place.
fn stack_is_enough(limit: Option<u64>) -> bool {
    limit.is_none_or(|bytes| bytes >= PARSE_STACK)
}

/// The main thread's stack limit (`RLIMIT_STACK`); `Some(0)` where it is not known.
fn main_stack_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `getrlimit` only writes the struct it is given.
        if unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut limit) } != 0 {
            return Some(0);
        }
        // `rlim_t` is `u64` on Linux and macOS, not on every Unix.
        #[allow(clippy::unnecessary_cast)]
        let bytes = limit.rlim_cur as u64;
        (limit.rlim_cur != libc::RLIM_INFINITY).then_some(bytes)
    }
    #[cfg(not(unix))]
    Some(0)
}

/// The folders searched, in order of preference.
fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if cfg!(windows) {
        for var in ["ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"] {
            if let Some(root) = std::env::var_os(var) {
                dirs.push(Path::new(&root).join("LLVM").join("bin"));
            }
        }
        dirs.push(PathBuf::from(r"C:\LLVM\bin"));
        if let Some(home) = std::env::var_os("USERPROFILE") {
            dirs.push(Path::new(&home).join(r"scoop\apps\llvm\current\bin"));
        }
    } else if cfg!(target_os = "macos") {
        dirs.extend(
            [
                "/opt/homebrew/opt/llvm/lib",
                "/usr/local/opt/llvm/lib",
                "/Library/Developer/CommandLineTools/usr/lib",
                "/Applications/Xcode.app/Contents/Developer/Toolchains/XcodeDefault.xctoolchain/usr/lib",
            ]
            .map(PathBuf::from),
        );
    } else {
        if let Some(paths) = std::env::var_os("LD_LIBRARY_PATH") {
            dirs.extend(std::env::split_paths(&paths));
        }
        for root in ["/usr/local", "/usr"] {
            let root = Path::new(root);
            // /usr/local/llvm*/lib (LLVM's release tarballs unpacked there).
            dirs.extend(subdirs(root, |n| n.starts_with("llvm")).map(|d| d.join("lib")));
            for lib in ["lib", "lib64"] {
                let lib = root.join(lib);
                // Versioned LLVM folders (Debian/Ubuntu llvm-N, Fedora llvmN) first: that
                // is where the fully versioned file names are.
                dirs.extend(subdirs(&lib, |n| n.starts_with("llvm")).map(|d| d.join("lib")));
                dirs.extend(subdirs(&lib, |n| n.contains("-linux-")));
                dirs.push(lib);
            }
        }
    }
    dirs
}

/// The subfolders of `dir` whose names pass `keep`, sorted by name.
fn subdirs(dir: &Path, keep: impl Fn(&str) -> bool) -> impl Iterator<Item = PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let e = e.ok()?;
            let name = e.file_name().into_string().ok()?;
            keep(&name).then(|| e.path())
        })
        .filter(|p| p.is_dir())
        .collect();
    found.sort();
    found.into_iter()
}

/// The file names `clang-sys` accepts for a run-time loaded libclang on this OS.
fn is_libclang_name(name: &str) -> bool {
    if name.contains("-cpp.") {
        // libclang-cpp (the C++ library) is not libclang.
        return false;
    }
    if cfg!(windows) {
        name.eq_ignore_ascii_case("libclang.dll") || name.eq_ignore_ascii_case("clang.dll")
    } else if cfg!(target_os = "macos") {
        name == "libclang.dylib"
    } else {
        name == "libclang.so"
            || name.starts_with("libclang.so.")
            || (name.starts_with("libclang-") && (name.ends_with(".so") || name.contains(".so.")))
    }
}

/// `clang-sys`'s version of a file name (`libclang-19.1.7.so` → 19.1.7, `libclang.so.1` → 1,
/// unversioned → empty), so both pick the same file.
fn parse_version(filename: &str) -> Vec<u32> {
    let version = if let Some(version) = filename.strip_prefix("libclang.so.") {
        version
    } else if filename.starts_with("libclang-") && filename.len() >= 12 {
        &filename[9..filename.len() - 3]
    } else {
        return vec![];
    };
    version.split('.').map(|s| s.parse().unwrap_or(0)).collect()
}

/// A readable shared library of this process's word size (`clang-sys` rejects the others).
fn is_loadable(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 5];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if file.read_exact(&mut head).is_err() {
        return false;
    }
    if cfg!(windows) || cfg!(target_os = "macos") {
        return true;
    }
    let class = if cfg!(target_pointer_width = "64") {
        2
    } else {
        1
    };
    head[..4] == *b"\x7fELF" && head[4] == class
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_as_clang_sys_reads_them() {
        assert_eq!(parse_version("libclang-19.1.7.so"), [19, 1, 7]);
        assert_eq!(parse_version("libclang.so.1"), [1]);
        assert_eq!(parse_version("libclang-14.so.1"), [14, 0]);
        assert_eq!(parse_version("libclang.so"), Vec::<u32>::new());
        assert!(parse_version("libclang-19.1.7.so") > parse_version("libclang-14.0.6.so"));
    }

    #[test]
    fn parses_on_the_main_thread_only_with_a_stack_as_large_as_libclangs() {
        assert!(stack_is_enough(None));
        assert!(stack_is_enough(Some(8 << 20)));
        assert!(stack_is_enough(Some(64 << 20)));
        assert!(!stack_is_enough(Some((8 << 20) - 4096)));
        assert!(!stack_is_enough(Some(1 << 20)));
        assert!(!stack_is_enough(Some(0)));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn names() {
        for ok in [
            "libclang.so",
            "libclang.so.1",
            "libclang-19.so",
            "libclang-19.so.19",
        ] {
            assert!(is_libclang_name(ok), "{ok}");
        }
        for no in [
            "libclang-cpp.so.19",
            "libclangAST.a",
            "libclang.a",
            "libclang-19.a",
        ] {
            assert!(!is_libclang_name(no), "{no}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn highest_version_wins_then_the_earlier_folder() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let elf64 = b"\x7fELF\x02rest";
        for name in ["libclang.so.1", "libclang-14.0.6.so", "libclang-19.1.7.so"] {
            std::fs::write(a.path().join(name), elf64).unwrap();
        }
        std::fs::write(b.path().join("libclang-19.1.7.so"), elf64).unwrap();
        // Not an ELF file of this word size: skipped, as clang-sys does.
        std::fs::write(b.path().join("libclang-21.so"), b"not a library").unwrap();
        let dirs = [a.path().to_path_buf(), b.path().to_path_buf()];
        assert_eq!(best_in(&dirs), Some(a.path().join("libclang-19.1.7.so")));
        std::fs::write(b.path().join("libclang-20.so"), elf64).unwrap();
        assert_eq!(best_in(&dirs), Some(b.path().join("libclang-20.so")));
        assert_eq!(best_in(&[]), None);
    }
}
