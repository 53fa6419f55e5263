//! Measurement file uploads: ask for a signed URL, PUT a JSON array of measurements to it, follow
//! the job that ingests it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Largest upload m3ter takes (1 GiB).
pub const UPLOAD_MAX_BYTES: u64 = 1_073_741_824;
/// Longest `fileName`.
pub const UPLOAD_FILE_NAME_MAX: usize = 100;
/// The content types the File Upload Service accepts.
pub const UPLOAD_CONTENT_TYPES: [&str; 2] = ["application/json", "text/json"];

/// `GetUploadUrlRequest`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadUrlRequest {
    pub file_name: String,
    pub content_type: String,
    pub content_length: u64,
}

/// `UrlUploadResponse` (and `UrlDownloadResponse`, same shape): where to send or fetch the file,
/// and the headers to send with it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedUrl {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// `JobStatus`; an unknown status from a newer m3ter reads as `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum JobStatus {
    NotUploaded,
    Running,
    Failed,
    Succeeded,
    #[serde(other)]
    Other,
}

impl JobStatus {
    /// Whether the job will not change any more.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Failed | Self::Succeeded)
    }
}

/// `UploadJobResponse`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadJob {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<JobStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_rows: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processed_rows: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_rows: Option<u64>,
}

/// `GET /fileuploads/measurements/jobs` filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UploadJobQuery {
    pub date_created_start: Option<String>,
    pub date_created_end: Option<String>,
    pub file_key: Option<String>,
    /// 1–100.
    pub page_size: Option<u32>,
}

impl UploadJobQuery {
    pub(crate) fn params(&self, next_token: Option<&str>) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        for (k, v) in [
            ("dateCreatedStart", &self.date_created_start),
            ("dateCreatedEnd", &self.date_created_end),
            ("fileKey", &self.file_key),
        ] {
            if let Some(v) = v {
                p.push((k, v.clone()));
            }
        }
        if let Some(n) = self.page_size {
            p.push(("pageSize", n.to_string()));
        }
        if let Some(t) = next_token {
            p.push(("nextToken", t.to_string()));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn job_reads_every_status_and_tolerates_new_ones() {
        let j: UploadJob = serde_json::from_value(json!({
            "id": "j", "status": "notUploaded", "totalRows": 3, "processedRows": 1, "failedRows": 0
        }))
        .unwrap();
        assert_eq!(j.status, Some(JobStatus::NotUploaded));
        let j: UploadJob =
            serde_json::from_value(json!({"id": "j", "status": "archived"})).unwrap();
        assert_eq!(j.status, Some(JobStatus::Other));
        assert!(JobStatus::Succeeded.is_final() && !JobStatus::Running.is_final());
    }

    #[test]
    fn upload_request_wire_names() {
        let r = UploadUrlRequest {
            file_name: "u.json".into(),
            content_type: "application/json".into(),
            content_length: 10,
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"fileName": "u.json", "contentType": "application/json", "contentLength": 10})
        );
    }
}
