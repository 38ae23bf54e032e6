//! Account management for admins: the list, a form to add an account, role changes and
//! deletion. Every control that changes something carries `data-action`.

use dashboard_shared::dom;
use dashboard_shared::{NewUser, Role, UserInfo, UserUpdate};
use leptos::prelude::*;

use crate::components::scroll_table::ScrollTable;
use leptos::task::spawn_local;

use crate::api;
use crate::app::SessionState;

/// The accounts and the controls to change them.
#[component]
pub(crate) fn UserManagement() -> impl IntoView {
    let session = expect_context::<SessionState>();
    let version = RwSignal::new(0u32);
    let message = RwSignal::new(None::<String>);
    let users = LocalResource::new(move || {
        version.track();
        api::users()
    });
    // Runs a change with the session's CSRF token, then reloads the list.
    let change = move |action: Change| {
        spawn_local(async move {
            let result = session.with_csrf(action).await;
            message.set(result.err().map(|failure| failure.message()));
            version.update(|v| *v += 1);
        });
    };
    view! {
        <section class="card">
            <h2>"Accounts"</h2>
            <p class="error" id=dom::USERS_ERROR>{move || message.get()}</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    users
                        .get()
                        .map(|result| match result {
                            Ok(users) => view! { <UserTable users change /> }.into_any(),
                            Err(failure) => view! { <p class="error">{failure.message()}</p> }.into_any(),
                        })
                }}
            </Suspense>
            <NewUserForm change />
        </section>
    }
}

/// What the user components call to change something.
type Change =
    Box<dyn FnOnce(String) -> std::pin::Pin<Box<dyn Future<Output = Result<(), api::ApiFailure>>>>>;

#[component]
fn UserTable(users: Vec<UserInfo>, change: impl Fn(Change) + Copy + 'static) -> impl IntoView {
    let SessionState(session) = expect_context::<SessionState>();
    let me = session
        .get_untracked()
        .map(|s| s.username)
        .unwrap_or_default();
    let rows = users
        .into_iter()
        .map(|user| {
            let id = user.id;
            let own = user.username == me;
            let other_role = match user.role {
                Role::Admin => Role::Guest,
                Role::Guest => Role::Admin,
            };
            let toggle = move |_| {
                change(Box::new(move |csrf| {
                    Box::pin(async move {
                        let update = UserUpdate { role: Some(other_role), ..UserUpdate::default() };
                        api::update_user(&csrf, id, &update).await.map(drop)
                    })
                }))
            };
            let delete = move |_| change(Box::new(move |csrf| Box::pin(async move { api::delete_user(&csrf, id).await })));
            view! {
                <tr data-user=user.username.clone()>
                    <td class="username">{user.username.clone()}</td>
                    <td class="role">{user.role.as_str()}</td>
                    <td>{user.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}</td>
                    <td>
                        {(!own).then(|| view! {
                            <button data-action="toggle-role" on:click=toggle>{format!("Make {}", other_role.as_str())}</button>
                            <button data-action="delete-user" on:click=delete>"Delete"</button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ScrollTable>
            <table id=dom::USERS>
                <thead><tr><th>"Username"</th><th>"Role"</th><th>"Created"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
    }
}

#[component]
fn NewUserForm(change: impl Fn(Change) + Copy + 'static) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let role = RwSignal::new("guest".to_owned());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let user = NewUser {
            username: username.get_untracked(),
            password: password.get_untracked(),
            password_repeat: repeat.get_untracked(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::Guest),
        };
        change(Box::new(move |csrf| {
            Box::pin(async move { api::create_user(&csrf, &user).await.map(drop) })
        }));
        username.set(String::new());
        password.set(String::new());
        repeat.set(String::new());
    };
    view! {
        <form id=dom::NEW_USER class="inline-form" on:submit=submit>
            <h3>"Add an account"</h3>
            <input id=dom::NEW_USERNAME placeholder="username" bind:value=username />
            <input id=dom::NEW_PASSWORD type="password" placeholder="password (8+ characters)" bind:value=password />
            <input id=dom::NEW_PASSWORD_REPEAT type="password" placeholder="password again" bind:value=repeat />
            <select id=dom::NEW_ROLE aria-label="Role of the new account" bind:value=role>
                <option value="guest">"guest"</option>
                <option value="admin">"admin"</option>
            </select>
            <button id=dom::CREATE_USER data-action="create-user" type="submit">"Add"</button>
        </form>
    }
}
