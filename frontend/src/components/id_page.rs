//! Pages about one thing named by the `:id` in their address.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{self as client, ApiFailure};
use crate::app::SessionState;
use crate::components::nav::Nav;

/// What a page about endpoint `id` shows first, with its `data`: the viewer's time zone and the
/// endpoint's name.
pub(crate) async fn with_endpoint<T>(
    session: SessionState,
    id: i64,
    data: impl Future<Output = Result<T, ApiFailure>>,
) -> Result<(String, String, T), ApiFailure> {
    let me = session.current().await?;
    let endpoint = client::endpoint(id).await?;
    Ok((me.timezone, endpoint.name, data.await?))
}

/// The menu, then `content` for the address's id, or a message when it holds none.
#[component]
pub(crate) fn IdPage<F, V>(
    /// What the id names, for the message.
    what: &'static str,
    /// The page for an id.
    content: F,
) -> impl IntoView
where
    F: Fn(i64) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    view! {
        <Nav />
        <main>
            {move || match id() {
                Some(id) => content(id).into_any(),
                None => view! { <p class="error">{format!("No such {what}.")}</p> }.into_any(),
            }}
        </main>
    }
}
