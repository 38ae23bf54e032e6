//! Dashboard accounts: password hashing with argon2id, generated secrets, and seeding the admin
//! account from the configuration.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use dashboard_shared::Role;

use crate::config::{Config, Secret};
use crate::store::Store;

/// Characters of generated passwords and tokens: 64 of them, so each random byte maps to one
/// without bias.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The operating system's random source failed.
    #[error("no randomness available: {0}")]
    Random(String),
    /// Hashing failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// A random string of `len` characters from a 64-character alphabet (6 bits each).
pub(crate) fn random_token(len: usize) -> Result<String, AccountError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|err| AccountError::Random(err.to_string()))?;
    Ok(bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(byte & 63)]))
        .collect())
}

/// The argon2id PHC string of a password, with a fresh random salt.
pub(crate) fn hash_password(password: &str) -> Result<String, AccountError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|err| AccountError::Random(err.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|err| AccountError::Hash(err.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| AccountError::Hash(err.to_string()))
}

/// Whether `password` matches the stored hash; a malformed hash matches nothing.
pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Makes sure the admin account of `USERNAME` exists. With `PASSWORD` set, the stored password
/// follows it; without, a new account gets a generated password, which is returned so that it can
/// be shown once.
pub(crate) async fn seed_admin(
    store: &Store,
    config: &Config,
) -> Result<Option<Secret>, AccountError> {
    let existing = store.user_by_name(&config.username).await?;
    match (&config.password, existing) {
        (Some(password), None) => {
            store
                .insert_user(
                    &config.username,
                    &hash_password(password.expose())?,
                    Role::Admin,
                )
                .await?;
            Ok(None)
        }
        (Some(password), Some(user)) => {
            if !verify_password(password.expose(), &user.password_hash)
                || user.role() != Some(Role::Admin)
            {
                store
                    .update_user_credentials(
                        user.id,
                        &hash_password(password.expose())?,
                        Role::Admin,
                    )
                    .await?;
            }
            Ok(None)
        }
        (None, Some(_)) => Ok(None),
        (None, None) => {
            let password = random_token(20)?;
            let created = store
                .insert_user(&config.username, &hash_password(&password)?, Role::Admin)
                .await?;
            // Another process may have created the account first; then its password stands.
            Ok(created.then(|| Secret::new(password)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsf", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_of_the_alphabet() {
        let a = random_token(32).unwrap();
        let b = random_token(32).unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
    }
}
