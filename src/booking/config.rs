//! Client settings: documented defaults, and validation that names the option at fault.

use super::breaker::BreakerConfig;
use super::scalar::{text, whole_number, Scalar};
use crate::{Error, ErrorCode};
use serde::Deserialize;

/// Validated settings. Defaults in brackets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// Provider base URL, no trailing slash [`/api/v2`].
    pub base_url: String,
    /// Attempts per step, first one included, 1–10 [3].
    pub attempts: u32,
    /// Backoff base delay, ms, 1–60 000 [100].
    pub base_delay_ms: u64,
    /// Backoff delay cap, ms, ≥ base, ≤ 300 000 [2 000].
    pub max_delay_ms: u64,
    /// Longest `Retry-After` honoured, ms; a longer one ends retrying [30 000].
    pub max_retry_after_ms: u64,
    /// Per-attempt timeout, ms, 1–120 000 [5 000].
    pub attempt_timeout_ms: u64,
    /// Overall deadline of a booking (create and polling), ms, 1–600 000 [20 000].
    pub deadline_ms: u64,
    /// Wait between polls of a pending booking, ms, 1–60 000 [500].
    pub poll_interval_ms: u64,
    /// Consecutive failures that open the breaker, 1–100 [3].
    pub breaker_threshold: u32,
    /// Breaker cool-down, ms, 1–3 600 000 [5 000].
    pub breaker_cooldown_ms: u64,
    /// How long finished idempotency records are kept, ms, up to 7 days [24 h].
    pub idempotency_ttl_ms: u64,
    /// Most idempotency records kept, 1–100 000 [500].
    pub idempotency_max_entries: u32,
    /// Log records kept for `logs()`, 0–100 000 [1 000].
    pub log_capacity: u32,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: "/api/v2".into(),
            attempts: 3,
            base_delay_ms: 100,
            max_delay_ms: 2000,
            max_retry_after_ms: 30_000,
            attempt_timeout_ms: 5000,
            deadline_ms: 20_000,
            poll_interval_ms: 500,
            breaker_threshold: 3,
            breaker_cooldown_ms: 5000,
            idempotency_ttl_ms: 86_400_000,
            idempotency_max_entries: 500,
            log_capacity: 1000,
        }
    }
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

/// Settings as they arrived from JavaScript (functions such as `fetch` and `log` are taken
/// out by the web layer first). Unknown options are refused, so a typo is not ignored.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawClientConfig {
    pub base_url: Option<Scalar>,
    pub attempts: Option<Scalar>,
    pub base_delay_ms: Option<Scalar>,
    pub max_delay_ms: Option<Scalar>,
    pub max_retry_after_ms: Option<Scalar>,
    pub attempt_timeout_ms: Option<Scalar>,
    pub deadline_ms: Option<Scalar>,
    pub poll_interval_ms: Option<Scalar>,
    pub breaker_threshold: Option<Scalar>,
    pub breaker_cooldown_ms: Option<Scalar>,
    pub idempotency_ttl_ms: Option<Scalar>,
    pub idempotency_max_entries: Option<Scalar>,
    pub log_capacity: Option<Scalar>,
}

impl RawClientConfig {
    /// Every option's JavaScript name, besides the functions `fetch` and `log`.
    pub const FIELDS: [&'static str; 13] = [
        "baseUrl",
        "attempts",
        "baseDelayMs",
        "maxDelayMs",
        "maxRetryAfterMs",
        "attemptTimeoutMs",
        "deadlineMs",
        "pollIntervalMs",
        "breakerThreshold",
        "breakerCooldownMs",
        "idempotencyTtlMs",
        "idempotencyMaxEntries",
        "logCapacity",
    ];

    /// Settings from `get(name)` for each of [`FIELDS`](Self::FIELDS).
    pub fn from_lookup(mut get: impl FnMut(&str) -> Option<Scalar>) -> Self {
        RawClientConfig {
            base_url: get("baseUrl"),
            attempts: get("attempts"),
            base_delay_ms: get("baseDelayMs"),
            max_delay_ms: get("maxDelayMs"),
            max_retry_after_ms: get("maxRetryAfterMs"),
            attempt_timeout_ms: get("attemptTimeoutMs"),
            deadline_ms: get("deadlineMs"),
            poll_interval_ms: get("pollIntervalMs"),
            breaker_threshold: get("breakerThreshold"),
            breaker_cooldown_ms: get("breakerCooldownMs"),
            idempotency_ttl_ms: get("idempotencyTtlMs"),
            idempotency_max_entries: get("idempotencyMaxEntries"),
            log_capacity: get("logCapacity"),
        }
    }
}

fn number(
    value: &Option<Scalar>,
    field: &'static str,
    range: core::ops::RangeInclusive<u64>,
    default: u64,
) -> Result<u64, Error> {
    Ok(whole_number(value, field, range, ErrorCode::InvalidOptions)?.unwrap_or(default))
}

impl RawClientConfig {
    /// The validated settings, defaults filled in.
    pub fn validate(&self) -> Result<ClientConfig, Error> {
        let d = ClientConfig::default();
        let base_url = match text(&self.base_url, "baseUrl")
            .map_err(|e| Error::new(ErrorCode::InvalidOptions, e.message))?
        {
            None => d.base_url,
            Some(url) => {
                let url = url.trim_end_matches('/');
                if url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(Error::new(
                        ErrorCode::InvalidOptions,
                        "baseUrl must be a URL or a path without spaces, like /api/v2",
                    ));
                }
                url.to_owned()
            }
        };
        let config = ClientConfig {
            base_url,
            attempts: number(&self.attempts, "attempts", 1..=10, d.attempts.into())? as u32,
            base_delay_ms: number(
                &self.base_delay_ms,
                "baseDelayMs",
                1..=60_000,
                d.base_delay_ms,
            )?,
            max_delay_ms: number(
                &self.max_delay_ms,
                "maxDelayMs",
                1..=300_000,
                d.max_delay_ms,
            )?,
            max_retry_after_ms: number(
                &self.max_retry_after_ms,
                "maxRetryAfterMs",
                0..=3_600_000,
                d.max_retry_after_ms,
            )?,
            attempt_timeout_ms: number(
                &self.attempt_timeout_ms,
                "attemptTimeoutMs",
                1..=120_000,
                d.attempt_timeout_ms,
            )?,
            deadline_ms: number(&self.deadline_ms, "deadlineMs", 1..=600_000, d.deadline_ms)?,
            poll_interval_ms: number(
                &self.poll_interval_ms,
                "pollIntervalMs",
                1..=60_000,
                d.poll_interval_ms,
            )?,
            breaker_threshold: number(
                &self.breaker_threshold,
                "breakerThreshold",
                1..=100,
                d.breaker_threshold.into(),
            )? as u32,
            breaker_cooldown_ms: number(
                &self.breaker_cooldown_ms,
                "breakerCooldownMs",
                1..=3_600_000,
                d.breaker_cooldown_ms,
            )?,
            idempotency_ttl_ms: number(
                &self.idempotency_ttl_ms,
                "idempotencyTtlMs",
                1..=604_800_000,
                d.idempotency_ttl_ms,
            )?,
            idempotency_max_entries: number(
                &self.idempotency_max_entries,
                "idempotencyMaxEntries",
                1..=100_000,
                d.idempotency_max_entries.into(),
            )? as u32,
            log_capacity: number(
                &self.log_capacity,
                "logCapacity",
                0..=100_000,
                d.log_capacity.into(),
            )? as u32,
        };
        if config.max_delay_ms < config.base_delay_ms {
            return Err(Error::new(
                ErrorCode::InvalidOptions,
                "maxDelayMs must be at least baseDelayMs",
            ));
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_gives_the_documented_defaults() {
        assert_eq!(
            RawClientConfig::default().validate(),
            Ok(ClientConfig::default())
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
    fn unknown_options_are_refused() {
        let e = serde_json::from_str::<RawClientConfig>(r#"{"attempt": 3}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `attempt`"), "{e}");
    }

    #[test]
    fn fields_lists_every_option() {
        let all: Vec<String> = RawClientConfig::FIELDS
            .iter()
            .map(|f| format!("\"{f}\": 1"))
            .collect();
        let json = format!("{{{}}}", all.join(","));
        let by_serde = serde_json::from_str::<RawClientConfig>(&json).unwrap();
        let by_lookup = RawClientConfig::from_lookup(|_| Some(Scalar::Number(1.0)));
        assert_eq!(format!("{by_serde:?}"), format!("{by_lookup:?}"));
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
