//! Rules of the format validators: one file per rule.

pub mod gg_bounds;
pub mod gg_chat_template;
pub mod gg_duplicate;
pub mod gg_header;
pub mod gg_tensor;
pub mod kr_config;
pub mod kr_external_reference;
pub mod kr_lambda;
pub mod kr_untrusted_module;
pub mod ox_custom_domain;
pub mod ox_external_path;
pub mod ox_malformed;
pub mod ox_missing_external;
pub mod ox_tensor_size;
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
pub mod tf_dangerous_op;

use loadguard_core::Rule;

/// Every format rule, in code order.
pub static ALL: &[&Rule] = &[
    &gg_header::RULE,
    &gg_bounds::RULE,
    &gg_tensor::RULE,
    &gg_duplicate::RULE,
    &gg_chat_template::RULE,
    &kr_lambda::RULE,
    &kr_untrusted_module::RULE,
    &kr_external_reference::RULE,
    &kr_config::RULE,
    &ox_malformed::RULE,
    &ox_external_path::RULE,
    &ox_custom_domain::RULE,
    &ox_tensor_size::RULE,
    &ox_missing_external::RULE,
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
    &tf_dangerous_op::RULE,
];
