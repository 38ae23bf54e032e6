//! Pieces shared by pages.

pub mod nav;
