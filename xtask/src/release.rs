//! Release engineering: the updater manifest (`latest.json`) the release pipeline publishes,
//! assembled once from every platform's uploaded installers and their updater signatures
//! (`cargo xtask release-manifest`); the check a release engineer runs on a draft release or on
//! a folder of its downloaded assets before publishing it (`cargo xtask release-check`); and the
//! check that the updater secret signs what the committed public key accepts
//! (`cargo xtask updater-key-check`).
//!
//! The folder is read as GitHub serves a release: asset names with their spaces turned into dots
//! (`Enerpro.Portal_1.2.3_amd64.deb`), which is also the name each manifest URL ends with.

use crate::shell::{Cmd, step};
use crate::{root, target_dir, tauri_cli};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every platform key of a complete desktop manifest. Tauri's updater asks for
/// `<os>-<arch>-<installer>` first (the installer the running app came from), then for the bare
/// `<os>-<arch>`: the bare Linux key is the AppImage (the only Linux format that updates itself
/// without a package manager), the bare Windows key the NSIS installer.
pub const DESKTOP_PLATFORMS: [&str; 11] = [
    "linux-x86_64",
    "linux-x86_64-deb",
    "linux-x86_64-rpm",
    "linux-x86_64-appimage",
    "windows-x86_64",
    "windows-x86_64-nsis",
    "windows-x86_64-msi",
    "darwin-aarch64",
    "darwin-aarch64-app",
    "darwin-x86_64",
    "darwin-x86_64-app",
];

/// Google Play's page size for native libraries on 64-bit devices (Android 15 onwards).
const ANDROID_PAGE: u64 = 16 * 1024;

/// The manifest's file name, as the updater plugin and the sandbox server read it.
const MANIFEST: &str = "latest.json";

/// The updater manifest, as Tauri's updater reads it.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    version: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    pub_date: String,
    #[serde(default)]
    platforms: BTreeMap<String, Platform>,
}

/// One platform's installer: where to download it and its updater signature (base64).
#[derive(Debug, Serialize, Deserialize)]
struct Platform {
    url: String,
    signature: String,
}

/// What a release command was asked: the release's tag, its repository, the folder of its
/// assets, the platform keys to expect and the public key to verify with.
#[derive(Debug)]
struct Options {
    tag: String,
    repo: String,
    folder: PathBuf,
    platforms: Vec<String>,
    public_key: Option<String>,
    notes: Option<PathBuf>,
    download: bool,
}

const USAGE: &str = "options: [--tag vX.Y.Z] [--repo OWNER/NAME] [--platforms all|none|linux|windows|macos|KEY,…] [--public-key BASE64] [--notes CHANGELOG.md] [--download] FOLDER";

impl Options {
    fn parse(arguments: &[String]) -> Result<Self, String> {
        let mut options = Options {
            tag: format!("v{}", env!("CARGO_PKG_VERSION")),
            repo: std::env::var("GITHUB_REPOSITORY").unwrap_or_default(),
            folder: PathBuf::new(),
            platforms: DESKTOP_PLATFORMS
                .iter()
                .map(|key| key.to_string())
                .collect(),
            public_key: None,
            notes: None,
            download: false,
        };
        let mut folder = None;
        let mut rest = arguments.iter();
        while let Some(argument) = rest.next() {
            let mut value = || {
                rest.next()
                    .cloned()
                    .ok_or_else(|| format!("{argument} needs a value; {USAGE}"))
            };
            match argument.as_str() {
                "--tag" => options.tag = value()?,
                "--repo" => options.repo = value()?,
                "--platforms" => options.platforms = platforms(&value()?)?,
                "--public-key" => options.public_key = Some(value()?),
                "--notes" => options.notes = Some(PathBuf::from(value()?)),
                "--download" => options.download = true,
                flag if flag.starts_with("--") => return Err(format!("unknown {flag}; {USAGE}")),
                path if folder.is_none() => folder = Some(PathBuf::from(path)),
                extra => return Err(format!("one folder only, not also {extra}; {USAGE}")),
            }
        }
        options.folder = folder.ok_or_else(|| format!("which folder? {USAGE}"))?;
        if !options.tag.starts_with('v') || version_of(&options.tag).split('.').count() != 3 {
            return Err(format!("the tag {} is not vMAJOR.MINOR.PATCH", options.tag));
        }
        if options
            .repo
            .split('/')
            .filter(|part| !part.is_empty())
            .count()
            != 2
        {
            return Err(format!(
                "which repository? --repo OWNER/NAME (or GITHUB_REPOSITORY); {USAGE}"
            ));
        }
        Ok(options)
    }

    /// The public key signatures must verify against: `--public-key`, or the one installed
    /// apps are built with (`plugins.updater.pubkey` in `tauri.conf.json`).
    fn public_key(&self) -> Result<String, String> {
        match &self.public_key {
            Some(key) => Ok(key.clone()),
            None => configured_public_key(),
        }
    }
}

/// The platform keys a `--platforms` value names: `all`, `none`, a group or single keys.
fn platforms(list: &str) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    for item in list
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let group: Vec<&str> = match item {
            "all" => DESKTOP_PLATFORMS.to_vec(),
            "none" => Vec::new(),
            "linux" | "windows" => DESKTOP_PLATFORMS
                .into_iter()
                .filter(|key| key.starts_with(item))
                .collect(),
            "macos" => DESKTOP_PLATFORMS
                .into_iter()
                .filter(|key| key.starts_with("darwin"))
                .collect(),
            key if DESKTOP_PLATFORMS.contains(&key) => vec![key],
            unknown => {
                return Err(format!(
                    "unknown platform {unknown}: all, none, linux, windows, macos or one of {}",
                    DESKTOP_PLATFORMS.join(", ")
                ));
            }
        };
        keys.extend(group.into_iter().map(str::to_owned));
    }
    Ok(keys)
}

fn version_of(tag: &str) -> &str {
    tag.trim_start_matches('v')
}

/// The updater public key installed apps trust, from `tauri.conf.json`.
fn configured_public_key() -> Result<String, String> {
    let path = root().join("tauri.conf.json");
    let text =
        std::fs::read_to_string(&path).map_err(|error| format!("cannot read {path:?}: {error}"))?;
    let config: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| format!("{path:?} is not JSON: {error}"))?;
    config["plugins"]["updater"]["pubkey"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{path:?} has no plugins.updater.pubkey"))
}

/// The name GitHub gives an uploaded file: spaces become dots.
pub fn asset_name(file_name: &str) -> String {
    file_name.replace(' ', ".")
}

/// The download URL of asset `name` of the release tagged `tag`: by tag, never
/// `/releases/latest/download/`, which is wrong for a draft, after a newer release, and in a
/// private repository.
fn asset_url(repo: &str, tag: &str, name: &str) -> String {
    format!("https://github.com/{repo}/releases/download/{tag}/{name}")
}

/// The manifest keys an updater artifact serves, from its name as Tauri's bundler (and GitHub)
/// spell it; nothing for the other assets.
fn platform_keys(name: &str) -> &'static [&'static str] {
    let x64 = name.contains("_amd64") || name.contains("_x64") || name.contains("x86_64");
    if name.ends_with(".deb") && x64 {
        &["linux-x86_64-deb"]
    } else if name.ends_with(".x86_64.rpm") {
        &["linux-x86_64-rpm"]
    } else if name.ends_with(".AppImage") && x64 {
        &["linux-x86_64-appimage", "linux-x86_64"]
    } else if name.ends_with("-setup.exe") && x64 {
        &["windows-x86_64-nsis", "windows-x86_64"]
    } else if name.ends_with(".msi") && x64 {
        &["windows-x86_64-msi"]
    } else if name.ends_with(".app.tar.gz") {
        if name.contains("aarch64") {
            &["darwin-aarch64-app", "darwin-aarch64"]
        } else if x64 {
            &["darwin-x86_64-app", "darwin-x86_64"]
        } else {
            // The universal build: one archive for both processors.
            &[
                "darwin-aarch64-app",
                "darwin-aarch64",
                "darwin-x86_64-app",
                "darwin-x86_64",
            ]
        }
    } else {
        &[]
    }
}

/// The files of `folder`, by name.
fn files(folder: &Path) -> Result<BTreeMap<String, PathBuf>, String> {
    let entries =
        std::fs::read_dir(folder).map_err(|error| format!("cannot read {folder:?}: {error}"))?;
    Ok(entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .filter_map(|path| Some((path.file_name()?.to_str()?.to_owned(), path)))
        .collect())
}

/// The release notes of `version`: its section of the changelog (`## [1.2.3]` or `## 1.2.3`
/// up to the next `## `).
fn release_notes(changelog: &Path, version: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(changelog)
        .map_err(|error| format!("cannot read {changelog:?}: {error}"))?;
    let heading = |line: &str| {
        let title = line.trim_start_matches("## ").trim();
        let title = title.split(" - ").next().unwrap_or(title).trim();
        title.trim_start_matches('[').trim_end_matches(']') == version
    };
    let notes: Vec<&str> = text
        .lines()
        .skip_while(|line| !(line.starts_with("## ") && heading(line)))
        .skip(1)
        .take_while(|line| !line.starts_with("## "))
        .collect();
    let notes = notes.join("\n").trim().to_owned();
    if notes.is_empty() {
        return Err(format!(
            "{changelog:?} has no notes for {version} (a `## [{version}]` section)"
        ));
    }
    Ok(notes)
}

/// Now, as RFC 3339 in UTC (the manifest's `pub_date`).
fn now_rfc3339() -> Result<String, String> {
    Cmd::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .map(|text| text.trim().to_owned())
        .ok_or_else(|| "cannot read the clock (date)".to_owned())
}

/// `cargo xtask release-manifest`: writes `latest.json` into the folder of a release's assets
/// (see [`write_manifest`]), the notes from the changelog.
pub fn manifest(arguments: &[String]) -> Result<(), String> {
    let options = Options::parse(arguments)?;
    download_if_asked(&options)?;
    let notes_file = options
        .notes
        .clone()
        .unwrap_or_else(|| root().join("CHANGELOG.md"));
    let notes = release_notes(&notes_file, version_of(&options.tag))?;
    let expected: Vec<&str> = options.platforms.iter().map(String::as_str).collect();
    write_manifest(
        &options.folder,
        &options.tag,
        &options.repo,
        &expected,
        notes,
    )
}

/// Writes `latest.json` into `folder`, which holds a release's assets named as GitHub serves
/// them: one entry per platform key its updater artifacts serve, each with the artifact's
/// signature (`<asset>.sig`) and its download URL for `tag`. Fails if a key of `expected` has
/// no artifact, an artifact has no signature, or two artifacts serve one key. The release
/// pipeline and the test command's next release both write their manifests here.
pub fn write_manifest(
    folder: &Path,
    tag: &str,
    repo: &str,
    expected: &[&str],
    notes: String,
) -> Result<(), String> {
    let files = files(folder)?;
    let mut platforms = BTreeMap::new();
    for name in files.keys() {
        let keys = platform_keys(name);
        if keys.is_empty() {
            continue;
        }
        if name != &asset_name(name) {
            return Err(format!(
                "{name}: not named as GitHub serves it ({}); download the release's assets, or rename",
                asset_name(name)
            ));
        }
        let signature_file = format!("{name}.sig");
        let signature = files
            .get(&signature_file)
            .ok_or_else(|| format!("{name} has no updater signature {signature_file}"))
            .and_then(|path| {
                std::fs::read_to_string(path)
                    .map_err(|error| format!("cannot read {path:?}: {error}"))
            })?;
        for key in keys {
            let entry = Platform {
                url: asset_url(repo, tag, name),
                signature: signature.trim().to_owned(),
            };
            if let Some(earlier) = platforms.insert(key.to_string(), entry) {
                return Err(format!(
                    "two artifacts for {key}: {} and {name}",
                    earlier.url
                ));
            }
        }
    }
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|key| !platforms.contains_key(*key))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "no updater artifact for {} in {folder:?}",
            missing.join(", ")
        ));
    }
    let manifest = Manifest {
        version: version_of(tag).to_owned(),
        notes,
        pub_date: now_rfc3339()?,
        platforms,
    };
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|error| format!("cannot write the manifest: {error}"))?;
    let path = folder.join(MANIFEST);
    std::fs::write(&path, text + "\n")
        .map_err(|error| format!("cannot write {path:?}: {error}"))?;
    println!(
        "{path:?}: {}",
        manifest
            .platforms
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// With `--download`: the draft's assets, through the GitHub CLI, into the folder.
fn download_if_asked(options: &Options) -> Result<(), String> {
    if !options.download {
        return Ok(());
    }
    step(&format!(
        "download the assets of {} ({})",
        options.tag, options.repo
    ));
    std::fs::create_dir_all(&options.folder)
        .map_err(|error| format!("cannot create {:?}: {error}", options.folder))?;
    Cmd::new("gh")
        .args(["release", "download", &options.tag, "--repo", &options.repo])
        .arg("--dir")
        .arg(&options.folder)
        .arg("--clobber")
        .run()
}

/// The release `.deb`'s budget: 8 MB. It had grown to 8.73 MB unnoticed; `cargo xtask bundle`
/// now refuses a package over it (`release-check` does not: the tests check debug packages).
const DEB_BUDGET_BYTES: u64 = 8_000_000;

/// Why the package at `path` is over its budget, if it is a `.deb` over 8 MB.
pub fn over_budget(path: &Path) -> Option<String> {
    if path.extension().is_none_or(|extension| extension != "deb") {
        return None;
    }
    let bytes = std::fs::metadata(path).map_or(0, |meta| meta.len());
    (bytes > DEB_BUDGET_BYTES).then(|| {
        format!(
            "{} is {:.2} MB, over the .deb's budget of 8 MB",
            path.display(),
            bytes as f64 / 1e6
        )
    })
}

/// `cargo xtask release-check`: everything that must hold before a release is published.
/// Prints one line per problem found and fails if there is any.
pub fn check(arguments: &[String]) -> Result<(), String> {
    let options = Options::parse(arguments)?;
    download_if_asked(&options)?;
    let public_key = options.public_key()?;
    let files = files(&options.folder)?;
    let mut problems = Vec::new();
    let mut verified = 0;
    if !options.platforms.is_empty() || files.contains_key(MANIFEST) {
        match check_manifest(&options, &files, &public_key) {
            Ok((count, found)) => {
                verified = count;
                problems.extend(found);
            }
            Err(problem) => problems.push(problem),
        }
    }
    let mut libraries = 0;
    for (name, path) in &files {
        if name.ends_with(".apk") || name.ends_with(".aab") {
            match native_library_problems(path) {
                Ok((count, found)) => {
                    libraries += count;
                    problems.extend(
                        found
                            .into_iter()
                            .map(|problem| format!("{name}: {problem}")),
                    );
                }
                Err(problem) => problems.push(format!("{name}: {problem}")),
            }
        }
    }
    for problem in &problems {
        println!("PROBLEM: {problem}");
    }
    println!(
        "release check of {} in {:?}: signatures verified: {verified}, 64-bit Android libraries checked: {libraries}, problems: {}",
        options.tag,
        options.folder,
        problems.len()
    );
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{} problem(s) in the release", problems.len()))
    }
}

/// The manifest's problems, and how many signatures verified.
fn check_manifest(
    options: &Options,
    files: &BTreeMap<String, PathBuf>,
    public_key: &str,
) -> Result<(usize, Vec<String>), String> {
    let path = files
        .get(MANIFEST)
        .ok_or_else(|| format!("no {MANIFEST} in {:?}", options.folder))?;
    let text =
        std::fs::read_to_string(path).map_err(|error| format!("cannot read {path:?}: {error}"))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|error| format!("{MANIFEST} is not an updater manifest: {error}"))?;
    let version = version_of(&options.tag);
    let mut problems = Vec::new();
    if manifest.version != version {
        problems.push(format!(
            "{MANIFEST} announces version {}, the tag is {}",
            manifest.version, options.tag
        ));
    }
    if manifest.notes.trim().is_empty() {
        problems.push(format!("{MANIFEST} has no release notes"));
    }
    if !is_rfc3339(&manifest.pub_date) {
        problems.push(format!(
            "{MANIFEST}'s pub_date {:?} is not an RFC 3339 time",
            manifest.pub_date
        ));
    }
    for key in &options.platforms {
        if !manifest.platforms.contains_key(key) {
            problems.push(format!("{MANIFEST} has no {key}"));
        }
    }
    let prefix = asset_url(&options.repo, &options.tag, "");
    let mut verified = 0;
    for (key, platform) in &manifest.platforms {
        let Some(name) = platform
            .url
            .strip_prefix(&prefix)
            .filter(|name| !name.is_empty() && !name.contains(['/', ' ', '%']))
        else {
            problems.push(format!(
                "{key}: {} is not an asset of {} (expected {prefix}<asset>)",
                platform.url, options.tag
            ));
            continue;
        };
        let Some(asset) = files.get(name) else {
            problems.push(format!("{key}: its asset {name} is not in the release"));
            continue;
        };
        let bytes =
            std::fs::read(asset).map_err(|error| format!("cannot read {asset:?}: {error}"))?;
        match verify(public_key, &platform.signature, &bytes) {
            Ok(comment) if signed_version(&comment) == Some(manifest.version.as_str()) => {
                verified += 1;
            }
            Ok(comment) => problems.push(format!(
                "{key}: {name} is signed for another version ({comment:?}); the app refuses it"
            )),
            Err(error) => problems.push(format!("{key}: {name}: {error}")),
        }
    }
    Ok((verified, problems))
}

/// `YYYY-MM-DDTHH:MM:SS` then `Z` or an offset (fractions allowed).
fn is_rfc3339(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(bytes.get(10), Some(b'T' | b't'))
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
        && bytes.get(16) == Some(&b':')
        && digits(17..19)
        && (text.ends_with('Z') || text.ends_with('z') || text[19..].contains(['+', '-']))
}

/// The version a signature's trusted comment binds (`version:1.2.3`, written by the Tauri CLI).
fn signed_version(trusted_comment: &str) -> Option<&str> {
    trusted_comment
        .split('\t')
        .find_map(|part| part.strip_prefix("version:"))
}

/// Verifies `data` against a Tauri updater signature (base64 of a minisign signature) with a
/// Tauri updater public key (base64 of a minisign public key), as the app's updater does.
/// Returns the signature's trusted comment.
fn verify(public_key: &str, signature: &str, data: &[u8]) -> Result<String, String> {
    let decode = |what: &str, text: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| format!("the {what} is not base64 text"))
    };
    let key = minisign_verify::PublicKey::decode(&decode("public key", public_key)?)
        .map_err(|error| format!("the public key is not a minisign key: {error}"))?;
    let signature = minisign_verify::Signature::decode(&decode("signature", signature)?)
        .map_err(|error| format!("the signature is not a minisign signature: {error}"))?;
    key.verify(data, &signature, false)
        .map_err(|error| format!("the signature does not verify with the public key ({error})"))?;
    Ok(signature.trusted_comment().to_owned())
}

/// How many 64-bit native libraries an APK or AAB holds, and where they break Google Play's
/// 16 KB page rule: a loadable segment aligned below 16 KB, or (APK) a library stored
/// uncompressed at an offset that is not a multiple of 16 KB (`zipalign -P 16`).
fn native_library_problems(archive: &Path) -> Result<(usize, Vec<String>), String> {
    use object::{Object as _, ObjectSegment as _};
    let file = std::fs::File::open(archive).map_err(|error| format!("cannot open: {error}"))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|error| format!("not a zip: {error}"))?;
    let is_apk = archive.extension().is_some_and(|e| e == "apk");
    let mut problems = Vec::new();
    let mut checked = 0;
    for index in 0..zip.len() {
        let mut entry = zip
            .by_index(index)
            .map_err(|error| format!("entry {index}: {error}"))?;
        let name = entry
            .name()
            .map(|name| name.into_owned())
            .unwrap_or_default();
        if !(name.ends_with(".so") && name.contains("lib/")) {
            continue;
        }
        let stored_at = (entry.compression() == zip::CompressionMethod::Stored)
            .then(|| entry.data_start())
            .flatten();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes)
            .map_err(|error| format!("{name}: cannot read: {error}"))?;
        let elf = object::File::parse(bytes.as_slice())
            .map_err(|error| format!("{name}: not a native library: {error}"))?;
        if !elf.is_64() {
            continue;
        }
        checked += 1;
        let smallest = elf.segments().map(|segment| segment.align()).min();
        if let Some(align) = smallest.filter(|align| *align < ANDROID_PAGE) {
            problems.push(format!(
                "{name}: a loadable segment is aligned to {align} bytes, Google Play needs 16 KB (link with NDK r28 or -z max-page-size=16384)"
            ));
        }
        if let Some(offset) = stored_at.filter(|offset| is_apk && offset % ANDROID_PAGE != 0) {
            problems.push(format!(
                "{name}: stored uncompressed at offset {offset}, not on a 16 KB boundary (zipalign -P 16)"
            ));
        }
    }
    Ok((checked, problems))
}

/// `cargo xtask updater-key-check`: signs a probe file with the updater secret
/// (`TAURI_SIGNING_PRIVATE_KEY`, `…_PASSWORD`) through the Tauri CLI and verifies it with the
/// public key the apps are built with, so a release is never signed with a key installed apps
/// would refuse.
pub fn updater_key_check(arguments: &[String]) -> Result<(), String> {
    let public_key = match arguments {
        [] => configured_public_key()?,
        [flag, key] if flag == "--public-key" => key.clone(),
        _ => return Err("options: [--public-key BASE64]".to_owned()),
    };
    if std::env::var_os("TAURI_SIGNING_PRIVATE_KEY").is_none() {
        return Err(
            "TAURI_SIGNING_PRIVATE_KEY is not set (the updater secret to check)".to_owned(),
        );
    }
    let folder = target_dir().join("xtask-updater-key-check");
    std::fs::create_dir_all(&folder)
        .map_err(|error| format!("cannot create {folder:?}: {error}"))?;
    let probe = folder.join("probe.txt");
    let content = format!("updater key probe {}\n", now_rfc3339()?);
    std::fs::write(&probe, &content).map_err(|error| format!("cannot write the probe: {error}"))?;
    let signature_file = folder.join("probe.txt.sig");
    let _ = std::fs::remove_file(&signature_file);
    Cmd::new(tauri_cli())
        .args(["signer", "sign"])
        .arg(&probe)
        .run()?;
    let signature = std::fs::read_to_string(&signature_file)
        .map_err(|error| format!("the Tauri CLI wrote no signature {signature_file:?}: {error}"))?;
    verify(&public_key, &signature, content.as_bytes()).map_err(|error| {
        format!("the updater secret does not match the configured public key: {error}; installed apps would refuse every update it signs")
    })?;
    println!("the updater secret signs what the configured public key verifies");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deb_over_eight_megabytes_is_over_its_budget_and_nothing_else_is() {
        let folder = std::env::temp_dir().join(format!("xtask-budget-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let package = |name: &str, bytes: u64| {
            let path = folder.join(name);
            std::fs::File::create(&path)
                .unwrap()
                .set_len(bytes)
                .unwrap();
            path
        };
        let at_budget = package("at.deb", DEB_BUDGET_BYTES);
        let over = package("over.deb", DEB_BUDGET_BYTES + 1);
        let big_rpm = package("big.rpm", DEB_BUDGET_BYTES * 2);
        assert_eq!(over_budget(&at_budget), None);
        let problem = over_budget(&over).unwrap();
        assert!(problem.contains("over.deb is 8.00 MB"), "{problem}");
        assert_eq!(over_budget(&big_rpm), None);
        assert_eq!(over_budget(&folder.join("missing.deb")), None);
        std::fs::remove_dir_all(&folder).unwrap();
    }

    /// Tauri's bundler turns `bundle.windows.signCommand` into a process: the object form is
    /// `cmd` with `args` as given; the string form is split on every space. `%1` (a whole
    /// argument) becomes the file to sign.
    fn sign_process(config: &serde_json::Value, file: &str) -> Vec<String> {
        let command = &config["bundle"]["windows"]["signCommand"];
        let (cmd, args): (String, Vec<String>) = match command {
            serde_json::Value::String(text) => {
                let mut parts = text.trim().split(' ').map(str::to_owned);
                (parts.next().unwrap(), parts.collect())
            }
            object => (
                object["cmd"].as_str().unwrap().to_owned(),
                serde_json::from_value(object["args"].clone()).unwrap(),
            ),
        };
        std::iter::once(cmd)
            .chain(
                args.into_iter()
                    .map(|arg| if arg == "%1" { file.to_owned() } else { arg }),
            )
            .collect()
    }

    #[test]
    fn the_windows_signing_configuration_runs_the_signing_client_with_the_intended_arguments() {
        let path = root().join("src-tauri/release/windows-signing.json");
        let config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let file = r"C:\build\Enerpro Portal_1.2.3_x64-setup.exe";
        assert_eq!(
            sign_process(&config, file),
            [
                "artifact-signing-cli",
                "-e",
                "https://weu.codesigning.azure.net",
                "-a",
                "enerpro",
                "-c",
                "enerpro-portal",
                "-d",
                "Enerpro Portal",
                file,
            ]
        );
        // The string form this replaced: the description reached the client as two arguments.
        let string_form = serde_json::json!({"bundle": {"windows": {"signCommand":
            "trusted-signing-cli -a enerpro -d \"Enerpro Portal\" %1"}}});
        assert_eq!(
            sign_process(&string_form, "f.exe")[3..],
            ["-d", "\"Enerpro", "Portal\"", "f.exe"]
        );
    }

    #[test]
    fn artifacts_map_to_the_updater_platform_keys() {
        assert_eq!(
            platform_keys("Enerpro.Portal_1.2.3_amd64.deb"),
            ["linux-x86_64-deb"]
        );
        assert_eq!(
            platform_keys("Enerpro.Portal-1.2.3-1.x86_64.rpm"),
            ["linux-x86_64-rpm"]
        );
        assert_eq!(
            platform_keys("Enerpro.Portal_1.2.3_amd64.AppImage"),
            ["linux-x86_64-appimage", "linux-x86_64"]
        );
        assert_eq!(
            platform_keys("Enerpro.Portal_1.2.3_x64-setup.exe"),
            ["windows-x86_64-nsis", "windows-x86_64"]
        );
        assert_eq!(
            platform_keys("Enerpro.Portal_1.2.3_x64_en-US.msi"),
            ["windows-x86_64-msi"]
        );
        assert_eq!(
            platform_keys("Enerpro.Portal_universal.app.tar.gz").len(),
            4
        );
        assert!(platform_keys("Enerpro.Portal_1.2.3_universal.dmg").is_empty());
        assert!(platform_keys("enerpro-portal-v1.2.3.apk").is_empty());
        assert!(platform_keys("Enerpro.Portal_1.2.3_amd64.deb.sig").is_empty());
        // Every key a complete manifest needs is served by some artifact.
        let served: Vec<&str> = [
            "a_amd64.deb",
            "a-1.x86_64.rpm",
            "a_amd64.AppImage",
            "a_x64-setup.exe",
            "a_x64_en-US.msi",
            "a_universal.app.tar.gz",
        ]
        .iter()
        .flat_map(|name| platform_keys(name).iter().copied())
        .collect();
        for key in DESKTOP_PLATFORMS {
            assert!(served.contains(&key), "{key} is served by no artifact");
        }
    }

    #[test]
    fn platform_lists_name_groups_or_keys_and_refuse_unknown_ones() {
        assert_eq!(platforms("all").unwrap().len(), DESKTOP_PLATFORMS.len());
        assert!(platforms("none").unwrap().is_empty());
        assert_eq!(platforms("linux").unwrap().len(), 4);
        assert_eq!(platforms("macos").unwrap().len(), 4);
        assert_eq!(
            platforms("linux-x86_64-deb, linux-x86_64-rpm").unwrap(),
            ["linux-x86_64-deb", "linux-x86_64-rpm"]
        );
        assert!(platforms("linux-arm64").is_err());
        assert!(platforms("windows-x86_64-exe").is_err());
    }

    #[test]
    fn release_notes_are_the_versions_changelog_section() {
        let folder = target_dir().join("xtask-release-notes-test");
        std::fs::create_dir_all(&folder).unwrap();
        let changelog = folder.join("CHANGELOG.md");
        std::fs::write(
            &changelog,
            "# Changelog\n\n## [1.2.4] - 2026-12-01\n\n- Newer.\n\n## [1.2.3] - 2026-11-29\n\n- Autopay.\n- Spanish.\n\n## 1.2.2\n\n- Older.\n",
        )
        .unwrap();
        assert_eq!(
            release_notes(&changelog, "1.2.3").unwrap(),
            "- Autopay.\n- Spanish."
        );
        assert_eq!(release_notes(&changelog, "1.2.2").unwrap(), "- Older.");
        assert!(release_notes(&changelog, "1.2.5").is_err());
        assert!(release_notes(&folder.join("missing.md"), "1.2.3").is_err());
    }

    #[test]
    fn manifest_times_must_be_rfc3339() {
        assert!(is_rfc3339("2026-11-29T08:10:50Z"));
        assert!(is_rfc3339("2026-11-29T08:10:50.123+01:00"));
        assert!(!is_rfc3339(""));
        assert!(!is_rfc3339("2026-11-29 08:10:50"));
        assert!(!is_rfc3339("29/11/2026"));
    }

    #[test]
    fn options_refuse_a_bad_tag_a_missing_repository_or_folder() {
        let parse =
            |list: &[&str]| Options::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert!(parse(&["--repo", "enerpro/portal", "--tag", "v1.2.3", "dir"]).is_ok());
        assert!(parse(&["--repo", "enerpro/portal", "--tag", "1.2.3", "dir"]).is_err());
        assert!(parse(&["--repo", "enerpro/portal", "--tag", "v1.2", "dir"]).is_err());
        assert!(parse(&["--repo", "enerpro", "--tag", "v1.2.3", "dir"]).is_err());
        assert!(parse(&["--repo", "enerpro/portal", "--tag", "v1.2.3"]).is_err());
        assert!(parse(&["--repo", "enerpro/portal", "--tag"]).is_err());
        assert!(parse(&["--repo", "enerpro/portal", "--bogus", "dir"]).is_err());
        assert!(parse(&["--repo", "enerpro/portal", "a", "b"]).is_err());
    }
}
