//! The funnel and the CSV exports of API v1 (API.md "Funnel, exports, audit").

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http::header;

use app::funnel::export::{
    funnel_csv as funnel_csv_bytes, lead_export_filter, leads_csv as leads_csv_stream,
};
use app::funnel::model::{Funnel, FunnelQuery};
use app::funnel::service;
use app::state::AppState;

use super::caller::Caller;
use super::error::{ApiError, ErrorBody};
use super::leads::LeadQuery;

/// The funnel per stage of the period: leads in each stage now, entries, conversion, time in
/// stage, open handoffs, pipeline and expected revenue; `version` or `proposal` re-evaluate
/// today's leads under that definition (the version lens).
#[utoipa::path(get, path = "/api/v1/funnel", tag = "funnel", params(FunnelQuery),
    responses((status = 200, body = Funnel), (status = 422, body = ErrorBody)))]
pub async fn funnel(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FunnelQuery>,
) -> Result<Json<Funnel>, ApiError> {
    Ok(Json(service::funnel(&state, caller.user.as_ref(), &q).await?))
}

fn csv_response(file_name: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The funnel as CSV: one row per stage, with the same parameters as `/funnel`.
#[utoipa::path(get, path = "/api/v1/funnel.csv", tag = "funnel", params(FunnelQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 422, body = ErrorBody)))]
pub async fn funnel_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<FunnelQuery>,
) -> Result<Response, ApiError> {
    let funnel = service::funnel(&state, caller.user.as_ref(), &q).await?;
    let bytes = funnel_csv_bytes(&funnel)?;
    let name = format!("funnel-{}-{}.csv", funnel.from, funnel.to);
    Ok(csv_response(&name, Body::from(bytes)))
}

/// Every lead of the lead list's filters as CSV (paging ignored), streamed.
#[utoipa::path(get, path = "/api/v1/leads.csv", tag = "leads", params(LeadQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 422, body = ErrorBody)))]
pub async fn leads_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<LeadQuery>,
) -> Result<Response, ApiError> {
    let filter = lead_export_filter(&state, caller.user.as_ref(), &q.into_list_query()).await?;
    let stream =
        leads_csv_stream(state, filter).map(|chunk| chunk.map_err(|e| std::io::Error::other(e.to_string())));
    Ok(csv_response("leads.csv", Body::from_stream(stream)))
}
