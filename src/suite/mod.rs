//! Query packs: TOML files (or JSON from plugins) holding queries and what
//! each expects. Loading checks everything and reports every problem with
//! the file, the line and the fix; see docs/query-packs.md.

mod catalog;
mod check;
mod error;
mod expect;
mod load;
mod pack;

pub use catalog::{suggest, ToolCatalog, ToolList};
pub use error::{Location, PackError, Problem};
pub use expect::{
    normalized, ArgExpect, CallCount, Expect, ExpectKind, ExpectedTool, MatchMode, Order,
    ToolExpect,
};
pub use load::{Format, LoadedPack};
pub use pack::{EarlyStop, Generation, Message, Pack, PackMeta, Query, Role, ToolsMode};
