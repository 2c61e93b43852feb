//! `resolveAction(event, options)`: the detailed resolver for new code.
//!
//! Where `getActionLabel` keeps the legacy contract to the letter, this goes where the peers
//! go (see `ANCHORS.md`): it starts from the event's first composed-path entry, walks up to
//! the nearest element carrying the attribute (text nodes, nested children, SVG, open shadow
//! roots), stops at the listening element, and says why a label is empty. It never throws for
//! a bad event; only invalid options throw (`invalid_options`).

use super::event_like::{
    self as read, bits, kind, pack, LOOK_THREW, NOT_BEGUN, NO_START, NO_START_EVENT, THREW,
};
use crate::action::options::{InvalidOptions, BAD_ATTRIBUTE, BAD_MAX_DEPTH, MAX_ATTRIBUTE_UNITS};
use crate::action::walk::{walk, Answerer, Attribute, Cursor, Look, NodeKind, Unreadable, Walked};
use crate::action::{Reason, ResolveOptions, Source};
use crate::error::ErrorCode;
use wasm_bindgen::prelude::*;

/// The page's cursor (`reads.js`), looking for the call's attribute.
struct JsCursor {
    /// The look `begin` already made at the start, taken by the walk's first `look`.
    first: Option<i32>,
}

/// `code`, unless it says a read threw.
fn checked(code: i32) -> Result<i32, Unreadable> {
    if code == THREW {
        Err(Unreadable)
    } else {
        Ok(code)
    }
}

impl Cursor for JsCursor {
    fn look(&mut self, want_disabled: bool) -> Result<Look, Unreadable> {
        let found = match self.first.take() {
            Some(LOOK_THREW) => return Err(Unreadable),
            Some(first) => first,
            None => checked(read::look(want_disabled))?,
        };
        let kind = match found & bits::KIND {
            1 => NodeKind::Element,
            2 => NodeKind::Text,
            3 => NodeKind::ShadowRoot,
            _ => NodeKind::Other,
        };
        let attribute = if found & bits::VALUE != 0 {
            Attribute::Value
        } else if found & bits::EMPTY != 0 {
            Attribute::Empty
        } else {
            Attribute::Missing
        };
        Ok(Look {
            kind,
            disabled: found & bits::DISABLED != 0,
            attribute,
            at_bound: found & bits::AT_STOP != 0,
        })
    }

    fn up(&mut self) -> Result<bool, Unreadable> {
        checked(read::up()).map(|moved| moved == 1)
    }

    fn keep(&mut self) {
        read::keep();
    }
}

/// Validated options: the depth, and whether the walk stops at the option `root` (the
/// attribute and the root stay in `reads.js`, as read once: every UTF-16 unit kept, lone
/// surrogates included).
struct Options {
    max_depth: u32,
    use_root: bool,
}

/// Reads the call's options, which are `options_kind` ([`kind`](mod@kind): `undefined`,
/// `null` or an object; own properties only, so a polluted `Object.prototype` chooses
/// nothing).
fn parse_options(options_kind: u32) -> Result<Options, InvalidOptions> {
    match options_kind {
        kind::UNDEFINED | kind::NULL => {
            return Ok(Options {
                max_depth: ResolveOptions::default().max_depth,
                use_root: false,
            })
        }
        kind::OBJECT => {}
        _ => return Err(InvalidOptions("options must be an object")),
    }
    let kinds = read::read_options();
    if kinds < 0 {
        return Err(InvalidOptions(
            "an option could not be read (its getter or Proxy threw)",
        ));
    }
    let kinds = kinds as u32;
    // The name is checked on its UTF-16 units, after a length check, so a 1 MB name is refused
    // without being copied and a lone surrogate is kept, never rewritten.
    let mut buffer = [0u16; MAX_ATTRIBUTE_UNITS];
    let units = match kinds & 7 {
        kind::UNDEFINED => None,
        kind::STRING => match read::attribute_units() as usize {
            n if n > MAX_ATTRIBUTE_UNITS => return Err(InvalidOptions(BAD_ATTRIBUTE)),
            n => {
                let units = &mut buffer[..n];
                read::copy_attribute(units);
                Some(&*units)
            }
        },
        _ => return Err(InvalidOptions(BAD_ATTRIBUTE)),
    };
    let max_depth = match kinds >> 3 & 7 {
        kind::UNDEFINED => None,
        kind::NUMBER => Some(read::max_depth_option()),
        _ => return Err(InvalidOptions(BAD_MAX_DEPTH)),
    };
    let use_root = match kinds >> 6 {
        kind::UNDEFINED | kind::NULL => false,
        kind::OBJECT => true,
        _ => return Err(InvalidOptions("root must be an element or null")),
    };
    let parsed = ResolveOptions::new(units, max_depth)?;
    Ok(Options {
        max_depth: parsed.max_depth,
        use_root,
    })
}

/// Where the walk starts, on the cursor: the event field it came from and the look `begin`
/// made there, or why there is no start.
fn start(begun: i32, use_root: bool) -> Result<(Source, i32), Reason> {
    let begun = if begun == NOT_BEGUN {
        read::begin(use_root)
    } else {
        begun
    };
    let source = match begun {
        THREW => return Err(Reason::ReadFailed),
        NO_START_EVENT => return Err(Reason::NoEvent),
        NO_START => return Err(Reason::NoElement),
        _ => match begun & 7 {
            0 => Source::Target,
            1 => Source::SrcElement,
            2 => Source::CurrentTarget,
            _ => Source::ComposedPath,
        },
    };
    Ok((source, begun >> 3))
}

/// The detailed resolution, as the plain object described by `ActionResolution`. Fails only
/// for invalid options; a bad event is a reason. (The wrappers do the same in JavaScript,
/// `reads.js`'s `resolveCall`, with one call into Wasm.)
pub fn resolve_action(event: &JsValue, options: &JsValue) -> Result<JsValue, InvalidOptions> {
    read::enter(event, options);
    let resolved = resolve_held(read::argument_kind(), NOT_BEGUN).map(read::resolution);
    read::leave();
    resolved
}

/// The walk on the arguments `reads.js` holds for the call, whose options are `options_kind`,
/// from what `begin` found (or [`NOT_BEGUN`]): the resolution, [`pack`]ed.
fn resolve_held(options_kind: u32, begun: i32) -> Result<i32, InvalidOptions> {
    let options = parse_options(options_kind)?;
    let (source, walked) = match start(begun, options.use_root) {
        Ok((source, first)) => {
            let mut cursor = JsCursor { first: Some(first) };
            (Some(source), walk(&mut cursor, options.max_depth))
        }
        Err(reason) => (None, Walked::failed(reason, 0)),
    };
    Ok(pack(
        source.map_or(0, |s| s as u32 + 1),
        walked.label.err().map_or(0, |r| r as u32 + 1),
        match walked.element {
            Answerer::Nobody => 0,
            Answerer::Current => 1,
            Answerer::Kept => 2,
        },
        walked.depth,
    ))
}

/// The export behind `resolveAction(event, options)`, on the arguments `reads.js` holds for
/// the call (the loader's global and the ES module's function hand them over with
/// `resolveCall`, what the options are as `options_kind` and, for a call without options, what
/// `begin` found, which spares a call back into JavaScript): the resolution [`pack`]ed, which
/// the wrapper makes into the object from the cursor, or -1 for invalid options, with an
/// `Error` (`code: 'invalid_options'`) parked for the wrapper to throw.
#[wasm_bindgen(js_name = __resolveActionFast, skip_typescript)]
pub fn resolve_action_fast(options_kind: u32, begun: i32) -> i32 {
    match resolve_held(options_kind, begun) {
        Ok(packed) => packed,
        Err(InvalidOptions(message)) => {
            read::park(&read::coded_error(
                message,
                ErrorCode::InvalidOptions.as_str(),
            ));
            -1
        }
    }
}
