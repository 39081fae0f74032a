//! The classroom: `mando serve`, a live exercise in the browser. The
//! instructor plays the run, fires injects, takes the decisions the
//! scenario puts to the class, goes back and takes another path (a
//! branch), compares branches and saves the exercise. Walkthrough and API:
//! `docs/classroom.md`.

pub mod exercise;
pub mod server;
pub mod session;
pub mod view;

pub use session::Session;
