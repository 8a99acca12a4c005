//! Bills.

use super::Store;
use crate::error::ServerError;
use portal_api::v1::{Bill, BillStatus, Money, Period};
use rusqlite::params;

impl Store {
    /// Inserts a bill unless its id exists; `paid` bills get a historical paid marker.
    pub fn insert_bill(&self, customer_id: i64, bill: &Bill) -> Result<(), ServerError> {
        self.conn.execute(
            "INSERT INTO bills (id, customer_id, period_start, period_end, issue_date, due_date,
                                amount_minor, currency)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
            params![
                bill.id,
                customer_id,
                bill.period.start,
                bill.period.end,
                bill.issue_date,
                bill.due_date,
                bill.amount.amount_minor,
                bill.amount.currency
            ],
        )?;
        Ok(())
    }

    /// Inserts `count` outstanding USD 10.00 bills `bill_load_N` for a load-test customer, in one
    /// transaction.
    pub fn insert_bills_in_bulk(
        &mut self,
        customer_id: i64,
        count: u32,
    ) -> Result<(), ServerError> {
        let tx = self.conn.transaction()?;
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
}
