//! What would open a file, judged by its name: how serious it is when its
//! content was not understood. Content decides the format; the name only
//! decides how loud "not scanned" is.

use loadguard_core::Severity;

/// Which kind of loader a name invites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// `torch.load`, `joblib.load`, `pickle.load`, `numpy.load`: loaders
    /// that unpickle.
    PickleLoader,
    /// Other model loaders (ONNX, Keras, safetensors, GGUF, TensorFlow).
    ModelLoader,
    /// Data that no loader executes: tokenizer models, vocabularies,
    /// images, licences, repository metadata.
    Data,
    /// Nothing in the name says.
    Unknown,
}

const PICKLE_EXTENSIONS: &[&str] = &[
    "pkl", "pickle", "pck", "pcl", "p", "pt", "pth", "bin", "ckpt", "joblib", "jbl", "npy", "npz",
    "dill", "sav",
];
const COMPRESSED_SUFFIXES: &[&str] = &["gz", "bz2", "xz", "lzma", "z", "zst", "lz4"];
const MODEL_EXTENSIONS: &[&str] = &[
    "onnx",
    "h5",
    "hdf5",
    "keras",
    "safetensors",
    "gguf",
    "ggml",
    "pb",
    "tflite",
    "pte",
    "mlmodel",
    "msgpack",
    "ot",
    "tar",
    "zip",
    "7z",
    "mar",
    "nemo",
    "llamafile",
];
const DATA_EXTENSIONS: &[&str] = &[
    "txt", "json", "jsonl", "md", "rst", "yaml", "yml", "toml", "cfg", "ini", "csv", "tsv", "png",
    "jpg", "jpeg", "gif", "webp", "svg", "ico", "bmp", "wav", "flac", "mp3", "ogg", "model", "spm",
    "vocab", "tiktoken", "bpe", "html", "css", "xml", "lock",
];
const DATA_NAMES: &[&str] = &[
    ".gitattributes",
    ".gitignore",
    ".gitmodules",
    "license",
    "licence",
    "notice",
    "copying",
    "authors",
    "merges",
    "vocab",
    "readme",
];

/// The exposure of a file or member name (its last path component).
pub fn of(name: &str) -> Exposure {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    if lower.starts_with("pytorch_model") && lower.contains(".bin") {
        return Exposure::PickleLoader;
    }
    // `model.pkl.gz`: the extension before a compression suffix counts.
    let mut parts: Vec<&str> = lower.split('.').skip(1).collect();
    while parts.len() > 1
        && parts
            .last()
            .is_some_and(|e| COMPRESSED_SUFFIXES.contains(e))
    {
        parts.pop();
    }
    let ext = parts.last().copied().unwrap_or("");
    if PICKLE_EXTENSIONS.contains(&ext) {
        Exposure::PickleLoader
    } else if MODEL_EXTENSIONS.contains(&ext) {
        Exposure::ModelLoader
    } else if DATA_EXTENSIONS.contains(&ext)
        || DATA_NAMES
            .iter()
            .any(|n| lower == *n || lower.starts_with(&format!("{n}.")))
    {
        Exposure::Data
    } else {
        Exposure::Unknown
    }
}

impl Exposure {
    /// How serious it is that content under this name was not understood.
    pub fn severity(self) -> Severity {
        match self {
            Self::PickleLoader => Severity::High,
            Self::ModelLoader => Severity::Medium,
            Self::Data => Severity::Info,
            Self::Unknown => Severity::Low,
        }
    }

    /// Why, in words, for the finding's message.
    pub fn reason(self) -> &'static str {
        match self {
            Self::PickleLoader => {
                "its name says a pickle loader (torch.load, joblib.load, pickle.load, numpy.load) opens it"
            }
            Self::ModelLoader => "its name says a model loader opens it",
            Self::Data => "data that no model loader executes",
            Self::Unknown => "nothing in its name says what loads it",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_what_loads_them() {
        assert_eq!(
            of("pytorch_model-00001-of-00002.bin"),
            Exposure::PickleLoader
        );
        assert_eq!(of("dir/model.PKL"), Exposure::PickleLoader);
        assert_eq!(of("model.joblib.xz"), Exposure::PickleLoader);
        assert_eq!(of("weights.safetensors"), Exposure::ModelLoader);
        assert_eq!(of("tokenizer.model"), Exposure::Data);
        assert_eq!(of(".gitattributes"), Exposure::Data);
        assert_eq!(of("LICENSE"), Exposure::Data);
        assert_eq!(of("unknown"), Exposure::Unknown);
        assert_eq!(of("run.sh"), Exposure::Unknown);
    }
}
