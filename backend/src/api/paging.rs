//! Paging of long answers: one reading of `limit`, and one answer to a cursor the API did not
//! hand out.

use super::ApiError;

/// `asked`, or `default`, checked to lie between 1 and `max`.
pub(crate) fn limit(asked: Option<u64>, default: u64, max: u64) -> Result<u64, ApiError> {
    let limit = asked.unwrap_or(default);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {max}"
        )))
    }
}

/// The answer to a cursor that is no `next_cursor` of this API.
pub(crate) fn bad_cursor() -> ApiError {
    ApiError::BadRequest("cursor must be a next_cursor of this API".to_owned())
}
