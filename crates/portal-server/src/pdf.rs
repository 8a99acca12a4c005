//! Bills and receipts as PDF, in the customer's language.
//!
//! Written with `pdf-writer` (the typst project's PDF writer: maintained, no dependencies, fast
//! to build, and it writes exactly the objects asked for). The text is set in the PDF base-14
//! fonts Helvetica and Helvetica-Bold with WinAnsiEncoding, which every PDF reader has, so no
//! font is embedded and a bill is a few kilobytes; the characters of the customer's data that
//! WinAnsi lacks print as `?`.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use portal_api::Language;
use portal_api::i18n::{long_date as date, month_name};
use portal_api::v1::{BillDetail, Customer, Money, Receipt};

/// A US Letter page, in points.
const PAGE: (f32, f32) = (612.0, 792.0);
/// The left and right margins.
const LEFT: f32 = 56.0;
const RIGHT: f32 = PAGE.0 - 56.0;
/// Enerpro's brand blue, and the chart's bars.
const BLUE: (f32, f32, f32) = (0.0, 0.30, 0.60);

/// One month's total for the bill's usage chart: `YYYY-MM` and watt-hours.
pub type MonthTotal = (String, i64);

/// The bill: who and where, period, issue and due dates, lines and total, meter reads, and the
/// last 13 months' usage as bars.
pub fn bill(
    detail: &BillDetail,
    customer: &Customer,
    months: &[MonthTotal],
    language: Language,
) -> Vec<u8> {
    let words = Words::of(language);
    let bill = &detail.bill;
    let mut page = Page::new();
    page.header(words.bill, words.account, customer);
    let mut y = 640.0;
    for (label, value) in [
        (
            words.period,
            format!(
                "{} - {}",
                date(&bill.period.start, language),
                date(&bill.period.end, language)
            ),
        ),
        (words.issued, date(&bill.issue_date, language)),
        (words.due, date(&bill.due_date, language)),
    ] {
        page.text(LEFT, y, 10.0, false, label);
        page.text(LEFT + 110.0, y, 10.0, true, &value);
        y -= 15.0;
    }
    y -= 15.0;
    page.text(LEFT, y, 13.0, true, words.charges);
    y -= 20.0;
    for line in &detail.lines {
        page.text(LEFT, y, 10.0, false, &line.description);
        if let (Some(quantity), Some(unit)) = (&line.quantity, &line.unit) {
            page.text(LEFT + 260.0, y, 10.0, false, &format!("{quantity} {unit}"));
        }
        page.text_right(RIGHT, y, 10.0, false, &line.amount.display());
        y -= 15.0;
    }
    page.total(y, words.total, &bill.amount);
    y -= 38.0;
    if !detail.reads.is_empty() {
        page.text(LEFT, y, 13.0, true, words.reads);
        y -= 20.0;
        for read in &detail.reads {
            let kind = if read.estimated {
                words.estimated
            } else {
                words.actual
            };
            page.text(
                LEFT,
                y,
                10.0,
                false,
                &format!(
                    "{} {}:  {} {}  ·  {} {} ({kind})  ·  {} kWh",
                    words.meter,
                    read.meter_id,
                    words.previous,
                    read.previous,
                    words.current,
                    read.current,
                    read.current - read.previous
                ),
            );
            y -= 15.0;
        }
        y -= 17.0;
    }
    if !months.is_empty() {
        page.text(LEFT, y, 13.0, true, words.usage);
        page.chart(y - 20.0, months, language);
    }
    page.finish(&format!("Enerpro · {} {}", words.bill, bill.id))
}

/// The receipt: who paid, when, for which bills, the total, the card and the transaction.
pub fn receipt(receipt: &Receipt, customer: &Customer, language: Language) -> Vec<u8> {
    let words = Words::of(language);
    let mut page = Page::new();
    page.header(words.receipt, words.account, customer);
    let mut y = 640.0;
    let paid_on = date(receipt.issued_at.get(0..10).unwrap_or_default(), language);
    let card = format!("{} •••• {}", receipt.card_brand, receipt.card_last4);
    for (label, value) in [
        (words.number, receipt.number.as_str()),
        (words.paid_on, paid_on.as_str()),
        (words.card, card.as_str()),
        (words.transaction, receipt.transaction_id.as_str()),
    ] {
        page.text(LEFT, y, 10.0, false, label);
        page.text(LEFT + 110.0, y, 10.0, true, value);
        y -= 15.0;
    }
    y -= 15.0;
    page.text(LEFT, y, 13.0, true, words.bills_paid);
    y -= 20.0;
    for line in &receipt.lines {
        let period = format!(
            "{} - {}",
            date(&line.period.start, language),
            date(&line.period.end, language)
        );
        page.text(LEFT, y, 10.0, false, &period);
        page.text_right(RIGHT, y, 10.0, false, &line.amount.display());
        y -= 15.0;
    }
    page.total(y, words.total_paid, &receipt.total);
    page.finish(&format!("Enerpro · {} {}", words.receipt, receipt.number))
}

/// One page's drawing, in points from the bottom left.
struct Page {
    content: Content,
}

impl Page {
    fn new() -> Self {
        Self {
            content: Content::new(),
        }
    }

    /// The brand, the document's title and the customer's name, address and account.
    fn header(&mut self, title: &str, account: &str, customer: &Customer) {
        self.fill(BLUE);
        self.text(LEFT, 740.0, 22.0, true, "Enerpro");
        self.fill((0.0, 0.0, 0.0));
        self.text_right(RIGHT, 742.0, 16.0, true, title);
        self.text(LEFT, 705.0, 11.0, true, &customer.name);
        self.text(LEFT, 690.0, 10.0, false, &customer.service_address);
        let account = format!("{account}  {}", customer.account_number);
        self.text(LEFT, 675.0, 10.0, false, &account);
        self.rule(662.0);
    }

    fn fill(&mut self, (r, g, b): (f32, f32, f32)) {
        self.content.set_fill_rgb(r, g, b);
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let font = if bold { BOLD } else { REGULAR };
        self.content
            .begin_text()
            .set_font(Name(font), size)
            .next_line(x, y)
            .show(Str(&win_ansi(text)))
            .end_text();
    }

    /// Text that ends at `right`.
    fn text_right(&mut self, right: f32, y: f32, size: f32, bold: bool, text: &str) {
        self.text(right - width(text, size), y, size, bold, text);
    }

    /// A rule under the lines above `y`, then the total below it.
    fn total(&mut self, y: f32, label: &str, amount: &Money) {
        self.rule(y + 8.0);
        self.text(LEFT, y - 6.0, 12.0, true, label);
        self.text_right(RIGHT, y - 6.0, 12.0, true, &amount.display());
    }

    /// A thin grey line across the page at `y`.
    fn rule(&mut self, y: f32) {
        self.content
            .set_stroke_rgb(0.7, 0.7, 0.7)
            .set_line_width(0.5)
            .move_to(LEFT, y)
            .line_to(RIGHT, y)
            .stroke();
    }

    /// Bars of monthly kWh, tallest 120 pt, each labelled with its month and value, below `top`.
    fn chart(&mut self, top: f32, months: &[MonthTotal], language: Language) {
        let base = top - 150.0;
        let most = months.iter().map(|(_, wh)| *wh).max().unwrap_or(0).max(1) as f32;
        let slot = (RIGHT - LEFT) / months.len().max(1) as f32;
        for (index, (month, wh)) in months.iter().enumerate() {
            let x = LEFT + slot * index as f32;
            let height = 120.0 * (*wh as f32) / most;
            self.fill(BLUE);
            self.content
                .rect(x + 4.0, base, slot - 8.0, height)
                .fill_nonzero();
            self.fill((0.0, 0.0, 0.0));
            let kwh = (wh / 1000).to_string();
            let label = month_label(month, language);
            let center = x + slot / 2.0;
            self.text(
                center - width(&kwh, 7.0) / 2.0,
                base + height + 3.0,
                7.0,
                false,
                &kwh,
            );
            self.text(
                center - width(&label, 7.0) / 2.0,
                base - 10.0,
                7.0,
                false,
                &label,
            );
        }
    }

    /// The document: one page with both fonts, and its title.
    fn finish(self, title: &str) -> Vec<u8> {
        let (catalog, tree, page, contents, regular, bold, info) = (
            Ref::new(1),
            Ref::new(2),
            Ref::new(3),
            Ref::new(4),
            Ref::new(5),
            Ref::new(6),
            Ref::new(7),
        );
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree).kids([page]).count(1);
        let mut writer = pdf.page(page);
        writer
            .media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1))
            .parent(tree)
            .contents(contents);
        writer
            .resources()
            .fonts()
            .pair(Name(REGULAR), regular)
            .pair(Name(BOLD), bold);
        writer.finish();
        for (id, name) in [(regular, "Helvetica"), (bold, "Helvetica-Bold")] {
            pdf.type1_font(id)
                .base_font(Name(name.as_bytes()))
                .encoding_predefined(Name(b"WinAnsiEncoding"));
        }
        let stream = self.content.finish();
        pdf.stream(contents, &stream);
        pdf.document_info(info)
            .title(TextStr(title))
            .creator(TextStr("Enerpro"));
        pdf.finish()
    }
}

const REGULAR: &[u8] = b"F1";
const BOLD: &[u8] = b"F2";

/// The text in WinAnsiEncoding (Windows-1252): Latin-1 as it is, a few typographic characters
/// at their places, `?` for the rest.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' | '\u{A0}'..='\u{FF}' => c as u8,
            '€' => 0x80,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

/// The width of `text` in Helvetica at `size` (its metrics for ASCII; 556/1000 em otherwise).
fn width(text: &str, size: f32) -> f32 {
    const ASCII: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
        556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,
        722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
        667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
        556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
        500, 334, 260, 334, 584,
    ];
    let units: u32 = text
        .chars()
        .map(|c| {
            let index = (c as usize).wrapping_sub(32);
            u32::from(ASCII.get(index).copied().unwrap_or(556))
        })
        .sum();
    units as f32 * size / 1000.0
}

/// A chart label for `YYYY-MM`: `Oct 26`, `oct 26`.
fn month_label(month: &str, language: Language) -> String {
    let index = month.get(5..7).and_then(|m| m.parse::<usize>().ok());
    match index {
        Some(index @ 1..=12) => {
            let name: String = month_name(language, index).chars().take(3).collect();
            format!("{name} {}", month.get(2..4).unwrap_or_default())
        }
        _ => month.to_owned(),
    }
}

/// The words of both documents in one language.
struct Words {
    account: &'static str,
    bill: &'static str,
    receipt: &'static str,
    period: &'static str,
    issued: &'static str,
    due: &'static str,
    charges: &'static str,
    total: &'static str,
    reads: &'static str,
    meter: &'static str,
    previous: &'static str,
    current: &'static str,
    actual: &'static str,
    estimated: &'static str,
    usage: &'static str,
    number: &'static str,
    paid_on: &'static str,
    card: &'static str,
    transaction: &'static str,
    bills_paid: &'static str,
    total_paid: &'static str,
}

impl Words {
    fn of(language: Language) -> &'static Self {
        match language {
            Language::English => &ENGLISH,
            Language::Spanish => &SPANISH,
        }
    }
}

static ENGLISH: Words = Words {
    account: "Account",
    bill: "Bill",
    receipt: "Receipt",
    period: "Period",
    issued: "Issued",
    due: "Due date",
    charges: "Charges",
    total: "Total due",
    reads: "Meter reads",
    meter: "Meter",
    previous: "previous",
    current: "current",
    actual: "actual",
    estimated: "estimated",
    usage: "Your usage, last 13 months (kWh)",
    number: "Receipt number",
    paid_on: "Paid on",
    card: "Card",
    transaction: "Transaction",
    bills_paid: "Bills paid",
    total_paid: "Total paid",
};

static SPANISH: Words = Words {
    account: "Cuenta",
    bill: "Factura",
    receipt: "Recibo",
    period: "Periodo",
    issued: "Emitida",
    due: "Vencimiento",
    charges: "Cargos",
    total: "Total a pagar",
    reads: "Lecturas del medidor",
    meter: "Medidor",
    previous: "anterior",
    current: "actual",
    actual: "real",
    estimated: "estimada",
    usage: "Su consumo, últimos 13 meses (kWh)",
    number: "Número de recibo",
    paid_on: "Pagado el",
    card: "Tarjeta",
    transaction: "Transacción",
    bills_paid: "Facturas pagadas",
    total_paid: "Total pagado",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_written_in_win_ansi() {
        assert_eq!(win_ansi("María €5 – ok"), b"Mar\xEDa \x805 \x96 ok");
        assert_eq!(win_ansi("東京"), b"??");
    }

    #[test]
    fn chart_months_are_labelled_short() {
        assert_eq!(month_label("2026-03", Language::Spanish), "Mar 26");
        assert_eq!(month_label("not a month", Language::English), "not a month");
    }

    #[test]
    fn digits_are_as_wide_as_each_other() {
        assert_eq!(width("1234", 10.0), width("9999", 10.0));
        assert!(width("W", 10.0) > width("i", 10.0));
    }
}
