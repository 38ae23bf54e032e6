//! A table wider than its card scrolls inside the card, never the page; the scrolling box can
//! be focused, so that keyboard readers can scroll it too.

use leptos::prelude::*;

/// The table in `children`, scrolling sideways inside its card when it must.
#[component]
pub(crate) fn ScrollTable(children: Children) -> impl IntoView {
    view! { <div class="table-wrap" tabindex="0">{children()}</div> }
}
