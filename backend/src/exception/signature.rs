//! The stable signature that groups occurrences: FNV-1a over the endpoint, the type, the
//! message's shape and the spans (module and name) it happened in. Line numbers are left out,
//! so that a group survives edits elsewhere in the file.

use std::hash::Hasher;

use super::Occurrence;

/// The group key of an occurrence on an endpoint, as 16 hex digits.
pub(crate) fn signature(endpoint_id: i32, occurrence: &Occurrence) -> String {
    let mut hasher = fnv::FnvHasher::default();
    let mut part = |text: &str| {
        hasher.write(text.as_bytes());
        hasher.write_u8(0);
    };
    part(&endpoint_id.to_string());
    part(&occurrence.type_name);
    part(&message_shape(&occurrence.message));
    for frame in &occurrence.stack {
        part(frame.module_path().unwrap_or_default());
        part(frame.name());
    }
    format!("{:016x}", hasher.finish())
}

/// The message with what varies between occurrences blanked: numbers become `{n}`, words of
/// eight or more hex digits with a digit among them (ids, hashes) `{id}`, quoted text `"…"`.
pub(crate) fn message_shape(message: &str) -> String {
    let mut shape = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' || c == '`' {
            shape.push(c);
            shape.push('…');
            for next in chars.by_ref() {
                if next == c {
                    break;
                }
            }
            shape.push(c);
        } else if c.is_ascii_alphanumeric() {
            let mut word = String::from(c);
            while let Some(&next) = chars.peek() {
                if next.is_ascii_alphanumeric() || next == '-' || next == '_' {
                    word.push(next);
                    chars.next();
                } else {
                    break;
                }
            }
            shape.push_str(&word_shape(&word));
        } else {
            shape.push(c);
        }
    }
    shape
}

fn word_shape(word: &str) -> String {
    let digits = word.chars().filter(char::is_ascii_digit).count();
    if digits == word.len() {
        return "{n}".to_owned();
    }
    let hex = word
        .chars()
        .filter(|c| c.is_ascii_hexdigit() || *c == '-')
        .count();
    if digits > 0 && hex == word.len() && word.len() >= 8 {
        return "{id}".to_owned();
    }
    word.to_owned()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn occurrence(message: &str) -> Occurrence {
        Occurrence {
            type_name: "app::Error".into(),
            message: message.into(),
            stack: Vec::new(),
            location: None,
            time: Utc::now(),
            calls: Vec::new(),
        }
    }

    #[test]
    fn messages_that_differ_in_numbers_ids_and_quotes_have_one_shape() {
        assert_eq!(
            message_shape("user 42 not found in 'eu-west' (id 3f2a9c01-77aa)"),
            "user {n} not found in '…' (id {id})"
        );
        assert_eq!(
            message_shape("user 7 not found in 'us' (id 0badf00d1)"),
            message_shape("user 42 not found in 'eu-west' (id 3f2a9c01-77aa)")
        );
        assert_eq!(message_shape("decade 2020s"), "decade 2020s");
    }

    #[test]
    fn signatures_separate_endpoints_and_messages_but_not_numbers() {
        let a = signature(1, &occurrence("timeout after 30 s"));
        assert_eq!(a, signature(1, &occurrence("timeout after 31 s")));
        assert_ne!(a, signature(2, &occurrence("timeout after 30 s")));
        assert_ne!(a, signature(1, &occurrence("refused after 30 s")));
        assert_eq!(a.len(), 16);
    }
}
