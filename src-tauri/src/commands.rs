//! The commands the UI calls. Each forwards to `portal_core` in a line or two; errors reach the
//! UI as `{ code, message }`.

use crate::{Backend, Core};
use portal_api::ipc::{
    AppInfo, BackendChoice, BackendSettings, HomeView, LinkReceived, PaymentFlow,
};
use portal_api::v1::{HealthResponse, InvitationPreview, Receipt, SignInAccepted};
use portal_core::CoreError;
use tauri::{AppHandle, Manager, Runtime, State};

/// Asks the backend's health endpoint: who answers, and which version.
#[tauri::command]
pub async fn backend_status(backend: State<'_, Backend>) -> Result<HealthResponse, CoreError> {
    backend.client()?.health().await
}

/// Hands the UI the deep links that arrived since it last asked.
#[tauri::command]
pub fn take_links(inbox: State<'_, crate::links::LinkInbox>) -> Vec<LinkReceived> {
    inbox.take()
}

/// A link or invitation code the customer pasted (when opening the link did not reach the
/// app): handled like an opened link.
#[tauri::command]
pub fn open_pasted_link<R: Runtime>(app: AppHandle<R>, text: String) {
    crate::links::receive_pasted(&app, &text, crate::PORTAL_HOST);
}

/// The cached home data, at once.
#[tauri::command]
pub fn home(core: State<'_, Core>) -> Result<HomeView, CoreError> {
    core.portal()?.home()
}

/// Fetches fresh home data (the cache stays as it was on failure).
#[tauri::command]
pub async fn refresh(core: State<'_, Core>) -> Result<HomeView, CoreError> {
    core.portal()?.refresh().await
}

/// Who an invitation is for.
#[tauri::command]
pub async fn preview_invitation(
    core: State<'_, Core>,
    code: String,
) -> Result<InvitationPreview, CoreError> {
    core.portal()?.preview_invitation(&code).await
}

/// Accepts an invitation with the service postcode.
#[tauri::command]
pub async fn accept_invitation(
    core: State<'_, Core>,
    code: String,
    postcode: String,
) -> Result<HomeView, CoreError> {
    core.portal()?.accept_invitation(&code, &postcode).await
}

/// Asks for a sign-in link by email.
#[tauri::command]
pub async fn request_signin(
    core: State<'_, Core>,
    email: String,
) -> Result<SignInAccepted, CoreError> {
    core.portal()?.request_signin(&email).await
}

/// Completes sign-in with a link's code.
#[tauri::command]
pub async fn complete_signin(core: State<'_, Core>, code: String) -> Result<HomeView, CoreError> {
    core.portal()?.complete_signin(&code).await
}

/// Signs out: tokens and cached data of the customer are deleted.
#[tauri::command]
pub async fn sign_out(core: State<'_, Core>) -> Result<(), CoreError> {
    core.portal()?.sign_out().await
}

/// Starts paying bills and opens the checkout in the system browser.
#[tauri::command]
pub async fn start_payment<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    bill_ids: Vec<String>,
) -> Result<PaymentFlow, CoreError> {
    let flow = core.portal()?.start_payment(&bill_ids).await?;
    crate::payments::open_and_watch(&app, &flow)
}

/// Opens a flow's checkout page again.
#[tauri::command]
pub async fn open_checkout<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    flow_id: i64,
) -> Result<PaymentFlow, CoreError> {
    let flow = core.portal()?.check_payment(flow_id).await?;
    crate::payments::open_and_watch(&app, &flow)
}

/// Asks the backend about a payment now.
#[tauri::command]
pub async fn check_payment(core: State<'_, Core>, flow_id: i64) -> Result<PaymentFlow, CoreError> {
    core.portal()?.check_payment(flow_id).await
}

/// Cancels a payment's checkout (or finds it paid).
#[tauri::command]
pub async fn cancel_payment(core: State<'_, Core>, flow_id: i64) -> Result<PaymentFlow, CoreError> {
    core.portal()?.cancel_payment(flow_id).await
}

/// The payments started on this device.
#[tauri::command]
pub fn payment_flows(core: State<'_, Core>) -> Result<Vec<PaymentFlow>, CoreError> {
    core.portal()?.payment_flows()
}

/// The cached receipts.
#[tauri::command]
pub fn receipts(core: State<'_, Core>) -> Result<Vec<Receipt>, CoreError> {
    core.portal()?.receipts()
}

/// What the settings screen shows.
#[tauri::command]
pub async fn app_info<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    backend: State<'_, Backend>,
) -> Result<AppInfo, CoreError> {
    let signed_in = match core.portal() {
        Ok(portal) => portal.is_signed_in().await.unwrap_or(false),
        Err(_) => false,
    };
    Ok(AppInfo {
        version: app.package_info().version.to_string(),
        backend: backend
            .client()
            .map(|c| c.backend().to_string())
            .unwrap_or_default(),
        log_folder: app
            .path()
            .app_log_dir()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        signed_in,
        updates_supported: cfg!(desktop),
    })
}

/// Records a timing mark from the UI (see `timings`); unknown names are ignored.
#[tauri::command]
pub fn mark<R: Runtime>(app: AppHandle<R>, name: String) {
    if crate::timings::UI_MARKS.contains(&name.as_str())
        && let Some(timings) = app.try_state::<crate::timings::Timings>()
    {
        timings.mark(&name);
    }
}

/// The backends this build offers (Settings, for support staff).
#[tauri::command]
pub fn backend_settings<R: Runtime>(
    app: AppHandle<R>,
    backend: State<'_, Backend>,
) -> Result<BackendSettings, CoreError> {
    let environments = crate::environments();
    Ok(BackendSettings {
        current: backend.url()?.to_string(),
        production: environments.production,
        sandbox: environments.sandbox,
        custom_allowed: environments.custom_allowed,
        saved: portal_core::backend::Environments::saved_choice(&crate::backend_choice_file(&app)?),
    })
}

/// Saves a backend choice. The session belongs to the old backend, so this signs out first; the
/// new backend applies at the next start. Returns the chosen URL.
#[tauri::command]
pub async fn choose_backend<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    choice: BackendChoice,
) -> Result<String, CoreError> {
    let environments = crate::environments();
    environments.url_of(&choice)?;
    if let Ok(portal) = core.portal() {
        portal.sign_out().await?;
    }
    environments
        .save_choice(&crate::backend_choice_file(&app)?, &choice)
        .map(|url| url.to_string())
}
