//! Screens of the definitions domain: definitions and history, proposals, the editor and the
//! approval screen.

mod approval;
mod criteria_builder;
mod diff_list;
mod editor;
mod overview;
mod proposals;
mod table;

pub use approval::ProposalPage;
pub use editor::{EditProposalPage, NewProposalPage};
pub use overview::DefinitionsPage;
pub use proposals::ProposalsPage;
