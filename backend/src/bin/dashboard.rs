//! `dashboard`: migrate, manage accounts and export requests from the command line.

fn main() -> std::process::ExitCode {
    axum_monitoring_dashboard::cli::main()
}
