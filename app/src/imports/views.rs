//! The import wizard (`/imports`): upload a file, check how its columns were matched and fix
//! them, dry run, then import for real, with a progress bar and the error report; and the
//! latest imports.

use leptos::prelude::*;

use super::ImportKind;
use super::api::{ImportProgress, StartImport, recent_imports};
use super::job::{ImportJob, ImportPreview, JobStatus};
use super::mapping::{Mapping, check_mapping, required_fields};
use crate::components::{AppLayout, ErrorPanel};
use crate::i18n::use_i18n;
use crate::policy::Action;

/// How often a running import is polled.
const POLL_MS: u64 = 400;

/// Bumped when an import finishes, so the list of latest imports is read again.
#[derive(Clone, Copy)]
struct ImportsChanged(RwSignal<u32>);

/// `/imports`.
#[component]
pub fn ImportsPage() -> impl IntoView {
    provide_context(ImportsChanged(RwSignal::new(0)));
    view! {
        <AppLayout action=Action::EditLeads title_key="imports.title">
            <ImportWizard />
            <RecentImports />
        </AppLayout>
    }
}

/// The wizard's state, shared by its steps.
#[derive(Clone, Copy)]
struct Wizard {
    preview: RwSignal<Option<ImportPreview>>,
    mapping: RwSignal<Vec<Option<String>>>,
    upload_error: RwSignal<Option<String>>,
    uploading: RwSignal<bool>,
    job: RwSignal<Option<ImportJob>>,
    start: ServerAction<StartImport>,
    progress: ServerAction<ImportProgress>,
}

impl Wizard {
    fn reset(&self) {
        self.preview.set(None);
        self.mapping.set(Vec::new());
        self.upload_error.set(None);
        self.job.set(None);
    }

    fn run(&self, dry_run: bool) {
        let Some(preview) = self.preview.get_untracked() else {
            return;
        };
        self.job.set(None);
        self.start.dispatch(StartImport {
            upload_id: preview.upload_id,
            mapping: self.mapping.get_untracked(),
            dry_run,
        });
    }
}

/// Sends the form's file to the JSON API and returns the preview, or the API's error message
/// (already in the user's language); `Err(None)` when the request itself failed.
#[cfg(feature = "hydrate")]
async fn upload(form: web_sys::FormData) -> Result<ImportPreview, Option<String>> {
    let request = gloo_net::http::Request::post("/api/v1/imports/uploads")
        .body(form)
        .map_err(|_| None)?;
    let response = request.send().await.map_err(|_| None)?;
    if response.ok() {
        return response.json::<ImportPreview>().await.map_err(|_| None);
    }
    let body: serde_json::Value = response.json().await.map_err(|_| None)?;
    Err(body["error"]["message"].as_str().map(str::to_owned))
}

#[component]
fn ImportWizard() -> impl IntoView {
    let i18n = use_i18n();
    let wizard = Wizard {
        preview: RwSignal::new(None),
        mapping: RwSignal::new(Vec::new()),
        upload_error: RwSignal::new(None),
        uploading: RwSignal::new(false),
        job: RwSignal::new(None),
        start: ServerAction::new(),
        progress: ServerAction::new(),
    };
    // A started job is polled until it stops.
    Effect::new(move |_| {
        if let Some(Ok(id)) = wizard.start.value().get() {
            wizard.progress.dispatch(ImportProgress { id });
        }
    });
    let changed = use_context::<ImportsChanged>();
    Effect::new(move |_| {
        if let Some(Ok(job)) = wizard.progress.value().get() {
            let id = job.id;
            let running = !job.finished();
            wizard.job.set(Some(job));
            if !running && let Some(ImportsChanged(count)) = changed {
                count.update(|n| *n += 1);
            }
            if running {
                set_timeout(
                    move || {
                        wizard.progress.dispatch(ImportProgress { id });
                    },
                    std::time::Duration::from_millis(POLL_MS),
                );
            }
        }
    });

    let on_upload = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = ev
                .target()
                .map(|t| t.unchecked_into::<web_sys::HtmlFormElement>())
            else {
                return;
            };
            let Ok(data) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            wizard.uploading.set(true);
            wizard.upload_error.set(None);
            leptos::task::spawn_local(async move {
                let result = upload(data).await;
                wizard.uploading.set(false);
                match result {
                    Ok(preview) => {
                        wizard.mapping.set(preview.mapping.clone());
                        wizard.preview.set(Some(preview));
                    }
                    Err(message) => wizard
                        .upload_error
                        .set(Some(message.unwrap_or_else(|| i18n.t("imports.upload_failed")))),
                }
            });
        }
    };

    view! {
        <section class="card wizard" aria-labelledby="wizard-heading" data-testid="import-wizard">
            <h2 id="wizard-heading">{move || i18n.t("imports.wizard")}</h2>
            <ol class="steps" aria-label=move || i18n.t("imports.steps")>
                <li class:current=move || wizard.preview.get().is_none()>{move || i18n.t("imports.step_upload")}</li>
                <li class:current=move || wizard.preview.get().is_some() && wizard.job.get().is_none()>{move || i18n.t("imports.step_mapping")}</li>
                <li class:current=move || wizard.job.get().is_some_and(|j| j.dry_run)>{move || i18n.t("imports.step_dry_run")}</li>
                <li class:current=move || wizard.job.get().is_some_and(|j| !j.dry_run)>{move || i18n.t("imports.step_import")}</li>
            </ol>
            <Show when=move || wizard.preview.get().is_none()>
                <form class="form" on:submit=on_upload data-testid="upload-form">
                    <div class="field-row">
                        <label class="field">
                            <span>{move || i18n.t("imports.kind")}</span>
                            <select name="kind">
                                <option value="leads">{move || i18n.t("imports.kind_leads")}</option>
                                <option value="accounts">{move || i18n.t("imports.kind_accounts")}</option>
                            </select>
                        </label>
                        <label class="field">
                            <span>{move || i18n.t("fields.encoding")}</span>
                            <select name="encoding">
                                <option value="auto">{move || i18n.t("imports.encoding_auto")}</option>
                                <option value="utf-8">"UTF-8"</option>
                                <option value="shift_jis">"Shift_JIS (CP932)"</option>
                            </select>
                        </label>
                    </div>
                    <label class="field">
                        <span>{move || i18n.t("fields.file")}</span>
                        <input type="file" name="file" accept=".csv,text/csv" required />
                    </label>
                    <p class="muted small">{move || i18n.t("imports.upload_hint")}</p>
                    {move || wizard.upload_error.get().map(|message| view! {
                        <p class="form-error" role="alert" data-testid="upload-error">{message}</p>
                    })}
                    <button type="submit" class="btn btn-primary" disabled=move || wizard.uploading.get()>
                        {move || if wizard.uploading.get() { i18n.t("imports.uploading") } else { i18n.t("imports.upload") }}
                    </button>
                </form>
            </Show>
            {move || wizard.preview.get().map(|preview| view! { <MappingStep preview wizard /> })}
            {move || wizard.start.value().get().and_then(Result::err).map(|error| view! { <ErrorPanel error /> })}
            {move || wizard.job.get().map(|job| view! { <JobStep job wizard /> })}
        </section>
    }
}

#[component]
fn MappingStep(preview: ImportPreview, wizard: Wizard) -> impl IntoView {
    let i18n = use_i18n();
    let kind = preview.kind;
    let columns = preview.headers.len();
    let problems = move || {
        let mapping = Mapping {
            columns: wizard.mapping.get(),
        };
        check_mapping(kind, &mapping, columns).err().unwrap_or_default()
    };
    let busy = move || wizard.start.pending().get() || wizard.job.get().is_some_and(|j| !j.finished());
    let locked = move || wizard.job.get().is_some();
    let required = required_fields(kind);
    let rows = preview
        .headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let samples = preview
                .sample
                .iter()
                .filter_map(|r| r.get(i).cloned())
                .filter(|c| !c.is_empty())
                .take(3)
                .collect::<Vec<_>>()
                .join(" · ");
            let fields = preview.fields.clone();
            let selected = move || wizard.mapping.get().get(i).cloned().flatten().unwrap_or_default();
            let on_change = move |ev: leptos::ev::Event| {
                let value = event_target_value(&ev);
                wizard.mapping.update(|m| {
                    if let Some(slot) = m.get_mut(i) {
                        *slot = (!value.is_empty()).then_some(value);
                    }
                });
            };
            view! {
                <tr>
                    <th scope="row">{header.clone()}</th>
                    <td class="small muted">{samples}</td>
                    <td>
                        <select
                            aria-label=header.clone()
                            data-column=i.to_string()
                            on:change=on_change
                            prop:value=selected
                            disabled=locked
                        >
                            <option value="">{move || i18n.t("imports.ignore_column")}</option>
                            {fields.into_iter().map(|f| {
                                let label_key = format!("fields.{f}");
                                let mark = if required.contains(&f.as_str()) { " *" } else { "" };
                                let value = f.clone();
                                let is_selected = move || wizard.mapping.get().get(i).cloned().flatten().as_deref() == Some(value.as_str());
                                view! {
                                    <option value=f.clone() selected=is_selected>{move || format!("{}{mark}", i18n.t(&label_key))}</option>
                                }
                            }).collect_view()}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let kind_key = match kind {
        ImportKind::Leads => "imports.kind_leads",
        ImportKind::Accounts => "imports.kind_accounts",
    };
    view! {
        <div class="mapping" data-testid="mapping">
            <p>
                <strong>{preview.file_name.clone()}</strong>
                " · "{move || i18n.t(kind_key)}
                " · "{preview.encoding.clone()}
                " · "{format!("{:.1} KB", preview.bytes as f64 / 1024.0)}
            </p>
            <p class="muted small">{move || i18n.t("imports.mapping_hint")}</p>
            <div class="table-wrap">
                <table class="table compact" id="mapping-table">
                    <thead><tr>
                        <th scope="col">{move || i18n.t("imports.column")}</th>
                        <th scope="col">{move || i18n.t("imports.examples")}</th>
                        <th scope="col">{move || i18n.t("imports.field")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <ul class="form-errors" role="alert" data-testid="mapping-problems">
                {move || problems().into_iter().map(|p| view! { <li>{p.message(i18n.locale())}</li> }).collect_view()}
            </ul>
            <div class="form-actions">
                <button type="button" class="btn btn-secondary" on:click=move |_| wizard.reset() disabled=busy>
                    {move || i18n.t("imports.other_file")}
                </button>
                <Show when=move || !locked()>
                    <button type="button" class="btn btn-primary" data-testid="dry-run"
                        disabled=move || busy() || !problems().is_empty()
                        on:click=move |_| wizard.run(true)>
                        {move || i18n.t("imports.dry_run")}
                    </button>
                </Show>
            </div>
        </div>
    }
}

#[component]
fn JobStep(job: ImportJob, wizard: Wizard) -> impl IntoView {
    let i18n = use_i18n();
    let percent = job.percent();
    let done = job.status == JobStatus::Done;
    let title_key = match (job.dry_run, job.finished()) {
        (true, false) => "imports.dry_running",
        (true, true) => "imports.dry_run_result",
        (false, false) => "imports.running",
        (false, true) => "imports.import_result",
    };
    let report_href = format!("/api/v1/imports/{}/errors.csv", job.id);
    let counts = [
        ("imports.created", job.created),
        ("imports.updated", job.updated),
        ("imports.unchanged", job.unchanged),
        ("imports.failed", job.failed),
        ("imports.stage_changes", job.stage_changes),
    ];
    let moves = job.moves.clone();
    let dry_run = job.dry_run;
    let message = job.message.clone();
    let processed = job.processed.to_string();
    let total = job.total_rows.to_string();
    view! {
        <div class="job" data-testid="job" data-status=job.status.as_str() data-dry-run=job.dry_run.to_string()>
            <h3>{move || i18n.t(title_key)}</h3>
            <progress max="100" value=percent.to_string() aria-label=move || i18n.t("imports.progress")></progress>
            <p class="muted small" data-testid="processed">
                {move || if done {
                    i18n.t_with("imports.rows_done", &[("count", &total)])
                } else {
                    i18n.t_with("imports.rows_processed", &[("count", &processed), ("percent", &percent.to_string())])
                }}
            </p>
            {message.map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <dl class="counts" data-testid="counts">
                {counts.into_iter().map(|(key, n)| view! {
                    <div class="count" data-count=key.trim_start_matches("imports.")>
                        <dt>{move || i18n.t(key)}</dt>
                        <dd class="num">{n}</dd>
                    </div>
                }).collect_view()}
            </dl>
            {(!moves.is_empty()).then(|| view! {
                <table class="table compact" id="moves-table">
                    <caption>{move || i18n.t(if dry_run { "imports.moves_would" } else { "imports.moves_done" })}</caption>
                    <thead><tr>
                        <th scope="col">{move || i18n.t("impact.move")}</th>
                        <th scope="col" class="num">{move || i18n.t("impact.leads")}</th>
                    </tr></thead>
                    <tbody>
                        {moves.into_iter().map(|m| view! {
                            <tr><td><span class="mono">{m.from}</span>" → "<span class="mono">{m.to}</span></td><td class="num">{m.count}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {done.then(|| view! {
                <div class="form-actions">
                    <a class="btn btn-secondary" href=report_href.clone() download="" data-testid="error-report">
                        {move || i18n.t("imports.download_report")}
                    </a>
                    {if dry_run {
                        view! {
                            <button type="button" class="btn btn-primary" data-testid="run-import"
                                disabled=move || wizard.start.pending().get()
                                on:click=move |_| wizard.run(false)>
                                {move || i18n.t("imports.run_for_real")}
                            </button>
                        }.into_any()
                    } else {
                        view! {
                            <a class="btn btn-primary" href="/leads">{move || i18n.t("imports.open_leads")}</a>
                            <button type="button" class="btn btn-secondary" on:click=move |_| wizard.reset()>{move || i18n.t("imports.another")}</button>
                        }.into_any()
                    }}
                </div>
            })}
        </div>
    }
}

#[component]
fn RecentImports() -> impl IntoView {
    let i18n = use_i18n();
    let changed = use_context::<ImportsChanged>().map(|c| c.0);
    let data = Resource::new(move || changed.map(|c| c.get()), |_| recent_imports());
    view! {
        <section class="card" aria-labelledby="recent-heading">
            <h2 id="recent-heading">{move || i18n.t("imports.recent")}</h2>
            <Transition fallback=move || view! { <p class="muted">{i18n.t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(jobs) if jobs.is_empty() => view! { <p class="empty">{move || i18n.t("imports.none_yet")}</p> }.into_any(),
                        Ok(jobs) => view! {
                            <div class="table-wrap">
                                <table class="table compact" id="recent-imports">
                                    <thead><tr>
                                        <th scope="col">"#"</th>
                                        <th scope="col">{move || i18n.t("fields.file")}</th>
                                        <th scope="col">{move || i18n.t("imports.kind")}</th>
                                        <th scope="col">{move || i18n.t("fields.status")}</th>
                                        <th scope="col" class="num">{move || i18n.t("imports.rows")}</th>
                                        <th scope="col" class="num">{move || i18n.t("imports.created")}</th>
                                        <th scope="col" class="num">{move || i18n.t("imports.updated")}</th>
                                        <th scope="col" class="num">{move || i18n.t("imports.failed")}</th>
                                        <th scope="col">{move || i18n.t("imports.report")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {jobs.into_iter().map(|j| {
                                            let status_key = format!("imports.status.{}", j.status.as_str());
                                            let kind_key = format!("imports.kind_{}", j.kind);
                                            let dry = j.dry_run;
                                            view! {
                                                <tr>
                                                    <td class="num">{j.id}</td>
                                                    <td>{j.file_name.clone()}</td>
                                                    <td>{move || i18n.t(&kind_key)}</td>
                                                    <td>
                                                        {move || i18n.t(&status_key)}
                                                        {dry.then(|| view! { " "<span class="badge">{move || i18n.t("imports.dry_run")}</span> })}
                                                    </td>
                                                    <td class="num">{j.total_rows}</td>
                                                    <td class="num">{j.created}</td>
                                                    <td class="num">{j.updated}</td>
                                                    <td class="num">{j.failed}</td>
                                                    <td><a href=format!("/api/v1/imports/{}/errors.csv", j.id) download="">"CSV"</a></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
