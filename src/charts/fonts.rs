//! The font every chart draws text with, registered once: the embedded WenQuanYi Micro Hei, or a
//! file given with `--font`, for plotters' text layout and for rendering SVG to PNG. PNG text
//! therefore never depends on fonts installed on the server.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use plotters::style::{FontStyle, register_font};

use super::ChartError;
use super::style::FONT;

const EMBEDDED: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

/// The font in use, once registered with plotters (text layout) and with the SVG renderer (PNG).
struct Registered {
    options: resvg::usvg::Options<'static>,
}

static REGISTERED: OnceLock<Result<Registered, String>> = OnceLock::new();

fn register(bytes: &'static [u8]) -> Result<Registered, String> {
    for style in [FontStyle::Normal, FontStyle::Bold] {
        register_font(FONT, style, bytes).map_err(|_| "not a TrueType or OpenType font".to_string())?;
    }
    let mut db = resvg::usvg::fontdb::Database::new();
    db.load_font_data(bytes.to_vec());
    let family = db
        .faces()
        .next()
        .and_then(|face| face.families.first())
        .map(|(name, _)| name.clone())
        .ok_or_else(|| "the font file holds no font".to_string())?;
    // The SVG asks for `sans-serif`: that is this font.
    db.set_sans_serif_family(family.clone());
    let options = resvg::usvg::Options { font_family: family, fontdb: Arc::new(db), ..Default::default() };
    Ok(Registered { options })
}

/// Registers `file` (or the embedded font) unless a font is registered already. Call it at start-up
/// to honour `--font`; drawing calls [`ensure`] and gets the embedded font otherwise.
pub fn init(file: Option<&Path>) -> Result<(), ChartError> {
    let bytes: &'static [u8] = match file {
        None => EMBEDDED,
        // Fonts live as long as the program: leaking the one file read is what `'static` asks for.
        Some(path) => Box::leak(
            std::fs::read(path)
                .map_err(|e| ChartError(format!("reading font {}: {e}", path.display())))?
                .into_boxed_slice(),
        ),
    };
    REGISTERED.get_or_init(|| register(bytes)).as_ref().map(|_| ()).map_err(|e| ChartError(e.clone()))
}

/// The SVG renderer's options with the registered font (the embedded one unless `init` chose another).
pub fn svg_options() -> Result<&'static resvg::usvg::Options<'static>, ChartError> {
    init(None)?;
    match REGISTERED.get() {
        Some(Ok(registered)) => Ok(&registered.options),
        Some(Err(e)) => Err(ChartError(e.clone())),
        None => Err(ChartError("no font registered".into())),
    }
}

pub fn ensure() -> Result<(), ChartError> {
    init(None)
}
