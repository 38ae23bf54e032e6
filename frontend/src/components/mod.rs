//! Parts shared by several pages.

pub(crate) mod calls;
pub(crate) mod chart;
pub(crate) mod chart_page;
pub(crate) mod chart_svg;
pub(crate) mod context;
pub(crate) mod disclosure;
pub(crate) mod endpoint_select;
pub(crate) mod figures;
pub(crate) mod flame;
pub(crate) mod id_page;
pub(crate) mod instance_select;
pub(crate) mod level_buttons;
pub(crate) mod live;
pub(crate) mod loaded;
pub(crate) mod nav;
pub(crate) mod pager;
pub(crate) mod scroll_table;
pub(crate) mod sparkline;
pub(crate) mod summary;
pub(crate) mod sunburst;
pub(crate) mod theme;
pub(crate) mod url_state;
pub(crate) mod users;
