//! Stop strings: end generation when the decoded text contains one of them,
//! as mlx-lm's server and OpenAI's `stop` do. Matching is on text, not ids,
//! because a stop string may span several tokens (or end mid-token); the
//! completion is cut where the earliest stop string begins (the string itself
//! is not part of the answer).

use super::Tokenizer;

/// The earliest occurrence of any of `stops` in `text` at or after byte
/// `from`: its byte offset and the stop string. Empty stop strings never match.
pub fn find_stop<'s>(text: &str, stops: &'s [String], from: usize) -> Option<(usize, &'s str)> {
    let mut from = from.min(text.len());
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    stops
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| {
            text[from..]
                .find(s.as_str())
                .map(|i| (from + i, s.as_str()))
        })
        .min_by_key(|&(i, _)| i)
}

/// Watches generated ids for stop strings. Feed it every token; it decodes the
/// running sequence and searches only the tail that could hold a new match.
pub struct StopWatch<'a> {
    tokenizer: &'a Tokenizer,
    stops: &'a [String],
    ids: Vec<u32>,
    /// Bytes of decoded text already searched (minus the overlap a stop
    /// string straddling the boundary needs).
    searched: usize,
    hit: Option<(usize, String)>,
}

impl<'a> StopWatch<'a> {
    pub fn new(tokenizer: &'a Tokenizer, stops: &'a [String]) -> Self {
        StopWatch {
            tokenizer,
            stops,
            ids: Vec::new(),
            searched: 0,
            hit: None,
        }
    }

    /// Adds one generated id; false once a stop string has appeared.
    pub fn push(&mut self, id: u32) -> bool {
        if self.hit.is_some() {
            return false;
        }
        self.ids.push(id);
        if self.stops.iter().all(|s| s.is_empty()) {
            return true;
        }
        // Undecodable ids (a padded vocabulary) cannot complete a stop string.
        let Ok(text) = self.tokenizer.decode(&self.ids) else {
            return true;
        };
        let longest = self.stops.iter().map(String::len).max().unwrap_or(0);
        let from = self.searched.saturating_sub(longest);
        if let Some((at, s)) = find_stop(&text, self.stops, from) {
            self.hit = Some((at, s.to_string()));
            return false;
        }
        self.searched = text.len();
        true
    }

    /// Where the text is cut (byte offset) and the stop string, once matched.
    pub fn hit(&self) -> Option<(usize, &str)> {
        self.hit.as_ref().map(|(i, s)| (*i, s.as_str()))
    }
}

/// `text` cut before its earliest stop string (unchanged when none occurs).
pub fn cut_at_stop<'t>(text: &'t str, stops: &[String]) -> &'t str {
    match find_stop(text, stops, 0) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn earliest_stop_wins_whatever_its_order_in_the_list() {
        let stops = s(&["</tool_call>", "\nUser:"]);
        let text = "answer\nUser: more</tool_call>";
        assert_eq!(find_stop(text, &stops, 0), Some((6, "\nUser:")));
        assert_eq!(cut_at_stop(text, &stops), "answer");
    }

    #[test]
    fn search_starts_at_a_char_boundary_and_ignores_empty_stops() {
        let stops = s(&["", "é!"]);
        let text = "café!";
        // Byte 4 is inside 'é': the search backs up to the boundary.
        assert_eq!(find_stop(text, &stops, 4), Some((3, "é!")));
        assert_eq!(find_stop("abc", &s(&[""]), 0), None);
        assert_eq!(cut_at_stop("no stop here", &stops), "no stop here");
    }

    #[test]
    fn from_past_the_end_finds_nothing() {
        assert_eq!(find_stop("abc", &s(&["c"]), 99), None);
    }
}
