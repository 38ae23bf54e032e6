//! The router and the session shared by every page.

use dashboard_shared::SessionInfo;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api::{self, ApiFailure};
use crate::components::disclosure::OpenDetails;
use crate::components::live::Live;
use crate::components::theme;
use crate::pages::alerts::AlertsPage;
use crate::pages::api_performance::ApiPerformancePage;
use crate::pages::custom_graphs::CustomGraphsPage;
use crate::pages::daily_utilization::DailyUtilizationPage;
use crate::pages::database::DatabasePage;
use crate::pages::dependencies::{OutgoingCallsPage, QueriesPage};
use crate::pages::endpoint::EndpointPage;
use crate::pages::exceptions::ExceptionsPage;
use crate::pages::grouped_profiler::GroupedProfilerPage;
use crate::pages::multi_version::MultiVersionPage;
use crate::pages::outliers::OutliersPage;
use crate::pages::profiler::ProfilerPage;
use crate::pages::reports::ReportsPage;
use crate::pages::servers::ServersPage;
use crate::pages::{
    configuration::ConfigurationPage, hourly_load::HourlyLoadPage, login::LoginPage,
    overview::OverviewPage,
};

/// The logged-in session, once known; pages read its CSRF token for changes.
#[derive(Clone, Copy)]
pub(crate) struct SessionState(pub RwSignal<Option<SessionInfo>>);

impl SessionState {
    /// The session, asking the API when this page does not know it yet.
    pub(crate) async fn current(self) -> Result<SessionInfo, ApiFailure> {
        if let Some(session) = self.0.get_untracked() {
            return Ok(session);
        }
        let session = api::me().await?;
        self.0.set(Some(session.clone()));
        Ok(session)
    }

    /// Runs `change` with the session's CSRF token, which every change the API guards needs.
    pub(crate) async fn with_csrf<T, Change>(
        self,
        change: impl FnOnce(String) -> Change,
    ) -> Result<T, ApiFailure>
    where
        Change: Future<Output = Result<T, ApiFailure>>,
    {
        let me = self.current().await?;
        change(me.csrf_token).await
    }
}

/// The whole app, mounted on `<body>`.
#[component]
pub(crate) fn App() -> impl IntoView {
    provide_context(SessionState(RwSignal::new(None)));
    Live::provide();
    OpenDetails::provide();
    theme::show_current();
    view! {
        <Router base=api::base_path()>
            <Routes fallback=|| view! { <main><p>"No such page."</p></main> }>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/") view=OverviewPage />
                <Route path=path!("/overview") view=OverviewPage />
                <Route path=path!("/configuration") view=ConfigurationPage />
                <Route path=path!("/hourly-load") view=HourlyLoadPage />
                <Route path=path!("/api-performance") view=ApiPerformancePage />
                <Route path=path!("/daily-utilization") view=DailyUtilizationPage />
                <Route path=path!("/multi-version") view=MultiVersionPage />
                <Route path=path!("/endpoint/:id") view=EndpointPage />
                <Route path=path!("/endpoint/:id/outliers") view=OutliersPage />
                <Route path=path!("/endpoint/:id/profiler") view=ProfilerPage />
                <Route path=path!("/endpoint/:id/grouped-profiler") view=GroupedProfilerPage />
                <Route path=path!("/exceptions") view=ExceptionsPage />
                <Route path=path!("/queries") view=QueriesPage />
                <Route path=path!("/outgoing-calls") view=OutgoingCallsPage />
                <Route path=path!("/servers") view=ServersPage />
                <Route path=path!("/alerts") view=AlertsPage />
                <Route path=path!("/custom-graphs") view=CustomGraphsPage />
                <Route path=path!("/reports") view=ReportsPage />
                <Route path=path!("/database") view=DatabasePage />
            </Routes>
        </Router>
    }
}
