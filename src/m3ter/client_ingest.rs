//! Client methods for what follows a submit: events (ingest failures among them), the failed-ingest
//! log, usage queries and measurement file uploads. Same transport as the entity calls (token,
//! retries, typed errors); the signed URLs of downloads and uploads are fetched without the
//! bearer token, as they carry their own signature and may point at another host.

use super::client::{to_body, Call, Client};
use super::error::{Error, Result};
use super::types::*;
use futures::stream::{self, Stream, TryStreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::collections::HashSet;

impl Client {
    // ------------------------------------------------------------ events

    pub async fn events_page(
        &self,
        query: &EventQuery,
        next_token: Option<&str>,
    ) -> Result<Page<Event>> {
        self.get("events", query.params(next_token)).await
    }

    /// Every event matching `query`, page by page as the stream is polled.
    pub fn events(&self, query: EventQuery) -> impl Stream<Item = Result<Event>> + Send + 'static {
        self.paged("events", move |t| query.params(t))
    }

    pub async fn event(&self, id: &str) -> Result<Event> {
        self.get(&format!("events/{}", segment(id)), vec![]).await
    }

    /// Every event name the organization can raise.
    pub async fn event_types(&self) -> Result<EventTypes> {
        self.get("events/types", vec![]).await
    }

    /// The fields of one event name (or of every one).
    pub async fn event_fields(&self, event_name: Option<&str>) -> Result<EventFields> {
        let q = event_name
            .map(|n| vec![("eventName", n.to_string())])
            .unwrap_or_default();
        self.get("events/fields", q).await
    }

    /// Marks an event as followed up (sets `dtActioned`). Sandbox extension
    /// (`PUT /events/{id}/actioned`): m3ter's API has no such endpoint, its Console does.
    pub async fn mark_event_actioned(&self, id: &str) -> Result<Event> {
        self.send(Call {
            method: Method::PUT,
            url: self.org_url(&format!("events/{}/actioned", segment(id))),
            query: vec![],
            body: None,
            label: "events/actioned",
        })
        .await
    }

    /// A presigned link (valid 5 minutes) to the JSON log of a failed ingest; `file` is the
    /// event's `getDownloadUrl` path.
    pub async fn failed_ingest_download_url(&self, file: &str) -> Result<DownloadUrl> {
        self.get(
            "measurements/failedIngest/getDownloadUrl",
            vec![("file", file.to_string())],
        )
        .await
    }

    /// Fetches a presigned URL (a failed-ingest log, an uploaded original) without credentials.
    pub async fn download(&self, url: &str) -> Result<Vec<u8>> {
        let label = "GET signed download URL".to_string();
        let resp = self
            .http()
            .get(url)
            .send()
            .await
            .map_err(|e| Error::connection(label.clone(), &e))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| Error::connection(label.clone(), &e))?;
        if !status.is_success() {
            return Err(Error::api(
                label,
                status.as_u16(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
        Ok(bytes.to_vec())
    }

    // ------------------------------------------------------------ usage

    /// `POST /usage/query`. m3ter allows about one query a second; callers that poll should
    /// not ask faster.
    pub async fn usage_query(&self, query: &UsageQuery) -> Result<UsageQueryResponse> {
        self.send(Call {
            method: Method::POST,
            url: self.org_url("usage/query"),
            query: vec![],
            body: Some(to_body(query)?),
            label: "usage/query",
        })
        .await
    }

    // ------------------------------------------------------------ file uploads

    /// Step 1 of a file upload: a signed PUT URL (valid 1 minute) and the job that will ingest it.
    pub async fn generate_upload_url(&self, request: &UploadUrlRequest) -> Result<SignedUrl> {
        self.send(Call {
            method: Method::POST,
            url: self.org_url("fileuploads/measurements/generateUploadUrl"),
            query: vec![],
            body: Some(to_body(request)?),
            label: "fileuploads/measurements/generateUploadUrl",
        })
        .await
    }

    /// Step 2: PUT the file (a JSON array of measurements) to the signed URL with its headers.
    /// Not retried: the URL is short-lived and single-use, so ask for a new one instead.
    pub async fn put_upload(&self, target: &SignedUrl, body: Vec<u8>) -> Result<()> {
        let label = "PUT signed upload URL".to_string();
        let mut rb = self.http().put(&target.url);
        for (k, v) in &target.headers {
            rb = rb.header(k, v);
        }
        let resp = rb
            .body(body)
            .send()
            .await
            .map_err(|e| Error::connection(label.clone(), &e))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let text = resp.text().await.unwrap_or_default();
        Err(Error::api(label, status.as_u16(), text))
    }

    /// Steps 1 and 2 together: returns the job id to follow with [`Client::upload_job`].
    pub async fn upload_measurements(&self, file_name: &str, body: Vec<u8>) -> Result<String> {
        let target = self
            .generate_upload_url(&UploadUrlRequest {
                file_name: file_name.to_string(),
                content_type: "application/json".into(),
                content_length: body.len() as u64,
            })
            .await?;
        let job = target.job_id.clone().ok_or_else(|| Error::Decode {
            request: "POST fileuploads/measurements/generateUploadUrl".into(),
            detail: "the answer has no jobId".into(),
        })?;
        self.put_upload(&target, body).await?;
        Ok(job)
    }

    pub async fn upload_job(&self, id: &str) -> Result<UploadJob> {
        self.get(
            &format!("fileuploads/measurements/jobs/{}", segment(id)),
            vec![],
        )
        .await
    }

    pub async fn upload_jobs_page(
        &self,
        query: &UploadJobQuery,
        next_token: Option<&str>,
    ) -> Result<Page<UploadJob>> {
        self.get("fileuploads/measurements/jobs", query.params(next_token))
            .await
    }

    pub fn upload_jobs(
        &self,
        query: UploadJobQuery,
    ) -> impl Stream<Item = Result<UploadJob>> + Send + 'static {
        self.paged("fileuploads/measurements/jobs", move |t| query.params(t))
    }

    /// A signed link to the file as it was uploaded.
    pub async fn upload_job_original(&self, id: &str) -> Result<SignedUrl> {
        self.get(
            &format!("fileuploads/measurements/jobs/{}/original", segment(id)),
            vec![],
        )
        .await
    }

    // ------------------------------------------------------------ helpers

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: Vec<(&'static str, String)>,
    ) -> Result<T> {
        self.send(Call {
            method: Method::GET,
            url: self.org_url(path),
            query,
            body: None,
            label: path,
        })
        .await
    }

    /// Pages of `path` as a stream. Stops on an absent or empty token or an empty page, and with
    /// an error when the server sends a token it already sent (a loop would never end).
    fn paged<T, F>(
        &self,
        path: &'static str,
        params: F,
    ) -> impl Stream<Item = Result<T>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
        F: Fn(Option<&str>) -> Vec<(&'static str, String)> + Send + Sync + 'static,
    {
        let client = self.clone();
        let params = std::sync::Arc::new(params);
        stream::try_unfold(
            Some((None::<String>, HashSet::<String>::new())),
            move |state| {
                let client = client.clone();
                let params = params.clone();
                async move {
                    let Some((token, mut seen)) = state else {
                        return Ok(None);
                    };
                    let page: Page<T> = client.get(path, params(token.as_deref())).await?;
                    let next = match page.next() {
                        Some(t) if !page.data.is_empty() => {
                            if !seen.insert(t.to_string()) {
                                return Err(Error::Decode {
                                    request: format!("GET {path}"),
                                    detail: format!(
                                        "the server sent the nextToken {t:?} twice; stopping so the list does not loop"
                                    ),
                                });
                            }
                            Some((Some(t.to_string()), seen))
                        }
                        _ => None,
                    };
                    Ok(Some((stream::iter(page.data.into_iter().map(Ok)), next)))
                }
            },
        )
        .try_flatten()
    }
}

/// A path segment, percent-encoded (ids are UUIDs, but a typed one may hold anything).
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_encoded() {
        assert_eq!(super::segment("a b/c"), "a%20b%2Fc");
        assert_eq!(super::segment("9cb46d85-7cb6"), "9cb46d85-7cb6");
    }
}
