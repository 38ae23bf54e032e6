//! One module per page.

pub mod configuration;
pub mod login;
pub mod overview;
