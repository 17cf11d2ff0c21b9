//! Named charts: one small TOML file each in a directory (the repository's `charts/`), so that
//! adding a chart to the dashboard needs no code.
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
}
