//! A browser origin's storage and locks, for test drivers: items written by `save` commands,
//! and claims answered as the Web Locks API answers them (one holder per lock, waiters in
//! order, `ifAvailable` for claims that do not wait). Several clients (tabs) may share one.

#![allow(dead_code)]

use raptor_secondary_core::booking::{ClaimId, Command, Input};
use std::collections::{BTreeMap, VecDeque};

/// Which client (tab) a claim belongs to.
pub type Tab = usize;

/// A claim: its tab, its number, the item to read under its lock.
type Claim = (Tab, ClaimId, String);

#[derive(Default, Debug, Clone)]
pub struct Origin {
    /// Storage items by name (`p:<fingerprint>`, `o:<booking key>`).
    pub items: BTreeMap<String, String>,
    /// The claim holding each lock.
    held: BTreeMap<String, (Tab, ClaimId)>,
    /// Claims waiting for a lock, oldest first, with the lock's name.
    waiting: Vec<(Claim, String)>,
    /// Claims answered and not yet fed to their tab, and whether each was granted.
    answered: VecDeque<(Claim, bool)>,
    /// How many claims were granted, and released.
    pub claims: (u64, u64),
    /// How many claims that do not wait found their lock taken.
    pub refused: u64,
    /// What tabs announced in the lock registry (held while the origin lives here).
    pub announced: Vec<String>,
    /// Answers to `agree` and `read`, not yet fed to their tab (a read is made when it is fed).
    pending: VecDeque<(Tab, Input)>,
    /// No secret is agreed (an agreement answers what storage holds, unsettled, and adds
    /// nothing): the origin of builds before the secret, or tabs that each mint their own and
    /// converge.
    pub secretless: bool,
}

impl Origin {
    /// What the client reads at load: every item, by name, in the storage's order.
    pub fn loaded(&self) -> Input {
        let items = self.items.iter().map(|(n, t)| (n.clone(), t.clone()));
        Input::Loaded {
            items: items.collect(),
        }
    }

    /// Carries out a storage or lock command of `tab`; `false` for any other command.
    pub fn carry_out(&mut self, tab: Tab, command: &Command) -> bool {
        match command {
            Command::Save {
                name,
                json,
                if_text,
                announce,
            } => {
                self.announced.extend(announce.clone());
                assert!(
                    name.starts_with("p:")
                        || name.starts_with("o:")
                        || name.starts_with("x:")
                        || name == "b:"
                        || name == "s:"
                        || name.is_empty(),
                    "item name {name}"
                );
                // A conditional removal keeps an item that holds another text.
                let holds = |text: &String| if_text.as_ref().is_none_or(|t| t == text);
                match json {
                    Some(json) => {
                        self.items.insert(name.clone(), json.clone());
                    }
                    None if self.items.get(name).is_some_and(holds) => {
                        self.items.remove(name);
                    }
                    None => {}
                }
            }
            Command::Claim {
                claim,
                lock,
                read,
                wait,
                ..
            } => {
                assert!(
                    !self.knows(tab, *claim),
                    "claim {claim} was asked for twice"
                );
                let claimed = (tab, *claim, read.clone());
                let taken =
                    self.held.contains_key(lock) || self.waiting.iter().any(|(_, l)| l == lock);
                if !wait && taken {
                    self.answered.push_back((claimed, false));
                    self.refused += 1;
                } else {
                    self.waiting.push((claimed, lock.clone()));
                    self.grant();
                }
            }
            // One storage and one lock manager for the tabs: an agreement is settled at once,
            // as an IndexedDB transaction settles it.
            Command::Agree { name, proposal, .. } => {
                let text = match self.secretless {
                    true => self.items.get(name),
                    false => Some(&*self.items.entry(name.clone()).or_insert(proposal.clone())),
                };
                let (name, text) = (name.clone(), text.cloned());
                let settled = !self.secretless;
                let agreed = Input::Agreed {
                    name,
                    text,
                    settled,
                };
                self.pending.push_back((tab, agreed));
            }
            Command::Read { name } => {
                let (name, json) = (name.clone(), None);
                self.pending.push_back((tab, Input::Changed { name, json }));
            }
            Command::Watch { .. } => {}
            Command::Release { claim } => {
                let mine = |t: Tab, c: ClaimId| (t, c) == (tab, *claim);
                // A claim held, waiting, or answered with the answer not fed yet (the core may
                // let go before it hears, as the driver allows).
                let count = |o: &Origin| (o.held.len(), o.waiting.len(), o.answered.len());
                let before = count(self);
                self.held.retain(|_, (t, c)| !mine(*t, *c));
                self.waiting.retain(|((t, c, _), _)| !mine(*t, *c));
                self.answered.retain(|((t, c, _), _)| !mine(*t, *c));
                assert_ne!(
                    before,
                    count(self),
                    "release of claim {claim}, which is neither held, waiting nor answered"
                );
                self.claims.1 += 1;
                self.grant();
            }
            _ => return false,
        }
        true
    }

    fn knows(&self, tab: Tab, claim: ClaimId) -> bool {
        self.held.values().any(|h| *h == (tab, claim))
            || self
                .waiting
                .iter()
                .any(|((t, c, _), _)| (*t, *c) == (tab, claim))
            || self
                .answered
                .iter()
                .any(|((t, c, _), _)| (*t, *c) == (tab, claim))
    }

    /// Grants every waiting claim whose lock is free.
    fn grant(&mut self) {
        let mut i = 0;
        while i < self.waiting.len() {
            if self.held.contains_key(&self.waiting[i].1) {
                i += 1;
                continue;
            }
            let (claimed, lock) = self.waiting.remove(i);
            self.held.insert(lock, (claimed.0, claimed.1));
            self.answered.push_back((claimed, true));
            self.claims.0 += 1;
        }
    }

    /// The next answer to a claim of `tab` as its input, with the item read under the lock.
    pub fn next_grant(&mut self, tab: Tab) -> Option<Input> {
        if let Some(i) = self.pending.iter().position(|(t, _)| *t == tab) {
            return match self.pending.remove(i) {
                // A read is made now, as the driver reads (IndexedDB answers later).
                Some((_, Input::Changed { name, .. })) => {
                    let json = self.items.get(&name).cloned();
                    Some(Input::Changed { name, json })
                }
                other => other.map(|(_, input)| input),
            };
        }
        let i = self.answered.iter().position(|((t, _, _), _)| *t == tab)?;
        let ((_, claim, read), granted) = self.answered.remove(i)?;
        let saved = granted.then(|| self.items.get(&read).cloned()).flatten();
        // The announcements of cancels (`x=<id> <json>`), read with the item.
        let announced = self.announced.iter().filter_map(|a| a.strip_prefix("x="));
        let announced = announced.filter(|_| granted).map(str::to_owned).collect();
        Some(Input::Claimed {
            claim,
            saved,
            granted,
            announced,
        })
    }

    /// Whether `tab` holds, waits for or has an unheard answer to any claim.
    pub fn busy(&self, tab: Tab) -> bool {
        self.held.values().any(|(t, _)| *t == tab)
            || self.waiting.iter().any(|((t, _, _), _)| *t == tab)
            || self.answered.iter().any(|((t, _, _), _)| *t == tab)
    }

    /// A tab went away (a reload): its locks are let go, as the browser does.
    pub fn close(&mut self, tab: Tab) {
        self.pending.retain(|(t, _)| *t != tab);
        self.held.retain(|_, (t, _)| *t != tab);
        self.waiting.retain(|((t, _, _), _)| *t != tab);
        self.answered.retain(|((t, _, _), _)| *t != tab);
        self.grant();
    }
}
