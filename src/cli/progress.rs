//! Progress of a run on stderr: a bar on a terminal; one line per query
//! when stderr is a log (a CI log shows each query as it finishes).

use indicatif::{ProgressBar, ProgressStyle};
use punie_eval::results::QueryResult;
use punie_eval::run::Observer;
use std::io::IsTerminal;

pub struct Progress {
    bar: Option<ProgressBar>,
    done: usize,
    total: usize,
}

impl Progress {
    pub fn new() -> Self {
        Self {
            bar: None,
            done: 0,
            total: 0,
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn started(&mut self, total: usize) {
        self.total = total;
        self.done = 0;
        if !std::io::stderr().is_terminal() {
            return;
        }
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:30} {pos}/{len} queries {elapsed_precise} {msg}")
        {
            bar.set_style(style);
        }
        self.bar = Some(bar);
    }

    fn finished(&mut self, suite: &str, q: &QueryResult) {
        self.done += 1;
        match &self.bar {
            Some(bar) => {
                bar.set_message(format!("{suite}/{}", q.id));
                bar.inc(1);
            }
            None => eprintln!(
                "[{}/{}] {suite}/{}: {}",
                self.done,
                self.total,
                q.id,
                if q.score.strict { "pass" } else { "FAIL" }
            ),
        }
    }

    fn note(&mut self, message: &str) {
        match &self.bar {
            Some(bar) => bar.println(message),
            None => eprintln!("{message}"),
        }
    }
}
