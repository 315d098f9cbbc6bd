//! A Hugging Face cache laid out in a temporary folder as huggingface_hub
//! writes it (refs, blobs, snapshot links), with a link planted outside the
//! cache and an LFS pointer where content should be.

use std::path::Path;

use loadguard_hub::{cache, scan_snapshot, target};
use loadguard_pickle::Policy;
use loadguard_scan::{Format, ScanOptions};

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures")
            .join(rel),
    )
    .expect("fixture")
}

#[test]
fn a_cached_snapshot_is_scanned_and_its_links_kept_inside() {
    let tmp = tempfile::tempdir().expect("tmp");
    let cache_root = tmp.path().join("hub");
    let repo = cache_root.join("models--org--name");
    std::fs::create_dir_all(repo.join("refs")).expect("refs");
    std::fs::write(repo.join("refs/main"), SHA).expect("ref");
    let blobs = repo.join("blobs");
    std::fs::create_dir_all(&blobs).expect("blobs");
    std::fs::write(blobs.join("aaaa"), fixture("malicious/os_system_p2.pkl")).expect("blob");
    std::fs::write(
        blobs.join("bbbb"),
        b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 548\n",
    )
    .expect("pointer");
    let outside = tmp.path().join("secret.key");
    std::fs::write(&outside, b"-----BEGIN PRIVATE KEY-----").expect("secret");
    let snap = repo.join("snapshots").join(SHA);
    std::fs::create_dir_all(&snap).expect("snapshot");
    std::os::unix::fs::symlink("../../blobs/aaaa", snap.join("pytorch_model.bin")).expect("link");
    std::os::unix::fs::symlink("../../blobs/bbbb", snap.join("model.safetensors")).expect("link");
    std::os::unix::fs::symlink(&outside, snap.join("config.json")).expect("link");

    let t = target::parse("hf:org/name", "https://huggingface.co").expect("target");
    let (commit, dir) = cache::snapshot(&cache_root, &t).expect("snapshot found through refs/main");
    assert_eq!(commit, SHA);
    let files = scan_snapshot(
        &cache_root,
        "hf:org/name@x",
        &dir,
        Policy::builtin(),
        &ScanOptions::default(),
        |p: &std::path::Path| std::fs::read(p),
    );
    let by_name = |n: &str| files.iter().find(|f| f.path.ends_with(n)).expect(n);
    let codes = |n: &str| {
        by_name(n)
            .findings
            .iter()
            .map(|f| f.rule.code)
            .collect::<Vec<_>>()
    };
    assert!(codes("pytorch_model.bin").contains(&"PKL101"));
    assert_eq!(codes("config.json"), ["HUB006"]);
    assert_eq!(
        by_name("config.json").format,
        Format::Unsupported("link outside the cache")
    );
    assert_eq!(codes("model.safetensors"), ["HUB003"]);
    assert_eq!(
        by_name("model.safetensors").format,
        Format::Unsupported("Git LFS pointer")
    );
    assert_eq!(cache::all_snapshots(&cache_root).len(), 1);
    // An unknown revision is not in the cache.
    let other = target::parse("hf:org/name@dev", "https://huggingface.co").expect("target");
    assert!(cache::snapshot(&cache_root, &other).is_none());
}
