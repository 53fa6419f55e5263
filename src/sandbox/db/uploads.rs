//! SQL of measurement file uploads (`upload_jobs`) and the signed links (`signed_links`) that
//! the upload and download URLs carry.

use super::handle::Db;
use rusqlite::{params, OptionalExtension};

/// One upload job's columns (not the original file).
#[derive(Debug, Clone, Default)]
pub struct JobRow {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub content_length: i64,
    pub created: String,
    pub upload_date: Option<String>,
    pub status: String,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub failed_rows: i64,
    pub version: i64,
}

const JOB_COLS: &str = "id, file_name, content_type, content_length, created, upload_date, status,
    total_rows, processed_rows, failed_rows, version";

fn job(r: &rusqlite::Row, at: usize) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(at)?,
        file_name: r.get(at + 1)?,
        content_type: r.get(at + 2)?,
        content_length: r.get(at + 3)?,
        created: r.get(at + 4)?,
        upload_date: r.get(at + 5)?,
        status: r.get(at + 6)?,
        total_rows: r.get(at + 7)?,
        processed_rows: r.get(at + 8)?,
        failed_rows: r.get(at + 9)?,
        version: r.get(at + 10)?,
    })
}

/// What a signed link opens.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedLink {
    pub org: String,
    /// `upload`, `failed-ingest` or `original`.
    pub purpose: String,
    /// A job id or an event id.
    pub target: String,
    pub expires_ms: i64,
}

impl Db<'_> {
    pub fn insert_job(&self, j: &JobRow) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO upload_jobs (org, id, file_name, content_type, content_length, created, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                self.org,
                j.id,
                j.file_name,
                j.content_type,
                j.content_length,
                j.created,
                j.status
            ])?;
        Ok(())
    }

    pub fn get_job(&self, id: &str) -> rusqlite::Result<Option<JobRow>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLS} FROM upload_jobs WHERE org = ?1 AND id = ?2"
            ))?
            .query_row(params![self.org, id], |r| job(r, 0))
            .optional()
    }

    /// Newest-first `(seq, job)`, created in `[start, end)` when given, older than `before`.
    pub fn list_jobs(
        &self,
        start: Option<&str>,
        end: Option<&str>,
        before: Option<i64>,
        limit: usize,
    ) -> rusqlite::Result<Vec<(i64, JobRow)>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT seq, {JOB_COLS} FROM upload_jobs WHERE org = ?1
               AND (?2 IS NULL OR created >= ?2) AND (?3 IS NULL OR created < ?3)
               AND (?4 IS NULL OR seq < ?4)
             ORDER BY seq DESC LIMIT ?5"
        ))?;
        let rows = stmt.query_map(params![self.org, start, end, before, limit as i64], |r| {
            Ok((r.get(0)?, job(r, 1)?))
        })?;
        rows.collect()
    }

    /// Records the uploaded file and its first counters; the job starts `running` (or ends
    /// `failed` when the file could not be read).
    #[allow(clippy::too_many_arguments)]
    pub fn job_uploaded(
        &self,
        id: &str,
        now: &str,
        original: &[u8],
        status: &str,
        total: i64,
        processed: i64,
        failed: i64,
    ) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE upload_jobs SET upload_date = ?3, original = ?4, status = ?5,
                   total_rows = ?6, processed_rows = ?7, failed_rows = ?8, version = version + 1
                 WHERE org = ?1 AND id = ?2",
            )?
            .execute(params![
                self.org, id, now, original, status, total, processed, failed
            ])?;
        Ok(())
    }

    /// Adds the enrichment's counts to a job and marks it `succeeded` once every row is done.
    pub fn job_progress(&self, id: &str, processed: i64, failed: i64) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE upload_jobs SET processed_rows = processed_rows + ?3,
                   failed_rows = failed_rows + ?4, version = version + 1,
                   status = CASE WHEN processed_rows + ?3 >= total_rows THEN 'succeeded' ELSE status END
                 WHERE org = ?1 AND id = ?2",
            )?
            .execute(params![self.org, id, processed, failed])?;
        Ok(())
    }

    pub fn job_original(&self, id: &str) -> rusqlite::Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .prepare_cached("SELECT original FROM upload_jobs WHERE org = ?1 AND id = ?2")?
            .query_row(params![self.org, id], |r| r.get::<_, Option<Vec<u8>>>(0))
            .optional()?
            .flatten())
    }

    pub fn insert_link(&self, token: &str, link: &SignedLink) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO signed_links (token, org, purpose, target, expires_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                token,
                link.org,
                link.purpose,
                link.target,
                link.expires_ms
            ])?;
        // Expired links are of no use: drop them as new ones are made.
        self.conn
            .prepare_cached("DELETE FROM signed_links WHERE expires_ms < ?1")?
            .execute([link.expires_ms - 3_600_000])?;
        Ok(())
    }

    /// The link behind `token`, whatever its organization (the token is the credential).
    pub fn get_link(&self, token: &str) -> rusqlite::Result<Option<SignedLink>> {
        self.conn
            .prepare_cached(
                "SELECT org, purpose, target, expires_ms FROM signed_links WHERE token = ?1",
            )?
            .query_row([token], |r| {
                Ok(SignedLink {
                    org: r.get(0)?,
                    purpose: r.get(1)?,
                    target: r.get(2)?,
                    expires_ms: r.get(3)?,
                })
            })
            .optional()
    }

    /// Removes a used single-use link.
    pub fn delete_link(&self, token: &str) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("DELETE FROM signed_links WHERE token = ?1")?
            .execute([token])?;
        Ok(())
    }
}
