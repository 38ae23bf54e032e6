//! The ids of the page elements that the frontend renders and the browser tests look for: one
//! constant each, so that a renamed id fails to compile in both.

/// `#alert-channels`: the Alerts page's channels.
pub const ALERT_CHANNELS: &str = "alert-channels";
/// `#alert-deliveries`: the delivery log.
pub const ALERT_DELIVERIES: &str = "alert-deliveries";
/// `#alert-message`: the outcome of the latest change or test on the Alerts page.
pub const ALERT_MESSAGE: &str = "alert-message";
/// `#alert-rules`: the Alerts page's rules.
pub const ALERT_RULES: &str = "alert-rules";
/// `#channel-form`: the form that adds or changes a channel.
pub const CHANNEL_FORM: &str = "channel-form";
/// `#channel-format`.
pub const CHANNEL_FORMAT: &str = "channel-format";
/// `#channel-from`.
pub const CHANNEL_FROM: &str = "channel-from";
/// `#channel-host`.
pub const CHANNEL_HOST: &str = "channel-host";
/// `#channel-kind`.
pub const CHANNEL_KIND: &str = "channel-kind";
/// `#channel-name`.
pub const CHANNEL_NAME: &str = "channel-name";
/// `#channel-port`.
pub const CHANNEL_PORT: &str = "channel-port";
/// `#channel-secret`: a webhook's URL or an SMTP password, never filled in again.
pub const CHANNEL_SECRET: &str = "channel-secret";
/// `#channel-security`.
pub const CHANNEL_SECURITY: &str = "channel-security";
/// `#channel-to`.
pub const CHANNEL_TO: &str = "channel-to";
/// `#channel-username`.
pub const CHANNEL_USERNAME: &str = "channel-username";
/// `#collapse-all`.
pub const COLLAPSE_ALL: &str = "collapse-all";
/// `#compare-intervals`.
pub const COMPARE_INTERVALS: &str = "compare-intervals";
/// `#compare-versions`.
pub const COMPARE_VERSIONS: &str = "compare-versions";
/// `#create-user`.
pub const CREATE_USER: &str = "create-user";
/// `#daily-utilization-chart`.
pub const DAILY_UTILIZATION_CHART: &str = "daily-utilization-chart";
/// `#daily-utilization-table`.
pub const DAILY_UTILIZATION_TABLE: &str = "daily-utilization-table";
/// `#database-backend`.
pub const DATABASE_BACKEND: &str = "database-backend";
/// `#database-rows`.
pub const DATABASE_ROWS: &str = "database-rows";
/// `#database-tables`.
pub const DATABASE_TABLES: &str = "database-tables";
/// `#database-total`.
pub const DATABASE_TOTAL: &str = "database-total";
/// `#dependencies`.
pub const DEPENDENCIES: &str = "dependencies";
/// `#dependency-endpoint`.
pub const DEPENDENCY_ENDPOINT: &str = "dependency-endpoint";
/// `#deployment`.
pub const DEPLOYMENT: &str = "deployment";
/// `#diff-baseline`.
pub const DIFF_BASELINE: &str = "diff-baseline";
/// `#diff-table`.
pub const DIFF_TABLE: &str = "diff-table";
/// `#endpoint-calls`.
pub const ENDPOINT_CALLS: &str = "endpoint-calls";
/// `#endpoint-details`.
pub const ENDPOINT_DETAILS: &str = "endpoint-details";
/// `#endpoint-name`.
pub const ENDPOINT_NAME: &str = "endpoint-name";
/// `#endpoint-statements`.
pub const ENDPOINT_STATEMENTS: &str = "endpoint-statements";
/// `#endpoint-upstreams`.
pub const ENDPOINT_UPSTREAMS: &str = "endpoint-upstreams";
/// `#exceptions-empty`.
pub const EXCEPTIONS_EMPTY: &str = "exceptions-empty";
/// `#exceptions-table`.
pub const EXCEPTIONS_TABLE: &str = "exceptions-table";
/// `#exception-count`.
pub const EXCEPTION_COUNT: &str = "exception-count";
/// `#exception-delete`.
pub const EXCEPTION_DELETE: &str = "exception-delete";
/// `#exception-detail`.
pub const EXCEPTION_DETAIL: &str = "exception-detail";
/// `#exception-endpoint`.
pub const EXCEPTION_ENDPOINT: &str = "exception-endpoint";
/// `#exception-occurrences`.
pub const EXCEPTION_OCCURRENCES: &str = "exception-occurrences";
/// `#expand-all`.
pub const EXPAND_ALL: &str = "expand-all";
/// `#failed-next`.
pub const FAILED_NEXT: &str = "failed-next";
/// `#failed-page`.
pub const FAILED_PAGE: &str = "failed-page";
/// `#failed-previous`.
pub const FAILED_PREVIOUS: &str = "failed-previous";
/// `#failed-requests-card`.
pub const FAILED_REQUESTS_CARD: &str = "failed-requests-card";
/// `#failed-requests-empty`.
pub const FAILED_REQUESTS_EMPTY: &str = "failed-requests-empty";
/// `#failed-requests-table`.
pub const FAILED_REQUESTS_TABLE: &str = "failed-requests-table";
/// `#flame-graph`.
pub const FLAME_GRAPH: &str = "flame-graph";
/// `#flame-matches`.
pub const FLAME_MATCHES: &str = "flame-matches";
/// `#flame-search`.
pub const FLAME_SEARCH: &str = "flame-search";
/// `#from`.
pub const FROM: &str = "from";
/// `#grouped-empty`.
pub const GROUPED_EMPTY: &str = "grouped-empty";
/// `#grouped-link`.
pub const GROUPED_LINK: &str = "grouped-link";
/// `#grouped-requests`.
pub const GROUPED_REQUESTS: &str = "grouped-requests";
/// `#grouped-table`.
pub const GROUPED_TABLE: &str = "grouped-table";
/// `#instance`: the instance filter of the overview and the endpoint page.
pub const INSTANCE: &str = "instance";
/// `#live-toggle`.
pub const LIVE_TOGGLE: &str = "live-toggle";
/// `#login`.
pub const LOGIN: &str = "login";
/// `#login-error`.
pub const LOGIN_ERROR: &str = "login-error";
/// `#logout`.
pub const LOGOUT: &str = "logout";
/// `#menu`.
pub const MENU: &str = "menu";
/// `#menu-toggle`.
pub const MENU_TOGGLE: &str = "menu-toggle";
/// `#multi-version-chart`.
pub const MULTI_VERSION_CHART: &str = "multi-version-chart";
/// `#multi-version-table`.
pub const MULTI_VERSION_TABLE: &str = "multi-version-table";
/// `#new-password`.
pub const NEW_PASSWORD: &str = "new-password";
/// `#new-password-repeat`.
pub const NEW_PASSWORD_REPEAT: &str = "new-password-repeat";
/// `#new-role`.
pub const NEW_ROLE: &str = "new-role";
/// `#new-user`.
pub const NEW_USER: &str = "new-user";
/// `#new-username`.
pub const NEW_USERNAME: &str = "new-username";
/// `#next-page`.
pub const NEXT_PAGE: &str = "next-page";
/// `#no-custom-graphs`.
pub const NO_CUSTOM_GRAPHS: &str = "no-custom-graphs";
/// `#n-plus-one-flags`.
pub const N_PLUS_ONE_FLAGS: &str = "n-plus-one-flags";
/// `#outliers-link`.
pub const OUTLIERS_LINK: &str = "outliers-link";
/// `#outlier-cards`.
pub const OUTLIER_CARDS: &str = "outlier-cards";
/// `#outlier-count`.
pub const OUTLIER_COUNT: &str = "outlier-count";
/// `#overview`.
pub const OVERVIEW: &str = "overview";
/// `#page`.
pub const PAGE: &str = "page";
/// `#page-size`.
pub const PAGE_SIZE: &str = "page-size";
/// `#password`.
pub const PASSWORD: &str = "password";
/// `#prefix`.
pub const PREFIX: &str = "prefix";
/// `#preset-day`.
pub const PRESET_DAY: &str = "preset-day";
/// `#preset-month`.
pub const PRESET_MONTH: &str = "preset-month";
/// `#preset-week`.
pub const PRESET_WEEK: &str = "preset-week";
/// `#previous-page`.
pub const PREVIOUS_PAGE: &str = "previous-page";
/// `#profiler-link`.
pub const PROFILER_LINK: &str = "profiler-link";
/// `#profile-cards`.
pub const PROFILE_CARDS: &str = "profile-cards";
/// `#profile-count`.
pub const PROFILE_COUNT: &str = "profile-count";
/// `#profile-version`.
pub const PROFILE_VERSION: &str = "profile-version";
/// `#prune`.
pub const PRUNE: &str = "prune";
/// `#prune-result`.
pub const PRUNE_RESULT: &str = "prune-result";
/// `#queries-per-request`.
pub const QUERIES_PER_REQUEST: &str = "queries-per-request";
/// `#report`.
pub const REPORT: &str = "report";
/// `#report-error`.
pub const REPORT_ERROR: &str = "report-error";
/// `#report-running`.
pub const REPORT_RUNNING: &str = "report-running";
/// `#retention`.
pub const RETENTION: &str = "retention";
/// `#retention-details`.
pub const RETENTION_DETAILS: &str = "retention-details";
/// `#retention-graphs`.
pub const RETENTION_GRAPHS: &str = "retention-graphs";
/// `#retention-next-run`.
pub const RETENTION_NEXT_RUN: &str = "retention-next-run";
/// `#retention-requests`.
pub const RETENTION_REQUESTS: &str = "retention-requests";
/// `#retention-rollups`.
pub const RETENTION_ROLLUPS: &str = "retention-rollups";
/// `#retention-schedule`.
pub const RETENTION_SCHEDULE: &str = "retention-schedule";
/// `#rule-bound`.
pub const RULE_BOUND: &str = "rule-bound";
/// `#rule-direction`.
pub const RULE_DIRECTION: &str = "rule-direction";
/// `#rule-endpoint`.
pub const RULE_ENDPOINT: &str = "rule-endpoint";
/// `#rule-form`: the form that adds or changes a rule.
pub const RULE_FORM: &str = "rule-form";
/// `#rule-kind`.
pub const RULE_KIND: &str = "rule-kind";
/// `#rule-metric`.
pub const RULE_METRIC: &str = "rule-metric";
/// `#rule-minutes`.
pub const RULE_MINUTES: &str = "rule-minutes";
/// `#rule-name`.
pub const RULE_NAME: &str = "rule-name";
/// `#rule-quiet`.
pub const RULE_QUIET: &str = "rule-quiet";
/// `#rule-quiet-days`.
pub const RULE_QUIET_DAYS: &str = "rule-quiet-days";
/// `#rule-window`.
pub const RULE_WINDOW: &str = "rule-window";
/// `#save-channel`.
pub const SAVE_CHANNEL: &str = "save-channel";
/// `#save-rule`.
pub const SAVE_RULE: &str = "save-rule";
/// `#search`.
pub const SEARCH: &str = "search";
/// `#servers`: the Servers page's cards.
pub const SERVERS: &str = "servers";
/// `#servers-total`: requests stored today by every instance.
pub const SERVERS_TOTAL: &str = "servers-total";
/// `#significant-only`.
pub const SIGNIFICANT_ONLY: &str = "significant-only";
/// `#slow-calls`.
pub const SLOW_CALLS: &str = "slow-calls";
/// `#speedscope-download`.
pub const SPEEDSCOPE_DOWNLOAD: &str = "speedscope-download";
/// `#status-codes-chart`.
pub const STATUS_CODES_CHART: &str = "status-codes-chart";
/// `#status-codes-table`.
pub const STATUS_CODES_TABLE: &str = "status-codes-table";
/// `#summary`.
pub const SUMMARY: &str = "summary";
/// `#sunburst`.
pub const SUNBURST: &str = "sunburst";
/// `#sunburst-breadcrumb`.
pub const SUNBURST_BREADCRUMB: &str = "sunburst-breadcrumb";
/// `#sunburst-tooltip`.
pub const SUNBURST_TOOLTIP: &str = "sunburst-tooltip";
/// `#theme-toggle`.
pub const THEME_TOGGLE: &str = "theme-toggle";
/// `#to`.
pub const TO: &str = "to";
/// `#username`.
pub const USERNAME: &str = "username";
/// `#users`.
pub const USERS: &str = "users";
/// `#users-error`.
pub const USERS_ERROR: &str = "users-error";
/// `#version-comparison`.
pub const VERSION_COMPARISON: &str = "version-comparison";
/// `#whoami`.
pub const WHOAMI: &str = "whoami";
