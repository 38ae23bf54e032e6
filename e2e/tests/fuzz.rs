//! The API fuzzed as an attacker, a guest and an admin would: schemathesis (installed by
//! `cargo xtask test` and named by `DASHBOARD_SCHEMATHESIS`) generates at least 200 cases per
//! operation from the OpenAPI document with a fixed seed, while a burst of wrong logins runs.
//! No answer may be a 5xx, break the documented schema or status codes, or panic the service,
//! and afterwards collection must work within seconds with no thread left busy. The figures
//! go into `docs/security.md`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use dashboard_e2e::{ADMIN_PASSWORD, ApiClient, Demo, Session};
use dashboard_shared::api::CSRF_HEADER;
use dashboard_shared::{NewUser, Role};
use serde_json::Value;

/// Cases per operation.
const EXAMPLES: &str = "200";
/// The fixed seed, so that CI runs the same cases every time.
const SEED: &str = "42";
/// What every answer is checked for.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance";
const GUEST_PASSWORD: &str = "fuzzing-guest-password";

/// Runs schemathesis as `who` and returns its JSON report.
fn fuzz(
    schemathesis: &Path,
    schema: &Path,
    base: &str,
    who: &str,
    session: Option<&Session>,
    out: &Path,
) -> Result<Value> {
    let report = out.join(format!("schemathesis-{who}.json"));
    let mut command = Command::new(schemathesis);
    command
        // Its caches go beside the report, not into the checkout.
        .current_dir(out)
        .args(["run", &schema.display().to_string(), "--url"])
        .arg(format!("{base}/dashboard/api"))
        .args([
            "--max-examples",
            EXAMPLES,
            "--seed",
            SEED,
            "--checks",
            CHECKS,
        ])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--no-color", "--report", "json", "--report-json-path"])
        .arg(&report)
        .args(["--generation-database", "none"]);
    if let Some(session) = session {
        // Logging out would end the session the rest of the run uses.
        command
            .args(["--exclude-path", "/logout"])
            .args(["--header", &format!("Cookie: {}", session.cookie)])
            .args(["--header", &format!("{CSRF_HEADER}: {}", session.csrf)]);
    }
    let output = command.output().context("running schemathesis")?;
    let text = String::from_utf8_lossy(&output.stdout);
    std::fs::write(out.join(format!("schemathesis-{who}.txt")), text.as_bytes())?;
    let report: Value = serde_json::from_slice(&std::fs::read(&report)?)?;
    // Counts, or lists of what was found, depending on the report's section.
    let count = |value: &Value| {
        value
            .as_u64()
            .or_else(|| value.as_array().map(|items| items.len() as u64))
    };
    let (failures, errors) = (count(&report["failures"]), count(&report["errors"]));
    eprintln!(
        "fuzzing as {who}: {} operations, {} cases, {failures:?} failures, {errors:?} errors",
        report["operations"]["tested"], report["test_cases"]["generated"]
    );
    ensure!(
        failures == Some(0) && errors == Some(0) && output.status.success(),
        "fuzzing as {who} found failures:\n{text}"
    );
    Ok(report)
}

/// CPU seconds the process has used (user + system), from `/proc`.
fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .context("malformed stat")?
        .1
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    Ok(ticks / 100.0)
}

#[tokio::test]
#[ignore = "needs schemathesis and the demo: run `cargo xtask test`"]
async fn the_fuzzed_api_answers_every_case_as_documented_and_collection_goes_on() -> Result<()> {
    let schemathesis = PathBuf::from(
        std::env::var_os("DASHBOARD_SCHEMATHESIS")
            .context("DASHBOARD_SCHEMATHESIS is not set: run `cargo xtask test`")?,
    );
    let out = std::env::var_os("DASHBOARD_E2E_ARTIFACTS")
        .map_or_else(std::env::temp_dir, PathBuf::from)
        .join("fuzz");
    std::fs::create_dir_all(&out)?;
    let demo = Demo::start_with_args(&["--history", "2"], &[])?;
    let admin = Session::log_in(&demo.base, "admin", ADMIN_PASSWORD).await?;
    let http = reqwest::Client::new();
    http.post(format!("{}/dashboard/api/users", demo.base))
        .header("cookie", &admin.cookie)
        .header(CSRF_HEADER, &admin.csrf)
        .json(&NewUser {
            username: "fuzzer".to_owned(),
            password: GUEST_PASSWORD.to_owned(),
            password_repeat: GUEST_PASSWORD.to_owned(),
            role: Role::Guest,
        })
        .send()
        .await?
        .error_for_status()?;
    let guest = Session::log_in(&demo.base, "fuzzer", GUEST_PASSWORD).await?;
    let client = ApiClient::login(&demo).await?;
    let schema = out.join("openapi.json");
    let document = http
        .get(format!("{}/dashboard/api/openapi.json", demo.base))
        .header("cookie", &admin.cookie)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    std::fs::write(&schema, &document)?;

    // A burst of wrong logins from this address while the fuzzer runs.
    let burst: Vec<_> = (0..100)
        .map(|n| {
            let request = http
                .post(format!("{}/dashboard/api/login", demo.base))
                .json(
                    &serde_json::json!({ "username": "admin", "password": format!("wrong-{n}") }),
                );
            tokio::spawn(async move { request.send().await.map(|answer| answer.status()) })
        })
        .collect();
    let base = demo.base.clone();
    let fuzzing_admin = admin.clone();
    let fuzzing = tokio::task::spawn_blocking(move || -> Result<Vec<(String, Value)>> {
        let mut reports = Vec::new();
        for (who, session) in [
            ("anonymous", None),
            ("guest", Some(&guest)),
            ("admin", Some(&fuzzing_admin)),
        ] {
            reports.push((
                who.to_owned(),
                fuzz(&schemathesis, &schema, &base, who, session, &out)?,
            ));
        }
        Ok(reports)
    });
    let mut verified = 0;
    for answer in burst {
        let status = answer.await??;
        ensure!(
            !status.is_server_error() || status.as_u16() == 503,
            "a login answered {status}"
        );
        verified += usize::from(status.as_u16() == 401);
    }
    ensure!(
        verified <= 5,
        "{verified} wrong logins of the burst were verified"
    );
    let reports = fuzzing.await??;
    let cases: u64 = reports
        .iter()
        .filter_map(|(_, report)| report["test_cases"]["generated"].as_u64())
        .sum();
    eprintln!("fuzzing: {cases} cases in all");

    let panics: Vec<String> = demo
        .log()
        .into_iter()
        .filter(|line| line.contains("panicked") && !line.contains("examples/demo.rs"))
        .collect();
    ensure!(panics.is_empty(), "the service panicked: {panics:?}");

    // Collection works again within seconds: the demo's own route, at level 1 again whatever
    // level the fuzzer chose, counted on the overview.
    let total_hits = async || -> Result<u64> {
        Ok(client
            .overview()
            .await?
            .iter()
            .filter_map(|row| row["hits_overall"].as_u64())
            .sum())
    };
    let users = client
        .overview()
        .await?
        .iter()
        .find(|row| row["name"] == "GET /users/{id}")
        .and_then(|row| row["id"].as_i64())
        .context("GET /users/{id} on the overview")?;
    http.put(format!(
        "{}/dashboard/api/endpoints/{users}/level",
        demo.base
    ))
    .header("cookie", &admin.cookie)
    .header(CSRF_HEADER, &admin.csrf)
    .json(&dashboard_shared::EndpointLevel { level: 1 })
    .send()
    .await?
    .error_for_status()?;
    // The level reaches the process within its refresh interval: send until a request counts.
    let before = total_hits().await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        http.get(format!("{}/users/1", demo.base)).send().await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        if total_hits().await? > before {
            break;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "no request was stored within 15 s of the fuzzing"
        );
    }
    let before = total_hits().await?;
    for id in 0..20 {
        http.get(format!("{}/users/{id}", demo.base)).send().await?;
    }
    client.wait_for_total_hits(before + 20).await?;

    // No thread is left busy: the idle service uses under a tenth of a core.
    let idle_from = cpu_seconds(demo.pid())?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let busy = (cpu_seconds(demo.pid())? - idle_from) / 3.0;
    ensure!(
        busy < 0.1,
        "the idle service uses {:.0} % of a core",
        busy * 100.0
    );
    Ok(())
}
