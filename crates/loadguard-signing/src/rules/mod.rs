//! Rules of signature verification: one file per rule.

pub mod sig_excluded;
pub mod sig_invalid;
pub mod sig_manifest;
pub mod sig_missing;
pub mod sig_unverified;
pub mod sig_verified;

use loadguard_core::Rule;

/// Every signing rule, in code order.
pub static ALL: &[&Rule] = &[
    &sig_missing::RULE,
    &sig_invalid::RULE,
    &sig_manifest::RULE,
    &sig_unverified::RULE,
    &sig_verified::RULE,
    &sig_excluded::RULE,
];
