//! The login page.

use dashboard_shared::dom;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::app::SessionState;

/// A username and password form; on success, goes to the overview.
#[component]
pub(crate) fn LoginPage() -> impl IntoView {
    let SessionState(session) = expect_context::<SessionState>();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let navigate = navigate.clone();
        busy.set(true);
        spawn_local(async move {
            match api::login(username.get_untracked(), password.get_untracked()).await {
                Ok(info) => {
                    session.set(Some(info));
                    navigate("/overview", Default::default());
                }
                Err(failure) => error.set(Some(failure.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <main>
            <form class="card login" on:submit=submit>
                <h1>"Log in"</h1>
                <label for="username">"Username"</label>
                <input id=dom::USERNAME name="username" autocomplete="username" bind:value=username />
                <label for="password">"Password"</label>
                <input id=dom::PASSWORD name="password" type="password" autocomplete="current-password" bind:value=password />
                <button id=dom::LOGIN type="submit" disabled=move || busy.get()>"Log in"</button>
                <p class="error" id=dom::LOGIN_ERROR>{move || error.get()}</p>
            </form>
        </main>
    }
}
