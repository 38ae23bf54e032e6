//! Pieces shared by pages.

pub mod chart_page;
pub mod nav;
pub mod users;
