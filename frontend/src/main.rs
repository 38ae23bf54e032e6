//! The dashboard's browser app: Leptos, rendered on the client, built by Trunk.

mod api;
mod app;
mod components;
mod pages;
mod time;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
