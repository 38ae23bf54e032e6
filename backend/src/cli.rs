//! The `dashboard` command line (feature `cli`): migrate the database, manage accounts and export
//! requests, against the database of the configuration (`--config`, `DASHBOARD_CONFIG`,
//! `DASHBOARD_<KEY>`, or `--database`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use dashboard_shared::Role;

use crate::accounts::{self, AccountError};
use crate::config::{ConfigError, ConfigSources, Key, RawValue};
use crate::store::export::RequestFilter;
use crate::store::{DatabaseError, Store};

/// Requests fetched per query while exporting.
const EXPORT_PAGE: u64 = 5_000;

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "dashboard",
    version,
    about = "Administer an axum-monitoring-dashboard database"
)]
pub struct Cli {
    /// Configuration file (TOML or Flask-MonitoringDashboard's config.cfg); `DASHBOARD_CONFIG`
    /// and `DASHBOARD_<KEY>` variables apply as they do for the library.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database URL, overriding the configuration.
    #[arg(long, global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create or update the dashboard's tables.
    Migrate,
    /// Manage dashboard accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Export measurements.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Delete what the retention (`RETENTION_*`) no longer keeps, now, as the scheduled job does.
    Prune,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add an account. Without --password (or DASHBOARD_NEW_PASSWORD) one is generated and printed.
    Add {
        /// The account's name.
        username: String,
        /// The account's role.
        #[arg(long, value_enum, default_value_t = RoleArg::Guest)]
        role: RoleArg,
        /// The password (visible to other local users in the process list; prefer the variable).
        #[arg(long, env = "DASHBOARD_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List accounts.
    List,
    /// Set an account's password and end its sessions.
    SetPassword {
        /// The account's name.
        username: String,
        /// The new password; generated and printed when absent.
        #[arg(long, env = "DASHBOARD_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Delete an account.
    Delete {
        /// The account's name.
        username: String,
    },
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Write requests as JSON lines, oldest first.
    Requests {
        /// Requests at or after this time (RFC 3339).
        #[arg(long)]
        from: Option<DateTime<Utc>>,
        /// Requests before this time (RFC 3339).
        #[arg(long)]
        to: Option<DateTime<Utc>>,
        /// Only this endpoint, e.g. "GET /users/{id}".
        #[arg(long)]
        endpoint: Option<String>,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    Admin,
    Guest,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Admin => Role::Admin,
            RoleArg::Guest => Role::Guest,
        }
    }
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database could not be opened.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sea_orm::DbErr),
    /// Hashing or randomness failed.
    #[error(transparent)]
    Accounts(#[from] AccountError),
    /// Writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The command cannot be done as asked.
    #[error("{0}")]
    Refused(String),
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("dashboard: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, &mut std::io::stdout())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("dashboard: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command, writing its report to `out`.
pub async fn run(cli: Cli, out: &mut impl Write) -> Result<(), CliError> {
    let mut sources = ConfigSources {
        file: cli.config,
        file_env: Some("DASHBOARD_CONFIG".to_owned()),
        overrides: Vec::new(),
    };
    if let Some(database) = cli.database {
        sources
            .overrides
            .push((Key::Database, RawValue::Text(database)));
    }
    let config = sources.load()?;
    let store = Store::open(config.database.expose(), &config.table_prefix).await?;
    match cli.command {
        Command::Migrate => {
            writeln!(
                out,
                "the {} database is up to date (tables prefixed `{}`)",
                store.backend_name(),
                config.table_prefix
            )?;
        }
        Command::User { command } => user(&store, command, out).await?,
        Command::Export {
            command:
                ExportCommand::Requests {
                    from,
                    to,
                    endpoint,
                    out: file,
                },
        } => {
            let filter = RequestFilter {
                from,
                to,
                endpoint,
                after_id: 0,
                limit: EXPORT_PAGE,
            };
            let written = export_requests(&store, filter, &file).await?;
            writeln!(out, "wrote {written} requests to {}", file.display())?;
        }
        Command::Prune => {
            let progress = indicatif::ProgressBar::new_spinner();
            let pruned = store
                .prune(
                    &config.retention(),
                    Utc::now(),
                    &crate::jobs::queue_name(&config),
                    |pruned| progress.set_message(format!("deleted {} rows", pruned.total())),
                )
                .await?;
            progress.finish_and_clear();
            writeln!(out, "deleted {pruned}")?;
        }
    }
    Ok(())
}

async fn user(store: &Store, command: UserCommand, out: &mut impl Write) -> Result<(), CliError> {
    match command {
        UserCommand::Add {
            username,
            role,
            password,
        } => {
            let (password, generated) = password_or_generated(password)?;
            if !store
                .insert_user(&username, &accounts::hash_password(&password)?, role.into())
                .await?
            {
                return Err(CliError::Refused(format!(
                    "the username `{username}` is taken"
                )));
            }
            writeln!(out, "added {} `{username}`", Role::from(role).as_str())?;
            if generated {
                writeln!(out, "password: {password}")?;
            }
        }
        UserCommand::List => {
            for user in store.users().await? {
                writeln!(
                    out,
                    "{:>5}  {:<24} {:<6} {}",
                    user.id,
                    user.username,
                    user.role,
                    user.created_at.format("%Y-%m-%d %H:%M UTC")
                )?;
            }
        }
        UserCommand::SetPassword { username, password } => {
            let user = find(store, &username).await?;
            let (password, generated) = password_or_generated(password)?;
            store
                .set_user_password(user.id, &accounts::hash_password(&password)?)
                .await?;
            writeln!(
                out,
                "set the password of `{username}`; its sessions have ended"
            )?;
            if generated {
                writeln!(out, "password: {password}")?;
            }
        }
        UserCommand::Delete { username } => {
            let user = find(store, &username).await?;
            store.delete_user(user.id).await?;
            writeln!(out, "deleted `{username}`")?;
        }
    }
    Ok(())
}

async fn find(store: &Store, username: &str) -> Result<crate::store::users::UserRow, CliError> {
    store
        .user_by_name(username)
        .await?
        .ok_or_else(|| CliError::Refused(format!("there is no account `{username}`")))
}

/// The given password (at least 8 characters), or a generated one.
fn password_or_generated(password: Option<String>) -> Result<(String, bool), CliError> {
    match password {
        Some(password) if password.chars().count() < crate::config::MIN_PASSWORD_CHARS => {
            Err(CliError::Refused(format!(
                "the password must have at least {} characters",
                crate::config::MIN_PASSWORD_CHARS
            )))
        }
        Some(password) => Ok((password, false)),
        None => Ok((accounts::random_token(20)?, true)),
    }
}

/// Creates `file` for the export: a new file (never an existing one, nor through a link),
/// readable by its owner only, since it holds users and addresses.
fn new_private_file(file: &std::path::Path) -> Result<std::fs::File, CliError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file).map_err(|error| match error.kind() {
        std::io::ErrorKind::AlreadyExists => CliError::Refused(format!(
            "{} exists already; choose a new file to export to",
            file.display()
        )),
        _ => CliError::Refused(format!("cannot create {}: {error}", file.display())),
    })
}

/// Writes every matching request as one JSON object per line, with a progress bar on a terminal.
async fn export_requests(
    store: &Store,
    mut filter: RequestFilter,
    file: &std::path::Path,
) -> Result<u64, CliError> {
    let total = store.count_requests(&filter).await?;
    let progress = indicatif::ProgressBar::new(total);
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} requests ({eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut writer = std::io::BufWriter::new(new_private_file(file)?);
    let mut written = 0;
    loop {
        let page = store.export_requests(&filter).await?;
        let (rows, last_id) = (page.len() as u64, page.last().map(|last| last.id));
        for row in page {
            let request = crate::api::views::exported_request(row);
            serde_json::to_writer(&mut writer, &request).map_err(std::io::Error::from)?;
            writer.write_all(b"\n")?;
        }
        written += rows;
        progress.set_position(written);
        match last_id {
            Some(last) if rows == filter.limit => filter.after_id = last,
            _ => break,
        }
    }
    writer.flush()?;
    progress.finish_and_clear();
    Ok(written)
}
