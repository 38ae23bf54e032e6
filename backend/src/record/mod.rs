//! From the hot path to the database: one writer task that takes measurements off a bounded
//! queue in batches, registers new endpoints, and stores request rows and hourly rollups in one
//! transaction per batch.

mod calls;
mod writer;

pub(crate) use calls::CallResolver;

pub(crate) use writer::{STOP_TIMEOUT, Writer};
