//! Fitting text into cells: wrapping at spaces, and cutting with `…` so a cut never goes unseen.

use ratatui::text::{Line, Span};

/// Splits `text` into lines of at most `width` characters, at spaces where possible.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let fits = line.chars().count() + word.chars().count() + usize::from(!line.is_empty());
        if !line.is_empty() && fits > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            line = line.chars().skip(width).collect();
            out.push(head);
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// `text` cut to `w` characters, ending in `…` when it was cut.
pub fn cut(text: &str, w: usize) -> String {
    if text.chars().count() <= w {
        return text.to_string();
    }
    let mut s: String = text.chars().take(w.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// `line` cut to `w` cells, its last cell `…` when it was cut (styles kept).
pub fn fit_line(line: Line<'static>, w: usize) -> Line<'static> {
    if line.width() <= w {
        return line;
    }
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut left = w.saturating_sub(1);
    for span in line.spans {
        if left == 0 {
            break;
        }
        let n = span.content.chars().count();
        if n <= left {
            left -= n;
            out.push(span);
        } else {
            let head: String = span.content.chars().take(left).collect();
            out.push(Span::styled(head, span.style));
            left = 0;
        }
    }
    out.push(Span::raw("…"));
    Line::from(out).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_cuts_with_an_ellipsis() {
        assert_eq!(
            wrap("not saved: name is taken", 10),
            ["not saved:", "name is", "taken"]
        );
        assert_eq!(cut("autocreated", 5), "auto…");
        assert_eq!(cut("abc", 5), "abc");
        let l = fit_line(Line::from(vec![Span::raw("ab"), Span::raw("cdef")]), 4);
        assert_eq!(l.to_string(), "abc…");
        assert_eq!(fit_line(Line::from("abc"), 4).to_string(), "abc");
    }
}
