//! Keeping secrets and sizes out of stored request context: every header, query, body field and
//! path parameter whose name looks secret becomes `[redacted]`, and every part is capped.

use axum::http::{HeaderMap, Uri};
use serde_json::{Map, Value};

/// What a secret value is replaced with.
pub(crate) const REDACTED: &str = "[redacted]";

/// Headers that are always secret, whatever `REDACT` says.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// The longest value (header, query, body field, message) stored, in bytes; longer ones are cut.
pub(crate) const MAX_VALUE_BYTES: usize = 1024;
/// The most headers, query pairs or body fields stored per request.
pub(crate) const MAX_FIELDS: usize = 100;
/// The most of a JSON or form body that is read; a larger JSON body is not stored at all (it
/// cannot be checked for secrets), a larger form keeps its complete fields.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024;
/// The longest URL stored, in bytes.
pub(crate) const MAX_URL_BYTES: usize = 2048;

/// Decides which names are secret (`REDACT`) and renders capped, redacted values.
#[derive(Debug, Clone)]
pub(crate) struct Redactor {
    /// Lower-case parts of secret names, with `-` read as `_`.
    patterns: Vec<String>,
}

impl Redactor {
    pub(crate) fn new(patterns: &[String]) -> Self {
        Redactor {
            patterns: patterns.iter().map(|pattern| normalise(pattern)).collect(),
        }
    }

    /// Whether a header, query, body or path-parameter name is secret.
    pub(crate) fn is_secret(&self, name: &str) -> bool {
        let name = normalise(name);
        SECRET_HEADERS
            .iter()
            .any(|header| normalise(header) == name)
            || self
                .patterns
                .iter()
                .any(|pattern| name.contains(pattern.as_str()))
    }

    fn value(&self, name: &str, value: &str) -> String {
        if self.is_secret(name) {
            REDACTED.to_owned()
        } else {
            cap(value, MAX_VALUE_BYTES)
        }
    }

    /// Headers as `[name, value]` pairs; values that are not text are shown as `[binary]`. A
    /// value that carries a URL (`Referer`, `X-Original-URI`, …) has its query redacted like
    /// the request's own.
    pub(crate) fn headers(&self, headers: &HeaderMap) -> Vec<(String, String)> {
        headers
            .iter()
            .take(MAX_FIELDS)
            .map(|(name, value)| {
                let text = value.to_str().unwrap_or("[binary]");
                let value = if self.is_secret(name.as_str()) {
                    REDACTED.to_owned()
                } else {
                    cap(&self.query_in(text), MAX_VALUE_BYTES)
                };
                (name.as_str().to_owned(), value)
            })
            .collect()
    }

    /// A text that may hold a URL, with the secret values of its query (after `?`, up to `#`)
    /// redacted.
    fn query_in(&self, text: &str) -> String {
        let Some((before, after)) = text.split_once('?') else {
            return text.to_owned();
        };
        let (query, fragment) = match after.split_once('#') {
            Some((query, fragment)) => (query, Some(fragment)),
            None => (after, None),
        };
        if !form_urlencoded::parse(query.as_bytes()).any(|(name, _)| self.is_secret(&name)) {
            return text.to_owned();
        }
        let mut encoded = form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.pairs(query.as_bytes()) {
            encoded.append_pair(&name, &value);
        }
        let mut redacted = format!("{before}?{}", encoded.finish());
        if let Some(fragment) = fragment {
            redacted.push('#');
            redacted.push_str(fragment);
        }
        redacted
    }

    /// Query or form pairs, decoded.
    pub(crate) fn pairs(&self, encoded: &[u8]) -> Vec<(String, String)> {
        form_urlencoded::parse(encoded)
            .take(MAX_FIELDS)
            .map(|(name, value)| (cap(&name, MAX_VALUE_BYTES), self.value(&name, &value)))
            .collect()
    }

    /// The URL with secret query values and secret path parameters (by the names in `route`)
    /// redacted.
    pub(crate) fn url(&self, uri: &Uri, route: &str) -> String {
        let path = self.path(uri.path(), route);
        let url = match uri.query() {
            None => path,
            Some(query) => self.query_in(&format!("{path}?{query}")),
        };
        cap(&url, MAX_URL_BYTES)
    }

    /// The path, with the segments matched by secret parameters of the route template redacted
    /// (a whole segment also when the parameter is only part of it, as in `/r/t-{token}`).
    fn path(&self, path: &str, route: &str) -> String {
        let mut segments: Vec<&str> = path.split('/').collect();
        for (index, pattern) in route.split('/').enumerate() {
            let Some(name) = pattern
                .split_once('{')
                .and_then(|(_, rest)| rest.split_once('}'))
                .map(|(name, _)| name)
            else {
                continue;
            };
            let (name, rest_of_path) = match name.strip_prefix('*') {
                Some(name) => (name, true),
                None => (name, false),
            };
            if self.is_secret(name) && index < segments.len() {
                if rest_of_path {
                    segments.truncate(index);
                }
                match segments.get_mut(index) {
                    Some(segment) => *segment = REDACTED,
                    None => segments.push(REDACTED),
                }
            }
        }
        segments.join("/")
    }

    /// A JSON or form body's fields. `complete` says whether the whole body was read.
    pub(crate) fn body(&self, kind: BodyKind, bytes: &[u8], complete: bool) -> Value {
        match kind {
            BodyKind::Form => {
                // A cut-off form keeps only its complete fields.
                let whole = if complete {
                    bytes
                } else {
                    let end = bytes.iter().rposition(|&b| b == b'&').unwrap_or(0);
                    &bytes[..end]
                };
                Value::Object(
                    self.pairs(whole)
                        .into_iter()
                        .map(|(name, value)| (name, Value::String(value)))
                        .collect(),
                )
            }
            BodyKind::Json if !complete => Value::String(format!(
                "[not stored: a JSON body larger than {MAX_BODY_BYTES} bytes]"
            )),
            BodyKind::Json => match serde_json::from_slice::<Value>(bytes) {
                Ok(value) => {
                    let mut fields = 0;
                    self.json(value, &mut fields)
                }
                Err(_) => Value::String("[not stored: the body is not valid JSON]".to_owned()),
            },
        }
    }

    fn json(&self, value: Value, fields: &mut usize) -> Value {
        match value {
            Value::Object(object) => {
                let mut kept = Map::new();
                for (name, value) in object {
                    *fields += 1;
                    if *fields > MAX_FIELDS {
                        break;
                    }
                    let value = if self.is_secret(&name) {
                        Value::String(REDACTED.to_owned())
                    } else {
                        self.json(value, fields)
                    };
                    kept.insert(cap(&name, MAX_VALUE_BYTES), value);
                }
                Value::Object(kept)
            }
            Value::Array(items) => {
                let mut kept = Vec::new();
                for item in items {
                    *fields += 1;
                    if *fields > MAX_FIELDS {
                        break;
                    }
                    kept.push(self.json(item, fields));
                }
                Value::Array(kept)
            }
            Value::String(text) => Value::String(cap(&text, MAX_VALUE_BYTES)),
            other => other,
        }
    }
}

/// A request body whose fields can be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// `application/json` (or `+json`).
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

impl BodyKind {
    /// The kind of a request's body by its `Content-Type`, if its fields can be stored.
    pub(crate) fn of(headers: &HeaderMap) -> Option<BodyKind> {
        let content_type = headers
            .get(axum::http::header::CONTENT_TYPE)?
            .to_str()
            .ok()?;
        let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
        if essence == "application/x-www-form-urlencoded" {
            Some(BodyKind::Form)
        } else if essence == "application/json" || essence.ends_with("+json") {
            Some(BodyKind::Json)
        } else {
            None
        }
    }
}

fn normalise(name: &str) -> String {
    name.to_ascii_lowercase().replace('-', "_")
}

/// `text` as stored: every NUL written as `\0` (PostgreSQL refuses NUL in text), cut to at most
/// `max` bytes (on a character boundary), marked with `…` when cut.
pub(crate) fn cap(text: &str, max: usize) -> String {
    let escaped;
    let text = if text.contains('\0') {
        escaped = text.replace('\0', "\\0");
        escaped.as_str()
    } else {
        text
    };
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;
    use crate::config::DEFAULT_REDACT;

    fn redactor() -> Redactor {
        Redactor::new(&DEFAULT_REDACT.map(str::to_owned))
    }

    #[test]
    fn secret_headers_and_names_that_contain_a_pattern_are_redacted() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer s3cr3t"));
        headers.insert("cookie", HeaderValue::from_static("id=s3cr3t"));
        headers.insert("x-api-key", HeaderValue::from_static("s3cr3t"));
        headers.insert("x-csrf-token", HeaderValue::from_static("s3cr3t"));
        headers.insert("accept", HeaderValue::from_static("text/html"));
        let rendered = redactor().headers(&headers);
        assert_eq!(rendered.len(), 5);
        for (name, value) in rendered {
            let expected = if name == "accept" {
                "text/html"
            } else {
                REDACTED
            };
            assert_eq!(value, expected, "{name}");
        }
    }

    #[test]
    fn urls_lose_secret_query_values_and_secret_path_parameters() {
        let uri: Uri = "/reset/abc123/confirm?user=ann&access_token=s3cr3t&Password=x"
            .parse()
            .unwrap_or_else(|_| Uri::default());
        assert_eq!(
            redactor().url(&uri, "/reset/{token}/confirm"),
            "/reset/[redacted]/confirm?user=ann&access_token=%5Bredacted%5D&Password=%5Bredacted%5D"
        );
        let uri: Uri = "/files/secret/a/b"
            .parse()
            .unwrap_or_else(|_| Uri::default());
        assert_eq!(
            redactor().url(&uri, "/files/{*session_path}"),
            "/files/[redacted]"
        );
    }

    #[test]
    fn urls_inside_header_values_lose_their_secrets() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "referer",
            HeaderValue::from_static("https://app/reset?token=abc&page=2#top"),
        );
        headers.insert("x-original-uri", HeaderValue::from_static("/r?api_key=k1"));
        headers.insert("x-forwarded-uri", HeaderValue::from_static("/r?session=k2"));
        headers.insert("x-rewrite-url", HeaderValue::from_static("/r?password=k3"));
        headers.insert("x-authorization", HeaderValue::from_static("Bearer k4"));
        headers.insert("user-agent", HeaderValue::from_static("agent?v=1"));
        let rendered: std::collections::HashMap<_, _> =
            redactor().headers(&headers).into_iter().collect();
        assert_eq!(
            rendered["referer"],
            "https://app/reset?token=%5Bredacted%5D&page=2#top"
        );
        for (name, secret) in [
            ("x-original-uri", "k1"),
            ("x-forwarded-uri", "k2"),
            ("x-rewrite-url", "k3"),
            ("x-authorization", "k4"),
        ] {
            assert!(
                !rendered[name].contains(secret),
                "{name}: {}",
                rendered[name]
            );
        }
        assert_eq!(
            rendered["user-agent"], "agent?v=1",
            "no secret, left as sent"
        );
    }

    #[test]
    fn a_segment_holding_a_secret_parameter_is_redacted_whole() {
        let uri: Uri = "/r/t-s3cr3t/x".parse().unwrap_or_else(|_| Uri::default());
        assert_eq!(redactor().url(&uri, "/r/t-{token}/x"), "/r/[redacted]/x");
    }

    #[test]
    fn stored_text_never_holds_a_nul() {
        assert_eq!(cap("a\0b", MAX_VALUE_BYTES), "a\\0b");
    }

    #[test]
    fn json_bodies_are_redacted_at_every_depth_and_large_ones_not_stored() {
        let body = br#"{"user":"ann","nested":{"api_key":"s3cr3t","list":[{"passwd":"x"}]}}"#;
        let value = redactor().body(BodyKind::Json, body, true);
        assert_eq!(
            value,
            serde_json::json!({"user":"ann","nested":{"api_key":REDACTED,"list":[{"passwd":REDACTED}]}})
        );
        assert!(
            redactor()
                .body(BodyKind::Json, body, false)
                .as_str()
                .is_some_and(|note| note.contains("not stored"))
        );
    }

    #[test]
    fn a_cut_off_form_keeps_only_its_complete_fields() {
        let value = redactor().body(BodyKind::Form, b"user=ann&password=s3cr3t&no", false);
        assert_eq!(value, serde_json::json!({"user":"ann","password":REDACTED}));
    }

    #[test]
    fn long_values_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_VALUE_BYTES);
        let capped = cap(&long, MAX_VALUE_BYTES);
        assert!(capped.len() <= MAX_VALUE_BYTES + '…'.len_utf8());
        assert!(capped.ends_with('…'));
    }
}
