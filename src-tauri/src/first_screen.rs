//! The first screen of a signed-in customer, in the page before the WebAssembly UI has loaded.
//!
//! Two things go into the main window's page at start. The cached home view, as a page global
//! set before the page's first script ([`FIRST_SCREEN_GLOBAL`]): the UI's first render is the
//! cached bills, without a command round trip. And, when the UI kept a picture of the home
//! screen (its HTML, [`portal_api::ipc::SaveFirstPaint`]) for the very data the cache holds, that
//! picture inside `index.html` itself: WebKit paints it with the page, so the customer sees their
//! bills while the module loads; the UI's first render hides and removes it. The picture is
//! served with the first page load only, so a reload never shows data that has since changed.

use portal_api::ipc::{FIRST_SCREEN_GLOBAL, HomeView};
use portal_core::Portal;
use portal_core::cache::Cache;
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use tauri::Runtime;
use tauri::utils::assets::{AssetKey, AssetsIter, CspHash};

/// Where `index.html` (`ui/assets`) takes the picture: into the element with this attribute
/// (an empty, inert `div`), right after its start tag. Tauri re-serializes the page when it
/// embeds it (`inert` may become `inert=""`), so the tag is found by its id alone.
pub const PICTURE_SLOT: &str = r#"id="first-paint""#;

/// What the page starts with for a signed-in customer.
pub struct FirstScreen {
    view: HomeView,
    /// The UI's picture of the home screen for this view, if it kept one.
    pub picture: Option<String>,
}

impl FirstScreen {
    /// The first screen of a signed-in customer's cache, if any.
    pub fn read(cache: &Cache) -> Option<Self> {
        let view = Portal::first_screen(cache)?;
        let picture = Portal::first_paint(cache, &view);
        Some(Self { view, picture })
    }

    /// `window.<FIRST_SCREEN_GLOBAL> = …`, for the page's first script.
    pub fn script(&self) -> Option<String> {
        global_script(FIRST_SCREEN_GLOBAL, &self.view)
    }
}

/// `window.<global> = "…"`: `value` encoded as command answers are
/// ([`portal_api::ipc::encode`]), in base64, whose letters can end neither the string nor the
/// script. The UI decodes it when it reads it, so the page's first paint waits for no decoding.
pub fn global_script(global: &str, value: &impl serde::Serialize) -> Option<String> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(portal_api::ipc::encode(value)?);
    Some(format!("window.{global} = \"{encoded}\";"))
}

/// The picture for the first page load, once: shared by the set-up, which puts it, and the
/// app's files, which take it into `index.html`.
#[derive(Clone, Default)]
pub struct PictureSlot(Arc<Mutex<Option<String>>>);

impl PictureSlot {
    /// Puts the picture the next `index.html` carries.
    pub fn put(&self, picture: Option<String>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = picture;
    }

    fn take(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Serves the app's files with the first `index.html` carrying the picture of the slot.
pub fn serve_picture_with_page<R: Runtime>(context: &mut tauri::Context<R>, slot: PictureSlot) {
    let files = context.set_assets(Box::new(NoFiles));
    context.set_assets(Box::new(WithPicture { files, slot }));
}

/// `page` (the bytes of `index.html`) with `picture` in its slot; `None` without a slot.
fn with_picture(page: &[u8], picture: &str) -> Option<Vec<u8>> {
    let page = std::str::from_utf8(page).ok()?;
    let slot = page.find(PICTURE_SLOT)?;
    let at = slot + page[slot..].find('>')? + 1;
    Some([&page[..at], picture, &page[at..]].concat().into_bytes())
}

/// The app's files, whose first `index.html` carries the picture.
struct WithPicture<R: Runtime> {
    files: Box<dyn tauri::Assets<R>>,
    slot: PictureSlot,
}

impl<R: Runtime> tauri::Assets<R> for WithPicture<R> {
    fn get(&self, key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        let file = self.files.get(key)?;
        if key.as_ref() != "/index.html" {
            return Some(file);
        }
        let with = self
            .slot
            .take()
            .and_then(|picture| with_picture(&file, &picture));
        Some(with.map_or(file, Cow::Owned))
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        self.files.iter()
    }

    fn csp_hashes(&self, html_path: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        self.files.csp_hashes(html_path)
    }
}

/// Stands in for the app's files for the instant they are being wrapped.
struct NoFiles;

impl<R: Runtime> tauri::Assets<R> for NoFiles {
    fn get(&self, _key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        None
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        Box::new(std::iter::empty())
    }

    fn csp_hashes(&self, _html_path: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        Box::new(std::iter::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_the_slot_and_takes_the_picture_into_it() {
        let page = include_str!("../../ui/assets/index.html");
        assert!(
            page.contains(r#"<div id="first-paint" inert></div>"#),
            "index.html lost the slot"
        );
        let picture = r#"<main><h1>Jane Doe</h1><p>"$92.75" &amp; </div> more</p></main>"#;
        let served = String::from_utf8(with_picture(page.as_bytes(), picture).unwrap()).unwrap();
        assert!(served.contains(&format!(r#"<div id="first-paint" inert>{picture}</div>"#)));
        let reserialized = r#"<body><div id="first-paint" inert=""></div></body>"#;
        assert_eq!(
            with_picture(reserialized.as_bytes(), "<h1>Jane</h1>").unwrap(),
            br#"<body><div id="first-paint" inert=""><h1>Jane</h1></div></body>"#
        );
        assert_eq!(served.len(), page.len() + picture.len());
        assert_eq!(with_picture(b"<p>no slot</p>", picture), None);
    }

    /// The app's two files of the test: the real `index.html` and a stylesheet.
    struct PageAndStyle;

    impl tauri::Assets<tauri::test::MockRuntime> for PageAndStyle {
        fn get(&self, key: &AssetKey) -> Option<Cow<'_, [u8]>> {
            match key.as_ref() {
                "/index.html" => Some(Cow::Borrowed(
                    include_str!("../../ui/assets/index.html").as_bytes(),
                )),
                "/style.css" => Some(Cow::Borrowed(b"main {}")),
                _ => None,
            }
        }

        fn iter(&self) -> Box<AssetsIter<'_>> {
            Box::new(std::iter::empty())
        }

        fn csp_hashes(&self, _: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
            Box::new(std::iter::empty())
        }
    }

    #[test]
    fn the_picture_is_served_with_the_first_page_load_only() {
        let slot = PictureSlot::default();
        let mut context = tauri::test::mock_context(PageAndStyle);
        serve_picture_with_page(&mut context, slot.clone());
        let files = context.assets();
        let page = |files: &dyn tauri::Assets<tauri::test::MockRuntime>| {
            String::from_utf8(
                files
                    .get(&AssetKey::from("index.html"))
                    .unwrap()
                    .into_owned(),
            )
            .unwrap()
        };
        let plain = page(files);
        assert!(
            plain.contains(PICTURE_SLOT),
            "no picture put: the plain page"
        );
        slot.put(Some("<h1>Jane Doe</h1>".to_owned()));
        assert_eq!(
            files.get(&AssetKey::from("style.css")).as_deref(),
            Some(&b"main {}"[..]),
            "other files pass through, and do not take the picture"
        );
        assert!(page(files).contains(r#"<div id="first-paint" inert><h1>Jane Doe</h1></div>"#));
        assert_eq!(
            page(files),
            plain,
            "a reload gets the plain page: the data may have changed since"
        );
        assert!(files.get(&AssetKey::from("missing.js")).is_none());
    }
}
