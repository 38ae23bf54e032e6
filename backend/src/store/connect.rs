//! Turning the `DATABASE` setting into a connection pool.

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatabaseError {
    /// The URL names a database this build cannot use.
    #[error("`DATABASE` must be a sqlite://, postgresql:// or mysql:// URL; {0}")]
    Unsupported(String),
    /// Connecting, migrating or querying failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// The tables of the scheduled jobs (Apalis's) could not be created.
    #[error("cannot create the scheduled jobs' tables: {0}")]
    Jobs(String),
    /// The SQLite file could not be opened.
    #[error(
        "cannot open the SQLite database {}: {reason} (`sqlite:///name.db` is relative to the \
         working directory, `sqlite:////path/name.db` is absolute)",
        path.display()
    )]
    SqliteFile {
        /// The file, as an absolute path.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
}

/// The file a SQLite URL of sqlx names, as an absolute path (`None` for in-memory databases
/// and other drivers).
fn sqlite_file(sqlx_url: &str) -> Option<std::path::PathBuf> {
    let path = sqlx_url.strip_prefix("sqlite://")?.split('?').next()?;
    let path = std::path::Path::new(path);
    Some(if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().ok()?.join(path)
    })
}

/// A URL that sqlx understands, from the reference's SQLAlchemy-style URLs or sqlx's own:
/// `sqlite:///relative.db`, `sqlite:////absolute.db`, `sqlite://relative.db`,
/// `postgresql+psycopg2://…`, `postgres://…`.
pub(crate) fn sqlx_url(url: &str) -> Result<String, DatabaseError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| DatabaseError::Unsupported("the value has no `scheme://`".to_owned()))?;
    let driver = scheme
        .split('+')
        .next()
        .unwrap_or(scheme)
        .to_ascii_lowercase();
    match driver.as_str() {
        "sqlite" => {
            // SQLAlchemy: three slashes for a relative path, four for an absolute one.
            let path = rest.strip_prefix('/').unwrap_or(rest);
            let (path, query) = path.split_once('?').unwrap_or((path, ""));
            if path.is_empty() || path == ":memory:" {
                return Ok("sqlite::memory:".to_owned());
            }
            let query = if query.is_empty() {
                "mode=rwc".to_owned()
            } else {
                query.to_owned()
            };
            Ok(format!("sqlite://{path}?{query}"))
        }
        "postgres" | "postgresql" => Ok(format!("postgres://{rest}")),
        "mysql" | "mariadb" => Ok(format!("mysql://{rest}")),
        other => Err(DatabaseError::Unsupported(format!(
            "`{other}` is not a database this dashboard knows"
        ))),
    }
}

/// How many connections a pool holds at most.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PoolSize {
    /// The API's requests and the jobs (with Apalis's worker): [`SHARED_CONNECTIONS`].
    Shared,
    /// The writer's own pool: what API requests and jobs do cannot starve it.
    Writer,
}

/// The connections of the shared pool, on every backend. sea-orm would give a SQLite pool one
/// connection, so that the job worker, a slow chart and every other API request queued behind
/// each other (a request waited out the acquire timeout while the worker stopped); in WAL mode
/// readers do not block each other, and writers wait for each other in the busy timeout.
const SHARED_CONNECTIONS: u32 = 10;

/// Pages the SQLite WAL grows to before a commit copies them into the database file (SQLite's
/// default is 1,000, 4 MB). The writer rewrites the same hot pages (the tail of each
/// endpoint's index range, the rollups) in every batch; a checkpoint writes each page once,
/// however often it changed, so a larger WAL saves most of those writes. 16 MB at most.
const WAL_CHECKPOINT_PAGES: u32 = 4_000;

/// The page cache of each writer connection on SQLite, as SQLite's `cache_size` takes it
/// (negative: KiB): 16 MB instead of SQLite's 2 MB, so the pages a batch touches (the index
/// tails of the busy endpoints, the rollups) stay cached instead of being read again.
const WRITER_CACHE_KIB: i32 = -16_384;

/// Opens a pool: SQLite in WAL mode with a busy timeout, so that readers never block the
/// writer and two processes can share one file. Idle connections are not kept open
/// (`min_connections(0)`), which also avoids sqlx's pool maintenance spinning on a phantom
/// permit (launchbadge/sqlx#3645).
pub(crate) async fn connect(
    url: &str,
    size: PoolSize,
) -> Result<DatabaseConnection, DatabaseError> {
    let url = sqlx_url(url)?;
    let file = sqlite_file(&url);
    if let Some(folder) = file.as_deref().and_then(std::path::Path::parent)
        && !folder.is_dir()
    {
        return Err(DatabaseError::SqliteFile {
            path: file.clone().unwrap_or_default(),
            reason: format!("the folder {} does not exist", folder.display()),
        });
    }
    let mut options = ConnectOptions::new(url);
    options.max_connections(match size {
        PoolSize::Shared => SHARED_CONNECTIONS,
        PoolSize::Writer => 2,
    });
    options
        .min_connections(0)
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .map_sqlx_sqlite_opts(move |sqlite| {
            let sqlite = match size {
                PoolSize::Writer => sqlite.pragma("cache_size", WRITER_CACHE_KIB.to_string()),
                PoolSize::Shared => sqlite,
            };
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .pragma("wal_autocheckpoint", WAL_CHECKPOINT_PAGES.to_string())
        });
    options.map_sqlx_mysql_pool_opts(|pool| {
        pool.after_connect(|connection, _| {
            Box::pin(async move {
                use sea_orm::sqlx::Executor;
                // Standard quoting: `"name"` is an identifier, as on SQLite and PostgreSQL, so
                // the few statements written out by hand serve every database.
                connection
                    .execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')")
                    .await?;
                Ok(())
            })
        })
    });
    connect_waiting_for_busy(options)
        .await
        .map_err(|error| match file {
            Some(path) => DatabaseError::SqliteFile {
                path,
                reason: error.to_string(),
            },
            None => DatabaseError::Db(error),
        })
}

/// How long a connection to a SQLite file another process is just creating is tried again.
const BUSY_AT_CONNECT: Duration = Duration::from_secs(10);

/// Connects, trying again while SQLite answers "database is locked": a connection switches the
/// file to WAL when it opens it, which needs the file to itself for a moment, so two processes
/// starting at once on a new file can meet there (the busy timeout does not cover it).
async fn connect_waiting_for_busy(
    options: ConnectOptions,
) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let deadline = tokio::time::Instant::now() + BUSY_AT_CONNECT;
    loop {
        match Database::connect(options.clone()).await {
            Err(error)
                if error.to_string().contains("database is locked")
                    && tokio::time::Instant::now() < deadline =>
            {
                tracing::debug!(%error, "the SQLite file is busy; connecting again");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sqlx_url;

    #[test]
    fn reads_sqlalchemy_and_sqlx_urls() {
        assert_eq!(
            sqlx_url("sqlite:///dashboard.db").unwrap(),
            "sqlite://dashboard.db?mode=rwc"
        );
        assert_eq!(
            sqlx_url("sqlite:////var/lib/d.db").unwrap(),
            "sqlite:///var/lib/d.db?mode=rwc"
        );
        assert_eq!(sqlx_url("sqlite://d.db").unwrap(), "sqlite://d.db?mode=rwc");
        assert_eq!(sqlx_url("sqlite://").unwrap(), "sqlite::memory:");
        assert_eq!(
            sqlx_url("postgresql+psycopg2://u:p@h/db").unwrap(),
            "postgres://u:p@h/db"
        );
        assert_eq!(
            sqlx_url("postgres://u@h:5/db").unwrap(),
            "postgres://u@h:5/db"
        );
    }

    #[tokio::test]
    async fn a_sqlite_file_that_cannot_be_opened_is_named_with_its_absolute_path() {
        let error = super::connect("sqlite:///no-such-folder/x.db", super::PoolSize::Shared)
            .await
            .unwrap_err()
            .to_string();
        let expected = std::env::current_dir().unwrap().join("no-such-folder/x.db");
        assert!(error.contains(&expected.display().to_string()), "{error}");
        assert!(error.contains("does not exist"), "{error}");
        let dir = tempfile::tempdir().unwrap();
        let unreadable = format!("sqlite:///{}", dir.path().display());
        let error = super::connect(&unreadable, super::PoolSize::Shared)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(&format!(
                "cannot open the SQLite database {}",
                dir.path().display()
            )),
            "a folder is no database file: {error}"
        );
    }

    /// A job or request that holds a connection (here: an open transaction) does not make the
    /// next request wait out the acquire timeout on SQLite.
    #[tokio::test]
    async fn a_held_sqlite_connection_does_not_queue_the_next_query() {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:///{}", dir.path().join("d.db").display());
        let db = super::connect(&url, super::PoolSize::Shared).await.unwrap();
        let held = db.begin().await.unwrap();
        let answered = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            db.execute_unprepared("SELECT 1"),
        )
        .await;
        assert!(
            matches!(answered, Ok(Ok(_))),
            "the second query waited for the first connection"
        );
        held.rollback().await.unwrap();
    }

    #[test]
    fn rejects_what_it_cannot_serve_with_a_reason() {
        assert_eq!(
            sqlx_url("mysql+pymysql://u:p@h/db").unwrap(),
            "mysql://u:p@h/db"
        );
        assert_eq!(sqlx_url("mariadb://u@h/db").unwrap(), "mysql://u@h/db");
        assert!(
            sqlx_url("dashboard.db")
                .unwrap_err()
                .to_string()
                .contains("no `scheme://`")
        );
        assert!(
            sqlx_url("oracle://h")
                .unwrap_err()
                .to_string()
                .contains("`oracle`")
        );
    }
}
