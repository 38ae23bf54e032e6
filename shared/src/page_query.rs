//! The keys of the dashboard pages' URL queries: every choice a page offers (range of days,
//! versions, filters, sort, page, zoom) lives in its address under one of these keys, so that a
//! link shows a colleague the same view. One constant each, for the frontend that reads and
//! writes them and the browser tests that build such links.

/// First day of the range (`YYYY-MM-DD`).
pub const FROM: &str = "from";
/// Last day of the range (`YYYY-MM-DD`).
pub const TO: &str = "to";
/// The last this many hours instead of a range of days, where the page's data has hours.
pub const HOURS: &str = "hours";
/// Text searched for in the names of a table's rows.
pub const SEARCH: &str = "search";
/// Route prefix that a table's rows must start with.
pub const PREFIX: &str = "prefix";
/// The column a table is sorted by, with `-` in front when descending.
pub const SORT: &str = "sort";
/// Page of a table, from 1.
pub const PAGE: &str = "page";
/// Rows per page.
pub const PAGE_SIZE: &str = "per-page";
/// The path a profile view is zoomed into (the index of its line).
pub const ZOOM: &str = "zoom";
/// The grouped profile's view shown, a [`ProfileView`] by name.
pub const PROFILE_VIEW: &str = "view";
/// Text highlighted in a flame graph.
pub const FIND: &str = "find";
/// The version a profile diff starts from.
pub const BASELINE: &str = "baseline";
/// The version a profile diff compares with the baseline.
pub const VERSION: &str = "version";
/// The report asked for, as the JSON of its `ReportRequest`.
pub const REPORT: &str = "report";
/// Present (`1`) when a report shows only its significant changes.
pub const SIGNIFICANT: &str = "significant";
/// The cursors of the pages of an endpoint's failed requests after the first, comma-separated.
pub const FAILED: &str = "failed";
/// The exception group whose detail is open.
pub const EXCEPTION: &str = "exception";
/// The endpoint an exception list is limited to.
pub const ENDPOINT: &str = "endpoint";
/// The instance (a `Server::id`) the overview and the charts are limited to.
pub const INSTANCE: &str = "instance";

/// The views of a grouped profile beside its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileView {
    /// Rings by depth (the default).
    Sunburst,
    /// The icicle.
    Flame,
    /// The flame graph coloured by the change against a baseline version.
    Diff,
}

impl ProfileView {
    /// Every view, in the order of their buttons.
    pub const ALL: [ProfileView; 3] =
        [ProfileView::Sunburst, ProfileView::Flame, ProfileView::Diff];

    /// Its name in the address and in the buttons' `data-view`.
    pub fn name(self) -> &'static str {
        match self {
            ProfileView::Sunburst => "sunburst",
            ProfileView::Flame => "flame",
            ProfileView::Diff => "diff",
        }
    }

    /// The view named `name`, the sunburst for any other.
    pub fn named(name: Option<&str>) -> Self {
        ProfileView::ALL
            .into_iter()
            .find(|view| Some(view.name()) == name)
            .unwrap_or(ProfileView::Sunburst)
    }
}

/// A chart card's own choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The versions it compares.
    Versions,
    /// The users or addresses it compares.
    Callers,
    /// The endpoints it shows.
    Endpoints,
}

impl Choice {
    /// The key of this choice of the card named `card`: `{card}.{choice}`, comma-separated
    /// values.
    pub fn key(self, card: &str) -> String {
        let choice = match self {
            Choice::Versions => "versions",
            Choice::Callers => "callers",
            Choice::Endpoints => "endpoints",
        };
        format!("{card}.{choice}")
    }
}
