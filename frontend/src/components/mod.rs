//! Pieces shared by pages.

pub mod nav;
pub mod users;
