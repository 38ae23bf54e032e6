//! The database page (admins): the size of the database and of each table, their rows, what
//! the retention keeps and when it next prunes, and a button to prune now.

use dashboard_shared::dom;
use dashboard_shared::{DatabaseInfo, PruneResult, RetentionInfo};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiFailure};
use crate::app::SessionState;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::nav::Nav;
use crate::components::scroll_table::ScrollTable;
use crate::time::local_time;

/// Sizes, retention and the prune button; reloaded after a prune.
#[component]
pub(crate) fn DatabasePage() -> impl IntoView {
    let session = expect_context::<SessionState>();
    let reloads = RwSignal::new(0u32);
    let pruned = RwSignal::new(None::<Result<PruneResult, ApiFailure>>);
    let info = live_resource(move || {
        reloads.track();
        async move {
            let me = session.current().await?;
            Ok::<_, ApiFailure>((me.timezone, api::database().await?))
        }
    });
    let prune = move |_| {
        pruned.set(None);
        spawn_local(async move {
            let result = session
                .with_csrf(|token| async move { api::prune(&token).await })
                .await;
            pruned.set(Some(result));
            reloads.update(|count| *count += 1);
        });
    };
    view! {
        <Nav />
        <main>
            <h1>"Database"</h1>
            <section class="card">
                <div class="card-title">
                    <h2>"Prune"</h2>
                    <span class="spacer"></span>
                    <button id=dom::PRUNE on:click=prune>"Prune now"</button>
                </div>
                <p class="hint">"Deletes now what the retention no longer keeps, a chunk at a time, as the scheduled job does."</p>
                {move || pruned.get().map(|result| view! { <PruneOutcome result /> })}
            </section>
            <Loaded resource=info ok=|(zone, info)| view! { <DatabaseView info zone /> }.into_any() />
        </main>
    }
}

/// What a prune deleted, or why it failed.
#[component]
fn PruneOutcome(result: Result<PruneResult, ApiFailure>) -> impl IntoView {
    match result {
        Ok(pruned) => view! {
            <p id=dom::PRUNE_RESULT data-total=pruned.total() data-requests=pruned.requests>
                {format!("Deleted {} rows: {pruned}.", pruned.total())}
            </p>
        }
        .into_any(),
        Err(failure) => {
            view! { <p class="error" id=dom::PRUNE_RESULT>{failure.message()}</p> }.into_any()
        }
    }
}

/// The sizes and the retention.
#[component]
fn DatabaseView(info: DatabaseInfo, zone: String) -> impl IntoView {
    let rows = info
        .tables
        .iter()
        .map(|table| {
            view! {
                <tr data-table=table.name.clone() data-rows=table.rows data-bytes=table.bytes.unwrap_or_default()>
                    <td>{table.name.clone()}</td>
                    <td>{table.rows}</td>
                    <td>{bytes(table.bytes)}</td>
                </tr>
            }
        })
        .collect_view();
    let total_rows: u64 = info.tables.iter().map(|table| table.rows).sum();
    view! {
        <section class="card">
            <h2>"Size"</h2>
            <dl class="details">
                <dt>"Database"</dt><dd id=dom::DATABASE_BACKEND>{info.backend.clone()}</dd>
                <dt>"Total size"</dt>
                <dd id=dom::DATABASE_TOTAL data-bytes=info.total_bytes.unwrap_or_default()>{bytes(info.total_bytes)}</dd>
                <dt>"Rows"</dt><dd id=dom::DATABASE_ROWS>{total_rows}</dd>
            </dl>
            <ScrollTable>
                <table id=dom::DATABASE_TABLES>
                    <thead><tr><th>"Table"</th><th>"Rows"</th><th>"Size"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollTable>
        </section>
        <section class="card">
            <h2>"Retention"</h2>
            <RetentionView retention=info.retention zone />
        </section>
    }
}

/// What is kept for how long, and when the job prunes next.
#[component]
fn RetentionView(retention: RetentionInfo, zone: String) -> impl IntoView {
    let next_run = retention.next_run.map_or_else(
        || "never".to_owned(),
        |time| format!("{} ({zone})", local_time(time, &zone)),
    );
    view! {
        <dl class="details" id=dom::RETENTION>
            <dt>"Requests"</dt><dd id=dom::RETENTION_REQUESTS>{kept(retention.requests_days)}</dd>
            <dt>"Outliers, profiles, exception occurrences"</dt><dd id=dom::RETENTION_DETAILS>{kept(retention.details_days)}</dd>
            <dt>"Custom graph values"</dt><dd id=dom::RETENTION_GRAPHS>{kept(retention.graphs_days)}</dd>
            <dt>"Rollups"</dt><dd id=dom::RETENTION_ROLLUPS>{kept(retention.rollups_days)}</dd>
            <dt>"Schedule"</dt><dd id=dom::RETENTION_SCHEDULE><code>{retention.schedule}</code>" (cron with seconds, UTC)"</dd>
            <dt>"Next run"</dt><dd id=dom::RETENTION_NEXT_RUN>{next_run}</dd>
        </dl>
    }
}

/// A retention: `90 days`, `12 hours`, `for ever`.
fn kept(days: Option<f64>) -> String {
    match days {
        None => "for ever".to_owned(),
        Some(days) if days >= 1.0 && days.fract() == 0.0 => format!("{days} days"),
        Some(days) => format!("{} hours", (days * 24.0 * 10.0).round() / 10.0),
    }
}

/// Bytes in a unit that fits: `512 B`, `1.5 KiB`, `12.0 MiB`; `unknown` without a number.
fn bytes(bytes: Option<u64>) -> String {
    let Some(bytes) = bytes else {
        return "unknown".to_owned();
    };
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_retentions_read_in_fitting_units() {
        assert_eq!(bytes(None), "unknown");
        assert_eq!(bytes(Some(512)), "512 B");
        assert_eq!(bytes(Some(1536)), "1.5 KiB");
        assert_eq!(bytes(Some(12 * 1024 * 1024)), "12.0 MiB");
        assert_eq!(kept(None), "for ever");
        assert_eq!(kept(Some(90.0)), "90 days");
        assert_eq!(kept(Some(0.5)), "12 hours");
    }
}
