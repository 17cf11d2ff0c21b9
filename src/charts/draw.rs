//! Drawing chart models with plotters, into an SVG string or PNG bytes in memory.

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartError;
use super::fonts;
use super::model::*;
use super::style::*;

pub fn svg(chart: &Chart) -> Result<String, ChartError> {
    fonts::ensure()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
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
    let mut pixmap = resvg::tiny_skia::Pixmap::new(WIDTH, HEIGHT).ok_or_else(|| ChartError("image size".into()))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    encode_png(&pixmap).map_err(|e| ChartError(e.to_string()))
}

/// RGB PNG with the png crate's fast compression, for speed (SPEC §10: PNG ≥ 10× faster than matplotlib):
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

fn font(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&TEXT)
}

fn anchored(size: u32, h: HPos, v: VPos) -> TextStyle<'static> {
    font(size).pos(Pos::new(h, v))
}

/// Shrinks a title that would not fit on one line (CJK glyphs are about one em wide).
fn title_size(title: &str) -> u32 {
    let available = (WIDTH - 2 * MARGIN) as usize;
    let chars = title.chars().count().max(1);
    TITLE_SIZE.min((available / chars) as u32).max(14)
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let inner = root.margin(MARGIN, MARGIN, MARGIN, MARGIN);
    let size = title_size(&chart.title);
    let (title_area, body) = inner.split_vertically(size + 26);
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
    }
}

fn no_data<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        NO_DATA,
        (w as i32 / 2, h as i32 / 2),
        TextStyle::from((FONT, 40).into_font()).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Center)),
    ))
}

/// Upper end of a value axis: room above the largest value for its label, never an empty range.
fn axis_max(values: impl Iterator<Item = f64>, headroom: f64) -> f64 {
    let max = values.filter(|v| v.is_finite()).fold(0.0, f64::max);
    if max > 0.0 { max * headroom } else { 1.0 }
}

/// One segment per category: plotters' integer ranges include their end, so `0..n` would add one.
fn segments(n: i32) -> plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordi32> {
    (0..(n - 1).max(0)).into_segmented()
}

fn segment_label(names: &[String]) -> impl Fn(&SegmentValue<i32>) -> String + '_ {
    move |v| match v {
        SegmentValue::CenterOf(i) => usize::try_from(*i).ok().and_then(|i| names.get(i)).cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

fn number_label(decimals: u8) -> impl Fn(&f64) -> String {
    // Axis ticks need no more precision than the figures themselves.
    move |v| format_value(*v, decimals.min(2))
}

fn legend_box(colour: RGBColor) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], colour.filled())
}

fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> DrawResult<DB> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(font(NOTE_SIZE))
        .background_style(WHITE.mix(0.9))
        .border_style(GRID)
        .draw()
}

fn target_vs_actual<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &TargetVsActual) -> DrawResult<DB> {
    let n = c.groups.len() as i32;
    let names: Vec<String> = c.groups.iter().map(|g| g.name.clone()).collect();
    let top = axis_max(c.groups.iter().flat_map(|g| [g.target, g.actual, g.pace]).flatten(), 1.3);
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(36)
        .y_label_area_size(72)
        .build_cartesian_2d(segments(n), 0f64..top)?;
    let label = segment_label(&names);
    let ticks = number_label(c.decimals);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .y_desc(c.axis.as_str())
        .x_labels(names.len())
        .x_label_formatter(&label)
        .y_label_formatter(&ticks)
        .label_style(font(LABEL_SIZE))
        .axis_desc_style(font(LABEL_SIZE))
        .draw()?;
    let (plot_width, _) = chart.plotting_area().dim_in_pixel();
    let gap = (plot_width as f64 / f64::from(n.max(1)) * 0.12) as u32;
    let bar = |from: SegmentValue<i32>, to: SegmentValue<i32>, value: f64, colour: RGBColor, left: u32, right: u32| {
        let mut r = Rectangle::new([(from, 0.0), (to, value)], colour.filled());
        r.set_margin(0, 0, left, right);
        r
    };
    use SegmentValue::{CenterOf, Exact};
    chart
        .draw_series(
            c.groups
                .iter()
                .zip(0..)
                .filter_map(|(g, i)| g.target.map(|t| bar(Exact(i), CenterOf(i), t, TARGET, gap, 1))),
        )?
        .label("年度目标")
        .legend(legend_box(TARGET));
    chart
        .draw_series(
            c.groups
                .iter()
                .zip(0..)
                .filter_map(|(g, i)| g.actual.map(|a| bar(CenterOf(i), Exact(i + 1), a, ACTUAL, 1, gap))),
        )?
        .label("累计完成")
        .legend(legend_box(ACTUAL));
    chart
        .draw_series(c.groups.iter().zip(0..).filter_map(|(g, i)| {
            g.pace.map(|p| PathElement::new(vec![(Exact(i), p), (Exact(i + 1), p)], PACE.stroke_width(2)))
        }))?
        .label("序时进度目标")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], PACE.stroke_width(2)));
    chart.draw_series(c.groups.iter().zip(0..).filter_map(|(g, i)| {
        let c = g.completion?;
        let top = [g.target, g.actual, g.pace].into_iter().flatten().fold(0.0, f64::max);
        Some(
            EmptyElement::at((CenterOf(i), top))
                + Text::new(format_share(c), (0, -6), anchored(VALUE_SIZE, HPos::Center, VPos::Bottom)),
        )
    }))?;
    draw_legend(&mut chart)
}

/// Consecutive runs of present values within one year: a missing quarter breaks the line, and so
/// does a new year (year-to-date figures start again from zero).
fn runs(values: &[Option<f64>], year_starts: &[bool]) -> Vec<Vec<(SegmentValue<i32>, f64)>> {
    let mut out: Vec<Vec<(SegmentValue<i32>, f64)>> = vec![Vec::new()];
    for ((v, starts), i) in values.iter().zip(year_starts).zip(0..) {
        if (*starts || v.is_none()) && out.last().is_some_and(|r| !r.is_empty()) {
            out.push(Vec::new());
        }
        if let Some(v) = v {
            out.last_mut().expect("never empty").push((SegmentValue::CenterOf(i), *v));
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

fn trend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &Trend) -> DrawResult<DB> {
    let n = c.labels.len() as i32;
    let top = axis_max(c.actual.iter().chain(&c.target_path).chain(&c.last_year).flatten().copied(), 1.2);
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(36)
        .y_label_area_size(72)
        .build_cartesian_2d(segments(n), 0f64..top)?;
    // With many quarters, every other label (or fewer) keeps them from running together.
    let step = (c.labels.len() / 12).max(1);
    let shown: Vec<String> =
        c.labels.iter().enumerate().map(|(i, l)| if i % step == 0 { l.clone() } else { String::new() }).collect();
    let label = segment_label(&shown);
    let ticks = number_label(c.decimals);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .y_desc(c.axis.as_str())
        .x_labels(c.labels.len())
        .x_label_formatter(&label)
        .y_label_formatter(&ticks)
        .label_style(font(LABEL_SIZE))
        .axis_desc_style(font(LABEL_SIZE))
        .draw()?;
    let series: [(&[Option<f64>], &str, ShapeStyle, bool); 3] = [
        (&c.last_year, "上年同期累计", LAST_YEAR.stroke_width(1), false),
        (&c.target_path, "目标进度", PACE.stroke_width(2), true),
        (&c.actual, "累计完成", ACTUAL.stroke_width(3), false),
    ];
    for (values, name, style, dashed) in series {
        let mut labelled = false;
        for run in runs(values, &c.year_starts) {
            let anno = if dashed {
                chart.draw_series(DashedLineSeries::new(run.clone(), 8, 6, style))?
            } else {
                chart.draw_series(LineSeries::new(run.clone(), style))?
            };
            if !labelled {
                anno.label(name).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
                labelled = true;
            }
            chart.draw_series(run.iter().map(|p| Circle::new(p.clone(), 3, style.color.filled())))?;
        }
    }
    chart.draw_series(c.actual.iter().zip(0..).filter_map(|(v, i)| {
        let v = (*v)?;
        Some(
            EmptyElement::at((SegmentValue::CenterOf(i), v))
                + Text::new(format_value(v, c.decimals), (0, -8), anchored(NOTE_SIZE, HPos::Center, VPos::Bottom)),
        )
    }))?;
    draw_legend(&mut chart)
}

/// Horizontal bars with labels: rows top to bottom in the given order.
fn horizontal<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axis: &str,
    names: &[String],
    bars: &[(Option<f64>, RGBColor, String)],
    top: f64,
    marks: &[Option<f64>],
) -> DrawResult<DB> {
    let n = names.len() as i32;
    // Segment 0 is at the bottom: reverse so that the first row is on top.
    let reversed: Vec<String> = names.iter().rev().cloned().collect();
    let longest = names.iter().map(|s| s.chars().count()).max().unwrap_or(2) as u32;
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(40)
        .y_label_area_size((longest * LABEL_SIZE + 24).min(260))
        .margin_right(30)
        .build_cartesian_2d(0f64..top, segments(n))?;
    let label = segment_label(&reversed);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_desc(axis)
        .y_labels(names.len())
        .y_label_formatter(&label)
        .label_style(font(LABEL_SIZE))
        .axis_desc_style(font(LABEL_SIZE))
        .draw()?;
    let (_, plot_height) = chart.plotting_area().dim_in_pixel();
    let gap = (plot_height as f64 / f64::from(n.max(1)) * 0.2) as u32;
    let row = |i: usize| n - 1 - i as i32;
    chart.draw_series(bars.iter().enumerate().filter_map(|(i, (v, colour, _))| {
        let mut r = Rectangle::new(
            [(0.0, SegmentValue::Exact(row(i))), ((*v)?, SegmentValue::Exact(row(i) + 1))],
            colour.filled(),
        );
        r.set_margin(gap, gap, 0, 0);
        Some(r)
    }))?;
    chart.draw_series(marks.iter().enumerate().filter_map(|(i, m)| {
        let m = (*m)?;
        Some(PathElement::new(
            vec![(m, SegmentValue::Exact(row(i))), (m, SegmentValue::Exact(row(i) + 1))],
            PACE.stroke_width(2),
        ))
    }))?;
    chart.draw_series(bars.iter().enumerate().map(|(i, (v, _, text))| {
        EmptyElement::at((v.unwrap_or(0.0), SegmentValue::CenterOf(row(i))))
            + Text::new(text.clone(), (6, 0), anchored(VALUE_SIZE, HPos::Left, VPos::Center))
    }))?;
    Ok(())
}

fn bars<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &Bars) -> DrawResult<DB> {
    let names: Vec<String> = c.rows.iter().map(|r| r.name.clone()).collect();
    let bars: Vec<(Option<f64>, RGBColor, String)> = c
        .rows
        .iter()
        .map(|r| {
            let text = r.value.map_or_else(|| NO_DATA.to_string(), |v| format_value(v, c.decimals));
            (r.value, if r.highlight { OURS } else { OTHERS }, text)
        })
        .collect();
    let top = axis_max(c.rows.iter().filter_map(|r| r.value), 1.2);
    horizontal(area, &c.axis, &names, &bars, top, &[])
}

/// Above this many regions an assessment chart names no bar and writes no score on it: a
/// province's 1,500 counties would be an unreadable smear of text; the bars still show the spread.
const SCORES_LABELLED_MAX: usize = 40;

fn scores<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &Scores) -> DrawResult<DB> {
    let n = c.rows.len() as i32;
    let labelled = c.rows.len() <= SCORES_LABELLED_MAX;
    let names: Vec<String> = if labelled { c.rows.iter().map(|r| r.name.clone()).collect() } else { Vec::new() };
    let top = axis_max(c.rows.iter().map(|r| r.total), 1.2);
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(segments(n), 0f64..top)?;
    let label = segment_label(&names);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .y_desc("总分（分）")
        .x_desc(if labelled { String::new() } else { format!("{n}个地区，按总分从高到低排列") })
        .x_labels(names.len())
        .x_label_formatter(&label)
        .y_label_formatter(&number_label(0))
        .label_style(font(LABEL_SIZE))
        .axis_desc_style(font(LABEL_SIZE))
        .draw()?;
    let (plot_width, _) = chart.plotting_area().dim_in_pixel();
    let gap = (plot_width as f64 / f64::from(n.max(1)) * 0.18) as u32;
    let colour = |r: &Score| r.grade.map_or(MUTED, grade_colour);
    chart.draw_series(c.rows.iter().zip(0..).map(|(r, i)| {
        let mut rect =
            Rectangle::new([(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), r.total)], colour(r).filled());
        rect.set_margin(0, 0, gap, gap);
        rect
    }))?;
    chart.draw_series(c.rows.iter().zip(0..).filter(|_| labelled).map(|(r, i)| {
        EmptyElement::at((SegmentValue::CenterOf(i), r.total.max(0.0)))
            + Text::new(format!("{:.2}", r.total), (0, -6), anchored(VALUE_SIZE, HPos::Center, VPos::Bottom))
    }))?;
    for (index, name) in c.grades.iter().enumerate() {
        if c.rows.iter().any(|r| r.grade == Some(index)) {
            chart
                .draw_series(std::iter::empty::<Rectangle<(SegmentValue<i32>, f64)>>())?
                .label(name.as_str())
                .legend(legend_box(grade_colour(index)));
        }
    }
    draw_legend(&mut chart)
}

fn progress<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &ProgressRows) -> DrawResult<DB> {
    let names: Vec<String> = c.rows.iter().map(|r| r.name.clone()).collect();
    let bars: Vec<(Option<f64>, RGBColor, String)> = c
        .rows
        .iter()
        .map(|r| {
            let text = match r.completion {
                Some(v) => format!("{}  {}", format_share(v), r.status.label()),
                None => r.status.label().to_string(),
            };
            (r.completion.map(|v| 100.0 * v), status_colour(r.status), text)
        })
        .collect();
    let marks: Vec<Option<f64>> = c.rows.iter().map(|r| Some(100.0 * r.expected)).collect();
    let top = axis_max(c.rows.iter().filter_map(|r| r.completion.map(|v| 100.0 * v)).chain([100.0]), 1.3);
    horizontal(area, "完成率（%）　红线：序时进度", &names, &bars, top, &marks)
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
