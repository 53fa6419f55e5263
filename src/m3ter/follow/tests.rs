use super::*;
use serde_json::json;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn secs(n: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(n)
}

fn submitted(uid: &str, meter_id: Option<&str>, ts_offset: i64) -> Submitted {
    Submitted {
        uid: uid.into(),
        meter: "api_calls".into(),
        meter_id: meter_id.map(str::to_string),
        account: "ACME".into(),
        ts: t0() - Duration::minutes(ts_offset),
        account_known_before: Some(true),
    }
}

fn seen(uid: &str) -> Seen {
    Seen {
        uid: uid.into(),
        ts: None,
        values: json!({"uid": uid, "measure": {"calls": 3}, "derived": {"double": 6}})
            .as_object()
            .unwrap()
            .clone(),
    }
}

fn failure(uid: &str, kind: &str) -> Failure {
    Failure {
        uid: uid.into(),
        failure_type: kind.into(),
        event_id: Some(format!("ev-{uid}")),
        event_time: None,
        meter: None,
        account: None,
        message: None,
        download_path: None,
    }
}

#[test]
fn nothing_pending_asks_nothing() {
    let mut f = Follower::default();
    assert_eq!(f.poll(t0()), (vec![], None));
    assert_eq!(f.next_poll(t0()), None);
    f.sending(submitted("u1", Some("m1"), 0), t0());
    assert_eq!(
        f.poll(t0()).1,
        None,
        "a measurement still sending is not asked about"
    );
}

#[test]
fn accepted_then_ingested_with_values() {
    let mut f = Follower::default();
    f.sending(submitted("u1", Some("m1"), 5), t0());
    assert!(f.accepted("u1", t0()));
    let (_, ask) = f.poll(t0());
    let ask = ask.expect("one round for the accepted measurement");
    let usage = ask.usage.expect("a usage query for a known meter");
    assert_eq!(usage.meter_ids, ["m1"]);
    assert_eq!(usage.start, t0() - Duration::minutes(5));
    assert_eq!(usage.end, usage.start + Duration::milliseconds(1));
    assert_eq!(usage.limit, USAGE_QUERY_LIMIT_MAX);
    assert_eq!(ask.uids, ["u1"]);
    assert_eq!(ask.events_since, Some(t0() - Duration::seconds(30)));
    let changed = f.fold(Answer {
        seen: vec![seen("u1")],
        ..Default::default()
    });
    assert_eq!(changed, ["u1"]);
    let FollowState::Ingested { values } = &f.get("u1").unwrap().state else {
        panic!("ingested expected: {:?}", f.get("u1"));
    };
    assert_eq!(values["derived"]["double"], 6);
    assert_eq!(f.get("u1").unwrap().state.label(), "ingested");
    assert!(!f.has_pending());
    assert_eq!(f.poll(secs(5)).1, None, "stops when nothing is pending");
}

#[test]
fn unknown_meter_is_settled_by_its_event_only() {
    let mut f = Follower::default();
    f.sending(submitted("u1", None, 0), t0());
    f.accepted("u1", t0());
    let ask = f.poll(t0()).1.unwrap();
    assert_eq!(ask.usage, None, "no meter id: no usage query");
    assert!(ask.events_since.is_some());
    f.fold(Answer {
        failures: vec![failure("u1", "UndefinedMeter")],
        ..Default::default()
    });
    let t = f.get("u1").unwrap();
    assert_eq!(t.state.label(), "failed: UndefinedMeter");
    assert!(
        !t.account_check_due,
        "a failed measurement creates no account"
    );
}

#[test]
fn at_most_one_round_per_second_over_all_pending() {
    let mut f = Follower::default();
    for (i, uid) in ["a", "b", "c"].into_iter().enumerate() {
        f.sending(submitted(uid, Some("m1"), i as i64), t0());
        f.accepted(uid, t0());
    }
    let ask = f.poll(t0()).1.unwrap();
    assert_eq!(ask.uids.len(), 3, "one round covers every pending entry");
    assert_eq!(ask.usage.as_ref().unwrap().meter_ids.len(), 1);
    assert_eq!(f.poll(t0()).1, None, "one round in flight at a time");
    f.fold(Answer::default());
    assert_eq!(f.poll(t0() + Duration::milliseconds(999)).1, None);
    assert_eq!(f.next_poll(t0()), Some(secs(1)));
    assert!(f.poll(secs(1)).1.is_some());
}

#[test]
fn slows_down_while_nothing_changes_and_speeds_up_on_news() {
    let mut f = Follower::default();
    f.sending(submitted("a", Some("m1"), 0), t0());
    f.accepted("a", t0());
    let mut now = t0();
    for _ in 0..5 {
        f.poll(now).1.unwrap();
        f.fold(Answer::default());
        now += Duration::seconds(1);
    }
    assert_eq!(f.poll(now).1, None, "after 5 quiet rounds: every 2 s");
    assert!(f.poll(now + Duration::seconds(1)).1.is_some());
    f.fold(Answer::default());
    f.sending(submitted("b", Some("m1"), 0), now);
    f.accepted("b", now);
    assert!(
        f.poll(now + Duration::seconds(2)).1.is_some(),
        "a new acceptance resets the pace"
    );
}

#[test]
fn not_confirmed_after_the_wait_then_recheck_rearms() {
    let config = FollowConfig {
        wait: Duration::seconds(10),
        ..Default::default()
    };
    let mut f = Follower::new(config);
    f.sending(submitted("u1", Some("m1"), 0), t0());
    f.accepted("u1", t0());
    f.poll(t0()).1.unwrap();
    f.fold(Answer::default());
    let (changed, ask) = f.poll(secs(10));
    assert_eq!(changed, ["u1"]);
    assert_eq!(ask, None, "nothing pending any more");
    assert_eq!(f.get("u1").unwrap().state.label(), "not confirmed yet");
    assert_eq!(f.next_poll(secs(10)), None);
    assert!(f.recheck("u1", secs(20)));
    assert_eq!(f.get("u1").unwrap().state, FollowState::Accepted);
    assert!(f.poll(secs(20)).1.is_some());
    assert!(
        !f.recheck("u1", secs(20)),
        "only a not-confirmed entry is re-armed"
    );
}

#[test]
fn a_late_outcome_still_lands_after_not_confirmed() {
    let mut f = Follower::new(FollowConfig {
        wait: Duration::seconds(2),
        ..Default::default()
    });
    f.sending(submitted("u1", Some("m1"), 0), t0());
    f.sending(submitted("u2", Some("m1"), 0), t0());
    f.accepted("u1", t0());
    f.accepted("u2", secs(5));
    f.poll(secs(3));
    assert_eq!(f.get("u1").unwrap().state, FollowState::NotConfirmed);
    let changed = f.fold(Answer {
        seen: vec![seen("u1")],
        ..Default::default()
    });
    assert_eq!(changed, ["u1"]);
    assert_eq!(f.get("u1").unwrap().state.label(), "ingested");
}

#[test]
fn refused_is_final_and_not_followed() {
    let mut f = Follower::default();
    f.sending(submitted("u1", Some("m1"), 0), t0());
    f.refused("u1", "HTTP 400: ts: must have an offset");
    assert!(!f.accepted("u1", t0()));
    assert_eq!(f.poll(t0()).1, None);
    assert_eq!(f.get("u1").unwrap().state.label(), "refused");
}

#[test]
fn a_failed_round_is_asked_again_after_the_interval() {
    let mut f = Follower::default();
    f.sending(submitted("u1", Some("m1"), 0), t0());
    f.accepted("u1", t0());
    f.poll(t0()).1.unwrap();
    f.failed();
    assert_eq!(f.poll(t0()).1, None);
    assert!(f.poll(secs(1)).1.is_some());
}

#[test]
fn a_cut_usage_answer_narrows_the_next_query_to_older_entries() {
    let mut f = Follower::default();
    f.sending(submitted("old", Some("m1"), 60), t0());
    f.sending(submitted("new", Some("m1"), 1), t0());
    f.accepted("old", t0());
    f.accepted("new", t0());
    let first = f.poll(t0()).1.unwrap().usage.unwrap();
    assert_eq!(first.start, t0() - Duration::minutes(60));
    let cut_at = t0() - Duration::minutes(30);
    f.fold(Answer {
        seen: vec![Seen {
            ts: Some(cut_at),
            ..seen("new")
        }],
        usage_has_more: true,
        ..Default::default()
    });
    let next = f.poll(secs(1)).1.unwrap().usage.unwrap();
    assert_eq!(next.start, t0() - Duration::minutes(60));
    assert_eq!(
        next.end,
        t0() - Duration::minutes(60) + Duration::milliseconds(1),
        "only the entry older than the cut is looked for"
    );
}

#[test]
fn auto_created_account_is_detected_after_ingest() {
    let mut f = Follower::default();
    let mut s = submitted("u1", Some("m1"), 0);
    s.account = "TempAcct".into();
    s.account_known_before = Some(false);
    f.sending(s, t0());
    f.accepted("u1", t0());
    f.poll(t0()).1.unwrap();
    f.fold(Answer {
        seen: vec![seen("u1")],
        ..Default::default()
    });
    assert!(f.has_pending(), "the account is still to look up");
    let ask = f.poll(secs(1)).1.expect("a round to look the account up");
    assert_eq!(ask.account_codes, ["TempAcct"]);
    assert_eq!(ask.usage, None);
    let changed = f.fold(Answer {
        accounts: vec![AccountSeen {
            code: "TempAcct".into(),
            id: "acc-7".into(),
            auto_created: true,
            created_at: None,
        }],
        ..Default::default()
    });
    assert_eq!(changed, ["u1"]);
    let t = f.get("u1").unwrap();
    assert_eq!(t.auto_created_account.as_deref(), Some("acc-7"));
    assert_eq!(
        t.auto_created_note().as_deref(),
        Some("account TempAcct auto-created")
    );
    assert!(!f.has_pending());
    assert_eq!(f.poll(secs(3)).1, None);
}

#[test]
fn auto_created_uses_creation_time_when_not_known_before() {
    let run = |known_before: Option<bool>, created_at: Option<DateTime<Utc>>| {
        let mut f = Follower::default();
        let mut s = submitted("u1", Some("m1"), 0);
        s.account_known_before = known_before;
        f.sending(s, t0());
        f.accepted("u1", t0());
        f.poll(t0());
        f.fold(Answer {
            seen: vec![seen("u1")],
            ..Default::default()
        });
        if known_before == Some(true) {
            assert!(!f.has_pending(), "a known account is not looked up");
            return None;
        }
        f.poll(secs(1)).1.unwrap();
        f.fold(Answer {
            accounts: vec![AccountSeen {
                code: "ACME".into(),
                id: "a1".into(),
                auto_created: true,
                created_at,
            }],
            ..Default::default()
        });
        f.get("u1").unwrap().auto_created_account.clone()
    };
    assert_eq!(run(None, Some(secs(1))), Some("a1".into()));
    assert_eq!(
        run(None, Some(t0() - Duration::days(3))),
        None,
        "an older auto-created account was not created by this measurement"
    );
    assert_eq!(
        run(None, None),
        None,
        "unknown before-state and no date: no claim"
    );
    assert_eq!(run(Some(true), None), None);
}

#[test]
fn account_not_found_is_not_asked_again() {
    let mut f = Follower::default();
    let mut s = submitted("u1", Some("m1"), 0);
    s.account_known_before = Some(false);
    f.sending(s, t0());
    f.accepted("u1", t0());
    f.poll(t0());
    f.fold(Answer {
        seen: vec![seen("u1")],
        ..Default::default()
    });
    f.poll(secs(1)).1.unwrap();
    f.fold(Answer::default());
    assert!(!f.has_pending());
    assert_eq!(f.get("u1").unwrap().auto_created_account, None);
}

#[test]
fn tracked_survives_a_round_trip_through_json_and_restore() {
    let mut f = Follower::default();
    f.sending(submitted("u1", Some("m1"), 0), t0());
    f.accepted("u1", t0());
    f.sending(submitted("u2", None, 0), t0());
    f.accepted("u2", t0());
    f.poll(t0());
    f.fold(Answer {
        failures: vec![failure("u2", "UndefinedMeter")],
        ..Default::default()
    });
    let saved: Vec<String> = f
        .entries()
        .map(|t| serde_json::to_string(t).unwrap())
        .collect();
    assert!(saved[1].contains(r#""state":"failed""#), "{}", saved[1]);
    let mut g = Follower::default();
    g.restore(saved.iter().map(|s| serde_json::from_str(s).unwrap()));
    assert_eq!(g.get("u2").unwrap().state.label(), "failed: UndefinedMeter");
    assert_eq!(g.get("u1").unwrap().state, FollowState::Accepted);
    let ask = g
        .poll(secs(1))
        .1
        .expect("the restored accepted entry is followed");
    assert_eq!(ask.uids, ["u1"]);
    let (changed, ask) = g.poll(secs(1000));
    assert_eq!(
        changed,
        ["u1"],
        "the wait runs out even while a round is in flight"
    );
    assert_eq!(ask, None);
    assert_eq!(g.get("u1").unwrap().state, FollowState::NotConfirmed);
}

#[test]
fn a_resend_of_an_ingested_uid_waits_for_its_event_not_the_old_row() {
    let mut f = Follower::default();
    f.sending(submitted("u1", Some("m1"), 0), t0());
    f.accepted("u1", t0());
    f.poll(t0());
    f.fold(Answer {
        seen: vec![seen("u1")],
        ..Default::default()
    });
    assert_eq!(f.get("u1").unwrap().state.label(), "ingested");
    // The same uid again: the usage row is the first one's.
    f.sending(submitted("u1", Some("m1"), 0), secs(5));
    f.accepted("u1", secs(5));
    f.poll(secs(5)).1.unwrap();
    let changed = f.fold(Answer {
        seen: vec![seen("u1")],
        ..Default::default()
    });
    assert!(changed.is_empty(), "the old row proves nothing");
    assert_eq!(f.get("u1").unwrap().state, FollowState::Accepted);
    f.poll(secs(6)).1.unwrap();
    f.fold(Answer {
        seen: vec![seen("u1")],
        failures: vec![failure("u1", "DuplicateUid")],
        ..Default::default()
    });
    assert_eq!(f.get("u1").unwrap().state.label(), "failed: DuplicateUid");
}

#[test]
fn a_sighting_waits_while_events_were_cut_and_a_resent_uid_waits_for_its_event() {
    let mut f = Follower::default();
    for uid in ["u1", "u2"] {
        f.sending(submitted(uid, Some("m1"), 5), t0());
        f.accepted(uid, t0());
    }
    f.resent("u2");
    // The events were not all read: the failure of u1 may be among the unread ones.
    let changed = f.fold(Answer {
        seen: vec![seen("u1"), seen("u2")],
        events_cut: true,
        ..Default::default()
    });
    assert!(changed.is_empty(), "{changed:?}");
    // All read: u1's sighting counts; u2 was there before it was sent, so only its event does.
    let changed = f.fold(Answer {
        seen: vec![seen("u1"), seen("u2")],
        ..Default::default()
    });
    assert_eq!(changed, ["u1"]);
    assert_eq!(f.get("u2").unwrap().state, FollowState::Accepted);
    f.fold(Answer {
        seen: vec![seen("u2")],
        failures: vec![failure("u2", "DuplicateUid")],
        ..Default::default()
    });
    assert_eq!(f.get("u2").unwrap().state.label(), "failed: DuplicateUid");
}
