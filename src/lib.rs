//! zhibiao (指标): indicator tracking for a district science & technology bureau.
//!
//! Layers, each depending only on those above it in this list:
//! `domain` (pure rules) → `store` (SQLite) → `engine` (questions and changes) →
//! `http` (JSON API) and `cli` (command line). `charts` and `transfer` (files in and out) are
//! pure, beside `domain`.

pub mod charts;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod error;
pub mod http;
pub mod reports;
pub mod store;
pub mod transfer;
pub mod web;
