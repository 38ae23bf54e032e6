//! "‹ Newer" and "Older ›" buttons for lists paged by offset, newest first; the page is kept in
//! the URL's query like every choice.

use dashboard_shared::page_query;
use leptos::prelude::*;

use crate::components::url_state::UrlParam;

/// The first item shown of a list of `per_page` items a page, from the URL's `page` (from 1).
#[derive(Clone, Copy)]
pub(crate) struct PageOffset {
    page: UrlParam,
    per_page: u64,
}

impl PageOffset {
    /// The offset of pages of `per_page` items.
    pub(crate) fn new(per_page: u64) -> Self {
        PageOffset {
            page: UrlParam::new(page_query::PAGE),
            per_page,
        }
    }

    /// The first item shown (tracked).
    pub(crate) fn get(self) -> u64 {
        self.offset_of(self.page.parsed::<u64>())
    }

    /// The first item shown (untracked).
    fn get_untracked(self) -> u64 {
        untrack(|| self.get())
    }

    fn offset_of(self, page: Option<u64>) -> u64 {
        (page.unwrap_or(1).max(1) - 1).saturating_mul(self.per_page)
    }

    /// Shows the page that starts at `offset`.
    pub(crate) fn set(self, offset: u64) {
        let page = offset / self.per_page.max(1) + 1;
        self.page.set((page > 1).then(|| page.to_string()));
    }
}

/// Moves `offset` a page at a time through `total` items; the buttons are `#{name}-newer` and
/// `#{name}-older`, the range shown `#{name}-page`.
#[component]
pub(crate) fn Pager(
    /// The prefix of the elements' ids.
    name: &'static str,
    /// The first item shown.
    offset: PageOffset,
    /// Items in all.
    total: u64,
) -> impl IntoView {
    let shown = offset.get_untracked();
    let page = offset.per_page;
    view! {
        <div class="table-controls">
            <button type="button" id=format!("{name}-newer") disabled={shown == 0}
                on:click=move |_| offset.set(shown.saturating_sub(page))>"‹ Newer"</button>
            <span id=format!("{name}-page")>{format!("{}–{} of {total}", (shown + 1).min(total), (shown + page).min(total))}</span>
            <button type="button" id=format!("{name}-older") disabled={shown + page >= total}
                on:click=move |_| offset.set(shown + page)>"Older ›"</button>
        </div>
    }
}
