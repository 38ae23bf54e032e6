//! The live table of endpoints: id and monitoring level per method and route template.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use arc_swap::ArcSwap;
use axum::http::Method;

use crate::endpoint::EndpointState;

type Table = HashMap<Box<str>, Vec<(Method, Arc<EndpointState>)>>;

/// The method that names every non-standard method's endpoint, like the metrics' `_OTHER`.
static OTHER_METHOD: LazyLock<Method> = LazyLock::new(|| {
    Method::from_bytes(crate::metrics::OTHER_METHOD.as_bytes()).unwrap_or(Method::GET)
});

/// The method an endpoint is named by: one of the nine standard methods, or `_OTHER` for any
/// other, so that a client cannot create endpoints by inventing methods.
pub(crate) fn endpoint_method(method: &Method) -> Method {
    if crate::metrics::method_label(method) == crate::metrics::OTHER_METHOD {
        OTHER_METHOD.clone()
    } else {
        method.clone()
    }
}

/// Endpoints by route template, then method. Readers never lock: they load an immutable
/// snapshot; the writer task publishes a new snapshot when it registers an endpoint.
#[derive(Default)]
pub(crate) struct Endpoints {
    table: ArcSwap<Table>,
    /// Endpoints in the table.
    count: AtomicUsize,
}

impl Endpoints {
    /// The endpoint, if it has been registered.
    pub(crate) fn get(&self, method: &Method, route: &str) -> Option<Arc<EndpointState>> {
        let table = self.table.load();
        let methods = table.get(route)?;
        methods
            .iter()
            .find(|(m, _)| m == method)
            .map(|(_, state)| Arc::clone(state))
    }

    /// How many endpoints are registered.
    pub(crate) fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// Every registered endpoint.
    pub(crate) fn all(&self) -> Vec<Arc<EndpointState>> {
        self.table
            .load()
            .values()
            .flatten()
            .map(|(_, state)| Arc::clone(state))
            .collect()
    }

    /// The endpoint with this id, if registered.
    pub(crate) fn by_id(&self, id: i32) -> Option<Arc<EndpointState>> {
        self.table
            .load()
            .values()
            .flatten()
            .find(|(_, state)| state.id == id)
            .map(|(_, state)| Arc::clone(state))
    }

    /// `METHOD /route` of the endpoint with this id, if registered.
    pub(crate) fn name_of(&self, id: i32) -> Option<(Method, String)> {
        self.table.load().iter().find_map(|(route, methods)| {
            methods
                .iter()
                .find(|(_, state)| state.id == id)
                .map(|(method, _)| (method.clone(), route.to_string()))
        })
    }

    /// Publishes an endpoint; a second registration of the same one keeps the first.
    pub(crate) fn insert(
        &self,
        method: &Method,
        route: &str,
        state: Arc<EndpointState>,
    ) -> Arc<EndpointState> {
        if let Some(existing) = self.get(method, route) {
            return existing;
        }
        // The closure may run again when another insert raced it; the last run decides.
        let mut winner = Arc::clone(&state);
        self.table.rcu(|table| {
            let mut table = Table::clone(table);
            let methods = table.entry(route.into()).or_default();
            match methods.iter().find(|(m, _)| m == method) {
                Some((_, existing)) => winner = Arc::clone(existing),
                None => {
                    winner = Arc::clone(&state);
                    methods.push((method.clone(), Arc::clone(&state)));
                }
            }
            table
        });
        if Arc::ptr_eq(&winner, &state) {
            self.count.fetch_add(1, Ordering::Relaxed);
        }
        winner
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MonitorLevel;

    #[test]
    fn endpoints_are_found_by_method_and_route() {
        let endpoints = Endpoints::default();
        assert!(endpoints.get(&Method::GET, "/users/{id}").is_none());
        endpoints.insert(
            &Method::GET,
            "/users/{id}",
            Arc::new(EndpointState::new(1, MonitorLevel::PERFORMANCE)),
        );
        endpoints.insert(
            &Method::POST,
            "/users/{id}",
            Arc::new(EndpointState::new(2, MonitorLevel::DISABLED)),
        );
        let again = endpoints.insert(
            &Method::GET,
            "/users/{id}",
            Arc::new(EndpointState::new(9, MonitorLevel::DISABLED)),
        );
        assert_eq!(again.id, 1, "the first registration wins");
        assert_eq!(
            endpoints.get(&Method::GET, "/users/{id}").map(|e| e.id),
            Some(1)
        );
        assert_eq!(
            endpoints
                .get(&Method::POST, "/users/{id}")
                .map(|e| e.level()),
            Some(MonitorLevel::DISABLED)
        );
        assert!(endpoints.get(&Method::DELETE, "/users/{id}").is_none());
        assert_eq!(endpoints.len(), 2);
        assert_eq!(
            endpoints.name_of(2),
            Some((Method::POST, "/users/{id}".to_owned()))
        );
    }

    #[test]
    fn only_standard_methods_name_endpoints() {
        assert_eq!(endpoint_method(&Method::PATCH), Method::PATCH);
        let invented = Method::from_bytes(b"FOO1").unwrap();
        assert_eq!(endpoint_method(&invented).as_str(), "_OTHER");
        let long = Method::from_bytes("X".repeat(3000).as_bytes()).unwrap();
        assert_eq!(endpoint_method(&long).as_str(), "_OTHER");
    }
}
