//! Hand-built byte streams for every opcode and every resolution path.

use loadguard_core::{Finding, Severity};
use loadguard_pickle::{Limits, Options, PickleReport, scan};

// ---- a tiny assembler --------------------------------------------------------

fn su(s: &str) -> Vec<u8> {
    let mut v = vec![0x8c, s.len() as u8];
    v.extend_from_slice(s.as_bytes());
    v
}
fn sg(m: &str, n: &str) -> Vec<u8> {
    [su(m), su(n), vec![0x93]].concat()
}
fn g(m: &str, n: &str) -> Vec<u8> {
    format!("c{m}\n{n}\n").into_bytes()
}
fn p4(body: &[&[u8]]) -> Vec<u8> {
    let mut v = vec![0x80, 4];
    for b in body {
        v.extend_from_slice(b);
    }
    v
}
const R: &[u8] = b"R";
const T1: &[u8] = b"\x85";
const T2: &[u8] = b"\x86";
const T3: &[u8] = b"\x87";
const ET: &[u8] = b")";
const STOP: &[u8] = b".";
const MEMO: &[u8] = b"\x94";
const POP: &[u8] = b"0";

/// Default options with one limit changed.
fn limited(set: impl FnOnce(&mut Limits)) -> Options {
    let mut limits = Limits::default();
    set(&mut limits);
    Options {
        limits,
        ..Options::default()
    }
}

fn run(data: &[u8]) -> PickleReport {
    scan(data, &Options::default())
}

fn codes(r: &PickleReport) -> Vec<&'static str> {
    let mut v: Vec<_> = r.findings.iter().map(|f| f.rule.code).collect();
    v.sort_unstable();
    v
}

fn find<'a>(r: &'a PickleReport, code: &str) -> &'a Finding {
    r.findings
        .iter()
        .find(|f| f.rule.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", r.findings))
}

fn callable_of<'a>(r: &'a PickleReport, code: &str) -> &'a str {
    find(r, code).callable.as_deref().unwrap_or("")
}

fn assert_clean(data: &[u8]) {
    let r = run(data);
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    assert!(r.streams.iter().all(|s| s.complete), "{:?}", r.streams);
}

// ---- baseline payloads in every call form -------------------------------------

#[test]
fn reduce_on_global() {
    let data = b"cposix\nsystem\n(Vtouch /tmp/x\ntR.";
    let r = run(data);
    let f = find(&r, "PKL101");
    assert_eq!(f.callable.as_deref(), Some("posix.system"));
    assert!(
        f.message.contains("`posix.system` is called with"),
        "{}",
        f.message
    );
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.location.offset, Some(data.len() as u64 - 2));
    assert_eq!(f.location.opcode, Some("REDUCE"));
    assert_eq!(f.arguments.as_deref(), Some("('touch /tmp/x',)"));
}

#[test]
fn inst_calls() {
    let r = run(b"(S'id'\nios\nsystem\n.");
    assert_eq!(callable_of(&r, "PKL101"), "os.system");
    assert_eq!(find(&r, "PKL101").location.opcode, Some("INST"));
}

#[test]
fn obj_calls_even_when_the_result_is_popped() {
    let data = p4(&[
        b"(",
        &sg("smtplib", "SMTP"),
        &su("evil.example"),
        b"o",
        POP,
        b"N",
        STOP,
    ]);
    let r = run(&data);
    assert_eq!(callable_of(&r, "PKL109"), "smtplib.SMTP");
    assert_eq!(find(&r, "PKL109").location.opcode, Some("OBJ"));
}

#[test]
fn newobj_and_newobj_ex_call() {
    let data = p4(&[&sg("subprocess", "Popen"), &su("id"), T1, b"\x81", STOP]);
    assert_eq!(callable_of(&run(&data), "PKL101"), "subprocess.Popen");
    let data = p4(&[
        &sg("subprocess", "Popen"),
        &su("id"),
        T1,
        b"}",
        b"\x92",
        STOP,
    ]);
    assert_eq!(callable_of(&run(&data), "PKL101"), "subprocess.Popen");
}

#[test]
fn referenced_dangerous_global_is_reported_even_if_not_called() {
    let r = run(b"cos\nsystem\n.");
    assert!(find(&r, "PKL101").message.contains("is imported"));
}

// ---- name resolution -------------------------------------------------------------

#[test]
fn stack_global_through_memo_and_dup() {
    // B6: MEMOIZE after POP stores the real top of stack.
    let data = p4(&[
        &su("posix"),
        b"N",
        POP,
        MEMO,
        &su("system"),
        MEMO,
        POP,
        POP,
        b"h\x00h\x01\x93",
        ET,
        R,
        STOP,
    ]);
    assert_eq!(callable_of(&run(&data), "PKL101"), "posix.system");
    // BINPUT / LONG_BINGET / DUP forms.
    let data = p4(&[
        &su("os"),
        b"q\x07",
        POP,
        &su("system"),
        b"2",
        POP,
        b"j\x07\x00\x00\x00",
        b"\x8c\x06system\x93",
        ET,
        R,
        STOP,
    ]);
    assert_eq!(callable_of(&run(&data), "PKL101"), "os.system");
    // Text PUT/GET.
    let data = b"\x80\x04Vposix\np10\n0Vsystem\np11\n0g10\ng11\n\x93)R.";
    assert_eq!(callable_of(&run(data), "PKL101"), "posix.system");
}

#[test]
fn stack_global_from_string_opcodes() {
    // B5a: STRING / BINSTRING feed STACK_GLOBAL.
    let data = b"\x80\x04S'os'\nU\x06system\x93)R.";
    assert_eq!(callable_of(&run(data), "PKL101"), "os.system");
}

#[test]
fn dotted_names_are_judged_by_what_they_reach() {
    let data = p4(&[&sg("logging", "os.system"), &su("id"), T1, R, STOP]);
    assert_eq!(callable_of(&run(&data), "PKL101"), "logging.os.system");
    let data = p4(&[
        &sg("torch.serialization", "os.system"),
        &su("id"),
        T1,
        R,
        STOP,
    ]);
    assert!(
        find(&run(&data), "PKL101")
            .message
            .contains("reaches `os.system`")
    );
    let data = p4(&[&sg("builtins", "eval.__call__"), &su("1"), T1, R, STOP]);
    assert_eq!(codes(&run(&data)), ["PKL102"]);
}

#[test]
fn python2_names_are_mapped() {
    // B9: cPickle.loads at protocol 0 is pickle.loads.
    let r = run(b"c__builtin__\neval\n(S'1+1'\ntR.");
    assert_eq!(callable_of(&r, "PKL102"), "builtins.eval");
    let r = run(b"ccommands\ngetoutput\n(S'id'\ntR.");
    assert_eq!(callable_of(&r, "PKL101"), "subprocess.getoutput");
}

#[test]
fn computed_stack_global_operands_are_unresolved() {
    // B5b: the module name is built by str.join at load time.
    let join = g("builtins", "str.join");
    let data = [
        b"\x80\x04".as_slice(),
        &join,
        &su(""),
        b"](",
        &su("pos"),
        &su("ix"),
        b"e",
        T2,
        R,
        &su("getpid"),
        b"\x93",
        ET,
        R,
        STOP,
    ]
    .concat();
    let r = run(&data);
    let c = codes(&r);
    assert!(c.contains(&"PKL003"), "{c:?}");
    assert!(c.contains(&"PKL105"), "{c:?}");
    assert!(c.contains(&"PKL006"), "{c:?}");
}

#[test]
fn stack_global_with_non_string_constant_is_an_error() {
    let data = p4(&[b"K\x01", &su("x"), b"\x93", STOP]);
    let r = run(&data);
    assert_eq!(codes(&r), ["PKL007"]);
    assert!(
        find(&r, "PKL007")
            .message
            .contains("STACK_GLOBAL requires str")
    );
}

#[test]
fn calls_on_call_results_are_dynamic() {
    // getattr(importlib.import_module('os'), 'system')('id')
    let data = p4(&[
        &sg("builtins", "getattr"),
        &sg("importlib", "import_module"),
        &su("os"),
        T1,
        R,
        &su("system"),
        T2,
        R,
        &su("id"),
        T1,
        R,
        STOP,
    ]);
    let c = codes(&run(&data));
    for code in ["PKL103", "PKL104", "PKL006"] {
        assert!(c.contains(&code), "{code} missing from {c:?}");
    }
}

#[test]
fn ext_opcodes_are_flagged() {
    // B7: copyreg.add_extension then EXT1.
    let data = p4(&[
        &sg("copyreg", "add_extension"),
        &su("posix"),
        &su("getpid"),
        b"K\xf0",
        T3,
        R,
        POP,
        b"\x82\xf0",
        ET,
        R,
        STOP,
    ]);
    let c = codes(&run(&data));
    assert!(c.contains(&"PKL004"), "{c:?}");
    assert!(c.contains(&"PKL103"), "{c:?}");
    assert!(c.contains(&"PKL006"), "{c:?}");
    let r = run(b"\x80\x02\x83\x00\x00.");
    assert_eq!(codes(&r), ["PKL007"]);
}

#[test]
fn build_on_a_global_is_mutation() {
    // B4: BUILD on numpy.size with a slot-state dict.
    let data = p4(&[
        &sg("numpy", "size"),
        b"N}",
        &su("shape"),
        &sg("numpy", "__builtins__"),
        b"s",
        T2,
        b"b",
        STOP,
    ]);
    let c = codes(&run(&data));
    assert!(c.contains(&"PKL005"), "{c:?}");
    assert!(c.contains(&"PKL104"), "{c:?}");
    // SETITEM into a module-level registry.
    let data = p4(&[
        &sg("pydantic", "_dynamic_imports"),
        &su("Popen"),
        b"N",
        b"s",
        STOP,
    ]);
    assert!(codes(&run(&data)).contains(&"PKL005"));
}

// ---- argument-aware allowlist ------------------------------------------------------

#[test]
fn partial_is_judged_by_its_argument() {
    let data = p4(&[
        &sg("functools", "partial"),
        &sg("math", "sqrt"),
        T1,
        R,
        STOP,
    ]);
    assert_clean(&data);
    let data = p4(&[
        &sg("functools", "partial"),
        &sg("os", "system"),
        &su("id"),
        T2,
        R,
        STOP,
    ]);
    assert_eq!(callable_of(&run(&data), "PKL101"), "os.system");
    let data = p4(&[
        &sg("functools", "partial"),
        &sg("mylib", "helper"),
        T1,
        R,
        STOP,
    ]);
    let r = run(&data);
    assert_eq!(codes(&r), ["PKL001"]);
    assert!(
        find(&r, "PKL001")
            .message
            .contains("handed to functools.partial")
    );
}

#[test]
fn rebuild_from_type_v2_is_a_trampoline() {
    let data = p4(&[
        &sg("torch._tensor", "_rebuild_from_type_v2"),
        &sg("posix", "system"),
        &sg("torch", "Tensor"),
        &su("id"),
        T1,
        b"}",
        b"\x87",
        b"(",
        b"t",
        POP,
        ET,
        b"\x86",
        POP,
        STOP,
    ]);
    // Shape is unusual; what matters is that posix.system is reported.
    assert!(codes(&run(&data)).contains(&"PKL101"));
}

#[test]
fn ufunc_reconstruct_resolves_its_arguments() {
    let data = p4(&[
        &sg("numpy._core", "_ufunc_reconstruct"),
        &su("numpy"),
        &su("add"),
        T2,
        R,
        STOP,
    ]);
    let r = run(&data);
    assert!(!codes(&r).contains(&"PKL101"));
    let data = p4(&[
        &sg("numpy.core", "_ufunc_reconstruct"),
        &su("os"),
        &su("system"),
        T2,
        R,
        &su("id"),
        T1,
        R,
        STOP,
    ]);
    let r = run(&data);
    assert_eq!(callable_of(&r, "PKL101"), "os.system");
}

#[test]
fn getattr_bound_method_shape_is_allowed() {
    // getattr(collections.OrderedDict(), 'keys'): how CPython pickles bound methods.
    let data = p4(&[
        &sg("builtins", "getattr"),
        &sg("collections", "OrderedDict"),
        ET,
        R,
        &su("keys"),
        T2,
        R,
        STOP,
    ]);
    assert_clean(&data);
    let data = p4(&[
        &sg("builtins", "getattr"),
        &sg("collections", "OrderedDict"),
        ET,
        R,
        &su("__class__"),
        T2,
        R,
        STOP,
    ]);
    assert_eq!(codes(&run(&data)), ["PKL104"]);
    let data = p4(&[&sg("builtins", "type"), b"N", T1, R, STOP]);
    assert_clean(&data);
    let data = p4(&[&sg("builtins", "type"), &su("X"), ET, b"}", T3, R, STOP]);
    assert_eq!(codes(&run(&data)), ["PKL104"]);
}

#[test]
fn unknown_callables_are_medium_or_high_with_strict() {
    let data = p4(&[&sg("mylib.helpers", "rebuild"), ET, R, STOP]);
    let r = run(&data);
    assert_eq!(find(&r, "PKL001").severity, Severity::Medium);
    let strict = Options {
        strict: true,
        ..Options::default()
    };
    let r = scan(&data, &strict);
    assert_eq!(find(&r, "PKL001").severity, Severity::High);
    let data = p4(&[&sg("mylib.types", "Kind"), STOP]);
    assert_eq!(find(&run(&data), "PKL002").severity, Severity::Low);
}

// ---- nested pickles ------------------------------------------------------------------

#[test]
fn bytes_handed_to_pickle_loads_are_scanned() {
    let inner = b"cposix\nsystem\n(Vid\ntR.";
    let mut data = b"cpickle\nloads\n(C".to_vec();
    data.push(inner.len() as u8);
    data.extend_from_slice(inner);
    data.extend_from_slice(b"tR.");
    let r = run(&data);
    assert!(codes(&r).contains(&"PKL107"));
    let nested = find(&r, "PKL101");
    assert_eq!(
        nested.location.members,
        vec!["argument of pickle.loads".to_owned()]
    );
    assert_eq!(nested.location.offset, Some(inner.len() as u64 - 2));
}

#[test]
fn latin1_and_base64_arguments_are_decoded() {
    let inner = "\u{80}\u{2}cposix\nsystem\n(Vid\ntR.";
    let data = p4(&[
        &sg("_pickle", "loads"),
        &sg("_codecs", "encode"),
        &su(inner),
        &su("latin1"),
        T2,
        R,
        T1,
        R,
        STOP,
    ]);
    let r = run(&data);
    assert_eq!(callable_of(&r, "PKL101"), "posix.system");
    // base64 of "cposix\nsystem\n(Vid\ntR."
    let data = p4(&[
        &sg("pickle", "loads"),
        &sg("base64", "b64decode"),
        &su("Y3Bvc2l4CnN5c3RlbQooVmlkCnRSLg=="),
        T1,
        R,
        T1,
        R,
        STOP,
    ]);
    assert_eq!(callable_of(&run(&data), "PKL101"), "posix.system");
}

#[test]
fn pickle_shaped_bytes_constants_are_scanned() {
    let inner = b"\x80\x02cposix\nsystem\n(Vid\ntR.";
    let mut data = vec![0x80, 4, b'C', inner.len() as u8];
    data.extend_from_slice(inner);
    data.push(b'.');
    let r = run(&data);
    assert_eq!(callable_of(&r, "PKL101"), "posix.system");
    assert_eq!(r.findings[0].location.members, vec!["bytes@0x2".to_owned()]);
}

#[test]
fn nesting_depth_is_limited() {
    let mut data = b"\x80\x02N.".to_vec();
    for _ in 0..12 {
        let mut outer = vec![0x80, 4, b'B'];
        outer.extend_from_slice(&(data.len() as u32).to_le_bytes());
        outer.extend_from_slice(&data);
        outer.push(b'.');
        data = outer;
    }
    let r = run(&data);
    assert!(codes(&r).contains(&"PKL008"), "{:?}", codes(&r));
}

// ---- streams, errors, differentials ------------------------------------------------------

#[test]
fn every_stream_is_scanned() {
    let r = run(b"\x80\x04N.cposix\nsystem\n(Vid\ntR.");
    assert_eq!(r.streams.len(), 2);
    let f = find(&r, "PKL101");
    assert_eq!(f.location.stream, Some(1));
}

#[test]
fn payload_before_garbage_is_still_a_payload() {
    // C4 nullifAI: REDUCE runs, then an invalid load key.
    let r = run(b"cposix\nsystem\n(Vid\ntR\xff");
    assert!(codes(&r).contains(&"PKL101"));
    let m = find(&r, "PKL007");
    assert_eq!(m.location.offset, Some(21));
    // No STOP at all.
    let r = run(b"cposix\nsystem\n(Vid\ntR");
    assert!(codes(&r).contains(&"PKL101"));
    assert!(find(&r, "PKL007").message.contains("without STOP"));
}

#[test]
fn int_desync_prefix_does_not_hide_the_payload() {
    // C1/C7: I0x10 makes pickletools raise; CPython reads 16.
    let r = run(b"I0x10\n0cposix\nsystem\n(Vid\ntR.");
    let c = codes(&r);
    assert!(c.contains(&"PKL009"), "{c:?}");
    assert!(c.contains(&"PKL101"), "{c:?}");
    let r = run(b"I0x10\n.\x80\x04cposix\nsystem\n(Vid\ntR.");
    assert!(codes(&r).contains(&"PKL101"));
}

#[test]
fn junk_between_streams_is_skipped_to_the_next_header() {
    let r = run(b"\x80\x04N.\xff\xfe junk \x80\x04cposix\nsystem\n(Vid\ntR.");
    let c = codes(&r);
    assert!(c.contains(&"PKL010"), "{c:?}");
    assert!(c.contains(&"PKL101"), "{c:?}");
    // Plain trailing bytes with no header are only trailing data.
    assert_eq!(codes(&run(b"\x80\x04N.\n\n")), ["PKL010"]);
}

#[test]
fn midstream_proto_is_a_differential() {
    let r = run(b"\x80\x02N0\x80\x04N.");
    assert_eq!(codes(&r), ["PKL009"]);
}

#[test]
fn frames_are_checked() {
    // A FRAME longer than the data is truncation for the C unpickler and
    // the rest of the data for the pure-Python one (joblib): scanned so.
    let r = run(b"\x80\x04\x95\xff\x00\x00\x00\x00\x00\x00\x00N.");
    assert_eq!(codes(&r), ["PKL009"]);
    assert!(r.findings[0].message.contains("joblib.load"));
    // An opcode crossing the frame end.
    let r = run(b"\x80\x04\x95\x02\x00\x00\x00\x00\x00\x00\x00\x8c\x03abc.");
    assert_eq!(codes(&r), ["PKL009"]);
}

#[test]
fn stack_errors_match_cpython() {
    for (data, needle) in [
        (&b"0."[..], "underflow"),
        (b"1.", "MARK"),
        (b"t.", "MARK"),
        (b"h\x00.", "memo"),
        (b"(K\x01d.", "odd"),
        (b"\x80\x04.", "underflow"),
        (b"K\x01)R.", "called"),
    ] {
        let r = run(data);
        let m = find(&r, "PKL007");
        assert!(m.message.contains(needle), "{data:?}: {}", m.message);
    }
    // POP removes a MARK that sits on top of the stack.
    assert_clean(b"N(0.");
}

// ---- limits ---------------------------------------------------------------------------------

#[test]
fn dup_bomb_is_bounded() {
    let mut data = b"\x80\x04N".to_vec();
    data.extend(std::iter::repeat_n(b'2', 2_000_000));
    data.push(b'.');
    let options = limited(|l| l.max_stack = 100_000);
    let r = scan(&data, &options);
    assert_eq!(codes(&r), ["PKL008"]);
    // With the default limits it just works.
    assert_eq!(codes(&run(&data)), Vec::<&str>::new());
}

#[test]
fn the_opcode_limit_stops_the_walk_and_says_so() {
    // 100 NONE/POP pairs, then a payload: 50 opcodes stop before it.
    let mut data = b"\x80\x04".to_vec();
    for _ in 0..100 {
        data.extend_from_slice(b"N0");
    }
    data.extend_from_slice(b"cposix\nsystem\n(Vid\ntR.");
    let r = scan(&data, &limited(|l| l.max_opcodes = 50));
    let stop = r
        .findings
        .iter()
        .find(|f| f.rule.code == "PKL008")
        .unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert_eq!(stop.severity, Severity::High);
    assert!(
        stop.message.starts_with("opcode limit (50) reached"),
        "{}",
        stop.message
    );
    assert_eq!(stop.location.offset, Some(51));
    // Not malformed, and the payload past the limit was not walked.
    assert_eq!(codes(&r), ["PKL008"]);
    assert!(!r.streams[0].complete);
    // Under the default limit the payload is found.
    assert!(codes(&run(&data)).contains(&"PKL101"));
}

#[test]
fn a_deadline_that_has_passed_stops_the_walk_at_once() {
    let data = b"\x80\x04cposix\nsystem\n(Vid\ntR.";
    let options = Options {
        deadline: Some(std::time::Instant::now()),
        ..Options::default()
    };
    let r = scan(data, &options);
    assert_eq!(codes(&r), ["PKL008"]);
    assert!(r.findings[0].message.starts_with("time limit reached"));
    assert_eq!(r.findings[0].severity, Severity::High);
    // A deadline in the future changes nothing.
    let later = Options {
        deadline: Some(std::time::Instant::now() + std::time::Duration::from_secs(3600)),
        ..Options::default()
    };
    assert_eq!(codes(&scan(data, &later)), codes(&run(data)));
}

#[test]
fn nested_marks_are_bounded_and_the_payload_after_them_is_seen() {
    let mut data = b"\x80\x04".to_vec();
    data.extend(std::iter::repeat_n(b'(', 500_000));
    data.extend_from_slice(b"cposix\nsystem\n(Vid\ntR.");
    let options = limited(|l| l.max_marks = 10_000);
    let r = scan(&data, &options);
    let c = codes(&r);
    assert!(c.contains(&"PKL008"), "{c:?}");
    assert!(c.contains(&"PKL101"), "{c:?}");
}

#[test]
fn huge_memo_keys_are_cheap() {
    let data = b"\x80\x04Nr\xff\xff\xff\xff0j\xff\xff\xff\xff.";
    assert_clean(data);
}

#[test]
fn memo_limit_reports_and_keeps_judging_globals() {
    let mut data = b"\x80\x04N".to_vec();
    for i in 0..100u32 {
        data.push(b'r');
        data.extend_from_slice(&i.to_le_bytes());
    }
    data.extend_from_slice(&sg("posix", "system"));
    data.extend_from_slice(b")R.");
    let options = limited(|l| l.max_memo = 10);
    let c = codes(&scan(&data, &options));
    assert!(c.contains(&"PKL008"), "{c:?}");
    assert!(c.contains(&"PKL101"), "{c:?}");
}

#[test]
fn globals_past_the_limit_are_still_judged_in_bounded_memory() {
    // Many distinct unknown globals (a few bytes each), then a dangerous
    // one: past the limit each still has its verdict.
    let mut data = b"\x80\x02".to_vec();
    for i in 0..50 {
        data.extend_from_slice(format!("cmod{i}\nfn\n)R0").as_bytes());
    }
    data.extend_from_slice(b"cposix\nsystem\n(S'touch /tmp/loadguard-canary'\ntR0");
    data.extend_from_slice(b"cbuiltins\nlen\n)R.");
    let options = limited(|l| l.max_globals = 8);
    let r = scan(&data, &options);
    let c = codes(&r);
    assert!(c.contains(&"PKL101"), "{c:?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule.code == "PKL008" && f.message.contains("distinct globals limit (8)")),
        "{:?}",
        r.findings
    );
    // One entry per verdict past the limit: the unknown calls after the
    // eighth share the first one's finding, counted.
    let unknown: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.rule.code == "PKL001")
        .collect();
    assert_eq!(unknown.len(), 9, "{unknown:?}");
    assert!(unknown.iter().any(|f| f.occurrences == 42), "{unknown:?}");
    assert!(
        r.streams[0].globals.len() <= 11,
        "{:?}",
        r.streams[0].globals
    );
    // The same stream under the default limit: every global its own.
    let all = scan(&data, &Options::default());
    assert_eq!(
        all.findings
            .iter()
            .filter(|f| f.rule.code == "PKL001")
            .count(),
        50
    );
    assert!(!codes(&all).contains(&"PKL008"));
}

// ---- opcode coverage: plain data in every form is clean ------------------------------------

#[test]
fn every_data_opcode_is_understood() {
    let data: Vec<u8> = [
        &b"\x80\x05\x95\x00\x00\x00\x00\x00\x00\x00\x00"[..],
        b"(",
        b"N\x88\x89",
        b"I12\nI00\nL5L\nF1.5\nG?\xf0\x00\x00\x00\x00\x00\x00",
        b"J\x01\x00\x00\x00K\x01M\x01\x00\x8a\x01\x01\x8b\x01\x00\x00\x00\x01",
        b"S'a'\nT\x01\x00\x00\x00aU\x01aVa\nX\x01\x00\x00\x00a\x8c\x01a\x8d\x01\x00\x00\x00\x00\x00\x00\x00a",
        b"B\x01\x00\x00\x00aC\x01a\x8e\x01\x00\x00\x00\x00\x00\x00\x00a\x96\x01\x00\x00\x00\x00\x00\x00\x00a",
        b"\x97\x98",
        b")(t\x85\x86\x87",
        b"](l]Ka(K\x01e",
        b"}(d}K\x01K\x02s}(K\x01K\x02u",
        b"\x8f(K\x01\x90(\x91",
        b"p0\nq\x01r\x02\x00\x00\x00\x94g0\nh\x01j\x02\x00\x00\x00",
        b"Ppid\nK\x01Q",
        b"2",
        b"l",
        b"(1",
        b"N",
        b".",
    ]
    .concat();
    let r = run(&data);
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    assert_eq!(r.streams.len(), 1);
    assert!(r.streams[0].complete, "{:?}", r.streams[0]);
    assert_eq!(r.streams[0].protocol, 5);
}

// ---- the fast path agrees with the reference path -----------------------------------------

fn summary(r: &PickleReport) -> Vec<String> {
    let mut v: Vec<String> = r
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {:?} {:?} {:?} {} {:?}",
                f.rule.code,
                f.location.members,
                f.location.offset,
                f.location.opcode,
                f.callable,
                f.message,
                f.occurrences
            )
        })
        .collect();
    v.sort();
    v.extend(r.streams.iter().map(|s| format!("{s:?}")));
    v
}

#[test]
fn fast_path_matches_reference_path_on_fixtures_and_mutations() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let reference = Options {
        reference_path_only: true,
        ..Options::default()
    };
    let mut inputs = Vec::new();
    for dir in ["benign", "malicious"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "pkl") {
                inputs.push(std::fs::read(&path).expect("read"));
            }
        }
    }
    assert!(inputs.len() > 30);
    // Deterministic mutations: flip, truncate and splice bytes.
    // LOADGUARD_FUZZ_SEED / LOADGUARD_FUZZ_ROUNDS widen the search by hand.
    let mut seed: u64 = std::env::var("LOADGUARD_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let rounds: usize = std::env::var("LOADGUARD_FUZZ_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let originals = inputs.clone();
    for data in &originals {
        for _ in 0..rounds {
            let mut m = data.clone();
            let i = (next() as usize) % m.len();
            match next() % 3 {
                0 => m[i] = next() as u8,
                1 => m.truncate(i),
                _ => m.insert(i, b"(0h\x00\x94}u.q\x01"[(next() % 10) as usize]),
            }
            inputs.push(m);
        }
    }
    for data in &inputs {
        let fast = scan(data, &Options::default());
        let slow = scan(data, &reference);
        assert_eq!(summary(&fast), summary(&slow), "input {data:?}");
    }
}

// ---- getattr and helpers that hand back what they were given -------------------

/// The most severe finding and its callable.
fn worst(r: &PickleReport) -> (Severity, String) {
    r.findings
        .iter()
        .max_by_key(|f| f.severity)
        .map(|f| (f.severity, f.callable.clone().unwrap_or_default()))
        .unwrap_or((Severity::Info, String::new()))
}

#[test]
fn getattr_is_judged_as_the_attribute_it_reaches() {
    // getattr(os.path, 'os'): a module reached as an attribute, then `.system`.
    let walk = p4(&[
        &sg("builtins", "getattr"),
        &sg("builtins", "getattr"),
        &sg("os", "path"),
        &su("os"),
        T2,
        R,
        &su("system"),
        T2,
        R,
        &su("id"),
        T1,
        R,
        STOP,
    ]);
    let r = run(&walk);
    assert!(worst(&r).0 >= Severity::High, "{:#?}", r.findings);
    // getattr(pathlib.Path('/tmp/x'), 'write_text')('...'): a bound method
    // of an allowlisted class is that class's attribute.
    let write = p4(&[
        &sg("builtins", "getattr"),
        &sg("pathlib", "Path"),
        &su("/tmp/x"),
        T1,
        R,
        &su("write_text"),
        T2,
        R,
        &su("data"),
        T1,
        R,
        STOP,
    ]);
    let r = run(&write);
    assert_eq!(
        callable_of(&r, "PKL110"),
        "pathlib.Path.write_text",
        "{:#?}",
        r.findings
    );
    // getattr('', 'join'): a constant's attribute is its type's.
    let join = p4(&[
        &sg("builtins", "getattr"),
        &su(""),
        &su("join"),
        T2,
        R,
        STOP,
    ]);
    assert_eq!(worst(&run(&join)).1, "builtins.str.join");
    // A computed attribute name stays a gadget.
    let computed = p4(&[
        &sg("builtins", "getattr"),
        &sg("os", "path"),
        &sg("builtins", "str"),
        &su("sys"),
        T1,
        R,
        T2,
        R,
        STOP,
    ]);
    assert!(codes(&run(&computed)).contains(&"PKL104"));
}

#[test]
fn class_methods_pickled_through_getattr_are_their_qualified_names() {
    // getattr(zoneinfo.ZoneInfo, '_unpickle')('Europe/Paris', 1): how pandas 3
    // and datetime pickle a time zone.
    let data = p4(&[
        &sg("builtins", "getattr"),
        &sg("zoneinfo", "ZoneInfo"),
        &su("_unpickle"),
        T2,
        R,
        &su("Europe/Paris"),
        b"K\x01",
        T2,
        R,
        STOP,
    ]);
    assert_clean(&data);
    // An unknown class's method is unknown, called: review, not "safe".
    let data = p4(&[
        &sg("builtins", "getattr"),
        &sg("mylib", "Thing"),
        &su("rebuild"),
        T2,
        R,
        ET,
        R,
        STOP,
    ]);
    assert_eq!(callable_of(&run(&data), "PKL001"), "mylib.Thing.rebuild");
}

#[test]
fn a_helper_that_returns_its_argument_does_not_launder_a_callable() {
    // max((posix.system,))('id'): max hands back the global it was given.
    for helper in [("builtins", "max"), ("builtins", "min"), ("copy", "copy")] {
        let data = p4(&[
            &sg(helper.0, helper.1),
            &sg("posix", "system"),
            T1,
            T1,
            R,
            &su("id"),
            T1,
            R,
            STOP,
        ]);
        let r = run(&data);
        let hit = r
            .findings
            .iter()
            .find(|f| f.callable.as_deref() == Some("posix.system"))
            .unwrap_or_else(|| panic!("{helper:?}: {:#?}", r.findings));
        assert!(hit.severity >= Severity::High);
    }
    // functools.partial(max) and partial(math.pow, 2) are ordinary objects.
    for callee in [("builtins", "max"), ("math", "pow")] {
        let data = p4(&[
            &sg("functools", "partial"),
            &sg(callee.0, callee.1),
            T1,
            R,
            STOP,
        ]);
        assert_clean(&data);
    }
}

#[test]
fn scipy_unpickle_function_resolves_what_it_names() {
    // unpickle_function('os', 'system', None) returns os.system.
    let data = p4(&[
        &sg("scipy._lib._uarray._backend", "unpickle_function"),
        &su("os"),
        &su("system"),
        b"N",
        T3,
        R,
        &su("id"),
        T1,
        R,
        STOP,
    ]);
    assert_eq!(callable_of(&run(&data), "PKL101"), "os.system");
}

// ---- the effect map, on callables no public list has -----------------------------

#[test]
fn held_out_gadgets_are_high_or_critical() {
    // policy/held-out.txt: dangerous callables in no public denylist, found
    // with the effect map and confirmed by reading their source.
    let list = include_str!("../policy/held-out.txt");
    let mut total = 0;
    let mut missed = Vec::new();
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let target = line.split_whitespace().next().unwrap_or_default();
        let (module, name) = target.split_once(':').unwrap_or((target, ""));
        let data = p4(&[&sg(module, name), &su("/tmp/loadguard-canary"), T1, R, STOP]);
        total += 1;
        if worst(&run(&data)).0 < Severity::High {
            missed.push(target);
        }
    }
    assert!(total >= 40, "{total}");
    let caught = total - missed.len();
    assert!(
        caught * 100 >= total * 95,
        "{caught}/{total} high or critical; missed {missed:?}"
    );
}

#[test]
fn the_effect_map_names_its_evidence() {
    let data = p4(&[
        &sg("optparse", "Values.read_file"),
        &su("/tmp/x.py"),
        T1,
        R,
        STOP,
    ]);
    let r = run(&data);
    let f = find(&r, "PKL102");
    assert!(f.message.contains("builtins.exec"), "{}", f.message);
    // Named, not called: what it would do is said, at low.
    let data = p4(&[&sg("optparse", "Values.read_file"), STOP]);
    assert_eq!(codes(&run(&data)), ["PKL002"]);
}

/// Joblib writes array data raw after its wrapper; `sniff_strict` decides
/// whether those bytes might be a pickle for `pickle.load`. A float whose
/// first byte decodes as EXT1/EXT2/EXT4 is not one: the coefficient of a
/// real scikit-learn model (0.958..., little-endian `83 4c db 54 ...`) was
/// reported as PKL004.
#[test]
fn array_data_starting_with_an_extension_code_is_not_a_pickle() {
    let coef = [0x83, 0x4c, 0xdb, 0x54, 0x1c, 0xaa, 0xee, 0x3f];
    assert!((f64::from_le_bytes(coef) - 0.958).abs() < 0.001);
    assert!(!loadguard_pickle::sniff_strict(&coef, true));
    for ext in [0x82u8, 0x83, 0x84] {
        for tail in [
            [0u8; 7],
            [0x3f; 7],
            [0xff; 7],
            [0x4c, 0xdb, 0x54, 0x1c, 0xaa, 0xee, 0x3f],
        ] {
            let mut w = vec![ext];
            w.extend_from_slice(&tail);
            assert!(!loadguard_pickle::sniff_strict(&w, true), "{w:02x?}");
        }
    }
    // torch.full((2,), 66561.0) as a storage: PROTO 0, EXT1 71, twice, and
    // no STOP. The bytes are all there is, so this is not a pickle.
    let storage = [0x80, 0x00, 0x82, 0x47, 0x80, 0x00, 0x82, 0x47];
    assert!(!loadguard_pickle::sniff_strict(&storage, true));
    // EXT1 116 then NEWOBJ, which underflows: random storage bytes, found
    // in a sweep of real torch.save checkpoints.
    assert!(!loadguard_pickle::sniff_strict(
        &[0x82, 0x74, 0x81, 0x3f],
        true
    ));
    // The first 64 KiB of a longer storage that decode this far may be a
    // pickle longer than the window.
    assert!(loadguard_pickle::sniff_strict(&storage, false));
    // A payload in array data still is one: it names what it calls, also
    // when it fails after the call.
    for payload in [
        &b"cos\nsystem\n(S'id'\ntR."[..],
        b"\x82\x01cos\nsystem\n(S'id'\ntR.",
        b"\x80\x04\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R",
        b"\x80\x04\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R\xff\xff",
    ] {
        assert!(loadguard_pickle::sniff_strict(payload, true), "{payload:?}");
    }
}

// ---- the remaining limits: each reported, the payload still judged ------------------------

#[test]
fn tuple_store_limit_reports_and_keeps_judging_calls() {
    // 200 tuples of 3 items, then os.system("id").
    let mut data = b"\x80\x04".to_vec();
    for _ in 0..200 {
        data.extend_from_slice(b"K\x01K\x02K\x03\x870");
    }
    data.extend_from_slice(b"cposix\nsystem\n(Vid\ntR.");
    let options = limited(|l| l.max_tuple_values = 30);
    let r = scan(&data, &options);
    let c = codes(&r);
    assert!(c.contains(&"PKL008"), "{c:?}");
    assert!(c.contains(&"PKL101"), "{c:?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule.code == "PKL008" && f.message.contains("tuple store")),
        "{:#?}",
        r.findings
    );
    assert!(!codes(&run(&data)).contains(&"PKL008"));
}

#[test]
fn nested_pickle_depth_limit_is_reported() {
    // pickle.loads(pickle.loads(...(payload))) four deep.
    let mut inner = b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00id\x85R.".to_vec();
    for _ in 0..4 {
        let mut outer = b"\x80\x04c_pickle\nloads\nC".to_vec();
        outer.push(u8::try_from(inner.len()).unwrap_or(u8::MAX));
        outer.extend_from_slice(&inner);
        outer.extend_from_slice(b"\x85R.");
        inner = outer;
    }
    assert!(inner.len() < 256);
    let shallow = limited(|l| l.max_depth = 2);
    let r = scan(&inner, &shallow);
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule.code == "PKL008" && f.message.contains("nested pickle depth")),
        "{:#?}",
        r.findings
    );
    // The calls of pickle.loads above the limit are still judged.
    assert!(codes(&r).contains(&"PKL107"), "{:?}", codes(&r));
    // Deep enough, the payload itself is reached.
    assert!(
        codes(&run(&inner)).contains(&"PKL101"),
        "{:?}",
        codes(&run(&inner))
    );
}

#[test]
fn finding_limit_keeps_the_most_severe() {
    // 50 distinct unknown callables invoked (medium), then os.system (critical).
    let mut data = b"\x80\x04".to_vec();
    for i in 0..50 {
        data.extend_from_slice(format!("cmypkg{i}\nf\n)R0").as_bytes());
    }
    data.extend_from_slice(b"cposix\nsystem\n(Vid\ntR.");
    let options = limited(|l| l.max_findings = 5);
    let r = scan(&data, &options);
    assert!(r.findings.len() <= 6, "{}", r.findings.len());
    assert!(codes(&r).contains(&"PKL101"), "{:?}", codes(&r));
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule.code == "PKL008" && f.message.contains("finding limit")),
        "{:#?}",
        r.findings
    );
}
