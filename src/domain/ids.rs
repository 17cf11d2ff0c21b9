//! Identifiers of regions and indicators, checked once when they enter the program: parsed from
//! JSON bodies and query strings (`Deserialize` goes through `parse`, so its Chinese message names
//! the field in a 422), and described in the OpenAPI document by the one pattern below.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{text}”不是有效的{what}：{rule}")]
pub struct IdError {
    text: String,
    what: &'static str,
    rule: &'static str,
}

fn check(
    text: &str,
    what: &'static str,
    rule: &'static str,
    first: fn(u8) -> bool,
    rest: fn(u8) -> bool,
) -> Result<(), IdError> {
    let bytes = text.as_bytes();
    let ok = matches!(bytes.first(), Some(&b) if first(b)) && bytes.len() <= 64 && bytes[1..].iter().all(|&b| rest(b));
    if ok { Ok(()) } else { Err(IdError { text: text.chars().take(70).collect(), what, rule }) }
}

/// A region's slug, `[a-z0-9][a-z0-9-]{0,63}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RegionId(String);

impl RegionId {
    /// What [`RegionId::parse`] takes, as the OpenAPI document says it.
    pub const PATTERN: &'static str = r"^[a-z0-9][a-z0-9-]{0,63}$";

    pub fn parse(text: &str) -> Result<RegionId, IdError> {
        fn slug(b: u8) -> bool {
            b.is_ascii_lowercase() || b.is_ascii_digit()
        }
        check(
            text,
            "地区代码",
            "只能用小写字母、数字和“-”，以字母或数字开头，最多64个字符",
            slug,
            |b| slug(b) || b == b'-',
        )?;
        Ok(RegionId(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An indicator's code, `[a-z][a-z0-9_]{0,63}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct IndicatorCode(String);

impl IndicatorCode {
    /// What [`IndicatorCode::parse`] takes, as the OpenAPI document says it.
    pub const PATTERN: &'static str = r"^[a-z][a-z0-9_]{0,63}$";

    pub fn parse(text: &str) -> Result<IndicatorCode, IdError> {
        check(
            text,
            "指标代码",
            "只能用小写字母、数字和“_”，以字母开头，最多64个字符",
            |b| b.is_ascii_lowercase(),
            |b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_',
        )?;
        Ok(IndicatorCode(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_like {
    ($t:ident) => {
        impl From<$t> for String {
            fn from(id: $t) -> String {
                id.0
            }
        }
        impl TryFrom<String> for $t {
            type Error = IdError;
            fn try_from(text: String) -> Result<$t, IdError> {
                $t::parse(&text)
            }
        }
        /// As `#[serde(try_from = "String")]` would (which serde refuses beside `transparent`):
        /// a string, then [`Self::parse`], whose message reaches the client beside the field.
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                $t::try_from(String::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
        /// A string of the type's pattern. Fields use it `inline`, so the document shows the
        /// pattern where the parameter is, as before the type existed.
        impl utoipa::PartialSchema for $t {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, Type};
                ObjectBuilder::new().schema_type(Type::String).pattern(Some($t::PATTERN)).into()
            }
        }
        impl utoipa::ToSchema for $t {}
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl std::borrow::Borrow<str> for $t {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}
string_like!(RegionId);
string_like!(IndicatorCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_ids() {
        let long = "a".repeat(64);
        let too_long = "a".repeat(65);
        let cases: &[(&str, bool)] = &[
            ("district", true),
            ("town-jia", true),
            ("9zone", true),
            (&long, true),
            (&too_long, false),
            ("-town", false),
            ("Town", false),
            ("town_jia", false),
            ("甲镇", false),
            ("", false),
            ("a b", false),
        ];
        for (text, ok) in cases {
            assert_eq!(RegionId::parse(text).is_ok(), *ok, "{text:?}");
        }
    }

    #[test]
    fn indicator_codes() {
        let cases: &[(&str, bool)] = &[
            ("gdp", true),
            ("rd_expenditure", true),
            ("x1", true),
            ("1x", false),
            ("_x", false),
            ("rd-share", false),
            ("GDP", false),
            ("", false),
        ];
        for (text, ok) in cases {
            assert_eq!(IndicatorCode::parse(text).is_ok(), *ok, "{text:?}");
        }
    }

    #[test]
    fn ids_are_read_from_json_by_the_same_rule() {
        let region: RegionId = serde_json::from_str(r#""town-jia""#).unwrap();
        assert_eq!(region.as_str(), "town-jia");
        let code: IndicatorCode = serde_json::from_str(r#""rd_share""#).unwrap();
        assert_eq!(code.as_str(), "rd_share");
        let err = serde_json::from_str::<RegionId>(r#""Town A""#).unwrap_err().to_string();
        assert!(err.starts_with("“Town A”不是有效的地区代码：只能用小写字母"), "{err}");
        let err = serde_json::from_str::<IndicatorCode>(r#""1x""#).unwrap_err().to_string();
        assert!(err.starts_with("“1x”不是有效的指标代码：只能用小写字母"), "{err}");
    }

    #[test]
    fn error_names_the_rule() {
        let err = RegionId::parse("Town A").unwrap_err().to_string();
        assert!(err.contains("“Town A”不是有效的地区代码"), "{err}");
    }
}
