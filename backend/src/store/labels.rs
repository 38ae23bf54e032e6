//! The label table: each version, user and client address text stored once; request rows hold
//! its small id (`m0006_compact_requests`).

use std::collections::{HashMap, HashSet};

use dashboard_migration::schema::{Label, Request, Table};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query, SelectStatement, SimpleExpr};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

pub(crate) use dashboard_migration::schema::LabelKind;

use super::Store;

/// Labels the writer remembers, per kind; once a kind holds this many they are forgotten at once
/// before the next batch is looked at (users and addresses are unbounded: whoever calls the
/// application chooses them). A kind holds at most this plus one batch.
const REMEMBERED: usize = 50_000;

/// Labels inserted or looked up per statement.
const PER_STATEMENT: usize = 500;

/// The label ids the writer knows, by kind and text.
#[derive(Debug, Default)]
pub(crate) struct Labels {
    versions: HashMap<Box<str>, i32>,
    users: HashMap<Box<str>, i32>,
    addresses: HashMap<Box<str>, i32>,
}

impl Labels {
    fn of(&self, kind: LabelKind) -> &HashMap<Box<str>, i32> {
        match kind {
            LabelKind::User => &self.users,
            LabelKind::Address => &self.addresses,
            _ => &self.versions,
        }
    }

    fn of_mut(&mut self, kind: LabelKind) -> &mut HashMap<Box<str>, i32> {
        match kind {
            LabelKind::User => &mut self.users,
            LabelKind::Address => &mut self.addresses,
            _ => &mut self.versions,
        }
    }

    /// The labels of `wanted` this does not know yet, by kind. A kind that holds
    /// [`REMEMBERED`] labels is forgotten first, so that every label of the batch is either
    /// known or missing, never forgotten between the two.
    pub(crate) fn missing<'a>(
        &mut self,
        wanted: impl IntoIterator<Item = (LabelKind, &'a str)>,
    ) -> HashMap<LabelKind, HashSet<&'a str>> {
        for known in [&mut self.versions, &mut self.users, &mut self.addresses] {
            if known.len() >= REMEMBERED {
                known.clear();
            }
        }
        let mut missing: HashMap<LabelKind, HashSet<&str>> = HashMap::new();
        for (kind, text) in wanted {
            if self.id(kind, text).is_none() {
                missing.entry(kind).or_default().insert(text);
            }
        }
        missing
    }

    /// The id of a label [`Store::resolve_labels`] made known.
    pub(crate) fn id(&self, kind: LabelKind, text: &str) -> Option<i32> {
        self.of(kind).get(text).copied()
    }
}

#[derive(FromQueryResult)]
struct LabelRow {
    id: i32,
    value: String,
}

impl Store {
    /// Makes every label of `missing` known to `labels` (see [`Labels::missing`]), inserting
    /// those the table does not hold yet. Runs outside the writer's transaction: a label stays
    /// valid whatever becomes of the batch that first named it.
    pub(crate) async fn resolve_labels(
        &self,
        labels: &mut Labels,
        missing: HashMap<LabelKind, HashSet<&str>>,
    ) -> Result<(), DbErr> {
        for (kind, texts) in missing {
            // Sorted, so that processes inserting the same new labels at once take their
            // index entries in one order and cannot deadlock.
            let mut texts: Vec<&str> = texts.into_iter().collect();
            texts.sort_unstable();
            for chunk in texts.chunks(PER_STATEMENT) {
                self.insert_labels(kind, chunk).await?;
                for row in self
                    .fetch::<LabelRow>(&self.labels_named(kind, chunk))
                    .await?
                {
                    labels.of_mut(kind).insert(row.value.into(), row.id);
                }
            }
        }
        Ok(())
    }

    async fn insert_labels(&self, kind: LabelKind, texts: &[&str]) -> Result<(), DbErr> {
        let mut insert = Query::insert();
        insert
            .into_table(self.table(Table::Label))
            .columns([Label::Kind, Label::Value])
            .on_conflict(
                OnConflict::columns([Label::Kind, Label::Value])
                    .do_nothing_on([Label::Kind])
                    .to_owned(),
            );
        for text in texts {
            insert.values_panic([kind.number().into(), (*text).into()]);
        }
        self.db().execute(&insert).await?;
        Ok(())
    }

    /// The ids and texts of the labels of `kind` named `texts`.
    fn labels_named(&self, kind: LabelKind, texts: &[&str]) -> SelectStatement {
        Query::select()
            .columns([Label::Id, Label::Value])
            .from(self.table(Table::Label))
            .and_where(Expr::col(Label::Kind).eq(kind.number()))
            .and_where(Expr::col(Label::Value).is_in(texts.iter().copied()))
            .to_owned()
    }

    /// The condition that a request's `column` (a label id of `kind`) names one of `texts`.
    pub(crate) fn label_in(&self, column: Request, kind: LabelKind, texts: &[&str]) -> SimpleExpr {
        let ids = Query::select()
            .column(Label::Id)
            .from(self.table(Table::Label))
            .and_where(Expr::col(Label::Kind).eq(kind.number()))
            .and_where(Expr::col(Label::Value).is_in(texts.iter().copied()))
            .to_owned();
        Expr::col(column).in_subquery(ids)
    }

    /// The texts of the labels `ids`, by id.
    pub(crate) async fn label_texts(
        &self,
        ids: HashSet<i32>,
    ) -> Result<HashMap<i32, String>, DbErr> {
        let ids: Vec<i32> = ids.into_iter().collect();
        let mut texts = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(PER_STATEMENT) {
            let select = Query::select()
                .columns([Label::Id, Label::Value])
                .from(self.table(Table::Label))
                .and_where(Expr::col(Label::Id).is_in(chunk.iter().copied()))
                .to_owned();
            for row in self.fetch::<LabelRow>(&select).await? {
                texts.insert(row.id, row.value);
            }
        }
        Ok(texts)
    }

    /// The text of a label id column of `table`, joined as `alias` (for reads of a few rows).
    pub(crate) fn join_label(
        &self,
        select: &mut SelectStatement,
        table: &Alias,
        column: Request,
        alias: &str,
    ) {
        let label = Alias::new(alias);
        select.join_as(
            sea_orm::sea_query::JoinType::LeftJoin,
            self.table(Table::Label),
            label.clone(),
            Expr::col((label, Label::Id)).equals((table.clone(), column)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_cache_is_forgotten_before_a_batch_not_in_the_middle_of_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(&dir).await;
        let mut labels = Labels::default();
        let missing = labels.missing([(LabelKind::User, "alice")]);
        store.resolve_labels(&mut labels, missing).await.unwrap();
        let alice = labels.id(LabelKind::User, "alice").unwrap();
        // Fill the cache to its limit with labels the table does not hold.
        for n in 1..REMEMBERED {
            labels.users.insert(format!("cached{n}").into(), -1);
        }
        let batch = [(LabelKind::User, "alice"), (LabelKind::User, "bob")];
        let missing = labels.missing(batch);
        store.resolve_labels(&mut labels, missing).await.unwrap();
        assert_eq!(labels.id(LabelKind::User, "alice"), Some(alice));
        assert!(labels.id(LabelKind::User, "bob").is_some());
        assert!(labels.users.len() <= 2, "the full cache was forgotten");
    }
}
