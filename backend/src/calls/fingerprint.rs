//! What is stored of a statement or an upstream call: a fingerprint that holds no literal value.
//!
//! Statements are split into tokens by `sqlparser`'s tokenizer (its generic dialect reads
//! PostgreSQL's, MySQL's and SQLite's quoting), so that a quote inside a string or a comment
//! cannot make a literal look like SQL. Every literal and placeholder becomes `?`, keywords are
//! upper-cased, comments and spacing go, `IN (…)` lists collapse to `IN (?)` and a `VALUES`
//! clause keeps its first row: `WHERE id = 42` and `WHERE id = 7` are one statement.

use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// Longest fingerprint kept, in bytes; longer ones end with ` …`.
const MAX_FINGERPRINT: usize = 2_000;

/// Longest path template kept, in bytes.
const MAX_PATH: usize = 300;

/// The blank that replaces every literal and placeholder.
const BLANK: &str = "?";

/// The keywords written in capitals, whatever case a statement has them in (sorted). Only
/// reserved words: a column named `id` or `name` stays as written.
const KEYWORDS: [&str; 58] = [
    "ALL",
    "ALTER",
    "AND",
    "AS",
    "ASC",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASE",
    "COMMIT",
    "CONFLICT",
    "CREATE",
    "CROSS",
    "DEFAULT",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DO",
    "DROP",
    "ELSE",
    "END",
    "EXCEPT",
    "EXISTS",
    "FOR",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "ILIKE",
    "IN",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "JOIN",
    "LEFT",
    "LIKE",
    "LIMIT",
    "NOT",
    "NOTHING",
    "NULL",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "SELECT",
    "SET",
    "THEN",
    "UNION",
    "UPDATE",
    "VALUES",
    "WHEN",
    "WHERE",
];

/// The operations a statement can be named by (its first keyword; any other is `OTHER`), so
/// that the metrics' `db_operation` label has few values.
const OPERATIONS: [&str; 22] = [
    "ALTER",
    "ANALYZE",
    "BEGIN",
    "CALL",
    "COMMIT",
    "COPY",
    "CREATE",
    "DELETE",
    "DROP",
    "EXPLAIN",
    "INSERT",
    "LOCK",
    "MERGE",
    "PRAGMA",
    "RELEASE",
    "REPLACE",
    "ROLLBACK",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "UPDATE",
    "WITH",
];

/// `word` in capitals if it is one of `sorted`.
fn known(sorted: &[&'static str], word: &str) -> Option<&'static str> {
    let upper = word.to_ascii_uppercase();
    sorted
        .binary_search(&upper.as_str())
        .ok()
        .map(|index| sorted[index])
}

/// A statement as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    /// The normalised text, without literal values.
    pub(crate) text: String,
    /// Its first keyword (`SELECT`, `INSERT`, …), `OTHER` when it is not a known one.
    pub(crate) operation: &'static str,
}

/// The fingerprint of a statement.
pub(crate) fn statement(sql: &str) -> Fingerprint {
    let Ok(tokens) = Tokenizer::new(&GenericDialect {}, sql).tokenize() else {
        // Unreadable (an unclosed quote): nothing of it but its first word is safe to keep.
        let operation = operation(sql.split_whitespace().next().unwrap_or(""));
        return Fingerprint {
            text: format!("{operation} …"),
            operation,
        };
    };
    let words = collapse(blanked(tokens));
    let operation = operation(words.first().map_or("", String::as_str));
    Fingerprint {
        text: capped(joined(&words), MAX_FINGERPRINT),
        operation,
    }
}

/// The operation a statement's first word names: one of [`OPERATIONS`], or `OTHER`.
fn operation(first: &str) -> &'static str {
    known(&OPERATIONS, first).unwrap_or("OTHER")
}

/// Whether a token is a literal value.
fn is_literal(token: &Token) -> bool {
    matches!(
        token,
        Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::TripleSingleQuotedString(_)
            | Token::TripleDoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::SingleQuotedByteStringLiteral(_)
            | Token::DoubleQuotedByteStringLiteral(_)
            | Token::TripleSingleQuotedByteStringLiteral(_)
            | Token::TripleDoubleQuotedByteStringLiteral(_)
            | Token::SingleQuotedRawStringLiteral(_)
            | Token::DoubleQuotedRawStringLiteral(_)
            | Token::TripleSingleQuotedRawStringLiteral(_)
            | Token::TripleDoubleQuotedRawStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::Placeholder(_)
    )
}

/// The statement's tokens as words: spacing and comments gone, literals and placeholders
/// blanked (a minus sign before a number with it), keywords upper-cased.
fn blanked(tokens: Vec<Token>) -> Vec<String> {
    let mut words: Vec<String> = Vec::with_capacity(tokens.len());
    for token in tokens {
        match token {
            Token::Whitespace(_) | Token::EOF => {}
            token if is_literal(&token) => {
                if words.last().is_some_and(|last| last == "-")
                    && !ends_operand(&words[..words.len() - 1])
                {
                    words.pop();
                }
                words.push(BLANK.to_owned());
            }
            Token::Word(word) if word.quote_style.is_none() => {
                words.push(known(&KEYWORDS, &word.value).map_or(word.value, str::to_owned));
            }
            token => words.push(token.to_string()),
        }
    }
    words
}

/// Whether the words end with an operand (so a `-` after them subtracts).
fn ends_operand(words: &[String]) -> bool {
    words.last().is_some_and(|last| {
        last == BLANK
            || last == ")"
            || last
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '"' || c == '`' || c == '_')
    })
}

/// Collapses `IN (?, ?, …)` to `IN (?)` and keeps the first row of a `VALUES` clause.
fn collapse(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut index = 0;
    while index < words.len() {
        let word = &words[index];
        if word == "("
            && out.last().is_some_and(|last| last == "IN")
            && let Some(end) = blank_list_end(&words, index)
        {
            out.extend(["(", BLANK, ")"].map(str::to_owned));
            index = end + 1;
            continue;
        }
        if word == ","
            && values_row_ended(&out)
            && words.get(index + 1).is_some_and(|next| next == "(")
            && let Some(end) = group_end(&words, index + 1)
        {
            index = end + 1;
            continue;
        }
        out.push(word.clone());
        index += 1;
    }
    out
}

/// The index of the `)` closing a list of blanks that opens at `open`.
fn blank_list_end(words: &[String], open: usize) -> Option<usize> {
    let mut expect_blank = true;
    for (index, word) in words.iter().enumerate().skip(open + 1) {
        match (expect_blank, word.as_str()) {
            (true, BLANK) => expect_blank = false,
            (false, ",") => expect_blank = true,
            (false, ")") => return Some(index),
            _ => return None,
        }
    }
    None
}

/// The index of the `)` that closes the group opening at `open`.
fn group_end(words: &[String], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (index, word) in words.iter().enumerate().skip(open) {
        match word.as_str() {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether the words so far end with `VALUES (…)`: the row a further row would follow.
fn values_row_ended(out: &[String]) -> bool {
    if out.last().is_none_or(|last| last != ")") {
        return false;
    }
    let mut depth = 0usize;
    for (index, word) in out.iter().enumerate().rev() {
        match word.as_str() {
            ")" => depth += 1,
            "(" => {
                depth -= 1;
                if depth == 0 {
                    return index > 0 && out[index - 1] == "VALUES";
                }
            }
            _ => {}
        }
    }
    false
}

/// The words as one line: a space between words, none inside parentheses or before commas and
/// around dots.
fn joined(words: &[String]) -> String {
    let mut text = String::new();
    let mut previous: Option<&str> = None;
    for word in words {
        let tight = matches!(word.as_str(), "," | ")" | "." | ";")
            || matches!(previous, Some("(" | ".") | None);
        if !tight {
            text.push(' ');
        }
        text.push_str(word);
        previous = Some(word);
    }
    text
}

/// `text` cut at `limit` bytes (on a character boundary), marked with ` …` when cut.
fn capped(mut text: String, limit: usize) -> String {
    if text.len() > limit {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(" …");
    }
    text
}

/// The path of an upstream call as stored: numbers, ids and tokens blanked as `{id}`.
///
/// A segment is blanked when it holds a digit (except API versions like `v2`), or is longer than
/// 24 characters, or holds `@` or `%`; a path keeps at most 12 segments.
pub(crate) fn path_template(path: &str) -> String {
    let segments: Vec<&str> = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .collect();
    let mut template = String::new();
    for segment in segments.iter().take(12) {
        template.push('/');
        template.push_str(if is_identifier(segment) {
            "{id}"
        } else {
            segment
        });
    }
    if segments.len() > 12 {
        template.push_str("/…");
    }
    if template.is_empty() {
        template.push('/');
    }
    capped(template, MAX_PATH)
}

/// Whether a path segment names one thing (an id, a number, a token, an address).
fn is_identifier(segment: &str) -> bool {
    let version = segment.len() > 1
        && segment.starts_with('v')
        && segment[1..].chars().all(|c| c.is_ascii_digit());
    (segment.chars().any(|c| c.is_ascii_digit()) && !version)
        || segment.chars().count() > 24
        || segment.contains(['@', '%'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_placeholders_are_blanked_and_keywords_upper_cased() {
        let seven = statement("select name from users where id = 7");
        let forty_two = statement("SELECT name\n  FROM users WHERE id = 42 -- the admin");
        assert_eq!(seven, forty_two);
        assert_eq!(seven.text, "SELECT name FROM users WHERE id = ?");
        assert_eq!(seven.operation, "SELECT");
        assert_eq!(
            statement("SELECT * FROM t WHERE a = $1 AND b = ? AND c = -5 AND d = x - 1").text,
            "SELECT * FROM t WHERE a = ? AND b = ? AND c = ? AND d = x - ?"
        );
    }

    #[test]
    fn secrets_in_strings_never_survive() {
        let fingerprint = statement(
            "INSERT INTO notes (owner, body) VALUES ('ann', 'it''s s3cr3t-token'), (E'bob', $$x$$)",
        );
        assert_eq!(
            fingerprint.text,
            "INSERT INTO notes (owner, body) VALUES (?, ?)"
        );
        assert_eq!(fingerprint.operation, "INSERT");
        let unclosed = statement("UPDATE users SET token = 'abc");
        assert_eq!(unclosed.text, "UPDATE …");
    }

    #[test]
    fn the_keyword_lists_are_sorted_and_columns_keep_their_case() {
        assert!(KEYWORDS.is_sorted() && OPERATIONS.is_sorted());
        assert_eq!(
            statement("select Id, name from t where id = 1").text,
            "SELECT Id, name FROM t WHERE id = ?"
        );
        assert_eq!(statement("VACUUM").operation, "OTHER");
        assert_eq!(
            statement("with x as (select 1) select * from x").operation,
            "WITH"
        );
    }

    #[test]
    fn in_lists_collapse() {
        assert_eq!(
            statement("SELECT id FROM t WHERE id IN (1, 2, 3) AND k IN ($1)").text,
            "SELECT id FROM t WHERE id IN (?) AND k IN (?)"
        );
        assert_eq!(
            statement("SELECT id FROM t WHERE id IN (SELECT id FROM u)").text,
            "SELECT id FROM t WHERE id IN (SELECT id FROM u)"
        );
    }

    #[test]
    fn paths_lose_their_ids() {
        assert_eq!(
            path_template("/v2/users/42/orders/9f8e7d6c"),
            "/v2/users/{id}/orders/{id}"
        );
        assert_eq!(path_template("/mail/ann@example.com"), "/mail/{id}");
        assert_eq!(path_template(""), "/");
    }
}
