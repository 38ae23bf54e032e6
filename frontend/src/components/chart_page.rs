//! The frame of every chart page: the menu, a title, a range of days, the SVG download, and the
//! chart once loaded (or the login page without a session).

use std::future::Future;

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::ApiFailure;
use crate::app::SessionState;
use crate::components::nav::Nav;

/// A chart over days: `fetch(from, to)` loads its data (`YYYY-MM-DD`, empty for the server's
/// default), `download(from, to)` is where the SVG comes from, `render` draws the data.
#[component]
pub fn ChartPage<T, Fut, V>(
    title: &'static str,
    filename: &'static str,
    fetch: fn(String, String) -> Fut,
    download: fn(&str, &str) -> String,
    render: fn(T) -> V,
) -> impl IntoView
where
    T: Clone + 'static,
    Fut: Future<Output = Result<T, ApiFailure>> + 'static,
    V: IntoView + 'static,
{
    let session = expect_context::<SessionState>();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let data = LocalResource::new(move || {
        let (from, to) = (from.get(), to.get());
        async move {
            session.current().await?;
            fetch(from, to).await
        }
    });
    let href = move || download(&from.get(), &to.get());
    view! {
        <Nav />
        <main>
            <h1>{title}</h1>
            <div class="table-controls">
                <label>"From "<input id="from" type="date" on:change=move |ev| from.set(event_target_value(&ev)) /></label>
                <label>"To "<input id="to" type="date" on:change=move |ev| to.set(event_target_value(&ev)) /></label>
                <a id="download-svg" href=href download=filename>"Download SVG"</a>
            </div>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    data.get()
                        .map(|result| match result {
                            Ok(data) => render(data).into_any(),
                            Err(ApiFailure::Unauthorized(_)) => view! { <Redirect path="/login" /> }.into_any(),
                            Err(failure) => view! { <p class="error">{failure.message()}</p> }.into_any(),
                        })
                }}
            </Suspense>
        </main>
    }
}
