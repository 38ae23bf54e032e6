//! Pages that keep themselves current: every [`REFRESH`] while the tab is visible (and at once
//! when it becomes visible again) the data of the page is loaded anew, unless the reader has
//! paused it. [`crate::components::loaded::Loaded`] redraws only data that changed, so a refresh
//! that finds nothing new touches nothing on the page.

use std::time::Duration;

use dashboard_shared::dom;
use leptos::ev;
use leptos::prelude::*;

/// How often a visible page loads its data again.
pub(crate) const REFRESH: Duration = Duration::from_secs(dashboard_shared::pages::REFRESH_SECONDS);

/// The refresh clock shared by every page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Live {
    tick: RwSignal<u64>,
    paused: RwSignal<bool>,
}

impl Live {
    /// Starts the clock for the whole app.
    pub(crate) fn provide() {
        let live = Live {
            tick: RwSignal::new(0),
            paused: RwSignal::new(false),
        };
        let refresh = move || {
            if !live.paused.get_untracked() && !document().hidden() {
                live.tick.update(|tick| *tick += 1);
            }
        };
        // The app lives as long as the tab: the interval and the listener are never removed.
        let _ = set_interval_with_handle(refresh, REFRESH);
        let handle = window_event_listener(ev::visibilitychange, move |_| refresh());
        std::mem::forget(handle);
        provide_context(live);
    }

    /// Makes the calling resource load again at every refresh.
    pub(crate) fn track() {
        if let Some(live) = use_context::<Live>() {
            live.tick.track();
        }
    }
}

/// The button that pauses and resumes the refresh.
#[component]
pub(crate) fn LiveToggle() -> impl IntoView {
    let live = expect_context::<Live>();
    let label = move || {
        if live.paused.get() {
            "Resume updates"
        } else {
            "Pause updates"
        }
    };
    view! {
        <button id=dom::LIVE_TOGGLE type="button" aria-pressed=move || live.paused.get().to_string()
            title=format!("Pages reload their data every {} s while visible", REFRESH.as_secs())
            on:click=move |_| live.paused.update(|paused| *paused = !*paused)>
            {label}
        </button>
    }
}
