//! Parts shared by several pages.

pub mod chart;
pub mod chart_page;
pub mod context;
pub mod figures;
pub mod id_page;
pub mod level_buttons;
pub mod loaded;
pub mod nav;
pub mod pager;
pub mod sunburst;
pub mod users;
