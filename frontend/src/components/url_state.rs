//! Choices kept in the address: a page reads each of its choices from the URL's query and
//! writes a change there (a new history entry, so that back and forward step through them),
//! which is what makes a view shareable. The keys are `dashboard_shared::page_query`'s.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use std::sync::Arc;

/// The router's navigation, shared by the handlers of a page.
type Navigate = Arc<dyn Fn(&str, NavigateOptions) + Send + Sync>;

/// Writes the URL's query; made where a page is built, used in its event handlers.
#[derive(Clone, Copy)]
pub(crate) struct QueryWriter {
    query: Memo<ParamsMap>,
    navigate: StoredValue<Navigate>,
}

impl QueryWriter {
    /// The writer of the current page's query.
    pub(crate) fn new() -> Self {
        QueryWriter {
            query: use_query_map(),
            navigate: StoredValue::new(Arc::new(use_navigate())),
        }
    }

    /// Changes several values at once (`None` or an empty value removes one), as one step of
    /// the history; the page stays where it is scrolled.
    pub(crate) fn set(self, changes: impl IntoIterator<Item = (String, Option<String>)>) {
        self.write(changes, false);
    }

    /// Changes values in the current step of the history (while someone types).
    pub(crate) fn replace(self, changes: impl IntoIterator<Item = (String, Option<String>)>) {
        self.write(changes, true);
    }

    fn write(self, changes: impl IntoIterator<Item = (String, Option<String>)>, replace: bool) {
        let mut query = self.query.get_untracked();
        for (key, value) in changes {
            match value.filter(|value| !value.is_empty()) {
                Some(value) => query.replace(key, value),
                None => {
                    query.remove(&key);
                }
            }
        }
        let path = window().location().pathname().unwrap_or_default();
        let options = NavigateOptions {
            resolve: false,
            replace,
            scroll: false,
            ..NavigateOptions::default()
        };
        let navigate = self.navigate.get_value();
        navigate(&format!("{path}{}", query.to_query_string()), options);
    }
}

/// One value of the URL's query.
#[derive(Clone, Copy)]
pub(crate) struct UrlParam {
    value: Memo<Option<String>>,
    key: StoredValue<String>,
    writer: QueryWriter,
}

impl UrlParam {
    /// The value under `key` (an empty value counts as none).
    pub(crate) fn new(key: impl Into<String>) -> Self {
        let key = key.into();
        let writer = QueryWriter::new();
        let read = key.clone();
        let value = Memo::new(move |_| {
            writer
                .query
                .with(|query| query.get(&read).filter(|value| !value.is_empty()))
        });
        UrlParam {
            value,
            key: StoredValue::new(key),
            writer,
        }
    }

    /// The value, tracked.
    pub(crate) fn get(self) -> Option<String> {
        self.value.get()
    }

    /// The value parsed, `None` when missing or not a `T`.
    pub(crate) fn parsed<T: std::str::FromStr>(self) -> Option<T> {
        self.get().and_then(|value| value.parse().ok())
    }

    /// The key, for a change of several values through [`QueryWriter::set`].
    pub(crate) fn key(self) -> String {
        self.key.get_value()
    }

    /// Sets the value (`None` removes it).
    pub(crate) fn set(self, value: Option<String>) {
        self.writer.set([(self.key(), value)]);
    }

    /// Sets the value in the current step of the history (while someone types).
    pub(crate) fn replace(self, value: Option<String>) {
        self.writer.replace([(self.key(), value)]);
    }
}
