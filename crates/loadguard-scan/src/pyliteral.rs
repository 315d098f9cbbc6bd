//! Python literals as `ast.literal_eval` reads them: the `.npy` header is
//! one, and NumPy evaluates it rather than matching text. Hand-written
//! because the scanner must see what a literal parser hides: a key given
//! twice (the dict keeps the last), string escapes (`'\x4f'` is `'O'`),
//! implicit concatenation (`'obj' 'ect'`), comments.
//!
//! Only what a header can hold is supported: dicts, lists, tuples, strings,
//! bytes, numbers, `True`, `False`, `None`, unary minus. Depth and size are
//! bounded by the caller's input.

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Bytes(Vec<u8>),
    /// The digits as written (the value is never needed beyond shapes).
    Int(i128),
    Float,
    Bool(bool),
    None,
    Tuple(Vec<Value>),
    List(Vec<Value>),
    /// Items in order, duplicates included; lookups take the last.
    Dict(Vec<(Value, Value)>),
}

impl Value {
    /// The last value under `key`, as a Python dict keeps it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Self::Dict(items) => items
                .iter()
                .rev()
                .find(|(k, _)| matches!(k, Value::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Keys given more than once in this dict.
    pub fn duplicate_keys(&self) -> Vec<String> {
        let Self::Dict(items) = self else {
            return Vec::new();
        };
        let mut seen = std::collections::HashSet::new();
        let mut dups = Vec::new();
        for (k, _) in items {
            if let Value::Str(s) = k
                && !seen.insert(s.as_str())
                && !dups.contains(s)
            {
                dups.push(s.clone());
            }
        }
        dups
    }
}

const MAX_DEPTH: u32 = 64;

/// Parses one literal that spans the whole text (surrounding white space
/// and comments allowed).
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    let v = p.value(0)?;
    p.skip();
    if p.pos != p.s.len() {
        return Err(format!("unexpected text at offset {}", p.pos));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip(&mut self) {
        while let Some(&c) = self.s.get(self.pos) {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => self.pos += 1,
                b'\\' if self.s.get(self.pos + 1) == Some(&b'\n') => self.pos += 2,
                b'#' => {
                    while self.s.get(self.pos).is_some_and(|&c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip();
        self.s.get(self.pos).copied()
    }

    fn value(&mut self, depth: u32) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("literal nested too deep".into());
        }
        match self.peek().ok_or("unexpected end of literal")? {
            b'{' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        return Ok(Value::Dict(items));
                    }
                    let k = self.value(depth + 1)?;
                    if self.peek() != Some(b':') {
                        return Err(format!("expected ':' at offset {}", self.pos));
                    }
                    self.pos += 1;
                    let v = self.value(depth + 1)?;
                    items.push((k, v));
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {}
                        _ => return Err(format!("expected ',' or '}}' at offset {}", self.pos)),
                    }
                }
            }
            open @ (b'(' | b'[') => {
                self.pos += 1;
                let close = if open == b'(' { b')' } else { b']' };
                let mut items = Vec::new();
                let mut comma = false;
                loop {
                    if self.peek() == Some(close) {
                        self.pos += 1;
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    match self.peek() {
                        Some(b',') => {
                            self.pos += 1;
                            comma = true;
                        }
                        Some(c) if c == close => {}
                        _ => return Err(format!("expected ',' at offset {}", self.pos)),
                    }
                }
                Ok(match (open, items.len(), comma) {
                    // `(x)` is x itself.
                    (b'(', 1, false) => items.pop().unwrap_or(Value::None),
                    (b'(', _, _) => Value::Tuple(items),
                    _ => Value::List(items),
                })
            }
            b'-' | b'+' => {
                let neg = self.s[self.pos] == b'-';
                self.pos += 1;
                match self.value(depth + 1)? {
                    Value::Int(i) => Ok(Value::Int(if neg { -i } else { i })),
                    Value::Float => Ok(Value::Float),
                    _ => Err("unary sign on a non-number".into()),
                }
            }
            c if c.is_ascii_digit() || c == b'.' => self.number(),
            _ => self.word_or_string(),
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'))
        {
            self.pos += 1;
        }
        let text: String = String::from_utf8_lossy(&self.s[start..self.pos]).replace('_', "");
        let lower = text.to_ascii_lowercase();
        let int = if let Some(h) = lower.strip_prefix("0x") {
            i128::from_str_radix(h, 16).ok()
        } else if let Some(o) = lower.strip_prefix("0o") {
            i128::from_str_radix(o, 8).ok()
        } else if let Some(b) = lower.strip_prefix("0b") {
            i128::from_str_radix(b, 2).ok()
        } else {
            lower.strip_suffix('l').unwrap_or(&lower).parse().ok()
        };
        match int {
            Some(i) => Ok(Value::Int(i)),
            None if lower.parse::<f64>().is_ok() || lower.ends_with('j') => Ok(Value::Float),
            None => Err(format!("bad number {text:?}")),
        }
    }

    fn word_or_string(&mut self) -> Result<Value, String> {
        let start = self.pos;
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.pos += 1;
        }
        let word = &self.s[start..self.pos];
        if matches!(self.s.get(self.pos), Some(b'\'' | b'"')) && word.len() <= 2 {
            self.pos = start;
            return self.strings();
        }
        match word {
            b"True" => Ok(Value::Bool(true)),
            b"False" => Ok(Value::Bool(false)),
            b"None" => Ok(Value::None),
            _ => Err(format!("not a literal at offset {start}")),
        }
    }

    /// One or more adjacent string literals, concatenated.
    fn strings(&mut self) -> Result<Value, String> {
        let mut text: Option<String> = None;
        let mut bytes: Option<Vec<u8>> = None;
        loop {
            let save = self.pos;
            let Some(c) = self.peek() else { break };
            if !(c.is_ascii_alphabetic() || c == b'\'' || c == b'"') {
                self.pos = save;
                break;
            }
            let start = self.pos;
            while self.s.get(self.pos).is_some_and(u8::is_ascii_alphabetic) {
                self.pos += 1;
            }
            let prefix = String::from_utf8_lossy(&self.s[start..self.pos]).to_ascii_lowercase();
            if !matches!(self.s.get(self.pos), Some(b'\'' | b'"'))
                || !matches!(prefix.as_str(), "" | "r" | "u" | "b" | "br" | "rb")
            {
                self.pos = save;
                break;
            }
            let raw = prefix.contains('r');
            let is_bytes = prefix.contains('b');
            let body = self.quoted()?;
            let decoded = if raw {
                body
            } else {
                loadguard_core::pyescape::unescape(&body, is_bytes)?
            };
            if is_bytes {
                if text.is_some() {
                    return Err("cannot mix bytes and str literals".into());
                }
                bytes.get_or_insert_with(Vec::new).extend(decoded);
            } else {
                if bytes.is_some() {
                    return Err("cannot mix bytes and str literals".into());
                }
                text.get_or_insert_with(String::new)
                    .push_str(&String::from_utf8_lossy(&decoded));
            }
        }
        match (text, bytes) {
            (Some(t), None) => Ok(Value::Str(t)),
            (None, Some(b)) => Ok(Value::Bytes(b)),
            _ => Err("expected a string literal".into()),
        }
    }

    /// The raw body between quotes (single, double or triple).
    fn quoted(&mut self) -> Result<Vec<u8>, String> {
        let q = self.s[self.pos];
        let triple = self.s.get(self.pos..self.pos + 3) == Some(&[q, q, q][..]);
        self.pos += if triple { 3 } else { 1 };
        let start = self.pos;
        while self.pos < self.s.len() {
            let c = self.s[self.pos];
            if c == b'\\' {
                self.pos += 2;
                continue;
            }
            if c == b'\n' && !triple {
                return Err("newline in a string literal".into());
            }
            if c == q && (!triple || self.s.get(self.pos..self.pos + 3) == Some(&[q, q, q][..])) {
                let body = self.s[start..self.pos].to_vec();
                self.pos += if triple { 3 } else { 1 };
                return Ok(body);
            }
            self.pos += 1;
        }
        Err("unterminated string literal".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_as_literal_eval_does() {
        let v = parse("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }    \n")
            .expect("header");
        assert_eq!(v.get("descr"), Some(&Value::Str("<f8".into())));
        assert_eq!(
            v.get("shape"),
            Some(&Value::Tuple(vec![Value::Int(3), Value::Int(4)]))
        );
        assert_eq!(v.get("fortran_order"), Some(&Value::Bool(false)));
        // The last duplicate wins; escapes and concatenation are decoded.
        let v =
            parse("{'descr': '<f8', \"descr\": '\\x4f' # c\n, 'shape': (1,), 'fortran_order': 0}")
                .expect("header");
        assert_eq!(v.get("descr"), Some(&Value::Str("O".into())));
        assert_eq!(v.duplicate_keys(), vec!["descr".to_owned()]);
        let v =
            parse("{'descr': 'obj' u'ect', 'shape': (), 'fortran_order': False}").expect("header");
        assert_eq!(v.get("descr"), Some(&Value::Str("object".into())));
        assert_eq!(parse("('O')").expect("paren"), Value::Str("O".into()));
        assert_eq!(
            parse("(-1,)").expect("tuple"),
            Value::Tuple(vec![Value::Int(-1)])
        );
        assert!(parse("{'a': __import__('os')}").is_err());
        assert!(parse("{'a': 1").is_err());
    }
}
