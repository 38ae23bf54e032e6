//! Custom graphs: a user's async function, called on a schedule, whose numbers are stored.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::schedule::Schedule;

/// What a custom graph's function may return: a number, or a `Result` of one whose error is
/// logged (the tick is then retried).
pub trait GraphValue {
    /// The value to store, or why there is none.
    fn into_graph_value(self) -> Result<f64, GraphError>;
}

/// Why a custom graph's function gave no value for a tick.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// It returned NaN or an infinity.
    #[error("{0} is not a finite number")]
    NotFinite(f64),
    /// It returned an error; this is the error's message.
    #[error("{0}")]
    Failed(String),
    /// It panicked, with this message.
    #[error("it panicked: {0}")]
    Panicked(String),
    /// Its task was cancelled (the runtime is shutting down).
    #[error("its task was cancelled")]
    Cancelled,
}

macro_rules! graph_value_as_f64 {
    ($($number:ty),*) => {$(
        impl GraphValue for $number {
            fn into_graph_value(self) -> Result<f64, GraphError> {
                let value = self as f64;
                if value.is_finite() {
                    Ok(value)
                } else {
                    Err(GraphError::NotFinite(value))
                }
            }
        }
    )*};
}

graph_value_as_f64!(
    f64, f32, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

impl<T: GraphValue, E: fmt::Display> GraphValue for Result<T, E> {
    fn into_graph_value(self) -> Result<f64, GraphError> {
        self.map_err(|error| GraphError::Failed(error.to_string()))?
            .into_graph_value()
    }
}

/// A graph's function with its output made a number.
pub(crate) type GraphFn =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<f64, GraphError>> + Send>> + Send + Sync>;

/// A graph as the builder was given it.
#[derive(Clone)]
pub(crate) struct GraphSpec {
    pub(crate) title: String,
    pub(crate) schedule: Schedule,
    pub(crate) function: GraphFn,
}

impl GraphSpec {
    /// Wraps a user's function.
    pub(crate) fn new<F, Fut>(title: String, schedule: Schedule, function: F) -> GraphSpec
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: GraphValue,
    {
        GraphSpec {
            title,
            schedule,
            function: Arc::new(move || {
                let value = function();
                Box::pin(async move { value.await.into_graph_value() })
            }),
        }
    }
}

/// Calls a graph's function on its own task, so that a panic in it becomes an error for this
/// tick and nothing else.
pub(crate) async fn measure(function: &GraphFn) -> Result<f64, GraphError> {
    match tokio::spawn(function()).await {
        Ok(value) => value,
        Err(error) if error.is_panic() => Err(GraphError::Panicked(
            crate::exception::panic_message(error.into_panic().as_ref()),
        )),
        Err(_) => Err(GraphError::Cancelled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_results_of_numbers_are_values() {
        assert_eq!(3u32.into_graph_value(), Ok(3.0));
        assert_eq!((-2i64).into_graph_value(), Ok(-2.0));
        assert_eq!(Ok::<_, String>(1.5f64).into_graph_value(), Ok(1.5));
        assert_eq!(
            Err::<u8, _>("database down").into_graph_value(),
            Err(GraphError::Failed("database down".to_owned()))
        );
        assert!(matches!(
            f64::NAN.into_graph_value(),
            Err(GraphError::NotFinite(nan)) if nan.is_nan()
        ));
    }

    #[tokio::test]
    async fn a_panicking_function_is_an_error_of_its_tick() {
        let spec = GraphSpec::new("boom".to_owned(), Schedule::cron("* * * * * *"), || async {
            if true {
                panic!("no users table");
            }
            1
        });
        let error = measure(&spec.function).await.unwrap_err();
        assert_eq!(error, GraphError::Panicked("no users table".to_owned()));
    }
}
