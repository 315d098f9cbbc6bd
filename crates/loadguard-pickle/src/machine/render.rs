//! Python-like renderings of values for messages (`os.system('id')`).

use super::*;

impl<'a> Machine<'a> {
    pub(super) fn render_args(&self, args: Value) -> Option<String> {
        match args {
            Value::Tuple { .. } => Some(self.render(args, 3)),
            Value::Opaque | Value::Call { .. } => Some(format!("*{}", self.render(args, 2))),
            _ => None,
        }
    }

    pub(super) fn render_items(&self, items: &[Value]) -> String {
        let inner: Vec<String> = items.iter().map(|v| self.render(*v, 2)).collect();
        if items.len() == 1 {
            format!("({},)", inner[0])
        } else {
            format!("({})", inner.join(", "))
        }
    }

    pub(super) fn render(&self, v: Value, depth: u32) -> String {
        match v {
            Value::None => "None".into(),
            Value::Bool(b) => if b { "True" } else { "False" }.into(),
            Value::Int(i) => i.to_string(),
            Value::BigInt => "<int>".into(),
            Value::Float => "<float>".into(),
            Value::Str { pos, len } => python_repr_str(self.src_bytes(Src { pos, len })),
            Value::Bytes { pos, len } => {
                let b = self.src_bytes(Src { pos, len });
                if b.len() <= 40 {
                    python_repr_bytes(b)
                } else {
                    format!("<{} bytes>", b.len())
                }
            }
            Value::Buffer => "<buffer>".into(),
            Value::Tuple { len, .. } => {
                if depth == 0 {
                    return "(...)".into();
                }
                let items: Vec<String> = self
                    .tuple_items(v)
                    .iter()
                    .map(|i| self.render(*i, depth - 1))
                    .collect();
                let more = if (len as usize) > items.len() {
                    ", ..."
                } else {
                    ""
                };
                if len == 1 && items.len() == 1 {
                    format!("({},)", items[0])
                } else {
                    format!("({}{more})", items.join(", "))
                }
            }
            Value::List => "[...]".into(),
            Value::Dict => "{...}".into(),
            Value::Set | Value::FrozenSet => "{...}".into(),
            Value::Global(g) => self.globals[g as usize].display.clone(),
            Value::Call { callee, .. } => {
                let name = if callee == DYNAMIC {
                    "<computed>".to_owned()
                } else {
                    self.globals[callee as usize].display.clone()
                };
                if depth == 0 {
                    format!("{name}(...)")
                } else {
                    let items = self.tuple_items(v);
                    format!("{name}{}", self.render_items_depth(items, depth - 1))
                }
            }
            Value::Persistent => "<persistent id>".into(),
            Value::Opaque | Value::Unset => "<unresolved global>".into(),
        }
    }

    pub(super) fn render_items_depth(&self, items: &[Value], depth: u32) -> String {
        let inner: Vec<String> = items.iter().map(|v| self.render(*v, depth)).collect();
        format!("({})", inner.join(", "))
    }
}

/// A short Python-like repr of a str, for messages.
pub(super) fn python_repr_str(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let mut out = String::from("'");
    for (i, c) in s.chars().enumerate() {
        if i >= 120 {
            out.push('…');
            break;
        }
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&c.escape_default().to_string()),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

pub(super) fn python_repr_bytes(b: &[u8]) -> String {
    let mut out = String::from("b'");
    for &c in b {
        match c {
            b'\'' => out.push_str("\\'"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push('\'');
    out
}
