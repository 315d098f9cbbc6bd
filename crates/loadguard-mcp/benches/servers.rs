//! 2,000 MCP server source files (the fixture corpora, repeated) through the
//! recogniser and the source analysis, on one core.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/mcp/servers");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    assert!(
        files.len() > 50,
        "the corpus is missing: {}",
        root.display()
    );
    let originals: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| {
            (
                p.to_string_lossy().into_owned(),
                std::fs::read(p).expect("read fixture"),
            )
        })
        .collect();
    originals.iter().cycle().take(2000).cloned().collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    let bytes: usize = files.iter().map(|(_, d)| d.len()).sum();
    let mut g = c.benchmark_group("mcp");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("scan_2000_server_files", |b| {
        b.iter(|| {
            files
                .iter()
                .filter_map(|(name, data)| loadguard_mcp::scan(name, data, None))
                .map(|s| s.findings.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
