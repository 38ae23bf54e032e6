//! Names of the dashboard's tables and columns, shared by the migrations and the queries.

use sea_orm_migration::prelude::*;

/// The dashboard's tables, named with the configured prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    prefix: String,
}

/// Every table of the dashboard, without its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Table {
    /// One row per monitored endpoint (method + route template).
    Endpoint,
    /// One row per request measured at level 1 or above.
    Request,
    /// Hourly totals per endpoint × hour × version × status code.
    Rollup,
    /// Hourly latency histogram buckets, same key as [`Table::Rollup`] plus the bucket (created
    /// by the first migration, replaced by [`Table::LatencyDay`] and [`Table::LatencyTotal`]).
    RollupBucket,
    /// Latency histogram buckets per endpoint × local day (in `TIMEZONE`) × version.
    LatencyDay,
    /// Latency histogram buckets per endpoint, all time.
    LatencyTotal,
    /// Requests per endpoint and status code, all time.
    StatusTotal,
    /// The context captured for a slow request (level 2).
    Outlier,
    /// A distinct code location seen by the profiler (level 3).
    CodeLine,
    /// One node of a profiled request's tree (level 3).
    StackLine,
    /// A profiled request: its endpoint and how it was sampled (level 3).
    Profile,
    /// Errors grouped by a stable signature.
    ExceptionGroup,
    /// One occurrence of an exception group.
    ExceptionOccurrence,
    /// A user-defined graph fed by a scheduled function.
    CustomGraph,
    /// One value of a custom graph.
    CustomGraphData,
    /// Dashboard accounts.
    User,
    /// Key/value settings of the deployment, such as the session signing secret.
    Setting,
    /// The versions, users and client addresses the requests name, each stored once: a request
    /// row holds their small ids.
    Label,
    /// What requests wait on: a statement's fingerprint or an upstream's host and path template.
    Dependency,
    /// Calls per endpoint × local day × dependency: count, total time, requests, N+1 flags,
    /// status classes.
    DependencyDay,
    /// Latency histogram buckets of the calls, same key as [`Table::DependencyDay`] plus the
    /// bucket.
    DependencyLatency,
    /// A request flagged N+1: its calls to the statement it repeated.
    RequestDependency,
    /// A slow statement or upstream call (level 2): its duration, rows, status and spans.
    SlowCall,
    /// A process that writes to the database (`INSTANCE`): its name, versions and start.
    Instance,
    /// An instance's figures every 15 s (CPU, memory, requests in flight, queue, writer).
    Heartbeat,
    /// A failed (or not yet verified) login, against a username or a client address, shared by
    /// every process.
    LoginFailure,
    /// A scheduled job's tick taken by one process, on MySQL (where the jobs do not run on
    /// Apalis): the unique key makes each tick run once.
    JobClaim,
    /// Requests, errors and latency buckets per minute, endpoint and instance: what the
    /// threshold alerts read (kept two hours).
    MinuteRollup,
    /// Where alerts go: an email address over SMTP or a webhook; its secret apart.
    AlertChannel,
    /// What raises an alert, to which channels, with its quiet period.
    AlertRule,
    /// What a rule has alerted on: each exception group, comeback or comparison once, and
    /// whether a threshold is crossed.
    AlertState,
    /// Each message sent (or tried) to a channel: the delivery log.
    AlertDelivery,
}

impl Table {
    /// The table's name without the prefix.
    pub fn base_name(self) -> &'static str {
        match self {
            Table::Endpoint => "endpoint",
            Table::Request => "request",
            Table::Rollup => "rollup",
            Table::RollupBucket => "rollup_bucket",
            Table::LatencyDay => "latency_day",
            Table::LatencyTotal => "latency_total",
            Table::StatusTotal => "status_total",
            Table::Outlier => "outlier",
            Table::CodeLine => "code_line",
            Table::StackLine => "stack_line",
            Table::Profile => "profile",
            Table::ExceptionGroup => "exception_group",
            Table::ExceptionOccurrence => "exception_occurrence",
            Table::CustomGraph => "custom_graph",
            Table::CustomGraphData => "custom_graph_data",
            Table::User => "user",
            Table::Setting => "setting",
            Table::Label => "label",
            Table::Dependency => "dependency",
            Table::DependencyDay => "dependency_day",
            Table::DependencyLatency => "dependency_latency",
            Table::RequestDependency => "request_dependency",
            Table::SlowCall => "slow_call",
            Table::Instance => "instance",
            Table::Heartbeat => "heartbeat",
            Table::LoginFailure => "login_failure",
            Table::JobClaim => "job_claim",
            Table::MinuteRollup => "minute_rollup",
            Table::AlertChannel => "alert_channel",
            Table::AlertRule => "alert_rule",
            Table::AlertState => "alert_state",
            Table::AlertDelivery => "alert_delivery",
        }
    }

    /// Every table, in creation order.
    pub const ALL: [Table; 32] = [
        Table::Endpoint,
        Table::Request,
        Table::Rollup,
        Table::RollupBucket,
        Table::LatencyDay,
        Table::LatencyTotal,
        Table::StatusTotal,
        Table::Outlier,
        Table::CodeLine,
        Table::StackLine,
        Table::ExceptionGroup,
        Table::ExceptionOccurrence,
        Table::CustomGraph,
        Table::CustomGraphData,
        Table::User,
        Table::Setting,
        Table::Profile,
        Table::Label,
        Table::Dependency,
        Table::DependencyDay,
        Table::DependencyLatency,
        Table::RequestDependency,
        Table::SlowCall,
        Table::Instance,
        Table::Heartbeat,
        Table::LoginFailure,
        Table::JobClaim,
        Table::MinuteRollup,
        Table::AlertChannel,
        Table::AlertRule,
        Table::AlertState,
        Table::AlertDelivery,
    ];

    /// The tables the latest migration leaves: every one but `rollup_bucket`, which
    /// `m0003_daily_latency` dropped.
    pub fn current() -> impl Iterator<Item = Table> {
        Table::ALL
            .into_iter()
            .filter(|table| *table != Table::RollupBucket)
    }
}

impl Tables {
    /// Names for the given prefix (`""` for none).
    pub fn new(prefix: impl Into<String>) -> Self {
        Tables {
            prefix: prefix.into(),
        }
    }

    /// The prefix every name starts with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The prefixed name of a table.
    pub fn name(&self, table: Table) -> Alias {
        Alias::new(format!("{}{}", self.prefix, table.base_name()))
    }

    /// The prefixed name of an index or constraint.
    pub fn index(&self, name: &str) -> String {
        format!("{}{}", self.prefix, name)
    }

    /// The migration bookkeeping table.
    pub fn migrations(&self) -> Alias {
        Alias::new(format!("{}migrations", self.prefix))
    }
}

/// Columns of [`Table::Endpoint`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Endpoint {
    /// Primary key.
    Id,
    /// `METHOD /route/{template}`, unique.
    Name,
    /// HTTP method.
    Method,
    /// Matched route template.
    Route,
    /// Monitoring level 0–3.
    MonitorLevel,
    /// When the endpoint was first seen (UTC).
    TimeAdded,
    /// The application version that first served it.
    VersionAdded,
    /// When it was last requested (UTC), at any level.
    LastRequested,
}

/// Columns of [`Table::Request`]. Since `m0006_compact_requests` a row is integers only: the
/// time and duration in microseconds, and the version, user and address as ids of
/// [`Table::Label`]; the text columns it replaced are named for the earlier migrations.
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Request {
    /// Primary key.
    Id,
    /// The endpoint.
    EndpointId,
    /// From entering the layer until the response was produced, in microseconds.
    DurationUs,
    /// When the request arrived, in microseconds since 1970-01-01 UTC.
    TimeUs,
    /// The [`LabelKind::Version`] label of `APP_VERSION` or the git commit.
    VersionId,
    /// The [`LabelKind::User`] label of the `group_by` value; NULL when there is none.
    UserId,
    /// The [`LabelKind::Address`] label of the client address; NULL when unknown.
    AddressId,
    /// Status code sent to the client.
    StatusCode,
    /// Until `m0006`: the duration in milliseconds.
    DurationMs,
    /// Until `m0006`: when the request arrived (UTC).
    TimeRequested,
    /// Until `m0006`: the version's text.
    VersionRequested,
    /// Until `m0006`: the `group_by` value's text.
    GroupBy,
    /// Until `m0006`: the client address's text.
    Ip,
    /// Database statements it ran (since `m0007`).
    QueryCount,
    /// Their total time in microseconds.
    QueryUs,
    /// Outgoing HTTP calls it made (since `m0007`).
    CallCount,
    /// Their total time in microseconds.
    CallUs,
    /// The [`Table::Instance`] that served it (since `m0008`; 0 before).
    InstanceId,
}

/// Columns of [`Table::Label`] (unique: kind, value).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Label {
    /// Primary key, what request rows hold.
    Id,
    /// A [`LabelKind`], as its number.
    Kind,
    /// The text.
    Value,
}

/// What a [`Table::Label`] row names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LabelKind {
    /// An application version.
    Version = 1,
    /// A `group_by` value.
    User = 2,
    /// A client address.
    Address = 3,
}

impl LabelKind {
    /// The number stored in [`Label::Kind`].
    pub fn number(self) -> i16 {
        self as i16
    }
}

/// Columns of [`Table::Rollup`] (key: endpoint, hour, version, status code).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Rollup {
    /// The endpoint.
    EndpointId,
    /// Start of the UTC hour.
    Hour,
    /// Application version.
    Version,
    /// Status code.
    StatusCode,
    /// Requests.
    Hits,
    /// Sum of durations, in milliseconds.
    DurationSumMs,
    /// The [`Table::Instance`] whose writer added these counts (since `m0008_instances`, part of
    /// the key: each process adds to its own rows; 0 for counts from before, or from instances
    /// gone for a day).
    InstanceId,
}

/// Columns of [`Table::RollupBucket`] (key: the rollup's key plus the bucket).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum RollupBucket {
    /// The endpoint.
    EndpointId,
    /// Start of the UTC hour.
    Hour,
    /// Application version.
    Version,
    /// Status code.
    StatusCode,
    /// Index of the logarithmic latency bucket.
    Bucket,
    /// Requests in that bucket.
    Count,
}

/// Columns of [`Table::LatencyDay`] (key: endpoint, day, version, bucket).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum LatencyDay {
    /// The endpoint.
    EndpointId,
    /// The day in the configured `TIMEZONE` (`YYYY-MM-DD`).
    Day,
    /// Application version.
    Version,
    /// Index of the logarithmic latency bucket.
    Bucket,
    /// Requests in that bucket.
    Count,
    /// The [`Table::Instance`] whose writer added these counts (since `m0008_instances`, part of
    /// the key: each process adds to its own rows; 0 for counts from before, or from instances
    /// gone for a day).
    InstanceId,
}

/// Columns of [`Table::LatencyTotal`] (key: endpoint, bucket).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum LatencyTotal {
    /// The endpoint.
    EndpointId,
    /// Index of the logarithmic latency bucket.
    Bucket,
    /// Requests in that bucket.
    Count,
    /// The [`Table::Instance`] whose writer added these counts (since `m0008_instances`, part of
    /// the key: each process adds to its own rows; 0 for counts from before, or from instances
    /// gone for a day).
    InstanceId,
}

/// Columns of [`Table::StatusTotal`] (key: endpoint, status code).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum StatusTotal {
    /// The endpoint.
    EndpointId,
    /// Status code.
    StatusCode,
    /// Requests.
    Hits,
    /// The [`Table::Instance`] whose writer added these counts (since `m0008_instances`, part of
    /// the key: each process adds to its own rows; 0 for counts from before, or from instances
    /// gone for a day).
    InstanceId,
}

/// Columns of [`Table::Outlier`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Outlier {
    /// Primary key.
    Id,
    /// The request it belongs to.
    RequestId,
    /// Redacted request headers (JSON).
    RequestHeaders,
    /// Environment facts (JSON).
    RequestEnvironment,
    /// The request URL, redacted.
    RequestUrl,
    /// Redacted query and body values (JSON).
    RequestValues,
    /// CPU utilisation per core and of the process (JSON).
    CpuPercent,
    /// Memory figures (JSON).
    Memory,
    /// Active span stack, innermost last (JSON).
    Stacktrace,
    /// When the snapshot was taken (UTC).
    TimeCaptured,
    /// The statements and calls the request had made when the snapshot was taken (JSON, since
    /// `m0007`).
    Calls,
}

/// Columns of [`Table::CodeLine`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum CodeLine {
    /// Primary key.
    Id,
    /// Source file.
    Filename,
    /// Line number.
    LineNumber,
    /// Function (span) name.
    FunctionName,
    /// Module path.
    Module,
}

/// Columns of [`Table::StackLine`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum StackLine {
    /// The profiled request.
    RequestId,
    /// Pre-order position in the tree.
    Position,
    /// The code line.
    CodeId,
    /// Depth in the tree.
    Indent,
    /// Time attributed to the node, in milliseconds: its share of the samples × the request's
    /// duration, or its exact wall time when the request was not sampled.
    DurationMs,
    /// Times the span was created under its parent.
    Calls,
    /// Exact wall time of the span's calls (creation to close), in milliseconds.
    WallMs,
}

/// Columns of [`Table::Profile`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Profile {
    /// The profiled request (primary key).
    RequestId,
    /// Its endpoint.
    EndpointId,
    /// Samples taken while it ran (0 when it was not sampled).
    Samples,
    /// Milliseconds between samples (`SAMPLING_PERIOD`; 0 = exact timing only).
    SamplingPeriodMs,
}

/// Columns of [`Table::ExceptionGroup`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum ExceptionGroup {
    /// Primary key.
    Id,
    /// Stable signature: type + message shape + span stack.
    Signature,
    /// Error type.
    TypeName,
    /// Message of the latest occurrence.
    Message,
    /// The endpoint, when known.
    EndpointId,
    /// Occurrences.
    Count,
    /// First seen (UTC).
    FirstSeen,
    /// Last seen (UTC).
    LastSeen,
    /// Redacted context of the latest occurrence (JSON).
    LatestContext,
    /// Span stack of the latest occurrence (JSON).
    Stack,
    /// The statements and calls the latest occurrence's request had made (JSON, since `m0007`).
    LatestCalls,
    /// When the group last came back after a day or more without occurrences (since `m0009`).
    ReturnedAt,
    /// The group's last occurrence before it came back at `ReturnedAt`.
    QuietSince,
}

/// Columns of [`Table::ExceptionOccurrence`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum ExceptionOccurrence {
    /// Primary key.
    Id,
    /// The group.
    GroupId,
    /// The request, when stored.
    RequestId,
    /// When it happened (UTC).
    TimeOccurred,
    /// Application version.
    Version,
}

/// Columns of [`Table::CustomGraph`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum CustomGraph {
    /// Primary key.
    Id,
    /// Unique title.
    Title,
    /// When the graph was created (UTC).
    TimeAdded,
    /// Application version at creation.
    VersionAdded,
}

/// Columns of [`Table::CustomGraphData`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum CustomGraphData {
    /// Primary key.
    Id,
    /// The graph.
    GraphId,
    /// When the value was taken (UTC).
    Time,
    /// The value.
    Value,
}

/// Columns of [`Table::User`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum User {
    /// Primary key.
    Id,
    /// Unique name.
    Username,
    /// argon2id PHC string.
    PasswordHash,
    /// `admin` or `guest`.
    Role,
    /// Bumped on logout and password change; sessions carry it and die when it moves.
    SessionGeneration,
    /// When the account was created (UTC).
    CreatedAt,
}

/// Columns of [`Table::Setting`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Setting {
    /// Unique key.
    Key,
    /// Value.
    Value,
}

/// Columns of [`Table::Dependency`] (unique: `hash`).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Dependency {
    /// Primary key.
    Id,
    /// 0: a database statement, 1: an outgoing HTTP call.
    Kind,
    /// The database system (`sqlite`, `postgresql`, …) or the upstream's host.
    System,
    /// The statement's first keyword (`SELECT`, …) or the HTTP method.
    Operation,
    /// The statement's fingerprint (no literal) or the upstream's path template.
    Name,
    /// FNV-1a of kind, system, operation and name: the unique key (a fingerprint can be longer
    /// than an index entry may be).
    Hash,
}

/// Columns of [`Table::DependencyDay`] (key: endpoint, day, dependency).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum DependencyDay {
    /// The endpoint whose requests made the calls.
    EndpointId,
    /// The local day (in `TIMEZONE`) of the requests.
    Day,
    /// The dependency called.
    DependencyId,
    /// Calls.
    Calls,
    /// Their total time in microseconds.
    TotalUs,
    /// Requests that made at least one of them.
    Requests,
    /// Requests flagged N+1 for it.
    NPlusOne,
    /// Calls answered 4xx.
    ClientErrors,
    /// Calls answered 5xx.
    ServerErrors,
    /// Calls that got no answer (connection refused, timeout).
    Failed,
    /// The [`Table::Instance`] whose writer added these counts (since `m0008_instances`, part of
    /// the key: each process adds to its own rows; 0 for counts from before, or from instances
    /// gone for a day).
    InstanceId,
}

impl DependencyDay {
    /// The counters of a row, which batches add to (`m0007_calls` creates these columns; a
    /// counter added later needs a migration of its own).
    pub const COUNTERS: [DependencyDay; 7] = [
        DependencyDay::Calls,
        DependencyDay::TotalUs,
        DependencyDay::Requests,
        DependencyDay::NPlusOne,
        DependencyDay::ClientErrors,
        DependencyDay::ServerErrors,
        DependencyDay::Failed,
    ];
}

/// Columns of [`Table::DependencyLatency`] (key: endpoint, day, dependency, bucket).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum DependencyLatency {
    /// The endpoint.
    EndpointId,
    /// The local day.
    Day,
    /// The dependency.
    DependencyId,
    /// The latency bucket (as in [`LatencyDay::Bucket`]).
    Bucket,
    /// Calls in it.
    Count,
    /// The [`Table::Instance`] whose writer added these counts (since `m0008_instances`, part of
    /// the key: each process adds to its own rows; 0 for counts from before, or from instances
    /// gone for a day).
    InstanceId,
}

/// Columns of [`Table::RequestDependency`] (key: request, dependency).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum RequestDependency {
    /// The request.
    RequestId,
    /// The dependency.
    DependencyId,
    /// The request's endpoint.
    EndpointId,
    /// Calls the request made to it.
    Calls,
    /// Their total time in microseconds.
    TotalUs,
    /// 1 when the calls reached `N_PLUS_ONE` (the rows stored are those flags).
    NPlusOne,
}

/// Columns of [`Table::SlowCall`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum SlowCall {
    /// Primary key.
    Id,
    /// The request it belonged to.
    RequestId,
    /// The request's endpoint.
    EndpointId,
    /// The statement or upstream.
    DependencyId,
    /// When the request arrived, in microseconds since 1970-01-01 UTC.
    TimeUs,
    /// How long the call took, in microseconds.
    DurationUs,
    /// Rows returned or affected (statements).
    Rows,
    /// The HTTP status (calls); NULL when none came.
    StatusCode,
    /// The spans it ran in, outermost first (JSON, as an outlier's stack).
    Stack,
}

/// Columns of [`Table::Instance`] (unique: name).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Instance {
    /// Primary key, what request and rollup rows hold.
    Id,
    /// `INSTANCE` (by default the host name and the process id).
    Name,
    /// The application version it serves.
    AppVersion,
    /// The dashboard's crate version it runs.
    DashboardVersion,
    /// When the process started (UTC).
    Started,
    /// Its latest heartbeat (UTC).
    LastSeen,
}

/// Columns of [`Table::Heartbeat`] (key: instance, time).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Heartbeat {
    /// The instance.
    InstanceId,
    /// When it was taken (UTC).
    Time,
    /// The process's CPU use, in percent of one core.
    CpuPercent,
    /// The process's resident memory, in bytes.
    MemoryBytes,
    /// Monitored requests in flight.
    InFlight,
    /// Measurements waiting for the writer.
    Queued,
    /// Measurements lost since the process started.
    Dropped,
    /// Measurements stored since the process started.
    Stored,
    /// How old the oldest measurement of the writer's latest batch was when it was stored, in
    /// milliseconds.
    WriterLagMs,
}

/// Columns of [`Table::LoginFailure`] (index: key, time).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum LoginFailure {
    /// Primary key.
    Id,
    /// `user:<name>` or `ip:<address>`.
    Key,
    /// When the attempt began (UTC).
    Time,
}

/// Columns of [`Table::JobClaim`] (key: the job's key).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum JobClaim {
    /// The job's idempotency key (its work and tick).
    JobKey,
    /// When a process took it (UTC).
    ClaimedAt,
}

/// Columns of [`Table::MinuteRollup`] (key: minute, endpoint, bucket, instance).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum MinuteRollup {
    /// Start of the UTC minute.
    Minute,
    /// The endpoint.
    EndpointId,
    /// Index of the logarithmic latency bucket.
    Bucket,
    /// The [`Table::Instance`] whose writer added these counts.
    InstanceId,
    /// Requests.
    Hits,
    /// Of them, answered with a status of 500 or more.
    Errors,
}

/// Columns of [`Table::AlertChannel`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum AlertChannel {
    /// Primary key.
    Id,
    /// Its name on the Alerts page.
    Name,
    /// What can be shown: the kind and its settings (JSON).
    Settings,
    /// What is never shown once saved: the SMTP password or the webhook's URL.
    Secret,
}

/// Columns of [`Table::AlertRule`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum AlertRule {
    /// Primary key.
    Id,
    /// Its name in messages and on the Alerts page.
    Name,
    /// What raises it (JSON).
    Condition,
    /// The channels' ids (JSON).
    Channels,
    /// After a message, how long further ones wait (and are grouped), in minutes.
    QuietMinutes,
    /// Muted: evaluated, never sent.
    Muted,
    /// When it was created (UTC).
    CreatedAt,
    /// When it last sent a message (UTC).
    LastSent,
}

/// Columns of [`Table::AlertState`] (key: rule, subject).
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum AlertState {
    /// The rule.
    RuleId,
    /// What it alerted on: `group:7`, `back:7:1700000000`, `versions:v2:v1`, `threshold`.
    Subject,
    /// Whether the condition holds, as last told.
    Firing,
    /// When it was last told (UTC).
    ChangedAt,
}

/// Columns of [`Table::AlertDelivery`].
#[derive(DeriveIden, Debug, Clone, Copy)]
#[non_exhaustive]
pub enum AlertDelivery {
    /// Primary key.
    Id,
    /// When the message was made (UTC).
    Time,
    /// The rule's name; NULL for a test message.
    RuleName,
    /// The channel.
    ChannelId,
    /// The channel's name when the message was made.
    ChannelName,
    /// The message (JSON).
    Message,
    /// `pending`, `sent` or `failed`.
    Outcome,
    /// Attempts so far.
    Attempts,
    /// The latest attempt's error.
    Error,
}
