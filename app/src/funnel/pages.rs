//! The server function of the funnel page: the funnel of the URL's filters plus what the
//! filters and the version lens offer.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::model::{Funnel, FunnelFilter, FunnelQuery};
use crate::error::AppError;

/// A definition the version lens can apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LensChoice {
    /// `version` or `proposal`.
    pub kind: String,
    /// Version number or proposal id.
    pub id: i64,
    /// Its title.
    pub title: String,
}

/// Everything the funnel page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelPageData {
    /// The funnel.
    pub funnel: Funnel,
    /// The filters as validated (defaults filled in).
    pub filter: FunnelFilter,
    /// Published versions, newest first, and open proposals.
    pub lenses: Vec<LensChoice>,
    /// Countries of leads (filter choices).
    pub countries: Vec<String>,
    /// Industries of accounts (filter choices).
    pub industries: Vec<String>,
}

/// The funnel page as the URL asks for it.
#[server(endpoint = "funnel_page", input = Json)]
pub async fn funnel_page(query: FunnelQuery) -> Result<FunnelPageData, AppError> {
    let (state, _, user) = crate::auth::api::ssr::context().await?;
    ssr::page(&state, user.as_ref(), &query).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{FunnelPageData, LensChoice};
    use crate::auth::User;
    use crate::definitions::proposal::ProposalStatus;
    use crate::error::AppResult;
    use crate::funnel::model::FunnelQuery;
    use crate::funnel::service;
    use crate::funnel::store::FunnelQueries;
    use crate::policy::{self, Action};
    use crate::state::AppState;
    use crate::with_conn;

    pub async fn page(
        state: &AppState,
        viewer: Option<&User>,
        query: &FunnelQuery,
    ) -> AppResult<FunnelPageData> {
        policy::authorize(viewer, Action::UseApp)?;
        let now = state.clock.now();
        let filter = query.validate(now.date_naive())?;
        let funnel = service::funnel_for(state, viewer, &filter, now).await?;
        let (_, versions) = crate::definitions::service::versions(state, viewer).await?;
        let proposals =
            crate::definitions::service::proposals(state, viewer, Some(ProposalStatus::Open)).await?;
        let lenses = versions
            .into_iter()
            .map(|v| LensChoice {
                kind: "version".into(),
                id: v.version,
                title: v.title,
            })
            .chain(proposals.into_iter().map(|p| LensChoice {
                kind: "proposal".into(),
                id: p.id,
                title: p.title,
            }))
            .collect();
        let (countries, industries) = with_conn!(&state.db, c => (c.dimension_values("country").await?, c.dimension_values("industry").await?));
        Ok(FunnelPageData {
            funnel,
            filter,
            lenses,
            countries,
            industries,
        })
    }
}
