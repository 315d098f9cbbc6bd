//! Rules of the container layer: one file per rule.

pub mod container_limit;
pub mod corrupt_data;
pub mod decompression_limit;
pub mod executable_member;
pub mod file_changed;
pub mod format_polyglot;
pub mod lfs_pointer;
pub mod not_scanned;
pub mod npy_header;
pub mod path_traversal;
pub mod special_member;
pub mod torchscript_code;
pub mod unsupported_compression;
pub mod zip_bad_crc;
pub mod zip_duplicate_member;
pub mod zip_flag_bits;
pub mod zip_hidden_member;
pub mod zip_malformed;
pub mod zip_name_mismatch;
pub mod zip_overlapping_members;
pub mod zip_prepended_data;

use loadguard_core::Rule;

/// Every container rule, in code order.
pub static ALL: &[&Rule] = &[
    &zip_name_mismatch::RULE,
    &zip_duplicate_member::RULE,
    &zip_flag_bits::RULE,
    &zip_bad_crc::RULE,
    &zip_hidden_member::RULE,
    &zip_overlapping_members::RULE,
    &zip_prepended_data::RULE,
    &zip_malformed::RULE,
    &unsupported_compression::RULE,
    &executable_member::RULE,
    &path_traversal::RULE,
    &special_member::RULE,
    &decompression_limit::RULE,
    &container_limit::RULE,
    &corrupt_data::RULE,
    &torchscript_code::RULE,
    &npy_header::RULE,
    &format_polyglot::RULE,
    &lfs_pointer::RULE,
];
