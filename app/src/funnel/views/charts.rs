//! The funnel and trend charts: SVG drawn on the server, so they show before the page
//! hydrates; once it has, pointing at or focusing a stage shows its numbers beside the chart.

use leptos::prelude::*;

use super::{count, percent};
use crate::funnel::model::{FunnelStage, WeekEntries};
use crate::i18n::{Locale, tr_with, use_i18n};

const WIDTH: f64 = 640.0;
const LABEL: f64 = 150.0;
const BAR_MAX: f64 = 380.0;
const ROW: f64 = 40.0;

/// The tooltip text of a stage.
fn tip(s: &FunnelStage, locale: Locale) -> String {
    tr_with(
        locale,
        "funnel.chart.tip",
        &[
            ("stage", &s.name),
            ("entered", &count(s.entered)),
            ("converted", &count(s.converted)),
            ("rate", &percent(s.conversion_rate)),
            ("now", &count(s.current)),
        ],
    )
}

/// Bars of the leads that entered each stage in the period, centred like a funnel.
#[component]
pub fn FunnelChart(stages: Vec<FunnelStage>) -> impl IntoView {
    let i18n = use_i18n();
    let hovered = RwSignal::new(None::<usize>);
    let max = stages.iter().map(|s| s.entered).max().unwrap_or(0).max(1) as f64;
    let height = ROW * stages.len() as f64 + 8.0;
    let tips = StoredValue::new(stages.clone());
    let bars = stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = 4.0 + ROW * i as f64;
            let width = if s.entered == 0 {
                0.0
            } else {
                (s.entered as f64 / max * BAR_MAX).max(2.0)
            };
            let x = LABEL + (BAR_MAX - width) / 2.0;
            let stage = s.clone();
            let class = format!("bar team-{}", s.owner_team.as_str());
            view! {
                <g class="bar-row" tabindex="0" data-stage=s.key.clone()
                    on:mouseenter=move |_| hovered.set(Some(i))
                    on:focus=move |_| hovered.set(Some(i))
                    on:mouseleave=move |_| hovered.set(None)>
                    <title>{move || tip(&stage, i18n.locale())}</title>
                    <rect class="bar-track" x=LABEL y=y width=BAR_MAX height=ROW - 10.0 rx="4" />
                    <rect class=class x=x y=y width=width height=ROW - 10.0 rx="4" />
                    <text class="bar-label" x="0" y=y + 20.0>{s.name.clone()}</text>
                    <text class="bar-value" x=LABEL + BAR_MAX + 10.0 y=y + 20.0>{count(s.entered)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="card chart" data-testid="funnel-chart">
            <figcaption>
                <h2>{move || i18n.t("funnel.chart.funnel_title")}</h2>
                <p class="muted small">{move || i18n.t("funnel.chart.funnel_desc")}</p>
            </figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" class="funnel-svg"
                aria-label=move || i18n.t("funnel.chart.funnel_title")>
                {bars}
            </svg>
            <p class="chart-tip small" aria-live="polite" data-testid="chart-tip">
                {move || match hovered.get() {
                    Some(i) => tips.with_value(|s| s.get(i).map(|s| tip(s, i18n.locale())).unwrap_or_default()),
                    None => i18n.t("funnel.chart.tip_hint"),
                }}
            </p>
        </figure>
    }
}

/// Stage entries per week, one line per stage.
#[component]
pub fn TrendChart(stages: Vec<FunnelStage>, weeks: Vec<WeekEntries>) -> impl IntoView {
    let i18n = use_i18n();
    let (left, right, top, bottom) = (44.0, WIDTH - 10.0, 12.0, 190.0);
    let max = weeks
        .iter()
        .flat_map(|w| w.entered.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let step = if weeks.len() > 1 {
        (right - left) / (weeks.len() - 1) as f64
    } else {
        0.0
    };
    let lines = stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let points = weeks
                .iter()
                .enumerate()
                .map(|(k, w)| {
                    let v = w.entered.get(i).copied().unwrap_or(0) as f64;
                    format!(
                        "{:.1},{:.1}",
                        left + step * k as f64,
                        bottom - v / max * (bottom - top)
                    )
                })
                .collect::<Vec<_>>()
                .join(" ");
            let class = format!("line team-{} dash-{}", s.owner_team.as_str(), i % 3);
            let name = s.name.clone();
            view! { <polyline class=class points=points><title>{name}</title></polyline> }
        })
        .collect_view();
    let first = weeks.first().map(|w| w.week.to_string()).unwrap_or_default();
    let last = weeks.last().map(|w| w.week.to_string()).unwrap_or_default();
    let empty = weeks.is_empty();
    let legend = stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let class = format!("swatch team-{} dash-{}", s.owner_team.as_str(), i % 3);
            view! { <li><svg class=class viewBox="0 0 24 8" aria-hidden="true"><line x1="0" y1="4" x2="24" y2="4" /></svg>{s.name.clone()}</li> }
        })
        .collect_view();
    view! {
        <figure class="card chart" data-testid="trend-chart">
            <figcaption>
                <h2>{move || i18n.t("funnel.chart.trend_title")}</h2>
                <p class="muted small">{move || i18n.t("funnel.chart.trend_desc")}</p>
            </figcaption>
            {if empty {
                view! { <p class="muted">{move || i18n.t("funnel.chart.no_weeks")}</p> }.into_any()
            } else {
                view! {
                    <svg viewBox=format!("0 0 {WIDTH} 212") role="img" class="trend-svg"
                        aria-label=move || i18n.t("funnel.chart.trend_title")>
                        <line class="axis" x1=left y1=bottom x2=right y2=bottom />
                        <line class="axis" x1=left y1=top x2=left y2=bottom />
                        <text class="axis-label" x="0" y=top + 8.0>{count(max as u64)}</text>
                        <text class="axis-label" x="0" y=bottom>"0"</text>
                        <text class="axis-label" x=left y="208">{first}</text>
                        <text class="axis-label end" x=right y="208">{last}</text>
                        {lines}
                    </svg>
                    <ul class="legend">{legend}</ul>
                }.into_any()
            }}
        </figure>
    }
}
