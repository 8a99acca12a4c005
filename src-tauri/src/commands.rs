//! The commands the UI calls, one per [`portal_api::ipc::Command`]: each takes that command's
//! `Args`, answers its `Output`, and forwards to `portal_core` in a line or two. All run off the
//! main thread (async), and each is logged with its name, outcome and duration by [`logged`] —
//! never with its arguments, which may carry codes. Answers cross in the contract's binary form
//! ([`portal_api::ipc::encode`]).

use crate::{Backend, Core};
use portal_api::ErrorCode;
use portal_api::ipc::{self, Args, Command, Output};
use portal_core::CoreError;
use std::future::Future;
use std::time::Instant;
use tauri::ipc::{InvokeError, InvokeResponseBody};
use tauri::{AppHandle, Manager, Runtime, State};

/// What a command answers: command `C`'s output, or an error the UI shows from the catalog,
/// both inside [`Answered`]. Tauri requires a `Result` of async commands that borrow state; its
/// `Err` is left to Tauri's own refusals (a command not granted, arguments that do not decode).
pub type Reply<C> = Result<Answered<C>, InvokeError>;

/// Command `C`'s outcome, sent to the UI encoded by [`ipc::encode`] (as [`ipc::Answer`]).
pub struct Answered<C: Command>(pub Result<Output<C>, CoreError>);

/// Command `C`'s reply with this outcome.
pub fn reply<C: Command>(outcome: Result<Output<C>, CoreError>) -> Reply<C> {
    Ok(Answered(outcome))
}

impl<C: Command> tauri::ipc::IpcResponse for Answered<C> {
    fn body(self) -> tauri::Result<InvokeResponseBody> {
        let bytes = ipc::encode(&self.0).or_else(|| {
            tracing::error!("command {} answered what cannot be encoded", C::NAME);
            ipc::encode(&Err::<(), _>(CoreError::coded(ErrorCode::InternalError)))
        });
        Ok(InvokeResponseBody::Raw(bytes.unwrap_or_default()))
    }
}

/// Runs command `C`'s body and logs its name, outcome and duration.
pub async fn logged<C: Command>(
    body: impl Future<Output = Result<Output<C>, CoreError>>,
) -> Reply<C> {
    let started = Instant::now();
    let reply = body.await;
    let took = started.elapsed().as_millis();
    match &reply {
        Ok(_) => tracing::info!("command {} ok in {took} ms", C::NAME),
        Err(error) => tracing::warn!(
            "command {} failed in {took} ms: {} ({error})",
            C::NAME,
            error.code()
        ),
    }
    self::reply(reply)
}

/// Asks the backend's health endpoint: who answers, and which version.
#[tauri::command]
pub async fn backend_status(backend: State<'_, Backend>) -> Reply<ipc::BackendStatus> {
    logged::<ipc::BackendStatus>(async { backend.client()?.health().await }).await
}

/// Hands the UI the deep links that arrived since it last asked, each resolved to its screen.
#[tauri::command]
pub async fn take_links<R: Runtime>(app: AppHandle<R>) -> Reply<ipc::TakeLinks> {
    logged::<ipc::TakeLinks>(crate::links::take(&app)).await
}

/// A link or invitation code the customer pasted (when opening the link did not reach the
/// app): handled like an opened link.
#[tauri::command]
pub async fn open_pasted_link<R: Runtime>(
    app: AppHandle<R>,
    args: Args<ipc::OpenPastedLink>,
) -> Reply<ipc::OpenPastedLink> {
    logged::<ipc::OpenPastedLink>(async {
        crate::links::receive_pasted(&app, &args.text, crate::PORTAL_HOST);
        Ok(())
    })
    .await
}

/// The home screen from the cache, at once.
#[tauri::command]
pub async fn home(core: State<'_, Core>) -> Reply<ipc::Home> {
    let answer = logged::<ipc::Home>(async { core.portal().await?.home().await }).await;
    core.first_screen_answered();
    answer
}

/// Fetches fresh home data (the cache stays as it was on failure, marked with the problem), and
/// has the notifications looked for.
#[tauri::command]
pub async fn refresh<R: Runtime>(app: AppHandle<R>, core: State<'_, Core>) -> Reply<ipc::Refresh> {
    let answer = logged::<ipc::Refresh>(async { core.portal().await?.refresh().await }).await;
    if let Some(notices) = app.try_state::<crate::notices::Notices>() {
        notices.check_soon();
    }
    // The UI refreshes once its first screen is shown (from the page or from `home`): what
    // waits for the first screen starts now, after the fresh data, not beside it.
    core.first_screen_answered();
    answer
}

/// Shows one account, or every account together (from the cache: works offline).
#[tauri::command]
pub async fn choose_account(
    core: State<'_, Core>,
    args: Args<ipc::ChooseAccount>,
) -> Reply<ipc::ChooseAccount> {
    logged::<ipc::ChooseAccount>(async {
        let portal = core.portal().await?;
        portal.choose_account(args.account_number.as_deref()).await
    })
    .await
}

/// The pay screen for a choice of bills.
#[tauri::command]
pub async fn pay_view(core: State<'_, Core>, args: Args<ipc::PayView>) -> Reply<ipc::PayView> {
    logged::<ipc::PayView>(async { core.portal().await?.pay_plan(args.bill_ids.as_deref()) }).await
}

/// Who an invitation is for.
#[tauri::command]
pub async fn preview_invitation(
    core: State<'_, Core>,
    args: Args<ipc::PreviewInvitation>,
) -> Reply<ipc::PreviewInvitation> {
    logged::<ipc::PreviewInvitation>(async {
        core.portal().await?.preview_invitation(&args.code).await
    })
    .await
}

/// Accepts an invitation with the service postcode.
#[tauri::command]
pub async fn accept_invitation(
    core: State<'_, Core>,
    args: Args<ipc::AcceptInvitation>,
) -> Reply<ipc::AcceptInvitation> {
    logged::<ipc::AcceptInvitation>(async {
        let portal = core.portal().await?;
        portal.accept_invitation(&args.code, &args.postcode).await
    })
    .await
}

/// Asks for a sign-in link by email.
#[tauri::command]
pub async fn request_signin(
    core: State<'_, Core>,
    args: Args<ipc::RequestSignin>,
) -> Reply<ipc::RequestSignin> {
    logged::<ipc::RequestSignin>(async { core.portal().await?.request_signin(&args.email).await })
        .await
}

/// Completes sign-in with a link's code.
#[tauri::command]
pub async fn complete_signin(
    core: State<'_, Core>,
    args: Args<ipc::CompleteSignin>,
) -> Reply<ipc::CompleteSignin> {
    logged::<ipc::CompleteSignin>(async { core.portal().await?.complete_signin(&args.code).await })
        .await
}

/// Signs out: tokens and cached data of the customer are deleted.
#[tauri::command]
pub async fn sign_out(core: State<'_, Core>) -> Reply<ipc::SignOut> {
    logged::<ipc::SignOut>(async { core.portal().await?.sign_out().await }).await
}

/// Starts paying bills and opens the checkout in the system browser.
#[tauri::command]
pub async fn start_payment<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    args: Args<ipc::StartPayment>,
) -> Reply<ipc::StartPayment> {
    logged::<ipc::StartPayment>(async {
        let flow = core.portal().await?.start_payment(&args.bill_ids).await?;
        crate::payments::open_and_watch(&app, &flow).await
    })
    .await
}

/// Opens a payment's checkout page again.
#[tauri::command]
pub async fn open_checkout<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    args: Args<ipc::OpenCheckout>,
) -> Reply<ipc::OpenCheckout> {
    logged::<ipc::OpenCheckout>(async {
        let flow = core.portal().await?.check_payment(args.flow_id).await?;
        crate::payments::open_and_watch(&app, &flow).await
    })
    .await
}

/// Asks the backend about a payment now.
#[tauri::command]
pub async fn check_payment(
    core: State<'_, Core>,
    args: Args<ipc::CheckPayment>,
) -> Reply<ipc::CheckPayment> {
    logged::<ipc::CheckPayment>(async { core.portal().await?.check_payment(args.flow_id).await })
        .await
}

/// Cancels a payment's checkout (or finds it paid).
#[tauri::command]
pub async fn cancel_payment(
    core: State<'_, Core>,
    args: Args<ipc::CancelPayment>,
) -> Reply<ipc::CancelPayment> {
    logged::<ipc::CancelPayment>(async { core.portal().await?.cancel_payment(args.flow_id).await })
        .await
}

/// Dismisses a payment the backend has no record of.
#[tauri::command]
pub async fn dismiss_payment(
    core: State<'_, Core>,
    args: Args<ipc::DismissPayment>,
) -> Reply<ipc::DismissPayment> {
    logged::<ipc::DismissPayment>(async {
        core.portal().await?.dismiss_payment(args.flow_id).await
    })
    .await
}

/// One payment started on this device.
#[tauri::command]
pub async fn payment_flow(
    core: State<'_, Core>,
    args: Args<ipc::PaymentFlowOf>,
) -> Reply<ipc::PaymentFlowOf> {
    logged::<ipc::PaymentFlowOf>(async { core.portal().await?.payment_flow(args.flow_id) }).await
}

/// The payment history from the cache.
#[tauri::command]
pub async fn history(core: State<'_, Core>) -> Reply<ipc::History> {
    logged::<ipc::History>(async { core.portal().await?.history() }).await
}

/// The payment history, with every receipt fetched from the backend.
#[tauri::command]
pub async fn refresh_history(core: State<'_, Core>) -> Reply<ipc::RefreshHistory> {
    logged::<ipc::RefreshHistory>(async { core.portal().await?.refresh_history().await }).await
}

/// One cached receipt.
#[tauri::command]
pub async fn receipt(core: State<'_, Core>, args: Args<ipc::ReceiptOf>) -> Reply<ipc::ReceiptOf> {
    logged::<ipc::ReceiptOf>(async { core.portal().await?.receipt(&args.receipt_id) }).await
}

/// What the settings screen shows.
#[tauri::command]
pub async fn app_info<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    backend: State<'_, Backend>,
) -> Reply<ipc::AppInfoOf> {
    logged::<ipc::AppInfoOf>(async {
        let signed_in = match core.portal().await {
            Ok(portal) => portal.is_signed_in().await.unwrap_or(false),
            Err(_) => false,
        };
        Ok(ipc::AppInfo {
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
    })
    .await
}

/// Records a timing mark from the UI (see `timings`); unknown names are ignored. Not logged:
/// it runs at every start and says nothing a support engineer needs.
#[tauri::command]
pub async fn mark<R: Runtime>(app: AppHandle<R>, args: Args<ipc::Mark>) -> Reply<ipc::Mark> {
    if crate::timings::UI_MARKS.contains(&args.name.as_str())
        && let Some(timings) = app.try_state::<crate::timings::Timings>()
    {
        timings.mark(&args.name);
    }
    reply::<ipc::Mark>(Ok(()))
}

/// Keeps the UI's picture of the home screen for the next start's first paint, if the cache
/// still holds the view it shows.
#[tauri::command]
pub async fn save_first_paint<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    args: Args<ipc::SaveFirstPaint>,
) -> Reply<ipc::SaveFirstPaint> {
    let kept = logged::<ipc::SaveFirstPaint>(async {
        core.portal()
            .await?
            .save_first_paint(&args.revision, &args.html)
    })
    .await;
    if let (Ok(Answered(Ok(true))), Some(timings)) =
        (&kept, app.try_state::<crate::timings::Timings>())
    {
        timings.mark("first_paint_saved");
    }
    kept
}

/// The backends this build offers (Settings, for support staff).
#[tauri::command]
pub async fn backend_settings<R: Runtime>(
    app: AppHandle<R>,
    backend: State<'_, Backend>,
) -> Reply<ipc::BackendSettingsOf> {
    logged::<ipc::BackendSettingsOf>(async {
        let environments = crate::environments();
        Ok(ipc::BackendSettings {
            current: backend.url()?.to_string(),
            production: environments.production,
            sandbox: environments.sandbox,
            custom_allowed: environments.custom_allowed,
            saved: portal_core::backend::Environments::saved_choice(&crate::backend_choice_file(
                &app,
            )?),
        })
    })
    .await
}

/// Saves a backend choice, and only once it is saved signs out (the session belongs to the old
/// backend); the new backend applies at the next start. Answers the chosen URL.
#[tauri::command]
pub async fn choose_backend<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    args: Args<ipc::ChooseBackend>,
) -> Reply<ipc::ChooseBackend> {
    logged::<ipc::ChooseBackend>(async {
        let url = crate::environments()
            .save_choice(&crate::backend_choice_file(&app)?, &args.choice)?
            .to_string();
        core.portal().await?.sign_out().await?;
        Ok(url)
    })
    .await
}

/// A bill's detail from the cache.
#[tauri::command]
pub async fn bill_detail(
    core: State<'_, Core>,
    args: Args<ipc::BillDetailOf>,
) -> Reply<ipc::BillDetailOf> {
    logged::<ipc::BillDetailOf>(async { core.portal().await?.bill_detail(&args.bill_id) }).await
}

/// Fetches a bill's detail (the cached one, marked, when that fails).
#[tauri::command]
pub async fn refresh_bill_detail(
    core: State<'_, Core>,
    args: Args<ipc::RefreshBillDetail>,
) -> Reply<ipc::RefreshBillDetail> {
    logged::<ipc::RefreshBillDetail>(async {
        core.portal()
            .await?
            .refresh_bill_detail(&args.bill_id)
            .await
    })
    .await
}

/// Fetches a bill's PDF and saves it where the customer chooses.
#[tauri::command]
pub async fn save_bill_pdf<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    locale: State<'_, crate::language::Locale>,
    args: Args<ipc::SaveBillPdf>,
) -> Reply<ipc::SaveBillPdf> {
    logged::<ipc::SaveBillPdf>(async {
        let (file_name, bytes) = core.portal().await?.bill_pdf(&args.bill_id).await?;
        let keep = crate::files::Keep {
            title: portal_api::Text::SaveBillDialog,
            file_name: &file_name,
            kind: ("PDF", "pdf"),
            bytes: &bytes,
        };
        crate::files::save(&app, locale.current().language, keep).await
    })
    .await
}

/// Fetches a bill's PDF and opens it in the system's viewer.
#[tauri::command]
pub async fn open_bill_pdf<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    args: Args<ipc::OpenBillPdf>,
) -> Reply<ipc::OpenBillPdf> {
    logged::<ipc::OpenBillPdf>(async {
        let (file_name, bytes) = core.portal().await?.bill_pdf(&args.bill_id).await?;
        crate::files::open(&app, &file_name, &bytes).await
    })
    .await
}

/// A usage chart from the cached readings.
#[tauri::command]
pub async fn usage(core: State<'_, Core>, args: Args<ipc::UsageOf>) -> Reply<ipc::UsageOf> {
    logged::<ipc::UsageOf>(async { core.portal().await?.usage(&args) }).await
}

/// Fetches the readings, then answers the chart (the cached one, marked, when that fails).
#[tauri::command]
pub async fn refresh_usage(
    core: State<'_, Core>,
    args: Args<ipc::RefreshUsage>,
) -> Reply<ipc::RefreshUsage> {
    logged::<ipc::RefreshUsage>(async { core.portal().await?.refresh_usage(&args).await }).await
}

/// Saves the cached readings as CSV where the customer chooses.
#[tauri::command]
pub async fn export_usage<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    locale: State<'_, crate::language::Locale>,
) -> Reply<ipc::ExportUsage> {
    logged::<ipc::ExportUsage>(async {
        let csv = core.portal().await?.usage_csv()?;
        let keep = crate::files::Keep {
            title: portal_api::Text::SaveUsageDialog,
            file_name: "enerpro-usage.csv",
            kind: ("CSV", "csv"),
            bytes: csv.as_bytes(),
        };
        crate::files::save(&app, locale.current().language, keep).await
    })
    .await
}

/// Autopay of the account shown, from the backend.
#[tauri::command]
pub async fn autopay(core: State<'_, Core>) -> Reply<ipc::AutopayOf> {
    logged::<ipc::AutopayOf>(async { core.portal().await?.autopay().await }).await
}

/// Keeps the customer's choice of autopay.
#[tauri::command]
pub async fn choose_autopay(
    core: State<'_, Core>,
    args: Args<ipc::ChooseAutopay>,
) -> Reply<ipc::ChooseAutopay> {
    logged::<ipc::ChooseAutopay>(async { core.portal().await?.choose_autopay(&args).await }).await
}

/// Opens the provider's page where the customer saves a card, in the system browser (only on
/// a host the build allows, like the checkout); its launcher is awaited as the checkout's is.
#[tauri::command]
pub async fn save_card<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
) -> Reply<ipc::SaveCard> {
    logged::<ipc::SaveCard>(async {
        let url = core.portal().await?.card_setup_url().await?;
        let url = core.checkout_policy.check(&url)?;
        if crate::payments::open_in_browser(&app, url.to_string(), "the card page").await {
            Ok(())
        } else {
            Err(portal_core::CoreError::coded(
                portal_api::ErrorCode::CardPageUnavailable,
            ))
        }
    })
    .await
}

/// Removes the saved card (autopay turns off).
#[tauri::command]
pub async fn remove_card(core: State<'_, Core>) -> Reply<ipc::RemoveCard> {
    logged::<ipc::RemoveCard>(async { core.portal().await?.remove_card().await }).await
}
