//! CycloneDX 1.6 ML-BOM (`--format cyclonedx`): one `machine-learning-model`
//! component per scanned artifact, with its SHA-256, detected format and
//! framework, loadguard's verdict and signature status, and the findings as
//! vulnerabilities that affect it.

use std::io::{self, Write};

use serde::Serialize;

use crate::output::sarif::fingerprint;
use crate::scan::Target;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    bom_format: &'static str,
    spec_version: &'static str,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Serialize)]
struct Metadata {
    tools: Tools,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<ToolComponent>,
}

#[derive(Serialize)]
struct ToolComponent {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Vulnerability {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    id: &'static str,
    source: Source,
    ratings: Vec<Rating>,
    cwes: Vec<u32>,
    description: String,
    detail: String,
    affects: Vec<Affects>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
    url: String,
}

#[derive(Serialize)]
struct Rating {
    severity: &'static str,
    method: &'static str,
}

#[derive(Serialize)]
#[serde(rename = "affects")]
struct Affects {
    #[serde(rename = "ref")]
    reference: String,
}

fn framework(format: &str) -> &'static str {
    match format {
        "pytorch-zip" | "pytorch-legacy" | "torchscript" => "pytorch",
        "npy" => "numpy",
        "pickle" => "python-pickle",
        _ => "unknown",
    }
}

/// The signature status of a folder target, from its SIG findings.
fn folder_status(t: &Target) -> &'static str {
    let has = |code: &str| t.findings.iter().any(|f| f.rule.code == code);
    if has("SIG002") || has("SIG003") {
        "invalid"
    } else if has("SIG005") {
        "verified"
    } else if has("SIG004") {
        "present-not-verified"
    } else if has("SIG001") {
        "absent"
    } else {
        "not-checked"
    }
}

/// A file's signature status: that of the scanned folder it lies in, unless
/// the signer's ignore paths leave the file out (`SIG006`).
fn signature_status(t: &Target, targets: &[Target]) -> &'static str {
    let path = std::path::Path::new(&t.path);
    targets
        .iter()
        .filter(|f| f.format == loadguard_scan::Format::ModelFolder)
        .filter(|f| f.path == t.path || path.starts_with(&f.path))
        .map(|folder| {
            let excluded = folder
                .findings
                .iter()
                .any(|f| f.rule.code == "SIG006" && std::path::Path::new(&f.location.path) == path);
            if excluded {
                "not-covered"
            } else {
                folder_status(folder)
            }
        })
        .next()
        .unwrap_or("not-checked")
}

pub(crate) fn render(out: &mut dyn Write, targets: &[Target]) -> io::Result<()> {
    let mut components = Vec::new();
    let mut vulnerabilities = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let bom_ref = format!("artifact-{i}");
        let format = t.format.name();
        components.push(Component {
            kind: "machine-learning-model",
            bom_ref: bom_ref.clone(),
            name: t.path.clone(),
            hashes: t
                .sha256
                .iter()
                .map(|h| Hash {
                    alg: "SHA-256",
                    content: h.clone(),
                })
                .collect(),
            properties: vec![
                Property {
                    name: "loadguard:format",
                    value: format.to_owned(),
                },
                Property {
                    name: "loadguard:framework",
                    value: framework(format).to_owned(),
                },
                Property {
                    name: "loadguard:verdict",
                    value: t.verdict().as_str().to_owned(),
                },
                Property {
                    name: "loadguard:signature",
                    value: signature_status(t, targets).to_owned(),
                },
                Property {
                    name: "loadguard:size",
                    value: t.size.to_string(),
                },
            ],
        });
        for f in &t.findings {
            let mut properties = Vec::new();
            if let Some(m) = f.location.member_path() {
                properties.push(Property {
                    name: "loadguard:member",
                    value: m,
                });
            }
            if let Some(o) = f.location.offset {
                properties.push(Property {
                    name: "loadguard:offset",
                    value: o.to_string(),
                });
            }
            if let Some(c) = &f.callable {
                properties.push(Property {
                    name: "loadguard:callable",
                    value: c.clone(),
                });
            }
            vulnerabilities.push(Vulnerability {
                bom_ref: format!("finding-{}", fingerprint(f)),
                id: f.rule.code,
                source: Source {
                    name: "loadguard",
                    url: f.rule.doc_url(),
                },
                ratings: vec![Rating {
                    severity: f.severity.as_str(),
                    method: "other",
                }],
                cwes: vec![f.rule.cwe],
                description: f.rule.summary.to_owned(),
                detail: f.message.clone(),
                affects: vec![Affects {
                    reference: bom_ref.clone(),
                }],
                properties,
            });
        }
    }
    let bom = Bom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        version: 1,
        metadata: Metadata {
            tools: Tools {
                components: vec![ToolComponent {
                    kind: "application",
                    name: "loadguard",
                    version: env!("CARGO_PKG_VERSION"),
                }],
            },
        },
        components,
        vulnerabilities,
    };
    serde_json::to_writer_pretty(&mut *out, &bom).map_err(io::Error::other)?;
    writeln!(out)
}
