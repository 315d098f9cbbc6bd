"""Guarded loaders and patch(), against the real libraries."""

import io
import logging
import pickle

import pytest

import loadguard


class Custom:
    """Pickled by reference to this test module: an unknown callable for the
    scanner (review), harmless to load."""

    def __init__(self, x=1):
        self.x = x

    def __eq__(self, other):
        return isinstance(other, Custom) and other.x == self.x


def test_torch_load_refuses_a_payload_and_loads_a_real_checkpoint(fixtures, tmp_path, no_canary):
    torch = pytest.importorskip("torch")
    with pytest.raises(loadguard.UnsafeArtifactError) as e:
        loadguard.torch_load(fixtures / "containers" / "malicious" / "payload.pt", weights_only=False)
    assert e.value.report.verdict == "not-safe"
    assert "payload.pt" in str(e.value)
    with pytest.raises(loadguard.UnsafeArtifactError):
        loadguard.torch_load(fixtures / "containers" / "malicious" / "payload_legacy.pt", weights_only=False)
    state = {"w": torch.arange(6.0).reshape(2, 3), "b": torch.zeros(3)}
    path = tmp_path / "model.pt"
    torch.save(state, path)
    loaded = loadguard.torch_load(path)
    assert torch.equal(loaded["w"], state["w"]) and torch.equal(loaded["b"], state["b"])
    # mmap=True loads by path, after scanning the path.
    loaded = loadguard.torch_load(path, mmap=True)
    assert torch.equal(loaded["w"], state["w"])
    # A file object.
    with open(path, "rb") as f:
        assert torch.equal(loadguard.torch_load(f)["b"], state["b"])


def test_joblib_load(fixtures, tmp_path, no_canary):
    joblib = pytest.importorskip("joblib")
    np = pytest.importorskip("numpy")
    for name in ["payload.joblib", "payload.joblib.xz", "payload_in_object_array.joblib"]:
        with pytest.raises(loadguard.UnsafeArtifactError):
            loadguard.joblib_load(fixtures / "containers" / "malicious" / name)
    sklearn = pytest.importorskip("sklearn.linear_model")
    model = sklearn.LogisticRegression().fit(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 0, 1, 1])
    for compress in (0, 3):
        path = tmp_path / f"model-{compress}.joblib"
        joblib.dump(model, path, compress=compress)
        loaded = loadguard.joblib_load(path)
        assert (loaded.predict([[0.0], [3.0]]) == [0, 1]).all()


def test_numpy_load(fixtures, tmp_path, no_canary):
    np = pytest.importorskip("numpy")
    for name in ["payload.npy", "payload.npz"]:
        with pytest.raises(loadguard.UnsafeArtifactError):
            loadguard.numpy_load(fixtures / "containers" / "malicious" / name, allow_pickle=True)
    a = np.arange(12).reshape(3, 4)
    np.save(tmp_path / "a.npy", a)
    assert (loadguard.numpy_load(tmp_path / "a.npy") == a).all()
    assert (loadguard.numpy_load(tmp_path / "a.npy", mmap_mode="r") == a).all()
    np.savez_compressed(tmp_path / "b.npz", a=a)
    with loadguard.numpy_load(tmp_path / "b.npz") as z:
        assert (z["a"] == a).all()


def test_pickle_load_reads_one_object_of_a_stream(tmp_path):
    path = tmp_path / "two.pkl"
    with open(path, "wb") as f:
        pickle.dump({"a": 1}, f)
        pickle.dump([2, 3], f)
    with open(path, "rb") as f:
        assert loadguard.pickle_load(f) == {"a": 1}
        assert loadguard.pickle_load(f) == [2, 3]
    assert loadguard.pickle_loads(pickle.dumps((1, "x"))) == (1, "x")


def test_pickle_loads_refuses_a_payload(fixtures, no_canary):
    data = (fixtures / "malicious" / "subprocess_popen.pkl").read_bytes()
    with pytest.raises(loadguard.UnsafeArtifactError) as e:
        loadguard.pickle_loads(data)
    assert any(f.callable and "Popen" in f.callable for f in e.value.report.findings)


def test_the_override_is_explicit_and_logged(caplog):
    data = pickle.dumps(Custom(7))
    with pytest.raises(loadguard.UnsafeArtifactError) as e:
        loadguard.pickle_loads(data)
    assert e.value.report.verdict == "review"
    with caplog.at_level(logging.WARNING, logger="loadguard"):
        assert loadguard.pickle_loads(data, allow_unsafe=True) == Custom(7)
    assert "allow_unsafe=True" in caplog.text and "review" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="loadguard"):
        with loadguard.unsafe_allowed("our own class, reviewed"):
            assert loadguard.pickle_loads(data) == Custom(7)
    assert "our own class, reviewed" in caplog.text
    # Outside the block the guard is back.
    with pytest.raises(loadguard.UnsafeArtifactError):
        loadguard.pickle_loads(data)
    with pytest.raises(ValueError):
        with loadguard.unsafe_allowed(""):
            pass


def test_patch_guards_the_real_functions(fixtures, tmp_path, no_canary):
    np = pytest.importorskip("numpy")
    torch = pytest.importorskip("torch")
    patched = loadguard.patch()
    assert {"torch.load", "numpy.load", "pickle.load", "pickle.loads"} <= set(patched)
    assert getattr(torch.load, "__loadguard__", False)
    with pytest.raises(loadguard.UnsafeArtifactError):
        torch.load(fixtures / "containers" / "malicious" / "payload.pt", weights_only=False)
    with pytest.raises(loadguard.UnsafeArtifactError):
        pickle.loads((fixtures / "malicious" / "os_system.pkl").read_bytes())
    # numpy.load of a safe object array calls pickle.load inside: covered by
    # numpy.load's own scan, not refused twice.
    arr = np.array([1, "two", 3.0], dtype=object)
    np.save(tmp_path / "obj.npy", arr, allow_pickle=True)
    assert list(np.load(tmp_path / "obj.npy", allow_pickle=True)) == [1, "two", 3.0]
    torch.save({"x": torch.ones(2)}, tmp_path / "ok.pt")
    assert torch.equal(torch.load(tmp_path / "ok.pt")["x"], torch.ones(2))
    # Patching twice is harmless; unpatch() restores the originals.
    loadguard.patch()
    loadguard.unpatch()
    assert not getattr(torch.load, "__loadguard__", False)
    assert pickle.loads(pickle.dumps(5)) == 5


def test_check_pretrained_scans_a_model_folder(fixtures, tmp_path, no_canary):
    good = tmp_path / "good"
    good.mkdir()
    for name in ["model.safetensors", "state_dict.pt"]:
        (good / name).write_bytes((fixtures / "containers" / "benign" / name).read_bytes())
    report = loadguard.check_pretrained(good)
    assert report.verdict == "safe"
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "pytorch_model.bin").write_bytes((fixtures / "containers" / "malicious" / "payload.pt").read_bytes())
    with pytest.raises(loadguard.UnsafeArtifactError):
        loadguard.check_pretrained(bad)


def test_patch_guards_from_pretrained(fixtures, tmp_path, no_canary):
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("torch")
    config = transformers.BertConfig(
        vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32
    )
    good = tmp_path / "good"
    transformers.BertModel(config).save_pretrained(good, safe_serialization=False)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text((good / "config.json").read_text())
    (bad / "pytorch_model.bin").write_bytes((fixtures / "containers" / "malicious" / "payload.pt").read_bytes())

    assert "transformers.PreTrainedModel.from_pretrained" in loadguard.patch()
    model = transformers.BertModel.from_pretrained(good)
    assert model.config.hidden_size == 16
    with pytest.raises(loadguard.UnsafeArtifactError) as e:
        transformers.AutoModel.from_pretrained(bad)
    assert any("pytorch_model.bin" in f.location.path for f in e.value.report.findings)
    loadguard.unpatch()
    assert not getattr(transformers.PreTrainedModel.from_pretrained, "__loadguard__", False)
