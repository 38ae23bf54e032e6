//! Pieces shared by pages.

pub mod day_range;
pub mod nav;
pub mod users;
