//! A page that gives up on a call: the calls that joined it are answered, and an appointment
//! that exists is kept and finished in the background.
//! Stepped one input at a time over `native/harness.rs`: a manual clock, a scripted provider.
#[path = "native/harness.rs"]
mod harness;
#[path = "native/storage.rs"]
mod storage;

use harness::*;
use raptor_secondary_core::booking::store::outbox::OutboxStatus;
use raptor_secondary_core::booking::State;
use raptor_secondary_core::ErrorCode;

#[test]
fn an_abandoned_booking_answers_the_calls_that_joined_it() {
    let mut sim = Sim::new(config()).script("create", &[Canned::Status(503)]);
    let first = sim.book(&request());
    let second = sim.book(&request());
    sim.abandon(first);
    let abandoned = sim.result(first).cloned().expect("answered at once");
    assert_eq!(abandoned.error.unwrap().code, ErrorCode::Timeout);
    let joined = sim.result(second).cloned().expect("released");
    assert_eq!(joined.error.unwrap().code, ErrorCode::Timeout);
    assert_eq!(sim.client.poll_timeout(), None, "nothing left waiting");
    // The key is free to run again.
    let again = sim.booked(&request());
    assert_eq!(again.state, State::Completed);
}

#[test]
fn an_abandoned_booking_with_an_appointment_keeps_it_and_finishes_in_the_background() {
    let mut sim = Sim::new(config()).script("publish", &[Canned::Status(503)]);
    let id = sim.book(&request());
    assert_eq!(
        sim.endpoints(),
        ["create", "publish"],
        "publishing, waiting to retry"
    );
    sim.abandon(id);
    let answered = sim.result(id).cloned().unwrap();
    assert_eq!(
        answered.appointment_id.as_deref(),
        Some("apt_1"),
        "the appointment is reported"
    );
    while sim.step() {}
    assert_eq!(
        sim.client.outbox()[0].status,
        OutboxStatus::Published,
        "its event was still published"
    );
    assert_eq!(sim.count("compensate"), 0);
    assert_eq!(sim.results.len(), 1, "no second answer");
}
