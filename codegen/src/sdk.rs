//! Finding `httpserv.h` in an installed Windows SDK (`--sdk latest` / `--sdk 10.0.26100.0`).
//!
//! A Windows SDK installs under a "kits root", normally `C:\Program Files (x86)\Windows Kits\10`,
//! with one folder per version: `Include\<version>\um\httpserv.h`, plus the `um` and `shared`
//! folders that hold `windows.h`, `http.h` and the rest. The kits root comes from, in order:
//!
//! 1. the `WindowsSdkDir` environment variable (set by the Visual Studio developer prompt);
//! 2. the registry value `KitsRoot10` under
//!    `HKLM\SOFTWARE\Microsoft\Windows Kits\Installed Roots` (Windows only);
//! 3. the standard path under `%ProgramFiles(x86)%` (Windows only).
//!
//! The search itself ([`find_header`]) is a pure function over a list of roots, so it is
//! tested on Linux with a fake tree. On other systems only `WindowsSdkDir` is consulted (a copy
//! of an SDK on a Linux machine); without it `--sdk` says to use `--header` instead.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

/// Which SDK version `--sdk` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkVersion {
    /// The highest installed version that has `um\httpserv.h`.
    Latest,
    /// Exactly this version folder, e.g. `10.0.26100.0`.
    Exact(String),
}

impl SdkVersion {
    /// `latest` or a version such as `10.0.26100.0` (four dot-separated numbers).
    pub fn parse(text: &str) -> Result<SdkVersion, String> {
        if text.eq_ignore_ascii_case("latest") {
            return Ok(SdkVersion::Latest);
        }
        if version_key(text).is_some() {
            Ok(SdkVersion::Exact(text.to_string()))
        } else {
            Err(format!(
                "`{text}` is not an SDK version: use `latest` or a version folder name such as \
                 `10.0.26100.0`"
            ))
        }
    }
}

impl fmt::Display for SdkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkVersion::Latest => f.write_str("latest"),
            SdkVersion::Exact(v) => f.write_str(v),
        }
    }
}

/// Where a kits root came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitsRoot {
    pub path: PathBuf,
    pub origin: &'static str,
}

/// What `--sdk` found: the header, its include folders and the version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkHeader {
    pub version: String,
    pub header: PathBuf,
    /// `Include\<version>\um`, `...\shared` (and `...\ucrt` when present), to put before the
    /// bundled shims.
    pub include_dirs: Vec<PathBuf>,
}

/// Why no header was found; the message lists what was looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkError(pub String);

impl fmt::Display for SdkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kits roots to search, from the environment lookup `env`, the registry's `KitsRoot10`
/// (when read) and, on Windows, the standard install path. Duplicates are dropped.
pub fn candidate_roots(
    env: &dyn Fn(&str) -> Option<OsString>,
    registry_kits_root: Option<PathBuf>,
    windows: bool,
) -> Vec<KitsRoot> {
    let mut roots: Vec<KitsRoot> = Vec::new();
    let mut push = |path: PathBuf, origin: &'static str| {
        if !path.as_os_str().is_empty() && !roots.iter().any(|r| r.path == path) {
            roots.push(KitsRoot { path, origin });
        }
    };
    if let Some(dir) = env("WindowsSdkDir") {
        push(PathBuf::from(dir), "environment variable WindowsSdkDir");
    }
    if let Some(dir) = registry_kits_root {
        push(
            dir,
            r"registry HKLM\SOFTWARE\Microsoft\Windows Kits\Installed Roots\KitsRoot10",
        );
    }
    if windows {
        let program_files = env("ProgramFiles(x86)")
            .or_else(|| env("ProgramFiles"))
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(r"C:\Program Files (x86)"));
        push(
            program_files.join("Windows Kits").join("10"),
            "the standard install path",
        );
    }
    roots
}

/// Numeric sort key of a version folder name (`10.0.26100.0` → `[10, 0, 26100, 0]`); `None`
/// for anything else (`wdf`, `10.0.x`).
pub fn version_key(name: &str) -> Option<Vec<u64>> {
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    parts
        .iter()
        .map(|p| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                p.parse().ok()
            }
        })
        .collect()
}

/// The SDK versions under a kits root that have `um/httpserv.h`, lowest first.
pub fn versions_with_header(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join("Include")) else {
        return Vec::new();
    };
    let mut versions: Vec<(Vec<u64>, String)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|name| version_key(&name).map(|key| (key, name)))
        .filter(|(_, name)| header_path(root, name).is_file())
        .collect();
    versions.sort();
    versions.into_iter().map(|(_, name)| name).collect()
}

fn header_path(root: &Path, version: &str) -> PathBuf {
    root.join("Include")
        .join(version)
        .join("um")
        .join("httpserv.h")
}

/// Searches the roots in order and returns the first root's match: the highest version for
/// `latest`, the named one otherwise.
pub fn find_header(roots: &[KitsRoot], wanted: &SdkVersion) -> Result<SdkHeader, SdkError> {
    if roots.is_empty() {
        return Err(SdkError(no_roots_message()));
    }
    let mut looked = Vec::new();
    for root in roots {
        let versions = versions_with_header(&root.path);
        let chosen = match wanted {
            SdkVersion::Latest => versions.last().cloned(),
            SdkVersion::Exact(v) => versions.iter().find(|found| *found == v).cloned(),
        };
        if let Some(version) = chosen {
            let include = root.path.join("Include").join(&version);
            let mut include_dirs = vec![include.join("um"), include.join("shared")];
            // The Universal CRT headers that the real windows.h pulls in, where installed.
            if include.join("ucrt").is_dir() {
                include_dirs.push(include.join("ucrt"));
            }
            return Ok(SdkHeader {
                header: header_path(&root.path, &version),
                include_dirs,
                version,
            });
        }
        let found = if versions.is_empty() {
            "no version with um/httpserv.h".to_string()
        } else {
            format!("versions with um/httpserv.h: {}", versions.join(", "))
        };
        looked.push(format!(
            "  {} (from {}): {found}",
            root.path.display(),
            root.origin
        ));
    }
    Err(SdkError(format!(
        "Windows SDK {}: no Include/<version>/um/httpserv.h found; looked in:\n{}\nhint: install \
         the Windows SDK, set WindowsSdkDir to its kits root (the folder holding `Include`), or \
         pass the header with --header FILE",
        match wanted {
            SdkVersion::Latest => "(latest)".to_string(),
            SdkVersion::Exact(v) => format!("version {v}"),
        },
        looked.join("\n")
    )))
}

fn no_roots_message() -> String {
    if cfg!(windows) {
        "no Windows SDK found: WindowsSdkDir is not set and the registry names no KitsRoot10; \
         install the Windows SDK or pass the header with --header FILE"
            .to_string()
    } else {
        "--sdk finds an installed Windows SDK, which exists only on Windows (or wherever \
         WindowsSdkDir points at a copy of one, the folder holding `Include`); here use \
         --header /path/to/httpserv.h, and -I with mingw-w64's headers \
         (e.g. -I /usr/share/mingw-w64/include) to parse it against real windows.h/http.h \
         instead of the bundled shims"
            .to_string()
    }
}

/// The registry's `KitsRoot10` (64-bit view first, then the 32-bit one).
#[cfg(windows)]
pub fn registry_kits_root() -> Option<PathBuf> {
    [
        r"SOFTWARE\Microsoft\Windows Kits\Installed Roots",
        r"SOFTWARE\WOW6432Node\Microsoft\Windows Kits\Installed Roots",
    ]
    .iter()
    .find_map(|key| {
        windows_registry::LOCAL_MACHINE
            .open(key)
            .and_then(|k| k.get_string("KitsRoot10"))
            .ok()
    })
    .map(PathBuf::from)
}

/// The registry exists only on Windows.
#[cfg(not(windows))]
pub fn registry_kits_root() -> Option<PathBuf> {
    None
}

/// `--sdk` for this machine: the process environment, the registry, the standard path.
pub fn discover(wanted: &SdkVersion) -> Result<SdkHeader, SdkError> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let roots = candidate_roots(&env, registry_kits_root(), cfg!(windows));
    find_header(&roots, wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_kits(versions: &[&str], with_header: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("Windows Kits/10");
        for v in versions {
            let include = root.join("Include").join(v);
            std::fs::create_dir_all(include.join("um")).unwrap();
            std::fs::create_dir_all(include.join("shared")).unwrap();
            if with_header.contains(v) {
                std::fs::write(include.join("um/httpserv.h"), format!("// {v}\n")).unwrap();
            }
        }
        // Noise that is not a version folder.
        std::fs::create_dir_all(root.join("Include/wdf/um")).unwrap();
        dir
    }

    fn roots_of(dir: &tempfile::TempDir) -> Vec<KitsRoot> {
        vec![KitsRoot {
            path: dir.path().join("Windows Kits/10"),
            origin: "test",
        }]
    }

    #[test]
    fn latest_is_the_highest_version_numerically_that_has_the_header() {
        // 10.0.9 < 10.0.19041 < 10.0.26100 numerically (not as text); 10.0.99999 lacks the header.
        let all = ["10.0.9.0", "10.0.19041.0", "10.0.26100.0", "10.0.99999.0"];
        let dir = fake_kits(&all, &all[..3]);
        let found = find_header(&roots_of(&dir), &SdkVersion::Latest).unwrap();
        assert_eq!(found.version, "10.0.26100.0");
        let include = dir.path().join("Windows Kits/10/Include/10.0.26100.0");
        assert_eq!(found.header, include.join("um/httpserv.h"));
        assert_eq!(
            found.include_dirs,
            [include.join("um"), include.join("shared")]
        );
    }

    #[test]
    fn exact_version_is_taken_even_when_not_the_latest() {
        let all = ["10.0.19041.0", "10.0.26100.0"];
        let dir = fake_kits(&all, &all);
        let wanted = SdkVersion::parse("10.0.19041.0").unwrap();
        let found = find_header(&roots_of(&dir), &wanted).unwrap();
        assert_eq!(found.version, "10.0.19041.0");
        assert!(found.header.ends_with("Include/10.0.19041.0/um/httpserv.h"));
    }

    #[test]
    fn missing_version_lists_what_exists() {
        let all = ["10.0.19041.0", "10.0.26100.0"];
        let dir = fake_kits(&all, &all);
        let wanted = SdkVersion::Exact("10.0.22621.0".into());
        let err = find_header(&roots_of(&dir), &wanted).unwrap_err().0;
        assert!(err.contains("version 10.0.22621.0"), "{err}");
        assert!(err.contains("10.0.19041.0, 10.0.26100.0"), "{err}");
        assert!(err.contains("--header"), "{err}");
    }

    #[test]
    fn empty_or_absent_root_is_a_clear_error() {
        let dir = fake_kits(&["10.0.26100.0"], &[]);
        let err = find_header(&roots_of(&dir), &SdkVersion::Latest)
            .unwrap_err()
            .0;
        assert!(err.contains("no version with um/httpserv.h"), "{err}");
        let none = find_header(&[], &SdkVersion::Latest).unwrap_err().0;
        assert!(none.contains("--header"), "{none}");
    }

    #[test]
    fn first_root_with_a_match_wins_and_later_roots_are_fallbacks() {
        let empty = fake_kits(&[], &[]);
        let full = fake_kits(&["10.0.22621.0"], &["10.0.22621.0"]);
        let roots = [roots_of(&empty), roots_of(&full)].concat();
        let found = find_header(&roots, &SdkVersion::Latest).unwrap();
        assert_eq!(found.version, "10.0.22621.0");
    }

    #[test]
    fn roots_come_from_env_then_registry_then_standard_path() {
        let env = |name: &str| match name {
            "WindowsSdkDir" => Some(OsString::from(r"D:\Kits\10\")),
            "ProgramFiles(x86)" => Some(OsString::from(r"E:\PF86")),
            _ => None,
        };
        let roots = candidate_roots(&env, Some(PathBuf::from(r"C:\Kits\10\")), true);
        let paths: Vec<&Path> = roots.iter().map(|r| r.path.as_path()).collect();
        assert_eq!(paths.len(), 3);
        assert_eq!(paths[0], Path::new(r"D:\Kits\10\"));
        assert_eq!(paths[1], Path::new(r"C:\Kits\10\"));
        assert!(roots[2].origin.contains("standard"));
        // Not on Windows: only the environment variable.
        let linux = candidate_roots(&|_| None, None, false);
        assert!(linux.is_empty());
        // The same folder twice is searched once.
        let same = |_: &str| Some(OsString::from("/kits"));
        assert_eq!(
            candidate_roots(&same, Some(PathBuf::from("/kits")), false).len(),
            1
        );
    }

    #[test]
    fn version_argument_is_validated() {
        assert_eq!(SdkVersion::parse("latest"), Ok(SdkVersion::Latest));
        assert_eq!(
            SdkVersion::parse("10.0.26100.0"),
            Ok(SdkVersion::Exact("10.0.26100.0".into()))
        );
        assert!(SdkVersion::parse("10.0.26100").is_err());
        assert!(SdkVersion::parse("../../etc").is_err());
        assert_eq!(version_key("10.0.26100.0"), Some(vec![10, 0, 26100, 0]));
    }
}
