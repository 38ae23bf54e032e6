//! The buttons that set an endpoint's monitoring level (admins only).

use dashboard_shared::EndpointLevel;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::app::SessionState;

/// Buttons 0–3 with the current level active; a click stores the level and reports the stored
/// one to `changed`, or what went wrong to `failed`.
#[component]
pub(crate) fn LevelButtons(
    id: i64,
    current: u8,
    #[prop(into)] changed: Callback<u8>,
    #[prop(into)] failed: Callback<String>,
) -> impl IntoView {
    let session = expect_context::<SessionState>();
    let set_level = move |level: u8| {
        spawn_local(async move {
            let result = session
                .with_csrf(|token| async move {
                    api::set_level(&token, id, EndpointLevel { level }).await
                })
                .await;
            match result {
                Ok(stored) => changed.run(stored.level),
                Err(failure) => failed.run(failure.message()),
            }
        });
    };
    (0..=3u8)
        .map(|level| {
            let class = if level == current {
                "level-button active"
            } else {
                "level-button"
            };
            view! {
                <button class=class data-action="set-level" data-level=level on:click=move |_| set_level(level)>
                    {level}
                </button>
            }
        })
        .collect_view()
}
