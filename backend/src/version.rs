//! The application version recorded with every request: `APP_VERSION`, or with `GIT` the short
//! commit id of the repository's HEAD (which wins, as in the reference).

use std::path::{Path, PathBuf};

use crate::config::Config;

/// Why the `GIT` repository cannot give a version.
#[derive(Debug, thiserror::Error)]
#[error("`GIT` = {}: {message}", path.display())]
pub struct GitError {
    /// The configured path.
    pub path: PathBuf,
    /// What git said.
    pub message: String,
}

/// The version to record, and the commit when it comes from git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AppVersion {
    pub(crate) version: String,
    pub(crate) git_commit: Option<String>,
}

/// Reads the version once, at start.
pub(crate) fn resolve(config: &Config) -> Result<AppVersion, GitError> {
    match &config.git {
        None => Ok(AppVersion {
            version: config.app_version.clone(),
            git_commit: None,
        }),
        Some(path) => {
            let commit = head_commit(path).map_err(|err| GitError {
                path: path.clone(),
                message: err.message().to_owned(),
            })?;
            Ok(AppVersion {
                version: commit.clone(),
                git_commit: Some(commit),
            })
        }
    }
}

/// The short id (7 hex digits) of the commit HEAD points at. Works for a `.git` folder, a working
/// tree, a worktree's `.git` file, packed refs and a detached HEAD.
fn head_commit(path: &Path) -> Result<String, git2::Error> {
    let repository = git2::Repository::open(path)?;
    let commit = repository.head()?.peel_to_commit()?;
    let id = commit.id().to_string();
    Ok(id.chars().take(7).collect())
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let output = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.invalid",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    fn repository_with_two_commits() -> (tempfile::TempDir, String, String) {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        std::fs::write(dir.path().join("a"), "1").unwrap();
        git(dir.path(), &["add", "a"]);
        git(dir.path(), &["commit", "-qm", "first"]);
        let first = git(dir.path(), &["rev-parse", "--short=7", "HEAD"]);
        std::fs::write(dir.path().join("a"), "2").unwrap();
        git(dir.path(), &["commit", "-qam", "second"]);
        let second = git(dir.path(), &["rev-parse", "--short=7", "HEAD"]);
        (dir, first, second)
    }

    fn version_of(path: &Path) -> Result<AppVersion, GitError> {
        resolve(&Config {
            git: Some(path.to_owned()),
            app_version: "9.9".into(),
            ..Config::default()
        })
    }

    #[test]
    fn the_head_commit_wins_over_app_version() {
        let (dir, _, second) = repository_with_two_commits();
        let expected = AppVersion {
            version: second.clone(),
            git_commit: Some(second),
        };
        assert_eq!(version_of(&dir.path().join(".git")).unwrap(), expected);
        assert_eq!(
            version_of(dir.path()).unwrap(),
            expected,
            "the working tree works too"
        );
        assert_eq!(resolve(&Config::default()).unwrap().version, "1.0");
    }

    #[test]
    fn packed_refs_detached_heads_and_worktrees_work() {
        let (dir, first, second) = repository_with_two_commits();
        git(dir.path(), &["pack-refs", "--all"]);
        assert_eq!(version_of(dir.path()).unwrap().version, second);
        let worktree = dir.path().join("wt");
        git(
            dir.path(),
            &[
                "worktree",
                "add",
                "-q",
                "--detach",
                worktree.to_str().unwrap(),
                &first,
            ],
        );
        assert_eq!(
            version_of(&worktree).unwrap().version,
            first,
            "a worktree with a detached HEAD"
        );
        git(dir.path(), &["checkout", "-q", "--detach", &first]);
        assert_eq!(version_of(dir.path()).unwrap().version, first);
    }

    #[test]
    fn a_broken_path_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = version_of(&dir.path().join("nope"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("`GIT` = ") && err.contains("nope"), "{err}");
    }
}
