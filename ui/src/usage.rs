//! Usage: twelve months against the twelve before, a week by day, or a day by hour, drawn as
//! SVG from Rust (no chart library), with a table of the same numbers for screen readers and
//! anyone who prefers one. Bars are reachable by keyboard (Tab to the chart, then the arrow
//! keys, Home and End; `chart.js`). Estimated readings are striped and hours without a reading outlined with dashes, so
//! neither depends on colour; the two series are blue and orange, told apart by colour-blind
//! customers too, and named in the legend and the table.

use crate::i18n::{Say, use_locale};
use crate::states::{ErrorState, Loading};
use crate::{bridge, format};
use dioxus::prelude::*;
use portal_api::ipc::{self, UiLocale, UsageArgs, UsageBar, UsageScale, UsageView};
use portal_api::{ErrorBody, Text};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/chart.js")]
extern "C" {
    #[wasm_bindgen(js_name = stepThroughBars)]
    fn step_through_bars(svg: &web_sys::Element);
}

/// The usage screen.
#[component]
pub fn Usage() -> Element {
    let locale = use_locale();
    let mut scale = use_signal(|| UsageScale::Months);
    let mut date = use_signal(|| None::<String>);
    let mut refreshing = use_signal(|| true);
    let mut generation = use_signal(|| 0_u32);
    let mut fetch_problem = use_signal(|| None::<(ErrorBody, bool)>);
    let mut saved = use_signal(|| None::<Result<Option<String>, ErrorBody>>);
    // The readings are fetched once per visit; every chart is read from the cache.
    use_hook(move || {
        spawn(async move {
            let args = UsageArgs {
                scale: UsageScale::Months,
                date: None,
            };
            match bridge::invoke::<ipc::RefreshUsage>(&args).await {
                Ok(view) => fetch_problem.set(view.problem.map(|problem| (problem, view.offline))),
                Err(error) => fetch_problem.set(Some((error, false))),
            }
            refreshing.set(false);
            generation += 1;
        })
    });
    let chart = use_resource(move || async move {
        let _ = generation();
        let args = UsageArgs {
            scale: scale(),
            date: date(),
        };
        bridge::invoke::<ipc::UsageOf>(&args).await
    });
    let current = chart.read().clone();
    let as_of = match &current {
        Some(Ok(view)) => view.as_of.clone(),
        _ => None,
    };
    let choose = move |chosen: UsageScale| {
        move |_| {
            scale.set(chosen);
        }
    };
    rsx! {
        section { id: "usage", class: "card",
            h1 { {locale.t(Text::Usage)} }
            if let Some(as_of) = as_of {
                p { id: "usage-as-of", class: "muted", "data-time": "fetched",
                    {locale.fill(Text::AsOf, &[("time", &format::moment(&locale, &as_of.fetched_at)), ("age", &format::age(&locale, as_of.age_seconds))])}
                }
            }
            if let Some((problem, offline)) = fetch_problem() {
                div { id: "usage-problem", class: "notice", role: "status",
                    span {
                        if offline { {locale.t(Text::YouAreOffline)} }
                        {locale.error(&problem)}
                    }
                }
            }
            div { class: "scales", role: "group", aria_label: locale.t(Text::ShowBy),
                for (choice, label, id) in [(UsageScale::Months, Text::ByMonth, "scale-months"), (UsageScale::Week, Text::ByWeek, "scale-week"), (UsageScale::Day, Text::ByDay, "scale-day")] {
                    button { id, class: "secondary", aria_pressed: scale() == choice, onclick: choose(choice), {locale.t(label)} }
                }
            }
            match current {
                None => rsx! { Loading { text: Text::LoadingUsage } },
                Some(Err(error)) => rsx! { ErrorState { error, signed_in: true } },
                Some(Ok(view)) if view.bars.is_empty() => rsx! {
                    if refreshing() {
                        Loading { text: Text::LoadingUsage }
                    } else {
                        p { id: "no-usage", {locale.t(Text::NoUsageYet)} }
                    }
                },
                Some(Ok(view)) => rsx! {
                    if view.scale != UsageScale::Months {
                        Days { view: view.clone(), pick: move |day| date.set(Some(day)) }
                    }
                    Chart { view: view.clone() }
                    Totals { view: view.clone() }
                    Table { view }
                },
            }
            div { class: "actions",
                button { id: "export-csv", class: "secondary",
                    onclick: move |_| { spawn(async move { saved.set(Some(bridge::call::<ipc::ExportUsage>().await)); }); },
                    {locale.t(Text::ExportCsv)}
                }
            }
            match saved() {
                Some(Ok(Some(path))) => rsx! { p { id: "csv-saved", role: "status", {locale.fill(Text::SavedTo, &[("path", &path)])} } },
                Some(Err(error)) => rsx! { ErrorState { error, id: "csv-error" } },
                _ => rsx! {},
            }
        }
    }
}

/// The day or week shown, the one before and after, and a day picker.
#[component]
fn Days(view: UsageView, pick: EventHandler<String>) -> Element {
    let locale = use_locale();
    let shown = view.date.clone().unwrap_or_default();
    let heading = match view.scale {
        UsageScale::Week => locale.fill(
            Text::WeekHeading,
            &[("day", &format::long_time(&locale, &shown))],
        ),
        _ => locale.fill(
            Text::DayHeading,
            &[("day", &format::long_time(&locale, &shown))],
        ),
    };
    let (first, last) = view.range.clone().unwrap_or_default();
    rsx! {
        h2 { id: "usage-heading", "{heading}" }
        div { class: "days",
            button { id: "earlier", class: "secondary", disabled: view.earlier.is_none(),
                onclick: { let earlier = view.earlier.clone(); move |_| if let Some(day) = earlier.clone() { pick.call(day) } },
                {locale.t(Text::Earlier)}
            }
            label { r#for: "usage-day", {locale.t(Text::ChooseDay)} }
            input { id: "usage-day", r#type: "date", value: "{shown}", min: "{first}", max: "{last}",
                onchange: move |event| { let day = event.value(); if !day.is_empty() { pick.call(day) } } }
            button { id: "later", class: "secondary", disabled: view.later.is_none(),
                onclick: { let later = view.later.clone(); move |_| if let Some(day) = later.clone() { pick.call(day) } },
                {locale.t(Text::Later)}
            }
        }
    }
}

/// The chart's drawing size in its own units (the SVG scales to the screen's width). Whole
/// units: formatting a float would compile Rust's float printing into the module.
const WIDTH: i64 = 7200;
const HEIGHT: i64 = 2400;
const TOP: i64 = 120;
const AXIS: i64 = 20;

/// The bars as SVG.
#[component]
fn Chart(view: UsageView) -> Element {
    let locale = use_locale();
    let most = view
        .bars
        .iter()
        .chain(&view.last_year)
        .map(|bar| bar.wh)
        .max()
        .unwrap_or(0)
        .max(1);
    let slots = view.bars.len().max(1) as i64;
    let slot = WIDTH / slots;
    let paired = !view.last_year.is_empty();
    let label_every = if slots > 12 { 3 } else { 1 };
    let mut bars = Vec::new();
    for (index, bar) in view.bars.iter().enumerate() {
        let x = slot * index as i64;
        if paired && let Some(before) = view.last_year.get(index) {
            bars.push(Drawn::new(
                &locale,
                before,
                "last-year",
                x + slot * 12 / 100,
                slot * 36 / 100,
                most,
            ));
            bars.push(Drawn::new(
                &locale,
                bar,
                "this-year",
                x + slot * 52 / 100,
                slot * 36 / 100,
                most,
            ));
        } else {
            bars.push(Drawn::new(
                &locale,
                bar,
                "this-year",
                x + slot * 15 / 100,
                slot * 70 / 100,
                most,
            ));
        }
    }
    // The axis is HTML under the drawing: its text keeps its size however wide the screen.
    let labels: Vec<String> = view
        .bars
        .iter()
        .enumerate()
        .filter(|(index, _)| index % label_every == 0)
        .map(|(_, bar)| format::axis_time(&locale, &bar.start))
        .collect();
    rsx! {
        figure { class: "chart",
            svg { id: "usage-chart", "viewBox": "0 0 {WIDTH} {HEIGHT}", "preserveAspectRatio": "none", role: "group",
                "aria-label": locale.t(Text::Usage),
                onmounted: move |event| {
                    if let Some(svg) = event.data().downcast::<web_sys::Element>() {
                        step_through_bars(svg);
                    }
                },
                defs {
                    for series in ["this-year", "last-year"] {
                        pattern { id: "hatch-{series}", "patternUnits": "userSpaceOnUse", width: "60", height: "60", "patternTransform": "rotate(45)",
                            rect { class: "hatch-{series}", width: "30", height: "60" }
                        }
                    }
                }
                line { class: "baseline", x1: "0", x2: "{WIDTH}", y1: "{HEIGHT - AXIS}", y2: "{HEIGHT - AXIS}" }
                for (index, drawn) in bars.into_iter().enumerate() {
                    rect { class: "{drawn.class}", x: "{drawn.x}", y: "{drawn.y}", width: "{drawn.width}", height: "{drawn.height}",
                        tabindex: if index == 0 { "0" } else { "-1" }, role: "img", "aria-label": "{drawn.label}",
                        "data-start": "{drawn.start}", "data-wh": "{drawn.wh}" }
                }
            }
            div { class: "axis", aria_hidden: "true",
                for label in labels { span { "{label}" } }
            }
            figcaption { class: "legend",
                if paired {
                    span { class: "key this-year", {locale.t(Text::Last12Months)} }
                    span { class: "key last-year", {locale.t(Text::YearBefore)} }
                }
                span { class: "muted", {locale.t(Text::ChartLegend)} }
            }
        }
    }
}

/// One bar as drawn.
struct Drawn {
    class: String,
    x: i64,
    y: i64,
    width: i64,
    height: i64,
    label: String,
    start: String,
    wh: i64,
}

impl Drawn {
    fn new(locale: &UiLocale, bar: &UsageBar, series: &str, x: i64, width: i64, most: i64) -> Self {
        let plot = HEIGHT - TOP - AXIS;
        // A bar without readings still shows, as a dashed stub.
        let height = (bar.wh * plot / most).max(if bar.missing { 30 } else { 0 });
        let mut class = format!("bar {series}");
        if bar.estimated {
            class.push_str(" estimated");
        }
        if bar.missing {
            class.push_str(" missing");
        }
        Self {
            class,
            x,
            y: HEIGHT - AXIS - height,
            width,
            height,
            label: spoken(locale, bar),
            start: bar.start.clone(),
            wh: bar.wh,
        }
    }
}

/// What a bar says to a screen reader: when, how much, and its marks.
fn spoken(locale: &UiLocale, bar: &UsageBar) -> String {
    let mut label = locale.fill(
        Text::BarLabel,
        &[
            ("when", &format::long_time(locale, &bar.start)),
            ("kwh", &format::kwh(locale, bar.wh)),
        ],
    );
    for note in notes(locale, bar) {
        label.push_str(", ");
        label.push_str(note);
    }
    label
}

fn notes(locale: &UiLocale, bar: &UsageBar) -> Vec<&'static str> {
    let mut notes = Vec::new();
    if bar.estimated {
        notes.push(locale.t(Text::EstimatedMark));
    }
    if bar.missing {
        notes.push(locale.t(Text::MissingMark));
    }
    notes
}

/// The totals under the chart.
#[component]
fn Totals(view: UsageView) -> Element {
    let locale = use_locale();
    rsx! {
        p { id: "usage-total", class: "total",
            {locale.fill(Text::TotalKwh, &[("kwh", &format::kwh(&locale, view.total_wh))])}
        }
        if let Some(before) = view.last_year_total_wh {
            p { id: "usage-last-year-total", class: "muted",
                {locale.fill(Text::YearBeforeKwh, &[("kwh", &format::kwh(&locale, before))])}
            }
        }
    }
}

/// The same numbers as a table.
#[component]
fn Table(view: UsageView) -> Element {
    let locale = use_locale();
    let paired = !view.last_year.is_empty();
    rsx! {
        details { id: "usage-table",
            summary { {locale.t(Text::ShowAsTable)} }
            table { class: "lines",
                thead {
                    tr {
                        th { scope: "col", {locale.t(Text::When)} }
                        th { scope: "col", class: "amount", "kWh" }
                        if paired { th { scope: "col", class: "amount", {locale.t(Text::YearBefore)} } }
                        th { scope: "col", {locale.t(Text::Notes)} }
                    }
                }
                tbody {
                    for (index, bar) in view.bars.iter().enumerate() {
                        tr {
                            th { scope: "row", {format::long_time(&locale, &bar.start)} }
                            td { class: "amount", {format::kwh(&locale, bar.wh)} }
                            if paired {
                                td { class: "amount", {view.last_year.get(index).map(|before| format::kwh(&locale, before.wh)).unwrap_or_default()} }
                            }
                            td { {notes(&locale, bar).join(", ")} }
                        }
                    }
                }
            }
        }
    }
}
