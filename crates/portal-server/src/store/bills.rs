//! Bills.

use super::Store;
use crate::error::ServerError;
use portal_api::v1::{
    Bill, BillDetail, BillLine, BillStatus, ImportReport, ImportedBill, ImportedMeter, MeterRead,
    Money, Period, ReadingsReport,
};
use rusqlite::{Connection, OptionalExtension, params};

impl Store {
    /// Inserts `count` outstanding USD 10.00 bills `bill_load_N` for a load-test customer, in one
    /// transaction.
    pub fn insert_bills_in_bulk(
        &mut self,
        customer_id: i64,
        count: u32,
    ) -> Result<(), ServerError> {
        let tx = self.write()?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO bills (id, customer_id, period_start, period_end, issue_date, due_date, amount_minor, currency)
                 VALUES (?1, ?2, '2026-10-01', '2026-10-31', '2026-11-03', '2026-11-24', 1000, 'USD')
                 ON CONFLICT (id) DO NOTHING",
            )?;
            for index in 0..count {
                insert.execute(params![format!("bill_load_{index}"), customer_id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks seeded historical bills paid without a payment (paid before the portal existed).
    pub fn mark_bill_paid_historically(&self, bill_id: &str) -> Result<(), ServerError> {
        self.conn.execute(
            "UPDATE bills SET paid_by = 'historical' WHERE id = ?1 AND paid_by IS NULL",
            [bill_id],
        )?;
        Ok(())
    }

    /// A customer's bills, newest period first; only outstanding and processing ones if asked.
    pub fn bills(&self, customer_id: i64, unpaid_only: bool) -> Result<Vec<Bill>, ServerError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT b.id, b.period_start, b.period_end, b.issue_date, b.due_date, b.amount_minor,
                    b.currency, b.paid_by IS NOT NULL,
                    EXISTS (SELECT 1 FROM payment_bills pb JOIN payments p ON p.id = pb.payment_id
                            WHERE pb.bill_id = b.id AND p.status = ?3)
             FROM bills b WHERE b.customer_id = ?1 AND (?2 = 0 OR b.paid_by IS NULL)
             ORDER BY b.period_start DESC, b.id",
        )?;
        let processing = super::StoredStatus::PROCESSING;
        let rows = statement.query_map(params![customer_id, unpaid_only, processing], |row| {
            let paid: bool = row.get(7)?;
            let processing: bool = row.get(8)?;
            Ok(Bill {
                id: row.get(0)?,
                period: Period {
                    start: row.get(1)?,
                    end: row.get(2)?,
                },
                issue_date: row.get(3)?,
                due_date: row.get(4)?,
                amount: Money {
                    amount_minor: row.get(5)?,
                    currency: row.get(6)?,
                },
                status: if paid {
                    BillStatus::Paid
                } else if processing {
                    BillStatus::Processing
                } else {
                    BillStatus::Outstanding
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A bill of `customer_id` with its lines; `None` when the customer has no such bill.
    pub fn bill_detail(
        &self,
        customer_id: i64,
        bill_id: &str,
    ) -> Result<Option<BillDetail>, ServerError> {
        let Some(bill) = self
            .bills(customer_id, false)?
            .into_iter()
            .find(|bill| bill.id == bill_id)
        else {
            return Ok(None);
        };
        let lines = bill_lines(&self.conn, &bill.id, &bill.amount.currency)?;
        let reads = bill_reads(&self.conn, &bill.id)?;
        let last_year_kwh = self.year_before_kwh(customer_id, &bill.period)?;
        Ok(Some(BillDetail {
            bill,
            lines,
            reads,
            last_year_kwh,
        }))
    }

    /// The kWh of `customer_id`'s meters over `period`'s days (UTC) a year before, if at least
    /// nine hours in ten of them were read.
    fn year_before_kwh(
        &self,
        customer_id: i64,
        period: &Period,
    ) -> Result<Option<i64>, ServerError> {
        let (sum, read, hours): (Option<i64>, i64, i64) = self.conn.query_row(
            "SELECT SUM(r.wh), COUNT(DISTINCT r.start) FILTER (WHERE r.wh IS NOT NULL),
                    (unixepoch(?3, '+1 day', '-1 year') - unixepoch(?2, '-1 year')) / 3600
             FROM readings r JOIN meters m ON m.id = r.meter_id
             WHERE m.customer_id = ?1
               AND r.start >= unixepoch(?2, '-1 year')
               AND r.start < unixepoch(?3, '+1 day', '-1 year')",
            params![customer_id, period.start, period.end],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        Ok(sum
            .filter(|_| hours > 0 && read * 10 >= hours * 9)
            .map(|wh| wh / 1000))
    }

    /// Imports `bills` and `meters` (each with its customer's row id) all or none, in one
    /// transaction: a new bill is inserted with its lines, one imported before with the same
    /// content is left as it is; a new meter is added. With `tell` (the time now), each new bill
    /// is a "new bill" notification for its customer (the demo's history is not). Answers the report, or what conflicts:
    /// a bill id that exists with other content, a meter id of another account (then nothing is
    /// written).
    pub fn import(
        &mut self,
        bills: &[(i64, &ImportedBill)],
        meters: &[(i64, &ImportedMeter)],
        tell: Option<i64>,
    ) -> Result<Result<ImportReport, ImportConflict>, ServerError> {
        let tx = self.write()?;
        let mut report = ImportReport {
            bills_created: 0,
            bills_unchanged: 0,
            meters_created: 0,
        };
        for (index, (customer_id, meter)) in meters.iter().enumerate() {
            let owner: Option<i64> = tx
                .query_row(
                    "SELECT customer_id FROM meters WHERE id = ?1",
                    [&meter.id],
                    |row| row.get(0),
                )
                .optional()?;
            match owner {
                Some(owner) if owner == *customer_id => {}
                Some(_) => return Ok(Err(ImportConflict::Meter(index))),
                None => {
                    tx.execute(
                        "INSERT INTO meters (id, customer_id) VALUES (?1, ?2)",
                        params![meter.id, customer_id],
                    )?;
                    report.meters_created += 1;
                }
            }
        }
        for (index, (customer_id, bill)) in bills.iter().enumerate() {
            match stored_content(&tx, &bill.id)? {
                Some(stored) if stored == content(*customer_id, bill) => {
                    report.bills_unchanged += 1;
                }
                Some(_) => return Ok(Err(ImportConflict::Bill(index))),
                None => {
                    insert_bill_row(
                        &tx,
                        *customer_id,
                        &bill.id,
                        &bill.period,
                        (&bill.issue_date, &bill.due_date),
                        &bill.amount,
                    )?;
                    let mut insert = tx.prepare_cached(
                        "INSERT INTO bill_lines (bill_id, position, description, quantity, unit, amount_minor)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?;
                    for (position, line) in (0_i64..).zip(&bill.lines) {
                        insert.execute(params![
                            bill.id,
                            position,
                            line.description,
                            line.quantity,
                            line.unit,
                            line.amount.amount_minor
                        ])?;
                    }
                    let mut insert_read = tx.prepare_cached(
                        "INSERT INTO bill_reads (bill_id, position, meter_id, previous, current, estimated)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?;
                    for (position, read) in (0_i64..).zip(&bill.reads) {
                        insert_read.execute(params![
                            bill.id,
                            position,
                            read.meter_id,
                            read.previous,
                            read.current,
                            read.estimated
                        ])?;
                    }
                    if let Some(now) = tell {
                        let event = super::Event {
                            customer_id: *customer_id,
                            kind: portal_api::v1::NotificationKind::NewBill,
                            bill_id: Some(bill.id.clone()),
                            payment_id: None,
                            amount: bill.amount.clone(),
                            due_date: Some(bill.due_date.clone()),
                        };
                        super::notifications::notify(&tx, &event, now)?;
                    }
                    report.bills_created += 1;
                }
            }
        }
        tx.commit()?;
        Ok(Ok(report))
    }
}

/// What refused an import: the bill or the meter at this index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportConflict {
    /// A bill id imported before with other content.
    Bill(usize),
    /// A meter id that measures another account.
    Meter(usize),
}

/// One hourly reading, checked: its meter, its start (Unix seconds, on the hour), watt-hours
/// (none when missing) and quality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The meter.
    pub meter_id: String,
    /// The hour it starts.
    pub start: i64,
    /// Watt-hours, absent for a missing reading.
    pub wh: Option<i64>,
    /// `actual`, `estimated` or `missing`.
    pub quality: &'static str,
}

impl Store {
    /// Whether any reading of `meter_id` is stored.
    pub fn meter_has_readings(&self, meter_id: &str) -> Result<bool, ServerError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM readings WHERE meter_id = ?1)",
            [meter_id],
            |row| row.get(0),
        )?)
    }

    /// The account (customer row id) a meter measures.
    pub fn meter_customer(&self, meter_id: &str) -> Result<Option<i64>, ServerError> {
        Ok(self
            .conn
            .query_row(
                "SELECT customer_id FROM meters WHERE id = ?1",
                [meter_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Imports readings all or none, in one transaction: a new hour is inserted, one imported
    /// before with the same value and quality is left. Answers the report, or the index of a
    /// reading whose hour was imported before with another value (then nothing is written).
    pub fn import_readings(
        &mut self,
        readings: &[Reading],
    ) -> Result<Result<ReadingsReport, usize>, ServerError> {
        let tx = self.write()?;
        let mut report = ReadingsReport {
            readings_created: 0,
            readings_unchanged: 0,
        };
        {
            let mut find = tx.prepare_cached(
                "SELECT wh, quality FROM readings WHERE meter_id = ?1 AND start = ?2",
            )?;
            // New hours are the usual case: insert, and compare only when the hour was there.
            let mut insert = tx.prepare_cached(
                "INSERT INTO readings (meter_id, start, wh, quality) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (meter_id, start) DO NOTHING",
            )?;
            for (index, reading) in readings.iter().enumerate() {
                let inserted = insert.execute(params![
                    reading.meter_id,
                    reading.start,
                    reading.wh,
                    reading.quality
                ])?;
                if inserted == 1 {
                    report.readings_created += 1;
                    continue;
                }
                let (wh, quality): (Option<i64>, String) = find
                    .query_row(params![reading.meter_id, reading.start], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })?;
                if wh == reading.wh && quality == reading.quality {
                    report.readings_unchanged += 1;
                } else {
                    return Ok(Err(index));
                }
            }
        }
        tx.commit()?;
        Ok(Ok(report))
    }
}

/// Inserts a bill row unless its id exists; `dates` are its issue and due dates.
fn insert_bill_row(
    conn: &Connection,
    customer_id: i64,
    id: &str,
    period: &Period,
    dates: (&str, &str),
    amount: &Money,
) -> Result<(), ServerError> {
    conn.execute(
        "INSERT INTO bills (id, customer_id, period_start, period_end, issue_date, due_date,
                            amount_minor, currency)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
        params![
            id,
            customer_id,
            period.start,
            period.end,
            dates.0,
            dates.1,
            amount.amount_minor,
            amount.currency
        ],
    )?;
    Ok(())
}

/// What makes an imported bill the same bill: its customer, every field, every line and read.
type BillContent = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    String,
    Vec<BillLine>,
    Vec<MeterRead>,
);

fn content(customer_id: i64, bill: &ImportedBill) -> BillContent {
    (
        customer_id,
        bill.period.start.clone(),
        bill.period.end.clone(),
        bill.issue_date.clone(),
        bill.due_date.clone(),
        bill.amount.amount_minor,
        bill.amount.currency.clone(),
        bill.lines.clone(),
        bill.reads.clone(),
    )
}

/// The content of the stored bill `bill_id`, if there is one.
fn stored_content(conn: &Connection, bill_id: &str) -> Result<Option<BillContent>, ServerError> {
    let row = conn
        .query_row(
            "SELECT customer_id, period_start, period_end, issue_date, due_date, amount_minor, currency
             FROM bills WHERE id = ?1",
            [bill_id],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, i64>(5)?,
                    row.get::<_, String>(6)?,
                ))
            },
        )
        .optional()?;
    let Some((customer, start, end, issued, due, amount, currency)) = row else {
        return Ok(None);
    };
    let lines = bill_lines(conn, bill_id, &currency)?;
    let reads = bill_reads(conn, bill_id)?;
    Ok(Some((
        customer, start, end, issued, due, amount, currency, lines, reads,
    )))
}

/// The meter reads of bill `bill_id`, in order.
fn bill_reads(conn: &Connection, bill_id: &str) -> Result<Vec<MeterRead>, ServerError> {
    let mut statement = conn.prepare_cached(
        "SELECT meter_id, previous, current, estimated FROM bill_reads
         WHERE bill_id = ?1 ORDER BY position",
    )?;
    let rows = statement.query_map([bill_id], |row| {
        Ok(MeterRead {
            meter_id: row.get(0)?,
            previous: row.get(1)?,
            current: row.get(2)?,
            estimated: row.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The lines of bill `bill_id`, in order, in its `currency`.
fn bill_lines(
    conn: &Connection,
    bill_id: &str,
    currency: &str,
) -> Result<Vec<BillLine>, ServerError> {
    let mut statement = conn.prepare_cached(
        "SELECT description, quantity, unit, amount_minor FROM bill_lines
         WHERE bill_id = ?1 ORDER BY position",
    )?;
    let rows = statement.query_map([bill_id], |row| {
        Ok(BillLine {
            description: row.get(0)?,
            quantity: row.get(1)?,
            unit: row.get(2)?,
            amount: Money {
                amount_minor: row.get(3)?,
                currency: currency.to_owned(),
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Store {
    /// Up to `limit` settled payments after the feed position `after` (0: from the start), in
    /// the order they settled, with the position of the last one.
    pub fn settled_payments(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<(Vec<portal_api::v1::SettledPayment>, Option<i64>), ServerError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT r.rowid, r.payment_id, c.account_number, r.total_minor, r.currency,
                    r.transaction_id, r.issued_at
             FROM receipts r JOIN customers c ON c.id = r.customer_id
             WHERE r.rowid > ?1 ORDER BY r.rowid LIMIT ?2",
        )?;
        let rows = statement
            .query_map(params![after, limit], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    Money {
                        amount_minor: row.get(3)?,
                        currency: row.get(4)?,
                    },
                    row.get::<_, String>(5)?,
                    row.get::<_, i64>(6)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut bills = self.conn.prepare_cached(
            "SELECT bill_id FROM payment_bills WHERE payment_id = ?1 ORDER BY bill_id",
        )?;
        let mut last = None;
        let mut payments = Vec::with_capacity(rows.len());
        for (position, payment_id, account_number, amount, transaction_id, paid_at) in rows {
            let bill_ids = bills
                .query_map([&payment_id], |row| row.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            last = Some(position);
            payments.push(portal_api::v1::SettledPayment {
                payment_id,
                account_number,
                bill_ids,
                amount,
                transaction_id,
                paid_at: crate::clock::rfc3339(paid_at),
            });
        }
        Ok((payments, last))
    }
}

impl Store {
    /// The monthly totals (`YYYY-MM`, watt-hours; UTC months) of every meter of `customer_id`
    /// for the hours in `from..to`, oldest first; a month without readings is left out.
    pub fn monthly_usage(
        &self,
        customer_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<(String, i64)>, ServerError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT strftime('%Y-%m', r.start, 'unixepoch') AS month, SUM(r.wh)
             FROM readings r JOIN meters m ON m.id = r.meter_id
             WHERE m.customer_id = ?1 AND r.start >= ?2 AND r.start < ?3 AND r.wh IS NOT NULL
             GROUP BY month ORDER BY month",
        )?;
        let rows = statement.query_map(params![customer_id, from, to], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The hourly readings of every meter of `customer_id` whose hour starts in `from..to`
    /// (Unix seconds), meters by id, hours oldest first.
    pub fn readings(
        &self,
        customer_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<portal_api::v1::MeterReadings>, ServerError> {
        let mut meters = self
            .conn
            .prepare_cached("SELECT id FROM meters WHERE customer_id = ?1 ORDER BY id")?;
        let ids = meters
            .query_map([customer_id], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        let mut hours = self.conn.prepare_cached(
            "SELECT start, wh, quality FROM readings
             WHERE meter_id = ?1 AND start >= ?2 AND start < ?3 ORDER BY start",
        )?;
        let mut answer = Vec::with_capacity(ids.len());
        for meter_id in ids {
            let readings = hours
                .query_map(params![meter_id, from, to], |row| {
                    Ok(portal_api::v1::HourReading {
                        start: row.get(0)?,
                        wh: row.get(1)?,
                        quality: row.get(2)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            answer.push(portal_api::v1::MeterReadings { meter_id, readings });
        }
        Ok(answer)
    }
}
