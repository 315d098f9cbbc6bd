#!/usr/bin/env bash
# Fuzz smoke for CI: build every cargo-fuzz target (AddressSanitizer, stable
# toolchain through RUSTC_BOOTSTRAP) and run each for a fixed number of
# inputs from a corpus seeded with the fixtures. Deterministic (-seed=1).
# Long runs are by hand: see docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --quiet
fi
runs=${FUZZ_SMOKE_RUNS:-20000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fixtures=../tests/fixtures
seed() {
    local target=$1
    mkdir -p "$work/$target"
    case $target in
        pickle) cp "$fixtures"/malicious/*.pkl "$fixtures"/benign/*.pkl "$work/$target"/ ;;
        signature) find "$fixtures/model-signing" -name model.sig -exec sh -c 'cp "$1" "$2/$(echo "$1" | md5sum | cut -c1-12)"' _ {} "$work/$target" \; ;;
        text) cp "$fixtures"/cards/*/*.md "$work/$target"/ 2>/dev/null || true ;;
        # The first byte picks the reader (see fuzz_targets/documents.rs).
        documents) find "$fixtures/documents" "$fixtures"/rules/DOC* -type f -size -64k | while read -r f; do
                 case $f in
                     *.html) k=0 ;; *.pdf) k=1 ;; *.jsonl) k=2 ;; *.csv) k=3 ;; *.docx) k=4 ;; *.parquet) k=5 ;; *.od[tsp]) k=7 ;; *.xlsx) k=8 ;; *.pptx) k=9 ;; *) k=6 ;;
                 esac
                 if [ "$k" = 4 ]; then
                     python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); sys.stdout.buffer.write(b"\x04" + z.read("word/document.xml") + b"\xff" + z.read("word/styles.xml")[:16384])' \
                         "$f" > "$work/$target/$(echo "$f" | md5sum | cut -c1-12)"
                 elif [ "$k" -ge 7 ]; then
                     # Two parts of the package, as fuzz_targets/documents.rs splits them.
                     python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); k = int(sys.argv[2]); a, b = {7: ("content.xml", "styles.xml"), 8: ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"), 9: ("ppt/slides/slide1.xml", "ppt/notesSlides/notesSlide1.xml")}[k]; get = lambda n: z.read(n) if n in z.namelist() else b""; sys.stdout.buffer.write(bytes([k]) + get(a) + b"\xff" + get(b)[:16384])' \
                         "$f" "$k" > "$work/$target/$(echo "$f" | md5sum | cut -c1-12)"
                 else
                     { printf "\\$(printf '%03o' "$k")"; cat "$f"; } > "$work/$target/$(echo "$f" | md5sum | cut -c1-12)"
                 fi
             done ;;
        # The first byte picks the file name (see fuzz_targets/mcp.rs).
        mcp) find "$fixtures/mcp" "$fixtures"/rules/MCP* -type f -size -64k | while read -r f; do
                 case $f in
                     *.toml) k=1 ;; *.yaml|*.yml) k=2 ;; *.py) k=3 ;; *.ts) k=4 ;; *.js) k=5 ;;
                     *package.json) k=7 ;; *tools.json) k=9 ;; *) k=0 ;;
                 esac
                 { printf "\\$(printf '%03o' "$k")"; cat "$f"; } > "$work/$target/$(echo "$f" | md5sum | cut -c1-12)"
             done ;;
        *) find "$fixtures/rules" "$fixtures/loader-views" "$fixtures/malicious" -type f -size -64k \
               -exec sh -c 'cp "$1" "$2/$(echo "$1" | md5sum | cut -c1-12)"' _ {} "$work/$target" \; ;;
    esac
}
cargo fuzz build -O
for target in $(cargo fuzz list); do
    seed "$target"
    n=$runs
    # The MCP target parses source with tree-sitter under AddressSanitizer
    # (tens of inputs a second): a fifth of the runs keeps CI short.
    [ "$target" = mcp ] && n=$((runs / 5))
    echo "fuzz smoke: $target ($n runs)"
    dict=()
    case $target in
        pickle) dict=(-dict=dicts/pickle.dict) ;;
        artifact|formats) dict=(-dict=dicts/artifact.dict) ;;
    esac
    cargo fuzz run -O "$target" "$work/$target" -- \
        -runs="$n" -seed=1 -max_len=65536 -rss_limit_mb=2048 -timeout=10 "${dict[@]}" 2>&1 | tail -1
done
