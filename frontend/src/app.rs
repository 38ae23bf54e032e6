//! The router and the session shared by every page.

use dashboard_shared::SessionInfo;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api;
use crate::pages::{login::LoginPage, overview::OverviewPage};

/// The logged-in session, once known; pages read its CSRF token for changes.
#[derive(Clone, Copy)]
pub struct SessionState(pub RwSignal<Option<SessionInfo>>);

/// The whole app, mounted on `<body>`.
#[component]
pub fn App() -> impl IntoView {
    provide_context(SessionState(RwSignal::new(None)));
    view! {
        <Router base=api::base_path()>
            <Routes fallback=|| view! { <main><p>"No such page."</p></main> }>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/") view=OverviewPage />
                <Route path=path!("/overview") view=OverviewPage />
            </Routes>
        </Router>
    }
}
