//! Account search `~` through the full-text index: it follows every write (create, rename,
//! delete, ingest auto-creation) and keeps m3ter's phrase/prefix meaning.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn found(env: &Env, query: &str) -> Vec<String> {
    let (s, v) = env
        .get(&format!("/accounts/search?pageSize=100&{query}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut c: Vec<String> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_string())
        .collect();
    c.sort();
    c
}

#[tokio::test]
async fn phrase_prefix_search_follows_every_write() {
    let env = Env::new().await;
    let a = env
        .create(
            "/accounts",
            json!({"code": "ORB-1", "name": "Orbital Robotics Ltd", "emailAddress": "a@orb.example"}),
        )
        .await;
    env.create(
        "/accounts",
        json!({"code": "ORB-2", "name": "Robotics Orbital", "emailAddress": "b@orb.example"}),
    )
    .await;
    assert_eq!(
        found(&env, "searchQuery=name~orbital%20rob").await,
        ["ORB-1"]
    );
    assert_eq!(
        found(&env, "searchQuery=name~ROBOTICS").await,
        ["ORB-1", "ORB-2"]
    );
    assert!(found(&env, "searchQuery=name~bot").await.is_empty());
    assert!(found(&env, "searchQuery=name~robotics%20orbital%20ltd")
        .await
        .is_empty());
    assert_eq!(found(&env, "searchQuery=code~orb-2").await, ["ORB-2"]);
    assert_eq!(
        found(&env, "searchQuery=code~orb-1$name~orbital&operator=OR").await,
        ["ORB-1", "ORB-2"]
    );
    // Rename: the new words are found, the old ones no longer.
    let mut body: Value = a.clone();
    body["name"] = json!("Quantum Widgets");
    let (s, v) = env
        .put(&format!("/accounts/{}", a["id"].as_str().unwrap()), body)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        found(&env, "searchQuery=name~quantum%20wid").await,
        ["ORB-1"]
    );
    assert_eq!(
        found(&env, "searchQuery=name~orbital%20rob").await,
        Vec::<String>::new()
    );
    // Delete.
    let (s, v) = env
        .delete(&format!("/accounts/{}", a["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(found(&env, "searchQuery=name~quantum").await.is_empty());
    // Auto-created by ingest.
    env.create("/meters", meter("m1", None)).await;
    let (s, v) = env
        .post(
            "/measurements",
            json!({"measurements": [measurement("m1", "NEWCO-42", Some("u1"), 1.0)]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    env.get("/measurements").await; // the enrichment auto-creates the account
    assert_eq!(
        found(&env, "searchQuery=name~autocreated").await,
        ["NEWCO-42"]
    );
    assert_eq!(
        found(&env, "searchQuery=name~newco%2042").await,
        ["NEWCO-42"]
    );
}

/// A database made before the index existed gets it filled on open.
#[tokio::test]
async fn an_older_database_gets_its_search_index_on_open() {
    let env = Env::with_demo().await;
    let Env { sb, dir, .. } = env;
    let path = sb.config.db_path.clone();
    sb.shutdown().await;
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TRIGGER accounts_fts_insert; DROP TRIGGER accounts_fts_update;
         DROP TRIGGER accounts_fts_delete; DROP TABLE accounts_fts;",
    )
    .unwrap();
    drop(conn);
    let sb = m3ter_console::sandbox::start(config(&dir, true))
        .await
        .unwrap();
    let env = Env::attach(sb, dir).await;
    assert_eq!(
        found(&env, "searchQuery=name~acme%20rob").await,
        ["ACME-ROBOTICS", "ACME-ROBOTICS-EU"]
    );
}
