//! Random interleavings of two tabs (the property test of `claims.rs` and `shared_storage.rs`),
//! over `native/tabs.rs`. `TABS_SEQUENCES=N` runs more.
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;
#[path = "native/tabs.rs"]
mod tabs;

use harness::{config, request};
use raptor_secondary_core::booking::{Answer, ClientConfig, Input, RequestId, Step};
use std::collections::BTreeMap;
use tabs::*;

/// Random interleavings of two tabs booking three payloads: clicks in either tab, answers
/// (confirmed, 503, none), the clock, abandons and tab reloads (a closed tab's locks are let
/// go, its calls still reach the provider). After every step, across tabs, at most one create
/// is in flight per payload; at the end, every payload was created under one key only (a new
/// one only after the old one's appointment was cancelled again), every
/// call was answered once and every claim was let go. `TABS_SEQUENCES` sets how many.
#[test]
fn random_two_tab_sequences_use_one_key_per_payload() {
    let count: u64 = std::env::var("TABS_SEQUENCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    let only: Option<u64> = std::env::var("TABS_SEED").ok().and_then(|v| v.parse().ok());
    let (mut steps_run, mut lookups) = (0u64, 0u64);
    for seed in (0..count).filter(|s| only.is_none_or(|o| o == *s)) {
        let (steps, looked_up) = two_tabs(seed);
        steps_run += steps;
        lookups += looked_up;
    }
    println!("tabs: {count} two-tab sequences, {steps_run} steps, {lookups} lookups of expired bookings; one create in flight per payload across tabs, one key per payload");
}

fn two_tabs(seed: u64) -> (u64, u64) {
    let mut g = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = |n: u64| {
        g ^= g << 13;
        g ^= g >> 7;
        g ^= g << 17;
        g % n
    };
    // One sequence in four runs with a memory cap of 1 to 3 records (storage keeps the rest).
    let cap = match next(4) {
        0 => 1 + next(3) as u32,
        _ => config().idempotency_max_entries,
    };
    // One in four with records that expire within the sequence (then they are looked up); a
    // time to live is at least a booking's deadline (20 s here), as any real one is.
    let ttl = match next(4) {
        0 => 20_000 + next(20_000),
        _ => config().idempotency_ttl_ms,
    };
    let mut b = Browser::with(ClientConfig {
        idempotency_max_entries: cap,
        idempotency_ttl_ms: ttl,
        ..config()
    });
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let mut live = vec![0usize, 1];
    // Double clicks: the tab and the first call's id (the second's is the next).
    let mut clicks: Vec<(usize, RequestId)> = Vec::new();
    let steps = 10 + next(60);
    for _ in 0..steps {
        let tab = live[next(2) as usize];
        match next(10) {
            0..=2 => {
                b.tabs[tab].next_id += 1;
                let id = b.tabs[tab].next_id;
                let mut r = request();
                r.slot_start = Some(raptor_secondary_core::booking::wire::scalar::Scalar::Text(
                    ["2026-12-0", &(1 + next(3)).to_string(), "T09:30:00Z"].concat(),
                ));
                // One booking in four is a double click: two calls in one tick.
                if next(4) == 0 {
                    let request = r.clone();
                    b.tabs[tab]
                        .client
                        .handle(b.now, Input::Book { id, request });
                    b.tabs[tab].next_id += 1;
                    clicks.push((tab, id));
                }
                let id = b.tabs[tab].next_id;
                b.input(tab, Input::Book { id, request: r });
            }
            3..=5 if !b.calls.is_empty() => {
                let i = next(b.calls.len() as u64) as usize;
                let (t, send) = b.calls.remove(i);
                let answer = match next(3) {
                    0 => Answer::Status {
                        status: 503,
                        retry_after: None,
                    },
                    _ => ok(&send),
                };
                b.deliver(t, &live, &send, answer);
            }
            6 => {
                // Now and then a long pause, past a time to live; no call hangs that long, so
                // the provider answers every call first (a page gone away hears nothing).
                let long = next(6) == 0;
                while let Some((t, send)) = b.calls.first().cloned().filter(|_| long) {
                    b.calls.remove(0);
                    b.deliver(t, &live, &send, ok(&send));
                }
                b.now += if long { next(60_000) } else { next(3_000) } as i64;
                for t in live.clone() {
                    b.input(t, Input::Timer);
                }
            }
            7 => {
                let waiting: Vec<RequestId> = (1..=b.tabs[tab].next_id)
                    .filter(|id| !b.tabs[tab].results.contains_key(id))
                    .collect();
                if let Some(&id) = waiting.first() {
                    b.input(
                        tab,
                        Input::Abandon {
                            id,
                            aborted: next(2) == 0,
                        },
                    );
                }
            }
            8 => {
                // A reload: the tab's calls still reach the provider, their answers reach nobody.
                b.close(tab);
                let reopened = b.open();
                live.retain(|t| *t != tab);
                live.push(reopened);
            }
            _ => {}
        }
        check_one_create_per_payload(&b, &live, &mut keys, seed);
    }
    // The end: answer everything, let the clock run out.
    for _ in 0..10_000 {
        if let Some((t, send)) = b.calls.first().cloned() {
            b.calls.remove(0);
            b.deliver(t, &live, &send, ok(&send));
        } else if let Some(at) = live
            .iter()
            .filter_map(|&t| b.tabs[t].client.poll_timeout())
            .min()
        {
            b.now = b.now.max(at);
            for t in live.clone() {
                b.input(t, Input::Timer);
            }
        } else {
            break;
        }
        check_one_create_per_payload(&b, &live, &mut keys, seed);
    }
    for &t in &live {
        let tab = &b.tabs[t];
        assert_eq!(
            tab.results.len() as u32,
            tab.next_id,
            "seed {seed}: a call never answered"
        );
        assert!(!b.origin.busy(t), "seed {seed}: a claim never let go");
    }
    // The two calls of a double click are one run: where both saw an appointment, it is one
    // appointment under one key, whatever the run's end (one that gave up before its run
    // started has neither).
    for (t, id) in clicks {
        let results = &b.tabs[t].results;
        let (Some(x), Some(y)) = (results.get(&id), results.get(&(id + 1))) else {
            continue; // the tab was reloaded before it answered
        };
        if x.appointment_id.is_some() && y.appointment_id.is_some() {
            assert_eq!(
                (&x.idempotency_key, &x.appointment_id),
                (&y.idempotency_key, &y.appointment_id),
                "seed {seed}: a double click made two runs"
            );
        }
    }
    (steps, b.lookups)
}

/// Across the open tabs at most one create in flight per payload (its body); one key per
/// payload, including the calls of tabs that went away (the provider still answers those).
fn check_one_create_per_payload(
    b: &Browser,
    live: &[usize],
    keys: &mut BTreeMap<String, String>,
    seed: u64,
) {
    let mut in_flight = std::collections::BTreeSet::new();
    for (tab, send) in b.calls.iter().filter(|(_, s)| s.step == Step::Create) {
        let body = send.body.clone().unwrap_or_default();
        assert!(
            !live.contains(tab) || in_flight.insert(body.clone()),
            "seed {seed}: two creates in flight for one payload"
        );
        let key = keys.entry(body).or_insert_with(|| send.key.clone());
        // A new key only once the old key's appointment was cancelled again (compensated), or
        // once its record may be gone: twice the time to live after the booking ended, which
        // is after its last call.
        let gone = 2 * b.config.idempotency_ttl_ms as i64;
        let forgotten = b
            .last_sent
            .get(key.as_str())
            .is_some_and(|t| b.now - t >= gone);
        if *key != send.key && (b.compensated.contains(key.as_str()) || forgotten) {
            *key = send.key.clone();
        }
        assert_eq!(*key, send.key, "seed {seed}: a second key for one payload");
    }
}
