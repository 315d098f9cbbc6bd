//! Rules of the agent-text engine: one file per rule.

pub mod agent_instruction;
pub mod card_hygiene;
pub mod deceptive_link;
pub mod download_and_run;
pub mod exfiltration_link;
pub mod front_matter;
pub mod hidden_markup;
pub mod instruction_override;
pub mod invisible_characters;
pub mod lookalike_domain;
pub mod remote_code;
pub mod role_marker;
pub mod secrecy_request;
pub mod secret_reference;
pub mod tag_characters;
pub mod trust_remote_code;

use loadguard_core::Rule;

/// Every text rule, in code order.
pub static ALL: &[&Rule] = &[
    &tag_characters::RULE,
    &invisible_characters::RULE,
    &hidden_markup::RULE,
    &agent_instruction::RULE,
    &instruction_override::RULE,
    &role_marker::RULE,
    &secrecy_request::RULE,
    &download_and_run::RULE,
    &secret_reference::RULE,
    &exfiltration_link::RULE,
    &deceptive_link::RULE,
    &lookalike_domain::RULE,
    &trust_remote_code::RULE,
    &card_hygiene::RULE,
    &front_matter::RULE,
    &remote_code::RULE,
];
