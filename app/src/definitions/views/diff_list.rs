//! A diff in plain language, with the exact path and values for the precise reader.

use leptos::prelude::*;

use crate::definitions::describe::describe_change;
use crate::definitions::diff::Change;
use crate::definitions::model::Definition;
use crate::i18n::use_i18n;

fn show(value: &Option<serde_json::Value>) -> String {
    match value {
        None => "—".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// Each change as a sentence, then `path: before → after`.
#[component]
pub fn DiffList(changes: Vec<Change>, before: Definition, after: Definition) -> impl IntoView {
    let i18n = use_i18n();
    if changes.is_empty() {
        return view! { <p class="empty">{move || i18n.t("definitions.no_changes")}</p> }.into_any();
    }
    view! {
        <ol class="diff-list" data-testid="diff-list">
            {changes
                .into_iter()
                .map(|change| {
                    let (before, after) = (before.clone(), after.clone());
                    let sentence_change = change.clone();
                    view! {
                        <li class="diff-item">
                            <div class="diff-sentence">
                                {move || describe_change(&sentence_change, &before, &after, i18n.locale())}
                            </div>
                            <div class="diff-raw">
                                <code class="diff-path">{change.path.clone()}</code>
                                <span class="diff-before">{show(&change.before)}</span>
                                <span aria-hidden="true">" → "</span>
                                <span class="visually-hidden">{move || i18n.t("definitions.becomes")}</span>
                                <span class="diff-after">{show(&change.after)}</span>
                            </div>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}
