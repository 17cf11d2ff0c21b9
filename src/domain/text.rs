//! The free text people type: names, comments, reasons. One rule for what is blank, how long a
//! text may be and which characters it may not hold, used by the API, the pages and the imports.

/// The pattern the OpenAPI document gives a text that must not be blank. JSON Schema patterns are
/// ECMA-262 regular expressions, whose `\s` lacks U+0085 (NEL) but has U+FEFF; [`is_space`] is
/// exactly that set of characters, so the document and the server agree on every input.
pub const NON_BLANK_PATTERN: &str = r"[^\s\u0085]";

/// The longest name of a region or an indicator.
pub const MAX_NAME_CHARS: usize = 100;

/// The longest comment, reason or explanation a person may write.
pub const MAX_COMMENT_CHARS: usize = 500;

/// Space around a text: Unicode's White_Space (what `str::trim` removes) and the byte-order mark
/// a file converted from Word leaves behind.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// The text without the space around it, or nothing when it is blank: a reason of spaces is no
/// reason.
pub fn visible(text: &str) -> Option<&str> {
    Some(text.trim_matches(is_space)).filter(|t| !t.is_empty())
}

/// [`visible`] of text that may be absent.
pub fn given(text: Option<&str>) -> Option<&str> {
    text.and_then(visible)
}

/// Why a text is longer than `max` characters, or nothing.
pub fn too_long(text: &str, max: usize) -> Option<String> {
    (text.chars().count() > max).then(|| format!("最多 {max} 个字"))
}

/// A required name: trimmed, 1 to `max` characters.
pub fn name(text: &str, max: usize) -> Result<String, String> {
    match visible(text) {
        Some(name) if name.chars().count() <= max => Ok(name.to_string()),
        _ => Err(format!("名称应为 1 到 {max} 个字")),
    }
}

/// An optional comment or reason: trimmed, nothing when blank, at most [`MAX_COMMENT_CHARS`]
/// characters.
pub fn comment(text: Option<&str>) -> Result<Option<&str>, String> {
    match given(text) {
        Some(text) if let Some(problem) = too_long(text, MAX_COMMENT_CHARS) => Err(problem),
        text => Ok(text),
    }
}

/// What is wrong with a text that holds a control character (NUL, ESC, a tab, …): they are
/// invisible, end strings in other programs and can steer a terminal. A line break is no control
/// character here: a comment may have several lines (`\n`, or `\r\n` as a form sends it).
pub fn control_character(text: &str) -> Option<String> {
    let mut chars = text.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        let line_break = c == '\n' || (c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n'));
        if c.is_control() && !line_break {
            return Some(format!("不能含有控制字符（第{}个字符是U+{:04X}）", i + 1, u32::from(c)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_what_json_schema_calls_space_and_what_trim_removes() {
        // every character ECMA-262's `\s` matches, and NEL, which Rust's trim removes
        let ecma_space =
            "\t\n\u{b}\u{c}\r \u{a0}\u{1680}\u{2000}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{feff}";
        for c in ecma_space.chars().chain(['\u{85}']) {
            assert!(is_space(c), "U+{:04X}", u32::from(c));
            assert_eq!(visible(&c.to_string()), None, "U+{:04X}", u32::from(c));
        }
        for (text, expected) in [
            ("  甲镇 ", Some("甲镇")),
            ("\u{3000}说明\u{feff}", Some("说明")),
            ("\u{1c}", Some("\u{1c}")), // a control character is not space: refused by `control_character`
            ("", None),
        ] {
            assert_eq!(visible(text), expected, "{text:?}");
        }
    }

    #[test]
    fn names_and_comments() {
        assert_eq!(name(" 甲镇 ", 100), Ok("甲镇".to_string()));
        assert_eq!(name(&"字".repeat(100), 100).map(|n| n.chars().count()), Ok(100));
        assert_eq!(name(&"字".repeat(101), 100), Err("名称应为 1 到 100 个字".into()));
        assert_eq!(name("\u{85}", 100), Err("名称应为 1 到 100 个字".into()));
        assert_eq!(comment(None), Ok(None));
        assert_eq!(comment(Some(" \u{3000} ")), Ok(None));
        assert_eq!(comment(Some(" 第一行\r\n第二行 ")), Ok(Some("第一行\r\n第二行")));
        assert_eq!(comment(Some(&"字".repeat(500))).map(|c| c.map(|c| c.chars().count())), Ok(Some(500)));
        assert_eq!(comment(Some(&"字".repeat(501))), Err("最多 500 个字".into()));
    }

    #[test]
    fn control_characters() {
        for (text, expected) in [
            ("两行\n文字", None),
            ("两行\r\n文字", None),
            ("a\0b", Some("不能含有控制字符（第2个字符是U+0000）")),
            ("\u{1b}[31m红", Some("不能含有控制字符（第1个字符是U+001B）")),
            ("\t缩进", Some("不能含有控制字符（第1个字符是U+0009）")),
            ("回车\r", Some("不能含有控制字符（第3个字符是U+000D）")),
            ("删除\u{7f}", Some("不能含有控制字符（第3个字符是U+007F）")),
            ("C1\u{85}", Some("不能含有控制字符（第3个字符是U+0085）")),
        ] {
            assert_eq!(control_character(text).as_deref(), expected, "{text:?}");
        }
    }
}
