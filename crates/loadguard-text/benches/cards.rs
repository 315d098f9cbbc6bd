//! 10,000 generated model cards through the engine on one core.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn card(i: usize) -> String {
    format!(
        "---\nlicense: apache-2.0\nbase_model: org/base-{i}\ndatasets: [data-{i}]\ntags: [text-generation]\n---\n\
         # Model {i}\n\n<!-- Provide a quick summary of what the model is/does. -->\n\
         This model is a fine-tuned version of [org/base-{i}](https://huggingface.co/org/base-{i}) on data-{i}.\n\n\
         ## Usage\n\n```python\nfrom transformers import AutoModel\nmodel = AutoModel.from_pretrained(\"org/model-{i}\")\n```\n\n\
         | metric | value |\n|---|---|\n| accuracy | 0.{i} |\n\n\
         ## Citation\n\n```bibtex\n@article{{m{i}, title={{Model {i}}}, year={{2024}}}}\n```\n\
         Multilingual: हिन्दी, می\u{200C}خواهم, 👨\u{200D}👩\u{200D}👧.\n"
    )
}

fn bench(c: &mut Criterion) {
    let cards: Vec<String> = (0..10_000).map(card).collect();
    for c in cards.iter().take(50) {
        assert!(
            loadguard_text::scan_card(c).is_empty(),
            "benign card flagged: {:?}",
            loadguard_text::scan_card(c)
        );
    }
    let bytes: usize = cards.iter().map(String::len).sum();
    let mut g = c.benchmark_group("text");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("scan_10k_cards", |b| {
        b.iter(|| {
            cards
                .iter()
                .map(|c| loadguard_text::scan_card(c).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
