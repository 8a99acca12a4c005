//! Files the customer keeps: a bill's PDF and the usage CSV, saved where they choose through the
//! system's save dialog (in the Downloads folder at first), or a PDF opened in the system's
//! viewer. A file is written beside its destination and renamed into place, so a failed write
//! never leaves half a file where an older one was.

use portal_api::{ErrorCode, Language, Text};
use portal_core::CoreError;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// What to save: the dialog's title, the file's suggested name, its kind and its bytes.
pub struct Keep<'a> {
    /// The dialog's title.
    pub title: Text,
    /// The suggested file name.
    pub file_name: &'a str,
    /// The filter's name and extension (`("PDF", "pdf")`).
    pub kind: (&'a str, &'a str),
    /// The content.
    pub bytes: &'a [u8],
}

/// Asks where to save, then saves; answers the path, or `None` when the customer closed the
/// dialog.
pub async fn save<R: Runtime>(
    app: &AppHandle<R>,
    language: Language,
    keep: Keep<'_>,
) -> Result<Option<String>, CoreError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title(keep.title.get(language))
        .set_file_name(keep.file_name)
        .add_filter(keep.kind.0, &[keep.kind.1]);
    if let Ok(downloads) = app.path().download_dir() {
        dialog = dialog.set_directory(downloads);
    }
    dialog.save_file(move |chosen| {
        let _ = tx.send(chosen);
    });
    let chosen = rx.await.ok().flatten();
    let Some(path) = chosen.and_then(|chosen| chosen.into_path().ok()) else {
        return Ok(None);
    };
    write(&path, keep.bytes).await?;
    Ok(Some(path.display().to_string()))
}

/// Writes `bytes` to the app's cache folder under `file_name` and opens it in the system's
/// viewer.
pub async fn open<R: Runtime>(
    app: &AppHandle<R>,
    file_name: &str,
    bytes: &[u8],
) -> Result<(), CoreError> {
    let folder = app
        .path()
        .app_cache_dir()
        .map_err(|_| CoreError::coded(ErrorCode::FileNotSaved))?
        .join("documents");
    tokio::fs::create_dir_all(&folder)
        .await
        .map_err(|_| CoreError::coded(ErrorCode::FileNotSaved))?;
    let path = folder.join(file_name);
    write(&path, bytes).await?;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|error| {
            tracing::warn!("no viewer opened {}: {error}", path.display());
            CoreError::coded(ErrorCode::ViewerUnavailable)
        })
}

/// Writes beside `path`, then renames into place.
async fn write(path: &Path, bytes: &[u8]) -> Result<(), CoreError> {
    let partial = PathBuf::from(format!("{}.part", path.display()));
    let written = async {
        tokio::fs::write(&partial, bytes).await?;
        tokio::fs::rename(&partial, path).await
    }
    .await;
    written.map_err(|error| {
        tracing::warn!("could not save {}: {error}", path.display());
        let _ = std::fs::remove_file(&partial);
        CoreError::coded(ErrorCode::FileNotSaved)
    })
}
