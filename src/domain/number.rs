//! Presentation of computed numbers.

/// Removes binary floating-point noise from a computed figure (`0.1 + 0.2` → `0.3`) by keeping
/// 13 significant digits, far more than any statistic carries and far fewer than the noise.
pub fn tidy(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.12e}").parse().unwrap_or(x)
}

/// Rounds half away from zero to `decimals` places, as statistical tables do.
pub fn round_to(x: f64, decimals: u8) -> f64 {
    let factor = 10f64.powi(i32::from(decimals));
    tidy((x * factor).round() / factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_removes_noise_only() {
        let cases = [
            (0.1 + 0.2, 0.3),
            (100.0 * 18.0 / 1000.0, 1.8),
            (1234567.891, 1234567.891),
            (-0.000123456, -0.000123456),
            (0.0, 0.0),
            (123456789.0123, 123456789.0123),
        ];
        for (input, want) in cases {
            assert_eq!(tidy(input), want, "{input}");
        }
    }

    #[test]
    fn rounds_half_away_from_zero() {
        let cases =
            [(1.25, 1, 1.3), (1.35, 1, 1.4), (-1.25, 1, -1.3), (2.5, 0, 3.0), (71.0526, 1, 71.1), (3601.0, 0, 3601.0)];
        for (x, d, want) in cases {
            assert_eq!(round_to(x, d), want, "{x} to {d}");
        }
    }
}
