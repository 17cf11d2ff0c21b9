//! Drawing chart models with plotters, into an SVG string or PNG bytes in memory.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontTransform;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartError;
use super::fonts;
use super::layout::{self, Anchor, CategoryLabels, Orientation, Rect};
use super::model::*;
use super::style::*;
use crate::domain::enterprise::ThreeZero;
use crate::domain::number::{fixed, share_percent};
use crate::domain::rectification::Color as Light;

pub fn svg(chart: &Chart) -> Result<String, ChartError> {
    fonts::ensure()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size(chart)).into_drawing_area();
        draw(&root, chart).map_err(|e| ChartError(e.to_string()))?;
        root.present().map_err(|e| ChartError(e.to_string()))?;
    }
    Ok(out)
}

/// The PNG is the SVG rasterised (resvg), so both formats show exactly the same picture and text is
/// shaped properly. (plotters' own bitmap text ignores glyph side bearings, which spaces CJK unevenly.)
pub fn png(chart: &Chart) -> Result<Vec<u8>, ChartError> {
    let svg = svg(chart)?;
    let tree = resvg::usvg::Tree::from_str(&svg, fonts::svg_options()?).map_err(|e| ChartError(e.to_string()))?;
    let (width, height) = size(chart);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height).ok_or_else(|| ChartError("image size".into()))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    encode_png(&pixmap).map_err(|e| ChartError(e.to_string()))
}

/// RGB PNG with the png crate's fast compression, for speed (BENCHMARKS.md compares it with matplotlib):
/// tiny-skia's `encode_png` (RGBA, default compression) took half of a PNG chart's time, this a tenth of
/// that, for files about twice as large (35–75 KB).
fn encode_png(pixmap: &resvg::tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    // Premultiplied RGBA composited onto white is c + (255 − a); the background is opaque white, so
    // this is just the first three bytes wherever something is drawn over it.
    let mut rgb = vec![0; pixmap.data().len() / 4 * 3];
    for (out, px) in rgb.chunks_exact_mut(3).zip(pixmap.data().chunks_exact(4)) {
        let under = 255 - px[3];
        for (o, c) in out.iter_mut().zip(px) {
            *o = c.saturating_add(under);
        }
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.write_header()?.write_image_data(&rgb)?;
    Ok(bytes)
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
type Area<DB> = DrawingArea<DB, Shift>;
type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn font(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&TEXT)
}

fn anchored(size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    font(size).pos(Pos::new(h, v))
}

/// A label as `layout` placed it: the anchor point of the text at `at` (pixels of the area drawn on).
fn label(
    text: &str,
    size: u32,
    at: (i32, i32),
    anchor: Anchor,
    orientation: Orientation,
) -> Text<'static, (i32, i32), String> {
    let (h, v) = match anchor {
        Anchor::Centre => (HPos::Center, VPos::Center),
        Anchor::Below => (HPos::Center, VPos::Bottom),
        Anchor::Top => (HPos::Center, VPos::Top),
        Anchor::LowerRight => (HPos::Right, VPos::Bottom),
        Anchor::Start => (HPos::Left, VPos::Center),
        Anchor::End => (HPos::Right, VPos::Center),
    };
    let style = anchored(size, h, v);
    let style = match orientation {
        Orientation::Level => style,
        Orientation::Upright => style.transform(FontTransform::Rotate270),
    };
    Text::new(text.to_string(), at, style)
}

/// The largest title size up to `TITLE_SIZE` at which the title fits on one line.
fn title_size(title: &str) -> u32 {
    let available = f64::from(WIDTH - 2 * MARGIN);
    (TITLE_MIN_SIZE..=TITLE_SIZE).rev().find(|s| layout::text_width(title, *s) <= available).unwrap_or(TITLE_MIN_SIZE)
}

/// The picture's size in pixels: `WIDTH` × `HEIGHT`, except that horizontal bar charts grow
/// taller (up to `MAX_HEIGHT`) so that every row keeps `ROW_MIN_HEIGHT` (31 provinces, 30 indicators).
pub fn size(chart: &Chart) -> (u32, u32) {
    let rows = match &chart.body {
        Body::Bars(b) => b.rows.len(),
        Body::Progress(p) => p.rows.len(),
        Body::TaskLights(t) => t.rows.len(),
        Body::ThreeZeros(t) => t.rows.len(),
        _ => 0,
    };
    let legend = if matches!(chart.body, Body::TaskLights(_) | Body::ThreeZeros(_)) { LEGEND_HEIGHT } else { 0 };
    let fixed = 2 * MARGIN + title_size(&chart.title) + TITLE_GAP + legend + PLOT_TOP + VALUE_AXIS_BELOW;
    let rows = u32::try_from(rows).unwrap_or(u32::MAX);
    let needed = fixed.saturating_add(rows.saturating_mul(ROW_MIN_HEIGHT));
    (WIDTH, needed.clamp(HEIGHT, MAX_HEIGHT))
}

fn draw<DB: DrawingBackend>(root: &Area<DB>, chart: &Chart) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let inner = root.margin(MARGIN, MARGIN, MARGIN, MARGIN);
    let size = title_size(&chart.title);
    let (title_area, body) = inner.split_vertically(size + TITLE_GAP);
    let (w, _) = title_area.dim_in_pixel();
    title_area.draw(&Text::new(
        chart.title.clone(),
        (w as i32 / 2, 0),
        TextStyle::from((FONT, size).into_font().style(FontStyle::Bold))
            .color(&TEXT)
            .pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    match &chart.body {
        Body::NoData => no_data(&body),
        Body::TargetVsActual(c) => target_vs_actual(&body, c),
        Body::Trend(c) => trend(&body, c),
        Body::Bars(c) => bars(&body, c),
        Body::Scores(c) => scores(&body, c),
        Body::Progress(c) => progress(&body, c),
        Body::TaskLights(c) => task_lights(&body, c),
        Body::ThreeZeros(c) => three_zeros(&body, c),
    }
}

fn no_data<DB: DrawingBackend>(area: &Area<DB>) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        NO_DATA,
        (w as i32 / 2, h as i32 / 2),
        TextStyle::from((FONT, 40).into_font()).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
    ))
}

/// How a legend entry is marked.
#[derive(Clone, Copy)]
enum Mark {
    Swatch(RGBColor),
    Line(ShapeStyle),
    Dashed(ShapeStyle),
}

/// Draws the legend in one row at the top of `area`, its right end at `right`; returns its box
/// (backend pixels), which value labels keep clear of.
fn legend<DB: DrawingBackend>(
    area: &Area<DB>,
    entries: &[(&str, Mark)],
    right: i32,
) -> Result<Option<Rect>, DrawingAreaErrorKind<DB::ErrorType>> {
    if entries.is_empty() {
        return Ok(None);
    }
    let widths: Vec<f64> = entries
        .iter()
        .map(|(text, _)| f64::from(LEGEND_SWATCH + LEGEND_INNER) + layout::text_width(text, NOTE_SIZE))
        .collect();
    let total = widths.iter().sum::<f64>() + f64::from(LEGEND_SPACING) * (entries.len() - 1) as f64;
    let left = f64::from(right) - total;
    let y = (LEGEND_HEIGHT / 2) as i32;
    let half = (LEGEND_SWATCH / 2) as i32;
    let mut x = left;
    for ((text, mark), width) in entries.iter().zip(&widths) {
        let x0 = x.round() as i32;
        let x1 = x0 + LEGEND_SWATCH as i32;
        match *mark {
            Mark::Swatch(colour) => {
                area.draw(&Rectangle::new([(x0, y - half * 3 / 4), (x1, y + half * 3 / 4)], colour.filled()))?
            }
            Mark::Line(style) => area.draw(&PathElement::new(vec![(x0, y), (x1, y)], style))?,
            Mark::Dashed(style) => {
                area.draw(&PathElement::new(vec![(x0, y), (x0 + half - 2, y)], style))?;
                area.draw(&PathElement::new(vec![(x0 + half + 2, y), (x1, y)], style))?;
            }
        }
        area.draw(&label(text, NOTE_SIZE, (x1 + LEGEND_INNER as i32, y), Anchor::Start, Orientation::Level))?;
        x += width + f64::from(LEGEND_SPACING);
    }
    let (bx, by) = area.get_base_pixel();
    let (bx, by) = (f64::from(bx), f64::from(by));
    Ok(Some(Rect::new(bx + left, by, bx + f64::from(right), by + f64::from(LEGEND_HEIGHT))))
}

/// Width of the value axis beside a vertical chart: its widest tick label and its title.
fn value_axis_width(ranges: &[(f64, f64)]) -> u32 {
    let widest = ranges
        .iter()
        .flat_map(|(lo, hi)| {
            let ticks = layout::ticks(*lo, *hi, VALUE_TICKS);
            let decimals = layout::tick_decimals(&ticks);
            ticks.into_iter().map(move |t| layout::text_width(&layout::format_tick(t, decimals), LABEL_SIZE))
        })
        .fold(0.0, f64::max);
    // the tick labels, a digit to spare, the rotated title and the gaps plotters keeps
    let needed = widest + layout::text_width("0", LABEL_SIZE) + layout::text_height(LABEL_SIZE) + 24.0;
    VALUE_AXIS_MIN.max(needed.ceil() as u32)
}

/// A chart of vertical bars or points over categories, laid out before anything is drawn.
struct Columns {
    labels: CategoryLabels,
    /// height under the plot for the category labels (and the axis title, if any)
    label_area: u32,
    axis_width: u32,
    slot: f64,
    plot_height: f64,
    lo: f64,
}

/// Lays out `names` under a plot in `area` whose values are `values`; `ordered` axes (quarters)
/// thin their labels out from `first`, category axes turn them upright.
fn columns(
    (width, height): (u32, u32),
    names: &[String],
    ordered: bool,
    first: usize,
    values: &[f64],
    x_desc: bool,
) -> Columns {
    let n = names.len().max(1) as f64;
    let lo = layout::axis_bottom(values);
    // The axis ends between the headroom-only top and twice the largest value (see `axis_top`).
    let max = values.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
    let axis_width = value_axis_width(&[(lo, layout::axis_top(values, 1.0, 0.0, 1.3)), (lo, (2.0 * max).max(1.0))]);
    let plot_width = f64::from(width.saturating_sub(axis_width + PLOT_RIGHT)).max(1.0);
    let slot = plot_width / n;
    let labels = layout::category_labels(names, LABEL_SIZE, slot, ordered, first, MAX_CATEGORY_EXTENT);
    let desc = if x_desc { layout::text_height(LABEL_SIZE) + f64::from(TICK_GAP) } else { 0.0 };
    let label_area = (f64::from(TICK_GAP) + labels.extent + layout::LABEL_GAP + desc).ceil() as u32;
    let plot_height = f64::from(height.saturating_sub(label_area + PLOT_TOP)).max(1.0);
    Columns { labels, label_area, axis_width, slot, plot_height, lo }
}

/// Builds the plot of `frame` over `n` categories up to `hi`, draws its value axis titled `axis`
/// and writes the category labels.
fn column_plot<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    frame: &Columns,
    n: usize,
    hi: f64,
    axis: &str,
    x_desc: &str,
) -> Result<Plot<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let lo = frame.lo;
    let mut chart = ChartBuilder::on(area)
        .margin_top(PLOT_TOP)
        .margin_right(PLOT_RIGHT)
        .x_label_area_size(frame.label_area)
        .y_label_area_size(frame.axis_width)
        .build_cartesian_2d(0f64..n.max(1) as f64, lo..hi)?;
    let decimals = layout::tick_decimals(&layout::ticks(lo, hi, VALUE_TICKS));
    let tick = move |v: &f64| layout::format_tick(*v, decimals);
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_labels(0)
        .y_labels(VALUE_TICKS)
        .y_label_formatter(&tick)
        .y_desc(axis)
        .label_style(font(LABEL_SIZE))
        .axis_desc_style(font(LABEL_SIZE));
    if !x_desc.is_empty() {
        mesh.x_desc(x_desc);
    }
    mesh.draw()?;
    let (bx, by) = area.get_base_pixel();
    let bottom = chart.backend_coord(&(0.0, lo)).1 - by + TICK_GAP as i32;
    let (anchor, orientation) = match frame.labels.orientation {
        Orientation::Level => (Anchor::Top, Orientation::Level),
        Orientation::Upright => (Anchor::End, Orientation::Upright),
    };
    for (i, text) in frame.labels.texts.iter().enumerate().filter(|(i, _)| frame.labels.shown(*i)) {
        let x = chart.backend_coord(&(i as f64 + 0.5, lo)).0 - bx;
        area.draw(&label(text, LABEL_SIZE, (x, bottom), anchor, orientation))?;
    }
    Ok(chart)
}

/// Where value labels may go, in backend pixels: the plot, and the free margin right of it.
fn label_bounds<DB: DrawingBackend>(chart: &Plot<'_, DB>) -> Rect {
    let (x, y) = chart.plotting_area().get_pixel_range();
    Rect::new(f64::from(x.start), f64::from(y.start), f64::from(x.end + PLOT_RIGHT as i32), f64::from(y.end))
}

/// Writes each label (text, anchor point in backend pixels) that `layout::keep_clear` lets through.
fn write_clear<DB: DrawingBackend>(
    area: &Area<DB>,
    labels: &[(String, (i32, i32))],
    size: u32,
    (anchor, orientation): (Anchor, Orientation),
    bounds: Rect,
    blocked: &[Rect],
) -> DrawResult<DB> {
    let boxes: Vec<Option<Rect>> = labels
        .iter()
        .map(|(text, (x, y))| Some(layout::text_box(text, size, (f64::from(*x), f64::from(*y)), anchor, orientation)))
        .collect();
    let (bx, by) = area.get_base_pixel();
    for ((text, (x, y)), keep) in labels.iter().zip(layout::keep_clear(&boxes, bounds, blocked)) {
        if keep {
            area.draw(&label(text, size, (x - bx, y - by), anchor, orientation))?;
        }
    }
    Ok(())
}

/// Value labels over columns: level above the point when the widest fits its slot, else upright.
fn value_placement(orientation: Orientation) -> (Anchor, Orientation) {
    match orientation {
        Orientation::Level => (Anchor::Below, Orientation::Level),
        Orientation::Upright => (Anchor::Start, Orientation::Upright),
    }
}

/// Anchor points `VALUE_OFFSET` above (category i, value) for each label.
fn over<DB: DrawingBackend>(chart: &Plot<'_, DB>, items: Vec<(usize, f64, String)>) -> Vec<(String, (i32, i32))> {
    items
        .into_iter()
        .map(|(i, v, text)| {
            let (x, y) = chart.backend_coord(&(i as f64 + 0.5, v));
            (text, (x, y - VALUE_OFFSET as i32))
        })
        .collect()
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

fn target_vs_actual<DB: DrawingBackend>(area: &Area<DB>, c: &TargetVsActual) -> DrawResult<DB> {
    let n = c.groups.len();
    let names: Vec<String> = c.groups.iter().map(|g| g.name.clone()).collect();
    let pair_top = |g: &Pair| [g.target, g.actual, g.pace].into_iter().filter_map(finite).fold(0.0, f64::max);
    let values: Vec<f64> = c.groups.iter().flat_map(|g| [g.target, g.actual, g.pace]).filter_map(finite).collect();
    let entries: Vec<(&str, Mark)> = [
        (c.groups.iter().any(|g| g.target.is_some()), "年度目标", Mark::Swatch(TARGET)),
        (c.groups.iter().any(|g| g.actual.is_some()), "累计完成", Mark::Swatch(ACTUAL)),
        (c.groups.iter().any(|g| g.pace.is_some()), "序时进度目标", Mark::Line(PACE.stroke_width(2))),
    ]
    .into_iter()
    .filter(|(any, _, _)| *any)
    .map(|(_, text, mark)| (text, mark))
    .collect();
    let (legend_area, area) = area.split_vertically(LEGEND_HEIGHT);
    let frame = columns(area.dim_in_pixel(), &names, false, 0, &values, false);
    let shares: Vec<(usize, f64, String)> = c
        .groups
        .iter()
        .enumerate()
        .filter_map(|(i, g)| Some((i, pair_top(g), share_percent(finite(g.completion)?))))
        .collect();
    let texts: Vec<String> = shares.iter().map(|s| s.2.clone()).collect();
    let orientation = layout::value_orientation(&texts, VALUE_SIZE, frame.slot);
    let room = layout::value_extent(&texts, VALUE_SIZE, orientation) + f64::from(VALUE_OFFSET);
    let tops: Vec<f64> = shares.iter().map(|s| s.1).collect();
    let hi = layout::axis_top(&tops, frame.plot_height, room, 1.15).max(layout::axis_top(&values, 1.0, 0.0, 1.1));
    let mut chart = column_plot(&area, &frame, n, hi, &c.axis, "")?;
    let right = chart.plotting_area().get_pixel_range().0.end - legend_area.get_base_pixel().0;
    let legend_box = legend(&legend_area, &entries, right)?;
    let bar = |x0: f64, x1: f64, v: f64, colour: RGBColor| Rectangle::new([(x0, 0.0), (x1, v)], colour.filled());
    chart.draw_series(
        c.groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| Some(bar(i as f64 + PAIR_GAP, i as f64 + 0.5, finite(g.target)?, TARGET))),
    )?;
    chart.draw_series(
        c.groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| Some(bar(i as f64 + 0.5, i as f64 + 1.0 - PAIR_GAP, finite(g.actual)?, ACTUAL))),
    )?;
    chart.draw_series(c.groups.iter().enumerate().filter_map(|(i, g)| {
        let p = finite(g.pace)?;
        Some(PathElement::new(
            vec![(i as f64 + PAIR_GAP / 2.0, p), (i as f64 + 1.0 - PAIR_GAP / 2.0, p)],
            PACE.stroke_width(2),
        ))
    }))?;
    let bounds = label_bounds(&chart);
    let labels = over(&chart, shares);
    write_clear(&area, &labels, VALUE_SIZE, value_placement(orientation), bounds, legend_box.as_slice())
}

/// Consecutive runs of present values within one year: a missing quarter breaks the line, and so
/// does a new year (year-to-date figures start again from zero).
fn runs(values: &[Option<f64>], year_starts: &[bool]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, (v, starts)) in values.iter().zip(year_starts).enumerate() {
        let v = finite(*v);
        if (*starts || v.is_none()) && out.last().is_some_and(|r| !r.is_empty()) {
            out.push(Vec::new());
        }
        if let Some(v) = v {
            out.last_mut().expect("never empty").push((i as f64 + 0.5, v));
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// The trend's legend entry for the projected rest of a year.
const PROJECTED: &str = "全年预计";

fn trend<DB: DrawingBackend>(area: &Area<DB>, c: &Trend) -> DrawResult<DB> {
    let n = c.labels.len();
    let values: Vec<f64> = [&c.actual, &c.target_path, &c.last_year, &c.projected]
        .into_iter()
        .flatten()
        .copied()
        .filter_map(finite)
        .collect();
    let (target_name, actual_name) =
        if c.annual { ("年度目标", "全年完成") } else { ("目标进度", "累计完成") };
    let series: [(&[Option<f64>], &str, Mark); 4] = [
        (&c.last_year, "上年同期累计", Mark::Line(LAST_YEAR.stroke_width(1))),
        (&c.target_path, target_name, Mark::Dashed(PACE.stroke_width(2))),
        (&c.projected, PROJECTED, Mark::Dashed(ACTUAL.stroke_width(2))),
        (&c.actual, actual_name, Mark::Line(ACTUAL.stroke_width(3))),
    ];
    let entries: Vec<(&str, Mark)> = series
        .iter()
        .filter(|(v, _, _)| v.iter().copied().any(|v| finite(v).is_some()))
        .map(|(_, t, m)| (*t, *m))
        .collect();
    let (legend_area, area) = area.split_vertically(LEGEND_HEIGHT);
    // Thinned quarter labels start at a first quarter, so that they read 2019Q1, 2020Q1, …
    let first = c.year_starts.iter().position(|s| *s).unwrap_or(0);
    let frame = columns(area.dim_in_pixel(), &c.labels, true, first, &values, false);
    // each figure, and where a projected year ends
    let projected_end = c.projected.iter().rposition(|v| finite(*v).is_some());
    let points: Vec<(usize, f64, String)> = c
        .actual
        .iter()
        .enumerate()
        .filter_map(|(i, v)| finite(*v).map(|v| (i, v, fixed(v, c.decimals))))
        .chain(
            projected_end.and_then(|i| finite(c.projected[i]).map(|v| (i, v, format!("预计{}", fixed(v, c.decimals))))),
        )
        .collect();
    let room = layout::text_height(NOTE_SIZE) + f64::from(VALUE_OFFSET);
    let tops: Vec<f64> = points.iter().map(|p| p.1).collect();
    let hi = layout::axis_top(&tops, frame.plot_height, room, 1.1).max(layout::axis_top(&values, 1.0, 0.0, 1.1));
    let mut chart = column_plot(&area, &frame, n, hi, &c.axis, "")?;
    let right = chart.plotting_area().get_pixel_range().0.end - legend_area.get_base_pixel().0;
    let legend_box = legend(&legend_area, &entries, right)?;
    for (values, name, mark) in series {
        let style = match mark {
            Mark::Line(s) | Mark::Dashed(s) => s,
            Mark::Swatch(c) => c.into(),
        };
        for run in runs(values, &c.year_starts) {
            match mark {
                Mark::Dashed(_) => chart.draw_series(DashedLineSeries::new(run.clone(), 8, 6, style))?,
                _ => chart.draw_series(LineSeries::new(run.clone(), style))?,
            };
            // the projection's line is straight between its two ends: no points between
            let marked = if name == PROJECTED { &run[run.len() - 1..] } else { &run[..] };
            chart.draw_series(marked.iter().map(|p| Circle::new(*p, 3, style.color.filled())))?;
        }
    }
    // Above and left of each point: a year-to-date line rises to the right, so that side is free.
    let bounds = label_bounds(&chart);
    let labels: Vec<(String, (i32, i32))> = over(&chart, points)
        .into_iter()
        .map(|(text, (x, y))| (text, (x - VALUE_OFFSET as i32 / 2, y + VALUE_OFFSET as i32 / 2)))
        .collect();
    write_clear(&area, &labels, NOTE_SIZE, (Anchor::LowerRight, Orientation::Level), bounds, legend_box.as_slice())
}

/// One row of a horizontal bar chart: its parts laid end to end from zero (one part for a plain
/// bar, none for no figure) and the text right of its end.
struct Row {
    parts: Vec<(f64, RGBColor)>,
    text: String,
}

impl Row {
    fn single(value: Option<f64>, colour: RGBColor, text: String) -> Row {
        Row { parts: finite(value).map(|v| (v, colour)).into_iter().collect(), text }
    }

    fn end(&self) -> f64 {
        self.parts.iter().map(|p| p.0).sum()
    }
}

/// The value axis under horizontal bars.
struct ValueAxis<'a> {
    title: &'a str,
    /// a value the axis reaches at least
    floor: f64,
    /// the values count things: ticks are whole numbers
    counts: bool,
}

impl ValueAxis<'_> {
    fn ticks(&self, hi: f64) -> usize {
        if self.counts { VALUE_TICKS.min(hi.floor() as usize + 1) } else { VALUE_TICKS }
    }
}

/// Horizontal bars, one row each, top to bottom in the given order: names left, each bar's text
/// right of its end, optional marks (the expected share) across the rows.
fn horizontal<DB: DrawingBackend>(
    area: &Area<DB>,
    axis: ValueAxis,
    names: &[String],
    bars: &[Row],
    marks: &[Option<f64>],
) -> DrawResult<DB> {
    let n = names.len();
    let (width, height) = area.dim_in_pixel();
    let names: Vec<String> = names.iter().map(|s| layout::truncate(s, LABEL_SIZE, MAX_ROW_LABEL)).collect();
    let name_width = names.iter().map(|s| layout::text_width(s, LABEL_SIZE)).fold(0.0, f64::max);
    let left = (name_width + f64::from(TICK_GAP) + layout::LABEL_GAP).ceil() as u32;
    let plot_width = f64::from(width.saturating_sub(left + PLOT_RIGHT)).max(1.0);
    let ends: Vec<f64> = bars.iter().map(Row::end).collect();
    // A bar's text starts after its bar and after the mark across its row, which would cross it.
    let starts: Vec<f64> =
        ends.iter().enumerate().map(|(i, e)| marks.get(i).copied().and_then(finite).map_or(*e, |m| e.max(m))).collect();
    let others: Vec<f64> = marks.iter().copied().filter_map(finite).chain([axis.floor]).collect();
    let room =
        bars.iter().map(|b| layout::text_width(&b.text, VALUE_SIZE)).fold(0.0, f64::max) + f64::from(VALUE_OFFSET);
    let hi = layout::axis_top(&starts, plot_width, room, 1.1).max(layout::axis_top(&others, 1.0, 0.0, 1.1));
    let lo = layout::axis_bottom(&ends);
    let row_height = f64::from(height.saturating_sub(VALUE_AXIS_BELOW + PLOT_TOP)) / n.max(1) as f64;
    let gap = layout::bar_gap(row_height, ROW_GAP, MAX_ROW_BAR);
    let mut chart = ChartBuilder::on(area)
        .margin_top(PLOT_TOP)
        .margin_right(PLOT_RIGHT)
        .x_label_area_size(VALUE_AXIS_BELOW)
        .y_label_area_size(left)
        .build_cartesian_2d(lo..hi, 0f64..n.max(1) as f64)?;
    let ticks = axis.ticks(hi);
    let decimals = layout::tick_decimals(&layout::ticks(lo, hi, ticks));
    let tick = move |v: &f64| layout::format_tick(*v, decimals);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .y_labels(0)
        .x_labels(ticks)
        .x_label_formatter(&tick)
        .x_desc(axis.title)
        .label_style(font(LABEL_SIZE))
        .axis_desc_style(font(LABEL_SIZE))
        .draw()?;
    // Row 0 is at the bottom of the axis: the first bar goes into the top row.
    let row = |i: usize| (n - 1 - i) as f64;
    chart.draw_series(bars.iter().enumerate().flat_map(|(i, bar)| {
        bar.parts.iter().scan(0.0, move |from, (v, colour)| {
            let to = *from + v;
            let part = Rectangle::new([(*from, row(i) + gap), (to, row(i) + 1.0 - gap)], colour.filled());
            *from = to;
            Some(part)
        })
    }))?;
    chart.draw_series(marks.iter().enumerate().filter_map(|(i, m)| {
        let m = finite(*m)?;
        Some(PathElement::new(vec![(m, row(i)), (m, row(i) + 1.0)], PACE.stroke_width(2)))
    }))?;
    let bounds = label_bounds(&chart);
    let x0 = chart.backend_coord(&(lo, 0.0)).0 - TICK_GAP as i32;
    let name_labels: Vec<(String, (i32, i32))> =
        names.iter().enumerate().map(|(i, s)| (s.clone(), (x0, chart.backend_coord(&(lo, row(i) + 0.5)).1))).collect();
    let (bx, by) = area.get_base_pixel();
    let (w, h) = area.dim_in_pixel();
    let whole = Rect::new(f64::from(bx), f64::from(by), f64::from(bx) + f64::from(w), f64::from(by) + f64::from(h));
    write_clear(area, &name_labels, LABEL_SIZE, (Anchor::End, Orientation::Level), whole, &[])?;
    let value_labels: Vec<(String, (i32, i32))> = bars
        .iter()
        .zip(&starts)
        .enumerate()
        .map(|(i, (bar, start))| {
            let (x, y) = chart.backend_coord(&(start.max(0.0), row(i) + 0.5));
            (bar.text.clone(), (x + VALUE_OFFSET as i32, y))
        })
        .collect();
    write_clear(area, &value_labels, VALUE_SIZE, (Anchor::Start, Orientation::Level), bounds, &[])
}

fn bars<DB: DrawingBackend>(area: &Area<DB>, c: &Bars) -> DrawResult<DB> {
    let names: Vec<String> = c.rows.iter().map(|r| r.name.clone()).collect();
    let bars: Vec<Row> = c
        .rows
        .iter()
        .map(|r| {
            let text = r.value.map_or_else(|| NO_DATA.to_string(), |v| fixed(v, c.decimals));
            Row::single(r.value, if r.highlight { OURS } else { OTHERS }, text)
        })
        .collect();
    horizontal(area, ValueAxis { title: &c.axis, floor: 0.0, counts: false }, &names, &bars, &[])
}

/// Above this many regions an assessment chart names no bar and writes no score on it: a
/// province's 1,500 counties would be an unreadable smear of text; the bars still show the spread.
const SCORES_LABELLED_MAX: usize = 40;

fn scores<DB: DrawingBackend>(area: &Area<DB>, c: &Scores) -> DrawResult<DB> {
    let n = c.rows.len();
    let labelled = n <= SCORES_LABELLED_MAX;
    let names: Vec<String> = if labelled { c.rows.iter().map(|r| r.name.clone()).collect() } else { Vec::new() };
    let x_desc = if labelled { String::new() } else { format!("{n}个地区，按总分从高到低排列") };
    let values: Vec<f64> = c.rows.iter().map(|r| r.total).filter(|v| v.is_finite()).collect();
    let entries: Vec<(&str, Mark)> = c
        .grades
        .iter()
        .enumerate()
        .filter(|(index, _)| c.rows.iter().any(|r| r.grade == Some(*index)))
        .map(|(index, name)| (name.as_str(), Mark::Swatch(grade_colour(index))))
        .collect();
    let (legend_area, area) = area.split_vertically(LEGEND_HEIGHT);
    let frame = columns(area.dim_in_pixel(), &names, false, 0, &values, !labelled);
    let totals: Vec<(usize, f64, String)> = if labelled {
        c.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.total.is_finite())
            .map(|(i, r)| (i, r.total.max(0.0), fixed(r.total, 2)))
            .collect()
    } else {
        Vec::new()
    };
    let texts: Vec<String> = totals.iter().map(|t| t.2.clone()).collect();
    let orientation = layout::value_orientation(&texts, VALUE_SIZE, frame.slot);
    let room = layout::value_extent(&texts, VALUE_SIZE, orientation) + f64::from(VALUE_OFFSET);
    let hi = layout::axis_top(&values, frame.plot_height, room, 1.15);
    let mut chart = column_plot(&area, &frame, n, hi, "总分（分）", &x_desc)?;
    let right = chart.plotting_area().get_pixel_range().0.end - legend_area.get_base_pixel().0;
    let legend_box = legend(&legend_area, &entries, right)?;
    let colour = |r: &Score| r.grade.map_or(MUTED, grade_colour);
    let gap = layout::bar_gap(frame.slot, COLUMN_GAP, MAX_COLUMN_WIDTH);
    chart.draw_series(
        c.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.total.is_finite())
            .map(|(i, r)| Rectangle::new([(i as f64 + gap, 0.0), (i as f64 + 1.0 - gap, r.total)], colour(r).filled())),
    )?;
    let bounds = label_bounds(&chart);
    let labels = over(&chart, totals);
    write_clear(&area, &labels, VALUE_SIZE, value_placement(orientation), bounds, legend_box.as_slice())
}

fn progress<DB: DrawingBackend>(area: &Area<DB>, c: &ProgressRows) -> DrawResult<DB> {
    let names: Vec<String> = c.rows.iter().map(|r| r.name.clone()).collect();
    let bars: Vec<Row> = c
        .rows
        .iter()
        .map(|r| {
            let text = match r.completion {
                Some(v) => format!("{}  {}", share_percent(v), r.status.label()),
                None => r.status.label().to_string(),
            };
            Row::single(r.completion.map(|v| 100.0 * v), status_colour(r.status), text)
        })
        .collect();
    let marks: Vec<Option<f64>> = c.rows.iter().map(|r| Some(100.0 * r.expected)).collect();
    let axis = ValueAxis { title: "完成率（%）　红线：序时进度", floor: 100.0, counts: false };
    horizontal(area, axis, &names, &bars, &marks)
}

/// Tasks by department, one bar each, its parts the lights in the order of `Light::ALL`, the
/// legend above; the bar's text is its total.
fn task_lights<DB: DrawingBackend>(area: &Area<DB>, c: &TaskLights) -> DrawResult<DB> {
    let (legend_area, area) = area.split_vertically(LEGEND_HEIGHT);
    let entries: Vec<(&str, Mark)> = Light::ALL.iter().map(|l| (l.label(), Mark::Swatch(light_colour(*l)))).collect();
    let right = legend_area.dim_in_pixel().0.saturating_sub(PLOT_RIGHT) as i32;
    legend(&legend_area, &entries, right)?;
    let names: Vec<String> = c.rows.iter().map(|r| r.name.clone()).collect();
    let bars: Vec<Row> = c
        .rows
        .iter()
        .map(|r| {
            let parts = Light::ALL
                .iter()
                .zip(&r.counts)
                .filter(|(_, n)| **n > 0)
                .map(|(l, n)| (*n as f64, light_colour(*l)))
                .collect();
            Row { parts, text: format!("{}项", r.counts.iter().sum::<usize>()) }
        })
        .collect();
    horizontal(&area, ValueAxis { title: "牵头任务（项）", floor: 1.0, counts: true }, &names, &bars, &[])
}

/// Enterprises on the three lists by region, one bar each, its parts the lists in the order of
/// `ThreeZero::ALL`, the legend above; the bar's text is its total.
fn three_zeros<DB: DrawingBackend>(area: &Area<DB>, c: &ThreeZeroCounts) -> DrawResult<DB> {
    let (legend_area, area) = area.split_vertically(LEGEND_HEIGHT);
    let entries: Vec<(&str, Mark)> =
        ThreeZero::ALL.iter().zip(ZERO_LISTS).map(|(z, colour)| (z.label(), Mark::Swatch(colour))).collect();
    let right = legend_area.dim_in_pixel().0.saturating_sub(PLOT_RIGHT) as i32;
    legend(&legend_area, &entries, right)?;
    let names: Vec<String> = c.rows.iter().map(|r| r.name.clone()).collect();
    let bars: Vec<Row> = c
        .rows
        .iter()
        .map(|r| {
            let parts = ZERO_LISTS
                .iter()
                .zip(&r.counts)
                .filter(|(_, n)| **n > 0)
                .map(|(colour, n)| (*n as f64, *colour))
                .collect();
            Row { parts, text: format!("{}家", r.counts.iter().sum::<usize>()) }
        })
        .collect();
    horizontal(&area, ValueAxis { title: "企业（家）", floor: 1.0, counts: true }, &names, &bars, &[])
}

#[cfg(test)]
mod tests {
    #[test]
    fn png_is_rgb_with_any_transparency_composited_onto_white() {
        let mut pixmap = resvg::tiny_skia::Pixmap::new(2, 1).unwrap();
        // Premultiplied: clear, and red at half opacity.
        pixmap.data_mut()[4..].copy_from_slice(&[128, 0, 0, 128]);
        let bytes = super::encode_png(&pixmap).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut rgb).unwrap();
        assert_eq!((frame.color_type, frame.width, frame.height), (png::ColorType::Rgb, 2, 1));
        assert_eq!(rgb, [255, 255, 255, 255, 127, 127]);
    }
}
