//! Details that stay open: a page that refreshes redraws its cards when their data changes, and
//! a `<details>` the reader opened must not close under them. Which are open is remembered per
//! key while the app runs.

use std::collections::HashSet;

use leptos::ev::Event;
use leptos::prelude::*;
use web_sys::HtmlDetailsElement;

/// The keys of the open details.
#[derive(Clone, Copy)]
pub(crate) struct OpenDetails(RwSignal<HashSet<String>>);

impl OpenDetails {
    /// Starts with every details closed.
    pub(crate) fn provide() {
        provide_context(OpenDetails(RwSignal::new(HashSet::new())));
    }
}

/// A `<details>` with `summary`, open as long as the reader keeps it open (`key` names it).
#[component]
pub(crate) fn Disclosure(
    #[prop(into)] key: String,
    #[prop(into)] summary: String,
    children: Children,
) -> impl IntoView {
    let OpenDetails(open) = expect_context::<OpenDetails>();
    let key = StoredValue::new(key);
    let is_open = move || key.with_value(|key| open.with(|open| open.contains(key)));
    let toggled = move |event: Event| {
        let now_open = event_target::<HtmlDetailsElement>(&event).open();
        if now_open != is_open() {
            open.update(|open| {
                let key = key.get_value();
                if now_open {
                    open.insert(key);
                } else {
                    open.remove(&key);
                }
            });
        }
    };
    view! {
        <details prop:open=is_open on:toggle=toggled>
            <summary>{summary}</summary>
            {children()}
        </details>
    }
}
