//! The asynchronous enrichment stage: a background thread that takes acknowledged batches from
//! the [`IngestQueue`] in arrival order and checks each measurement against the organization,
//! storing valid ones (with derived values, auto-creating unknown accounts) and raising an
//! `ingest.validation.failure` event for each failure.
//!
//! Exactly once: a run of batches is enriched in one transaction on the main database that
//! also records the last batch's `seq` ([`Db::set_enriched_through`]); a crash before COMMIT
//! redoes the run, a crash after it finds the mark. The queue forgets batches only below the
//! mark.
//!
//! Decisions:
//! - `DuplicateUid`: a `uid` stored less than 35 days ago (by the earlier one's ingest time);
//!   an older holder gives the `uid` up and the new measurement is stored;
//! - `InvalidAccountCode` ("closely matching"): no account has exactly the code, and one has it
//!   equal ignoring ASCII case (`acme` vs `ACME`): nothing is stored and nothing auto-created;
//! - checks run in the order UndefinedMeter, DuplicateField, MissingField, DuplicateUid,
//!   InvalidAccountCode; the first failure is reported; CalculationError comes after storing;
//! - an event's `resourceId` is the meter's id (when the meter exists) and `accountId` the
//!   account's (when it exists); `eventType` is the failure type;
//! - `--strict-ingest` runs the same code synchronously inside the request ([`Mode::Strict`])
//!   with the sandbox's earlier rules: meter errors answer 400, fields may be left out, a
//!   duplicate `uid` is skipped silently and codes are never "closely matched".
//!
//! This layer stands on `db` and the domain rules only; the HTTP layer drives it.

use crate::m3ter::rules::{self, IngestFault};
use crate::m3ter::*;
use crate::sandbox::db::{
    Cols, Db, EnrichedRow, IngestQueue, Kind, NewEvent, RawBatch, RollupAcc, Store,
};
use crate::sandbox::SANDBOX_USER_ID;
use rand::RngCore;
use rusqlite::Result;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How long a `uid` blocks another measurement with the same `uid`.
pub const DUPLICATE_UID_WINDOW_DAYS: i64 = 35;
/// Bodies read from the queue per enrichment transaction (about 14,000 measurements): a larger
/// run writes each index page it changes once for more measurements (measured: ~15 % less CPU
/// per measurement than 1 MiB runs), yet the writer is free again within a few hundred ms for
/// an account edit (reads never wait for it).
const RUN_BYTES: usize = 2 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Async,
    Strict,
}

/// The enrichment thread's wake-up bell and stop flag.
#[derive(Default)]
pub struct Bell {
    rung: Mutex<bool>,
    cv: Condvar,
    stop: AtomicBool,
}

impl Bell {
    pub fn ring(&self) {
        *self.rung.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.cv.notify_all();
    }

    fn wait(&self, timeout: Duration) {
        let mut r = self.rung.lock().unwrap_or_else(|p| p.into_inner());
        if !*r {
            r = self
                .cv
                .wait_timeout(r, timeout)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        *r = false;
    }
}

/// Stops the enrichment thread when the last handle is dropped (the server stopped).
pub struct WorkerGuard(pub Arc<Bell>);

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        self.0.stop.store(true, Ordering::SeqCst);
        self.0.ring();
    }
}

/// Starts the enrichment thread.
pub fn spawn_worker(store: Arc<Store>, queue: Arc<IngestQueue>, org: String, bell: Arc<Bell>) {
    std::thread::Builder::new()
        .name("sandbox-enrich".into())
        .spawn(move || {
            lower_priority(ENRICH_NICE);
            worker_loop(&store, &queue, &org, &bell)
        })
        .expect("spawning the enrichment thread");
}

/// Sets the calling thread's nice value (Linux; elsewhere a no-op). Enrichment is background
/// work: on a busy machine (an ingest running while the TUI reads) the scheduler serves
/// requests first.
pub fn lower_priority(nice: i32) {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on the calling thread's own id changes only its scheduling weight.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, nice);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}

/// The enrichment thread's nice value (0 normal, 19 lowest). Measured with
/// `BENCH_ONLY=reads cargo bench --bench sandbox`: a 100-account page's p99 while 4 clients
/// ingest went from 4.8–11.9 ms at nice 0 to 0.3–1.8 ms at nice 10, and acknowledgements got
/// faster too; the enrichment catches up when the machine is idle.
const ENRICH_NICE: i32 = 10;

fn worker_loop(store: &Store, queue: &IngestQueue, org: &str, bell: &Bell) {
    loop {
        if bell.stop.load(Ordering::SeqCst) {
            return;
        }
        match run_once(store, queue, org) {
            Ok(true) => continue,
            Ok(false) => bell.wait(Duration::from_secs(1)),
            Err(e) => {
                tracing::error!("enrichment failed, retrying in 1 s: {e}");
                bell.wait(Duration::from_secs(1));
            }
        }
    }
}

/// Enriches every batch in the queue (at start, before serving).
pub fn drain_backlog(store: &Store, queue: &IngestQueue, org: &str) -> Result<()> {
    while run_once(store, queue, org)? {}
    Ok(())
}

/// Enriches one run of batches; false when there was nothing to do.
pub fn run_once(store: &Store, queue: &IngestQueue, org: &str) -> Result<bool> {
    let mark = store.read(org, |db| db.enriched_through())?;
    let batches = queue.after(mark, RUN_BYTES)?;
    let Some(last) = batches.last().map(|b| b.seq) else {
        return Ok(false);
    };
    store.write(org, |db| {
        let mut cache = Cache::default();
        for b in &batches {
            enrich_batch(db, b, &mut cache)?;
        }
        db.rollup_flush(&mut cache.rollup)?;
        db.set_enriched_through(last)
    })?;
    queue.prune(last)?;
    Ok(true)
}

/// Per-transaction lookups (meters by code, accounts by code) and the usage rollups of the
/// measurements stored, which the caller flushes before committing.
#[derive(Default)]
pub struct Cache {
    meters: HashMap<String, Option<Meter>>,
    accounts: HashMap<String, AccountRef>,
    pub rollup: RollupAcc,
}

#[derive(Clone)]
enum AccountRef {
    Id(String),
    /// No exact match; this code matches closely.
    Close(String),
    Unknown,
}

impl Cache {
    fn meter(&mut self, db: Db, code: &str) -> Result<Option<&Meter>> {
        if !self.meters.contains_key(code) {
            let m = db
                .get_by_code(Kind::Meter, code)?
                .and_then(|b| serde_json::from_str::<Meter>(&b).ok());
            self.meters.insert(code.to_string(), m);
        }
        Ok(self.meters[code].as_ref())
    }

    fn account(&mut self, db: Db, code: &str, mode: Mode) -> Result<AccountRef> {
        if let Some(a) = self.accounts.get(code) {
            return Ok(a.clone());
        }
        let a = match db.id_for_code(Kind::Account, code)? {
            Some(id) => AccountRef::Id(id),
            None if mode == Mode::Async => match db.account_code_like(code)? {
                Some(other) => AccountRef::Close(other),
                None => AccountRef::Unknown,
            },
            None => AccountRef::Unknown,
        };
        self.accounts.insert(code.to_string(), a.clone());
        Ok(a)
    }
}

fn enrich_batch(db: Db, batch: &RawBatch, cache: &mut Cache) -> Result<()> {
    if batch.org != db.org {
        tracing::warn!("batch {} is for another organization; skipped", batch.seq);
        return Ok(());
    }
    let items = batch_items(&batch.body);
    let job = batch.source.strip_prefix("upload:");
    let (mut processed, mut failed) = (0i64, 0i64);
    for item in &items {
        processed += 1;
        let ok = match rules::check_request(item) {
            Ok(m) => {
                enrich_one(db, &m, item, &batch.received, cache, Mode::Async)? == Outcome::Stored
            }
            // The request stage let it through when it was acknowledged; a row that fails it
            // now can only come from a damaged queue: count it, never drop silently.
            Err(e) => {
                tracing::warn!(
                    "batch {}: a measurement fails the request checks: {e}",
                    batch.seq
                );
                false
            }
        };
        if !ok {
            failed += 1;
        }
    }
    if let Some(job) = job {
        db.job_progress(job, processed, failed)?;
    }
    Ok(())
}

/// The measurements of a queued body (`{"measurements": [...]}`); empty when unreadable.
fn batch_items(body: &[u8]) -> Vec<Value> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut o)) => match o.remove("measurements") {
            Some(Value::Array(a)) => a,
            _ => Vec::new(),
        },
        _ => {
            tracing::error!("an acknowledged batch is not readable JSON; skipped");
            Vec::new()
        }
    }
}

/// What became of one measurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Stored,
    /// Not stored; in [`Mode::Async`] its event is raised.
    Dropped(IngestFault),
    /// A duplicate `uid` in [`Mode::Strict`]: skipped silently.
    Skipped,
}

/// Checks one measurement against the org and stores it, or raises its event (in
/// [`Mode::Strict`] a failure raises nothing: the caller answers 400).
pub fn enrich_one(
    db: Db,
    m: &Measurement,
    original: &Value,
    received: &str,
    cache: &mut Cache,
    mode: Mode,
) -> Result<Outcome> {
    match check(db, m, cache, mode)? {
        Err(fault) => {
            if mode == Mode::Strict {
                if fault.kind == IngestFailureType::DuplicateUid {
                    return Ok(Outcome::Skipped);
                }
                return Ok(Outcome::Dropped(fault));
            }
            raise(db, m, original, &fault, cache, mode)?;
            Ok(Outcome::Dropped(fault))
        }
        Ok((meter_id, account_id, enriched, derived_cats)) => {
            // Derived values go under their category; a failed one (null) is left out.
            let mut stored = m.clone();
            for (code, v) in &enriched.derived {
                let Some(cat) = derived_cats.get(code) else {
                    continue;
                };
                match v {
                    Value::Number(n) => {
                        if let Some(map) = stored.numbers_mut(*cat) {
                            map.insert(code.clone(), n.clone());
                        }
                    }
                    Value::String(t) => {
                        if let Some(map) = stored.strings_mut(*cat) {
                            map.insert(code.clone(), t.clone());
                        }
                    }
                    _ => {}
                }
            }
            let body = serde_json::to_string(&stored).expect("a measurement always encodes");
            let ts_ms = rules::parse_timestamp("ts", &m.ts)
                .map(|t| t.timestamp_millis())
                .unwrap_or_default();
            db.insert_enriched(&EnrichedRow {
                uid: m.uid.as_deref(),
                meter: &m.meter,
                meter_id: &meter_id,
                account: &m.account,
                account_id: &account_id,
                ts: &m.ts,
                ts_ms,
                received,
                body: &body,
            })?;
            let numeric = [
                DataFieldCategory::Measure,
                DataFieldCategory::Income,
                DataFieldCategory::Cost,
            ];
            cache.rollup.add(
                &meter_id,
                ts_ms,
                db.conn.last_insert_rowid(),
                numeric
                    .into_iter()
                    .filter_map(|c| stored.numbers(c).map(|m| (c.key(), m))),
            );
            if let Some(fault) = &enriched.calculation_error {
                raise(db, m, original, fault, cache, mode)?;
            }
            Ok(Outcome::Stored)
        }
    }
}

type Checked = (
    String,
    String,
    rules::Enriched,
    HashMap<String, DataFieldCategory>,
);

fn check(
    db: Db,
    m: &Measurement,
    cache: &mut Cache,
    mode: Mode,
) -> Result<std::result::Result<Checked, IngestFault>> {
    use IngestFailureType::*;
    let Some(meter) = cache.meter(db, &m.meter)? else {
        return Ok(Err(IngestFault::new(
            UndefinedMeter,
            Some("meter".into()),
            format!("no meter has the code {:?}", m.meter),
        )));
    };
    let enriched = match mode {
        Mode::Async => rules::check_against_meter(m, meter),
        // The sandbox's earlier synchronous rules, then the derived values.
        Mode::Strict => {
            let raw = serde_json::to_value(m).expect("a measurement always encodes");
            if let Err(e) = rules::check_measurement(&raw, |_| Some(meter)) {
                return Ok(Err(IngestFault::new(
                    MissingField,
                    Some(e.field),
                    e.message,
                )));
            }
            Ok(rules::derive(m, meter))
        }
    };
    let enriched = match enriched {
        Ok(e) => e,
        Err(f) => return Ok(Err(f)),
    };
    let meter_id = meter.id.clone();
    let derived_cats = meter
        .derived_fields
        .iter()
        .map(|d| (d.code.clone(), d.category))
        .collect();
    if let Some(uid) = &m.uid {
        if let Some((seq, at)) = db.uid_holder(uid)? {
            let cutoff = chrono::Utc::now() - chrono::Duration::days(DUPLICATE_UID_WINDOW_DAYS);
            let recent = chrono::DateTime::parse_from_rfc3339(&at)
                .map(|t| t > cutoff)
                .unwrap_or(true);
            if recent {
                return Ok(Err(IngestFault::new(
                    DuplicateUid,
                    Some("uid".into()),
                    format!("the uid {uid:?} was already ingested (at {at}); uids are unique for {DUPLICATE_UID_WINDOW_DAYS} days"),
                )));
            }
            db.release_uid(seq)?;
        }
    }
    let account_id = match cache.account(db, &m.account, mode)? {
        AccountRef::Id(id) => id,
        AccountRef::Close(other) => {
            return Ok(Err(IngestFault::new(
                InvalidAccountCode,
                Some("account".into()),
                format!(
                    "no account has the code {:?}, and it closely matches the account {other:?} (same letters, other case), so none was auto-created",
                    m.account
                ),
            )))
        }
        AccountRef::Unknown => {
            let a = auto_create(db, &m.account)?;
            cache
                .accounts
                .insert(m.account.clone(), AccountRef::Id(a.id.clone()));
            a.id
        }
    };
    Ok(Ok((meter_id, account_id, enriched, derived_cats)))
}

/// Stores the `ingest.validation.failure` event of `fault` and its downloadable log.
fn raise(
    db: Db,
    m: &Measurement,
    original: &Value,
    fault: &IngestFault,
    cache: &mut Cache,
    mode: Mode,
) -> Result<()> {
    let id = uuid::Uuid::new_v4().to_string();
    let time = now();
    let meter_id = cache.meter(db, &m.meter)?.map(|x| x.id.clone());
    let account_id = match cache.account(db, &m.account, mode)? {
        AccountRef::Id(id) => Some(id),
        _ => None,
    };
    let data = IngestFailure {
        failure_type: fault.kind.as_str().into(),
        message: fault.message.clone(),
        uid: m.uid.clone(),
        meter: Some(m.meter.clone()),
        account: Some(m.account.clone()),
        account_id: account_id.clone(),
        field: fault.field.clone(),
        get_download_url: Some(failed_ingest_file(&id)),
    };
    let body = json!({
        "eventName": INGEST_FAILURE_EVENT,
        "eventTime": time,
        "eventType": fault.kind.as_str(),
        "eventData": data,
    });
    let log = FailedIngestLog {
        event_id: id.clone(),
        failure_type: fault.kind.as_str().into(),
        message: fault.message.clone(),
        field: fault.field.clone(),
        measurement: original.clone(),
    };
    let log = serde_json::to_string(&log).expect("a log always encodes");
    db.insert_event(&NewEvent {
        id: &id,
        name: INGEST_FAILURE_EVENT,
        event_type: Some(fault.kind.as_str()),
        time: &time,
        account_id: account_id.as_deref(),
        resource_id: meter_id.as_deref(),
        body: &body.to_string(),
        log: Some(&log),
    })?;
    Ok(())
}

/// The `file` an ingest failure's event names for `getDownloadUrl`.
pub fn failed_ingest_file(event_id: &str) -> String {
    format!("failedIngest/{event_id}.json")
}

/// The event id inside a `file` made by [`failed_ingest_file`].
pub fn event_of_file(file: &str) -> Option<&str> {
    file.strip_prefix("failedIngest/")?.strip_suffix(".json")
}

/// RFC 3339 UTC with milliseconds, as every sandbox time.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The skeleton account m3ter creates for a measurement with an unknown account code.
pub fn auto_create(db: Db, code: &str) -> Result<Account> {
    let mut hash = [0u8; 8];
    rand::rng().fill_bytes(&mut hash);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    let t = now();
    let account = Account {
        id: uuid::Uuid::new_v4().to_string(),
        version: Some(1),
        code: Some(code.to_string()),
        name: Some(format!("{code}{AUTO_CREATED_NAME_SUFFIX}")),
        email_address: Some(format!("{hex}{AUTO_CREATED_EMAIL_SUFFIX}")),
        audit: Audit {
            dt_created: Some(t.clone()),
            dt_last_modified: Some(t),
            created_by: Some(SANDBOX_USER_ID.into()),
            last_modified_by: Some(SANDBOX_USER_ID.into()),
        },
        auto_created: Some(true),
        ..Default::default()
    };
    let body = serde_json::to_string(&account).expect("an account always encodes");
    let cols = Cols {
        id: account.id.clone(),
        code: code.to_string(),
        version: 1,
        ..Default::default()
    };
    db.insert(Kind::Account, &cols, &body)?;
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(uid: &str) -> Vec<u8> {
        json!({"measurements": [
            {"uid": uid, "meter": "no_meter", "account": "A", "ts": "2026-01-01T00:00:00Z"}
        ]})
        .to_string()
        .into_bytes()
    }

    fn events(store: &Store) -> Vec<String> {
        let f = crate::sandbox::db::EventFilter::default();
        store
            .read("o", |db| db.list_events(&f, None, 100))
            .unwrap()
            .into_iter()
            .map(|(_, e)| e.id)
            .collect()
    }

    #[test]
    fn batches_at_or_below_the_mark_are_never_enriched_again() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(&dir.path().join("s.db")).unwrap();
        let queue = IngestQueue::open(&dir.path().join("s.db.queue")).unwrap();
        for uid in ["u1", "u2"] {
            queue.append("o", &now(), "api", body(uid)).unwrap();
        }
        // As after a crash between the enrichment's COMMIT of batch 1 and the queue's prune.
        store.write("o", |db| db.set_enriched_through(1)).unwrap();
        drain_backlog(&store, &queue, "o").unwrap();
        assert_eq!(events(&store).len(), 1, "only batch 2 was enriched");
        assert_eq!(store.read("o", |db| db.enriched_through()).unwrap(), 2);
        assert!(queue.after(0, usize::MAX).unwrap().is_empty(), "pruned");
        drain_backlog(&store, &queue, "o").unwrap();
        assert_eq!(events(&store).len(), 1, "nothing twice");
    }

    #[test]
    fn another_orgs_batch_is_skipped_not_lost_silently() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(&dir.path().join("s.db")).unwrap();
        let queue = IngestQueue::open(&dir.path().join("s.db.queue")).unwrap();
        queue.append("other", &now(), "api", body("x")).unwrap();
        drain_backlog(&store, &queue, "o").unwrap();
        assert!(events(&store).is_empty());
        assert_eq!(store.read("o", |db| db.enriched_through()).unwrap(), 1);
    }
}
