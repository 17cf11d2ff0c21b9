//! Where text goes, decided before anything is drawn: estimated label sizes, how category labels
//! fit (level, turned upright, or every n-th), axis ticks with the fewest decimals, and which value
//! labels can be written without touching another label or the legend. Pure geometry in pixels;
//! `draw.rs` only carries the decisions out.

use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;

/// plotters writes SVG text at `font-size = size / 1.24` (its size is the glyph box height, the
/// SVG's is the em): widths are estimated in the SVG's em.
const SIZE_PER_EM: f64 = 1.24;
/// Advance of a CJK or other full-width character, in em.
const WIDE_EM: f64 = 1.0;
/// Advance of an ASCII character, in em: WenQuanYi Micro Hei's digits are about 0.55 em; a little
/// more so that '%' and capitals are covered too.
const NARROW_EM: f64 = 0.6;
/// Height of a line of text, in em (ascent and descent of the CJK glyphs).
const LINE_EM: f64 = 1.0;
/// Space kept free around every label, in pixels.
pub const LABEL_GAP: f64 = 4.0;

/// The SVG em of a plotters text size, in pixels.
pub fn em(size: u32) -> f64 {
    f64::from(size) / SIZE_PER_EM
}

/// Estimated width of `text` written at plotters size `size`, in pixels.
pub fn text_width(text: &str, size: u32) -> f64 {
    let ems: f64 = text.chars().map(|c| if c.is_ascii() { NARROW_EM } else { WIDE_EM }).sum();
    ems * em(size)
}

pub fn text_height(size: u32) -> f64 {
    LINE_EM * em(size)
}

/// `text` cut to at most `width` pixels, ending in `…` when cut.
pub fn truncate(text: &str, size: u32, width: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        let next = format!("{out}{c}…");
        if text_width(&next, size) > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// An axis-aligned box in pixels, `x0 ≤ x1`, `y0 ≤ y1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    pub fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect {
        Rect { x0: x0.min(x1), y0: y0.min(y1), x1: x0.max(x1), y1: y0.max(y1) }
    }

    /// True when the boxes share more than a hair (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        const EPS: f64 = 0.01;
        self.x0 < other.x1 - EPS && other.x0 < self.x1 - EPS && self.y0 < other.y1 - EPS && other.y0 < self.y1 - EPS
    }

    pub fn contains(&self, other: &Rect) -> bool {
        other.x0 >= self.x0 && other.x1 <= self.x1 && other.y0 >= self.y0 && other.y1 <= self.y1
    }

    pub fn grown(&self, by: f64) -> Rect {
        Rect { x0: self.x0 - by, y0: self.y0 - by, x1: self.x1 + by, y1: self.y1 + by }
    }
}

/// Text direction: level, or turned a quarter left (reading upwards).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Level,
    Upright,
}

/// Where a label's anchor is: the position given is this point of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// centre of the text (level: centred horizontally and vertically)
    Centre,
    /// middle of the bottom edge, before turning (the text sits above the point)
    Below,
    /// middle of the top edge, before turning (the text hangs below the point)
    Top,
    /// bottom right corner (the text sits above and left of the point)
    LowerRight,
    /// start of the text, vertically centred, before turning
    Start,
    /// end of the text, vertically centred, before turning
    End,
}

/// The estimated box of a label whose anchor is at (x, y).
pub fn text_box(text: &str, size: u32, (x, y): (f64, f64), anchor: Anchor, orientation: Orientation) -> Rect {
    let w = text_width(text, size);
    let h = text_height(size);
    // Offsets along the text (u) and across it (v, downwards), before turning.
    let (u0, u1) = match anchor {
        Anchor::Centre | Anchor::Below | Anchor::Top => (-w / 2.0, w / 2.0),
        Anchor::Start => (0.0, w),
        Anchor::End | Anchor::LowerRight => (-w, 0.0),
    };
    let (v0, v1) = match anchor {
        Anchor::Below | Anchor::LowerRight => (-h, 0.0),
        Anchor::Top => (0.0, h),
        _ => (-h / 2.0, h / 2.0),
    };
    match orientation {
        Orientation::Level => Rect::new(x + u0, y + v0, x + u1, y + v1),
        // Turned a quarter left: along the text is upwards, across it is rightwards.
        Orientation::Upright => Rect::new(x + v0, y - u1, x + v1, y - u0),
    }
}

/// How the labels of a category axis are written.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryLabels {
    pub orientation: Orientation,
    /// every `step`-th label is written, starting at `first`
    pub step: usize,
    pub first: usize,
    /// the labels as written (cut to fit `extent` when too long)
    pub texts: Vec<String>,
    /// room the labels need across the axis, in pixels
    pub extent: f64,
}

impl CategoryLabels {
    pub fn shown(&self, index: usize) -> bool {
        index >= self.first && (index - self.first).is_multiple_of(self.step)
    }
}

/// Labels under vertical bars or points, `slot` pixels apart: level when each fits its slot; else
/// turned upright (categories, where every name matters) or thinned to every 2nd, 4th, … label
/// (an ordered axis such as quarters, starting at `first`); upright and thinned when even that
/// does not fit. Upright labels longer than `max_extent` are cut.
pub fn category_labels(
    labels: &[String],
    size: u32,
    slot: f64,
    ordered: bool,
    first: usize,
    max_extent: f64,
) -> CategoryLabels {
    let widest = labels.iter().map(|l| text_width(l, size)).fold(0.0, f64::max);
    let across = text_height(size);
    let first = first.min(labels.len().saturating_sub(1));
    let level = |step: usize| CategoryLabels {
        orientation: Orientation::Level,
        step,
        first,
        texts: labels.to_vec(),
        extent: across,
    };
    if widest + LABEL_GAP <= slot {
        return CategoryLabels { first: 0, ..level(1) };
    }
    if ordered {
        return level(thinning(widest, slot));
    }
    let step = thinning(across, slot);
    let texts: Vec<String> = labels.iter().map(|l| truncate(l, size, max_extent)).collect();
    let extent = texts.iter().map(|l| text_width(l, size)).fold(0.0, f64::max);
    CategoryLabels { orientation: Orientation::Upright, step, first: if step == 1 { 0 } else { first }, texts, extent }
}

/// The smallest of 1, 2, 4, 8, … slots that holds `width` plus the gap.
fn thinning(width: f64, slot: f64) -> usize {
    let mut step = 1usize;
    while (step as f64) * slot < width + LABEL_GAP && step < 1 << 20 {
        step *= 2;
    }
    step
}

/// How value labels over vertical bars are written: level when the widest fits its slot, else upright.
pub fn value_orientation(texts: &[String], size: u32, slot: f64) -> Orientation {
    let widest = texts.iter().map(|t| text_width(t, size)).fold(0.0, f64::max);
    if widest + LABEL_GAP <= slot { Orientation::Level } else { Orientation::Upright }
}

/// Room a value label needs above its bar, in pixels.
pub fn value_extent(texts: &[String], size: u32, orientation: Orientation) -> f64 {
    match orientation {
        Orientation::Level => text_height(size),
        Orientation::Upright => texts.iter().map(|t| text_width(t, size)).fold(0.0, f64::max),
    }
}

/// Upper end of a value axis `pixels` long such that every value, plus `room` pixels for its
/// label, stays inside; at least `headroom` × the largest value, and never an empty range.
pub fn axis_top(values: &[f64], pixels: f64, room: f64, headroom: f64) -> f64 {
    let max = values.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
    if max <= 0.0 {
        return 1.0;
    }
    // Labels longer than half the axis are dropped rather than squeezing the bars flat.
    let free = (pixels - room.min(pixels / 2.0)).max(1.0);
    let fit = values.iter().filter(|v| v.is_finite() && **v > 0.0).map(|v| v * pixels / free).fold(0.0, f64::max);
    fit.max(max * headroom)
}

/// Share of a slot `slot` pixels wide to leave empty on either side of its bar: at least `gap`,
/// more when the bar would be wider than `widest` pixels (one region, one indicator).
pub fn bar_gap(slot: f64, gap: f64, widest: f64) -> f64 {
    if slot <= 0.0 { gap } else { gap.max((1.0 - widest / slot) / 2.0).min(0.5) }
}

/// Lower end of a value axis: zero, or below the smallest value when one is negative.
pub fn axis_bottom(values: &[f64]) -> f64 {
    let min = values.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::min);
    if min < 0.0 { min * 1.1 } else { 0.0 }
}

/// The ticks plotters draws for `lo..hi` with at most `count` labels.
pub fn ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    RangedCoordf64::from(lo..hi).key_points(count)
}

/// The fewest decimals (at most 4) that write every tick exactly: `6000`, not `6000.0`; `0.5, 1.0, 1.5`.
pub fn tick_decimals(ticks: &[f64]) -> usize {
    let scale = ticks.iter().fold(0.0f64, |m, t| m.max(t.abs())).max(1e-12);
    (0..=4)
        .find(|d| {
            let f = 10f64.powi(*d as i32);
            ticks.iter().all(|t| ((t * f).round() / f - t).abs() <= scale * 1e-9)
        })
        .unwrap_or(4)
}

/// A tick as a table would print it (no `-0` under a zero line).
pub fn format_tick(value: f64, decimals: usize) -> String {
    crate::domain::number::fixed(value, u8::try_from(decimals).unwrap_or(u8::MAX))
}

/// Which labels to write: in the given order, each one that lies inside `bounds` and clear of
/// the labels kept so far and of every `blocked` box (the legend, for one). The rest are dropped.
pub fn keep_clear(boxes: &[Option<Rect>], bounds: Rect, blocked: &[Rect]) -> Vec<bool> {
    let mut kept: Vec<Rect> = Vec::new();
    boxes
        .iter()
        .map(|b| match b {
            Some(b) if bounds.contains(b) => {
                let padded = b.grown(LABEL_GAP / 2.0);
                let clear = !kept.iter().chain(blocked).any(|k| padded.overlaps(k));
                if clear {
                    kept.push(padded);
                }
                clear
            }
            _ => false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_chinese_as_one_em_and_ascii_as_a_little_over_half() {
        let e = em(16);
        assert!((e - 12.903).abs() < 0.01);
        let cases =
            [("山西", 2.0 * e), ("2019Q1", 6.0 * 0.6 * e), ("101.6%", 3.6 * e), ("内蒙古A", 3.6 * e), ("", 0.0)];
        for (text, want) in cases {
            assert!((text_width(text, 16) - want).abs() < 1e-9, "{text}: {}", text_width(text, 16));
        }
    }

    #[test]
    fn ticks_have_the_fewest_decimals_that_write_them_exactly() {
        let cases: [(&[f64], usize, &[&str]); 5] = [
            (&[0.0, 2000.0, 4000.0, 6000.0], 0, &["0", "2000", "4000", "6000"]),
            (&[0.0, 0.5, 1.0, 1.5], 1, &["0.0", "0.5", "1.0", "1.5"]),
            (&[0.0, 0.25, 0.5], 2, &["0.00", "0.25", "0.50"]),
            (&[0.1 + 0.2, 0.6], 1, &["0.3", "0.6"]),
            (&[-1e-13, 10.0], 0, &["0", "10"]),
        ];
        for (ticks, decimals, texts) in cases {
            assert_eq!(tick_decimals(ticks), decimals, "{ticks:?}");
            let written: Vec<String> = ticks.iter().map(|t| format_tick(*t, decimals)).collect();
            assert_eq!(written, texts.to_vec());
        }
    }

    #[test]
    fn plotters_ticks_of_a_large_axis_are_whole_numbers() {
        let t = ticks(0.0, 7200.0, 8);
        assert_eq!(tick_decimals(&t), 0, "{t:?}");
        assert!(t.contains(&6000.0), "{t:?}");
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn category_labels_stay_level_turn_upright_or_thin_out() {
        let provinces = names(&["北京", "内蒙古", "黑龙江", "新疆维吾尔自治区"]);
        let quarters: Vec<String> = (0..40).map(|i| format!("{}Q{}", 2015 + i / 4, i % 4 + 1)).collect();
        // wide slots: level, all shown
        let wide = category_labels(&provinces, 16, 200.0, false, 0, 120.0);
        assert_eq!((wide.orientation, wide.step), (Orientation::Level, 1));
        // 31 provinces in 888 px: upright, every one, the longest name sets the room needed
        let upright = category_labels(&provinces, 16, 28.6, false, 0, 120.0);
        assert_eq!((upright.orientation, upright.step), (Orientation::Upright, 1));
        assert!((upright.extent - text_width("新疆维吾尔自治区", 16)).abs() < 1e-9);
        // a name longer than the room is cut
        let cut = category_labels(&provinces, 16, 28.6, false, 0, 60.0);
        assert_eq!(cut.texts[3], "新疆维…");
        assert!(cut.extent <= 60.0);
        // 40 quarters in 888 px: level, every 4th, from the first Q1
        let q = category_labels(&quarters, 16, 22.2, true, 0, 120.0);
        assert_eq!((q.orientation, q.step, q.first), (Orientation::Level, 4, 0));
        let shown: Vec<&str> = (0..40).filter(|i| q.shown(*i)).map(|i| q.texts[i].as_str()).collect();
        assert_eq!(shown.len(), 10);
        assert!(shown.iter().all(|s| s.ends_with("Q1")), "{shown:?}");
        // slots narrower than a line: upright and thinned
        let narrow = category_labels(&provinces, 16, 5.0, false, 0, 120.0);
        assert_eq!((narrow.orientation, narrow.step), (Orientation::Upright, 4));
    }

    #[test]
    fn text_boxes_follow_anchor_and_turn() {
        let e = em(16);
        let level = text_box("山西", 16, (100.0, 50.0), Anchor::Below, Orientation::Level);
        assert_eq!(level, Rect::new(100.0 - e, 50.0 - e, 100.0 + e, 50.0));
        // upright, anchored at its end: hangs down from the anchor, centred across
        let hanging = text_box("山西", 16, (100.0, 50.0), Anchor::End, Orientation::Upright);
        assert_eq!(hanging, Rect::new(100.0 - e / 2.0, 50.0, 100.0 + e / 2.0, 50.0 + 2.0 * e));
        // upright, anchored at its start: rises from the anchor
        let rising = text_box("山西", 16, (100.0, 50.0), Anchor::Start, Orientation::Upright);
        assert_eq!(rising, Rect::new(100.0 - e / 2.0, 50.0 - 2.0 * e, 100.0 + e / 2.0, 50.0));
    }

    #[test]
    fn value_labels_that_would_touch_are_dropped_in_order() {
        let bounds = Rect::new(0.0, 0.0, 100.0, 100.0);
        let legend = Rect::new(80.0, 0.0, 100.0, 10.0);
        let boxes = [
            Some(Rect::new(0.0, 20.0, 20.0, 30.0)),
            Some(Rect::new(10.0, 20.0, 30.0, 30.0)), // overlaps the first
            Some(Rect::new(24.0, 20.0, 40.0, 30.0)), // clear of the first, within the gap of nothing kept
            None,
            Some(Rect::new(85.0, 5.0, 95.0, 15.0)),   // under the legend
            Some(Rect::new(90.0, 50.0, 110.0, 60.0)), // outside the plot
            Some(Rect::new(50.0, 50.0, 60.0, 60.0)),
        ];
        assert_eq!(keep_clear(&boxes, bounds, &[legend]), [true, false, true, false, false, false, true]);
    }

    #[test]
    fn bars_are_never_wider_than_the_widest_allowed() {
        assert!((bar_gap(30.0, 0.2, 60.0) - 0.2).abs() < 1e-9, "narrow slots keep the gap");
        assert!((bar_gap(400.0, 0.2, 40.0) - 0.45).abs() < 1e-9, "one row of 400 px: a bar of 40 px");
        assert_eq!(bar_gap(0.0, 0.2, 40.0), 0.2);
    }

    #[test]
    fn the_axis_leaves_room_for_labels_above_the_largest_bar() {
        // 300 px, 60 px of label over the bar of 100: the bar may use 240 px, so the top is 125
        assert!((axis_top(&[100.0, 50.0], 300.0, 60.0, 1.1) - 125.0).abs() < 1e-9);
        // small labels: the headroom rules
        assert!((axis_top(&[100.0], 300.0, 6.0, 1.2) - 120.0).abs() < 1e-9);
        assert_eq!(axis_top(&[], 300.0, 6.0, 1.2), 1.0);
        assert_eq!(axis_top(&[0.0, f64::NAN], 300.0, 6.0, 1.2), 1.0);
        assert_eq!(axis_bottom(&[3.0, 0.0]), 0.0);
        assert!((axis_bottom(&[3.0, -10.0]) + 11.0).abs() < 1e-9);
    }
}
