//! Dashboard accounts: password hashing with argon2id, generated secrets, and seeding the admin
//! account from the configuration.

use argon2::Argon2;
use std::sync::Mutex;

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use dashboard_shared::Role;

use crate::config::{Config, Secret};
use crate::store::Store;

/// Characters of generated passwords and tokens: 64 of them, so each random byte maps to one
/// without bias.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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

/// The longest username an account may have, in bytes.
pub(crate) const MAX_USERNAME_BYTES: usize = 100;

/// Whether `password` matches the stored hash, or one of them: an account may have several
/// passwords (the reference's list of guest passwords), stored one PHC string per line. A
/// malformed hash matches nothing.
pub(crate) fn verify_password(password: &str, hashes: &str) -> bool {
    hashes.lines().any(|hash| {
        PasswordHash::new(hash).is_ok_and(|parsed| verify_one(password.as_bytes(), &parsed))
    })
}

/// The argon2 working memory of finished verifications, kept for the next ones: each needs
/// 19 MiB, and allocating it anew on whichever blocking thread runs it would leave that much
/// in the allocator's arena of every such thread. The callers run at most one verification
/// per core at a time (the login throttle's permits), so this holds at most as many buffers.
static WORKING_MEMORY: Mutex<Vec<Vec<argon2::Block>>> = Mutex::new(Vec::new());

/// Verifies one argon2 hash, in working memory reused across verifications.
fn verify_one(password: &[u8], hash: &PasswordHash<'_>) -> bool {
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
        argon2::Algorithm::try_from(hash.algorithm),
        argon2::Params::try_from(hash),
        hash.salt,
        hash.hash,
    ) else {
        return false;
    };
    let version = match hash.version.map(argon2::Version::try_from) {
        None => argon2::Version::default(),
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let mut salt_bytes = [0_u8; argon2::password_hash::Salt::MAX_LENGTH];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut memory = WORKING_MEMORY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .pop()
        .unwrap_or_default();
    memory.resize(params.block_count(), argon2::Block::default());
    let mut output = vec![0_u8; expected.len()];
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password,
        salt,
        &mut output,
        &mut memory,
    );
    WORKING_MEMORY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(memory);
    hashed.is_ok()
        && bool::from(subtle::ConstantTimeEq::ct_eq(
            output.as_slice(),
            expected.as_bytes(),
        ))
}

/// The stored form of several passwords: one hash per line.
fn hash_passwords(passwords: &[Secret]) -> Result<String, AccountError> {
    let hashes = passwords
        .iter()
        .map(|password| hash_password(password.expose()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(hashes.join("\n"))
}

/// Passwords generated at this start, to be shown once.
#[derive(Debug, Default)]
pub(crate) struct GeneratedPasswords {
    pub(crate) admin: Option<Secret>,
    pub(crate) guest: Option<Secret>,
}

/// Makes sure the admin account of `USERNAME` and the guest account of `GUEST_USERNAME` exist.
/// Configured passwords (`PASSWORD`, `GUEST_PASSWORD`: one or a list) are what the stored ones
/// follow; an account without a configured password gets a generated one when it is created,
/// returned so that it can be shown once.
pub(crate) async fn seed_accounts(
    store: &Store,
    config: &Config,
) -> Result<GeneratedPasswords, AccountError> {
    let admin_passwords: Vec<Secret> = config.password.iter().cloned().collect();
    Ok(GeneratedPasswords {
        admin: seed_account(store, &config.username, &admin_passwords, Role::Admin).await?,
        guest: seed_account(
            store,
            &config.guest_username,
            &config.guest_passwords,
            Role::Guest,
        )
        .await?,
    })
}

async fn seed_account(
    store: &Store,
    username: &str,
    passwords: &[Secret],
    role: Role,
) -> Result<Option<Secret>, AccountError> {
    let existing = store.user_by_name(username).await?;
    match (passwords.is_empty(), existing) {
        (false, None) => {
            store
                .insert_user(username, &hash_passwords(passwords)?, role)
                .await?;
            Ok(None)
        }
        (false, Some(user)) => {
            let same_passwords = user.password_hash.lines().count() == passwords.len()
                && passwords
                    .iter()
                    .all(|password| verify_password(password.expose(), &user.password_hash));
            if !same_passwords || user.role() != Some(role) {
                store
                    .update_user_credentials(user.id, &hash_passwords(passwords)?, role)
                    .await?;
            }
            Ok(None)
        }
        (true, Some(_)) => Ok(None),
        (true, None) => {
            let password = random_token(20)?;
            let created = store
                .insert_user(username, &hash_password(&password)?, role)
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
    fn any_of_several_passwords_verifies() {
        let hashes = hash_passwords(&[Secret::new("first"), Secret::new("second")]).unwrap();
        assert_eq!(hashes.lines().count(), 2);
        assert!(verify_password("first", &hashes) && verify_password("second", &hashes));
        assert!(!verify_password("third", &hashes));
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
