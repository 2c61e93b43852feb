//! Tests of [`super`].
use super::*;
use crate::booking::wire::scalar::Scalar;
use crate::json::ToJson;
use std::prelude::rust_2021::*;
#[allow(unused_imports)]
use std::{format, vec};

const NOW: i64 = 1_795_000_000_000; // 2026-11-18

fn t(s: &str) -> Option<Scalar> {
    Some(Scalar::Text(s.into()))
}

fn good() -> RawBookingRequest {
    RawBookingRequest {
        calendar_id: t("cal_dr-smith"),
        slot_start: t("2026-11-30T09:30:00Z"),
        duration_minutes: Some(Scalar::Number(30.0)),
        patient_name: t("  Jane Doe "),
        patient_email: t("jane.doe@example.org"),
        patient_phone: t("+44 20 7946 0958"),
        notes: t("first visit"),
        ..Default::default()
    }
}

fn field_of(raw: RawBookingRequest) -> &'static str {
    let e = raw.validate(NOW).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidRequest, "{e}");
    e.field.unwrap()
}

#[test]
fn a_good_request_validates_and_is_trimmed() {
    let ok = good().validate(NOW).unwrap();
    assert_eq!(ok.patient_name, "Jane Doe");
    assert_eq!(ok.duration_minutes, 30);
}

#[test]
fn each_violation_names_its_field() {
    type Breaker = fn(&mut RawBookingRequest);
    let cases: Vec<(&str, Breaker)> = vec![
        ("calendarId", |r| r.calendar_id = None),
        ("calendarId", |r| r.calendar_id = t("cal/../x")),
        ("calendarId", |r| r.calendar_id = Some(Scalar::Number(7.0))),
        ("slotStart", |r| r.slot_start = t("next tuesday")),
        ("slotStart", |r| r.slot_start = t("2026-11-01T09:30:00Z")),
        ("slotStart", |r| r.slot_start = t("2028-11-01T09:30:00Z")),
        ("durationMinutes", |r| {
            r.duration_minutes = Some(Scalar::Number(2.0))
        }),
        ("durationMinutes", |r| {
            r.duration_minutes = Some(Scalar::Number(30.5))
        }),
        ("durationMinutes", |r| {
            r.duration_minutes = Some(Scalar::Number(f64::NAN))
        }),
        ("durationMinutes", |r| r.duration_minutes = t("30")),
        ("durationMinutes", |r| r.duration_minutes = None),
        ("patientName", |r| r.patient_name = t("   ")),
        ("patientName", |r| r.patient_name = t(&"x".repeat(101))),
        ("patientName", |r| r.patient_name = t("Jane\u{0}")),
        ("patientEmail", |r| r.patient_email = t("jane")),
        ("patientEmail", |r| r.patient_email = t("jane@localhost")),
        ("patientEmail", |r| r.patient_email = t("ja ne@example.org")),
        ("patientEmail", |r| {
            r.patient_email = Some(Scalar::Compound("an object"))
        }),
        ("patientPhone", |r| r.patient_phone = t("12")),
        ("patientPhone", |r| r.patient_phone = t("+1 555 CALL NOW")),
        ("notes", |r| r.notes = t(&"n".repeat(501))),
        ("idempotencyKey", |r| r.idempotency_key = t("short")),
        ("idempotencyKey", |r| {
            r.idempotency_key = t("has space in it")
        }),
    ];
    for (field, break_it) in cases {
        let mut raw = good();
        break_it(&mut raw);
        assert_eq!(field_of(raw), field);
    }
}

#[test]
fn the_body_is_the_wire_shape_without_absent_fields() {
    let mut raw = good();
    raw.notes = None;
    let json = raw.validate(NOW).unwrap().to_json();
    assert_eq!(
        json,
        r#"{"calendarId":"cal_dr-smith","slotStart":"2026-11-30T09:30:00Z","durationMinutes":30,"patientName":"Jane Doe","patientEmail":"jane.doe@example.org","patientPhone":"+44 20 7946 0958"}"#
    );
    assert_eq!(RawBookingRequest::FIELDS.len(), 9);
}

#[test]
fn optional_fields_may_be_absent() {
    let mut raw = good();
    raw.patient_phone = None;
    raw.notes = None;
    assert!(raw.validate(NOW).is_ok());
}

#[test]
fn fingerprint_tells_payloads_apart() {
    let a = good().validate(NOW).unwrap();
    let mut b = a.clone();
    assert_eq!(a.fingerprint(), b.fingerprint());
    b.duration_minutes = 45;
    assert_ne!(a.fingerprint(), b.fingerprint());
    let (mut c, mut d) = (a.clone(), a.clone());
    c.patient_name = "ab".into();
    c.patient_email = "c@x.io".into();
    d.patient_name = "a".into();
    d.patient_email = "bc@x.io".into();
    assert_ne!(c.fingerprint(), d.fingerprint());
}

#[test]
fn debug_output_masks_personal_data() {
    let text = format!("{:?}", good().validate(NOW).unwrap());
    assert!(!text.contains("Jane") && !text.contains("jane.doe") && !text.contains("7946"));
    assert!(!text.contains("first visit"));
}
