//! A browser origin's storage and locks, for test drivers: items written by `save` commands,
//! and claims granted as the Web Locks API grants them (one holder per fingerprint, waiters in
//! order). Several clients (tabs) may share one.

#![allow(dead_code)]

use raptor_secondary_core::booking::snapshot::assemble;
use raptor_secondary_core::booking::{ClaimId, Command, Input};
use std::collections::{BTreeMap, VecDeque};

/// Which client (tab) a claim belongs to.
pub type Tab = usize;

#[derive(Default, Debug, Clone)]
pub struct Origin {
    /// Storage items by name (`p:<fingerprint>`, `o:<booking key>`).
    pub items: BTreeMap<String, String>,
    /// The claim holding each fingerprint's lock.
    held: BTreeMap<String, (Tab, ClaimId)>,
    /// Claims waiting for a lock, oldest first.
    waiting: Vec<(Tab, ClaimId, String)>,
    /// Claims granted and not yet fed to their tab.
    granted: VecDeque<(Tab, ClaimId)>,
    /// How many claims were granted, released and released unheard.
    pub claims: (u64, u64),
}

impl Origin {
    /// What the client would read back at load (`None`: nothing was ever saved).
    pub fn snapshot(&self) -> Option<String> {
        (!self.items.is_empty())
            .then(|| assemble(self.items.iter().map(|(n, j)| (n.as_str(), j.as_str()))))
    }

    /// Carries out a storage or lock command of `tab`; `false` for any other command.
    pub fn carry_out(&mut self, tab: Tab, command: &Command) -> bool {
        match command {
            Command::Save { name, json } => {
                assert!(
                    name.starts_with("p:") || name.starts_with("o:"),
                    "item name {name}"
                );
                match json {
                    Some(json) => self.items.insert(name.clone(), json.clone()),
                    None => self.items.remove(name),
                };
            }
            Command::Claim { claim, fingerprint } => {
                assert!(
                    !self.holds(tab, *claim),
                    "claim {claim} was asked for twice"
                );
                self.waiting.push((tab, *claim, fingerprint.clone()));
                self.grant();
            }
            Command::Release { claim } => {
                let before = (self.held.len(), self.waiting.len());
                self.held.retain(|_, h| *h != (tab, *claim));
                self.waiting.retain(|(t, c, _)| (*t, *c) != (tab, *claim));
                self.granted.retain(|g| *g != (tab, *claim));
                assert_ne!(
                    before,
                    (self.held.len(), self.waiting.len()),
                    "release of claim {claim}, which is neither held nor waiting"
                );
                self.claims.1 += 1;
                self.grant();
            }
            _ => return false,
        }
        true
    }

    fn holds(&self, tab: Tab, claim: ClaimId) -> bool {
        self.held.values().any(|h| *h == (tab, claim))
            || self
                .waiting
                .iter()
                .any(|(t, c, _)| (*t, *c) == (tab, claim))
    }

    /// Grants every waiting claim whose lock is free.
    fn grant(&mut self) {
        let mut i = 0;
        while i < self.waiting.len() {
            let (tab, claim, fingerprint) = self.waiting[i].clone();
            if self.held.contains_key(&fingerprint) {
                i += 1;
                continue;
            }
            self.waiting.remove(i);
            self.held.insert(fingerprint, (tab, claim));
            self.granted.push_back((tab, claim));
            self.claims.0 += 1;
        }
    }

    /// The next grant for `tab` as its input, with the item read under the lock.
    pub fn next_grant(&mut self, tab: Tab) -> Option<Input> {
        let i = self.granted.iter().position(|(t, _)| *t == tab)?;
        let (_, claim) = self.granted.remove(i)?;
        let fingerprint = self
            .held
            .iter()
            .find(|(_, h)| **h == (tab, claim))
            .map(|(f, _)| f.clone())?;
        let saved = self.items.get(&["p:", &fingerprint].concat()).cloned();
        Some(Input::Claimed { claim, saved })
    }

    /// Whether `tab` holds or waits for any claim.
    pub fn busy(&self, tab: Tab) -> bool {
        self.held.values().any(|(t, _)| *t == tab)
            || self.waiting.iter().any(|(t, _, _)| *t == tab)
            || self.granted.iter().any(|(t, _)| *t == tab)
    }

    /// A tab went away (a reload): its locks are let go, as the browser does.
    pub fn close(&mut self, tab: Tab) {
        self.held.retain(|_, (t, _)| *t != tab);
        self.waiting.retain(|(t, _, _)| *t != tab);
        self.granted.retain(|(t, _)| *t != tab);
        self.grant();
    }
}
