//! Builds the repository's named charts (`charts/*.toml`) into the program, so that the service
//! shows them whatever folder it starts in and adding a chart needs no code: the list of files is
//! written here, each file's text is included by `include_str!`.

use std::path::Path;
use std::{env, fs};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("charts");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut charts: Vec<(String, String)> = fs::read_dir(&dir)
        .expect("the repository has a charts/ folder")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?.strip_suffix(".toml")?.to_string();
            Some((name, path.display().to_string()))
        })
        .collect();
    charts.sort();
    let list: String = charts.iter().map(|(name, path)| format!("    ({name:?}, include_str!({path:?})),\n")).collect();
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets it")).join("named_charts.rs");
    fs::write(out, format!("&[\n{list}]\n")).expect("OUT_DIR is writable");
}
