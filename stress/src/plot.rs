//! `--plot FILE`: the latency distribution as an SVG percentile spectrum
//! (the HdrHistogram plot): x is the percentile on a log scale of
//! 1/(1−q), so the tail gets as much room as the median; y is latency on a
//! log scale. Written by hand: a few polylines need no plotting library.

use std::fmt::Write as _;

use hdrhistogram::Histogram;

const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 520.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 200.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 60.0;
/// Up to the 99.99th percentile: 10^-4 of the requests remain.
const NINES_MAX: f64 = 4.0;
const STEPS: usize = 200;
const COLOURS: &[&str] = &["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/// One line: its legend and its latencies in microseconds.
pub struct Series<'a> {
    pub name: String,
    pub histogram: &'a Histogram<u64>,
}

/// The plot, or None when every series is empty.
pub fn svg(title: &str, series: &[Series<'_>]) -> Option<String> {
    let series: Vec<&Series<'_>> = series.iter().filter(|s| !s.histogram.is_empty()).collect();
    if series.is_empty() {
        return None;
    }
    let min_us = series.iter().map(|s| s.histogram.min().max(1)).min().unwrap_or(1);
    let max_us = series.iter().map(|s| s.histogram.max().max(1)).max().unwrap_or(1);
    // Decades of milliseconds, so gridlines fall on 0.1, 1, 10, … ms.
    let lo = (min_us as f64 / 1000.0).log10().floor();
    let hi = ((max_us as f64 / 1000.0).log10().ceil()).max(lo + 1.0);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |nines: f64| LEFT + nines / NINES_MAX * plot_w;
    let y = |us: u64| {
        let ms = (us.max(1) as f64 / 1000.0).log10();
        TOP + plot_h - (ms - lo) / (hi - lo) * plot_h
    };

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(s, r#"<text x="{LEFT}" y="28" font-size="16">{}</text>"#, escape(title));
    for d in 0..=(hi - lo) as i32 {
        let v = lo + f64::from(d);
        let yy = TOP + plot_h - (v - lo) / (hi - lo) * plot_h;
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{} ms</text>"##,
            LEFT + plot_w,
            LEFT - 6.0,
            yy + 4.0,
            fmt_ms(10f64.powf(v))
        );
    }
    for n in 0..=NINES_MAX as i32 {
        let xx = x(f64::from(n));
        let label = ["0%", "90%", "99%", "99.9%", "99.99%"][n as usize];
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.1}" y1="{TOP}" x2="{xx:.1}" y2="{:.1}" stroke="#ddd"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{label}</text>"##,
            TOP + plot_h,
            TOP + plot_h + 18.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">percentile</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 12.0
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(18 {:.1}) rotate(-90)" text-anchor="middle">latency (log scale)</text>"#,
        TOP + plot_h / 2.0
    );
    for (i, ser) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let mut points = String::new();
        for step in 0..=STEPS {
            let nines = NINES_MAX * step as f64 / STEPS as f64;
            let q = 1.0 - 10f64.powf(-nines);
            let v = ser.histogram.value_at_quantile(q);
            let _ = write!(points, "{:.1},{:.1} ", x(nines), y(v));
        }
        let _ = writeln!(s, r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#, points.trim());
        let ly = TOP + 10.0 + i as f64 * 18.0;
        let lx = LEFT + plot_w + 12.0;
        let _ = writeln!(
            s,
            r#"<line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="3"/><text x="{:.1}" y="{:.1}">{} (n={})</text>"#,
            lx + 18.0,
            lx + 24.0,
            ly + 4.0,
            escape(&ser.name),
            ser.histogram.len()
        );
    }
    s.push_str("</svg>\n");
    Some(s)
}

fn fmt_ms(v: f64) -> String {
    if v >= 1.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::new_histogram;

    #[test]
    fn plots_one_polyline_per_non_empty_series() {
        let mut a = new_histogram();
        for us in 1..=10_000u64 {
            a.record(us * 10).unwrap();
        }
        let empty = new_histogram();
        let out = svg(
            "t <&>",
            &[Series { name: "a".into(), histogram: &a }, Series { name: "empty".into(), histogram: &empty }],
        )
        .unwrap();
        assert!(out.starts_with("<svg") && out.trim_end().ends_with("</svg>"));
        assert_eq!(out.matches("<polyline").count(), 1);
        assert!(out.contains("t &lt;&amp;&gt;"));
        assert!(out.contains("a (n=10000)"));
        assert!(!out.contains("NaN"));
        assert!(svg("none", &[Series { name: "e".into(), histogram: &empty }]).is_none());
    }
}
