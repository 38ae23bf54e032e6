//! Light and dark: the page follows the system's setting until the reader picks one with the
//! switch, which is remembered in the browser (`localStorage`). The colours themselves are the
//! style sheet's (`data-theme` on `<html>`).

use dashboard_shared::dom;
use dashboard_shared::pages::Theme;
use leptos::prelude::*;

/// The reader's choice if one is remembered, else the system's setting.
fn current() -> Theme {
    let stored = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|storage| storage.get_item(Theme::STORAGE_KEY).ok().flatten());
    match stored.as_deref().and_then(Theme::named) {
        Some(theme) => theme,
        None if system_prefers_dark() => Theme::Dark,
        None => Theme::Light,
    }
}

/// Shows the page in `theme` and, if `remember`, remembers the choice.
fn apply(theme: Theme, remember: bool) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", theme.name());
    }
    if remember && let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(Theme::STORAGE_KEY, theme.name());
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
    apply(current(), false);
}

/// The light/dark switch.
#[component]
pub(crate) fn ThemeToggle() -> impl IntoView {
    let theme = RwSignal::new(current());
    let toggle = move |_| {
        let next = match theme.get_untracked() {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        };
        apply(next, true);
        theme.set(next);
    };
    view! {
        <button id=dom::THEME_TOGGLE type="button" aria-pressed=move || (theme.get() == Theme::Dark).to_string()
            on:click=toggle>
            "Dark mode"
        </button>
    }
}
