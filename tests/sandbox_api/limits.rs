//! Requests at and past the sandbox's limits: they get a 4xx JSON error or a right answer, never
//! a 500.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;

fn codes(v: &Value) -> Vec<String> {
    let mut c: Vec<String> = v["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_string())
        .collect();
    c.sort();
    c
}

#[tokio::test]
async fn search_with_thousands_of_codes_or_ids_answers() {
    let env = Env::with_demo().await;
    let mut many: Vec<String> = (0..1500).map(|i| format!("NOPE-{i}")).collect();
    many.push("initech".into());
    many.push("GLOBEX-LOGISTICS".into());
    let (s, v) = env
        .get(&format!(
            "/accounts/search?pageSize=100&searchQuery=codes:{}",
            many.join(",")
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(codes(&v), ["GLOBEX-LOGISTICS", "INITECH"]);
    // `~` over many values, joined with another condition.
    let (s, v) = env
        .get(&format!(
            "/accounts/search?pageSize=100&searchQuery=codes~{},ACME$currency:EUR",
            many.join(",")
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(codes(&v), ["ACME-ROBOTICS-EU"]);
    // ids, and the plain list's ids/codes filters.
    let all = env.list_all("/accounts", 100).await;
    let id = all[0]["id"].as_str().unwrap().to_string();
    let ids: Vec<String> = (0..1500)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .chain([id.clone()])
        .collect();
    let (s, v) = env
        .get(&format!(
            "/accounts/search?searchQuery=ids:{}",
            ids.join(",")
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["data"][0]["id"], id.as_str());
    let (s, v) = env.get(&format!("/accounts?ids={}", ids.join(","))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["data"].as_array().unwrap().len(), 1);
    let (s, v) = env
        .get(&format!("/accounts?codes={}", many.join(",")))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(codes(&v), ["GLOBEX-LOGISTICS"]);
}

#[tokio::test]
async fn search_past_the_condition_maximum_is_a_400() {
    let env = Env::with_demo().await;
    let conds = |n: usize| {
        (0..n)
            .map(|i| format!("name~x{i}"))
            .collect::<Vec<_>>()
            .join("$")
    };
    let (s, v) = env
        .get(&format!(
            "/accounts/search?operator=OR&searchQuery={}$code:INITECH",
            conds(99)
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(codes(&v), ["INITECH"]);
    for n in [101, 998, 2000] {
        let (s, v) = env
            .get(&format!(
                "/accounts/search?operator=OR&searchQuery={}",
                conds(n)
            ))
            .await;
        assert_field_error(s, &v, StatusCode::BAD_REQUEST, "searchQuery");
        assert!(
            v["message"].as_str().unwrap().contains("at most 100"),
            "{v}"
        );
    }
}
