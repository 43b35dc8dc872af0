//! The criteria builder: conditions and nested all/any groups with field, operator and value
//! pickers that fit the field's type, and the validation message of each node as you type.

use leptos::prelude::*;
use serde_json::Value;

use crate::definitions::criteria::{
    Condition, Criteria, FIELDS, FieldType, Op, activity_field, activity_field_name, field_spec, field_type,
    ops_for,
};
use crate::definitions::describe::{field_label, op_label};
use crate::definitions::model::{ACTIVITY_KINDS, Definition};
use crate::definitions::validate::DefinitionError;
use crate::error::definition_error_message;
use crate::i18n::use_i18n;

/// The editor's shared state (all signals, so it is `Copy`).
#[derive(Clone, Copy)]
pub struct Ctx {
    /// The definition being edited.
    pub draft: RwSignal<Definition>,
    /// Bumped when the form's structure changes and must be rebuilt.
    pub structure: RwSignal<u32>,
    /// Validation problems of the draft.
    pub errors: Memo<Vec<DefinitionError>>,
}

impl Ctx {
    fn bump(&self) {
        self.structure.update(|n| *n += 1);
    }

    /// Updates the node at `path` under stage `stage`'s entry criteria.
    fn update_node(&self, stage: usize, path: &[usize], f: impl FnOnce(&mut Criteria)) {
        self.draft.update(|d| {
            if let Some(root) = d.stages.get_mut(stage).and_then(|s| s.entry.as_mut())
                && let Some(node) = node_mut(root, path)
            {
                f(node);
            }
        });
    }
}

fn node_mut<'a>(root: &'a mut Criteria, path: &[usize]) -> Option<&'a mut Criteria> {
    let mut current = root;
    for &i in path {
        current = match current {
            Criteria::All { all } => all.get_mut(i)?,
            Criteria::Any { any } => any.get_mut(i)?,
            Criteria::Condition(_) => return None,
        };
    }
    Some(current)
}

fn default_condition() -> Criteria {
    Criteria::Condition(Condition::new(
        "account.employees",
        Op::Gte,
        Some(Value::from(50)),
    ))
}

/// The editor of one stage's entry criteria (or the button to add some).
pub fn criteria_editor(ctx: Ctx, stage: usize, entry: Option<Criteria>, path: String) -> AnyView {
    let i18n = use_i18n();
    match entry {
        None => view! {
            <p class="muted small">
                {move || i18n.t("definitions.no_automatic_entry")}" "
                <button type="button" class="btn btn-link" on:click=move |_| {
                    ctx.draft.update(|d| d.stages[stage].entry = Some(Criteria::All { all: vec![default_condition()] }));
                    ctx.bump();
                }>{move || i18n.t("definitions.add_criteria")}</button>
            </p>
        }
        .into_any(),
        Some(root) => view! {
            <div class="criteria-builder">
                {node_view(ctx, stage, Vec::new(), &root, path)}
                <button type="button" class="btn btn-link small" on:click=move |_| {
                    ctx.draft.update(|d| d.stages[stage].entry = None);
                    ctx.bump();
                }>{move || i18n.t("definitions.remove_criteria")}</button>
            </div>
        }
        .into_any(),
    }
}

fn errors_at(
    ctx: Ctx,
    path: String,
    include_children: bool,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    let i18n = use_i18n();
    move || {
        let child_prefix = format!("{path}.");
        let msgs: Vec<String> = ctx
            .errors
            .get()
            .iter()
            .filter(|e| {
                e.path == path
                    || (include_children
                        && e.path.starts_with(&child_prefix)
                        && !e.path[child_prefix.len()..].contains('['))
            })
            .map(|e| definition_error_message(e, i18n.locale()))
            .collect();
        (!msgs.is_empty()).then(|| msgs.join(" "))
    }
}

fn node_view(ctx: Ctx, stage: usize, path: Vec<usize>, node: &Criteria, path_str: String) -> AnyView {
    match node {
        Criteria::All { all } => group_view(ctx, stage, path, all, true, path_str),
        Criteria::Any { any } => group_view(ctx, stage, path, any, false, path_str),
        Criteria::Condition(c) => condition_view(ctx, stage, path, c.clone(), path_str),
    }
}

fn group_view(
    ctx: Ctx,
    stage: usize,
    path: Vec<usize>,
    children: &[Criteria],
    is_all: bool,
    path_str: String,
) -> AnyView {
    let i18n = use_i18n();
    let kind = if is_all { "all" } else { "any" };
    let switch_path = path.clone();
    let add_path = path.clone();
    let group_path = path.clone();
    let errors = errors_at(ctx, path_str.clone(), false);
    let items = children
        .iter()
        .enumerate()
        .map(|(i, child)| {
            let mut child_path = path.clone();
            child_path.push(i);
            let parent = path.clone();
            let child_str = format!("{path_str}.{kind}[{i}]");
            view! {
                <li class="criteria-item">
                    {node_view(ctx, stage, child_path, child, child_str)}
                    <button type="button" class="btn btn-icon" aria-label=move || i18n.t("definitions.remove_condition")
                        on:click=move |_| {
                            ctx.update_node(stage, &parent, |n| match n {
                                Criteria::All { all } => { all.remove(i); }
                                Criteria::Any { any } => { any.remove(i); }
                                Criteria::Condition(_) => {}
                            });
                            ctx.bump();
                        }>"✕"</button>
                </li>
            }
        })
        .collect_view();
    view! {
        <fieldset class=format!("criteria-group group-{kind}")>
            <legend>
                <select aria-label=move || i18n.t("definitions.group_kind") on:change=move |ev| {
                    let to_all = event_target_value(&ev) == "all";
                    ctx.update_node(stage, &switch_path, |n| {
                        let children = match std::mem::replace(n, Criteria::All { all: vec![] }) {
                            Criteria::All { all } => all,
                            Criteria::Any { any } => any,
                            c @ Criteria::Condition(_) => vec![c],
                        };
                        *n = if to_all { Criteria::All { all: children } } else { Criteria::Any { any: children } };
                    });
                    ctx.bump();
                }>
                    <option value="all" selected=is_all>{move || i18n.t("definitions.group_all")}</option>
                    <option value="any" selected=!is_all>{move || i18n.t("definitions.group_any")}</option>
                </select>
            </legend>
            <ul class="criteria-list">{items}</ul>
            <span class="field-error" role="alert">{errors}</span>
            <div class="criteria-actions">
                <button type="button" class="btn btn-link" data-testid="add-condition" on:click=move |_| {
                    ctx.update_node(stage, &add_path, |n| match n {
                        Criteria::All { all } => all.push(default_condition()),
                        Criteria::Any { any } => any.push(default_condition()),
                        Criteria::Condition(_) => {}
                    });
                    ctx.bump();
                }>{move || i18n.t("definitions.add_condition")}</button>
                <button type="button" class="btn btn-link" on:click=move |_| {
                    ctx.update_node(stage, &group_path, |n| {
                        let group = Criteria::Any { any: vec![default_condition()] };
                        match n {
                            Criteria::All { all } => all.push(group),
                            Criteria::Any { any } => any.push(group),
                            Criteria::Condition(_) => {}
                        }
                    });
                    ctx.bump();
                }>{move || i18n.t("definitions.add_group")}</button>
            </div>
        </fieldset>
    }
    .into_any()
}

fn condition_view(ctx: Ctx, stage: usize, path: Vec<usize>, c: Condition, path_str: String) -> AnyView {
    let i18n = use_i18n();
    let ty = field_type(&c.field);
    let activity = activity_field(&c.field);
    let errors = errors_at(ctx, path_str.clone(), true);
    let (p1, p2, p3, p4) = (path.clone(), path.clone(), path.clone(), path.clone());
    let field = c.field.clone();
    let mut options: Vec<String> = FIELDS.iter().map(|f| f.name.to_owned()).collect();
    options.extend(
        ACTIVITY_KINDS
            .iter()
            .map(|k| activity_field_name(k, activity.map(|(_, d)| d).unwrap_or(30))),
    );
    if !options.contains(&field) {
        options.push(field.clone());
    }
    let ops: Vec<Op> = ty
        .map(|t| ops_for(t).to_vec())
        .unwrap_or_else(|| Op::ALL.to_vec());
    let op = c.op;
    let value_editor = value_view(ctx, stage, p4, &c);
    view! {
        <div class="condition" data-path=path_str.clone()>
            <select class="condition-field" aria-label=move || i18n.t("definitions.field") on:change=move |ev| {
                let new_field = event_target_value(&ev);
                let new_ty = field_type(&new_field);
                ctx.update_node(stage, &p1, |n| {
                    if let Criteria::Condition(cond) = n {
                        cond.field = new_field.clone();
                        if let Some(t) = new_ty && !ops_for(t).contains(&cond.op) {
                            cond.op = ops_for(t)[0];
                        }
                        cond.value = default_value(new_ty, cond.op, &new_field);
                    }
                });
                ctx.bump();
            }>
                {options.into_iter().map(|f| {
                    let selected = f == field;
                    let label_field = f.clone();
                    view! { <option value=f selected=selected>{move || field_label(&label_field, i18n.locale())}</option> }
                }).collect_view()}
            </select>
            {activity.map(|(kind, days)| view! {
                <label class="inline-label">
                    <span class="visually-hidden">{move || i18n.t("definitions.window_days")}</span>
                    <input type="number" class="narrow-input" min="1" max="365" prop:value=days.to_string() on:change=move |ev| {
                        let d = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0);
                        ctx.update_node(stage, &p2, |n| if let Criteria::Condition(cond) = n { cond.field = activity_field_name(kind, d) });
                        ctx.bump();
                    } />
                    <span class="small muted">{move || i18n.t("definitions.days")}</span>
                </label>
            })}
            <select class="condition-op" aria-label=move || i18n.t("definitions.operator") on:change=move |ev| {
                if let Some(new_op) = Op::parse(&event_target_value(&ev)) {
                    ctx.update_node(stage, &p3, |n| {
                        if let Criteria::Condition(cond) = n {
                            let ty = field_type(&cond.field);
                            cond.value = convert_value(cond.value.take(), ty, cond.op, new_op, &cond.field);
                            cond.op = new_op;
                        }
                    });
                    ctx.bump();
                }
            }>
                {ops.into_iter().map(|o| view! { <option value=o.as_str() selected=o == op>{move || op_label(o, i18n.locale())}</option> }).collect_view()}
            </select>
            {value_editor}
            <span class="field-error" role="alert">{errors}</span>
        </div>
    }
    .into_any()
}

fn default_value(ty: Option<FieldType>, op: Op, field: &str) -> Option<Value> {
    if !op.takes_value() {
        return None;
    }
    let scalar = match ty {
        Some(FieldType::Bool) => Value::Bool(true),
        Some(FieldType::Number) => Value::from(0),
        _ => field_spec(field)
            .and_then(|s| s.choices)
            .and_then(|c| c.first())
            .map(|c| Value::String((*c).to_owned()))
            .unwrap_or_else(|| Value::String(String::new())),
    };
    Some(if op.takes_list() {
        Value::Array(vec![scalar])
    } else {
        scalar
    })
}

fn convert_value(
    value: Option<Value>,
    ty: Option<FieldType>,
    from: Op,
    to: Op,
    field: &str,
) -> Option<Value> {
    if !to.takes_value() {
        return None;
    }
    match (value, from.takes_list(), to.takes_list()) {
        (Some(v), false, false) if from.takes_value() => Some(v),
        (Some(Value::Array(items)), true, true) => Some(Value::Array(items)),
        (Some(v), false, true) if from.takes_value() => Some(Value::Array(vec![v])),
        (Some(Value::Array(items)), true, false) => {
            items.into_iter().next().or_else(|| default_value(ty, to, field))
        }
        _ => default_value(ty, to, field),
    }
}

/// Reads what the user typed as a value of the field's type; text that is not a number
/// stays text so validation can say so.
fn parse_scalar(ty: Option<FieldType>, raw: &str) -> Value {
    let raw = raw.trim();
    match ty {
        Some(FieldType::Number) => match raw.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => raw
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(raw.to_owned())),
        },
        Some(FieldType::Bool) => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            other => Value::String(other.to_owned()),
        },
        _ => Value::String(raw.to_owned()),
    }
}

fn value_text(value: &Option<Value>) -> String {
    match value {
        None => String::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| value_text(&Some(v.clone())))
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

fn value_view(ctx: Ctx, stage: usize, path: Vec<usize>, c: &Condition) -> AnyView {
    let i18n = use_i18n();
    if !c.op.takes_value() {
        return ().into_any();
    }
    let ty = field_type(&c.field);
    let choices = field_spec(&c.field).and_then(|s| s.choices);
    let list = c.op.takes_list();
    let set = move |raw: String| {
        let value = if list {
            Value::Array(
                raw.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| parse_scalar(ty, s))
                    .collect(),
            )
        } else {
            parse_scalar(ty, &raw)
        };
        ctx.update_node(stage, &path, |n| {
            if let Criteria::Condition(cond) = n {
                cond.value = Some(value)
            }
        });
    };
    let label = move || i18n.t("definitions.value");
    match (ty, choices, list) {
        (Some(FieldType::Bool), _, false) => {
            let current = c.value.as_ref().and_then(Value::as_bool).unwrap_or(true);
            view! {
                <select class="condition-value" aria-label=label on:change=move |ev| set(event_target_value(&ev))>
                    <option value="true" selected=current>{move || i18n.t("common.yes")}</option>
                    <option value="false" selected=!current>{move || i18n.t("common.no")}</option>
                </select>
            }
            .into_any()
        }
        (_, Some(choices), false) => {
            let current = value_text(&c.value);
            view! {
                <select class="condition-value" aria-label=label on:change=move |ev| set(event_target_value(&ev))>
                    {choices.iter().map(|ch| view! { <option value=*ch selected=*ch == current>{*ch}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
        _ => {
            let hint = if list {
                choices
                    .map(|c| c.join(", "))
                    .unwrap_or_else(|| i18n.t("definitions.comma_separated"))
            } else {
                String::new()
            };
            let input_type = if ty == Some(FieldType::Number) && !list {
                "number"
            } else {
                "text"
            };
            view! {
                <input class="condition-value" type=input_type aria-label=label placeholder=hint
                    prop:value=value_text(&c.value) on:input=move |ev| set(event_target_value(&ev)) />
            }
            .into_any()
        }
    }
}
