//! Rules of the MCP scanner: one file per rule. `MCP0xx` are about client
//! configs, `MCP1xx` about tool text, `MCP2xx` about server source.

pub mod broad_filesystem;
pub mod code_injection;
pub mod command_injection;
pub mod config_secret;
pub mod credential_access;
pub mod description_mismatch;
pub mod download_and_run;
pub mod exfiltration;
pub mod insecure_remote;
pub mod install_hook;
pub mod obfuscated_code;
pub mod path_traversal;
pub mod persistence;
pub mod privileged_container;
pub mod sabotage;
pub mod shell_wrapper;
pub mod sql_injection;
pub mod ssrf;
pub mod template_injection;
pub mod tool_changed;
pub mod tool_exfiltration;
pub mod tool_instruction_tag;
pub mod tool_padding;
pub mod tool_schema_instruction;
pub mod tool_sensitive_path;
pub mod tool_shadowing;
pub mod tool_unresolved;
pub mod tool_wording;
pub mod unknown_entry;
pub mod unpinned_package;
pub mod unsafe_deserialization;
pub mod untrusted_launch_path;
pub mod vulnerable_package;

use loadguard_core::Rule;

/// Every MCP rule, in code order.
pub static ALL: &[&Rule] = &[
    &config_secret::RULE,
    &unpinned_package::RULE,
    &shell_wrapper::RULE,
    &download_and_run::RULE,
    &insecure_remote::RULE,
    &broad_filesystem::RULE,
    &privileged_container::RULE,
    &untrusted_launch_path::RULE,
    &unknown_entry::RULE,
    &vulnerable_package::RULE,
    &tool_instruction_tag::RULE,
    &tool_sensitive_path::RULE,
    &tool_exfiltration::RULE,
    &tool_shadowing::RULE,
    &tool_schema_instruction::RULE,
    &tool_padding::RULE,
    &tool_wording::RULE,
    &tool_changed::RULE,
    &tool_unresolved::RULE,
    &command_injection::RULE,
    &code_injection::RULE,
    &path_traversal::RULE,
    &ssrf::RULE,
    &unsafe_deserialization::RULE,
    &sql_injection::RULE,
    &template_injection::RULE,
    &exfiltration::RULE,
    &credential_access::RULE,
    &persistence::RULE,
    &sabotage::RULE,
    &description_mismatch::RULE,
    &install_hook::RULE,
    &obfuscated_code::RULE,
];
