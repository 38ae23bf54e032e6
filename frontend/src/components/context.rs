//! A request's stored context (URL, values, headers, environment) and a span stack, as shown
//! on outlier cards and exception details.

use dashboard_shared::{CodeFrame, RequestContext};
use leptos::prelude::*;

/// `[name, value]` pairs as a two-column table; nothing when there are none.
#[component]
pub(crate) fn Pairs(
    title: &'static str,
    name: &'static str,
    pairs: Vec<[String; 2]>,
) -> impl IntoView {
    if pairs.is_empty() {
        return ().into_any();
    }
    let rows = pairs
        .into_iter()
        .map(|[key, value]| {
            let name = key.clone();
            view! { <tr data-name=name><th>{key}</th><td>{value}</td></tr> }
        })
        .collect_view();
    view! {
        <h4>{title}</h4>
        <table class="pairs" data-part=name><tbody>{rows}</tbody></table>
    }
    .into_any()
}

/// The URL, query values, body fields, headers and environment of a request.
#[component]
pub(crate) fn ContextView(context: RequestContext) -> impl IntoView {
    let body = context.body.map(|body| {
        let text = serde_json::to_string_pretty(&body).unwrap_or_default();
        view! { <h4>"Body"</h4><pre data-part="body">{text}</pre> }
    });
    view! {
        <p class="url" data-part="url"><code>{format!("{} {}", context.method, context.url)}</code></p>
        <Pairs title="Query values" name="query" pairs=context.query />
        {body}
        <Pairs title="Headers" name="headers" pairs=context.headers />
        <Pairs title="Environment" name="environment" pairs=context.environment />
    }
}

/// Spans, outermost first, one per line with their place in the code.
#[component]
pub(crate) fn SpanStack(stack: Vec<CodeFrame>) -> impl IntoView {
    if stack.is_empty() {
        return view! { <p class="hint" data-part="stack">"No spans (see span_layer in the README)."</p> }.into_any();
    }
    let frames = stack
        .into_iter()
        .enumerate()
        .map(|(depth, frame)| {
            let place = match (&frame.file, frame.line) {
                (Some(file), Some(line)) => format!("{file}:{line}"),
                (Some(file), None) => file.clone(),
                _ => String::new(),
            };
            let function = frame.function.clone();
            view! {
                <li data-function=function style=format!("margin-left: {}em", depth)>
                    <code>{frame.function}</code>
                    <span class="hint">{format!(" {} {place}", frame.module.unwrap_or_default())}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ol class="span-stack" data-part="stack">{frames}</ol> }.into_any()
}
