//! Values of configuration keys, from whichever source they come, and the small literal syntax
//! of Flask-MonitoringDashboard's `config.cfg` (`['a', 'b']`, `{'main': '[0,97,255]'}`).

use std::fmt;

/// A configuration value before it is checked against its key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawValue {
    /// Text, from INI files, environment variables, TOML strings and bare literal words.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A list (`[..]` or `(..)`).
    List(Vec<RawValue>),
    /// A map (`{key: value}` or a TOML table).
    Map(Vec<(String, RawValue)>),
}

impl RawValue {
    /// Reads a literal such as `['a', "b", 3]` or `{'main': '[0,97,255]'}`; `None` when the text
    /// is not one.
    pub(crate) fn parse_literal(text: &str) -> Option<RawValue> {
        let mut parser = Parser {
            chars: text.trim().chars().collect(),
            pos: 0,
        };
        let value = parser.value()?;
        parser.skip_whitespace();
        (parser.pos == parser.chars.len()).then_some(value)
    }

    /// The value as text, for keys that take a single word or number.
    pub(crate) fn to_text(&self) -> Option<String> {
        match self {
            RawValue::Text(text) => Some(text.trim().to_owned()),
            RawValue::Integer(n) => Some(n.to_string()),
            RawValue::Float(x) => Some(x.to_string()),
            RawValue::Bool(b) => Some(b.to_string()),
            RawValue::List(_) | RawValue::Map(_) => None,
        }
    }

    /// A list, reading text as a literal when it looks like one.
    pub(crate) fn into_list(self) -> Option<Vec<RawValue>> {
        match self {
            RawValue::List(items) => Some(items),
            RawValue::Text(text) if text.trim_start().starts_with(['[', '(']) => {
                RawValue::parse_literal(&text)?.into_list()
            }
            other => Some(vec![other]),
        }
    }

    /// A map, reading text as a literal.
    pub(crate) fn into_map(self) -> Option<Vec<(String, RawValue)>> {
        match self {
            RawValue::Map(entries) => Some(entries),
            RawValue::Text(text) if text.trim().is_empty() => Some(Vec::new()),
            RawValue::Text(text) => match RawValue::parse_literal(&text)? {
                RawValue::Map(entries) => Some(entries),
                _ => None,
            },
            _ => None,
        }
    }
}

impl fmt::Display for RawValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawValue::Text(text) => write!(f, "{text:?}"),
            RawValue::Integer(n) => write!(f, "{n}"),
            RawValue::Float(x) => write!(f, "{x}"),
            RawValue::Bool(b) => write!(f, "{b}"),
            RawValue::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            RawValue::Map(entries) => {
                f.write_str("{")?;
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{key:?}: {value}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A recursive-descent reader of the literal syntax.
struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, expected: char) -> bool {
        self.skip_whitespace();
        let found = self.peek() == Some(expected);
        if found {
            self.pos += 1;
        }
        found
    }

    fn value(&mut self) -> Option<RawValue> {
        self.skip_whitespace();
        match self.peek()? {
            '[' => self.sequence(']'),
            '(' => self.sequence(')'),
            '{' => self.map(),
            quote @ ('\'' | '"') => self.quoted(quote).map(RawValue::Text),
            _ => self.bare_word(),
        }
    }

    fn sequence(&mut self, close: char) -> Option<RawValue> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                return Some(RawValue::List(items));
            }
            items.push(self.value()?);
            if !self.eat(',') {
                return self.eat(close).then_some(RawValue::List(items));
            }
        }
    }

    fn map(&mut self) -> Option<RawValue> {
        self.pos += 1;
        let mut entries = Vec::new();
        loop {
            if self.eat('}') {
                return Some(RawValue::Map(entries));
            }
            let key = self.value()?.to_text()?;
            if !self.eat(':') {
                return None;
            }
            entries.push((key, self.value()?));
            if !self.eat(',') {
                return self.eat('}').then_some(RawValue::Map(entries));
            }
        }
    }

    fn quoted(&mut self, quote: char) -> Option<String> {
        self.pos += 1;
        let mut text = String::new();
        loop {
            let c = self.peek()?;
            self.pos += 1;
            match c {
                '\\' => {
                    text.push(self.peek()?);
                    self.pos += 1;
                }
                c if c == quote => return Some(text),
                c => text.push(c),
            }
        }
    }

    fn bare_word(&mut self) -> Option<RawValue> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| !matches!(c, ',' | ':' | ']' | ')' | '}' | '[' | '(' | '{'))
        {
            self.pos += 1;
        }
        let word: String = self.chars[start..self.pos]
            .iter()
            .collect::<String>()
            .trim()
            .to_owned();
        if word.is_empty() {
            return None;
        }
        Some(if let Ok(n) = word.parse::<i64>() {
            RawValue::Integer(n)
        } else if let Ok(x) = word.parse::<f64>() {
            RawValue::Float(x)
        } else {
            match word.as_str() {
                "True" | "true" => RawValue::Bool(true),
                "False" | "false" => RawValue::Bool(false),
                _ => RawValue::Text(word),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::RawValue::{self, *};

    fn text(s: &str) -> RawValue {
        Text(s.to_owned())
    }

    #[test]
    fn reads_the_reference_guest_password_list() {
        assert_eq!(
            RawValue::parse_literal("['dashboardguest!', 'second_pw!']"),
            Some(List(vec![text("dashboardguest!"), text("second_pw!")]))
        );
    }

    #[test]
    fn reads_the_reference_colors_map_with_nested_list_strings() {
        let colors = RawValue::parse_literal("{'main':'[0,97,255]',\n'static':'[255,153,0]'}");
        assert_eq!(
            colors,
            Some(Map(vec![
                ("main".into(), text("[0,97,255]")),
                ("static".into(), text("[255,153,0]"))
            ]))
        );
        assert_eq!(
            RawValue::parse_literal("[0, 97, 255]"),
            Some(List(vec![Integer(0), Integer(97), Integer(255)]))
        );
    }

    #[test]
    fn rejects_unbalanced_or_trailing_text() {
        assert_eq!(RawValue::parse_literal("['a', 'b'"), None);
        assert_eq!(RawValue::parse_literal("['a'] extra"), None);
        assert_eq!(RawValue::parse_literal("{'a' 1}"), None);
    }

    #[test]
    fn a_plain_value_is_a_list_of_one() {
        assert_eq!(text("only").into_list(), Some(vec![text("only")]));
        assert_eq!(
            text("('a', \"b\")").into_list(),
            Some(vec![text("a"), text("b")])
        );
    }
}
