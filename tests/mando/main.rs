//! Integration tests, one binary of topic modules (see each module's doc).

mod common;

mod authority;
mod batch;
mod behaviour;
mod changes;
mod classroom;
mod cli;
mod command;
mod conflict;
mod contract;
mod detention;
mod determinism;
mod format_doc;
mod fuzz;
mod golden;
mod harm;
mod headline;
mod invariants;
mod knobs;
mod properties;
mod purpose;
mod report;
mod scenarios;
mod site;
mod tasks;
mod validation;
