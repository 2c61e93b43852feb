//! The `dataset` property name for a `data-*` attribute name.

/// The `dataset` key for an attribute name, as UTF-16 code units, or `None` when the name does
/// not start with `data-` (and so has no `dataset` entry).
///
/// Follows the legacy helper (`name.slice(5).replace(/-([a-z])/g, ...)`), which is also the
/// DOM's rule: a `-` followed by an ASCII lowercase letter becomes that letter in upper case;
/// every other code unit, lone surrogates included, is kept as it is.
pub fn dataset_key(name: &[u16]) -> Option<Vec<u16>> {
    const PREFIX: [u16; 5] = [
        b'd' as u16,
        b'a' as u16,
        b't' as u16,
        b'a' as u16,
        b'-' as u16,
    ];
    let rest = name.strip_prefix(&PREFIX[..])?;
    let mut key = Vec::with_capacity(rest.len());
    let mut units = rest.iter().copied().peekable();
    while let Some(unit) = units.next() {
        match units.peek() {
            Some(&next) if unit == u16::from(b'-') && is_ascii_lower(next) => {
                key.push(next - 0x20);
                units.next();
            }
            _ => key.push(unit),
        }
    }
    Some(key)
}

fn is_ascii_lower(unit: u16) -> bool {
    (u16::from(b'a')..=u16::from(b'z')).contains(&unit)
}

#[cfg(test)]
mod tests {
    use super::dataset_key;

    fn key(name: &str) -> Option<String> {
        let units: Vec<u16> = name.encode_utf16().collect();
        dataset_key(&units).map(|k| String::from_utf16(&k).unwrap())
    }

    #[test]
    fn camel_cases_after_the_prefix() {
        assert_eq!(key("data-action").as_deref(), Some("action"));
        assert_eq!(key("data-user-id").as_deref(), Some("userId"));
        assert_eq!(key("data-a-b-c").as_deref(), Some("aBC"));
    }

    #[test]
    fn names_without_the_prefix_have_no_key() {
        assert_eq!(key("action"), None);
        assert_eq!(key("aria-label"), None);
        assert_eq!(
            key("DATA-action"),
            None,
            "the prefix is case-sensitive, as in the legacy helper"
        );
        assert_eq!(key("data"), None);
    }

    #[test]
    fn only_a_dash_before_a_lowercase_ascii_letter_is_folded() {
        assert_eq!(key("data-").as_deref(), Some(""));
        assert_eq!(key("data-x-").as_deref(), Some("x-"));
        assert_eq!(key("data-x-1").as_deref(), Some("x-1"));
        assert_eq!(key("data-x-Y").as_deref(), Some("x-Y"));
        assert_eq!(key("data-x--y").as_deref(), Some("x-Y"));
        assert_eq!(key("data-é-ü").as_deref(), Some("é-ü"));
    }

    #[test]
    fn lone_surrogates_pass_through_untouched() {
        let name = [b'd', b'a', b't', b'a', b'-', b'x'].map(u16::from);
        let mut with_lone = name.to_vec();
        with_lone.push(0xD800);
        with_lone.extend([u16::from(b'-'), u16::from(b'q')]);
        let k = dataset_key(&with_lone).unwrap();
        assert_eq!(k, vec![u16::from(b'x'), 0xD800, u16::from(b'Q')]);
    }
}
