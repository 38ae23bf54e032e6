use std::env::VarError;
use std::io::Write;

use super::*;
use chrono_tz::Tz;

fn no_env(_: &str) -> Result<String, VarError> {
    Err(VarError::NotPresent)
}

fn file_with(extension: &str, text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(extension)
        .tempfile()
        .unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

fn load_file(extension: &str, text: &str) -> Result<Config, ConfigError> {
    let file = file_with(extension, text);
    ConfigSources {
        file: Some(file.path().to_owned()),
        ..Default::default()
    }
    .load_with(no_env)
}

#[test]
fn defaults_have_no_password_and_no_token() {
    let config = ConfigSources::default().load_with(no_env).unwrap();
    assert_eq!(config.custom_link, "dashboard");
    assert_eq!(config.monitor_level, MonitorLevel::PERFORMANCE);
    assert_eq!(config.outlier_detection_constant, 2.5);
    assert!(config.password.is_none());
    assert!(config.security_token.is_none());
    assert_eq!(config.timezone, Tz::UTC);
}

#[test]
fn reads_the_reference_config_cfg() {
    let config = load_file(
        ".cfg",
        "[dashboard]\nAPP_VERSION=1.0\nGIT=../project/.git/\nCUSTOM_LINK=dashboard\nMONITOR_LEVEL=3\n\
         OUTLIER_DETECTION_CONSTANT=2.5\nSAMPLING_PERIOD=20\nENABLE_LOGGING=True\n\n\
         [authentication]\nUSERNAME=admin\nPASSWORD=s3cret!!\nGUEST_USERNAME=guest\n\
         GUEST_PASSWORD=['dashboardguest!', 'second_pw!']\nSECURITY_TOKEN=cc83733cb0af8b884ff6577086b87909\n\n\
         [database]\nTABLE_PREFIX=fmd\nDATABASE=sqlite:////tmp/dashboard.db\n\n\
         [visualization]\nTIMEZONE=Europe/Amsterdam\nCOLORS={'main':'[0,97,255]',\n    'static':'[255,153,0]'}\n",
    )
    .unwrap();
    assert_eq!(config.app_version, "1.0");
    assert!(config.git.as_ref().unwrap().ends_with("../project/.git/"));
    assert!(
        config.git.as_ref().unwrap().is_absolute(),
        "GIT is relative to the config file"
    );
    assert_eq!(config.monitor_level, MonitorLevel::PROFILER);
    assert_eq!(config.sampling_period_ms, 20);
    assert!(config.enable_logging);
    assert_eq!(config.password.as_ref().unwrap().expose(), "s3cret!!");
    let guests: Vec<_> = config.guest_passwords.iter().map(Secret::expose).collect();
    assert_eq!(guests, ["dashboardguest!", "second_pw!"]);
    assert_eq!(
        config.security_token.unwrap().expose(),
        "cc83733cb0af8b884ff6577086b87909"
    );
    assert_eq!(config.table_prefix, "fmd");
    assert_eq!(config.database.expose(), "sqlite:////tmp/dashboard.db");
    assert_eq!(config.timezone, chrono_tz::Europe::Amsterdam);
    assert_eq!(config.colors["main"], [0, 97, 255]);
    assert_eq!(config.colors["static"], [255, 153, 0]);
}

#[test]
fn reads_toml_with_or_without_sections() {
    let config = load_file(
        ".toml",
        "monitor_level = 2\n[authentication]\nGUEST_PASSWORD = \"one-guest\"\n[visualization]\nCOLORS = { main = [1, 2, 3] }\n",
    )
    .unwrap();
    assert_eq!(config.monitor_level, MonitorLevel::OUTLIERS);
    assert_eq!(config.guest_passwords, [Secret("one-guest".into())]);
    assert_eq!(config.colors["main"], [1, 2, 3]);
}

#[test]
fn environment_overrides_the_file_and_the_builder_overrides_both() {
    let file = file_with(
        ".toml",
        "MONITOR_LEVEL = 2\nAPP_VERSION = \"from-file\"\nCUSTOM_LINK = \"file\"\n",
    );
    let sources = ConfigSources {
        file: Some(file.path().to_owned()),
        file_env: None,
        overrides: vec![(Key::CustomLink, RawValue::Text("/builder/".into()))],
    };
    let env = |var: &str| match var {
        "DASHBOARD_APP_VERSION" => Ok("from-env".to_owned()),
        "DASHBOARD_CUSTOM_LINK" => Ok("env".to_owned()),
        _ => Err(VarError::NotPresent),
    };
    let config = sources.load_with(env).unwrap();
    assert_eq!(config.monitor_level, MonitorLevel::OUTLIERS);
    assert_eq!(config.app_version, "from-env");
    assert_eq!(config.custom_link, "builder");
}

#[test]
fn a_file_named_by_an_environment_variable_is_read() {
    let file = file_with(".cfg", "[dashboard]\nAPP_VERSION=2.1\n");
    let path = file.path().to_str().unwrap().to_owned();
    let sources = ConfigSources {
        file_env: Some("MY_CONFIG".into()),
        ..Default::default()
    };
    let config = sources
        .load_with(|var| {
            if var == "MY_CONFIG" {
                Ok(path.clone())
            } else {
                Err(VarError::NotPresent)
            }
        })
        .unwrap();
    assert_eq!(config.app_version, "2.1");
}

#[test]
fn a_bad_value_names_the_file_the_key_and_what_was_expected() {
    let err = load_file(".cfg", "[dashboard]\nMONITOR_LEVEL=7\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("configuration file"), "{err}");
    assert!(
        err.contains("`MONITOR_LEVEL` must be a monitoring level 0, 1, 2 or 3, found \"7\""),
        "{err}"
    );

    let err = load_file(".toml", "TIMEZONE = \"Mars/Olympus\"")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`TIMEZONE` must be an IANA time zone"),
        "{err}"
    );

    let err = load_file(".cfg", "COLORS={'main': '[0,97]'}")
        .unwrap_err()
        .to_string();
    assert!(err.contains("`COLORS` must be a map"), "{err}");
}

#[test]
fn a_bad_environment_value_names_the_variable() {
    let env = |var: &str| {
        if var == "DASHBOARD_OUTLIER_DETECTION_CONSTANT" {
            Ok("-1".to_owned())
        } else {
            Err(VarError::NotPresent)
        }
    };
    let err = ConfigSources::default()
        .load_with(env)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("environment variable DASHBOARD_OUTLIER_DETECTION_CONSTANT:"),
        "{err}"
    );
}

#[test]
fn unknown_keys_and_broken_files_are_errors_not_panics() {
    let err = load_file(".cfg", "[dashboard]\nMONITOR_LEVLE=1\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown key `MONITOR_LEVLE`"), "{err}");
    let err = load_file(".toml", "MONITOR_LEVEL = ")
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not valid TOML"), "{err}");
    let err = ConfigSources {
        file: Some("/no/such/dashboard.toml".into()),
        ..Default::default()
    }
    .load_with(no_env)
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot read configuration file /no/such/dashboard.toml"),
        "{err}"
    );
}

#[test]
fn secrets_are_never_echoed() {
    let err = load_file(".cfg", "GUEST_PASSWORD=[]\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("hidden"), "{err}");
    let config = load_file(".cfg", "PASSWORD=hunter2-hunter2\n").unwrap();
    assert!(!format!("{config:?}").contains("hunter2"));
}

#[test]
fn metrics_keys_take_a_port_or_an_address() {
    let config = load_file(
        ".toml",
        "[metrics]\nMETRICS = true\nMETRICS_PORT = 9100\nMETRICS_TOKEN = \"t0k-of-sixteen-chars\"\n",
    )
    .unwrap();
    assert!(config.metrics);
    assert_eq!(config.metrics_listen, Some("0.0.0.0:9100".parse().unwrap()));
    assert_eq!(
        config.metrics_token.unwrap().expose(),
        "t0k-of-sixteen-chars"
    );
    let config = load_file(".cfg", "METRICS_PORT=127.0.0.1:9200\nMETRICS_PATH=/prom\n").unwrap();
    assert_eq!(
        config.metrics_listen,
        Some("127.0.0.1:9200".parse().unwrap())
    );
    assert_eq!(config.metrics_path, "/prom");
    let err = load_file(".cfg", "METRICS_PATH=metrics\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`METRICS_PATH` must be a path such as /metrics"),
        "{err}"
    );
}

#[test]
fn session_lifetime_takes_units_and_the_secret_a_minimum_length() {
    let config = load_file(".cfg", "SESSION_LIFETIME=90m\n").unwrap();
    assert_eq!(
        config.session_lifetime,
        std::time::Duration::from_secs(5400)
    );
    assert_eq!(
        load_file(".cfg", "SESSION_LIFETIME=2d\n")
            .unwrap()
            .session_lifetime
            .as_secs(),
        172_800
    );
    assert_eq!(
        load_file(".cfg", "SESSION_LIFETIME=600\n")
            .unwrap()
            .session_lifetime
            .as_secs(),
        600
    );
    for bad in ["10s", "12x", "h"] {
        let err = load_file(".cfg", &format!("SESSION_LIFETIME={bad}\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`SESSION_LIFETIME` must be a duration"),
            "{err}"
        );
    }
    let err = load_file(".cfg", "SESSION_SECRET=short\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("at least 32 characters") && !err.contains("short"),
        "{err}"
    );
}

#[test]
fn trusted_proxies_take_addresses_and_networks() {
    let config = load_file(
        ".cfg",
        "TRUSTED_PROXIES=['10.0.0.0/8', '127.0.0.1', '::1']\n",
    )
    .unwrap();
    let nets: Vec<String> = config
        .trusted_proxies
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(nets, ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]);
    let config = load_file(".toml", "TRUSTED_PROXIES = \"192.168.0.0/16\"\n").unwrap();
    assert_eq!(config.trusted_proxies.len(), 1);
    let err = load_file(".cfg", "TRUSTED_PROXIES=['10.0.0.0/33']\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`TRUSTED_PROXIES` must be addresses or networks"),
        "{err}"
    );
}

#[test]
fn outlier_keys_take_a_sample_count_and_a_list_of_names_to_redact() {
    let defaults = Config::default();
    assert_eq!(defaults.outlier_min_samples, 10);
    assert!(defaults.redact.iter().any(|name| name == "password"));
    let config = load_file(
        ".toml",
        "OUTLIER_MIN_SAMPLES = 3\nREDACT = ['Password', 'X-Internal']\n",
    )
    .unwrap();
    assert_eq!(config.outlier_min_samples, 3);
    assert_eq!(
        config.redact,
        ["password", "x-internal"],
        "read ignoring case"
    );
    let err = load_file(".cfg", "OUTLIER_MIN_SAMPLES=0\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`OUTLIER_MIN_SAMPLES` must be a whole number of requests, at least 1"),
        "{err}"
    );
    let err = load_file(".cfg", "REDACT=[]\n").unwrap_err().to_string();
    assert!(err.contains("`REDACT`"), "{err}");
}

/// The README's configuration table, as the declarations render it.
fn reference_table() -> String {
    let mut table = String::from("| key | default | meaning |\n|---|---|---|\n");
    for key in Key::ALL {
        table.push_str(&format!(
            "| `{}` | {} | {} |\n",
            key.name(),
            key.shown_default(),
            key.doc()
        ));
    }
    table
}

#[test]
fn the_readme_table_is_the_declarations() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("| key | default | meaning |")
        .expect("the README has a configuration table");
    let end = readme[start..]
        .find("\n\n")
        .map_or(readme.len(), |end| start + end + 1);
    let expected = reference_table();
    assert!(
        readme[start..end] == expected,
        "README.md's configuration table differs from backend/src/config/settings.rs; the \
         declarations render it as:\n\n{expected}"
    );
}

#[test]
fn every_key_is_read_from_the_environment_and_named_back() {
    for &key in Key::ALL {
        assert_eq!(Key::from_name(&key.name().to_lowercase()), Some(key));
        assert!(!key.doc().is_empty(), "{key:?} has a doc line");
        let var = format!("{ENV_PREFIX}{}", key.name());
        let sources = ConfigSources::default();
        let error = sources
            .load_with(|name| {
                if name == var {
                    Ok("\u{1}not valid for any key\u{1}".to_owned())
                } else {
                    Err(VarError::NotPresent)
                }
            })
            .err();
        let accepted_as_text = matches!(
            key,
            Key::AppVersion
                | Key::Git
                | Key::Username
                | Key::GuestUsername
                | Key::Database
                | Key::Redact
                | Key::GuestPassword
                | Key::Password
                | Key::SecurityToken
                | Key::MetricsToken
        );
        if !accepted_as_text {
            let error = error
                .unwrap_or_else(|| panic!("{var} was not read"))
                .to_string();
            assert!(
                error.contains(&var) && error.contains(key.name()),
                "{error}"
            );
        }
    }
}
