//! Paging of long answers: one reading of `limit`, pages by offset, and one answer to a cursor
//! the API did not hand out.

use super::ApiError;

/// Items per page by default, and at most, of the answers paged by offset.
const DEFAULT_PAGE: u64 = 10;
const MAX_PAGE: u64 = 100;

/// The checked offset and limit of a page by offset (outliers, exception groups, profiles). An
/// offset past what SQL can skip (`i64::MAX`) is refused here rather than overflowing in the
/// query builder.
pub(crate) fn page(offset: Option<u64>, limit: Option<u64>) -> Result<(u64, u64), ApiError> {
    let limit = self::limit(limit, DEFAULT_PAGE, MAX_PAGE)?;
    let offset = offset.unwrap_or(0);
    if i64::try_from(offset).is_err() {
        return Err(ApiError::BadRequest(format!(
            "offset must be at most {}",
            i64::MAX
        )));
    }
    Ok((offset, limit))
}

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
