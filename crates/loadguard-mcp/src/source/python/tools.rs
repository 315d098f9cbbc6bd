//! How Python servers register tools: FastMCP and SDK decorators
//! (`@mcp.tool`, `@server.call_tool()`, prompts and resources), their
//! parameters, docstrings and `Field(description=)`, `add_tool`, and
//! low-level `Tool(...)` objects.

use serde_json::{Map, Value, json};
use tree_sitter::Node;

use super::{Front, children, line};
use crate::source::ir::{Func, Module, ToolDef};

impl Front<'_> {
    pub(super) fn function(&mut self, n: Node<'_>, decorators: &[Node<'_>], depth: u32) -> Func {
        let name = n
            .child_by_field_name("name")
            .map(|x| self.text(x).to_owned())
            .unwrap_or_default();
        let mut f = Func {
            name: name.clone(),
            line: line(n),
            ..Func::default()
        };
        let mut schema = Map::new();
        if let Some(ps) = n.child_by_field_name("parameters") {
            for p in children(ps) {
                let (pname, ty, default) = match p.kind() {
                    "identifier" => (self.text(p).to_owned(), None, None),
                    "typed_parameter" => (
                        children(p)
                            .first()
                            .map(|x| self.text(*x).to_owned())
                            .unwrap_or_default(),
                        p.child_by_field_name("type"),
                        None,
                    ),
                    "default_parameter" | "typed_default_parameter" => (
                        p.child_by_field_name("name")
                            .map(|x| self.text(x).to_owned())
                            .unwrap_or_default(),
                        p.child_by_field_name("type"),
                        p.child_by_field_name("value"),
                    ),
                    _ => continue,
                };
                let ty_text = ty.map(|t| self.text(t)).unwrap_or("");
                if matches!(pname.as_str(), "self" | "cls" | "ctx" | "context")
                    || ty_text.contains("Context")
                    || pname.is_empty()
                {
                    continue;
                }
                // Field(description=...) in the type or the default is schema text.
                let mut prop = Map::new();
                for holder in [ty, default].into_iter().flatten() {
                    if let Some(d) = self.field_description(holder, 0) {
                        prop.insert("description".to_owned(), Value::String(d));
                    }
                }
                schema.insert(pname.clone(), Value::Object(prop));
                // FastMCP validates arguments against the annotation: a number,
                // a boolean or a Literal cannot carry a command or a path.
                let ty = ty_text.replace(' ', "");
                if matches!(
                    ty.as_str(),
                    "int" | "float" | "bool" | "int|None" | "float|None" | "bool|None"
                ) || ty.starts_with("Literal[")
                {
                    f.safe_params.push(pname.clone());
                }
                f.params.push(pname);
            }
        }
        let docstring = n
            .child_by_field_name("body")
            .and_then(|b| children(b).into_iter().next())
            .filter(|s| s.kind() == "expression_statement")
            .and_then(|s| children(s).into_iter().next())
            .filter(|s| s.kind() == "string")
            .and_then(|s| self.string(s, 0).folded);
        for d in decorators {
            let Some(expr) = children(*d).into_iter().next() else {
                continue;
            };
            let (target, call) = if expr.kind() == "call" {
                (expr.child_by_field_name("function"), Some(expr))
            } else {
                (Some(expr), None)
            };
            let Some(target) = target.and_then(|t| self.dotted(t)) else {
                continue;
            };
            let method = target.rsplit('.').next().unwrap_or("");
            let entry_only = matches!(method, "prompt" | "resource" | "call_tool");
            if !matches!(method, "tool" | "call_tool" | "prompt" | "resource")
                || !target.contains('.')
            {
                continue;
            }
            let (args, kwargs) = call.map(|c| self.call_args(c, depth)).unwrap_or_default();
            let desc_val = kwargs
                .iter()
                .find(|(k, _)| k == "description")
                .map(|(_, v)| v);
            let tool_name = kwargs
                .iter()
                .find(|(k, _)| k == "name")
                .and_then(|(_, v)| v.folded.clone())
                .or_else(|| {
                    if method == "tool" {
                        args.first().and_then(|a| a.folded.clone())
                    } else {
                        None
                    }
                })
                .unwrap_or_else(|| name.clone());
            f.tool = Some(ToolDef {
                name: tool_name,
                description: desc_val
                    .and_then(|v| v.folded.clone())
                    .or_else(|| docstring.clone()),
                unresolved: desc_val.is_some_and(|v| v.folded.is_none()),
                schema: json!({"type": "object", "properties": schema}),
                line: line(n),
                entry_only,
            });
        }
        f.doc = docstring;
        if let Some(b) = n.child_by_field_name("body") {
            self.body(b, &mut f, depth + 1);
        }
        f
    }

    fn field_description(&self, n: Node<'_>, depth: u32) -> Option<String> {
        if depth > 8 {
            return None;
        }
        if n.kind() == "call" {
            let callee = self.callee(n).unwrap_or_default();
            if callee.ends_with("Field") || callee.ends_with("Param") {
                let (_, kwargs) = self.call_args(n, 0);
                if let Some(d) = kwargs
                    .iter()
                    .find(|(k, _)| k == "description")
                    .and_then(|(_, v)| v.folded.clone())
                {
                    return Some(d);
                }
            }
        }
        children(n)
            .into_iter()
            .find_map(|c| self.field_description(c, depth + 1))
    }
}

/// `Tool(name=..., description=..., inputSchema={...})` objects and
/// `add_tool(fn, name=..., description=...)` registrations.
pub(crate) fn data_tools(module: &mut Module) {
    let mut found = Vec::new();
    let mut registered: Vec<(String, ToolDef)> = Vec::new();
    for f in &module.funcs {
        for c in &f.calls {
            let m = c.method();
            if m == "Tool" || c.callee.ends_with("types.Tool") {
                let Some(name) = c.kwarg("name").and_then(|v| v.folded.clone()) else {
                    continue;
                };
                let desc = c.kwarg("description");
                found.push(ToolDef {
                    name,
                    description: desc.and_then(|d| d.folded.clone()),
                    unresolved: desc.is_some_and(|d| d.folded.is_none()),
                    schema: c
                        .kwarg("inputSchema")
                        .map(crate::source::val_to_json)
                        .unwrap_or(Value::Null),
                    line: c.line,
                    entry_only: false,
                });
            }
            if (m == "add_tool" || m == "from_function" || c.callee == "<register-tool>")
                && let Some(fname) = c.args.first().and_then(|a| a.idents.first())
            {
                let desc = c.kwarg("description");
                registered.push((
                    fname.clone(),
                    ToolDef {
                        name: c
                            .kwarg("name")
                            .and_then(|v| v.folded.clone())
                            .unwrap_or_else(|| fname.clone()),
                        description: desc.and_then(|d| d.folded.clone()),
                        unresolved: desc.is_some_and(|d| d.folded.is_none()),
                        schema: Value::Null,
                        line: c.line,
                        entry_only: false,
                    },
                ));
            }
        }
    }
    for (fname, mut def) in registered {
        if let Some(f) = module
            .funcs
            .iter_mut()
            .find(|f| f.name == fname && f.tool.is_none())
        {
            let props: Map<String, Value> =
                f.params.iter().map(|p| (p.clone(), json!({}))).collect();
            def.description = def.description.or_else(|| f.doc.clone());
            def.schema = json!({"type": "object", "properties": props});
            f.tool = Some(def);
        }
    }
    module.data_tools.extend(found);
}
