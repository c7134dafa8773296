//! How many model turns a query takes. A plain query is one turn; an
//! episode (a tool really executed, its result fed back, the model asked
//! again) is several. The runner asks its [`Policy`] after every completion
//! and resubmits the query with the messages the policy adds.

use super::backend::{Completion, PreparedQuery};
use crate::parse::Verdict;
use crate::suite::Message;

/// After one completion of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Score this completion: the query is finished.
    Done,
    /// Append these messages (the assistant turn, tool results) and ask the
    /// backend again.
    Continue(Vec<Message>),
}

pub trait Policy {
    /// `query` as it was sent (`step` 0 for the first turn).
    fn after(
        &mut self,
        query: &PreparedQuery,
        step: u32,
        completion: &Completion,
        verdict: &Verdict,
    ) -> Next;
}

/// One turn per query: every completion is final.
pub struct SingleTurn;

impl Policy for SingleTurn {
    fn after(&mut self, _: &PreparedQuery, _: u32, _: &Completion, _: &Verdict) -> Next {
        Next::Done
    }
}
