//! The browser and HTTP tests of the built demo and of a service outside the workspace, in one
//! binary. The API fuzzing (`fuzz.rs`) runs in its own: schemathesis keeps both cores busy, and
//! the browser tests' waits should not share them with it.

mod access;
mod alerts;
mod calls;
mod charts;
mod endpoint;
mod incidents;
mod layout;
mod outside;
mod overview;
mod profiler;
mod prometheus;
mod scheduled;
mod servers;
mod views;
