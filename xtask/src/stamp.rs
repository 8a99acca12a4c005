//! Whether the sources changed since a build: a digest of every file of the repository that
//! git tracks or would track (ignored and generated ones left out), so the test command keeps
//! the debug packages of its last run when nothing they are built from changed, and does not
//! repeat checks the same sources passed.

use crate::root;
use crate::shell::Cmd;
use std::path::Path;

/// The digest of the repository's sources and `extra` (what else the build depends on, e.g.
/// the version and the signing key).
pub fn sources(extra: &str) -> Result<String, String> {
    let listing = Cmd::new("git")
        .arg("-C")
        .arg(root())
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .ok_or("cannot list the repository's files with git")?;
    let mut paths: Vec<&str> = listing
        .split('\0')
        .filter(|path| !path.is_empty())
        .collect();
    paths.sort_unstable();
    let mut bytes = extra.as_bytes().to_vec();
    for path in paths {
        bytes.extend_from_slice(path.as_bytes());
        bytes.push(0);
        // A deleted file that git still lists counts as empty.
        bytes.extend(std::fs::read(root().join(path)).unwrap_or_default());
    }
    Ok(format!("{:016x}", crate::build::fnv1a(&bytes)))
}

/// Whether `stamp_file` holds `stamp` and every one of `outputs` exists.
pub fn unchanged(stamp_file: &Path, stamp: &str, outputs: &[&Path]) -> bool {
    std::fs::read_to_string(stamp_file).ok().as_deref() == Some(stamp)
        && outputs.iter().all(|output| output.exists())
}

/// Records `stamp` for the outputs just built.
pub fn record(stamp_file: &Path, stamp: &str) -> Result<(), String> {
    std::fs::write(stamp_file, stamp)
        .map_err(|error| format!("cannot write {stamp_file:?}: {error}"))
}
