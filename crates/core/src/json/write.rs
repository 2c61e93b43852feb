//! The writer: [`ToJson`], the pieces it is built from, and [`json_record!`](crate::json_record)
//! for records declared once.
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// A value that writes itself as JSON.
pub trait ToJson {
    /// Appends this value's JSON to `out`.
    fn write_json(&self, out: &mut String);

    /// This value as JSON text.
    fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }
}

/// Appends `n` in decimal.
pub fn push_u64(out: &mut String, mut n: u64) {
    // Filled from the end; no index, so no bounds check (u64::MAX has 20 digits).
    let mut digits = [0u8; 20];
    let mut first = digits.len();
    for slot in digits.iter_mut().rev() {
        *slot = (n % 10) as u8;
        n /= 10;
        first -= 1;
        if n == 0 {
            break;
        }
    }
    for &d in digits.iter().skip(first) {
        crate::ascii::push_digit(out, usize::from(d));
    }
}

/// Appends `n` in decimal, with a sign when negative.
pub fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

/// `n` in decimal.
pub fn decimal(n: u64) -> String {
    let mut out = String::new();
    push_u64(&mut out, n);
    out
}

/// Appends `text` as a JSON string literal. Runs that need no escape are copied whole:
/// `str::get` cuts only before and after an ASCII byte or U+2028/U+2029, all char boundaries,
/// and never panics.
pub fn push_str(out: &mut String, text: &str) {
    out.push('"');
    let bytes = text.as_bytes();
    let (mut run, mut i) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
        let wide = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (0xe2, Some(0x80), Some(&last @ (0xa8 | 0xa9))) => {
                Some(0x2000 | u32::from(last & 0x2f))
            }
            _ => None,
        };
        if b >= 0x20 && b != b'"' && b != b'\\' && wide.is_none() {
            i += 1;
            continue;
        }
        out.push_str(text.get(run..i).unwrap_or_default());
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                let n = wide.unwrap_or(u32::from(b));
                out.push_str("\\u");
                crate::ascii::push_hex(out, u64::from(n), 4);
            }
        }
        i += if wide.is_some() { 3 } else { 1 };
        run = i;
    }
    out.push_str(text.get(run..).unwrap_or_default());
    out.push('"');
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        push_str(out, self);
    }
}
impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        push_str(out, self);
    }
}
impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}
impl ToJson for u16 {
    fn write_json(&self, out: &mut String) {
        push_u64(out, u64::from(*self));
    }
}
impl ToJson for u32 {
    fn write_json(&self, out: &mut String) {
        push_u64(out, u64::from(*self));
    }
}
impl ToJson for u64 {
    fn write_json(&self, out: &mut String) {
        push_u64(out, *self);
    }
}
impl ToJson for usize {
    fn write_json(&self, out: &mut String) {
        push_u64(out, *self as u64);
    }
}
impl ToJson for i64 {
    fn write_json(&self, out: &mut String) {
        push_i64(out, *self);
    }
}
impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}
impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(value) => value.write_json(out),
            None => out.push_str("null"),
        }
    }
}
impl<T: ToJson> ToJson for Box<T> {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}
impl ToJson for crate::json::Value {
    fn write_json(&self, out: &mut String) {
        use crate::json::Value;
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => b.write_json(out),
            Value::Int(n) => push_i64(out, *n),
            Value::Str(text) => push_str(out, text),
            Value::Array(items) => items.write_json(out),
            Value::Object(fields) => {
                let mut o = Object::new(out);
                for (name, value) in fields {
                    o = o.field(name, value);
                }
                o.end();
            }
        }
    }
}
impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}
impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

/// Writes an object field by field: `Object::new(out).field("a", &1).end()`. It is the text
/// alone: a field is the first when the text ends with the object's opening brace (no JSON
/// value ends with one), so nothing else is carried from field to field. With a flag for
/// the first field beside the text, every field moved the pair along, and `field` and `some`
/// were worth inlining; without it they are not (-0.63 KB gzip on the client's `.wasm`,
/// issue 21).
pub struct Object<'a> {
    out: &'a mut String,
}

impl<'a> Object<'a> {
    /// Opens an object.
    pub fn new(out: &'a mut String) -> Self {
        out.push('{');
        Object { out }
    }

    /// A field; `None` writes `null`.
    pub fn field<T: ToJson + ?Sized>(mut self, name: &str, value: &T) -> Self {
        self.key(name);
        value.write_json(self.out);
        self
    }

    /// A field only when it has a value (left out entirely for `None`).
    pub fn some<T: ToJson>(self, name: &str, value: &Option<T>) -> Self {
        match value {
            Some(v) => self.field(name, v),
            None => self,
        }
    }

    /// A field whose value is JSON text already.
    pub fn raw(mut self, name: &str, json: &str) -> Self {
        self.key(name);
        self.out.push_str(json);
        self
    }

    fn key(&mut self, name: &str) {
        // The first field follows the object's opening brace: a later one, a value.
        if !self.out.ends_with('{') {
            self.out.push(',');
        }
        push_str(self.out, name);
        self.out.push(':');
    }

    /// Closes the object.
    pub fn end(self) {
        self.out.push('}');
    }
}

/// Declares a record once: the struct, its docs, and its JSON field names. A field is
/// written always (`null` for `None`), or, marked `[optional]`, left out when `None`.
#[macro_export]
macro_rules! json_record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty => $js:literal $([$skip:ident])?, )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            /// The JSON (and JavaScript) name of every field, in order.
            pub const JSON_FIELDS: &'static [&'static str] = &[$($js),*];
        }

        impl $crate::json::ToJson for $name {
            fn write_json(&self, out: &mut String) {
                let o = $crate::json::Object::new(out);
                $( let o = $crate::json_record!(@field o, self.$field, $js $(, $skip)?); )*
                o.end();
            }
        }
    };
    (@field $o:ident, $value:expr, $js:literal) => { $o.field($js, &$value) };
    (@field $o:ident, $value:expr, $js:literal, optional) => { $o.some($js, &$value) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{parse, Value};
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    #[test]
    fn integers_in_decimal() {
        for (n, text) in [(0u64, "0"), (7, "7"), (1234567890, "1234567890")] {
            assert_eq!(decimal(n), text);
        }
        assert_eq!(decimal(u64::MAX), u64::MAX.to_string());
        let mut out = String::new();
        push_i64(&mut out, i64::MIN);
        assert_eq!(out, i64::MIN.to_string());
    }

    #[test]
    fn strings_are_escaped() {
        let mut out = String::new();
        push_str(&mut out, "a\"b\\c\nd\u{1}e\u{2028}é😀");
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u0001e\\u2028é😀\"");
        assert_eq!(
            parse(&out),
            Some(Value::Str("a\"b\\c\nd\u{1}e\u{2028}é😀".into()))
        );
    }

    #[test]
    fn runs_are_cut_only_around_escapes() {
        // Escapes first, last and back to back; U+2026 and U+2030 share bytes with U+2028 and
        // U+2029 and stay as they are; DEL and non-ASCII need no escape.
        for (text, json) in [
            ("", r#""""#),
            ("\"", r#""\"""#),
            ("\u{1f}x\t", r#""\u001fx\t""#),
            ("\u{2029}\u{2028}", r#""\u2029\u2028""#),
            ("…\u{2030}\u{2029}…", r#""…‰\u2029…""#),
            ("€\u{7f}", "\"€\u{7f}\""),
        ] {
            let mut out = String::new();
            push_str(&mut out, text);
            assert_eq!(out, json, "{text:?}");
            assert_eq!(parse(&out), Some(Value::Str(text.into())), "{text:?}");
        }
    }

    #[test]
    fn objects_and_optional_fields() {
        let mut out = String::new();
        Object::new(&mut out)
            .field("a", &1u32)
            .field("b", &None::<u32>)
            .some("c", &None::<u32>)
            .some("d", &Some("x"))
            .field("e", &vec![true, false])
            .end();
        assert_eq!(out, r#"{"a":1,"b":null,"d":"x","e":[true,false]}"#);
    }

    #[test]
    fn commas_only_between_fields_at_every_depth() {
        // An object knows its first field by the brace before it: a record nested in a field,
        // an empty one, raw JSON and a text holding a brace each leave the next field its comma.
        struct Inner(Option<u32>);
        impl ToJson for Inner {
            fn write_json(&self, out: &mut String) {
                Object::new(out).some("x", &self.0).field("y", "{").end();
            }
        }
        struct Empty;
        impl ToJson for Empty {
            fn write_json(&self, out: &mut String) {
                Object::new(out).end();
            }
        }
        let mut out = String::new();
        Object::new(&mut out)
            .field("e", &Empty)
            .field("i", &Inner(None))
            .field("j", &Inner(Some(2)))
            .raw("r", "{}")
            .field("l", &vec![Empty, Empty])
            .end();
        assert_eq!(
            out,
            r#"{"e":{},"i":{"y":"{"},"j":{"x":2,"y":"{"},"r":{},"l":[{},{}]}"#
        );
    }
}
