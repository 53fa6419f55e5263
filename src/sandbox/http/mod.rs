//! The sandbox's HTTP layer: the axum router, the path-normalising wrapper and the JSON
//! fallbacks. Handlers (`auth`, `crud`, `search`, `ingest`) parse requests (`request`,
//! `pagination`), check them with the domain rules and reach the database only through
//! [`App::read`] / [`App::write`] and the `db` layer's methods; errors are [`ApiError`].

mod auth;
mod conn_io;
pub mod crud;
mod entity;
pub mod error;
mod events;
mod files;
mod host;
mod ingest;
mod ingest_state;
pub mod pagination;
mod rate_limit;
mod request;
mod search;
pub mod serve;
mod state;
mod tokens;
mod uploads;
mod usage;

pub use state::App;

use crate::m3ter::{Account, Meter, Product};
use axum::extract::{Request, State};
use axum::http::header;
use axum::http::Uri;
use axum::middleware::from_fn_with_state;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use crud::{create, delete, list, retrieve, update};
use error::ApiError;

/// Every route. Routes under `/organizations/{orgId}/` need a bearer for that org
/// (`auth::require_bearer`); `/accounts/search` is a static segment, so it wins over
/// `/accounts/{id}`.
pub fn router(app: App) -> Router {
    let org = Router::new()
        .route(
            "/organizations/{org}/products",
            get(list::<Product>).post(create::<Product>),
        )
        .route(
            "/organizations/{org}/products/{id}",
            get(retrieve::<Product>)
                .put(update::<Product>)
                .delete(delete::<Product>),
        )
        .route(
            "/organizations/{org}/meters",
            get(list::<Meter>).post(create::<Meter>),
        )
        .route(
            "/organizations/{org}/meters/{id}",
            get(retrieve::<Meter>)
                .put(update::<Meter>)
                .delete(delete::<Meter>),
        )
        .route(
            "/organizations/{org}/accounts",
            get(list::<Account>).post(create::<Account>),
        )
        .route("/organizations/{org}/accounts/search", get(search::search))
        .route(
            "/organizations/{org}/accounts/{id}",
            get(retrieve::<Account>)
                .put(update::<Account>)
                .delete(delete::<Account>),
        )
        .route(
            "/organizations/{org}/accounts/{id}/children",
            get(search::children),
        )
        .route(
            "/organizations/{org}/measurements",
            post(ingest::submit)
                .route_layer(from_fn_with_state(
                    app.ingest.limits.clone(),
                    rate_limit::limit,
                ))
                .get(ingest::list),
        )
        .merge(ingest_routes())
        .route_layer(from_fn_with_state(app.clone(), auth::require_bearer));
    Router::new()
        .route("/oauth/token", post(auth::token))
        .route(
            "/sandbox-files/{token}",
            get(files::download).put(uploads::upload),
        )
        .merge(org)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(app.clone(), check_host))
        .with_state(app)
}

/// Events, the failed-ingest log, usage queries and file uploads (bearer-protected by the caller).
fn ingest_routes() -> Router<App> {
    const ORG: &str = "/organizations/{org}";
    Router::new()
        .route(&format!("{ORG}/ingest/status"), get(ingest::status))
        .route(&format!("{ORG}/events"), get(events::list))
        .route(&format!("{ORG}/events/types"), get(events::types))
        .route(&format!("{ORG}/events/fields"), get(events::fields))
        .route(&format!("{ORG}/events/{{id}}"), get(events::retrieve))
        .route(
            &format!("{ORG}/events/{{id}}/actioned"),
            put(events::action),
        )
        .route(
            &format!("{ORG}/measurements/failedIngest/getDownloadUrl"),
            get(events::download_url),
        )
        .route(&format!("{ORG}/usage/query"), post(usage::query))
        .route(
            &format!("{ORG}/fileuploads/measurements/generateUploadUrl"),
            post(uploads::generate_upload_url),
        )
        .route(
            &format!("{ORG}/fileuploads/measurements/jobs"),
            get(uploads::list),
        )
        .route(
            &format!("{ORG}/fileuploads/measurements/jobs/{{id}}"),
            get(uploads::retrieve),
        )
        .route(
            &format!("{ORG}/fileuploads/measurements/jobs/{{id}}/original"),
            get(uploads::original),
        )
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("no such endpoint: {}", uri.path()))
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        format!("{} is not allowed on {}", req.method(), req.uri().path()),
    )
}

/// Collapses repeated slashes (`//organizations/…`, which SDK 0.9.0's `submit_all` sends when
/// the base URL ends in `/`) and drops a trailing slash, before routing.
pub fn normalize_path(mut req: Request) -> Request {
    let path = req.uri().path();
    let trailing = path.len() > 1 && path.ends_with('/');
    if !path.contains("//") && !trailing {
        return req;
    }
    let mut clean = String::with_capacity(path.len());
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        clean.push('/');
        clean.push_str(seg);
    }
    if clean.is_empty() {
        clean.push('/');
    }
    if let Some(q) = req.uri().query() {
        clean.push('?');
        clean.push_str(q);
    }
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = clean.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// Middleware on every route: refuses a `Host` that is not one of the sandbox's names
/// (see `host`).
pub async fn check_host(State(app): State<App>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("<not text>").to_string())
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    match host {
        Some(h) if !app.hosts.allows(&h) => ApiError::forbidden(format!(
            "the Host {h:?} is not one of this sandbox's names (localhost, 127.0.0.1, [::1] with port {}); start it with --allow-host NAME to allow another",
            app.hosts.port
        ))
        .with_field("Host")
        .into_response(),
        _ => next.run(req).await,
    }
}
