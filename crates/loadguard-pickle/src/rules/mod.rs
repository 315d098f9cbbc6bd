//! One file per rule. A rule's doc comment is its documentation
//! (`loadguard explain CODE`).

pub mod attribute_gadget;
pub mod callback_invoker;
pub mod code_execution;
pub mod command_execution;
pub mod dynamic_call;
pub mod dynamic_import;
pub mod extension_registry;
pub mod filesystem_access;
pub mod global_mutation;
pub mod limit_exceeded;
pub mod malformed;
pub mod native_code;
pub mod nested_deserializer;
pub mod network_access;
pub mod obfuscation_gadget;
pub mod package_install;
pub mod parser_differential;
pub mod process_control;
pub mod scanner_tampering;
pub mod trailing_data;
pub mod unknown_callable;
pub mod unknown_global;
pub mod unresolved_global;

use loadguard_core::Rule;

/// Every rule of the pickle engine, in code order.
pub static ALL: &[&Rule] = &[
    &unknown_callable::RULE,
    &unknown_global::RULE,
    &unresolved_global::RULE,
    &extension_registry::RULE,
    &global_mutation::RULE,
    &dynamic_call::RULE,
    &malformed::RULE,
    &limit_exceeded::RULE,
    &parser_differential::RULE,
    &trailing_data::RULE,
    &command_execution::RULE,
    &code_execution::RULE,
    &dynamic_import::RULE,
    &attribute_gadget::RULE,
    &obfuscation_gadget::RULE,
    &callback_invoker::RULE,
    &nested_deserializer::RULE,
    &native_code::RULE,
    &network_access::RULE,
    &filesystem_access::RULE,
    &package_install::RULE,
    &process_control::RULE,
    &scanner_tampering::RULE,
];
