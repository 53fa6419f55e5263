use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn account_create_retrieve_update_list_delete() {
    let env = Env::new().await;
    let body = json!({
        "code": "ACME", "name": "Acme", "emailAddress": "billing@acme.example",
        "address": {"addressLine1": "1 Main St", "locality": "Springfield", "postCode": "12345", "country": "US"},
        "billEpoch": "2026-01-01", "purchaseOrderNumber": "PO-1", "currency": "USD",
        "autoGenerateStatementMode": "JSON_AND_CSV", "creditApplicationOrder": ["BALANCE", "PREPAYMENT"],
        "daysBeforeBillDue": 14, "customFields": {"segment": "enterprise"}
    });
    let a = env.create("/accounts", body.clone()).await;
    for k in [
        "code",
        "name",
        "emailAddress",
        "address",
        "billEpoch",
        "purchaseOrderNumber",
        "currency",
        "autoGenerateStatementMode",
        "creditApplicationOrder",
        "daysBeforeBillDue",
        "customFields",
    ] {
        assert_eq!(a[k], body[k], "{k}");
    }
    assert_eq!(a["autoCreated"], false);
    let id = a["id"].as_str().unwrap();
    let (s, got) = env.get(&format!("/accounts/{id}")).await;
    assert_eq!((s, &got), (StatusCode::OK, &a));
    let (s, upd) = env
        .put(&format!("/accounts/{id}"), json!({"code": "ACME", "name": "Acme Inc", "emailAddress": "ap@acme.example", "version": 1}))
        .await;
    assert_eq!(s, StatusCode::OK, "{upd}");
    assert_eq!(upd["version"], 2);
    assert!(upd.get("currency").is_none());
    let (_, list) = env.get("/accounts?codes=ACME").await;
    assert_eq!(list["data"][0]["name"], "Acme Inc");
    let (s, del) = env.delete(&format!("/accounts/{id}")).await;
    assert_eq!((s, del["id"].as_str()), (StatusCode::OK, Some(id)));
    let (s, _) = env.get(&format!("/accounts/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

fn with(key: &str, v: Value) -> Value {
    let mut b = account("C");
    if v.is_null() {
        b.as_object_mut().unwrap().remove(key);
    } else {
        b[key] = v;
    }
    b
}

#[tokio::test]
async fn account_validation_names_each_field() {
    let env = Env::new().await;
    let many: serde_json::Map<_, _> = (0..101).map(|i| (format!("f{i}"), json!(i))).collect();
    let cases = [
        (with("code", json!("")), "code"),
        (with("code", json!(" x")), "code"),
        (with("code", json!("x".repeat(81))), "code"),
        (with("name", json!("")), "name"),
        (with("name", json!("n".repeat(201))), "name"),
        (with("name", Value::Null), "name"),
        (with("emailAddress", json!("not-an-email")), "emailAddress"),
        (with("emailAddress", Value::Null), "emailAddress"),
        (
            with("purchaseOrderNumber", json!("p".repeat(101))),
            "purchaseOrderNumber",
        ),
        (with("daysBeforeBillDue", json!(0)), "daysBeforeBillDue"),
        (with("currency", json!("usd")), "currency"),
        (with("billEpoch", json!("2026-02-30")), "billEpoch"),
        (
            with("creditApplicationOrder", json!(["BALANCE", "BALANCE"])),
            "creditApplicationOrder",
        ),
        (
            with("creditApplicationOrder", json!(["CASH"])),
            "creditApplicationOrder[0]",
        ),
        (
            with("autoGenerateStatementMode", json!("PDF")),
            "autoGenerateStatementMode",
        ),
        (
            with("address", json!({"addressLine1": "a".repeat(51)})),
            "address.addressLine1",
        ),
        (
            with("address", json!({"addressLine2": "a".repeat(51)})),
            "address.addressLine2",
        ),
        (
            with("address", json!({"country": "c".repeat(101)})),
            "address.country",
        ),
        (
            with("address", json!({"region": "r".repeat(51)})),
            "address.region",
        ),
        (
            with("address", json!({"postCode": "1".repeat(21)})),
            "address.postCode",
        ),
        (
            with("address", json!({"locality": "l".repeat(101)})),
            "address.locality",
        ),
        (with("customFields", json!(many)), "customFields"),
        (
            with(
                "parentAccountId",
                json!("00000000-0000-4000-8000-000000000000"),
            ),
            "parentAccountId",
        ),
    ];
    for (body, field) in cases {
        let (s, v) = env.post("/accounts", body).await;
        assert_field_error(s, &v, StatusCode::BAD_REQUEST, field);
    }
    let (_, list) = env.get("/accounts").await;
    assert!(list["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn parent_rules_and_children() {
    let env = Env::new().await;
    let parent = env.create("/accounts", account("PARENT")).await;
    let pid = parent["id"].as_str().unwrap();
    let mut c = account("CHILD");
    c["parentAccountId"] = json!(pid);
    let child = env.create("/accounts", c).await;
    let cid = child["id"].as_str().unwrap();
    let mut g = account("GRANDCHILD");
    g["parentAccountId"] = json!(cid);
    env.create("/accounts", g).await;
    let (s, v) = env.get(&format!("/accounts/{pid}/children")).await;
    assert_eq!(s, StatusCode::OK);
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["code"], "CHILD");
    let (s, _) = env
        .get("/accounts/00000000-0000-4000-8000-000000000000/children")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = env
        .get(&format!("/accounts/{pid}/children?pageSize=201"))
        .await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "pageSize");
    // Not itself, not a descendant.
    let mut p = account("PARENT");
    p["version"] = json!(1);
    p["parentAccountId"] = json!(pid);
    let (s, v) = env.put(&format!("/accounts/{pid}"), p.clone()).await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "parentAccountId");
    p["parentAccountId"] = json!(cid);
    let (s, v) = env.put(&format!("/accounts/{pid}"), p).await;
    assert_field_error(s, &v, StatusCode::BAD_REQUEST, "parentAccountId");
    // An account with children cannot be deleted.
    let (s, v) = env.delete(&format!("/accounts/{pid}")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
}

#[tokio::test]
async fn search_accounts() {
    let env = Env::with_demo().await;
    let codes = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap().to_string())
            .collect()
    };
    let (s, v) = env.get("/accounts/search?searchQuery=name~acme").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(codes(&v), ["ACME-ROBOTICS-EU", "ACME-ROBOTICS"]);
    let (_, v) = env
        .get("/accounts/search?searchQuery=name~Acme%20Rob$currency:USD")
        .await;
    assert_eq!(codes(&v), ["ACME-ROBOTICS"]);
    let (_, v) = env
        .get("/accounts/search?searchQuery=currency:GBP$currency:EUR&operator=OR&sortBy=code&sortOrder=ASC")
        .await;
    assert_eq!(codes(&v), ["ACME-ROBOTICS-EU", "GLOBEX-LOGISTICS"]);
    let (_, v) = env.get("/accounts/search?searchQuery=codes:INITECH,GLOBEX-LOGISTICS&sortBy=name&sortOrder=DESC").await;
    assert_eq!(codes(&v), ["INITECH", "GLOBEX-LOGISTICS"]);
    // Paging with fromDocument; nextToken is the next offset.
    let (_, p1) = env
        .get("/accounts/search?pageSize=3&sortBy=code&sortOrder=ASC")
        .await;
    assert_eq!(p1["nextToken"], "3");
    let (_, p2) = env
        .get("/accounts/search?pageSize=3&sortBy=code&sortOrder=ASC&fromDocument=3")
        .await;
    assert!(p2.get("nextToken").is_none(), "{p2}");
    let mut all = codes(&p1);
    all.extend(codes(&p2));
    assert_eq!(
        all,
        [
            "ACME-ROBOTICS",
            "ACME-ROBOTICS-EU",
            "GLOBEX-LOGISTICS",
            "INITECH"
        ]
    );
    for (q, field) in [
        ("searchQuery=colour:red", "searchQuery"),
        ("searchQuery=name", "searchQuery"),
        ("pageSize=101", "pageSize"),
        ("pageSize=0", "pageSize"),
        ("operator=XOR", "operator"),
        ("sortOrder=UP", "sortOrder"),
    ] {
        let (s, v) = env.get(&format!("/accounts/search?{q}")).await;
        assert_field_error(s, &v, StatusCode::BAD_REQUEST, field);
    }
}
