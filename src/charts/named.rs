//! Named charts: one small TOML file each. The repository's `charts/` is built into the program
//! (so the service shows them whatever folder it starts in); `serve --charts DIR` adds the files of
//! another folder, and a file there replaces the built-in chart of the same name.
//!
//! ```toml
//! title = "全区R&D经费占GDP比重与先进地区对比"
//! kind = "benchmarks"
//! [params]
//! region = "district"
//! indicator = "rd_share"
//! period = "2023"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::spec::{ChartSpec, Kind, parse};
use crate::domain::RegionId;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NamedChart {
    /// the file name without `.toml`; also the URL: `/charts/named/{name}.svg`
    pub name: String,
    pub title: String,
    pub kind: String,
    pub params: BTreeMap<String, String>,
    #[serde(skip)]
    #[schema(ignore)]
    pub spec: Option<ChartSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    title: String,
    kind: String,
    #[serde(default)]
    params: BTreeMap<String, toml::Value>,
}

/// Reads one definition; the error says what is wrong in words a person editing the file follows.
pub fn parse_file(name: &str, text: &str) -> Result<NamedChart, String> {
    RegionId::parse(name).map_err(|_| "the file name must be lower-case letters, digits and '-'".to_string())?;
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let kind = Kind::parse(&file.kind).ok_or_else(|| {
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        format!("kind '{}' is not one of {}", file.kind, kinds.join(", "))
    })?;
    let params: BTreeMap<String, String> = file
        .params
        .into_iter()
        .map(|(k, v)| match v {
            toml::Value::String(s) => Ok((k, s)),
            toml::Value::Integer(i) => Ok((k, i.to_string())),
            other => Err(format!("parameter {k} = {other} should be text or a whole number")),
        })
        .collect::<Result<_, _>>()?;
    let spec = parse(kind, &params).map_err(|errors| {
        errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
    })?;
    Ok(NamedChart { name: name.to_string(), title: file.title, kind: file.kind, params, spec: Some(spec) })
}

/// The repository's `charts/*.toml`, built in by `build.rs`: (name, text), by name.
const BUILT_IN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/named_charts.rs"));

/// The built-in charts, by name.
pub fn built_in() -> Vec<NamedChart> {
    // The files are checked by `every_built_in_chart_is_valid`: one that does not parse is a bug.
    BUILT_IN.iter().filter_map(|(name, text)| parse_file(name, text).ok()).collect()
}

/// The built-in charts with those of `dir` added, a file of `dir` replacing the built-in chart of
/// its name. Files that do not parse are reported and the built-in chart, if any, is kept.
pub fn load(dir: Option<&Path>) -> (Vec<NamedChart>, Vec<String>) {
    let mut charts: BTreeMap<String, NamedChart> = built_in().into_iter().map(|c| (c.name.clone(), c)).collect();
    let mut problems = Vec::new();
    if let Some(dir) = dir {
        let (extra, found) = load_dir(dir);
        problems = found;
        charts.extend(extra.into_iter().map(|c| (c.name.clone(), c)));
    }
    (charts.into_values().collect(), problems)
}

/// Every `*.toml` in `dir`, by name. Files that do not parse are reported, not loaded.
pub fn load_dir(dir: &Path) -> (Vec<NamedChart>, Vec<String>) {
    let mut charts = Vec::new();
    let mut problems = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return (charts, vec![format!("{}: {e}", dir.display())]),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        match std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|text| parse_file(&name, &text)) {
            Ok(chart) => charts.push(chart),
            Err(problem) => problems.push(format!("{}: {problem}", path.display())),
        }
    }
    charts.sort_by(|a, b| a.name.cmp(&b.name));
    (charts, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_definition() {
        let text = "title = \"考核\"\nkind = \"assessment\"\n[params]\nyear = 2023\n";
        let chart = parse_file("kaohe", text).unwrap();
        assert_eq!(chart.spec, Some(ChartSpec::Assessment { year: 2023 }));
        assert_eq!(chart.params["year"], "2023");
    }

    #[test]
    fn explains_what_is_wrong() {
        let cases = [
            ("ok", "title = \"x\"\nkind = \"pie\"\n", "kind 'pie'"),
            ("ok", "title = \"x\"\nkind = \"assessment\"\n[params]\nyear = \"20x3\"\n", "year:"),
            ("ok", "title = \"x\"\nkind = \"assessment\"\ncolour = 1\n", "unknown field"),
            ("Bad Name", "title = \"x\"\nkind = \"assessment\"\n", "file name"),
        ];
        for (name, text, want) in cases {
            let err = parse_file(name, text).unwrap_err();
            assert!(err.contains(want), "{err}");
        }
    }

    #[test]
    fn every_shipped_chart_is_valid() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts");
        let (charts, problems) = load_dir(&dir);
        assert_eq!(problems, Vec::<String>::new());
        assert!(charts.len() >= 3, "{charts:?}");
    }

    #[test]
    fn every_built_in_chart_is_valid_and_the_list_is_the_folder() {
        for (name, text) in BUILT_IN {
            assert!(parse_file(name, text).is_ok(), "{name}: {:?}", parse_file(name, text));
        }
        let (from_folder, _) = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("charts"));
        // build.rs builds in every file of the folder
        assert_eq!(built_in(), from_folder);
        assert_eq!(load(None), (from_folder, Vec::new()));
    }

    #[test]
    fn a_folder_adds_charts_and_replaces_built_in_ones_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("assessment-2023.toml", "title = \"考核（本地）\"\nkind = \"assessment\"\n[params]\nyear = 2024\n");
        write(
            "local.toml",
            "title = \"本地进度\"\nkind = \"progress\"\n[params]\nregion = \"town-jia\"\nperiod = \"2023Q3\"\n",
        );
        write("rd-share-benchmarks.toml", "title = \"坏\"\nkind = \"pie\"\n");
        write("notes.txt", "not a chart");
        let (charts, problems) = load(Some(dir.path()));
        let names: Vec<&str> = charts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["assessment-2023", "local", "patent-applications-trend", "rd-expenditure-by-town", "rd-share-benchmarks"]
        );
        assert_eq!(charts[0].title, "考核（本地）");
        assert_eq!(charts[0].spec, Some(ChartSpec::Assessment { year: 2024 }));
        // the broken file is reported and the built-in chart of its name stays
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("rd-share-benchmarks.toml") && problems[0].contains("kind 'pie'"), "{problems:?}");
        assert_eq!(charts[4].title, "2023年全区R&D经费占GDP比重与昆山、江阴、深圳对比");
        // a folder that is not there: the built-in charts and one problem
        let (charts, problems) = load(Some(&dir.path().join("missing")));
        assert_eq!((charts.len(), problems.len()), (4, 1));
    }
}
