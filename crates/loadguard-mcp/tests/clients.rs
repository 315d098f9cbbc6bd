//! Every client's config shape reads into the same servers, and each
//! fixture raises the findings its entries deserve (and no others).

use std::path::PathBuf;

use loadguard_mcp::{Artifact, config, document};

fn fixture(name: &str) -> (String, String) {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/mcp/clients")
        .join(name);
    (
        name.to_owned(),
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
}

/// (server key, argv or url) of every server of a fixture.
fn servers(name: &str) -> Vec<(String, String)> {
    let (name, text) = fixture(name);
    let (_, v) = document::parse(&name, &text).expect("parses");
    let cfg = config::servers(&v).expect("is an MCP config");
    cfg.servers
        .into_iter()
        .map(|s| (s.key, s.url.unwrap_or_else(|| s.argv.join(" "))))
        .collect()
}

/// Rule codes found in a fixture, with the server key they name.
fn findings(name: &str) -> Vec<(String, String)> {
    let (name, text) = fixture(name);
    let scanned = loadguard_mcp::scan(&name, text.as_bytes(), None).expect("recognised");
    assert_eq!(scanned.artifact, Artifact::Config, "{name}");
    let mut out: Vec<(String, String)> = scanned
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.code.to_owned(),
                f.location.logical.clone().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn claude_code_reads_user_and_project_servers() {
    assert_eq!(
        servers("claude.json"),
        pairs(&[
            ("mcpServers.fetch", "uvx mcp-server-fetch==2025.4.7"),
            (
                "projects./home/me/shop.mcpServers.db",
                "bash -c source .env && node db-server.js"
            ),
            (
                "projects./home/me/shop.mcpServers.sentry",
                "https://mcp.sentry.dev/mcp"
            ),
        ])
    );
    assert_eq!(
        findings("claude.json"),
        pairs(&[
            ("MCP003", "projects./home/me/shop.mcpServers.db.command"),
            ("MCP005", "projects./home/me/shop.mcpServers.sentry.url"),
        ])
    );
}

#[test]
fn vscode_jsonc_with_inputs_and_settings() {
    assert_eq!(
        servers("vscode-mcp.json"),
        pairs(&[
            ("servers.perplexity", "npx -y server-perplexity-ask@0.1.3"),
            ("servers.remote", "http://192.168.1.20:3000/mcp"),
        ])
    );
    // `${input:...}` is a reference, not a secret; the LAN remote is plain HTTP.
    assert_eq!(
        findings("vscode-mcp.json"),
        pairs(&[("MCP005", "servers.remote.url")])
    );
    assert_eq!(
        findings("vscode-settings.json"),
        pairs(&[
            ("MCP002", "mcp.servers.everything.args"),
            ("MCP007", "mcp.servers.everything.args"),
        ])
    );
}

#[test]
fn codex_toml_zed_and_opencode_shapes() {
    assert_eq!(
        servers("codex-config.toml"),
        pairs(&[
            (
                "mcp_servers.docs",
                "npx -y mcp-remote@0.1.15 https://docs.example.com/sse"
            ),
            (
                "mcp_servers.sqlite",
                "uvx mcp-server-sqlite==0.6.2 --db-path /home/me/data.db"
            ),
        ])
    );
    assert_eq!(
        findings("codex-config.toml"),
        pairs(&[
            ("MCP001", "mcp_servers.sqlite.env.OPENAI_API_KEY"),
            ("MCP010", "mcp_servers.docs.args")
        ])
    );
    // Zed: a command object, a plain command, and an extension (no launch line).
    let zed = servers("zed-settings.json");
    assert_eq!(
        zed[1],
        (
            "context_servers.git".to_owned(),
            "uvx mcp-server-git==2025.9.25".to_owned()
        )
    );
    assert!(
        zed[2].0 == "context_servers.postgres"
            && zed[2]
                .1
                .starts_with("npx -y @modelcontextprotocol/server-postgres")
    );
    assert_eq!(
        findings("zed-settings.json"),
        pairs(&[("MCP002", "context_servers.postgres.args")])
    );
    // opencode: the command is an array; `{env:...}` headers are references.
    assert_eq!(
        servers("opencode.json"),
        pairs(&[
            ("mcp.local-tools", "bun x my-mcp-command"),
            ("mcp.remote-ctx", "https://mcp.context7.com/mcp")
        ])
    );
    assert_eq!(
        findings("opencode.json"),
        pairs(&[("MCP002", "mcp.local-tools.args")])
    );
}

#[test]
fn yaml_clients_continue_and_goose() {
    assert_eq!(
        servers("continue-config.yaml"),
        pairs(&[
            ("mcpServers.SQLite", "npx -y mcp-sqlite /home/me/app.db"),
            ("mcpServers.Shell", "cmd /c python C:\\tools\\server.py"),
        ])
    );
    assert_eq!(
        findings("continue-config.yaml"),
        pairs(&[
            ("MCP002", "mcpServers.SQLite.args"),
            ("MCP003", "mcpServers.Shell.command")
        ])
    );
    // Goose's builtin extension has no launch line and is not an unknown entry.
    assert_eq!(servers("goose-config.yaml").len(), 2);
    assert_eq!(
        findings("goose-config.yaml"),
        pairs(&[("MCP002", "extensions.fetch.args")])
    );
}

#[test]
fn remote_shapes_and_secrets_in_headers() {
    assert_eq!(
        servers("windsurf-mcp_config.json"),
        pairs(&[("mcpServers.docs", "https://docs.example.com/mcp")])
    );
    assert_eq!(
        findings("windsurf-mcp_config.json"),
        pairs(&[("MCP001", "mcpServers.docs.headers.Authorization")])
    );
    assert_eq!(
        findings("gemini-settings.json"),
        pairs(&[
            ("MCP005", "mcpServers.analytics.url"),
            ("MCP006", "mcpServers.fs.args"),
            ("MCP008", "mcpServers.fs.args"),
        ])
    );
    assert_eq!(
        findings("lmstudio-mcp.json"),
        pairs(&[("MCP001", "mcpServers.hf.headers.Authorization")])
    );
}

#[test]
fn clean_clients_stay_clean() {
    for name in ["amazonq-mcp.json", "kiro-mcp.json"] {
        assert_eq!(findings(name), Vec::<(String, String)>::new(), "{name}");
    }
    assert_eq!(
        findings("claude_desktop_config.json"),
        pairs(&[
            (
                "MCP001",
                "mcpServers.github.env.GITHUB_PERSONAL_ACCESS_TOKEN"
            ),
            ("MCP002", "mcpServers.github.args")
        ])
    );
    assert_eq!(
        findings("cline_mcp_settings.json"),
        pairs(&[("MCP001", "mcpServers.aws.env.AWS_ACCESS_KEY_ID")])
    );
    assert_eq!(
        findings("cursor-mcp.json"),
        pairs(&[
            ("MCP002", "mcpServers.browser.args"),
            ("MCP005", "mcpServers.linear.url")
        ])
    );
}

#[test]
fn secret_values_never_appear_in_findings() {
    for name in [
        "claude_desktop_config.json",
        "codex-config.toml",
        "lmstudio-mcp.json",
        "windsurf-mcp_config.json",
    ] {
        let (n, text) = fixture(name);
        let scanned = loadguard_mcp::scan(&n, text.as_bytes(), None).expect("recognised");
        for f in &scanned.findings {
            for secret in [
                "7Qm2Zt9LkP4xR8vW1nB6",
                "8fJ2kLm9Qx7vN3bT5wR1",
                "AbCdEfGhIjKlMnOp",
            ] {
                assert!(!f.message.contains(secret), "{name}: {}", f.message);
            }
        }
    }
}

#[test]
fn json_that_is_not_an_mcp_config_is_not_taken_for_one() {
    for (name, text) in [
        (
            "package-lock.json",
            r#"{"name": "x", "lockfileVersion": 3, "packages": {}}"#,
        ),
        (
            "config.json",
            r#"{"architectures": ["LlamaForCausalLM"], "model_type": "llama"}"#,
        ),
        (
            "tsconfig.json",
            r#"{"compilerOptions": {"target": "es2022"}, "servers": {"a": 1}}"#,
        ),
        (
            "settings.json",
            r#"{"editor.fontSize": 14, "mcp": {"enabled": true}}"#,
        ),
    ] {
        assert_eq!(
            loadguard_mcp::recognise(name, text.as_bytes()),
            None,
            "{name}"
        );
    }
}
