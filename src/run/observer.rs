//! Progress of a run, reported through one observer: the runner calls it,
//! the command line draws it (a bar on a terminal, a line per query in a log).

use crate::results::QueryResult;

pub trait Observer {
    /// Before the first query: how many query completions the run will make.
    fn started(&mut self, _total: usize) {}
    /// After each query is scored (in completion order).
    fn finished(&mut self, _suite: &str, _result: &QueryResult) {}
    /// A stage of a longer procedure ("loaded …", "warm-up …").
    fn note(&mut self, _message: &str) {}
}

/// Reports nothing.
pub struct Silent;

impl Observer for Silent {}
