//! Rules of the format validators: one file per rule.

pub mod st_duplicate_key;
pub mod st_embedded_payload;
pub mod st_header_invalid;
pub mod st_header_length;
pub mod st_metadata;
pub mod st_offsets;
pub mod st_polyglot;
pub mod st_size_mismatch;
pub mod st_tensor_entry;
pub mod st_trailing_data;

use loadguard_core::Rule;

/// Every format rule, in code order.
pub static ALL: &[&Rule] = &[
    &st_header_length::RULE,
    &st_header_invalid::RULE,
    &st_duplicate_key::RULE,
    &st_tensor_entry::RULE,
    &st_offsets::RULE,
    &st_size_mismatch::RULE,
    &st_trailing_data::RULE,
    &st_metadata::RULE,
    &st_polyglot::RULE,
    &st_embedded_payload::RULE,
];
