//! The JSON Schema of every input field with a rule, built from the same
//! constants the validation uses, so the OpenAPI document states what the
//! server accepts. Fields name these with `#[schemars(schema_with = …)]`.
//! Rules a schema cannot state (a checksum, one field against another, a
//! sum) are refused with their own codes (`Operation::check`), never as
//! `validation_failed`.

use schemars::{json_schema, Schema, SchemaGenerator};

use super::{DESCRIPTION_CHARS_MAX, NAME_CHARS_MAX, REASON_CHARS_MAX};
use crate::domain::money::AMOUNT_CENTS_MAX;

/// Text with at least one character that is not white space and no
/// control characters (`check_text`).
const TEXT_PATTERN: &str =
    r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$";

/// A calendar date `YYYY-MM-DD` from 1900 to 9999 (`Date::parse`): month
/// lengths and leap years included, so every date it admits exists.
pub const DATE_PATTERN: &str = concat!(
    r"^(?:(?:19|[2-9][0-9])[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])",
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))",
    r"|(?:(?:19|[2-9][0-9])(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[3579][26])00)-02-29)$"
);

/// A calendar month `YYYY-MM` from 1900 to 9999 (`Period::parse`).
pub const PERIOD_PATTERN: &str = r"^(?:19|[2-9][0-9])[0-9]{2}-(?:0[1-9]|1[0-2])$";

/// Visible ASCII with exactly one `@`, text on both sides (`check_email`).
pub const EMAIL_PATTERN: &str = r"^[\x21-\x3f\x41-\x7e]+@[\x21-\x3f\x41-\x7e]+$";

/// Nine digits whose first two are an ABA prefix: 00–12, 21–32, 61–72, 80.
pub const ROUTING_PATTERN: &str = r"^(?:0[0-9]|1[0-2]|2[1-9]|3[0-2]|6[1-9]|7[0-2]|80)[0-9]{7}$";

/// Three capital letters (`Currency::parse`).
pub const CURRENCY_PATTERN: &str = r"^[A-Z]{3}$";

fn text(max: usize) -> Schema {
    json_schema!({"type": "string", "minLength": 1, "maxLength": max, "pattern": TEXT_PATTERN})
}

fn optional_text(max: usize) -> Schema {
    json_schema!({"type": ["string", "null"], "minLength": 1, "maxLength": max, "pattern": TEXT_PATTERN})
}

pub fn name(_: &mut SchemaGenerator) -> Schema {
    text(NAME_CHARS_MAX)
}

pub fn optional_name(_: &mut SchemaGenerator) -> Schema {
    optional_text(NAME_CHARS_MAX)
}

pub fn description(_: &mut SchemaGenerator) -> Schema {
    text(DESCRIPTION_CHARS_MAX)
}

pub fn optional_description(_: &mut SchemaGenerator) -> Schema {
    optional_text(DESCRIPTION_CHARS_MAX)
}

pub fn optional_reason(_: &mut SchemaGenerator) -> Schema {
    optional_text(REASON_CHARS_MAX)
}

pub fn date(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": DATE_PATTERN})
}

pub fn optional_date(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": ["string", "null"], "pattern": DATE_PATTERN})
}

pub fn period(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": PERIOD_PATTERN})
}

pub fn currency(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": CURRENCY_PATTERN})
}

/// One amount: 1 to `AMOUNT_CENTS_MAX` cents.
pub fn amount(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "integer", "minimum": 1, "maximum": AMOUNT_CENTS_MAX})
}

/// A price or one side of a journal line: 0 to `AMOUNT_CENTS_MAX` cents.
pub fn amount_or_zero(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "integer", "minimum": 0, "maximum": AMOUNT_CENTS_MAX})
}

/// One of `values`, as a string enum.
pub fn one_of(values: &[&str]) -> Schema {
    json_schema!({"type": "string", "enum": values})
}

/// A journal line debits or credits a positive amount, not both.
pub fn debit_or_credit(schema: &mut Schema) {
    let side = |positive: &str, zero: &str| {
        serde_json::json!({
            "required": [positive],
            "properties": {positive: {"minimum": 1}, zero: {"const": 0}},
        })
    };
    schema.insert(
        "oneOf".into(),
        serde_json::json!([side("debit_cents", "credit_cents"), side("credit_cents", "debit_cents")]),
    );
}

#[cfg(all(test, not(madsim)))]
mod tests {
    use super::*;
    use crate::domain::time::{Date, Period};

    #[test]
    fn the_date_pattern_is_date_parse() {
        let pattern = regex::Regex::new(DATE_PATTERN).unwrap();
        // Every day of a range of years around the edges, and impossible ones.
        for year in (1896..=1905).chain(1996..=2004).chain([2100, 2400, 9996, 9999]) {
            for month in 0..=13 {
                for day in 0..=32 {
                    let s = format!("{year:04}-{month:02}-{day:02}");
                    assert_eq!(pattern.is_match(&s), Date::parse(&s).is_some(), "{s}");
                }
            }
        }
        for s in ["2026-1-01", "2026-01-1", "02026-01-01", "2026/01/01", " 2026-01-01", "2026-01-01T00:00:00Z"] {
            assert_eq!(pattern.is_match(s), Date::parse(s).is_some(), "{s}");
        }
    }

    #[test]
    fn the_period_pattern_is_period_parse() {
        let pattern = regex::Regex::new(PERIOD_PATTERN).unwrap();
        for year in [0, 1899, 1900, 2026, 9999] {
            for month in 0..=13 {
                let s = format!("{year:04}-{month:02}");
                assert_eq!(pattern.is_match(&s), Period::parse(&s).is_some(), "{s}");
            }
        }
    }

    #[test]
    fn the_text_pattern_is_check_text() {
        let pattern = regex::Regex::new(TEXT_PATTERN).unwrap();
        for s in ["a", " a ", "Acme Ltd", "", " ", "\t", "a\nb", "a\u{7f}", "a\u{85}", "\u{a0}", "é", "\u{2003}x"] {
            let checked = super::super::check_text("f", s, 10).is_ok();
            assert_eq!(pattern.is_match(s), checked, "{s:?}");
        }
    }
}
