//! How JavaScript and TypeScript servers register tools: the SDK's
//! `tool`/`registerTool`, FastMCP's `addTool`, request handlers, handlers
//! passed by name, zod shapes and `{name, description, inputSchema}` literals.

use serde_json::{Map, Value, json};
use tree_sitter::Node;

use super::{Front, children, is_function, line};
use crate::source::ir::{Module, ToolDef, Val};

impl Front<'_> {
    /// `server.tool(...)`, `registerTool`, `addTool`, `setRequestHandler`:
    /// the callback becomes a tool function.
    pub(super) fn tool_registration(&mut self, n: Node<'_>, callee: &str, args: &[Val]) {
        let method = callee.rsplit('.').next().unwrap_or("");
        if !matches!(
            method,
            "tool"
                | "registerTool"
                | "addTool"
                | "prompt"
                | "registerPrompt"
                | "resource"
                | "registerResource"
                | "setRequestHandler"
        ) || !callee.contains('.')
        {
            return;
        }
        let Some(arg_nodes) = n.child_by_field_name("arguments").map(children) else {
            return;
        };
        let mut def = ToolDef {
            line: line(n),
            entry_only: !matches!(method, "tool" | "registerTool" | "addTool"),
            ..ToolDef::default()
        };
        let mut callback = arg_nodes
            .iter()
            .rev()
            .find(|a| is_function(a.kind()))
            .copied();
        let mut schema = Map::new();
        match method {
            "tool" | "prompt" | "resource" => {
                let strings: Vec<&Val> = args.iter().filter(|a| a.folded.is_some()).collect();
                def.name = strings
                    .first()
                    .and_then(|s| s.folded.clone())
                    .unwrap_or_default();
                def.description = strings.get(1).and_then(|s| s.folded.clone());
                if let Some(obj) = arg_nodes.iter().find(|a| a.kind() == "object") {
                    self.zod_shape(*obj, &mut schema);
                }
                // A description that is neither a literal nor a schema object.
                def.unresolved = def.description.is_none()
                    && arg_nodes.len() >= 3
                    && arg_nodes.get(1).is_some_and(|a| {
                        matches!(
                            a.kind(),
                            "identifier"
                                | "call_expression"
                                | "member_expression"
                                | "binary_expression"
                                | "template_string"
                        ) && args.get(1).is_some_and(|v| v.folded.is_none())
                    });
            }
            "registerTool" | "registerPrompt" | "registerResource" => {
                def.name = args
                    .first()
                    .and_then(|a| a.folded.clone())
                    .unwrap_or_default();
                if let Some(cfg) = args.get(1) {
                    let d = cfg.prop("description");
                    def.description = d.and_then(|d| d.folded.clone());
                    def.unresolved = d.is_some_and(|d| d.folded.is_none());
                }
                if let Some(obj) = arg_nodes.get(1).filter(|a| a.kind() == "object") {
                    for p in children(*obj) {
                        if p.kind() == "pair"
                            && p.child_by_field_name("key")
                                .is_some_and(|k| self.text(k) == "inputSchema")
                            && let Some(v) = p.child_by_field_name("value")
                        {
                            self.zod_shape(v, &mut schema);
                        }
                    }
                }
            }
            "addTool" => {
                let Some(obj) = arg_nodes.first().filter(|a| a.kind() == "object") else {
                    return;
                };
                let cfg = &args[0];
                def.name = cfg
                    .prop("name")
                    .and_then(|v| v.folded.clone())
                    .unwrap_or_default();
                let d = cfg.prop("description");
                def.description = d.and_then(|d| d.folded.clone());
                def.unresolved = d.is_some_and(|d| d.folded.is_none());
                for p in children(*obj) {
                    let key = p
                        .child_by_field_name("key")
                        .or_else(|| p.child_by_field_name("name"))
                        .map(|k| self.text(k))
                        .unwrap_or("");
                    if key == "execute" {
                        callback = if p.kind() == "method_definition" {
                            Some(p)
                        } else {
                            p.child_by_field_name("value")
                                .filter(|v| is_function(v.kind()))
                        };
                    }
                    if key == "parameters"
                        && let Some(v) = p.child_by_field_name("value")
                    {
                        self.zod_shape(v, &mut schema);
                    }
                }
            }
            "setRequestHandler" => {
                let first = arg_nodes.first().map(|a| self.text(*a)).unwrap_or("");
                if !first.contains("CallToolRequestSchema")
                    && !first.contains("GetPromptRequestSchema")
                    && !first.contains("ReadResourceRequestSchema")
                {
                    return;
                }
                def.name = "tools/call".to_owned();
                def.entry_only = true;
            }
            _ => return,
        }
        def.schema = json!({"type": "object", "properties": schema});
        if let Some(cb) = callback {
            self.consumed.insert(cb.id());
            let mut g = self.function(cb, Some(format!("<{} {}>", method, def.name)), 0);
            g.tool = Some(def);
            self.module.funcs.push(g);
            self.anon += 1;
        } else if let Some(name) = arg_nodes
            .last()
            .filter(|a| a.kind() == "identifier")
            .map(|a| self.text(*a).to_owned())
        {
            // The handler is a named function declared elsewhere.
            self.pending_named(name, def);
        }
    }

    fn pending_named(&mut self, name: String, def: ToolDef) {
        self.module.data_tools.push(ToolDef {
            name: format!("\u{0}{name}"),
            ..def
        });
    }

    /// Property names of a zod shape (`{path: z.string().describe("...")}`)
    /// or a JSON schema literal, with their descriptions.
    fn zod_shape(&self, n: Node<'_>, schema: &mut Map<String, Value>) {
        let obj = if n.kind() == "object" {
            n
        } else {
            // z.object({...})
            match children(n).into_iter().find_map(|c| find_object(c, 0)) {
                Some(o) => o,
                None => return,
            }
        };
        let props = children(obj)
            .into_iter()
            .find(|p| {
                p.kind() == "pair"
                    && p.child_by_field_name("key")
                        .is_some_and(|k| self.text(k).trim_matches(['"', '\'']) == "properties")
            })
            .and_then(|p| p.child_by_field_name("value"))
            .unwrap_or(obj);
        for p in children(props) {
            if p.kind() != "pair" {
                continue;
            }
            let (Some(k), Some(v)) = (p.child_by_field_name("key"), p.child_by_field_name("value"))
            else {
                continue;
            };
            let key = self.text(k).trim_matches(['"', '\'']).to_owned();
            let mut prop = Map::new();
            if let Some(d) = self.describe(v, 0) {
                prop.insert("description".to_owned(), Value::String(d));
            }
            schema.insert(key, Value::Object(prop));
        }
    }

    fn describe(&self, n: Node<'_>, depth: u32) -> Option<String> {
        if depth > 12 {
            return None;
        }
        if n.kind() == "call_expression"
            && let Some(f) = n.child_by_field_name("function")
            && f.kind() == "member_expression"
            && f.child_by_field_name("property")
                .is_some_and(|p| self.text(p) == "describe")
        {
            let a = children(n.child_by_field_name("arguments")?);
            return self.string_literal(*a.first()?);
        }
        if n.kind() == "pair"
            && n.child_by_field_name("key")
                .is_some_and(|k| self.text(k).trim_matches(['"', '\'']) == "description")
        {
            return self.string_literal(n.child_by_field_name("value")?);
        }
        children(n)
            .into_iter()
            .find_map(|c| self.describe(c, depth + 1))
    }
}

fn find_object(n: Node<'_>, depth: u32) -> Option<Node<'_>> {
    if depth > 6 {
        return None;
    }
    if n.kind() == "object" {
        return Some(n);
    }
    let mut c = n.walk();
    let kids: Vec<Node<'_>> = n.named_children(&mut c).collect();
    kids.into_iter().find_map(|k| find_object(k, depth + 1))
}

/// Handlers registered by name: `server.tool("x", "...", handler)`.
pub(crate) fn bind_named_handlers(module: &mut Module) {
    let pending: Vec<ToolDef> = module
        .data_tools
        .iter()
        .filter(|d| d.name.starts_with('\u{0}'))
        .cloned()
        .collect();
    module.data_tools.retain(|d| !d.name.starts_with('\u{0}'));
    for def in pending {
        let target = def.name.trim_start_matches('\u{0}').to_owned();
        if let Some(f) = module.funcs.iter_mut().find(|f| f.name == target) {
            let mut def = def.clone();
            def.name = target.clone();
            f.tool = Some(def);
        }
    }
}

/// `{name: "...", description: "...", inputSchema: {...}}` literals: the
/// tools a `ListToolsRequestSchema` handler returns.
pub(crate) fn data_tools(module: &mut Module) {
    let mut found = Vec::new();
    for f in &module.funcs {
        for a in f
            .assigns
            .iter()
            .map(|a| &a.value)
            .chain(f.calls.iter().flat_map(|c| c.args.iter()))
        {
            collect_tool_literals(a, &mut found, f.line, 0);
        }
    }
    module.data_tools.extend(found);
}

fn collect_tool_literals(v: &Val, out: &mut Vec<ToolDef>, line: u32, depth: u32) {
    if depth > 16 {
        return;
    }
    if let (Some(name), Some(schema)) = (
        v.prop("name").and_then(|n| n.folded.clone()),
        v.prop("inputSchema"),
    ) {
        let d = v.prop("description");
        if !out.iter().any(|t| t.name == name) {
            out.push(ToolDef {
                name,
                description: d.and_then(|d| d.folded.clone()),
                unresolved: d.is_some_and(|d| d.folded.is_none()),
                schema: crate::source::val_to_json(schema),
                line,
                entry_only: false,
            });
        }
    }
    for (_, p) in &v.props {
        collect_tool_literals(p, out, line, depth + 1);
    }
    for i in v.items.iter().flat_map(|i| i.iter()) {
        collect_tool_literals(i, out, line, depth + 1);
    }
}
