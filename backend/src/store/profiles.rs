//! Profiles (level 3): code lines (one row per distinct span callsite), a profile row and the
//! stack lines of each profiled request, and reading an endpoint's latest profiles.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use dashboard_migration::schema::{CodeLine, Profile, Request, StackLine, Table};
use dashboard_shared::CodeFrame;
use sea_orm::sea_query::{Expr, ExprTrait, Func, IntoIden, OnConflict, Order, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, FromQueryResult};

use super::Store;
use super::labels::LabelKind;

/// Rows per multi-row INSERT (at most seven values each, well under SQLite's limit of bound
/// values).
const ROWS_PER_INSERT: usize = 1_000;

/// Where a span was declared: a row of the code lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CodeLocation {
    pub(crate) function: String,
    pub(crate) module: String,
    pub(crate) file: String,
    pub(crate) line: u32,
}

/// A profile ready to store with its request.
#[derive(Debug, Clone)]
pub(crate) struct StoredProfile {
    pub(crate) samples: u64,
    pub(crate) sampling_period_ms: u64,
    /// In pre-order.
    pub(crate) lines: Vec<StoredLine>,
}

/// One node of a stored profile.
#[derive(Debug, Clone)]
pub(crate) struct StoredLine {
    pub(crate) code_id: i32,
    pub(crate) indent: i32,
    pub(crate) duration_ms: f64,
    pub(crate) wall_ms: f64,
    pub(crate) calls: i64,
}

/// A profiled request as read back.
#[derive(Debug, Clone)]
pub(crate) struct ProfileRow {
    pub(crate) request_id: i64,
    pub(crate) samples: i64,
    pub(crate) sampling_period_ms: i64,
    pub(crate) time_requested: DateTime<Utc>,
    pub(crate) duration_ms: f64,
    pub(crate) status_code: i16,
}

/// A [`ProfileRow`] as stored.
#[derive(FromQueryResult)]
struct StoredProfileRow {
    request_id: i64,
    samples: i64,
    sampling_period_ms: i64,
    time_us: i64,
    duration_us: i64,
    status_code: i16,
}

impl From<StoredProfileRow> for ProfileRow {
    fn from(row: StoredProfileRow) -> Self {
        ProfileRow {
            request_id: row.request_id,
            samples: row.samples,
            sampling_period_ms: row.sampling_period_ms,
            time_requested: super::time_of_micros(row.time_us),
            duration_ms: super::ms_of_micros(row.duration_us),
            status_code: row.status_code,
        }
    }
}

#[derive(FromQueryResult)]
struct LineRow {
    request_id: i64,
    code_id: i32,
    indent: i32,
    duration_ms: f64,
    wall_ms: f64,
    calls: i64,
}

#[derive(FromQueryResult)]
struct CodeRow {
    id: i32,
    function_name: String,
    module: String,
    filename: String,
    line_number: i32,
}

/// Profiled requests with their lines (pre-order) and the code lines they name.
#[derive(Debug, Default)]
pub(crate) struct StoredProfiles {
    /// Newest first.
    pub(crate) requests: Vec<(ProfileRow, Vec<StoredLine>)>,
    pub(crate) code: HashMap<i32, CodeFrame>,
}

impl StoredProfiles {
    /// The callsite of a code line (an unknown id reads as `?`).
    pub(crate) fn frame(&self, code_id: i32) -> CodeFrame {
        self.code
            .get(&code_id)
            .cloned()
            .unwrap_or_else(|| CodeFrame {
                function: "?".to_owned(),
                module: None,
                file: None,
                line: None,
            })
    }
}

impl Store {
    /// The id of a code line, stored when new. Outside the writer's transaction: a code line
    /// stays valid whether or not the batch that first needed it is stored.
    pub(crate) async fn code_line_id(&self, location: &CodeLocation) -> Result<i32, DbErr> {
        let line = i32::try_from(location.line).unwrap_or(i32::MAX);
        let insert = Query::insert()
            .into_table(self.table(Table::CodeLine))
            .columns([
                CodeLine::Filename,
                CodeLine::LineNumber,
                CodeLine::FunctionName,
                CodeLine::Module,
            ])
            .values_panic([
                location.file.clone().into(),
                line.into(),
                location.function.clone().into(),
                location.module.clone().into(),
            ])
            .on_conflict(
                OnConflict::columns([
                    CodeLine::Filename,
                    CodeLine::LineNumber,
                    CodeLine::FunctionName,
                    CodeLine::Module,
                ])
                .do_nothing_on([CodeLine::Filename])
                .to_owned(),
            )
            .to_owned();
        self.db().execute(&insert).await?;
        let select = Query::select()
            .column(CodeLine::Id)
            .from(self.table(Table::CodeLine))
            .and_where(Expr::col(CodeLine::Filename).eq(location.file.as_str()))
            .and_where(Expr::col(CodeLine::LineNumber).eq(line))
            .and_where(Expr::col(CodeLine::FunctionName).eq(location.function.as_str()))
            .and_where(Expr::col(CodeLine::Module).eq(location.module.as_str()))
            .to_owned();
        let row = self
            .db()
            .query_one(&select)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(location.function.clone()))?;
        row.try_get("", "id")
    }

    /// Stores profiles: `(request id, endpoint id, profile)`, in as few statements as the
    /// database's limit of bound values allows.
    pub(crate) async fn insert_profiles(
        &self,
        txn: &DatabaseTransaction,
        profiles: &[(i64, i32, &StoredProfile)],
    ) -> Result<(), DbErr> {
        let saturating = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        let rows = profiles
            .iter()
            .map(|(request_id, endpoint_id, profile)| {
                [
                    (*request_id).into(),
                    (*endpoint_id).into(),
                    saturating(profile.samples).into(),
                    saturating(profile.sampling_period_ms).into(),
                ]
            })
            .collect();
        let columns = [
            Profile::RequestId,
            Profile::EndpointId,
            Profile::Samples,
            Profile::SamplingPeriodMs,
        ];
        self.insert_in_chunks(txn, Table::Profile, columns, rows)
            .await?;
        let lines = profiles
            .iter()
            .flat_map(|(request_id, _, profile)| {
                profile.lines.iter().enumerate().map(|(position, line)| {
                    [
                        (*request_id).into(),
                        i32::try_from(position).unwrap_or(i32::MAX).into(),
                        line.code_id.into(),
                        line.indent.into(),
                        line.duration_ms.into(),
                        line.wall_ms.into(),
                        line.calls.into(),
                    ]
                })
            })
            .collect();
        let columns = [
            StackLine::RequestId,
            StackLine::Position,
            StackLine::CodeId,
            StackLine::Indent,
            StackLine::DurationMs,
            StackLine::WallMs,
            StackLine::Calls,
        ];
        self.insert_in_chunks(txn, Table::StackLine, columns, lines)
            .await
    }

    /// Inserts `rows` into `table` in multi-row statements of [`ROWS_PER_INSERT`] rows.
    async fn insert_in_chunks<C: IntoIden + Copy, const N: usize>(
        &self,
        txn: &DatabaseTransaction,
        table: Table,
        columns: [C; N],
        rows: Vec<[SimpleExpr; N]>,
    ) -> Result<(), DbErr> {
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut insert = Query::insert();
            insert.into_table(self.table(table)).columns(columns);
            for row in rows.by_ref().take(ROWS_PER_INSERT) {
                insert.values_panic(row);
            }
            txn.execute(&insert).await?;
        }
        Ok(())
    }

    /// How many profiled requests an endpoint has.
    pub(crate) async fn profile_count(&self, endpoint_id: i32) -> Result<u64, DbErr> {
        let select = Query::select()
            .expr_as(Func::count(Expr::col(Profile::RequestId)), "total")
            .from(self.table(Table::Profile))
            .and_where(Expr::col(Profile::EndpointId).eq(endpoint_id))
            .to_owned();
        self.total(&select).await
    }

    /// A page of an endpoint's profiled requests (of `version` only, if given), newest first,
    /// with their lines.
    pub(crate) async fn profiles(
        &self,
        endpoint_id: i32,
        version: Option<&str>,
        offset: u64,
        limit: u64,
    ) -> Result<StoredProfiles, DbErr> {
        let requests = self
            .profile_rows(endpoint_id, version, offset, limit)
            .await?;
        if requests.is_empty() {
            return Ok(StoredProfiles::default());
        }
        let mut lines = self.lines_of(&requests).await?;
        let code = self.code_lines(lines.values().flatten()).await?;
        let requests = requests
            .into_iter()
            .map(|row| {
                let lines = lines.remove(&row.request_id).unwrap_or_default();
                (row, lines)
            })
            .collect();
        Ok(StoredProfiles { requests, code })
    }

    async fn profile_rows(
        &self,
        endpoint_id: i32,
        version: Option<&str>,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ProfileRow>, DbErr> {
        let profile = self.table(Table::Profile);
        let request = self.table(Table::Request);
        let mut select = Query::select();
        if let Some(version) = version {
            select.and_where(self.label_in(Request::VersionId, LabelKind::Version, &[version]));
        }
        let select = select
            .columns(
                [
                    Profile::RequestId,
                    Profile::Samples,
                    Profile::SamplingPeriodMs,
                ]
                .map(|column| (profile.clone(), column)),
            )
            .columns(
                [Request::TimeUs, Request::DurationUs, Request::StatusCode]
                    .map(|column| (request.clone(), column)),
            )
            .from(profile.clone())
            .inner_join(
                request.clone(),
                Expr::col((request, Request::Id)).equals((profile.clone(), Profile::RequestId)),
            )
            .and_where(Expr::col((profile.clone(), Profile::EndpointId)).eq(endpoint_id))
            .order_by((profile, Profile::RequestId), Order::Desc)
            .limit(limit)
            .offset(offset)
            .to_owned();
        let rows: Vec<StoredProfileRow> = self.fetch(&select).await?;
        Ok(rows.into_iter().map(ProfileRow::from).collect())
    }

    /// The stack lines of some requests, in pre-order per request.
    async fn lines_of(
        &self,
        requests: &[ProfileRow],
    ) -> Result<HashMap<i64, Vec<StoredLine>>, DbErr> {
        let select = Query::select()
            .columns([
                StackLine::RequestId,
                StackLine::CodeId,
                StackLine::Indent,
                StackLine::DurationMs,
                StackLine::WallMs,
                StackLine::Calls,
            ])
            .from(self.table(Table::StackLine))
            .and_where(
                Expr::col(StackLine::RequestId).is_in(requests.iter().map(|row| row.request_id)),
            )
            .order_by(StackLine::RequestId, Order::Asc)
            .order_by(StackLine::Position, Order::Asc)
            .to_owned();
        let rows: Vec<LineRow> = self.fetch(&select).await?;
        let mut lines: HashMap<i64, Vec<StoredLine>> = HashMap::with_capacity(requests.len());
        for row in rows {
            lines.entry(row.request_id).or_default().push(StoredLine {
                code_id: row.code_id,
                indent: row.indent,
                duration_ms: row.duration_ms,
                wall_ms: row.wall_ms,
                calls: row.calls,
            });
        }
        Ok(lines)
    }

    /// The callsites of the code lines that `lines` name.
    async fn code_lines(
        &self,
        lines: impl Iterator<Item = &StoredLine>,
    ) -> Result<HashMap<i32, CodeFrame>, DbErr> {
        let mut ids: Vec<i32> = lines.map(|line| line.code_id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let select = Query::select()
            .columns([
                CodeLine::Id,
                CodeLine::FunctionName,
                CodeLine::Module,
                CodeLine::Filename,
                CodeLine::LineNumber,
            ])
            .from(self.table(Table::CodeLine))
            .and_where(Expr::col(CodeLine::Id).is_in(ids))
            .to_owned();
        let rows: Vec<CodeRow> = self.fetch(&select).await?;
        let present = |text: String| (!text.is_empty()).then_some(text);
        Ok(rows
            .into_iter()
            .map(|row| {
                let frame = CodeFrame {
                    function: row.function_name,
                    module: present(row.module),
                    file: present(row.filename),
                    line: u32::try_from(row.line_number).ok().filter(|line| *line > 0),
                };
                (row.id, frame)
            })
            .collect())
    }
}
