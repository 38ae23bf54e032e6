//! "‹ Newer" and "Older ›" buttons for lists paged by offset, newest first.

use leptos::prelude::*;

/// Moves `offset` a page at a time through `total` items; the buttons are `#{name}-newer` and
/// `#{name}-older`, the range shown `#{name}-page`.
#[component]
pub(crate) fn Pager(
    /// The prefix of the elements' ids.
    name: &'static str,
    /// The first item shown.
    offset: RwSignal<u64>,
    /// Items per page.
    page: u64,
    /// Items in all.
    total: u64,
) -> impl IntoView {
    let shown = offset.get_untracked();
    view! {
        <div class="table-controls">
            <button id=format!("{name}-newer") disabled={shown == 0}
                on:click=move |_| offset.update(|o| *o = o.saturating_sub(page))>"‹ Newer"</button>
            <span id=format!("{name}-page")>{format!("{}–{} of {total}", (shown + 1).min(total), (shown + page).min(total))}</span>
            <button id=format!("{name}-older") disabled={shown + page >= total}
                on:click=move |_| offset.update(|o| *o += page)>"Older ›"</button>
        </div>
    }
}
