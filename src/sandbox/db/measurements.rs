//! SQL on the `measurements` table.

use super::handle::Db;

impl Db<'_> {
    /// Newest-first `(seq, body)` rows, optionally for one account and/or meter, older than the
    /// keyset position `before`, at most `limit`. Each page walks an index (or the rowid)
    /// backwards from `before` and stops after `limit` rows; it never sorts the table.
    pub fn list_measurements(
        &self,
        account: Option<&str>,
        meter: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> rusqlite::Result<Vec<(i64, String)>> {
        let sql = list_sql(account.is_some(), meter.is_some(), before.is_some());
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&self.org];
        args.extend(account.as_ref().map(|a| a as &dyn rusqlite::ToSql));
        args.extend(meter.as_ref().map(|m| m as &dyn rusqlite::ToSql));
        args.extend(before.as_ref().map(|b| b as &dyn rusqlite::ToSql));
        let limit = limit as i64;
        args.push(&limit);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(args.as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    }
}

/// The listing query for the filters present. With an account it walks `measurements_account`,
/// with only a meter `measurements_meter` (both end in the rowid, so rows come out in `seq`
/// order); with neither, the rowid itself (`+org` keeps SQLite off the `(org, uid)` index, which
/// would need a sort).
fn list_sql(account: bool, meter: bool, before: bool) -> String {
    let mut sql = String::from("SELECT seq, json(body) FROM measurements WHERE ");
    sql.push_str(if account || meter {
        "org = ?"
    } else {
        "+org = ?"
    });
    if account {
        sql.push_str(" AND account = ?");
    }
    if meter {
        sql.push_str(if account {
            " AND +meter = ?"
        } else {
            " AND meter = ?"
        });
    }
    if before {
        sql.push_str(" AND seq < ?");
    }
    sql.push_str(" ORDER BY seq DESC LIMIT ?");
    sql
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::db::Store;

    #[test]
    fn every_listing_walks_an_index_without_sorting() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(&dir.path().join("m.db")).unwrap();
        store
            .read("org", |db| -> rusqlite::Result<()> {
                for bits in 0..8 {
                    let sql = list_sql(bits & 1 != 0, bits & 2 != 0, bits & 4 != 0);
                    let mut stmt = db.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let n = stmt.parameter_count();
                    let plan: Vec<String> = stmt
                        .query_map(rusqlite::params_from_iter((0..n).map(|_| "x")), |r| {
                            r.get::<_, String>(3)
                        })?
                        .collect::<rusqlite::Result<_>>()?;
                    let plan = plan.join(" | ");
                    assert!(!plan.contains("TEMP B-TREE"), "{sql}: {plan}");
                    assert!(!plan.contains("measurements_uid"), "{sql}: {plan}");
                }
                Ok(())
            })
            .unwrap();
    }
}
