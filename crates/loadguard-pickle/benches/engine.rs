//! Single-core throughput of the pickle engine.
//!
//! `opcode_dense`: 1M small records, written the way CPython's pickler writes
//! `[{"id": i, "name": f"n{i}", "score": i / 2} for i in range(1_000_000)]`
//! at protocol 4 (memoized keys, batched SETITEMS/APPENDS).
//! `bytes_heavy`: a list of large bytes payloads (mostly data, few opcodes).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use loadguard_pickle::{Options, scan};

fn opcode_dense(records: u32) -> Vec<u8> {
    let mut v = vec![0x80, 4, b']', 0x94];
    let mut memo = 1u32;
    let keys = ["id", "name", "score"];
    let mut key_memo = [0u32; 3];
    for batch_start in (0..records).step_by(1000) {
        v.push(b'(');
        for i in batch_start..(batch_start + 1000).min(records) {
            v.extend_from_slice(b"}\x94(");
            memo += 1;
            for (k, key) in keys.iter().enumerate() {
                if i == 0 {
                    v.push(0x8c);
                    v.push(key.len() as u8);
                    v.extend_from_slice(key.as_bytes());
                    v.push(0x94);
                    key_memo[k] = memo;
                    memo += 1;
                } else if key_memo[k] < 256 {
                    v.extend_from_slice(&[b'h', key_memo[k] as u8]);
                } else {
                    v.push(b'j');
                    v.extend_from_slice(&key_memo[k].to_le_bytes());
                }
                match k {
                    0 => {
                        v.push(b'J');
                        v.extend_from_slice(&(i as i32).to_le_bytes());
                    }
                    1 => {
                        let s = format!("n{i}");
                        v.push(0x8c);
                        v.push(s.len() as u8);
                        v.extend_from_slice(s.as_bytes());
                        v.push(0x94);
                        memo += 1;
                    }
                    _ => {
                        v.push(b'G');
                        v.extend_from_slice(&(f64::from(i) / 2.0).to_be_bytes());
                    }
                }
            }
            v.push(b'u');
        }
        v.push(b'e');
    }
    v.push(b'.');
    v
}

fn bytes_heavy(items: usize, size: usize) -> Vec<u8> {
    let mut v = vec![0x80, 4, b']', 0x94, b'('];
    let payload = vec![0x5au8; size];
    for _ in 0..items {
        v.push(0x8e);
        v.extend_from_slice(&(size as u64).to_le_bytes());
        v.extend_from_slice(&payload);
        v.push(0x94);
    }
    v.extend_from_slice(b"e.");
    v
}

fn bench(c: &mut Criterion) {
    let options = Options::default();
    let dense = opcode_dense(1_000_000);
    assert!(scan(&dense, &options).findings.is_empty());
    let mut group = c.benchmark_group("pickle");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(dense.len() as u64));
    group.bench_function("opcode_dense_1M_records", |b| {
        b.iter(|| scan(&dense, &options))
    });
    let heavy = bytes_heavy(256, 256 * 1024);
    assert!(scan(&heavy, &options).findings.is_empty());
    group.throughput(Throughput::Bytes(heavy.len() as u64));
    group.bench_function("bytes_heavy_64MiB", |b| b.iter(|| scan(&heavy, &options)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
