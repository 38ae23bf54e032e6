//! The configuration page: the deployment's details for everyone, account management for
//! admins.

use dashboard_shared::dom;
use dashboard_shared::{DeploymentDetails, Role};
use leptos::prelude::*;

use crate::api::{self, ApiFailure};
use crate::app::SessionState;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::nav::Nav;
use crate::components::users::UserManagement;

/// Details and, for admins, the accounts.
#[component]
pub(crate) fn ConfigurationPage() -> impl IntoView {
    let session = expect_context::<SessionState>();
    let details = live_resource(move || async move {
        let me = session.current().await?;
        Ok::<_, ApiFailure>((me.role, api::deployment().await?))
    });
    view! {
        <Nav />
        <main>
            <h1>"Configuration"</h1>
            <Loaded resource=details ok={move |(role, details)| view! {
                    <Details details />
                    {(role == Role::Admin).then(|| view! { <UserManagement /> })}
                }
                .into_any()} />
        </main>
    }
}

/// The deployment's facts as a definition list.
#[component]
fn Details(details: DeploymentDetails) -> impl IntoView {
    let first = details.first_request.map_or_else(
        || "none yet".to_owned(),
        |time| {
            format!(
                "{} (version {})",
                time.format("%Y-%m-%d %H:%M:%S UTC"),
                details.first_request_version.clone().unwrap_or_default()
            )
        },
    );
    let rows = [
        (
            "dashboard-version",
            "Dashboard version",
            details.dashboard_version,
        ),
        ("app-version", "Application version", details.app_version),
        ("first-request", "First request", first),
        (
            "total-requests",
            "Requests recorded",
            details.total_requests.to_string(),
        ),
        ("database", "Database", details.database_backend),
        ("table-prefix", "Table prefix", details.table_prefix),
        (
            "monitor-level",
            "Level of new endpoints",
            details.monitor_level.to_string(),
        ),
        (
            "sampling-period",
            "Sampling period",
            format!("{} ms", details.sampling_period_ms),
        ),
        (
            "outlier-constant",
            "Outlier detection constant",
            details.outlier_detection_constant.to_string(),
        ),
        ("timezone", "Time zone", details.timezone),
        (
            "export",
            "Export API",
            if details.export_enabled {
                "enabled".to_owned()
            } else {
                "disabled".to_owned()
            },
        ),
    ];
    view! {
        <section class="card">
            <h2>"Deployment"</h2>
            <dl id=dom::DEPLOYMENT>
                {rows
                    .into_iter()
                    .map(|(id, label, value)| view! { <dt>{label}</dt><dd id=id>{value}</dd> })
                    .collect_view()}
            </dl>
        </section>
    }
}
