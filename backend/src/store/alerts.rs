//! Alerting's rows: rules, channels (with their secret, which only the sending code reads), what
//! each rule has told, the delivery log, and what the rules read: the per-minute rollup and the
//! exception groups that are new or came back.

use chrono::{DateTime, TimeDelta, Utc};
use dashboard_migration::schema::{
    AlertChannel, AlertDelivery, AlertRule, AlertState, Endpoint, ExceptionGroup, MinuteRollup,
    Table,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::Store;

/// How long the per-minute rollup is kept: twice the longest window a rule reads.
pub(crate) const MINUTES_KEPT: TimeDelta = TimeDelta::hours(2);

/// How long an exception group must have been quiet for its next occurrence to count as its
/// return (a rule asks for whole days from 1).
pub(crate) const COMEBACK_AFTER: TimeDelta = TimeDelta::days(1);

/// How long the delivery log is kept.
pub(crate) const DELIVERIES_KEPT: TimeDelta = TimeDelta::days(30);

/// How long a rule remembers that it told an exception group or its return: past the day a
/// check looks back, the group cannot be found again, so the row can go.
pub(crate) const EXCEPTIONS_TOLD_KEPT: TimeDelta = TimeDelta::days(2);

/// The subject of a threshold rule's one state: whether the bound is crossed.
pub(crate) const THRESHOLD_SUBJECT: &str = "threshold";

/// The subject of a pipeline rule's one state: whether measurements are lost.
pub(crate) const PIPELINE_SUBJECT: &str = "pipeline";

/// The subject of an exception group told as new.
pub(crate) fn group_subject(group: i32) -> String {
    format!("{GROUP_PREFIX}{group}")
}

/// The subject of an exception group's return at `returned_at`.
pub(crate) fn return_subject(group: i32, returned_at: DateTime<Utc>) -> String {
    format!("{RETURN_PREFIX}{group}:{}", returned_at.timestamp())
}

/// The subject of a version comparison (`version` against `baseline`), whatever their length.
pub(crate) fn comparison_subject(version: &str, baseline: &str) -> String {
    format!(
        "versions:{}",
        crate::digest::hex_key(&format!("{version}\0{baseline}"))
    )
}

const GROUP_PREFIX: &str = "group:";
const RETURN_PREFIX: &str = "back:";

/// A rule as stored.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct RuleRow {
    pub(crate) id: i32,
    #[sea_orm(nested)]
    pub(crate) values: RuleValues,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) last_sent: Option<DateTime<Utc>>,
}

/// A rule's settings as written and read: its condition and channels as JSON.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct RuleValues {
    pub(crate) name: String,
    pub(crate) condition: String,
    pub(crate) channels: String,
    pub(crate) quiet_minutes: i32,
    pub(crate) muted: bool,
}

/// A channel as stored, with its secret.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct ChannelRow {
    pub(crate) id: i32,
    pub(crate) name: String,
    pub(crate) settings: String,
    pub(crate) secret: String,
}

/// What a rule last told about one subject.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct StateRow {
    pub(crate) rule_id: i32,
    pub(crate) subject: String,
    pub(crate) firing: bool,
}

/// One message to one channel.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct DeliveryRow {
    pub(crate) id: i64,
    pub(crate) time: DateTime<Utc>,
    pub(crate) rule_name: Option<String>,
    pub(crate) channel_id: i32,
    pub(crate) channel_name: String,
    pub(crate) message: String,
    pub(crate) outcome: String,
    pub(crate) attempts: i32,
    pub(crate) error: Option<String>,
}

/// An exception group as an alert describes it.
#[derive(Debug, Clone, FromQueryResult)]
pub(crate) struct GroupEvent {
    pub(crate) id: i32,
    pub(crate) type_name: String,
    pub(crate) message: String,
    pub(crate) endpoint: Option<String>,
    pub(crate) count: i64,
    pub(crate) first_seen: DateTime<Utc>,
    pub(crate) returned_at: Option<DateTime<Utc>>,
    pub(crate) quiet_since: Option<DateTime<Utc>>,
}

/// Requests in one latency bucket over a window.
#[derive(Debug, Clone, Copy, FromQueryResult)]
pub(crate) struct WindowBucket {
    pub(crate) bucket: i32,
    pub(crate) hits: i64,
    pub(crate) errors: i64,
}

const RULE_COLUMNS: [AlertRule; 8] = [
    AlertRule::Id,
    AlertRule::Name,
    AlertRule::Condition,
    AlertRule::Channels,
    AlertRule::QuietMinutes,
    AlertRule::Muted,
    AlertRule::CreatedAt,
    AlertRule::LastSent,
];

const DELIVERY_COLUMNS: [AlertDelivery; 9] = [
    AlertDelivery::Id,
    AlertDelivery::Time,
    AlertDelivery::RuleName,
    AlertDelivery::ChannelId,
    AlertDelivery::ChannelName,
    AlertDelivery::Message,
    AlertDelivery::Outcome,
    AlertDelivery::Attempts,
    AlertDelivery::Error,
];

impl Store {
    /// Every rule, by name (then id).
    pub(crate) async fn alert_rules(&self) -> Result<Vec<RuleRow>, DbErr> {
        let select = Query::select()
            .columns(RULE_COLUMNS)
            .from(self.table(Table::AlertRule))
            .order_by(AlertRule::Name, Order::Asc)
            .order_by(AlertRule::Id, Order::Asc)
            .to_owned();
        self.fetch(&select).await
    }

    /// The rule `id`.
    pub(crate) async fn alert_rule(&self, id: i32) -> Result<Option<RuleRow>, DbErr> {
        let select = Query::select()
            .columns(RULE_COLUMNS)
            .from(self.table(Table::AlertRule))
            .and_where(Expr::col(AlertRule::Id).eq(id))
            .to_owned();
        Ok(self.fetch(&select).await?.into_iter().next())
    }

    /// Stores a new rule created at `now`; its id.
    pub(crate) async fn insert_alert_rule(
        &self,
        rule: RuleValues,
        now: DateTime<Utc>,
    ) -> Result<i32, DbErr> {
        let insert = Query::insert()
            .into_table(self.table(Table::AlertRule))
            .columns([
                AlertRule::Name,
                AlertRule::Condition,
                AlertRule::Channels,
                AlertRule::QuietMinutes,
                AlertRule::Muted,
                AlertRule::CreatedAt,
            ])
            .values_panic([
                rule.name.into(),
                rule.condition.into(),
                rule.channels.into(),
                rule.quiet_minutes.into(),
                rule.muted.into(),
                now.into(),
            ])
            .to_owned();
        let id = self.insert_with_id(insert).await?;
        i32::try_from(id).map_err(|_| DbErr::RecordNotInserted)
    }

    /// Changes the rule `id`; `false` when there is none. A changed condition starts afresh:
    /// what the rule told before is forgotten.
    pub(crate) async fn update_alert_rule(
        &self,
        id: i32,
        rule: RuleValues,
        condition_changed: bool,
    ) -> Result<bool, DbErr> {
        let update = Query::update()
            .table(self.table(Table::AlertRule))
            .values([
                (AlertRule::Name, rule.name.into()),
                (AlertRule::Condition, rule.condition.into()),
                (AlertRule::Channels, rule.channels.into()),
                (AlertRule::QuietMinutes, rule.quiet_minutes.into()),
                (AlertRule::Muted, rule.muted.into()),
            ])
            .and_where(Expr::col(AlertRule::Id).eq(id))
            .to_owned();
        let changed = self.db().execute(&update).await?.rows_affected() > 0;
        if changed && condition_changed {
            self.forget_alert_states(id).await?;
        }
        Ok(changed)
    }

    /// Removes the rule `id` and what it told; `false` when there is none.
    pub(crate) async fn delete_alert_rule(&self, id: i32) -> Result<bool, DbErr> {
        self.forget_alert_states(id).await?;
        let delete = Query::delete()
            .from_table(self.table(Table::AlertRule))
            .and_where(Expr::col(AlertRule::Id).eq(id))
            .to_owned();
        Ok(self.db().execute(&delete).await?.rows_affected() > 0)
    }

    async fn forget_alert_states(&self, rule: i32) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(self.table(Table::AlertState))
            .and_where(Expr::col(AlertState::RuleId).eq(rule))
            .to_owned();
        self.db().execute(&delete).await?;
        Ok(())
    }

    /// Every channel, by name (then id).
    pub(crate) async fn alert_channels(&self) -> Result<Vec<ChannelRow>, DbErr> {
        self.fetch(&self.channels_where(None)).await
    }

    /// The channel `id`.
    pub(crate) async fn alert_channel(&self, id: i32) -> Result<Option<ChannelRow>, DbErr> {
        Ok(self
            .fetch(&self.channels_where(Some(id)))
            .await?
            .into_iter()
            .next())
    }

    fn channels_where(&self, id: Option<i32>) -> SelectStatement {
        let mut select = Query::select();
        select
            .columns([
                AlertChannel::Id,
                AlertChannel::Name,
                AlertChannel::Settings,
                AlertChannel::Secret,
            ])
            .from(self.table(Table::AlertChannel))
            .order_by(AlertChannel::Name, Order::Asc)
            .order_by(AlertChannel::Id, Order::Asc);
        if let Some(id) = id {
            select.and_where(Expr::col(AlertChannel::Id).eq(id));
        }
        select
    }

    /// Stores a new channel; its id.
    pub(crate) async fn insert_alert_channel(
        &self,
        name: &str,
        settings: &str,
        secret: &str,
    ) -> Result<i32, DbErr> {
        let insert = Query::insert()
            .into_table(self.table(Table::AlertChannel))
            .columns([
                AlertChannel::Name,
                AlertChannel::Settings,
                AlertChannel::Secret,
            ])
            .values_panic([name.into(), settings.into(), secret.into()])
            .to_owned();
        let id = self.insert_with_id(insert).await?;
        i32::try_from(id).map_err(|_| DbErr::RecordNotInserted)
    }

    /// Changes the channel `id`, its secret only when one is given; `false` when there is none.
    pub(crate) async fn update_alert_channel(
        &self,
        id: i32,
        name: &str,
        settings: &str,
        secret: Option<&str>,
    ) -> Result<bool, DbErr> {
        let mut update = Query::update();
        update
            .table(self.table(Table::AlertChannel))
            .values([
                (AlertChannel::Name, name.into()),
                (AlertChannel::Settings, settings.into()),
            ])
            .and_where(Expr::col(AlertChannel::Id).eq(id));
        if let Some(secret) = secret {
            update.value(AlertChannel::Secret, secret);
        }
        Ok(self.db().execute(&update).await?.rows_affected() > 0)
    }

    /// Removes the channel `id`; `false` when there is none. Rules that named it keep the id,
    /// which sends nothing.
    pub(crate) async fn delete_alert_channel(&self, id: i32) -> Result<bool, DbErr> {
        let delete = Query::delete()
            .from_table(self.table(Table::AlertChannel))
            .and_where(Expr::col(AlertChannel::Id).eq(id))
            .to_owned();
        Ok(self.db().execute(&delete).await?.rows_affected() > 0)
    }

    /// The rules whose threshold or pipeline condition holds, as last told.
    pub(crate) async fn firing_rules(&self) -> Result<Vec<i32>, DbErr> {
        let select = Query::select()
            .column(AlertState::RuleId)
            .from(self.table(Table::AlertState))
            .and_where(Expr::col(AlertState::Firing).eq(true))
            .and_where(Expr::col(AlertState::Subject).is_in([THRESHOLD_SUBJECT, PIPELINE_SUBJECT]))
            .to_owned();
        self.db()
            .query_all(&select)
            .await?
            .iter()
            .map(|row| row.try_get::<i32>("", "rule_id"))
            .collect()
    }

    /// What every rule told, each rule's subjects.
    pub(crate) async fn alert_states(&self) -> Result<Vec<StateRow>, DbErr> {
        let select = Query::select()
            .columns([AlertState::RuleId, AlertState::Subject, AlertState::Firing])
            .from(self.table(Table::AlertState))
            .to_owned();
        self.fetch(&select).await
    }

    /// Records that `rule` told about `subject` (firing or not); `false` when it had, by this
    /// process or another: the one that records it sends it.
    pub(crate) async fn claim_alert_subject(
        &self,
        rule: i32,
        subject: &str,
        firing: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        let insert = Query::insert()
            .into_table(self.table(Table::AlertState))
            .columns([
                AlertState::RuleId,
                AlertState::Subject,
                AlertState::Firing,
                AlertState::ChangedAt,
            ])
            .values_panic([rule.into(), subject.into(), firing.into(), now.into()])
            .to_owned();
        self.insert_unless_taken(&insert).await
    }

    /// Turns `rule`'s `subject` from `!firing` to `firing`; `false` when it was not `!firing`
    /// (another process turned it first).
    pub(crate) async fn turn_alert_subject(
        &self,
        rule: i32,
        subject: &str,
        firing: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        let update = Query::update()
            .table(self.table(Table::AlertState))
            .values([
                (AlertState::Firing, firing.into()),
                (AlertState::ChangedAt, now.into()),
            ])
            .and_where(Expr::col(AlertState::RuleId).eq(rule))
            .and_where(Expr::col(AlertState::Subject).eq(subject))
            .and_where(Expr::col(AlertState::Firing).eq(!firing))
            .to_owned();
        Ok(self.db().execute(&update).await?.rows_affected() > 0)
    }

    /// Notes that `rule` sent a message at `now` (its quiet period starts).
    pub(crate) async fn set_alert_sent(&self, rule: i32, now: DateTime<Utc>) -> Result<(), DbErr> {
        let update = Query::update()
            .table(self.table(Table::AlertRule))
            .value(AlertRule::LastSent, now)
            .and_where(Expr::col(AlertRule::Id).eq(rule))
            .to_owned();
        self.db().execute(&update).await?;
        Ok(())
    }

    /// Logs a message to a channel as pending; its id.
    pub(crate) async fn insert_delivery(
        &self,
        time: DateTime<Utc>,
        rule_name: Option<&str>,
        channel: &ChannelRow,
        message: &str,
    ) -> Result<i64, DbErr> {
        let insert = Query::insert()
            .into_table(self.table(Table::AlertDelivery))
            .columns([
                AlertDelivery::Time,
                AlertDelivery::RuleName,
                AlertDelivery::ChannelId,
                AlertDelivery::ChannelName,
                AlertDelivery::Message,
                AlertDelivery::Outcome,
                AlertDelivery::Attempts,
            ])
            .values_panic([
                time.into(),
                rule_name.map(str::to_owned).into(),
                channel.id.into(),
                channel.name.as_str().into(),
                message.into(),
                dashboard_shared::alerts::Outcome::Pending.as_str().into(),
                0_i32.into(),
            ])
            .to_owned();
        self.insert_with_id(insert).await
    }

    /// The delivery `id`.
    pub(crate) async fn delivery(&self, id: i64) -> Result<Option<DeliveryRow>, DbErr> {
        let select = Query::select()
            .columns(DELIVERY_COLUMNS)
            .from(self.table(Table::AlertDelivery))
            .and_where(Expr::col(AlertDelivery::Id).eq(id))
            .to_owned();
        Ok(self.fetch(&select).await?.into_iter().next())
    }

    /// The latest `limit` deliveries, newest first.
    pub(crate) async fn deliveries(&self, limit: u64) -> Result<Vec<DeliveryRow>, DbErr> {
        let select = Query::select()
            .columns(DELIVERY_COLUMNS)
            .from(self.table(Table::AlertDelivery))
            .order_by(AlertDelivery::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        self.fetch(&select).await
    }

    /// Takes the delivery `id`'s attempt number `attempt` (from 1): `false` when it is not
    /// pending with `attempt - 1` attempts, because another worker took it.
    pub(crate) async fn start_attempt(&self, id: i64, attempt: i32) -> Result<bool, DbErr> {
        let update = Query::update()
            .table(self.table(Table::AlertDelivery))
            .value(AlertDelivery::Attempts, attempt)
            .and_where(Expr::col(AlertDelivery::Id).eq(id))
            .and_where(Expr::col(AlertDelivery::Attempts).eq(attempt - 1))
            .and_where(
                Expr::col(AlertDelivery::Outcome)
                    .eq(dashboard_shared::alerts::Outcome::Pending.as_str()),
            )
            .to_owned();
        Ok(self.db().execute(&update).await?.rows_affected() > 0)
    }

    /// Records the delivery `id`'s outcome and latest error.
    pub(crate) async fn finish_attempt(
        &self,
        id: i64,
        outcome: dashboard_shared::alerts::Outcome,
        error: Option<&str>,
    ) -> Result<(), DbErr> {
        let update = Query::update()
            .table(self.table(Table::AlertDelivery))
            .values([
                (AlertDelivery::Outcome, outcome.as_str().into()),
                (AlertDelivery::Error, error.map(str::to_owned).into()),
            ])
            .and_where(Expr::col(AlertDelivery::Id).eq(id))
            .to_owned();
        self.db().execute(&update).await?;
        Ok(())
    }

    /// Requests, errors per latency bucket since `since`, of one endpoint or of all.
    pub(crate) async fn window_buckets(
        &self,
        since: DateTime<Utc>,
        endpoint: Option<i32>,
    ) -> Result<Vec<WindowBucket>, DbErr> {
        let mut select = Query::select();
        select
            .column(MinuteRollup::Bucket)
            .expr_as(self.sum(Expr::col(MinuteRollup::Hits)), Alias::new("hits"))
            .expr_as(
                self.sum(Expr::col(MinuteRollup::Errors)),
                Alias::new("errors"),
            )
            .from(self.table(Table::MinuteRollup))
            .and_where(Expr::col(MinuteRollup::Minute).gte(since))
            .group_by_col(MinuteRollup::Bucket);
        if let Some(endpoint) = endpoint {
            select.and_where(Expr::col(MinuteRollup::EndpointId).eq(endpoint));
        }
        self.fetch(&select).await
    }

    /// The exception groups first seen since `since` (`returned: false`), or that came back
    /// since `since` (`returned: true`), oldest first.
    pub(crate) async fn exception_events(
        &self,
        since: DateTime<Utc>,
        returned: bool,
    ) -> Result<Vec<GroupEvent>, DbErr> {
        let group = self.table(Table::ExceptionGroup);
        let endpoint = self.table(Table::Endpoint);
        let time = if returned {
            ExceptionGroup::ReturnedAt
        } else {
            ExceptionGroup::FirstSeen
        };
        let select = Query::select()
            .columns(
                [
                    ExceptionGroup::Id,
                    ExceptionGroup::TypeName,
                    ExceptionGroup::Message,
                    ExceptionGroup::Count,
                    ExceptionGroup::FirstSeen,
                    ExceptionGroup::ReturnedAt,
                    ExceptionGroup::QuietSince,
                ]
                .map(|column| (group.clone(), column)),
            )
            .expr_as(
                Expr::col((endpoint.clone(), Endpoint::Name)),
                Alias::new("endpoint"),
            )
            .from(group.clone())
            .left_join(
                endpoint.clone(),
                Expr::col((endpoint, Endpoint::Id))
                    .equals((group.clone(), ExceptionGroup::EndpointId)),
            )
            .and_where(Expr::col((group.clone(), time)).gte(since))
            .order_by((group, time), Order::Asc)
            .to_owned();
        self.fetch(&select).await
    }

    /// Removes what alerting keeps no longer at `now`: per-minute rollups past
    /// [`MINUTES_KEPT`], deliveries past [`DELIVERIES_KEPT`], exception groups told past
    /// [`EXCEPTIONS_TOLD_KEPT`].
    pub(crate) async fn prune_alerting(&self, now: DateTime<Utc>) -> Result<(), DbErr> {
        let told = Query::delete()
            .from_table(self.table(Table::AlertState))
            .and_where(Expr::col(AlertState::ChangedAt).lt(now - EXCEPTIONS_TOLD_KEPT))
            .cond_where(
                Expr::col(AlertState::Subject)
                    .like(format!("{GROUP_PREFIX}%"))
                    .or(Expr::col(AlertState::Subject).like(format!("{RETURN_PREFIX}%"))),
            )
            .to_owned();
        self.db().execute(&told).await?;
        let (minutes_before, deliveries_before) = (now - MINUTES_KEPT, now - DELIVERIES_KEPT);
        let minutes = Query::delete()
            .from_table(self.table(Table::MinuteRollup))
            .and_where(Expr::col(MinuteRollup::Minute).lt(minutes_before))
            .to_owned();
        self.db().execute(&minutes).await?;
        let deliveries = Query::delete()
            .from_table(self.table(Table::AlertDelivery))
            .and_where(Expr::col(AlertDelivery::Time).lt(deliveries_before))
            .to_owned();
        self.db().execute(&deliveries).await?;
        Ok(())
    }
}
