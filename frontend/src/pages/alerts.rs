//! The Alerts page: the rules, the channels (whose secrets never come back: a webhook shows its
//! host, an email channel whether a password is set) and the delivery log, for everyone; for
//! admins, the forms that add and change rules and channels, and the buttons that mute, delete
//! and send a test. Every control that changes something carries `data-action`.

use std::future::Future;
use std::pin::Pin;

use dashboard_shared::Role;
use dashboard_shared::alerts::{
    Alerts, Channel, ChannelInput, ChannelSettings, Condition, DEFAULT_QUIET_MINUTES, Delivery,
    MAX_WINDOW_MINUTES, Metric, Outcome, Rule, RuleInput, SmtpSecurity, WebhookFormat,
};
use dashboard_shared::dom;
use dashboard_shared::pages::Page;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self as client, ApiFailure};
use crate::app::SessionState;
use crate::components::endpoint_select::EndpointSelect;
use crate::components::loaded::{Loaded, live_resource};
use crate::components::nav::Nav;
use crate::components::scroll_table::ScrollTable;

/// A change: given the CSRF token, it answers what to tell the reader.
type Action = Box<dyn FnOnce(String) -> Pin<Box<dyn Future<Output = Result<String, ApiFailure>>>>>;

/// Runs an [`Action`], shows its outcome and reloads the page's data.
#[derive(Clone, Copy)]
struct Act {
    session: SessionState,
    message: RwSignal<Option<String>>,
    version: RwSignal<u32>,
}

impl Act {
    /// Runs `save` on a form's `input` once it is checked (an error naming the field at fault
    /// is shown as it is).
    fn save<I, Saved>(
        self,
        input: Result<I, String>,
        save: impl FnOnce(String, I) -> Saved + 'static,
    ) where
        I: 'static,
        Saved: Future<Output = Result<String, ApiFailure>> + 'static,
    {
        self.run(Box::new(move |csrf| {
            Box::pin(async move {
                let input = input.map_err(|message| ApiFailure::Status(400, message))?;
                save(csrf, input).await
            })
        }));
    }

    fn run(self, action: Action) {
        spawn_local(async move {
            let result = self.session.with_csrf(action).await;
            self.message
                .set(Some(result.unwrap_or_else(|failure| failure.message())));
            self.version.update(|version| *version += 1);
        });
    }
}

/// The Alerts page (`/alerts`).
#[component]
pub(crate) fn AlertsPage() -> impl IntoView {
    let session = expect_context::<SessionState>();
    let act = Act {
        session,
        message: RwSignal::new(None),
        version: RwSignal::new(0),
    };
    let alerts = live_resource(move || {
        act.version.track();
        client::alerts()
    });
    let me = LocalResource::new(move || session.current());
    let admin = Signal::derive(move || {
        me.get()
            .and_then(Result::ok)
            .is_some_and(|me| me.role == Role::Admin)
    });
    let rule = RuleDraft::new();
    let channel = ChannelDraft::new();
    let channels = Signal::derive(move || {
        alerts
            .get()
            .and_then(Result::ok)
            .map(|alerts| alerts.channels)
            .unwrap_or_default()
    });
    view! {
        <Nav />
        <main>
            <h1>{Page::Alerts.title()}</h1>
            <p class="hint">"Rules are checked on a schedule by one process; each finding goes once to the rule's channels, and after a message a rule waits its quiet period, then sends what it found meanwhile as one message."</p>
            <p id=dom::ALERT_MESSAGE role="status">{move || act.message.get()}</p>
            <Loaded resource=alerts ok=move |alerts: Alerts| view! {
                <RuleTable rules=alerts.rules channels=alerts.channels.clone() admin act draft=rule />
                <ChannelTable channels=alerts.channels admin act draft=channel />
                <DeliveryLog deliveries=alerts.deliveries />
            } />
            {move || admin.get().then(|| view! {
                <RuleForm draft=rule channels act />
                <ChannelForm draft=channel act />
            })}
        </main>
    }
}

/// The rules, with their controls for admins.
#[component]
fn RuleTable(
    rules: Vec<Rule>,
    channels: Vec<Channel>,
    admin: Signal<bool>,
    act: Act,
    draft: RuleDraft,
) -> impl IntoView {
    let rows = rules
        .into_iter()
        .map(|rule| {
            let id = rule.id;
            let names: Vec<String> = rule
                .rule
                .channels
                .iter()
                .map(|id| {
                    channels
                        .iter()
                        .find(|channel| channel.id == *id)
                        .map_or_else(|| format!("#{id} (removed)"), |channel| channel.name.clone())
                })
                .collect();
            let state = if rule.rule.muted {
                "muted"
            } else if rule.firing {
                "firing"
            } else {
                "watching"
            };
            let mut muted = rule.rule.clone();
            muted.muted = !muted.muted;
            let mute_label = if rule.rule.muted { "Unmute" } else { "Mute" };
            let edit = rule.clone();
            let controls = move || {
                let muted = muted.clone();
                let edit = edit.clone();
                admin.get().then(|| view! {
                    <button data-action="edit-rule" on:click=move |_| draft.load(&edit)>"Edit"</button>
                    <button data-action="mute-rule" on:click=move |_| {
                        let muted = muted.clone();
                        act.run(Box::new(move |csrf| Box::pin(async move {
                            let saved = client::save_rule(&csrf, Some(id), &muted).await?;
                            Ok(format!("The rule `{}` is {}.", saved.rule.name, if saved.rule.muted { "muted" } else { "no longer muted" }))
                        })));
                    }>{mute_label}</button>
                    <button data-action="delete-rule" on:click=move |_| act.run(Box::new(move |csrf| Box::pin(async move {
                        client::delete_rule(&csrf, id).await?;
                        Ok("The rule is deleted.".to_owned())
                    })))>"Delete"</button>
                })
            };
            view! {
                <tr data-rule=rule.rule.name.clone() data-state=state>
                    <td>{rule.rule.name.clone()}</td>
                    <td>{rule.rule.condition.describe()}</td>
                    <td>{names.join(", ")}</td>
                    <td>{format!("{} min", rule.rule.quiet_minutes)}</td>
                    <td><span class="badge">{state}</span></td>
                    <td>{rule.last_sent.map(|time| time.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_else(|| "never".to_owned())}</td>
                    <td>{controls}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <TableCard title="Rules" id=dom::ALERT_RULES headers=&["Name", "When", "Channels", "Quiet period", "State", "Last message", ""]>{rows}</TableCard>
    }
}

/// The channels, without their secrets, with their controls for admins.
#[component]
fn ChannelTable(
    channels: Vec<Channel>,
    admin: Signal<bool>,
    act: Act,
    draft: ChannelDraft,
) -> impl IntoView {
    let rows = channels
        .into_iter()
        .map(|channel| {
            let id = channel.id;
            let (kind, target) = match &channel.settings {
                ChannelSettings::Email { host, port, to, .. } => {
                    ("email", format!("{} via {host}:{port}", to.join(", ")))
                }
                ChannelSettings::Webhook { format } => ("webhook", format.label().to_owned()),
            };
            let edit = channel.clone();
            let controls = move || {
                let edit = edit.clone();
                admin.get().then(|| view! {
                    <button data-action="test-channel" on:click=move |_| act.run(Box::new(move |csrf| Box::pin(async move {
                        let test = client::test_channel(&csrf, id).await?;
                        Ok(match (test.delivery.outcome, test.delivery.error) {
                            (Outcome::Sent, _) => format!("The test message went to `{}`.", test.delivery.channel),
                            (_, error) => format!("The test message to `{}` failed: {}", test.delivery.channel, error.unwrap_or_default()),
                        })
                    })))>"Send test"</button>
                    <button data-action="edit-channel" on:click=move |_| draft.load(&edit)>"Edit"</button>
                    <button data-action="delete-channel" on:click=move |_| act.run(Box::new(move |csrf| Box::pin(async move {
                        client::delete_channel(&csrf, id).await?;
                        Ok("The channel is deleted.".to_owned())
                    })))>"Delete"</button>
                })
            };
            view! {
                <tr data-channel=channel.name.clone()>
                    <td>{channel.name.clone()}</td>
                    <td>{kind}</td>
                    <td>{target}</td>
                    <td class="secret-hint">{channel.secret_hint.clone()}</td>
                    <td>{controls}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <TableCard title="Channels" id=dom::ALERT_CHANNELS headers=&["Name", "Kind", "Sends to", "Secret", ""]>{rows}</TableCard>
    }
}

/// The latest deliveries.
#[component]
fn DeliveryLog(deliveries: Vec<Delivery>) -> impl IntoView {
    let rows = deliveries
        .into_iter()
        .map(|delivery| {
            let outcome = delivery.outcome.as_str();
            view! {
                <tr data-outcome=outcome>
                    <td>{delivery.time.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                    <td>{delivery.rule.unwrap_or_else(|| "test".to_owned())}</td>
                    <td>{delivery.channel}</td>
                    <td>{delivery.title}</td>
                    <td>{outcome}</td>
                    <td>{delivery.attempts}</td>
                    <td>{delivery.error.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <TableCard title="Delivery log" id=dom::ALERT_DELIVERIES headers=&["Time", "Rule", "Channel", "Message", "Outcome", "Attempts", "Error"]>{rows}</TableCard>
    }
}

/// A card with a title and a table that scrolls inside it.
#[component]
fn TableCard(
    title: &'static str,
    /// The table's id.
    id: &'static str,
    headers: &'static [&'static str],
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{title}</h2>
            <ScrollTable>
                <table id=id>
                    <thead><tr>{headers.iter().map(|header| view! { <th>{*header}</th> }).collect_view()}</tr></thead>
                    <tbody>{children()}</tbody>
                </table>
            </ScrollTable>
        </section>
    }
}

/// The conditions the rule form offers, by the index its `<select>` uses.
const CONDITIONS: [&str; 5] = [
    "A new exception group",
    "An exception group back after days without",
    "A new version significantly slower",
    "A metric crosses a bound",
    "Measurements lost or not stored",
];

/// What the rule form holds: a new rule, or the rule `editing`.
#[derive(Clone, Copy)]
struct RuleDraft {
    editing: RwSignal<Option<i64>>,
    name: RwSignal<String>,
    /// An index of [`CONDITIONS`].
    kind: RwSignal<usize>,
    quiet_days: RwSignal<String>,
    endpoint: RwSignal<Option<i64>>,
    metric: RwSignal<Metric>,
    above: RwSignal<bool>,
    bound: RwSignal<String>,
    window: RwSignal<String>,
    minutes: RwSignal<String>,
    channels: RwSignal<Vec<i64>>,
    quiet: RwSignal<String>,
    muted: RwSignal<bool>,
}

impl RuleDraft {
    fn new() -> RuleDraft {
        RuleDraft {
            editing: RwSignal::new(None),
            name: RwSignal::new(String::new()),
            kind: RwSignal::new(0),
            quiet_days: RwSignal::new("7".to_owned()),
            endpoint: RwSignal::new(None),
            metric: RwSignal::new(Metric::ErrorPercent),
            above: RwSignal::new(true),
            bound: RwSignal::new("5".to_owned()),
            window: RwSignal::new("5".to_owned()),
            minutes: RwSignal::new("5".to_owned()),
            channels: RwSignal::new(Vec::new()),
            quiet: RwSignal::new(DEFAULT_QUIET_MINUTES.to_string()),
            muted: RwSignal::new(false),
        }
    }

    /// Fills the form with `rule`, to change it.
    fn load(self, rule: &Rule) {
        self.editing.set(Some(rule.id));
        self.name.set(rule.rule.name.clone());
        self.channels.set(rule.rule.channels.clone());
        self.quiet.set(rule.rule.quiet_minutes.to_string());
        self.muted.set(rule.rule.muted);
        match &rule.rule.condition {
            Condition::NewException => self.kind.set(0),
            Condition::ExceptionBack { quiet_days } => {
                self.kind.set(1);
                self.quiet_days.set(quiet_days.to_string());
            }
            Condition::Regression => self.kind.set(2),
            Condition::Threshold {
                endpoint,
                metric,
                above,
                bound,
                window_minutes,
            } => {
                self.kind.set(3);
                self.endpoint.set(*endpoint);
                self.metric.set(*metric);
                self.above.set(*above);
                self.bound.set(bound.to_string());
                self.window.set(window_minutes.to_string());
            }
            Condition::Pipeline { minutes } => {
                self.kind.set(4);
                self.minutes.set(minutes.to_string());
            }
        }
    }

    /// The rule the form describes; an error names the field at fault.
    fn input(self) -> Result<RuleInput, String> {
        let number = |signal: RwSignal<String>, field: &str| {
            signal
                .get_untracked()
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("{field} must be a whole number"))
        };
        let condition = match self.kind.get_untracked() {
            0 => Condition::NewException,
            1 => Condition::ExceptionBack {
                quiet_days: number(self.quiet_days, "Days without")?,
            },
            2 => Condition::Regression,
            3 => Condition::Threshold {
                endpoint: self.endpoint.get_untracked(),
                metric: self.metric.get_untracked(),
                above: self.above.get_untracked(),
                bound: self
                    .bound
                    .get_untracked()
                    .trim()
                    .parse()
                    .map_err(|_| "The bound must be a number".to_owned())?,
                window_minutes: number(self.window, "The window")?,
            },
            _ => Condition::Pipeline {
                minutes: number(self.minutes, "The minutes")?,
            },
        };
        Ok(RuleInput {
            name: self.name.get_untracked(),
            condition,
            channels: self.channels.get_untracked(),
            quiet_minutes: number(self.quiet, "The quiet period")?,
            muted: self.muted.get_untracked(),
        })
    }

    fn clear(self) {
        self.editing.set(None);
        self.name.set(String::new());
        self.kind.set(0);
        self.channels.set(Vec::new());
        self.quiet.set(DEFAULT_QUIET_MINUTES.to_string());
        self.muted.set(false);
    }
}

/// The form that adds a rule or changes the one being edited.
#[component]
fn RuleForm(draft: RuleDraft, channels: Signal<Vec<Channel>>, act: Act) -> impl IntoView {
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let editing = draft.editing.get_untracked();
        act.save(draft.input(), move |csrf, input| async move {
            let saved = client::save_rule(&csrf, editing, &input).await?;
            draft.clear();
            Ok(format!("The rule `{}` is saved.", saved.rule.name))
        });
    };
    let kind = draft.kind;
    let channel_boxes = move || {
        channels
            .get()
            .into_iter()
            .map(|channel| {
                let id = channel.id;
                let checked = move || draft.channels.get().contains(&id);
                let toggle = move |_| {
                    draft.channels.update(|chosen| {
                        if let Some(at) = chosen.iter().position(|c| *c == id) {
                            chosen.remove(at);
                        } else {
                            chosen.push(id);
                        }
                    });
                };
                view! {
                    <label><input type="checkbox" data-channel=channel.name.clone() prop:checked=checked on:change=toggle />" " {channel.name}</label>
                }
            })
            .collect_view()
    };
    view! {
        <form id=dom::RULE_FORM class="card inline-form" on:submit=submit>
            <h2>{move || if draft.editing.get().is_some() { "Change the rule" } else { "Add a rule" }}</h2>
            <label>"Name " <input id=dom::RULE_NAME bind:value=draft.name /></label>
            <label>"When "
                <select id=dom::RULE_KIND on:change=move |event| kind.set(event_target_value(&event).parse().unwrap_or(0))>
                    {CONDITIONS.iter().enumerate().map(|(index, label)| view! {
                        <option value=index.to_string() selected=move || kind.get() == index>{*label}</option>
                    }).collect_view()}
                </select>
            </label>
            <Show when=move || kind.get() == 1>
                <label>"Days without " <input id=dom::RULE_QUIET_DAYS type="number" min="1" max="365" bind:value=draft.quiet_days /></label>
            </Show>
            <Show when=move || kind.get() == 3>
                <EndpointSelect id=dom::RULE_ENDPOINT chosen=move || draft.endpoint.get() choose=move |endpoint| draft.endpoint.set(endpoint) />
                <label>"Metric "
                    <select id=dom::RULE_METRIC on:change=move |event| {
                        let chosen = event_target_value(&event).parse().ok().and_then(|index: usize| Metric::ALL.get(index).copied());
                        draft.metric.set(chosen.unwrap_or(Metric::ErrorPercent));
                    }>
                        {Metric::ALL.into_iter().enumerate().map(|(index, metric)| view! {
                            <option value=index.to_string() selected=move || draft.metric.get() == metric>{metric.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Fires "
                    <select id=dom::RULE_DIRECTION on:change=move |event| draft.above.set(event_target_value(&event) == "above")>
                        <option value="above" selected=move || draft.above.get()>"above"</option>
                        <option value="below" selected=move || !draft.above.get()>"below"</option>
                    </select>
                </label>
                <label>"Bound " <input id=dom::RULE_BOUND type="number" min="0" step="any" bind:value=draft.bound /></label>
                <label>"Over the last (min) " <input id=dom::RULE_WINDOW type="number" min="1" max=MAX_WINDOW_MINUTES bind:value=draft.window /></label>
            </Show>
            <Show when=move || kind.get() == 4>
                <label>"For (min) " <input id=dom::RULE_MINUTES type="number" min="1" max=MAX_WINDOW_MINUTES bind:value=draft.minutes /></label>
            </Show>
            <fieldset class="choices">
                <legend>"Channels"</legend>
                {channel_boxes}
            </fieldset>
            <label>"Quiet period (min) " <input id=dom::RULE_QUIET type="number" min="0" max="1440" bind:value=draft.quiet /></label>
            <label><input type="checkbox" bind:checked=draft.muted />" Muted"</label>
            <button id=dom::SAVE_RULE data-action="save-rule" type="submit">"Save the rule"</button>
            <Show when=move || draft.editing.get().is_some()>
                <button type="button" data-action="cancel-rule" on:click=move |_| draft.clear()>"Cancel"</button>
            </Show>
        </form>
    }
}

/// The SMTP port the channel form starts with: submission with STARTTLS.
const DEFAULT_PORT: &str = "587";

/// What the channel form holds: a new channel, or the channel `editing`.
#[derive(Clone, Copy)]
struct ChannelDraft {
    editing: RwSignal<Option<i64>>,
    name: RwSignal<String>,
    email: RwSignal<bool>,
    /// An index of [`WebhookFormat::ALL`].
    format: RwSignal<usize>,
    secret: RwSignal<String>,
    host: RwSignal<String>,
    port: RwSignal<String>,
    /// An index of [`SmtpSecurity::ALL`].
    security: RwSignal<usize>,
    username: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

impl ChannelDraft {
    fn new() -> ChannelDraft {
        ChannelDraft {
            editing: RwSignal::new(None),
            name: RwSignal::new(String::new()),
            email: RwSignal::new(false),
            format: RwSignal::new(0),
            secret: RwSignal::new(String::new()),
            host: RwSignal::new(String::new()),
            port: RwSignal::new(DEFAULT_PORT.to_owned()),
            security: RwSignal::new(0),
            username: RwSignal::new(String::new()),
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
        }
    }

    /// Fills the form with `channel` (never its secret), to change it.
    fn load(self, channel: &Channel) {
        self.editing.set(Some(channel.id));
        self.name.set(channel.name.clone());
        self.secret.set(String::new());
        match &channel.settings {
            ChannelSettings::Webhook { format } => {
                self.email.set(false);
                self.format.set(
                    WebhookFormat::ALL
                        .iter()
                        .position(|f| f == format)
                        .unwrap_or(0),
                );
            }
            ChannelSettings::Email {
                host,
                port,
                security,
                username,
                from,
                to,
            } => {
                self.email.set(true);
                self.host.set(host.clone());
                self.port.set(port.to_string());
                self.security.set(
                    SmtpSecurity::ALL
                        .iter()
                        .position(|s| s == security)
                        .unwrap_or(0),
                );
                self.username.set(username.clone());
                self.from.set(from.clone());
                self.to.set(to.join(", "));
            }
        }
    }

    /// The channel the form describes; an empty secret keeps the saved one of a channel being
    /// changed.
    fn input(self) -> Result<ChannelInput, String> {
        let settings = if self.email.get_untracked() {
            ChannelSettings::Email {
                host: self.host.get_untracked().trim().to_owned(),
                port: self
                    .port
                    .get_untracked()
                    .trim()
                    .parse()
                    .map_err(|_| "The port must be 1 to 65535".to_owned())?,
                security: SmtpSecurity::ALL[self.security.get_untracked().min(2)],
                username: self.username.get_untracked().trim().to_owned(),
                from: self.from.get_untracked().trim().to_owned(),
                to: self
                    .to
                    .get_untracked()
                    .split(',')
                    .map(str::trim)
                    .filter(|address| !address.is_empty())
                    .map(str::to_owned)
                    .collect(),
            }
        } else {
            ChannelSettings::Webhook {
                format: WebhookFormat::ALL[self.format.get_untracked().min(2)],
            }
        };
        let secret = self.secret.get_untracked();
        Ok(ChannelInput {
            name: self.name.get_untracked(),
            settings,
            secret: (!secret.is_empty() || self.editing.get_untracked().is_none())
                .then_some(secret),
        })
    }

    fn clear(self) {
        self.editing.set(None);
        self.name.set(String::new());
        self.secret.set(String::new());
        self.host.set(String::new());
        self.port.set(DEFAULT_PORT.to_owned());
        self.username.set(String::new());
        self.from.set(String::new());
        self.to.set(String::new());
    }
}

/// The form that adds a channel or changes the one being edited.
#[component]
fn ChannelForm(draft: ChannelDraft, act: Act) -> impl IntoView {
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let editing = draft.editing.get_untracked();
        act.save(draft.input(), move |csrf, input| async move {
            let saved = client::save_channel(&csrf, editing, &input).await?;
            draft.clear();
            Ok(format!("The channel `{}` is saved.", saved.name))
        });
    };
    let email = draft.email;
    view! {
        <form id=dom::CHANNEL_FORM class="card inline-form" on:submit=submit>
            <h2>{move || if draft.editing.get().is_some() { "Change the channel" } else { "Add a channel" }}</h2>
            <label>"Name " <input id=dom::CHANNEL_NAME bind:value=draft.name /></label>
            <label>"Kind "
                <select id=dom::CHANNEL_KIND on:change=move |event| email.set(event_target_value(&event) == "email")>
                    <option value="webhook" selected=move || !email.get()>"webhook"</option>
                    <option value="email" selected=move || email.get()>"email"</option>
                </select>
            </label>
            <Show when=move || !email.get()>
                <label>"Format "
                    <select id=dom::CHANNEL_FORMAT on:change=move |event| draft.format.set(event_target_value(&event).parse().unwrap_or(0))>
                        {WebhookFormat::ALL.into_iter().enumerate().map(|(index, format)| view! {
                            <option value=index.to_string() selected=move || draft.format.get() == index>{format.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
            </Show>
            <Show when=move || email.get()>
                <label>"SMTP host " <input id=dom::CHANNEL_HOST bind:value=draft.host /></label>
                <label>"Port " <input id=dom::CHANNEL_PORT type="number" min="1" max="65535" bind:value=draft.port /></label>
                <label>"Security "
                    <select id=dom::CHANNEL_SECURITY on:change=move |event| draft.security.set(event_target_value(&event).parse().unwrap_or(0))>
                        {SmtpSecurity::ALL.into_iter().enumerate().map(|(index, security)| view! {
                            <option value=index.to_string() selected=move || draft.security.get() == index>{security.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"User name " <input id=dom::CHANNEL_USERNAME autocomplete="off" bind:value=draft.username /></label>
                <label>"From " <input id=dom::CHANNEL_FROM type="email" bind:value=draft.from /></label>
                <label>"To (comma-separated) " <input id=dom::CHANNEL_TO bind:value=draft.to /></label>
            </Show>
            <label>
                {move || if email.get() { "Password " } else { "URL " }}
                <input id=dom::CHANNEL_SECRET type="password" autocomplete="new-password"
                    placeholder=move || if draft.editing.get().is_some() { "unchanged unless filled in" } else { "" }
                    bind:value=draft.secret />
            </label>
            <button id=dom::SAVE_CHANNEL data-action="save-channel" type="submit">"Save the channel"</button>
            <Show when=move || draft.editing.get().is_some()>
                <button type="button" data-action="cancel-channel" on:click=move |_| draft.clear()>"Cancel"</button>
            </Show>
        </form>
    }
}
