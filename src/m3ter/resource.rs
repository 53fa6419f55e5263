//! The entities the client can create, list, update and delete, and the list filters they take.

use super::types::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// An m3ter configuration entity served at `/organizations/{org}/{PATH}`.
pub trait Resource: DeserializeOwned + Send + 'static {
    /// Path segment under the organization (`products`, `meters`, `accounts`).
    const PATH: &'static str;
    /// Largest `pageSize` m3ter allows for this list.
    const MAX_PAGE_SIZE: u32;
    /// The create/update body.
    type Request: Serialize + Sync;
    fn id(&self) -> &str;
}

impl Resource for Product {
    const PATH: &'static str = "products";
    const MAX_PAGE_SIZE: u32 = 200;
    type Request = ProductRequest;
    fn id(&self) -> &str {
        &self.id
    }
}

impl Resource for Meter {
    const PATH: &'static str = "meters";
    const MAX_PAGE_SIZE: u32 = 100;
    type Request = MeterRequest;
    fn id(&self) -> &str {
        &self.id
    }
}

impl Resource for Account {
    const PATH: &'static str = "accounts";
    const MAX_PAGE_SIZE: u32 = 100;
    type Request = AccountRequest;
    fn id(&self) -> &str {
        &self.id
    }
}

/// List filters. Arrays go on the wire comma-joined in one parameter, as the SDK sends them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pub page_size: Option<u32>,
    pub ids: Vec<String>,
    pub codes: Vec<String>,
    /// Meters only: the products whose meters to list.
    pub product_ids: Vec<String>,
}

impl ListQuery {
    pub fn page_size(n: u32) -> Self {
        Self {
            page_size: Some(n),
            ..Default::default()
        }
    }

    pub fn codes(codes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            codes: codes.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    pub(crate) fn params(&self, next_token: Option<&str>) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if let Some(n) = self.page_size {
            p.push(("pageSize", n.to_string()));
        }
        for (k, v) in [
            ("ids", &self.ids),
            ("codes", &self.codes),
            ("productId", &self.product_ids),
        ] {
            if !v.is_empty() {
                p.push((k, v.join(",")));
            }
        }
        if let Some(t) = next_token {
            p.push(("nextToken", t.to_string()));
        }
        p
    }
}

/// `GET /accounts/search` parameters (see the reference §8.4).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchQuery {
    /// e.g. `name~Acme$currency:USD`
    pub search_query: Option<String>,
    pub from_document: Option<u64>,
    pub page_size: Option<u32>,
    /// `AND` or `OR`
    pub operator: Option<String>,
    pub sort_by: Option<String>,
    /// `ASC` or `DESC`
    pub sort_order: Option<String>,
}

impl SearchQuery {
    pub(crate) fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        let mut put = |k, v: &Option<String>| {
            if let Some(v) = v {
                p.push((k, v.clone()))
            }
        };
        put("searchQuery", &self.search_query);
        put("operator", &self.operator);
        put("sortBy", &self.sort_by);
        put("sortOrder", &self.sort_order);
        if let Some(n) = self.from_document {
            p.push(("fromDocument", n.to_string()));
        }
        if let Some(n) = self.page_size {
            p.push(("pageSize", n.to_string()));
        }
        p
    }
}
