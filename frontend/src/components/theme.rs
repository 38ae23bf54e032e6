//! Light and dark: the page follows the system's setting until the reader picks one with the
//! switch, which is remembered in the browser (`localStorage`). The colours themselves are the
//! style sheet's (`data-theme` on `<html>`).

use dashboard_shared::dom;
use leptos::prelude::*;

/// Where the reader's choice is remembered.
const STORAGE_KEY: &str = "dashboard-theme";

/// A theme the reader can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Theme {
    Light,
    Dark,
}

impl Theme {
    fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The reader's choice if one is remembered, else the system's setting.
    fn current() -> Self {
        let stored = window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten());
        match stored.as_deref() {
            Some("dark") => Theme::Dark,
            Some("light") => Theme::Light,
            _ if system_prefers_dark() => Theme::Dark,
            _ => Theme::Light,
        }
    }

    /// Shows the page in this theme and remembers the choice.
    fn apply(self, remember: bool) {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", self.name());
        }
        if remember && let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(STORAGE_KEY, self.name());
        }
    }
}

fn system_prefers_dark() -> bool {
    window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|query| query.matches())
}

/// Shows the app in the remembered theme, or the system's.
pub(crate) fn show_current() {
    Theme::current().apply(false);
}

/// The light/dark switch.
#[component]
pub(crate) fn ThemeToggle() -> impl IntoView {
    let theme = RwSignal::new(Theme::current());
    let toggle = move |_| {
        let next = match theme.get_untracked() {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        };
        next.apply(true);
        theme.set(next);
    };
    view! {
        <button id=dom::THEME_TOGGLE type="button" aria-pressed=move || (theme.get() == Theme::Dark).to_string()
            on:click=toggle>
            "Dark mode"
        </button>
    }
}
