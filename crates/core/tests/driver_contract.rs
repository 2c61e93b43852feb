//! One input in, exactly these commands out: the driver contract (crates/core/src/booking/mod.rs)
//! stepped with a manual clock: what a booking sends and logs, a wake-up that does not spin, a late
//! answer after an abort, and records that carry ids and no personal data.
//! Stepped one input at a time over `native/harness.rs`: a manual clock, a scripted provider.
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;

use harness::*;
use raptor_secondary_core::booking::store::outbox::OutboxStatus;
use raptor_secondary_core::booking::{Answer, ClientConfig, Command, Input, State, Step};
use raptor_secondary_core::json::ToJson;
use raptor_secondary_core::ErrorCode;

#[test]
fn healthy_booking_creates_once_then_publishes_its_event() {
    let mut sim = Sim::new(config());
    let result = sim.booked(&keyed("key-healthy-0001"));
    assert_eq!(result.state, State::Completed);
    assert_eq!(result.appointment_id.as_deref(), Some("apt_1"));
    assert_eq!((result.attempts, result.retries), (1, 0));
    assert_eq!(sim.endpoints(), ["create", "publish"]);
    assert_eq!(sim.sent[0].key, "key-healthy-0001");
    assert_eq!(sim.sent[1].key, "key-healthy-0001:event");
    assert_eq!(sim.sent[0].timeout_ms, 5000);
    assert_eq!(sim.sent[0].url, "/api/v2/appointments");
    assert_eq!(sim.sent[1].url, "/api/v2/events");
    assert_eq!(sim.client.outbox()[0].status, OutboxStatus::Published);
    assert_eq!(
        sim.events(),
        [
            "booking.requested",
            "state.changed",
            "attempt.started",
            "attempt.succeeded",
            "appointment.confirmed",
            "outbox.written",
            "attempt.started",
            "attempt.succeeded",
            "outbox.published",
            "state.changed",
            "booking.completed"
        ]
    );
}

#[test]
fn with_no_reader_a_booking_logs_nothing_and_still_counts() {
    let mut sim = Sim::new(config());
    sim.client.set_logging(false);
    let result = sim.booked(&keyed("key-quiet-0001"));
    assert_eq!(result.state, State::Completed);
    assert_eq!(sim.endpoints(), ["create", "publish"]);
    assert!(sim.events().is_empty(), "{:?}", sim.events());
    let metrics = sim.client.metrics();
    assert_eq!((metrics.bookings, metrics.completed), (1, 1));
    sim.client.set_logging(true);
    sim.booked(&keyed("key-quiet-0002"));
    assert_eq!(sim.events().last(), Some(&"booking.completed"));
    assert_eq!(sim.client.metrics().bookings, 2);
}

#[test]
fn one_input_yields_exactly_these_commands() {
    let mut client =
        raptor_secondary_core::booking::Client::new(config(), Scripted::default(), START);
    client.handle(START, Input::Loaded { items: Vec::new() });
    // An empty storage asks the tabs to agree on the origin's secret, and says nothing else.
    let Some(Command::Agree {
        name,
        proposal,
        holder,
    }) = client.poll()
    else {
        panic!("an empty load agrees the origin's secret first")
    };
    assert_eq!(
        (name.as_str(), holder.as_str(), proposal.len()),
        ("s:", "s=", 64)
    );
    assert_eq!(
        client.poll(),
        None,
        "loading an empty storage says nothing else"
    );
    let agreed = Input::Agreed {
        name,
        text: Some(proposal.clone()),
        settled: true,
    };
    client.handle(START, agreed);
    // Settled on this page's own proposal: a copy is kept beside the records, nothing else.
    let Some(Command::Save {
        name,
        json,
        if_text: None,
        announce: None,
    }) = client.poll()
    else {
        panic!("the agreed secret is saved beside the records")
    };
    assert_eq!((name.as_str(), json), ("s:", Some(proposal)));
    assert_eq!(client.poll(), None, "agreeing says nothing else");
    client.handle(
        START,
        Input::Book {
            id: 7,
            request: keyed("key-exact-00001"),
        },
    );
    // With a storage, the payload is claimed across tabs first; nothing else happens before.
    let Some(Command::Claim {
        claim,
        lock,
        read,
        wait: true,
        announced: "",
    }) = client.poll()
    else {
        panic!("a claim that waits first")
    };
    assert_eq!((client.poll(), lock.len(), &read), (None, 2 + 16, &lock));
    let granted = Input::Claimed {
        claim,
        saved: None,
        granted: true,
        announced: Vec::new(),
    };
    client.handle(START, granted);
    let mut kinds = Vec::new();
    let mut send = None;
    while let Some(command) = client.poll() {
        kinds.push(match &command {
            Command::Save { name, announce, .. } => {
                let announced = announce.as_deref().map_or("", |a| &a[..2]);
                format!("save {} {announced}", &name[..2])
            }
            Command::Log { record } => record.event.to_string(),
            Command::Send(s) => {
                send = Some(s.clone());
                "send".to_string()
            }
            other => panic!("unexpected {other:?}"),
        });
    }
    assert_eq!(
        kinds,
        [
            "booking.requested",
            "save p: p=",
            "state.changed",
            "attempt.started",
            "send"
        ],
        "the record is saved in flight before the create is sent"
    );
    let send = send.unwrap();
    assert_eq!(
        (send.step, send.method, send.key.as_str(), send.timeout_ms),
        (Step::Create, "POST", "key-exact-00001", 5000)
    );
    assert!(send
        .body
        .as_deref()
        .unwrap()
        .starts_with(r#"{"calendarId":"cal_dr-smith","#));
    assert_eq!(
        client.poll_timeout(),
        Some(START + 5000),
        "the attempt's timeout"
    );

    // Nothing is due before then: spurious and early wake-ups change nothing.
    client.handle(START + 10, Input::Timer);
    client.handle(START + 4999, Input::Timer);
    assert_eq!(client.poll(), None);
    // Time never goes back: an earlier `now` counts as the latest seen.
    client.handle(START, Input::Timer);
    assert_eq!(client.poll_timeout(), Some(START + 5000));

    let answer = Answer::Ok {
        id: Some("apt_9".into()),
        status: Some("confirmed".into()),
        status_url: None,
    };
    client.handle(
        START + 20,
        Input::Answer {
            call: send.call,
            answer: answer.clone(),
        },
    );
    let mut events = Vec::new();
    while let Some(command) = client.poll() {
        if let Command::Log { record } = command {
            events.push(record.event);
        }
    }
    assert_eq!(
        &events[..3],
        [
            "attempt.succeeded",
            "appointment.confirmed",
            "outbox.written"
        ]
    );
    // A second answer to the same call (a late or duplicated one) changes nothing.
    client.handle(
        START + 21,
        Input::Answer {
            call: send.call,
            answer,
        },
    );
    assert_eq!(client.poll(), None);
}

#[test]
fn a_wake_up_at_now_with_output_queued_does_not_spin() {
    let mut client =
        raptor_secondary_core::booking::Client::new(config(), Scripted::default(), START);
    client.handle(
        START,
        Input::Book {
            id: 1,
            request: request(),
        },
    );
    assert_eq!(
        client.poll_timeout(),
        Some(START),
        "output is queued: wake now"
    );
    while client.poll().is_some() {}
    let next = client.poll_timeout().unwrap();
    assert!(next > START, "drained: the next wake-up is in the future");
    client.handle(next, Input::Timer);
    let mut aborted = false;
    while let Some(command) = client.poll() {
        aborted |= matches!(command, Command::Abort { .. });
    }
    assert!(aborted, "the attempt timed out and was aborted");
    assert!(
        client.poll_timeout().unwrap() > next,
        "after the wake-up, nothing is due at once"
    );
}

#[test]
fn a_late_answer_after_an_abort_changes_nothing() {
    let config = ClientConfig {
        attempt_timeout_ms: 100,
        attempts: 1,
        ..config()
    };
    let mut sim = Sim::new(config).script("create", &[Canned::Timeout]);
    let result = sim.booked(&request());
    assert_eq!(result.error.unwrap().code, ErrorCode::RetryExhausted);
    let call = sim.aborted[0];
    let logs = sim.logs.len();
    sim.input(Input::Answer {
        call,
        answer: Answer::Ok {
            id: Some("apt_late".into()),
            status: Some("confirmed".into()),
            status_url: None,
        },
    });
    assert_eq!(sim.logs.len(), logs, "not even a log record");
    assert_eq!(sim.results.len(), 1);
}

#[test]
fn every_record_carries_ids_and_no_personal_data() {
    let mut sim = Sim::new(config())
        .script("create", &[Canned::Status(503)])
        .script(
            "publish",
            &[
                Canned::Status(500),
                Canned::Status(500),
                Canned::Status(500),
            ],
        );
    let id = sim.handle("book-appointment", &request());
    sim.run(id);
    let logs: Vec<String> = sim.logs.iter().map(ToJson::to_json).collect();
    assert!(logs.len() > 10);
    for line in &logs {
        let v = raptor_secondary_core::json::parse(line).unwrap();
        for field in [
            "ts",
            "level",
            "event",
            "correlation_id",
            "idempotency_key",
            "action_label",
            "attempt",
            "retries",
            "appointment_id",
            "state",
            "error_code",
            "duration_ms",
        ] {
            assert!(v.get(field).is_some(), "{field} missing in {line}");
        }
        assert!(!v.str_field("correlation_id").unwrap().is_empty());
        assert!(!v.str_field("idempotency_key").unwrap().is_empty());
        assert_eq!(v.str_field("action_label"), Some("book-appointment"));
        assert!(
            v.str_field("ts").unwrap().starts_with("2026-11-23T08:00:"),
            "{line}"
        );
        for secret in [
            "Jane",
            "Doe",
            "jane.doe",
            "example.org",
            "7946",
            "0958",
            "penicillin",
        ] {
            assert!(!line.contains(secret), "{secret} leaked: {line}");
        }
    }
    assert!(
        logs[0].contains("J*** D***") && logs[0].contains("j***@e***.org"),
        "{}",
        logs[0]
    );
}
