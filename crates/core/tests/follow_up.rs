//! A booking's follow-ups: the event published, the appointment cancelled again when it cannot
//! be, a failed compensation flagged for reconciliation, a 422 on the event.
//! Stepped one input at a time over `native/harness.rs`: a manual clock, a scripted provider.
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;

use harness::*;
use raptor_secondary_core::booking::policy::breaker::BreakerState;
use raptor_secondary_core::booking::store::outbox::OutboxStatus;
use raptor_secondary_core::booking::{ClientConfig, State, Step};
use raptor_secondary_core::ErrorCode;

#[test]
fn an_event_that_cannot_be_published_cancels_the_appointment() {
    let mut sim = Sim::new(config()).script(
        "publish",
        &[
            Canned::Status(503),
            Canned::Status(503),
            Canned::Status(503),
        ],
    );
    let result = sim.booked(&keyed("key-outbox-0001"));
    assert_eq!(result.state, State::Failed);
    assert!(result.compensated);
    let error = result.error.unwrap();
    assert_eq!(error.code, ErrorCode::OutboxPublishFailed);
    assert_eq!(
        error.cause.as_ref().unwrap().code,
        ErrorCode::RetryExhausted
    );
    assert_eq!(result.appointment_id.as_deref(), Some("apt_1"));
    assert_eq!(
        sim.endpoints(),
        ["create", "publish", "publish", "publish", "compensate"]
    );
    assert_eq!(sim.sent[4].key, "key-outbox-0001:cancel");
    assert_eq!(sim.sent[4].url, "/api/v2/appointments/apt_1/cancel");
    let bodies: Vec<&str> = sim.sent[1..4]
        .iter()
        .map(|s| s.body.as_deref().unwrap())
        .collect();
    assert!(
        bodies.iter().all(|b| *b == bodies[0]),
        "every try sends the same bytes"
    );
    assert_eq!(sim.client.outbox()[0].status, OutboxStatus::Compensated);
    assert_eq!(sim.client.metrics().compensations, 1);
    assert_eq!(
        sim.client.breaker_state(),
        BreakerState::Closed { failures: 0 },
        "follow-ups do not feed the breaker"
    );
}

#[test]
fn a_failed_compensation_is_flagged_for_reconciliation() {
    let config = ClientConfig {
        attempts: 1,
        ..config()
    };
    let mut sim = Sim::new(config)
        .script("publish", &[Canned::Status(500)])
        .script("compensate", &[Canned::Status(500)]);
    let result = sim.booked(&request());
    assert!(!result.compensated);
    assert_eq!(result.error.unwrap().code, ErrorCode::OutboxPublishFailed);
    assert_eq!(
        sim.client.outbox()[0].status,
        OutboxStatus::NeedsReconciliation
    );
    assert_eq!(sim.client.metrics().reconciliations, 1);
    assert!(sim.events().contains(&"reconciliation.needed"));
}

#[test]
fn a_run_that_meets_an_appointment_an_earlier_run_gave_up_cancels_it_again() {
    // The first run could not publish its event nor cancel its appointment: flagged for
    // reconciliation, the appointment still live at the provider.
    let config = ClientConfig {
        attempts: 1,
        idempotency_ttl_ms: 1000,
        ..config()
    };
    let mut sim = Sim::new(config)
        .script("create", &[Canned::Confirmed, Canned::ConfirmedAs("apt_1")])
        .script("publish", &[Canned::Status(500)])
        .script("compensate", &[Canned::Status(500)]);
    let first = sim.booked(&keyed("key-given-up-01"));
    assert_eq!(first.error.unwrap().code, ErrorCode::OutboxPublishFailed);
    assert_eq!(
        sim.client.outbox()[0].status,
        OutboxStatus::NeedsReconciliation
    );

    // Its idempotency record expires; the outbox entry stays. The same key books again and
    // the provider replays the key's first answer: the same appointment, confirmed.
    sim.now += 5000;
    let again = sim.booked(&keyed("key-given-up-01"));
    assert_eq!(again.appointment_id.as_deref(), Some("apt_1"));
    assert_eq!(again.state, State::Failed, "the run cannot keep it");
    assert!(again.compensated, "so it cancels it, another chance");
    let cancels: Vec<_> = sim
        .sent
        .iter()
        .filter(|s| s.step == Step::Compensate)
        .collect();
    assert_eq!(cancels.len(), 2);
    assert_eq!(cancels[1].key, "key-given-up-01:cancel");
    assert_eq!(cancels[1].url, "/api/v2/appointments/apt_1/cancel");
    assert_eq!(sim.client.outbox()[0].status, OutboxStatus::Compensated);
}

#[test]
fn a_422_on_the_event_under_its_own_key_keeps_the_appointment() {
    let mut sim = Sim::new(config()).script("publish", &[Canned::Status(422)]);
    let result = sim.booked(&request());
    assert_eq!(
        result.state,
        State::Completed,
        "the provider holds an event for this booking"
    );
    assert!(!result.compensated);
    assert_eq!(sim.endpoints(), ["create", "publish"]);
    assert_eq!(sim.client.outbox()[0].status, OutboxStatus::Published);
    let record = sim
        .logs
        .iter()
        .find(|r| r.event == "outbox.published")
        .unwrap();
    assert_eq!(record.status, Some(422));
}
