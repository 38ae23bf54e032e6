//! The dashboard's browser app: Leptos, rendered on the client, built by Trunk.

// Leptos's `#[component]` expands a `pub(crate) fn` into a `pub` props struct and builder, which
// `unreachable_pub` reports on the component; everything written by hand here is `pub(crate)`.
#![allow(unreachable_pub)]

mod api;
mod app;
mod components;
mod pages;
mod time;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
