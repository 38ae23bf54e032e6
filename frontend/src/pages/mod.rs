//! One module per page.

pub mod configuration;
pub mod hourly_load;
pub mod login;
pub mod overview;
