//! Where BFCL's data comes from: a `bfcl-eval` wheel, its unpacked folder,
//! or (no source given) the pinned wheel, fetched on demand into the cache
//! and verified by sha256 — the same pin `scripts/bfcl/fetch-wheel.sh` and
//! `scripts/bfcl/venv.sh` use (`scripts/requirements/bfcl-eval.txt`).

use super::BfclError;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pin, as pip reads it (`--require-hashes`).
pub const REQUIREMENTS: &str = include_str!("../../../scripts/requirements/bfcl-eval.txt");
/// The pinned version of `bfcl-eval`.
pub const PINNED_VERSION: &str = "2026.3.23";
/// The pinned wheel's file name.
pub const PINNED_WHEEL: &str = "bfcl_eval-2026.3.23-py3-none-any.whl";
/// The pinned wheel's sha256 (also in [`REQUIREMENTS`]; a test holds them equal).
pub const PINNED_SHA256: &str = "3bb6dfa5f0c68ad403c9ec50b00db2bb3b4cc9b38ab1ff33f48fe30d853d3a0a";

/// BFCL's data, found and ready to read.
#[derive(Debug, Clone)]
pub struct Source {
    /// The folder holding `BFCL_v*_<category>.json` and `possible_answer/`.
    pub data_dir: PathBuf,
    /// What the user named (or the cached wheel), for messages.
    pub origin: String,
    /// The `bfcl-eval` version from the wheel's METADATA, when there is one.
    pub version: Option<String>,
    /// The wheel's sha256, when the source was a wheel.
    pub sha256: Option<String>,
    /// The licence from the wheel's METADATA, when there is one.
    pub license: Option<String>,
}

/// The cache folder for BFCL: `$PUNIE_CACHE/bfcl` (default `~/.cache/punie-eval/bfcl`).
pub fn cache_dir() -> PathBuf {
    crate::cache::cache_dir().join("bfcl")
}

/// Where the pinned wheel lives once fetched.
pub fn cached_wheel_path() -> PathBuf {
    cache_dir().join(PINNED_WHEEL)
}

/// The pinned wheel if it is already in the cache (verified), without
/// fetching. `Ok(None)`: not there.
pub fn cached_wheel() -> Result<Option<PathBuf>, BfclError> {
    let path = cached_wheel_path();
    if !path.is_file() {
        return Ok(None);
    }
    verify_pinned(&path)?;
    Ok(Some(path))
}

/// Opens a source: a wheel file, an unpacked wheel (or its `bfcl_eval/data`
/// folder), or — `None` — the pinned wheel from the cache, fetched first if
/// it is missing.
pub fn open(source: Option<&Path>) -> Result<Source, BfclError> {
    match source {
        None => {
            let wheel = match cached_wheel()? {
                Some(w) => w,
                None => fetch_pinned()?,
            };
            open_wheel(&wheel)
        }
        Some(p) if p.is_file() => open_wheel(p),
        Some(p) if p.is_dir() => open_folder(p, p.display().to_string(), None),
        Some(p) => Err(BfclError::file(
            p.display().to_string(),
            "no such file or folder",
            "give a bfcl-eval wheel (.whl), its unpacked folder, or no SOURCE to fetch the \
             pinned wheel",
        )),
    }
}

fn open_wheel(wheel: &Path) -> Result<Source, BfclError> {
    let shown = wheel.display().to_string();
    if wheel.extension().and_then(|e| e.to_str()) != Some("whl") {
        return Err(BfclError::file(
            shown,
            "not a wheel (the name does not end in .whl)",
            "give a bfcl-eval wheel, or the folder it was unpacked into",
        ));
    }
    let sha = sha256_file(wheel)?;
    let dir = cache_dir().join("unpacked").join(&sha[..16]);
    if !dir.join(".complete").is_file() {
        unpack(wheel, &dir)?;
    }
    let mut src = open_folder(&dir, shown, Some(sha))?;
    src.data_dir = src.data_dir.canonicalize().unwrap_or(src.data_dir);
    Ok(src)
}

/// Finds the data folder under `root` (the wheel's root, `bfcl_eval/`, or
/// `bfcl_eval/data/` itself) and reads the version from the METADATA.
fn open_folder(root: &Path, origin: String, sha256: Option<String>) -> Result<Source, BfclError> {
    let candidates = [
        root.join("bfcl_eval").join("data"),
        root.join("data"),
        root.to_path_buf(),
    ];
    let Some(data_dir) = candidates.into_iter().find(|d| has_data_files(d)) else {
        return Err(BfclError::file(
            origin,
            "holds no BFCL data files (BFCL_v*_<category>.json), looked in ., data/ and \
             bfcl_eval/data/",
            "give the bfcl-eval wheel or the folder it was unpacked into",
        ));
    };
    let (version, license) = metadata(root).unwrap_or((None, None));
    Ok(Source {
        data_dir,
        origin,
        version,
        sha256,
        license,
    })
}

fn has_data_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("BFCL_v") && name.ends_with(".json")
        })
    })
}

/// (version, licence) from `bfcl_eval-*.dist-info/METADATA` under `root`.
fn metadata(root: &Path) -> Option<(Option<String>, Option<String>)> {
    let info = std::fs::read_dir(root).ok()?.flatten().find(|e| {
        let n = e.file_name();
        let n = n.to_string_lossy();
        n.starts_with("bfcl_eval-") && n.ends_with(".dist-info")
    })?;
    let text = std::fs::read_to_string(info.path().join("METADATA")).ok()?;
    let field = |name: &str| {
        text.lines()
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
    };
    Some((field("Version:"), field("License:")))
}

/// sha256 of a file, lowercase hex.
pub fn sha256_file(path: &Path) -> Result<String, BfclError> {
    let shown = path.display().to_string();
    let mut f = std::fs::File::open(path)
        .map_err(|e| BfclError::file(&shown, format!("cannot open: {e}"), "check the path"))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| BfclError::file(&shown, format!("cannot read: {e}"), "check the file"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn verify_pinned(path: &Path) -> Result<(), BfclError> {
    let got = sha256_file(path)?;
    if got != PINNED_SHA256 {
        return Err(BfclError::file(
            path.display().to_string(),
            format!("has sha256 {got}, expected {PINNED_SHA256} (bfcl-eval {PINNED_VERSION})"),
            format!("delete {} and rerun to fetch it again", path.display()),
        ));
    }
    Ok(())
}

fn python() -> String {
    std::env::var("PUNIE_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// Downloads the pinned wheel with pip (`--require-hashes`), checks its
/// sha256 again and moves it into the cache.
fn fetch_pinned() -> Result<PathBuf, BfclError> {
    let dest = cached_wheel_path();
    let dir = cache_dir();
    let shown = dest.display().to_string();
    std::fs::create_dir_all(&dir).map_err(|e| {
        BfclError::file(
            dir.display().to_string(),
            format!("cannot create the cache folder: {e}"),
            "set PUNIE_CACHE to a writable folder",
        )
    })?;
    let tmp = dir.join(format!(".fetch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| {
        BfclError::file(
            tmp.display().to_string(),
            format!("cannot create: {e}"),
            "set PUNIE_CACHE to a writable folder",
        )
    })?;
    let req = tmp.join("requirements.txt");
    let result = (|| -> Result<(), BfclError> {
        std::fs::write(&req, REQUIREMENTS).map_err(|e| {
            BfclError::file(
                req.display().to_string(),
                format!("cannot write: {e}"),
                "set PUNIE_CACHE to a writable folder",
            )
        })?;
        eprintln!("fetching bfcl-eval {PINNED_VERSION} from PyPI into {shown}");
        let py = python();
        let status = Command::new(&py)
            .args(["-m", "pip", "download", "--quiet", "--no-deps"])
            .args(["--only-binary=:all:", "--require-hashes", "-r"])
            .arg(&req)
            .arg("-d")
            .arg(&tmp)
            .status()
            .map_err(|e| {
                BfclError::file(
                    &shown,
                    format!("cannot run `{py} -m pip`: {e}"),
                    "install Python 3 with pip (or set PUNIE_PYTHON), or download the wheel \
                     yourself (scripts/bfcl/fetch-wheel.sh) and pass it as SOURCE",
                )
            })?;
        if !status.success() {
            return Err(BfclError::file(
                &shown,
                format!("`{py} -m pip download bfcl-eval=={PINNED_VERSION}` failed ({status})"),
                "check the network (PyPI) and pip's message above, or pass a wheel or folder \
                 as SOURCE",
            ));
        }
        let got = tmp.join(PINNED_WHEEL);
        verify_pinned(&got)?;
        std::fs::rename(&got, &dest).map_err(|e| {
            BfclError::file(
                &shown,
                format!("cannot move the wheel into the cache: {e}"),
                "set PUNIE_CACHE to a writable folder",
            )
        })
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result.map(|()| dest)
}

/// Unpacks a wheel (a zip) into `dir` with Python's zipfile (or `unzip`),
/// through a temporary folder so an interrupted unpack is redone.
fn unpack(wheel: &Path, dir: &Path) -> Result<(), BfclError> {
    let shown = wheel.display().to_string();
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| {
        BfclError::file(
            parent.display().to_string(),
            format!("cannot create: {e}"),
            "set PUNIE_CACHE to a writable folder",
        )
    })?;
    let tmp = parent.join(format!(".unpack-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let py = python();
    let via_python = Command::new(&py)
        .args(["-m", "zipfile", "-e"])
        .arg(wheel)
        .arg(&tmp)
        .status();
    let ok = match via_python {
        Ok(s) if s.success() => true,
        _ => {
            let _ = std::fs::remove_dir_all(&tmp);
            Command::new("unzip")
                .arg("-q")
                .arg(wheel)
                .arg("-d")
                .arg(&tmp)
                .status()
                .is_ok_and(|s| s.success())
        }
    };
    if !ok {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(BfclError::file(
            shown,
            "cannot unpack the wheel (neither `python3 -m zipfile` nor `unzip` worked)",
            "install Python 3 or unzip, or unpack the wheel yourself and pass the folder",
        ));
    }
    let _ = std::fs::write(tmp.join(".complete"), b"");
    let _ = std::fs::remove_dir_all(dir);
    std::fs::rename(&tmp, dir).map_err(|e| {
        BfclError::file(
            dir.display().to_string(),
            format!("cannot move the unpacked wheel into place: {e}"),
            "set PUNIE_CACHE to a writable folder",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_requirements_file_pins_the_same_wheel() {
        let line = REQUIREMENTS
            .lines()
            .find(|l| l.starts_with("bfcl-eval=="))
            .expect("a bfcl-eval line");
        assert!(line.starts_with(&format!("bfcl-eval=={PINNED_VERSION} ")));
        assert!(line.ends_with(&format!("--hash=sha256:{PINNED_SHA256}")));
        assert!(PINNED_WHEEL.contains(PINNED_VERSION));
    }
}
