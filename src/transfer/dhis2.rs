//! DHIS2 `dataValueSets` JSON: `{"dataValues": [{"dataElement", "period", "orgUnit", "value",
//! "comment"}]}` with zhibiao's codes as identifiers (indicator code → `dataElement`, region id →
//! `orgUnit`). DHIS2's quarterly and yearly periods (`2023Q1`, `2023`) are zhibiao's own.
//!
//! A row here is the 1-based position of the data value in `dataValues`. As in DHIS2, `period`
//! and `orgUnit` may be given once for the whole set and left out of its values. Other DHIS2
//! fields (`dataSet`, `categoryOptionCombo`, `storedBy`, …) are ignored.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{ExportRow, FileError, ImportRow, Parsed, RowError, RowUnit, WriteError};

/// A `dataValueSets` document as zhibiao writes it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataValueSet {
    pub data_values: Vec<DataValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataValue {
    /// the indicator's code
    #[schema(example = "rd_expenditure")]
    pub data_element: String,
    #[schema(example = "2023Q3")]
    pub period: String,
    /// the region's id
    #[schema(example = "town-jia")]
    pub org_unit: String,
    /// the figure as text, as DHIS2 writes it (a JSON number is read too)
    #[schema(example = "13.5")]
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

pub fn read(bytes: &[u8]) -> Result<Parsed, FileError> {
    let doc: Value = serde_json::from_slice(super::strip_bom(bytes))
        .map_err(|e| FileError::NotDhis2(format!("第{}行第{}列不是正确的JSON", e.line(), e.column())))?;
    let set = doc.as_object().ok_or_else(|| FileError::NotDhis2("应是含有\"dataValues\"的对象".into()))?;
    let values = set
        .get("dataValues")
        .and_then(Value::as_array)
        .ok_or_else(|| FileError::NotDhis2("缺少数据值列表\"dataValues\": [...]".into()))?;
    let default = |key: &str| set.get(key).and_then(Value::as_str);
    let mut out = Parsed { unit: RowUnit::Item, ..Parsed::default() };
    for (i, dv) in values.iter().enumerate() {
        let row = i + 1;
        match data_value(row, dv, default("period"), default("orgUnit")) {
            Ok(r) => out.rows.push(r),
            Err(message) => out.errors.push(RowError::new(row, message)),
        }
    }
    Ok(out)
}

fn data_value(row: usize, dv: &Value, period: Option<&str>, org_unit: Option<&str>) -> Result<ImportRow, String> {
    let dv = dv.as_object().ok_or("数据值应是一个对象")?;
    if dv.get("deleted").and_then(Value::as_bool) == Some(true) {
        return Err("不能通过导入删除数据（\"deleted\": true）".into());
    }
    let region = text(dv, "orgUnit", org_unit)?;
    let indicator = text(dv, "dataElement", None)?;
    let period = text(dv, "period", period)?;
    let value = match dv.get("value") {
        Some(Value::String(s)) => super::parse_number(s)?,
        Some(Value::Number(n)) => n.as_f64().filter(|v| v.is_finite()).ok_or("数值（value）不是有限的数")?,
        None | Some(Value::Null) => return Err("缺少数值（value）".into()),
        Some(_) => return Err("数值（value）应是数字或写着数字的字符串".into()),
    };
    let comment = match dv.get("comment") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => super::non_empty(s),
        Some(_) => return Err("备注（comment）应是字符串".into()),
    };
    Ok(ImportRow { row, region, indicator, period, value, comment })
}

/// A required string field, or the set's default for it.
fn text(dv: &Map<String, Value>, key: &str, default: Option<&str>) -> Result<String, String> {
    let label = match key {
        "orgUnit" => "地区",
        "dataElement" => "指标",
        _ => "时期",
    };
    match dv.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(Value::String(_)) => Err(format!("{label}（{key}）为空")),
        None | Some(Value::Null) => default.map(str::to_string).ok_or_else(|| format!("缺少{label}（{key}）")),
        Some(_) => Err(format!("{label}（{key}）应是字符串")),
    }
}

pub fn write(rows: &[ExportRow]) -> Result<Vec<u8>, WriteError> {
    let set = DataValueSet {
        data_values: rows
            .iter()
            .map(|r| DataValue {
                data_element: r.indicator.clone(),
                period: r.period.clone(),
                org_unit: r.region.clone(),
                value: super::format_number(r.value),
                comment: r.comment.clone(),
            })
            .collect(),
    };
    serde_json::to_vec_pretty(&set).map_err(|e| WriteError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_data_values_by_position() {
        let doc = br#"{"dataSet": "quarterly", "period": "2023Q2", "dataValues": [
            {"dataElement": "gdp", "period": "2023Q1", "orgUnit": "town-a", "value": "12.5", "comment": "ok"},
            {"dataElement": "gdp", "orgUnit": "town-b", "value": 7, "categoryOptionCombo": "HllvX50cXC0"},
            {"dataElement": "gdp", "orgUnit": "town-c", "value": "x"},
            {"dataElement": "gdp", "period": "2023Q1", "value": "1"},
            {"dataElement": 3, "period": "2023Q1", "orgUnit": "town-a", "value": "1"},
            {"dataElement": "gdp", "period": "2023Q1", "orgUnit": "town-a", "value": true},
            {"dataElement": "gdp", "period": "2023Q1", "orgUnit": "town-a", "value": "1", "deleted": true},
            [],
            {"dataElement": "rd", "period": "2023Q1", "orgUnit": "town-a", "value": "0.3", "comment": null}
        ]}"#;
        let parsed = read(doc).unwrap();
        let rows: Vec<(usize, &str, &str, &str, f64, Option<&str>)> = parsed
            .rows
            .iter()
            .map(|r| (r.row, r.region.as_str(), r.indicator.as_str(), r.period.as_str(), r.value, r.comment.as_deref()))
            .collect();
        assert_eq!(
            rows,
            [
                (1, "town-a", "gdp", "2023Q1", 12.5, Some("ok")),
                (2, "town-b", "gdp", "2023Q2", 7.0, None),
                (9, "town-a", "rd", "2023Q1", 0.3, None)
            ]
        );
        let errors: Vec<(usize, &str)> = parsed.errors.iter().map(|e| (e.row, e.message.as_str())).collect();
        assert_eq!(
            errors,
            [
                (3, "数值“x”不是数字"),
                (4, "缺少地区（orgUnit）"),
                (5, "指标（dataElement）应是字符串"),
                (6, "数值（value）应是数字或写着数字的字符串"),
                (7, "不能通过导入删除数据（\"deleted\": true）"),
                (8, "数据值应是一个对象"),
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_a_data_value_set_is_refused_whole() {
        for bad in [&b"not json"[..], b"[]", b"{}", b"{\"dataValues\": {}}", b""] {
            assert!(matches!(read(bad), Err(FileError::NotDhis2(_))), "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(read(b"not json"), Err(FileError::NotDhis2("第1行第2列不是正确的JSON".into())));
        assert_eq!(
            read(b"\xEF\xBB\xBF{\"dataValues\": []}").unwrap(),
            Parsed { unit: RowUnit::Item, ..Parsed::default() }
        );
    }

    #[test]
    fn writes_what_it_reads() {
        let rows = vec![
            ExportRow {
                region: "town-a".into(),
                indicator: "gdp".into(),
                period: "2023Q1".into(),
                value: 0.1 + 0.2,
                comment: Some("注".into()),
            },
            ExportRow {
                region: "kunshan".into(),
                indicator: "rd_share".into(),
                period: "2023".into(),
                value: 1.9,
                comment: None,
            },
        ];
        let bytes = write(&rows).unwrap();
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            doc["dataValues"][1],
            serde_json::json!({"dataElement": "rd_share", "period": "2023", "orgUnit": "kunshan", "value": "1.9"})
        );
        let back = read(&bytes).unwrap();
        assert_eq!(back.errors, []);
        assert_eq!(
            back.rows.iter().map(|r| (r.value, r.comment.clone())).collect::<Vec<_>>(),
            [(0.1 + 0.2, Some("注".into())), (1.9, None)]
        );
    }
}
