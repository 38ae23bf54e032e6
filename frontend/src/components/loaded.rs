//! What every page shows around data it loads from the API.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::ApiFailure;
use crate::components::live::Live;

/// Data loaded from the API that loads again at every refresh of the page ([`Live`]).
pub(crate) fn live_resource<T, Fut>(
    load: impl Fn() -> Fut + 'static,
) -> LocalResource<Result<T, ApiFailure>>
where
    T: 'static,
    Fut: Future<Output = Result<T, ApiFailure>> + 'static,
{
    LocalResource::new(move || {
        Live::track();
        load()
    })
}

/// Shows `resource` through `ok` once it has loaded; "Loading…" until then, the login page when
/// the session has ended, and the error otherwise. A reload that answers what is already shown
/// leaves the page as it is (its scroll position, open details and focus), and one that answers
/// something new replaces the view without going through "Loading…".
#[component]
pub(crate) fn Loaded<T, F, V>(
    /// The data, as the API answered.
    resource: LocalResource<Result<T, ApiFailure>>,
    /// The view of the data.
    ok: F,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let latest = Memo::new(move |_| resource.get());
    move || match latest.get() {
        None => view! { <p class="loading">"Loading…"</p> }.into_any(),
        Some(Ok(value)) => untrack(|| ok(value).into_any()),
        Some(Err(ApiFailure::Unauthorized(_))) => view! { <Redirect path="/login" /> }.into_any(),
        Some(Err(failure)) => view! { <p class="error">{failure.message()}</p> }.into_any(),
    }
}
