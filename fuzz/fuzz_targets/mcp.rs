//! The MCP scanner on arbitrary bytes: the first byte picks the file name
//! (which syntax or language is tried), the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "mcp.json", "config.toml", "config.yaml", "server.py", "server.ts", "server.js", "app.tsx", "package.json",
    "setup.py", "tools.json",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    // Source files are recognised by their SDK import: add one so that
    // arbitrary code reaches the analysis.
    let mut bytes = rest.to_vec();
    if name.ends_with(".py") {
        bytes.splice(0..0, b"from mcp.server.fastmcp import FastMCP\n".iter().copied());
    } else if name.ends_with("s") || name.ends_with("x") {
        bytes.splice(0..0, b"import { McpServer } from \"@modelcontextprotocol/sdk/server/mcp.js\";\n".iter().copied());
    }
    let lock = loadguard_mcp::Lock::default();
    if let Some(s) = loadguard_mcp::scan(name, &bytes, Some(&lock)) {
        for f in &s.findings {
            assert!(!f.message.is_empty());
        }
    }
});
