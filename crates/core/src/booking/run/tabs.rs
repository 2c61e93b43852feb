//! What the tabs of one origin share through storage, and how a tab takes what the others
//! saved: the breaker's state (item `b:`), the origin's secret that keys the fingerprints in
//! storage (item `s:`), and the appointments a page cancelled (items `x:<id>`). Records are
//! never taken from here: they are read under their claim ([`crate::booking::client::claim`]),
//! with what tabs announced of them.
use crate::ascii::cat;
use alloc::borrow::ToOwned;
use alloc::string::String;

use super::shared::Shared;
use crate::booking::io::Command;
use crate::booking::policy::breaker::{Admission, BreakerState};
use crate::booking::random::Random;
use crate::booking::report::event::{Ctx, Event};
use crate::json::ToJson;

/// The prefix of a cancel's announcement (`x=<appointment id> <json>`), as builds before the
/// core owned it named the lock: tabs of two builds read each other's.
pub const CANCELLED: &str = "x=";

/// What a claim reads back of the registry: every announcement under the storage key
/// (cancels and records), each with its prefix.
pub const ANNOUNCED: &str = "";

impl<R: Random> Shared<R> {
    /// Takes the cancels the origin's tabs announced (`x=<appointment id> <json>`, as read
    /// back by a claim).
    pub fn take_announced(&mut self, announced: &[String]) {
        if !self.persists {
            return;
        }
        for text in announced {
            let cancel = text.strip_prefix(CANCELLED);
            if let Some((id, json)) = cancel.and_then(|t| crate::ascii::split_first(t, b' ')) {
                self.take_cancelled(&cat(&["x:", id]), Some(json));
            }
        }
    }

    /// The page's cancel of `appointment_id` went through: its bookings are not found by
    /// payload any more, here and (through storage item `x:<id>`) in every tab and later page.
    pub fn note_cancelled(&mut self, appointment_id: &str) {
        self.store.cancelled(appointment_id, self.now, self.now);
        if self.persists {
            let mut json = String::new();
            crate::json::Object::new(&mut json)
                .field("at", &self.now)
                .end();
            let name = cat(&["x:", appointment_id]);
            // A localStorage write reaches other tabs late, so a tab booking the slot the
            // moment this cancel answers could read the record from before it and replay the
            // cancelled appointment (1 round in 40 under load, Chromium): the cancel is also
            // held in the origin's lock registry, which claims read with the record.
            let announce = Some(cat(&[CANCELLED, appointment_id, " ", &json]));
            self.out.push_back(Command::Save {
                name,
                json: Some(json),
                if_text: None,
                announce,
            });
        }
    }

    /// Another tab (or, at load, an earlier page) cancelled appointment `name[2..]`.
    pub fn take_cancelled(&mut self, name: &str, json: Option<&str>) {
        let at = json
            .and_then(crate::json::parse)
            .and_then(|v| v.int_field("at"));
        let (Some(id), Some(at)) = (name.get(2..), at) else {
            return;
        };
        if !self.store.cancelled(id, at, self.now) {
            // Older than any record that could name it: the item goes.
            let name = name.to_owned();
            self.out.push_back(Command::Save {
                name,
                json: None,
                if_text: None,
                announce: None,
            });
        }
    }

    /// Asks the breaker whether a guarded call may go now: a transition is logged (to `ctx`)
    /// and shared with other tabs.
    pub fn admit(&mut self, ctx: &mut Ctx) -> Admission {
        let (admission, transition) = self.breaker.admit(self.now);
        if let Some(t) = transition {
            self.emit(ctx, Event::BreakerChanged(t));
        }
        self.share_breaker();
        admission
    }

    /// Saves the breaker's state for other tabs when it changed (with a storage). Half-open is
    /// this tab's own business (it is about to probe, or was refused the probe): what other
    /// tabs need is the probe's outcome, closed or open again.
    pub fn share_breaker(&mut self) {
        let state = self.breaker.state();
        let half_open = matches!(state, BreakerState::HalfOpen { .. });
        if self.persists && !half_open && self.shared_breaker != Some(state) {
            self.shared_breaker = Some(state);
            self.out.push_back(Command::Save {
                name: "b:".into(),
                json: Some(state.to_json()),
                if_text: None,
                announce: None,
            });
        }
    }

    /// Takes the breaker state another tab saved (`None`: not one): a changed state is logged
    /// as a transition of this tab's breaker.
    pub fn adopt_breaker(&mut self, text: Option<&str>) {
        let Some(state) = text.and_then(BreakerState::from_json) else {
            return;
        };
        self.shared_breaker = Some(state);
        if let Some(t) = self.breaker.adopt(state) {
            let mut ctx = self.ctx(String::new(), None);
            ctx.uncounted = false;
            self.emit(&mut ctx, Event::BreakerChanged(t));
        }
    }

    /// Takes the origin's secret as storage holds it now (item `s:`, 64 hex digits). The first
    /// one read keys every fingerprint of this page. Where no storage orders the tabs that mint
    /// one at the same moment (localStorage without IndexedDB: a write reaches other tabs late,
    /// so each can read back its own), they converge on the lowest: a page holding a higher one
    /// takes the lower one and re-keys the records it made (saved under their new names, the old
    /// items removed), and a page holding the lowest writes it back over a higher one.
    pub fn take_secret(&mut self, text: Option<&str>) {
        let Some(key) = text.and_then(parse_secret) else {
            return;
        };
        match self.secret {
            None => self.secret = Some(key),
            Some(mine) if key < mine => {
                self.secret = Some(key);
                self.store.rekey(|plain| keyed(&key, plain));
                self.persist();
            }
            Some(mine) if key > mine => self.out.push_back(Command::Save {
                name: "s:".into(),
                json: Some(secret_to_hex(&mine)),
                if_text: None,
                announce: None,
            }),
            Some(_) => {}
        }
    }

    /// A fresh secret for the origin, from the random source (ChaCha20 keyed from the
    /// platform's CSPRNG in the browser), as storage keeps it: 64 hex digits.
    pub fn mint_secret(&mut self) -> String {
        let mut key = [0u32; 8];
        for word in &mut key {
            *word = self.random.id_u32();
        }
        secret_to_hex(&key)
    }

    /// A payload's fingerprint as storage keeps it: keyed with the origin's secret (one
    /// ChaCha20 block over it), so storage alone does not confirm a guessed patient by hashing
    /// their fields; the plain fingerprint without a secret.
    pub fn keyed(&self, fingerprint: u64) -> u64 {
        match &self.secret {
            Some(key) => keyed(key, fingerprint),
            None => fingerprint,
        }
    }
}

/// `fingerprint` keyed with secret `key` (see [`Shared::keyed`]).
fn keyed(key: &[u32; 8], fingerprint: u64) -> u64 {
    let words =
        crate::booking::random::block(key, 0, [fingerprint as u32, (fingerprint >> 32) as u32, 0]);
    u64::from(words[0]) | u64::from(words[1]) << 32
}

/// Whether `text` is a secret as storage keeps it (64 lowercase hex digits).
pub fn is_secret(text: &str) -> bool {
    parse_secret(text).is_some()
}

/// A secret's 64 hex digits as eight big-endian words (so words compare as the text does).
fn parse_secret(text: &str) -> Option<[u32; 8]> {
    let mut key = [0u32; 8];
    for (i, word) in key.iter_mut().enumerate() {
        let hex = text.get(i * 8..i * 8 + 8).filter(|_| text.len() == 64)?;
        if !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        *word = crate::ascii::hex(hex)? as u32;
    }
    Some(key)
}

/// The text of a secret, as storage keeps it.
fn secret_to_hex(key: &[u32; 8]) -> String {
    let mut text = String::with_capacity(64);
    for word in key {
        crate::ascii::push_hex(&mut text, u64::from(*word), 8);
    }
    text
}
