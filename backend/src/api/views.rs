//! The one boundary where the store's domain rows become the `dashboard-shared` DTOs that the
//! API answers with (and the CLI's export writes): ids widen to `i64`, levels and status codes
//! narrow to their wire types, medians come from the latency histograms.

use dashboard_shared::{EndpointDetails, ExportedEndpoint, ExportedRequest, OverviewRow};

use crate::histogram;
use crate::store::endpoint::EndpointFacts;
use crate::store::export::{EndpointRule, RequestRow};
use crate::store::overview::EndpointActivity;

/// An exported (or failed) request.
pub(crate) fn exported_request(row: RequestRow) -> ExportedRequest {
    ExportedRequest {
        id: row.id,
        endpoint: row.name,
        duration_ms: row.duration_ms,
        time_requested: row.time_requested,
        version_requested: row.version_requested,
        group_by: row.group_by,
        ip: row.ip,
        status_code: u16::try_from(row.status_code).unwrap_or(0),
    }
}

/// An endpoint's monitoring rule in the export.
pub(super) fn exported_endpoint(rule: EndpointRule) -> ExportedEndpoint {
    ExportedEndpoint {
        name: rule.name,
        monitor_level: u8::try_from(rule.monitor_level).unwrap_or(1),
        time_added: rule.time_added,
        version_added: rule.version_added,
        last_requested: rule.last_requested,
    }
}

/// The endpoint page's details card.
pub(super) fn endpoint_details(facts: EndpointFacts) -> EndpointDetails {
    EndpointDetails {
        id: i64::from(facts.id),
        name: facts.name,
        route: facts.route,
        methods: facts.methods,
        monitor_level: u8::try_from(facts.monitor_level).unwrap_or(0),
        total_hits: facts.total_hits,
        time_added: facts.time_added,
        version_added: facts.version_added,
        last_requested: facts.last_requested,
    }
}

/// The overview's row of one endpoint: its medians from its latency histograms.
pub(super) fn overview_row(endpoint: EndpointActivity) -> OverviewRow {
    let median = |buckets: &[(i32, u64)]| histogram::quantile(buckets, 0.5);
    OverviewRow {
        id: i64::from(endpoint.id),
        monitor_level: u8::try_from(endpoint.monitor_level).unwrap_or(1),
        hits_today: endpoint.hits.today,
        hits_week: endpoint.hits.week,
        hits_overall: endpoint.hits.overall,
        errors_today: endpoint.errors.today,
        errors_week: endpoint.errors.week,
        errors_overall: endpoint.errors.overall,
        median_today_ms: median(&endpoint.latency.today),
        median_week_ms: median(&endpoint.latency.week),
        median_overall_ms: median(&endpoint.latency.overall),
        last_requested: endpoint.last_requested,
        name: endpoint.name,
        method: endpoint.method,
        route: endpoint.route,
    }
}
