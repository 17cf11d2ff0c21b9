//! Charts drawn from the engine's numbers: SVG parsed and checked, PNG decoded and checked.

use reqwest::StatusCode;
use roxmltree::Document;
use serde_json::json;
use zhibiao::charts::model::{
    Bar, Bars, Body, Chart, LightCounts, Pair, ProgressRow, ProgressRows, Score, Scores, TargetVsActual, TaskLights,
    Trend,
};
use zhibiao::domain::progress::Status;

use crate::helpers::{Served, TestApp, spawn_app, spawn_demo};

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
    // the home page's trend runs to the end of the year being reported: 2024's fourth quarter projected
    let trend = app.svg("/charts/named/patent-applications-trend.svg").await;
    assert!(trend.has_text("全年预计") && trend.has_text("预计3765"), "{:?}", trend.texts());
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
    assert!(String::from_utf8_lossy(&bad.stderr).contains("这种图"));
}

// ---------------------------------------------------------------------------------------------
// Forty categories: every label apart from every other and from the legend, nothing of
// negative size, whether the chart comes from a model or over HTTP.

const PROVINCES: [&str; 31] = [
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
];

/// 2015Q1 … 2024Q4
fn forty_quarters() -> Vec<String> {
    (0..40).map(|i| format!("{}Q{}", 2015 + i / 4, i % 4 + 1)).collect()
}

/// A text of the SVG and the box a viewer draws it in, estimated from its font size (CJK about
/// 1 em wide, ASCII about 0.55 em), its anchor and its rotation: (x0, y0, x1, y1).
#[derive(Debug, Clone)]
struct Label {
    text: String,
    bounds: (f64, f64, f64, f64),
}

fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

impl Svg {
    fn size(&self) -> (f64, f64) {
        let doc = Document::parse(&self.0).unwrap();
        let root = doc.root_element();
        let num = |a| root.attribute(a).unwrap().parse::<f64>().unwrap();
        (num("width"), num("height"))
    }

    fn labels(&self) -> Vec<Label> {
        let doc = Document::parse(&self.0).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| {
                let text = n.text().unwrap_or_default().trim().to_string();
                if text.is_empty() {
                    return None;
                }
                let num = |a: &str| n.attribute(a).unwrap_or("0").parse::<f64>().unwrap();
                let size = num("font-size");
                let (x, y) = (num("x"), num("y"));
                let width: f64 = text.chars().map(|c| if c.is_ascii() { 0.55 } else { 1.0 }).sum::<f64>() * size;
                let dy = n.attribute("dy").unwrap_or("0");
                let shift = if let Some(em) = dy.strip_suffix("em") {
                    em.parse::<f64>().unwrap()
                } else if let Some(ex) = dy.strip_suffix("ex") {
                    ex.parse::<f64>().unwrap() / 2.0
                } else {
                    dy.parse::<f64>().unwrap() / size
                };
                let baseline = y + shift * size;
                let (x0, x1) = match n.attribute("text-anchor").unwrap_or("start") {
                    "middle" => (x - width / 2.0, x + width / 2.0),
                    "end" => (x - width, x),
                    _ => (x, x + width),
                };
                let (y0, y1) = (baseline - 0.8 * size, baseline + 0.2 * size);
                let corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)];
                let corners: Vec<(f64, f64)> = match n.attribute("transform") {
                    None => corners.to_vec(),
                    Some(t) => {
                        let args: Vec<f64> = t
                            .trim_start_matches("rotate(")
                            .trim_end_matches(')')
                            .split(',')
                            .map(|a| a.trim().parse().unwrap())
                            .collect();
                        let (a, cx, cy) = (args[0].to_radians(), args[1], args[2]);
                        corners
                            .iter()
                            .map(|(px, py)| {
                                let (dx, dy) = (px - cx, py - cy);
                                (cx + dx * a.cos() - dy * a.sin(), cy + dx * a.sin() + dy * a.cos())
                            })
                            .collect()
                    }
                };
                let fold = |f: fn(f64, f64) -> f64, pick: fn(&(f64, f64)) -> f64, start: f64| {
                    corners.iter().map(pick).fold(start, f)
                };
                let bounds = (
                    fold(f64::min, |c| c.0, f64::INFINITY),
                    fold(f64::min, |c| c.1, f64::INFINITY),
                    fold(f64::max, |c| c.0, f64::NEG_INFINITY),
                    fold(f64::max, |c| c.1, f64::NEG_INFINITY),
                );
                Some(Label { text, bounds })
            })
            .collect()
    }

    /// Checks what the charts promise at any number of categories: no two texts overlap, none
    /// overlaps the legend (its texts and the 22 px of swatch before each), every text is inside
    /// the picture, and no rectangle or circle has a negative size.
    fn assert_readable(&self, legend: &[&str]) {
        let labels = self.labels();
        let (width, height) = self.size();
        for l in &labels {
            let b = l.bounds;
            assert!(
                b.0 >= -0.5 && b.1 >= -0.5 && b.2 <= width + 0.5 && b.3 <= height + 0.5,
                "{l:?} outside the picture"
            );
        }
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                assert!(!overlap(a.bounds, b.bounds), "{a:?} overlaps {b:?}");
            }
        }
        let entries: Vec<&Label> = labels.iter().filter(|l| legend.contains(&l.text.as_str())).collect();
        assert_eq!(entries.len(), legend.len(), "legend {legend:?}");
        if !entries.is_empty() {
            let legend_box =
                entries.iter().fold((f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY), |m, l| {
                    (m.0.min(l.bounds.0 - 22.0), m.1.min(l.bounds.1), m.2.max(l.bounds.2), m.3.max(l.bounds.3))
                });
            for l in labels.iter().filter(|l| !legend.contains(&l.text.as_str())) {
                assert!(!overlap(l.bounds, legend_box), "{l:?} under the legend {legend_box:?}");
            }
        }
        let doc = Document::parse(&self.0).unwrap();
        for n in doc.descendants().filter(|n| n.is_element()) {
            for a in ["width", "height", "r"] {
                if let Some(v) = n.attribute(a).and_then(|v| v.parse::<f64>().ok()) {
                    assert!(v >= 0.0, "<{} {a}=\"{v}\">", n.tag_name().name());
                }
            }
        }
    }

    fn count_texts(&self, pred: impl Fn(&str) -> bool) -> usize {
        self.texts().iter().filter(|t| pred(t)).count()
    }
}

fn draw_svg(chart: &Chart) -> Svg {
    Svg(zhibiao::charts::draw::svg(chart).unwrap())
}

/// Saves a picture under target/charts-40/ to look at.
fn keep(name: &str, bytes: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/charts-40");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn provinces_target_vs_actual() -> Chart {
    let groups = PROVINCES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            // targets from 60 to 6,000; completion from 80% to about 120%
            let target = 60.0 * (1.0 + (i * 37 % 100) as f64);
            let completion = 0.8 + (i * 13 % 41) as f64 / 100.0;
            Pair {
                name: name.to_string(),
                target: Some(target),
                actual: Some(target * completion),
                completion: Some(completion),
                pace: Some(target),
            }
        })
        .collect();
    Chart {
        title: "2023年全国各省（区、市）R&D经费支出目标完成情况".into(),
        body: Body::TargetVsActual(TargetVsActual { axis: "R&D经费支出（亿元）".into(), decimals: 1, groups }),
    }
}

fn forty_quarter_trend() -> Chart {
    let labels = forty_quarters();
    let ytd = |i: usize, scale: f64| Some(scale * (1000.0 + 40.0 * (i / 4) as f64) * ((i % 4) as f64 + 1.0) / 4.0);
    Chart {
        title: "全国专利申请量累计完成情况（2015年一季度—2024年四季度）".into(),
        body: Body::Trend(Trend {
            axis: "专利申请量（件）".into(),
            decimals: 0,
            annual: false,
            year_starts: (0..40).map(|i| i % 4 == 0).collect(),
            actual: (0..40).map(|i| ytd(i, 1.02)).collect(),
            target_path: (0..40).map(|i| ytd(i, 1.0)).collect(),
            last_year: (0..40).map(|i| if i < 4 { None } else { ytd(i - 4, 1.02) }).collect(),
            projected: vec![None; 40],
            labels,
        }),
    }
}

fn provinces_benchmarks() -> Chart {
    let rows = PROVINCES
        .iter()
        .enumerate()
        .map(|(i, name)| Bar { name: name.to_string(), value: Some(6.5 - 0.2 * i as f64), highlight: i == 7 })
        .collect();
    Chart {
        title: "2023年各省（区、市）R&D经费投入强度对比".into(),
        body: Body::Bars(Bars { axis: "R&D经费投入强度（%）".into(), decimals: 2, rows }),
    }
}

fn forty_scores() -> Chart {
    let rows = (0..40)
        .map(|i| Score {
            name: if i < 31 { PROVINCES[i].to_string() } else { format!("第{}区", i - 30) },
            total: 98.75 - 1.5 * i as f64,
            grade: Some(i / 12),
        })
        .collect();
    Chart {
        title: "2023年度目标考核总分".into(),
        body: Body::Scores(Scores {
            grades: vec!["优秀".into(), "良好".into(), "合格".into(), "不合格".into()], rows
        }),
    }
}

fn progress_rows(n: usize) -> Chart {
    let rows = (0..n)
        .map(|i| ProgressRow {
            name: format!("科技创新指标{}", i + 1),
            completion: Some(0.6 + 0.02 * i as f64),
            expected: 0.75,
            status: if i % 3 == 0 { Status::Behind } else { Status::OnTrack },
        })
        .collect();
    Chart {
        title: "全区2023年前三季度各项指标目标完成进度".into(), body: Body::Progress(ProgressRows { rows })
    }
}

#[test]
fn thirty_one_provinces_are_all_named_upright_with_every_completion_clear_of_the_legend() {
    let svg = draw_svg(&provinces_target_vs_actual());
    keep("target-vs-actual.svg", svg.0.as_bytes());
    svg.assert_readable(&["年度目标", "累计完成", "序时进度目标"]);
    for name in PROVINCES {
        assert!(svg.has_text(name), "{name} missing");
    }
    let shares = svg.count_texts(|t| t.ends_with('%') && t.parse::<f64>().is_err());
    assert_eq!(shares, 31, "one completion per province: {:?}", svg.texts());
    assert_eq!(svg.rects(ACTUAL).len(), 32, "31 bars and the legend's swatch");
    // ticks of a 0 … 7,000 axis are whole numbers
    assert!(svg.has_text("6000") || svg.has_text("5000"), "{:?}", svg.texts());
    assert_eq!(svg.count_texts(|t| t.ends_with(".0")), 0, "{:?}", svg.texts());
}

#[test]
fn forty_quarters_show_each_years_first_quarter_and_values_that_do_not_touch() {
    let svg = draw_svg(&forty_quarter_trend());
    keep("trend.svg", svg.0.as_bytes());
    svg.assert_readable(&["上年同期累计", "目标进度", "累计完成"]);
    let quarters: Vec<String> = svg.texts().into_iter().filter(|t| t.len() == 6 && t.contains('Q')).collect();
    let want: Vec<String> = (2015..=2024).map(|y| format!("{y}Q1")).collect();
    assert_eq!(quarters, want);
    let values = svg.count_texts(|t| t.parse::<u32>().is_ok_and(|v| v > 250 && v % 10 != 0));
    assert!((10..=40).contains(&values), "some values are written, thinned: {values}");
}

#[test]
fn thirty_one_benchmark_rows_each_have_a_name_and_a_value_and_the_picture_grows() {
    let svg = draw_svg(&provinces_benchmarks());
    keep("benchmarks.svg", svg.0.as_bytes());
    svg.assert_readable(&[]);
    for name in PROVINCES {
        assert!(svg.has_text(name), "{name} missing");
    }
    for i in 0..31 {
        let value = format!("{:.2}", 6.5 - 0.2 * f64::from(i));
        assert!(svg.has_text(&value), "{value} missing");
    }
    let (width, height) = svg.size();
    assert_eq!(width, 1000.0);
    assert!(height >= 31.0 * 26.0, "{height}: rows of at least 26 px");
    assert_eq!((svg.rects(OURS).len(), svg.rects(OTHERS).len()), (1, 30));
}

#[test]
fn forty_assessment_scores_stay_apart_and_clear_of_the_grade_legend() {
    let svg = draw_svg(&forty_scores());
    keep("assessment.svg", svg.0.as_bytes());
    svg.assert_readable(&["优秀", "良好", "合格", "不合格"]);
    let scores = svg.count_texts(|t| t.contains('.') && t.parse::<f64>().is_ok());
    assert_eq!(scores, 40, "{:?}", svg.texts());
    assert!(svg.has_text("第9区"));
}

#[test]
fn progress_rows_are_positive_and_named_from_one_indicator_to_forty() {
    for n in [1, 2, 31, 40] {
        let svg = draw_svg(&progress_rows(n));
        svg.assert_readable(&[]);
        for i in 1..=n {
            assert!(svg.has_text(&format!("科技创新指标{i}")), "{n} rows: row {i} unnamed");
        }
        let behind = svg.count_texts(|t| t.ends_with("略低于序时进度") || t.ends_with("落后于序时进度"));
        let on_track = svg.count_texts(|t| t.ends_with("符合序时进度"));
        assert_eq!(behind + on_track, n, "{n}: {:?}", svg.texts());
        if n == 1 {
            keep("progress-1.svg", svg.0.as_bytes());
            // one bar of 60% against an axis past 110%: more than a third of the plot, less than all
            // of it, and no thicker than a bar among many
            let bars: Vec<(f64, f64, f64, f64)> = svg.rects("#E6911E");
            assert_eq!(bars.len(), 1, "{bars:?}");
            assert!(bars[0].2 > 300.0 && bars[0].2 < 800.0, "{bars:?}");
            assert!(bars[0].3 > 20.0 && bars[0].3 <= 36.0, "{bars:?}");
        }
    }
}

#[test]
fn hundreds_of_rows_stop_growing_the_picture_and_thin_their_names_without_overlap() {
    let svg = draw_svg(&progress_rows(300));
    svg.assert_readable(&[]);
    assert_eq!(svg.size(), (1000.0, 4000.0));
    let named = svg.count_texts(|t| t.starts_with("科技创新指标"));
    assert!((100..300).contains(&named), "{named} of 300 rows named");
    assert!(svg.has_text("科技创新指标1"));
}

/// `n` departments leading 1 to 12 tasks each, every light among them somewhere.
fn department_lights(n: usize) -> Chart {
    let rows = (0..n)
        .map(|i| LightCounts {
            name: if i % 7 == 0 {
                format!("第{}科技创新服务中心办公室", i + 1)
            } else {
                format!("第{}科", i + 1)
            },
            counts: vec![i % 3, (i + 1) % 4, i % 2, 1 + i % 5],
        })
        .collect();
    Chart { title: "各科室牵头任务亮灯情况".into(), body: Body::TaskLights(TaskLights { rows }) }
}

const LIGHTS: [(&str, &str); 4] = [("红灯", "#C8232D"), ("黄灯", "#E6AA14"), ("蓝灯", "#1F62A5"), ("绿灯", "#2E8B57")];

#[test]
fn forty_departments_each_get_a_bar_of_their_lights_end_to_end_with_the_total_after_it() {
    for n in [1, 4, 40] {
        let chart = department_lights(n);
        let svg = draw_svg(&chart);
        keep(&format!("task-lights-{n}.svg"), svg.0.as_bytes());
        svg.assert_readable(&LIGHTS.map(|l| l.0));
        let Body::TaskLights(model) = &chart.body else { unreachable!() };
        // one part per light a department has, plus the legend's swatch of each light
        for (k, (light, colour)) in LIGHTS.iter().enumerate() {
            let parts = model.rows.iter().filter(|r| r.counts[k] > 0).count();
            assert_eq!(svg.rects(colour).len(), parts + 1, "{n} departments, {light}");
        }
        for r in &model.rows {
            let total: usize = r.counts.iter().sum();
            assert!(svg.texts().contains(&format!("{total}项")), "{n}: {} has no total", r.name);
        }
        // the parts of a row touch: the second part starts where the first ends, a unit is as wide
        // in every row (the legend's swatches are the narrow rects at the top)
        let mut parts: Vec<(f64, f64, f64, f64)> =
            LIGHTS.iter().flat_map(|(_, c)| svg.rects(c)).filter(|r| r.1 > 100.0).collect();
        parts.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
        let first = &model.rows[0];
        let first_parts: Vec<&(f64, f64, f64, f64)> = parts.iter().take_while(|p| p.1 == parts[0].1).collect();
        let nonzero: Vec<usize> = first.counts.iter().copied().filter(|c| *c > 0).collect();
        assert_eq!(first_parts.len(), nonzero.len(), "{n}: {first_parts:?}");
        let unit = first_parts[0].2 / nonzero[0] as f64;
        for (p, count) in first_parts.iter().zip(&nonzero) {
            assert!((p.2 - unit * *count as f64).abs() <= 1.0, "{n}: {p:?} is not {count} units of {unit}");
        }
        for pair in first_parts.windows(2) {
            assert!((pair[0].0 + pair[0].2 - pair[1].0).abs() <= 1.0, "{n}: {pair:?} do not touch");
        }
        let ticks: Vec<String> = svg.texts().into_iter().filter(|t| t.parse::<f64>().is_ok()).collect();
        assert!(ticks.len() >= 2 && ticks.iter().all(|t| t.parse::<u32>().is_ok()), "{n}: whole tasks {ticks:?}");
    }
    assert!(draw_svg(&department_lights(40)).size().1 >= 40.0 * 26.0, "forty rows of at least 26 px");
}

/// The colour of the picture at (x, y) is within `tolerance` of `rgb` in every channel.
fn near(img: &image::RgbImage, (x, y): (f64, f64), rgb: [u8; 3], tolerance: u8) -> bool {
    let px = img.get_pixel(x as u32, y as u32).0;
    px.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= tolerance)
}

#[test]
fn a_png_of_thirty_one_provinces_has_each_bar_where_the_svg_puts_it_and_ink_under_each() {
    let chart = provinces_target_vs_actual();
    let png = zhibiao::charts::render(&chart, zhibiao::charts::Format::Png).unwrap();
    keep("target-vs-actual.png", &png);
    let img = image::load_from_memory(&png).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (1000, 560));
    let svg = draw_svg(&chart);
    let mut actual = svg.rects(ACTUAL);
    actual.sort_by(|a, b| a.0.total_cmp(&b.0));
    // bars stand on the axis; the legend's swatch does not
    let plot_bottom = actual.iter().map(|r| r.1 + r.3).fold(0.0, f64::max);
    let bars: Vec<_> = actual.iter().filter(|r| r.1 + r.3 > plot_bottom - 1.0).collect();
    assert_eq!(bars.len(), 31, "{actual:?}");
    for r in &bars {
        let centre = (r.0 + r.2 / 2.0, r.1 + r.3 / 2.0);
        assert!(near(&img, centre, [31, 98, 165], 8), "no bar colour at {centre:?}");
        // the upright name under it
        let column = (r.0 as u32)..((r.0 + r.2) as u32 + 8);
        let rows = (plot_bottom as u32 + 8)..(plot_bottom as u32 + 40);
        assert!(inked_rows(&img, rows, column) >= 10, "no name under the bar at x = {}", r.0);
    }
    // the legend's row, right of the middle, above the plot
    assert!(inked_rows(&img, 60..90, 600..980) >= 8, "the legend is drawn");
}

#[test]
fn pngs_of_every_kind_at_forty_categories_decode_at_their_size() {
    for (name, chart) in [
        ("trend.png", forty_quarter_trend()),
        ("benchmarks.png", provinces_benchmarks()),
        ("assessment.png", forty_scores()),
        ("progress-40.png", progress_rows(40)),
        ("progress-1.png", progress_rows(1)),
        ("task-lights-40.png", department_lights(40)),
    ] {
        let png = zhibiao::charts::render(&chart, zhibiao::charts::Format::Png).unwrap();
        keep(name, &png);
        let img = image::load_from_memory(&png).unwrap().to_rgb8();
        let (w, h) = Svg(zhibiao::charts::draw::svg(&chart).unwrap()).size();
        assert_eq!(img.dimensions(), (w as u32, h as u32), "{name}");
        assert!(inked_rows(&img, 0..h as u32, 0..w as u32) > h as usize / 2, "{name}: mostly drawn");
    }
}

// ---------------------------------------------------------------------------------------------
// Named charts are built in: the service shows them from any folder; `--charts DIR` adds or replaces.

/// A chart's or the chart list's answer from a served binary.
async fn served_get(served: &Served, path: &str, token: &str) -> (StatusCode, String) {
    let resp = reqwest::Client::new().get(format!("{}{path}", served.base)).bearer_auth(token).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

async fn chart_names(served: &Served, token: &str) -> Vec<String> {
    let (status, body) = served_get(served, "/api/v1/charts", token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    list.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn serve_started_in_another_folder_shows_the_built_in_charts_and_charts_dir_replaces_one() {
    let exe = env!("CARGO_BIN_EXE_zhibiao");
    let elsewhere = tempfile::tempdir().unwrap();
    let db = elsewhere.path().join("z.db");
    assert!(std::process::Command::new(exe).args(["demo", "--db"]).arg(&db).output().unwrap().status.success());
    let added = std::process::Command::new(exe)
        .args(["user", "add", "--name", "chartist", "--role", "admin", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let token = String::from_utf8(added.stdout).unwrap().lines().last().unwrap().trim().to_string();
    assert!(!elsewhere.path().join("charts").exists());

    let built_in = ["assessment-2023", "patent-applications-trend", "rd-expenditure-by-town", "rd-share-benchmarks"];
    {
        let served = Served::start(elsewhere.path(), &db, &[], &[]);
        assert_eq!(chart_names(&served, &token).await, built_in);
        let (status, svg) = served_get(&served, "/charts/named/rd-share-benchmarks.svg", &token).await;
        assert_eq!(status, StatusCode::OK, "{svg}");
        assert!(Svg(svg).has_text("2023年全区R&D经费占GDP比重与昆山、江阴、深圳对比"));
    }

    let local = elsewhere.path().join("local-charts");
    std::fs::create_dir(&local).unwrap();
    let write = |name: &str, text: &str| std::fs::write(local.join(name), text).unwrap();
    write(
        "rd-share-benchmarks.toml",
        "title = \"研发投入强度对标（本地）\"\nkind = \"benchmarks\"\n[params]\nregion = \"district\"\nindicator = \"rd_share\"\nperiod = \"2022\"\n",
    );
    write(
        "jia-progress.toml",
        "title = \"甲镇进度\"\nkind = \"progress\"\n[params]\nregion = \"town-jia\"\nperiod = \"2023Q3\"\n",
    );
    let served = Served::start(elsewhere.path(), &db, &["--charts".as_ref(), local.as_os_str()], &[]);
    let mut want: Vec<&str> = built_in.to_vec();
    want.insert(1, "jia-progress");
    assert_eq!(chart_names(&served, &token).await, want);
    let (status, svg) = served_get(&served, "/charts/named/rd-share-benchmarks.svg", &token).await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    let svg = Svg(svg);
    assert!(svg.has_text("研发投入强度对标（本地）"), "{:?}", svg.texts());
    assert!(!svg.has_text("2023年全区R&D经费占GDP比重与昆山、江阴、深圳对比"));
    let (status, svg) = served_get(&served, "/charts/named/jia-progress.svg", &token).await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    assert!(Svg(svg).has_text("甲镇进度"));
}

#[test]
fn render_draws_a_built_in_named_chart_from_any_folder() {
    let exe = env!("CARGO_BIN_EXE_zhibiao");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    assert!(std::process::Command::new(exe).args(["demo", "--db"]).arg(&db).output().unwrap().status.success());
    let run = std::process::Command::new(exe)
        .current_dir(dir.path())
        .env_remove("ZHIBIAO_CHARTS")
        .args(["render", "assessment-2023", "-o", "named.svg", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let svg = Svg(std::fs::read_to_string(dir.path().join("named.svg")).unwrap());
    assert!(svg.has_text("2023年度各镇（区）科技创新目标考核总分"), "{:?}", svg.texts());
}

#[test]
fn the_label_check_sees_names_that_run_together_and_turned_names_that_do_not() {
    let text = |x: u32, rotate: bool, name: &str| {
        let turn = if rotate { format!(r#" transform="rotate(270, {x}, 500)""#) } else { String::new() };
        format!(r#"<text x="{x}" y="500" dy="0.5ex" text-anchor="end" font-size="12.9"{turn}>{name}</text>"#)
    };
    let svg = |rotate: bool| {
        Svg(format!(
            r#"<svg width="1000" height="560" xmlns="http://www.w3.org/2000/svg">{}{}</svg>"#,
            text(120, rotate, "山西"),
            text(148, rotate, "内蒙古")
        ))
    };
    let level = svg(false).labels();
    assert!(overlap(level[0].bounds, level[1].bounds), "{level:?}");
    let upright = svg(true).labels();
    assert!(!overlap(upright[0].bounds, upright[1].bounds), "{upright:?}");
    // turned a quarter left, a name ending at the anchor hangs below it
    assert!(upright[1].bounds.1 >= 499.0 && upright[1].bounds.3 > 530.0, "{upright:?}");
}

#[tokio::test]
async fn thirty_one_provinces_over_http_are_named_with_the_engines_completions_apart() {
    let app = spawn_app().await.with_small_world().await;
    let created = app.post_region(json!({"id": "cn", "name": "全国", "kind": "district"})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    for (i, name) in PROVINCES.iter().enumerate() {
        let id = format!("p{:02}", i + 1);
        let body = json!({"id": id, "name": name, "kind": "province", "parent": "cn", "sort": i});
        let created = app.post_region(body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let target = 20.0 + 7.0 * i as f64;
        app.set_target(&id, "rd_expenditure", 2023, target).await;
        let ratio = 0.85 + (i * 7 % 31) as f64 / 100.0;
        app.put_values_as_admin(&id, "2023Q4", &[("rd_expenditure", (target * ratio * 100.0).round() / 100.0)]).await;
    }
    let path = "/charts/target-vs-actual.svg?indicator=rd_expenditure&period=2023Q4&parent=cn";
    let svg = app.svg(path).await;
    svg.assert_readable(&["年度目标", "累计完成", "序时进度目标"]);
    for name in PROVINCES {
        assert!(svg.has_text(name), "{name} missing");
    }
    let rows = app.get_as_admin("/api/v1/progress?indicator=rd_expenditure&period=2023Q4&parent=cn").await.body;
    assert_eq!(rows.as_array().unwrap().len(), 31);
    for row in rows.as_array().unwrap() {
        let label = format!("{:.1}%", (row["completion"].as_f64().unwrap() * 1000.0).round() / 10.0);
        assert!(svg.has_text(&label), "{label} of {} missing", row["region"]);
    }
    let (status, _, png) = app.chart_bytes(&path.replace(".svg", ".png")).await;
    assert_eq!(status, StatusCode::OK);
    keep("http-target-vs-actual.png", &png);
    assert_eq!(image::load_from_memory(&png).unwrap().to_rgb8().dimensions(), (1000, 560));
}

#[tokio::test]
async fn a_trend_over_forty_quarters_over_http_labels_each_year_once() {
    let app = spawn_demo().await;
    let svg = app.svg("/charts/trend.svg?region=district&indicator=patent_applications&from=2015Q1&to=2024Q4").await;
    // 2024 ends with its third quarter: its fourth is projected
    svg.assert_readable(&["上年同期累计", "目标进度", "全年预计", "累计完成"]);
    let quarters: Vec<String> = svg.texts().into_iter().filter(|t| t.len() == 6 && t.contains('Q')).collect();
    let want: Vec<String> = (2015..=2024).map(|y| format!("{y}Q1")).collect();
    assert_eq!(quarters, want);
    for value in ["707", "3320", "3601", "2774", "预计3765"] {
        assert!(svg.has_text(value), "{value}: {:?}", svg.texts());
    }
}
