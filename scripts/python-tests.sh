#!/usr/bin/env bash
# The Python package, as a user gets it: build the wheel with maturin,
# install it into a fresh virtual environment with the real libraries
# (torch, joblib, numpy, scikit-learn, Ray), run python/tests.
#
# LOADGUARD_VENV: where to make the environment [target/python-venv].
# LOADGUARD_WHEEL_PROFILE: cargo profile of the wheel [dev: fast to build;
# `release` for a wheel to ship].
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${LOADGUARD_VENV:-target/python-venv}
profile=${LOADGUARD_WHEEL_PROFILE:-dev}
python=${PYTHON:-python3}

rm -rf target/wheels
"$python" -m venv --clear "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "maturin>=1.9.4,<2"
"$venv/bin/maturin" build --profile "$profile" --locked --out target/wheels
wheel=$(ls target/wheels/loadguard-*.whl)
echo "built $wheel"
"$venv/bin/pip" install --quiet "$wheel" pytest numpy joblib scikit-learn "ray[default]" torch transformers
# From the tests' folder, so that `import loadguard` is the installed wheel,
# not the source tree.
cd python/tests
"../../$venv/bin/python" -m pytest -q -p no:cacheprovider .
cd ../..
# The loader oracles, briefly (long runs are by hand: docs/oracle.md): CPython's
# unpickler against the engine, and torch/joblib/numpy against the scanner.
"$venv/bin/python" oracle/pickle_oracle.py --streams 20000 --seed 1 --profile dev
cargo build --locked -q --bin loadguard
LOADGUARD=target/debug/loadguard "$venv/bin/python" -W ignore oracle/container_oracle.py --rounds 1 --seed 1
