//! Money as integer cents with checked arithmetic, and currency codes.
//! Amounts never pass through floating point; every sum is checked, so an
//! overflow is a refusal rather than a wrapped balance.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount in the currency's minor unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cents(pub i64);

/// Upper bound on one amount a request may carry (a line, a payment, a
/// refund): 10^15 cents. A thousand such amounts still sum far inside i64.
pub const AMOUNT_CENTS_MAX: i64 = 1_000_000_000_000_000;

impl Cents {
    pub const ZERO: Self = Self(0);

    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }

    pub fn checked_mul(self, quantity: i64) -> Option<Self> {
        self.0.checked_mul(quantity).map(Self)
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// A positive amount within `AMOUNT_CENTS_MAX`.
    pub fn is_valid_amount(self) -> bool {
        (1..=AMOUNT_CENTS_MAX).contains(&self.0)
    }

    /// The checked sum; None on overflow.
    pub fn sum(amounts: impl IntoIterator<Item = Self>) -> Option<Self> {
        amounts.into_iter().try_fold(Self::ZERO, Self::checked_add)
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} cents", self.0)
    }
}

/// An ISO 4217-shaped currency code: three ASCII capital letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        (b.len() == 3 && b.iter().all(u8::is_ascii_uppercase)).then(|| Self([b[0], b[1], b[2]]))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII capitals are ever stored.
        std::str::from_utf8(&self.0).expect("currency codes are ASCII")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const CURRENCY_RULE: &str = "currency must be a three-letter ISO 4217 code such as USD";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Cents(2).checked_add(Cents(3)), Some(Cents(5)));
        assert_eq!(Cents(i64::MAX).checked_add(Cents(1)), None);
        assert_eq!(Cents(i64::MIN).checked_sub(Cents(1)), None);
        assert_eq!(Cents(i64::MAX / 2 + 1).checked_mul(2), None);
        assert_eq!(Cents::sum([Cents(1), Cents(2), Cents(3)]), Some(Cents(6)));
        assert_eq!(Cents::sum([Cents(i64::MAX), Cents(1)]), None);
        assert!(Cents(AMOUNT_CENTS_MAX).is_valid_amount());
        assert!(!Cents(AMOUNT_CENTS_MAX + 1).is_valid_amount());
        assert!(!Cents(0).is_valid_amount());
    }

    #[test]
    fn currencies_are_three_capitals() {
        assert_eq!(Currency::parse("EUR").unwrap().as_str(), "EUR");
        for bad in ["eur", "EU", "EURO", "E1R", "ÉUR", ""] {
            assert!(Currency::parse(bad).is_none(), "{bad}");
        }
    }
}
