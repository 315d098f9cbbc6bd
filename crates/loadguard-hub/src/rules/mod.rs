//! Rules of Hub repositories and caches: one file per rule.

pub mod cache_symlink_escape;
pub mod hub_reports_unsafe;
pub mod pickle_beside_safetensors;
pub mod remote_read;
pub mod unpinned_revision;

use loadguard_core::Rule;

/// Every hub rule, in code order.
pub static ALL: &[&Rule] = &[
    &unpinned_revision::RULE,
    &remote_read::RULE,
    &cache_symlink_escape::RULE,
    &pickle_beside_safetensors::RULE,
    &hub_reports_unsafe::RULE,
];
