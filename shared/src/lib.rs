//! Types that the dashboard's backend and frontend exchange as JSON, and the paths they use.
//!
//! Everything under the REST API speaks in these types, so that the two sides cannot drift apart.

pub mod alerts;
pub mod api;
pub mod calls;
#[cfg(feature = "charts")]
pub mod charts;
pub mod dom;
pub mod dto;
pub mod flame;
pub mod incidents;
pub mod page_query;
pub mod pages;
pub mod profiles;
pub mod query;
pub mod scheduled;
pub mod servers;
pub mod sunburst;
pub mod views;

pub use calls::*;
pub use dto::*;
pub use incidents::*;
pub use profiles::*;
pub use query::*;
pub use scheduled::*;
pub use servers::*;
pub use views::*;
