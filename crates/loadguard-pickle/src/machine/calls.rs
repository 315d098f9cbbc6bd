//! Globals and calls: interning every global the stream names, resolving
//! what a call, a `getattr` or a trampoline really invokes, judging it
//! against the policy, and the per-global findings at the end of a stream.

use super::values::constant_type;
use super::*;

/// One distinct global of a stream, and how the stream used it.
#[derive(Debug)]
pub(super) struct GlobalEntry {
    /// `module.name` after the Python 2 mapping, as judged.
    pub(super) display: String,
    /// The module and the (dotted) name, after the mapping.
    pub(super) module: String,
    pub(super) name: String,
    /// Reached by `getattr`, not imported: only worth reporting when it is
    /// called or dangerous.
    pub(super) attribute: bool,
    pub(super) class: Class,
    pub(super) first_offset: usize,
    pub(super) first_opcode: &'static str,
    pub(super) invoked: u32,
    pub(super) invoke_offset: usize,
    pub(super) invoke_opcode: &'static str,
    pub(super) invoke_args: Option<String>,
}

impl<'a> Machine<'a> {
    pub(super) fn intern_global(
        &mut self,
        module: &str,
        name: &str,
        offset: usize,
        opcode: &'static str,
    ) -> u32 {
        // `find_class` imports the module: an effect, unless the name could
        // never be imported (`anvas {` from a CSS file read as GLOBAL).
        self.effects |= crate::is_dotted_identifier(module);
        let legacy = self.proto < 3;
        let key = (legacy, module.to_owned(), name.to_owned());
        if let Some(&id) = self.global_index.get(&key) {
            return id;
        }
        // Python 2 names are mapped whatever the protocol: at protocol >= 3
        // CPython would fail to import them, so judging the mapped name only
        // errs on the side of reporting.
        let (m, n) = self.policy.map_python2(module, name);
        let class = if self.options.torchscript_classes
            && (m == "__torch__" || m.starts_with("__torch__."))
        {
            Class::Allowed(AllowKind::Plain)
        } else {
            self.policy.classify(m, n)
        };
        // Past the limit, a name off every allowlist (of which a stream can
        // make millions, a few bytes each) shares one entry per verdict:
        // judged the same, counted, and kept in bounded memory.
        let overflow = if self.globals.len() >= self.limits.max_globals {
            let bucket = match &class {
                Class::Allowed(_) | Class::Reaches { .. } => None,
                Class::Dangerous {
                    category,
                    confidence,
                    ..
                } => Some(format!("{category:?}/{confidence:?}")),
                Class::Unknown => Some("unknown".to_owned()),
            };
            if let Some(bucket) = bucket {
                if let Some(&id) = self.global_overflow.get(&bucket) {
                    return id;
                }
                let limit = self.limits.max_globals;
                self.event(
                    &crate::rules::limit_exceeded::RULE,
                    "distinct globals",
                    offset,
                    opcode,
                    || {
                        format!(
                            "distinct globals limit ({limit}) reached: each later new global is still judged, and reported under the first one past the limit with its verdict"
                        )
                    },
                );
                Some(bucket)
            } else {
                None
            }
        } else {
            None
        };
        let display = format!("{m}.{n}");
        let id = self.globals.len() as u32;
        if display == "joblib.numpy_pickle.NumpyArrayWrapper" {
            // joblib writes array bytes right after this object's BUILD.
            self.joblib_wrapper = Some(id);
        }
        self.globals.push(GlobalEntry {
            display,
            module: m.to_owned(),
            name: n.to_owned(),
            attribute: false,
            class,
            first_offset: offset,
            first_opcode: opcode,
            invoked: 0,
            invoke_offset: 0,
            invoke_opcode: "",
            invoke_args: None,
        });
        match overflow {
            Some(bucket) => {
                self.global_overflow.insert(bucket, id);
            }
            None => {
                self.global_index.insert(key, id);
            }
        }
        id
    }

    pub(super) fn mark_invoked(
        &mut self,
        id: u32,
        offset: usize,
        opcode: &'static str,
        args: Option<String>,
    ) {
        let g = &mut self.globals[id as usize];
        if g.invoked == 0 {
            g.invoke_offset = offset;
            g.invoke_opcode = opcode;
            g.invoke_args = args;
        }
        g.invoked = g.invoked.saturating_add(1);
    }

    /// A call of `callee` with `args` (REDUCE, INST, OBJ, NEWOBJ, NEWOBJ_EX).
    pub(super) fn call(
        &mut self,
        callee: Value,
        args: Value,
        offset: usize,
        opcode: &'static str,
    ) -> Result<Value, StreamError> {
        let (args_start, args_len) = match args {
            Value::Tuple { start, len } => (start, len),
            _ => (OPAQUE, 0),
        };
        match callee {
            Value::Global(id) => {
                // Only the first call's arguments are kept (rendering every
                // call of a checkpoint's 200,000 tensor rebuilds was a third
                // of its scan).
                let rendered = if self.globals[id as usize].invoked == 0 {
                    self.render_args(args)
                } else {
                    None
                };
                self.mark_invoked(id, offset, opcode, rendered);
                let result = self.judge_call(id, args, offset, opcode);
                Ok(result.unwrap_or(Value::Call {
                    callee: id,
                    args_start,
                    args_len,
                }))
            }
            Value::Call { .. } | Value::Persistent | Value::Opaque => {
                self.effects = true;
                // A helper may return what it was handed (`max((f,))`,
                // `copy.copy(f)`): every global in its arguments may be
                // what is called now.
                if let Value::Call {
                    callee: helper,
                    args_start,
                    args_len,
                } = callee
                {
                    let handed = Value::Tuple {
                        start: args_start,
                        len: args_len,
                    };
                    let inner: Vec<Value> = self.tuple_items(handed).to_vec();
                    let via = if helper == DYNAMIC {
                        "a computed callable".to_owned()
                    } else {
                        format!("`{}`", self.globals[helper as usize].display)
                    };
                    self.invoke_handed_callables(
                        &inner,
                        offset,
                        opcode,
                        &format!("the result of {via}, then called"),
                        0,
                    );
                }
                let what = self.render(callee, 2);
                self.event(&rules::dynamic_call::RULE, &what, offset, opcode, || {
                    format!("calls a value computed at load time: {what}")
                });
                Ok(Value::Call {
                    callee: DYNAMIC,
                    args_start,
                    args_len,
                })
            }
            _ => Err(StreamError::NotCallable),
        }
    }

    /// Argument-aware checks for allowlisted callables with a shape, for
    /// trampolines and resolvers, and nested payloads for deserializers.
    /// Returns a replacement value for the call result, if any.
    pub(super) fn judge_call(
        &mut self,
        id: u32,
        args: Value,
        offset: usize,
        opcode: &'static str,
    ) -> Option<Value> {
        let class = self.globals[id as usize].class.clone();
        let name = self.globals[id as usize].display.clone();
        let items: Vec<Value> = self.tuple_items(args).to_vec();
        if name == "builtins.getattr" {
            return self.resolve_getattr(&items, offset, opcode);
        }
        match class {
            Class::Allowed(AllowKind::Trampoline) => {
                self.invoke_handed_callables(&items, offset, opcode, &name, 0);
                None
            }
            Class::Allowed(AllowKind::Resolver) => {
                Some(self.resolve_call(&items, offset, opcode, &name))
            }
            Class::Allowed(AllowKind::Shape) => {
                self.check_shape(&name, &items, offset, opcode);
                None
            }
            Class::Dangerous {
                category: Category::Deserialize,
                ..
            } => {
                if let Some(first) = items.first().copied() {
                    // `loads`-style callables take pickle bytes: scan whatever
                    // they get. Others (`numpy.load(path)`) only when the
                    // argument is itself a pickle.
                    let takes_bytes = name.ends_with("loads")
                        || name.ends_with("_load_from_bytes")
                        || name.ends_with("load_config");
                    self.queue_nested_argument(first, &name, takes_bytes);
                }
                None
            }
            _ => None,
        }
    }

    pub(super) fn invoke_handed_callables(
        &mut self,
        items: &[Value],
        offset: usize,
        opcode: &'static str,
        via: &str,
        depth: u32,
    ) {
        for &item in items {
            match item {
                Value::Global(g) => {
                    let via_text = format!("handed to {via}");
                    self.mark_invoked(g, offset, opcode, Some(via_text));
                }
                Value::Tuple { .. } if depth < 3 => {
                    let inner: Vec<Value> = self.tuple_items(item).to_vec();
                    self.invoke_handed_callables(&inner, offset, opcode, via, depth + 1);
                }
                _ => {}
            }
        }
    }

    /// `_ufunc_reconstruct(module, name)` and friends: resolve like a GLOBAL.
    pub(super) fn resolve_call(
        &mut self,
        items: &[Value],
        offset: usize,
        opcode: &'static str,
        via: &str,
    ) -> Value {
        match items {
            // `(module, name)`, or scipy's `(module, qualname, self)`.
            [m, n, ..] if items.len() <= 3 && m.as_str().is_some() && n.as_str().is_some() => {
                let (Some(m), Some(n)) = (m.as_str(), n.as_str()) else {
                    return Value::Opaque;
                };
                let module = String::from_utf8_lossy(self.src_bytes(m)).into_owned();
                let name = String::from_utf8_lossy(self.src_bytes(n)).into_owned();
                Value::Global(self.intern_global(&module, &name, offset, opcode))
            }
            _ => {
                let via = via.to_owned();
                self.event(
                    &rules::unresolved_global::RULE,
                    &via,
                    offset,
                    opcode,
                    || {
                        format!(
                            "`{via}` resolves a callable from values that are not string constants"
                        )
                    },
                );
                Value::Opaque
            }
        }
    }

    /// `getattr(target, 'name')` is the attribute `target.name`: judged by
    /// the same policy as a global of that path. A global's attribute is
    /// `module.qualname.name` (`getattr(ZoneInfo, '_unpickle')` is
    /// `zoneinfo.ZoneInfo._unpickle`, how CPython pickles class methods); an
    /// instance's is its class's (`cls.method`, a bound method); a
    /// constant's is its type's (`getattr('', 'join')` is
    /// `builtins.str.join`). A computed name or target is a gadget: `None`
    /// leaves the call result opaque and reports it.
    pub(super) fn resolve_getattr(
        &mut self,
        items: &[Value],
        offset: usize,
        opcode: &'static str,
    ) -> Option<Value> {
        let resolved = match items {
            [target, attr] => attr.as_str().and_then(|a| {
                let attr = String::from_utf8_lossy(self.src_bytes(a)).into_owned();
                let (module, name) = match *target {
                    Value::Global(g) => {
                        let g = &self.globals[g as usize];
                        (g.module.clone(), g.name.clone())
                    }
                    // An object made by an allowed or unknown callable: its
                    // class's attribute. A dangerous callable's result can be
                    // anything (`import_module('os')`): not resolved.
                    Value::Call { callee: g, .. }
                        if g != DYNAMIC
                            && !matches!(
                                self.globals[g as usize].class,
                                Class::Dangerous { .. }
                            ) =>
                    {
                        let g = &self.globals[g as usize];
                        (g.module.clone(), g.name.clone())
                    }
                    other => ("builtins".to_owned(), constant_type(other)?.to_owned()),
                };
                Some((module, format!("{name}.{attr}")))
            }),
            _ => None,
        };
        match resolved {
            Some((module, name)) => {
                let id = self.intern_global(&module, &name, offset, opcode);
                self.globals[id as usize].attribute = true;
                Some(Value::Global(id))
            }
            None => {
                let args = self.render_items(items);
                let key = format!("builtins.getattr{args}");
                self.event(&rules::attribute_gadget::RULE, &key, offset, opcode, || {
                    format!("`builtins.getattr` is called as `builtins.getattr{args}`: an attribute loadguard cannot name")
                });
                None
            }
        }
    }

    pub(super) fn check_shape(
        &mut self,
        name: &str,
        items: &[Value],
        offset: usize,
        opcode: &'static str,
    ) {
        let ok = match name {
            // type(None), type(NotImplemented), type(...): NoneType and friends.
            "builtins.type" => match items {
                [Value::None] => true,
                [Value::Global(g)] => matches!(
                    self.globals[*g as usize].display.as_str(),
                    "builtins.NotImplemented" | "builtins.Ellipsis"
                ),
                _ => false,
            },
            // iter(x); iter(callable, sentinel) calls the callable.
            "builtins.iter" => items.len() == 1 && !items[0].is_callable_like(),
            _ => false,
        };
        if !ok {
            let args = self.render_items(items);
            let key = format!("{name}{args}");
            let msg_name = name.to_owned();
            let rule = if name == "builtins.iter" {
                &rules::callback_invoker::RULE
            } else {
                &rules::attribute_gadget::RULE
            };
            self.event(rule, &key, offset, opcode, || {
                format!("`{msg_name}` is called as `{msg_name}{args}`, not in the one shape ordinary pickles use")
            });
        }
    }

    pub(super) fn global_findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        for g in &self.globals {
            let invoked = g.invoked > 0;
            let (offset, opcode) = if invoked {
                (g.invoke_offset, g.invoke_opcode)
            } else {
                (g.first_offset, g.first_opcode)
            };
            let location = self.location(offset, opcode);
            let how = if invoked {
                match &g.invoke_args {
                    Some(a) if a.starts_with("handed to ") => format!("is {a}"),
                    Some(a) => format!("is called with {a}"),
                    None => format!("is invoked by {opcode}"),
                }
            } else {
                "is imported".to_owned()
            };
            let finding = match &g.class {
                Class::Allowed(_) => continue,
                Class::Unknown if g.attribute && !invoked => continue,
                Class::Dangerous {
                    category,
                    matched,
                    confidence,
                } => {
                    let via = if matched == &g.display || matched.starts_with(&g.display) {
                        String::new()
                    } else {
                        format!(" (reaches `{matched}`)")
                    };
                    Finding::builder(
                        category.rule(),
                        format!("`{}`{via} {how}: it {}", g.display, category.describe()),
                    )
                    .confidence(*confidence)
                    .callable(g.display.clone())
                    .arguments(g.invoke_args.clone().filter(|_| invoked))
                    .at(location)
                    .build()
                }
                Class::Reaches { category, chain } if invoked => Finding::builder(
                    category.rule(),
                    format!(
                        "`{}` {how}: it is on no list, but its source shows it reaches `{chain}` with its arguments: it {}",
                        g.display,
                        category.describe()
                    ),
                )
                .confidence(Confidence::Medium)
                .callable(g.display.clone())
                .arguments(g.invoke_args.clone())
                .at(location)
                .build(),
                Class::Reaches { chain, .. } => Finding::builder(
                    &rules::unknown_global::RULE,
                    format!(
                        "`{}` is imported but not called; it is on no allowlist, and calling it reaches `{chain}`",
                        g.display
                    ),
                )
                .callable(g.display.clone())
                .at(location)
                .build(),
                Class::Unknown if invoked => {
                    let sev = if self.strict {
                        Severity::High
                    } else {
                        Severity::Medium
                    };
                    Finding::builder(
                        &rules::unknown_callable::RULE,
                        format!(
                            "`{}` {how}; it is on no allowlist, so its behaviour is unknown",
                            g.display
                        ),
                    )
                    .severity(sev)
                    .confidence(Confidence::Medium)
                    .callable(g.display.clone())
                    .arguments(g.invoke_args.clone())
                    .at(location)
                    .build()
                }
                Class::Unknown => Finding::builder(
                    &rules::unknown_global::RULE,
                    format!(
                        "`{}` is imported but not called; it is on no allowlist",
                        g.display
                    ),
                )
                .callable(g.display.clone())
                .at(location)
                .build(),
            };
            let mut finding = finding;
            finding.occurrences = g.invoked.max(1);
            out.push(finding);
        }
        out
    }
}
