//! Client settings: documented defaults, and validation that names the option at fault. Every
//! option is declared once, in `options!`: its field, JavaScript name, range and default;
//! the validated struct, the raw input record, the validation and the `config()` view all
//! follow from that one list.
use alloc::borrow::ToOwned;
use alloc::string::String;

use super::breaker::BreakerConfig;
use crate::booking::wire::scalar::{text, whole_number, Scalar};
use crate::json::{Object, ToJson};
use crate::{Error, ErrorCode};

/// The provider base URL when none is given.
pub const DEFAULT_BASE_URL: &str = "/api/v2";

macro_rules! options {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty = $js:literal, $lo:literal ..= $hi:literal, $default:literal; )*) => {
        /// Validated settings; the numeric ones are declared with their range and default in
        /// `config.rs`.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct ClientConfig {
            /// Provider base URL, no trailing slash; default `/api/v2`.
            pub base_url: String,
            $( $(#[$doc])* pub $field: $ty, )*
        }

        impl Default for ClientConfig {
            fn default() -> Self {
                ClientConfig { base_url: DEFAULT_BASE_URL.into(), $( $field: $default, )* }
            }
        }

        $crate::raw_record! {
            /// Settings as they arrived from JavaScript (functions such as `fetch` and `log`,
            /// and the storage, are taken out by the driver first).
            pub struct RawClientConfig {
                /// The provider's base URL.
                base_url => "baseUrl",
                $( $(#[$doc])* $field => $js, )*
            }
        }

        impl RawClientConfig {
            /// The validated settings, defaults filled in.
            pub fn validate(&self) -> Result<ClientConfig, Error> {
                let config = ClientConfig {
                    base_url: base_url(&self.base_url)?,
                    $( $field: number(&self.$field, $js, $lo, $hi, $default)? as $ty, )*
                };
                if config.max_delay_ms < config.base_delay_ms {
                    return Err(invalid("maxDelayMs must be at least baseDelayMs"));
                }
                Ok(config)
            }
        }

        impl ToJson for ClientConfig {
            fn write_json(&self, out: &mut String) {
                Object::new(out)
                    .field("baseUrl", &self.base_url)
                    $( .field($js, &self.$field) )*
                    .end();
            }
        }
    };
}

options! {
    /// Attempts per step, first one included, 1–10; default 3.
    attempts: u32 = "attempts", 1..=10, 3;
    /// Backoff base delay, ms, 1–60 000; default 100.
    base_delay_ms: u64 = "baseDelayMs", 1..=60_000, 100;
    /// Backoff delay cap, ms, ≥ base, ≤ 300 000; default 2 000.
    max_delay_ms: u64 = "maxDelayMs", 1..=300_000, 2000;
    /// Longest `Retry-After` honoured, ms; a longer one ends retrying; default 30 000.
    max_retry_after_ms: u64 = "maxRetryAfterMs", 0..=3_600_000, 30_000;
    /// Per-attempt timeout, ms, 1–120 000; default 5 000.
    attempt_timeout_ms: u64 = "attemptTimeoutMs", 1..=120_000, 5000;
    /// Overall deadline of a booking (create and polling), ms, 1–600 000; default 20 000.
    deadline_ms: u64 = "deadlineMs", 1..=600_000, 20_000;
    /// Wait between polls of a pending booking, ms, 1–60 000; default 500.
    poll_interval_ms: u64 = "pollIntervalMs", 1..=60_000, 500;
    /// Consecutive failures that open the breaker, 1–100; default 3.
    breaker_threshold: u32 = "breakerThreshold", 1..=100, 3;
    /// Breaker cool-down, ms, 1–3 600 000; default 5 000.
    breaker_cooldown_ms: u64 = "breakerCooldownMs", 1..=3_600_000, 5000;
    /// How long finished idempotency records are kept, ms, up to 7 days; default 24 h.
    idempotency_ttl_ms: u64 = "idempotencyTtlMs", 1..=604_800_000, 86_400_000;
    /// Most idempotency records kept, 1–100 000; default 500.
    idempotency_max_entries: u32 = "idempotencyMaxEntries", 1..=100_000, 500;
    /// Log records kept for `logs()`, 0–100 000; default 1 000.
    log_capacity: u32 = "logCapacity", 0..=100_000, 1000;
}

impl ClientConfig {
    /// The breaker's settings; a probe's lease is one attempt timeout.
    pub fn breaker(&self) -> BreakerConfig {
        BreakerConfig {
            threshold: self.breaker_threshold,
            cooldown_ms: self.breaker_cooldown_ms,
            probe_lease_ms: self.attempt_timeout_ms,
        }
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidOptions, message)
}

fn base_url(value: &Option<Scalar>) -> Result<String, Error> {
    match text(value, "baseUrl").map_err(|mut e| invalid(core::mem::take(&mut e.message)))? {
        None => Ok(DEFAULT_BASE_URL.into()),
        Some(url) => {
            let url = url.trim_end_matches('/');
            if url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(invalid(
                    "baseUrl must be a URL or a path without spaces, like /api/v2",
                ));
            }
            Ok(url.to_owned())
        }
    }
}

fn number(
    value: &Option<Scalar>,
    field: &'static str,
    lo: u64,
    hi: u64,
    default: u64,
) -> Result<u64, Error> {
    Ok(whole_number(value, field, lo, hi, ErrorCode::InvalidOptions)?.unwrap_or(default))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    #[test]
    fn empty_config_gives_the_documented_defaults() {
        let config = RawClientConfig::default().validate().unwrap();
        assert_eq!(config, ClientConfig::default());
        assert_eq!(
            (
                config.attempts,
                config.base_delay_ms,
                config.idempotency_ttl_ms
            ),
            (3, 100, 86_400_000)
        );
    }

    #[test]
    fn bad_values_name_the_option() {
        let cases: Vec<(&str, RawClientConfig)> = vec![
            (
                "attempts",
                RawClientConfig {
                    attempts: Some(Scalar::Number(0.0)),
                    ..Default::default()
                },
            ),
            (
                "attempts",
                RawClientConfig {
                    attempts: Some(Scalar::Text("3".into())),
                    ..Default::default()
                },
            ),
            (
                "baseDelayMs",
                RawClientConfig {
                    base_delay_ms: Some(Scalar::Number(-5.0)),
                    ..Default::default()
                },
            ),
            (
                "breakerThreshold",
                RawClientConfig {
                    breaker_threshold: Some(Scalar::Number(1.5)),
                    ..Default::default()
                },
            ),
            (
                "baseUrl",
                RawClientConfig {
                    base_url: Some(Scalar::Number(1.0)),
                    ..Default::default()
                },
            ),
            (
                "baseUrl",
                RawClientConfig {
                    base_url: Some(Scalar::Text("/api v2".into())),
                    ..Default::default()
                },
            ),
            (
                "maxDelayMs",
                RawClientConfig {
                    base_delay_ms: Some(Scalar::Number(500.0)),
                    max_delay_ms: Some(Scalar::Number(100.0)),
                    ..Default::default()
                },
            ),
        ];
        for (field, raw) in cases {
            let e = raw.validate().unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidOptions);
            assert!(e.message.contains(field), "{field}: {}", e.message);
        }
    }

    #[test]
    fn the_view_has_every_option_once() {
        let json = ClientConfig::default().to_json();
        for name in RawClientConfig::FIELDS {
            assert_eq!(
                json.matches(&["\"", name, "\":"].concat()).count(),
                1,
                "{name}"
            );
        }
        assert_eq!(RawClientConfig::FIELDS.len(), 13);
    }

    #[test]
    fn trailing_slashes_are_dropped() {
        let raw = RawClientConfig {
            base_url: Some(Scalar::Text("http://127.0.0.1:8081/api/v2/".into())),
            ..Default::default()
        };
        assert_eq!(
            raw.validate().unwrap().base_url,
            "http://127.0.0.1:8081/api/v2"
        );
    }
}
