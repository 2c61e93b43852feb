//! The TypeScript declarations people compile against (`js/index.d.ts`, written by
//! hand) against the Rust declarations they describe: every interface's fields are the record's
//! JSON names, in order, and every union the enum's names. A field added, renamed or dropped
//! on one side fails here. (`tests/types/` checks with `tsc` that the declarations compile and
//! refuse what they should.)
use raptor_secondary_core::action::{Reason, Source};
use raptor_secondary_core::booking::client::views::{BreakerView, Restored};
use raptor_secondary_core::booking::policy::config::RawClientConfig;
use raptor_secondary_core::booking::report::log::LogRecord;
use raptor_secondary_core::booking::report::metrics::MetricsSnapshot;
use raptor_secondary_core::booking::store::outbox::OutboxEntry;
use raptor_secondary_core::booking::wire::contract::AppointmentEvent;
use raptor_secondary_core::booking::wire::outcome::BookingResult;
use raptor_secondary_core::booking::wire::request::RawBookingRequest;
use raptor_secondary_core::{Error, ErrorCode};

const DTS: &str = include_str!("../../../js/index.d.ts");

/// The field names of `export interface <name> { ... }`, in order (top-level members only).
fn interface(name: &str) -> Vec<String> {
    let head = format!("export interface {name} {{");
    let start = DTS
        .find(&head)
        .unwrap_or_else(|| panic!("no interface {name}"));
    let body = &DTS[start + head.len()..];
    let body = &body[..body.find("\n}").expect("the interface ends")];
    body.lines()
        .filter_map(|line| {
            let member = line.strip_prefix("  ")?;
            let end = member.find(['?', ':'])?;
            let name = &member[..end];
            (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .then(|| name.to_string())
        })
        .collect()
}

/// The field names of an inline object type `<prefix> a: ...; b?: ... }` on one line
/// (`prefix` ends with the opening brace).
fn inline(prefix: &str) -> Vec<String> {
    let start = DTS.find(prefix).unwrap_or_else(|| panic!("no {prefix}"));
    let body = &DTS[start + prefix.len()..];
    let body = &body[..body.find('}').expect("the type ends")];
    body.split(';')
        .filter_map(|member| {
            let member = member.trim();
            let end = member.find(['?', ':'])?;
            Some(member[..end].to_string())
        })
        .collect()
}

/// The string literals of `export type <name> = 'a' | 'b' ...;`.
fn union(name: &str) -> Vec<String> {
    let head = format!("export type {name} =");
    let start = DTS.find(&head).unwrap_or_else(|| panic!("no type {name}"));
    let body = &DTS[start + head.len()..];
    let body = &body[..body.find(';').expect("the type ends")];
    body.split('|')
        .map(|part| part.trim().trim_matches('\'').to_string())
        .filter(|part| !part.is_empty())
        .collect()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn records_are_declared_with_their_json_fields() {
    for (declared, rust) in [
        ("BookingResult", BookingResult::JSON_FIELDS),
        ("ClientError", Error::JSON_FIELDS),
        ("LogRecord", LogRecord::JSON_FIELDS),
        ("BreakerView", BreakerView::JSON_FIELDS),
        ("ClientMetrics", MetricsSnapshot::JSON_FIELDS),
        ("OutboxEntry", OutboxEntry::JSON_FIELDS),
    ] {
        assert_eq!(interface(declared), names(rust), "interface {declared}");
    }
    assert_eq!(
        inline("  event: {"),
        names(AppointmentEvent::JSON_FIELDS),
        "OutboxEntry.event"
    );
    assert_eq!(
        inline("  restored(): {"),
        names(Restored::JSON_FIELDS),
        "restored()"
    );
}

#[test]
fn the_request_and_the_config_are_declared_with_the_fields_the_driver_reads() {
    // `handle` takes a booking request with the appointment id a cancel click needs.
    let mut request = interface("BookingRequest");
    assert!(DTS.contains("request: BookingRequest & { appointmentId?: string }"));
    request.push("appointmentId".to_string());
    assert_eq!(request, names(RawBookingRequest::FIELDS));
    // The driver takes the functions and the storage out before the core reads the rest.
    let driver_only = ["fetch", "log", "storage", "storageKey"];
    let config: Vec<String> = interface("AppointmentClientConfig")
        .into_iter()
        .filter(|f| !driver_only.contains(&f.as_str()))
        .collect();
    assert_eq!(config, names(RawClientConfig::FIELDS));
}

#[test]
fn unions_are_the_enums_names() {
    let codes: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    assert_eq!(union("ErrorCode"), codes);
    let reasons: Vec<String> = Reason::ALL.iter().map(|r| r.as_str().to_string()).collect();
    assert_eq!(union("ActionReason"), reasons);
    let sources: Vec<String> = [
        Source::Target,
        Source::SrcElement,
        Source::CurrentTarget,
        Source::ComposedPath,
    ]
    .iter()
    .map(|s| s.as_str().to_string())
    .collect();
    assert_eq!(union("ActionSource"), sources);
}

/// The names `Event::name` spells (the `=> "…"` arms of its match, read from the source).
fn event_names() -> Vec<String> {
    let source = include_str!("../src/booking/report/event.rs");
    let start = source
        .find("pub const fn name(&self)")
        .expect("Event::name");
    let body = &source[start..];
    let body = &body[..body.find("\n    }\n").expect("its end")];
    body.split("=> \"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').expect("a closing quote")].to_string())
        .collect()
}

#[test]
fn log_event_names_are_declared_and_documented() {
    let names = event_names();
    assert_eq!(names.len(), 24);
    assert_eq!(union("LogEvent"), names, "LogEvent in the declarations");
    // The log schema's table of fields (docs/log-schema.md) lists them in the same order.
    let schema = include_str!("../../../docs/log-schema.md");
    let row = schema
        .lines()
        .find(|l| l.starts_with("| `event` | yes |"))
        .expect("the log schema's `event` row");
    let listed: Vec<String> = row
        .split('`')
        .skip(3)
        .step_by(2)
        .map(str::to_string)
        .collect();
    assert_eq!(listed, names, "the log schema's `event` row");
}
