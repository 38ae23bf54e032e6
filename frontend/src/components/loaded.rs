//! What every page shows around data it loads from the API.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::ApiFailure;

/// Shows `resource` through `ok` once it has loaded; "Loading…" meanwhile, the login page when
/// the session has ended, and the error otherwise.
#[component]
pub(crate) fn Loaded<T, F, V>(
    /// The data, as the API answered.
    resource: LocalResource<Result<T, ApiFailure>>,
    /// The view of the data.
    ok: F,
) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                resource.get().map(|result| match result {
                    Ok(value) => ok(value).into_any(),
                    Err(ApiFailure::Unauthorized(_)) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(failure) => view! { <p class="error">{failure.message()}</p> }.into_any(),
                })
            }}
        </Suspense>
    }
}
