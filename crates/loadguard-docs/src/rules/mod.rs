//! Rules of the document scanner: one file per rule.

pub mod attribute_instruction;
pub mod campaign;
pub mod comment_instruction;
pub mod hidden_style;
pub mod not_fully_read;
pub mod offscreen_text;
pub mod same_colour_text;
pub mod tiny_text;

use loadguard_core::Rule;

/// Every document rule, in code order.
pub static ALL: &[&Rule] = &[
    &hidden_style::RULE,
    &tiny_text::RULE,
    &same_colour_text::RULE,
    &offscreen_text::RULE,
    &comment_instruction::RULE,
    &attribute_instruction::RULE,
    &not_fully_read::RULE,
    &campaign::RULE,
];
