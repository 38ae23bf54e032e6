//! The top bar: the dashboard's name, the menu (behind a button on narrow screens), the
//! refresh's pause button, the light/dark switch, and the session with a logout button.

use dashboard_shared::Role;
use dashboard_shared::dom;
use dashboard_shared::pages::Page;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::app::SessionState;
use crate::components::live::LiveToggle;
use crate::components::theme::ThemeToggle;

/// The top bar.
#[component]
pub(crate) fn Nav() -> impl IntoView {
    let SessionState(session) = expect_context::<SessionState>();
    let navigate = use_navigate();
    let logout = move |_| {
        let navigate = navigate.clone();
        let csrf = session
            .get_untracked()
            .map(|s| s.csrf_token)
            .unwrap_or_default();
        spawn_local(async move {
            // Whatever the answer, the session is over for this page.
            let _ = api::logout(&csrf).await;
            session.set(None);
            navigate("/login", Default::default());
        });
    };
    // The database page is for admins only.
    let is_admin = move || session.with(|s| s.as_ref().is_some_and(|s| s.role == Role::Admin));
    // `<A>` does not add the router's base; the links carry it themselves.
    let base = api::base_path();
    let links = Page::MENU
        .into_iter()
        .map(|page| {
            let href = format!("{base}{}", page.path());
            let shown = move || page != Page::Database || is_admin();
            view! { <Show when=shown><A href=href.clone()>{page.title()}</A></Show> }
        })
        .collect_view();
    let open = RwSignal::new(false);
    view! {
        <nav aria-label="Dashboard">
            <span class="brand">"Monitoring dashboard"</span>
            <button id=dom::MENU_TOGGLE class="menu-toggle" type="button" aria-controls=dom::MENU
                aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|open| *open = !*open)>
                "Menu"
            </button>
            <div id=dom::MENU class="menu" class:open=move || open.get()>
            {links}
            <span class="spacer"></span>
            <LiveToggle />
            <ThemeToggle />
            <span id=dom::WHOAMI>{move || session.get().map(|s| format!("{} ({})", s.username, s.role.as_str()))}</span>
            <button id=dom::LOGOUT type="button" on:click=logout>"Log out"</button>
            </div>
        </nav>
    }
}
