//! Integration tests: one binary, the real server over HTTP, a fresh database file per test.

mod access;
mod assessment;
mod browser;
mod charts;
mod computation;
mod crawl;
mod demo;
mod departments;
mod faults;
mod helpers;
mod import_limits;
mod imports;
mod matrix;
mod plans;
mod real_data;
mod rectification_demo;
mod rectification_pages;
mod reports;
mod resources;
mod security;
mod submission;
mod supervision;
mod targets;
mod timing;
mod workflow;
mod year_end;
