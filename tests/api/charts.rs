//! Charts drawn from the engine's numbers: SVG parsed and checked, PNG decoded and checked.

use reqwest::StatusCode;
use roxmltree::Document;

use crate::helpers::{TestApp, spawn_demo};

impl TestApp {
    async fn chart_bytes(&self, path: &str) -> (StatusCode, String, Vec<u8>) {
        let resp = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.admin).send().await.unwrap();
        let status = resp.status();
        let content_type =
            resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (status, content_type, resp.bytes().await.unwrap().to_vec())
    }

    async fn svg(&self, path: &str) -> Svg {
        let (status, content_type, bytes) = self.chart_bytes(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&bytes));
        assert_eq!(content_type, "image/svg+xml");
        Svg(String::from_utf8(bytes).unwrap())
    }
}

struct Svg(String);

impl Svg {
    /// Every text element's content, trimmed.
    fn texts(&self) -> Vec<String> {
        let doc = Document::parse(&self.0).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or_default().trim().to_string())
            .collect()
    }

    fn has_text(&self, text: &str) -> bool {
        self.texts().iter().any(|t| t == text)
    }

    /// (x, y, width, height) of the rectangles filled with `colour` (`#RRGGBB`).
    fn rects(&self, colour: &str) -> Vec<(f64, f64, f64, f64)> {
        let doc = Document::parse(&self.0).unwrap();
        let num = |n: &roxmltree::Node, a| n.attribute(a).unwrap().parse::<f64>().unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(colour))
            .map(|n| (num(&n, "x"), num(&n, "y"), num(&n, "width"), num(&n, "height")))
            .collect()
    }
}

const TARGET: &str = "#ADC4E0";
const ACTUAL: &str = "#1F62A5";
const OURS: &str = "#D25A1E";
const OTHERS: &str = "#7890B0";
const TOWNS: [&str; 8] = ["甲镇", "乙镇", "丙镇", "丁镇", "戊镇", "己镇", "高新区", "经开区"];

#[tokio::test]
async fn target_vs_actual_has_one_bar_pair_per_child_with_the_engines_completion() {
    let app = spawn_demo().await;
    let svg = app.svg("/charts/target-vs-actual.svg?indicator=rd_expenditure&period=2023Q4&parent=district").await;
    assert!(svg.has_text("2023年全区各单位R&D经费支出目标完成情况"), "{:?}", svg.texts());
    for town in TOWNS {
        assert!(svg.has_text(town), "{town} missing: {:?}", svg.texts());
    }
    assert_eq!(svg.rects(TARGET).len(), 9, "eight targets and the legend's swatch");
    assert_eq!(svg.rects(ACTUAL).len(), 9, "eight actuals and the legend's swatch");
    assert!(svg.has_text("R&D经费支出（亿元）"), "the axis carries its unit");
    let rows = app.get_as_admin("/api/v1/progress?indicator=rd_expenditure&period=2023Q4&parent=district").await.body;
    for row in rows.as_array().unwrap() {
        let label = format!("{:.1}%", (row["completion"].as_f64().unwrap() * 1000.0).round() / 10.0);
        assert!(svg.has_text(&label), "{label} of {} missing", row["region"]);
    }
    assert!(svg.has_text("序时进度目标"));
}

#[tokio::test]
async fn benchmarks_highlight_our_region_with_value_labels() {
    let app = spawn_demo().await;
    let svg = app.svg("/charts/benchmarks.svg?region=district&indicator=rd_share&period=2023").await;
    for (name, value) in [("全区", "1.80"), ("昆山市", "1.90"), ("江阴市", "2.10"), ("深圳市", "3.30")] {
        assert!(svg.has_text(name) && svg.has_text(value), "{name} {value}: {:?}", svg.texts());
    }
    let ours = svg.rects(OURS);
    let others = svg.rects(OTHERS);
    assert_eq!((ours.len(), others.len()), (1, 3));
    // 1.8 is the lowest: ours is the shortest bar, and the bottom one (best first, top down)
    assert!(others.iter().all(|o| o.2 > ours[0].2 && o.1 < ours[0].1), "{ours:?} {others:?}");
    let widths: Vec<f64> = others.iter().map(|o| o.2).collect();
    assert!(((widths[0] / ours[0].2) - 3.3 / 1.8).abs() < 0.02, "bars are to scale: {widths:?}");
}

#[tokio::test]
async fn trend_shows_quarters_target_path_and_last_year() {
    let app = spawn_demo().await;
    let svg = app.svg("/charts/trend.svg?region=district&indicator=patent_applications&from=2023Q1&to=2023Q4").await;
    for label in ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "累计完成", "目标进度", "上年同期累计", "3601"]
    {
        assert!(svg.has_text(label), "{label}: {:?}", svg.texts());
    }
}

#[tokio::test]
async fn assessment_bars_are_sorted_and_coloured_by_grade() {
    let app = spawn_demo().await;
    let svg = app.svg("/charts/assessment.svg?year=2023").await;
    let result = app.get_as_admin("/api/v1/assessments/2023").await.body;
    let mut totals: Vec<f64> =
        result["regions"].as_array().unwrap().iter().map(|r| r["total"].as_f64().unwrap()).collect();
    totals.sort_by(|a, b| b.total_cmp(a));
    let labels: Vec<String> = svg.texts().into_iter().filter(|t| t.parse::<f64>().is_ok() && t.contains('.')).collect();
    let shown: Vec<f64> = labels.iter().map(|t| t.parse().unwrap()).collect();
    assert_eq!(shown, totals, "totals labelled in descending order");
    for grade in ["优秀", "良好", "合格"] {
        assert!(svg.has_text(grade), "legend {grade}");
    }
}

#[tokio::test]
async fn progress_has_a_row_per_indicator_with_a_target() {
    let app = spawn_demo().await;
    let svg = app.svg("/charts/progress.svg?region=town-jia&period=2023Q3").await;
    for name in ["R&D经费支出", "专利申请量", "发明专利申请量", "重大产学研合作项目"] {
        assert!(svg.has_text(name), "{name}: {:?}", svg.texts());
    }
    assert!(!svg.has_text("地区生产总值"), "no target, no row");
    let row = app.progress_of("town-jia", "rd_expenditure", "2023Q3").await;
    let label = format!("{:.1}%  符合序时进度", (row["completion"].as_f64().unwrap() * 1000.0).round() / 10.0);
    assert_eq!(row["status"], "on_track");
    assert!(svg.has_text(&label), "{label}: {:?}", svg.texts());
}

#[tokio::test]
async fn no_data_is_a_chart_that_says_so() {
    let app = spawn_demo().await;
    let svg = app.svg("/charts/assessment.svg?year=2030").await;
    assert!(svg.has_text("暂无数据"));
    let svg = app.svg("/charts/target-vs-actual.svg?indicator=gdp&period=2030Q1&parent=district").await;
    assert!(svg.has_text("暂无数据"));
    let (status, _, png) = app.chart_bytes("/charts/benchmarks.png?region=district&indicator=gdp&period=2030").await;
    assert_eq!(status, StatusCode::OK);
    assert!(image::load_from_memory(&png).is_ok());
}

/// Rows of the image that hold any pixel darker than the white background.
fn inked_rows(img: &image::RgbImage, rows: std::ops::Range<u32>, cols: std::ops::Range<u32>) -> usize {
    rows.filter(|y| cols.clone().any(|x| img.get_pixel(x, *y).0.iter().any(|c| *c < 200))).count()
}

#[tokio::test]
async fn png_charts_decode_at_their_size_with_title_and_labels_drawn() {
    let app = spawn_demo().await;
    let (status, content_type, bytes) =
        app.chart_bytes("/charts/target-vs-actual.png?indicator=rd_expenditure&period=2023&parent=district").await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "image/png"));
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (1000, 560));
    assert!(inked_rows(&img, 15..50, 200..800) > 10, "the title is drawn");
    assert!(inked_rows(&img, 505..540, 100..900) > 5, "the region names under the bars are drawn");
    assert!(inked_rows(&img, 100..400, 0..40) > 20, "the axis title is drawn");
    let blank = image::RgbImage::from_pixel(1000, 560, image::Rgb([255, 255, 255]));
    assert_ne!(img, blank);
}

#[tokio::test]
async fn named_charts_are_listed_and_drawn_with_their_titles() {
    let app = spawn_demo().await;
    let list = app.get_as_admin("/api/v1/charts").await.body;
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    for name in ["rd-share-benchmarks", "rd-expenditure-by-town", "patent-applications-trend"] {
        assert!(names.contains(&name), "{names:?}");
    }
    let svg = app.svg("/charts/named/rd-share-benchmarks.svg").await;
    assert!(svg.has_text("2023年全区R&D经费占GDP比重与昆山、江阴、深圳对比"), "{:?}", svg.texts());
    let (status, _, png) = app.chart_bytes("/charts/named/rd-expenditure-by-town.png").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(image::load_from_memory(&png).unwrap().to_rgb8().dimensions(), (1000, 560));
}

#[tokio::test]
async fn bad_chart_requests_get_json_errors_naming_the_parameter() {
    let app = spawn_demo().await;
    let cases = [
        ("/charts/pie.svg", 404, vec![]),
        ("/charts/trend.gif?region=district", 404, vec![]),
        ("/charts/named/nothing.svg", 404, vec![]),
        ("/charts/trend.svg?region=district", 422, vec!["indicator", "from", "to"]),
        ("/charts/benchmarks.svg?region=district&indicator=rd_share&period=2023-Q1", 422, vec!["period"]),
        ("/charts/assessment.svg?year=2023&colour=red", 422, vec!["colour"]),
        ("/charts/benchmarks.svg?region=nowhere&indicator=rd_share&period=2023", 404, vec![]),
    ];
    for (path, status, fields) in cases {
        let answer = app.get_as_admin(path).await;
        assert_eq!(answer.status.as_u16(), status, "{path}: {}", answer.body);
        assert!(answer.body["error"]["code"].is_string(), "{path}: JSON error");
        assert_eq!(answer.fields(), fields, "{path}");
    }
    assert_eq!(app.get("/charts/assessment.svg?year=2023", None).await.status, StatusCode::UNAUTHORIZED);
}

#[test]
fn render_writes_the_same_charts_offline() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let exe = env!("CARGO_BIN_EXE_zhibiao");
    assert!(std::process::Command::new(exe).args(["demo", "--db"]).arg(&db).output().unwrap().status.success());
    for (file, args) in [
        ("rd.png", vec!["benchmarks", "region=district", "indicator=rd_share", "period=2023"]),
        ("score.svg", vec!["assessment", "year=2023"]),
    ] {
        let out = dir.path().join(file);
        let run = std::process::Command::new(exe)
            .arg("render")
            .arg("--db")
            .arg(&db)
            .args(&args)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let bytes = std::fs::read(&out).unwrap();
        if file.ends_with(".png") {
            assert_eq!(image::load_from_memory(&bytes).unwrap().to_rgb8().dimensions(), (1000, 560));
        } else {
            assert!(Svg(String::from_utf8(bytes).unwrap()).has_text("2023年度目标考核总分"));
        }
    }
    let bad = std::process::Command::new(exe)
        .args(["render", "--db"])
        .arg(&db)
        .args(["pie", "-o"])
        .arg(dir.path().join("x.svg"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown chart kind"));
}
