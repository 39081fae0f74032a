//! The classroom: world snapshots (restore, then continue, equals never
//! stopping), changes during a run and decision points, and `mando serve`'s
//! JSON API over a real socket.

use mando::scenario::Override;
use mando::sim::{Sim, SimOptions};

use crate::common::shipped;

/// Hashes after every tick from `from` to `to`.
fn hashes(sim: &mut Sim, to: u32) -> Vec<u64> {
    let mut out = Vec::new();
    while sim.tick() < to {
        sim.step();
        out.push(sim.state_hash());
    }
    out
}

#[test]
fn a_restored_snapshot_continues_as_if_never_stopped() {
    for (name, sets) in [
        ("epstein_classic.ron", vec!["metadata.ticks=60"]),
        ("epstein_salami_tactics.ron", vec!["metadata.ticks=60"]),
        ("mining_corridor_blockade.ron", vec!["metadata.ticks=60"]),
        ("substation_under_threat.ron", vec!["metadata.ticks=60"]),
    ] {
        let s = shipped(name, &sets);
        let mut straight = Sim::new(&s, SimOptions::default()).unwrap();
        let mut stopped = Sim::new(&s, SimOptions::default()).unwrap();
        let first = hashes(&mut straight, 20);
        assert_eq!(first, hashes(&mut stopped, 20), "{name}");
        let snap = stopped.snapshot();
        // The original goes on; the copy must follow it tick by tick.
        let later = hashes(&mut straight, 60);
        drop(stopped);
        let mut restored = Sim::restore(&snap).unwrap();
        assert_eq!(restored.tick(), 20);
        assert_eq!(hashes(&mut restored, 60), later, "{name}: the restored world went another way");
        // Its outputs too: the census of the last tick.
        assert_eq!(restored.census(), straight.census(), "{name}");
    }
}

#[test]
fn a_change_during_a_run_takes_effect_from_the_next_tick_and_is_checked_as_the_file_is() {
    let s = shipped("epstein_classic.ron", &["metadata.ticks=40"]);
    let mut plain = Sim::new(&s, SimOptions::default()).unwrap();
    let mut changed = Sim::new(&s, SimOptions::default()).unwrap();
    let a = hashes(&mut plain, 20);
    let b = hashes(&mut changed, 20);
    assert_eq!(a, b);
    changed.change(&Override::parse("civilians.legitimacy=0.2").unwrap()).unwrap();
    assert_eq!(changed.census(), plain.census(), "a change waits for the next tick");
    // The change is part of the state: a branch that differs only by it
    // has another hash at once.
    assert_ne!(changed.state_hash(), plain.state_hash());
    plain.step();
    changed.step();
    assert_ne!(plain.state_hash(), changed.state_hash());
    // The same messages as the file's.
    let bad = changed.change(&Override::parse("civilians.legitimacy=1.5").unwrap()).unwrap_err();
    assert!(bad.contains("civilians.legitimacy") && bad.contains("1.5"), "{bad}");
    let fixed = changed.change(&Override::parse("map.width_cells=3").unwrap()).unwrap_err();
    assert!(fixed.contains("cannot change during a run"), "{fixed}");
    // The regime at the start: refused rather than accepted and ignored.
    let initial = changed.change(&Override::parse("law.initial=Siege").unwrap()).unwrap_err();
    assert!(initial.contains("cannot change during a run"), "{initial}");
}

/// `mando serve` on a free loopback port, killed when dropped.
struct Server {
    child: std::process::Child,
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = std::process::Command::new(crate::common::bin())
            .arg("serve")
            .args(args)
            .args(["--port", "0", "--threads", "1"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("mando serve starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.split("http://").nth(1).and_then(|s| s.split('/').next()).map(str::to_string);
        let Some(addr) = addr else {
            let _ = child.kill();
            panic!("mando serve printed no address: {line:?}");
        };
        assert!(addr.starts_with("127.0.0.1:"), "binds loopback by default: {addr}");
        Server { child, addr }
    }

    /// One request (bounded in time); status and body.
    fn call(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).to_string();
        let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            dechunk(rest)
        } else {
            rest.to_string()
        };
        (status, body)
    }

    fn json(&self, method: &str, path: &str, body: &str) -> serde_json::Value {
        let (status, text) = self.call(method, path, body);
        assert_eq!(status, 200, "{method} {path} {body}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    fn hash(&self, method: &str, path: &str, body: &str) -> String {
        self.json(method, path, body)["state_hash"].as_str().unwrap().to_string()
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `mando run`'s final state hash with these arguments.
fn batch_hash(args: &[&str]) -> String {
    batch_run(args).0
}

/// `mando run` with these arguments: its final state hash and folder.
fn batch_run(args: &[&str]) -> (String, std::path::PathBuf) {
    let dir = crate::common::temp_dir(&format!("serve-batch-{}", args.join("_").replace(['/', '.', '='], "-")));
    let out = std::process::Command::new(crate::common::bin())
        .arg("run")
        .args(args)
        .args(["--quiet", "--format", "json", "--threads", "1"])
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (v["final_state_hash"].as_str().unwrap().to_string(), dir)
}

const SUBSTATION: &str = "scenarios/substation_under_threat.ron";

#[test]
fn serve_steps_rewinds_and_branches_to_the_hashes_of_batch_runs() {
    let file = crate::common::repo().join(SUBSTATION);
    let server = Server::start(&[file.to_str().unwrap(), "--snapshot-every", "15"]);
    // The decision before the start waits for the class.
    let s = server.json("GET", "/api/state", "");
    assert_eq!(s["tick"], 0);
    assert_eq!(s["pending_decision"]["name"], "arrangement");
    assert_eq!(server.json("POST", "/api/step", r#"{"ticks": 5}"#)["tick"], 0, "no step before the decision");
    server.json("POST", "/api/decide", r#"{"decision": "arrangement", "choice": "unified"}"#);
    let h = server.hash("POST", "/api/step", r#"{"ticks": 60}"#);
    assert_eq!(h, batch_hash(&[file.to_str().unwrap(), "--ticks", "60", "--decide", "arrangement=unified"]));
    // Rewind to a tick between snapshots, then forward again.
    assert_eq!(server.json("POST", "/api/rewind", r#"{"tick": 20}"#)["tick"], 20);
    assert_eq!(server.hash("POST", "/api/step", r#"{"ticks": 40}"#), h, "rewind then step is not the same run");
    // Another path from tick 20: a branch with an inject.
    server.json("POST", "/api/rewind", r#"{"tick": 20}"#);
    server.json("POST", "/api/branch", r#"{"name": "low legitimacy"}"#);
    server.json("POST", "/api/inject", r#"{"path": "civilians.legitimacy", "value": 0.3}"#);
    let other = server.hash("POST", "/api/step", r#"{"ticks": 40}"#);
    assert_ne!(other, h, "the inject changed nothing");
    let b = server.json("GET", "/api/branches", "");
    assert_eq!(b["current"], "low legitimacy");
    let names: Vec<&str> = b["branches"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["main", "low legitimacy"]);
    let cmp = server.json("GET", "/api/compare?a=main&b=low%20legitimacy", "");
    assert_eq!(cmp["a"]["state_hash"], h.as_str());
    assert_eq!(cmp["b"]["state_hash"], other.as_str());
    assert_eq!(cmp["a"]["series"]["tick"].as_array().unwrap().len(), 61);
    let log = server.json("GET", "/api/state", "")["log"].to_string();
    assert!(log.contains("civilians.legitimacy = 0.3") && log.contains("\"tick\":20"), "{log}");

    // Saved and reopened: the same branches, hashes and current state.
    let (status, saved) = server.call("GET", "/api/exercise", "");
    assert_eq!(status, 200);
    let path = crate::common::temp_dir("serve-exercise").join("exercise.json");
    std::fs::write(&path, &saved).unwrap();
    let reopened = Server::start(&["--exercise", path.to_str().unwrap()]);
    let again = reopened.json("GET", "/api/branches", "");
    assert_eq!(again["branches"], b["branches"]);
    assert_eq!(reopened.hash("GET", "/api/state", ""), other);
    reopened.json("POST", "/api/switch", r#"{"name": "main"}"#);
    assert_eq!(reopened.hash("GET", "/api/state", ""), h);
    // A tampered file is refused with the branch named.
    let tampered = saved.replacen(&h, "0000000000000000", 1);
    std::fs::write(&path, tampered).unwrap();
    let out = std::process::Command::new(crate::common::bin())
        .args(["serve", "--port", "0", "--exercise", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("branch `main` replays to state"));
}

#[test]
fn a_decision_in_serve_gives_the_batch_run_with_that_choice() {
    let file = crate::common::repo().join(SUBSTATION);
    // Seed 4: each choice at the breach gives another run.
    let server = Server::start(&[file.to_str().unwrap(), "--set", "metadata.seed=4"]);
    server.json("POST", "/api/decide", r#"{"decision": "arrangement", "choice": "pnp_lead"}"#);
    // Play until the breach asks its question.
    let mut s = server.json("POST", "/api/step", r#"{"ticks": 240}"#);
    assert_eq!(s["pending_decision"]["name"], "platoon_fire", "{s}");
    assert!(s["pending_decision"]["branch_chose"].is_null(), "asked for the first time: {s}");
    let due = s["tick"].as_u64().unwrap();
    assert!(due > 0 && due < 240);
    // Deciding the wrong thing is refused; the right one goes on.
    assert_eq!(server.call("POST", "/api/decide", r#"{"decision": "platoon_fire", "choice": "nope"}"#).0, 400);
    assert_eq!(server.call("POST", "/api/decide", r#"{"decision": "arrangement", "choice": "unified"}"#).0, 409);
    server.json("POST", "/api/decide", r#"{"decision": "platoon_fire", "choice": "withdraw"}"#);
    s = server.json("POST", "/api/step", r#"{"ticks": 240}"#);
    assert_eq!(s["tick"], 240);
    let f = file.to_str().unwrap();
    let (withdraw, withdraw_dir) = batch_run(&[f, "--seed", "4", "--decide", "platoon_fire=withdraw"]);
    assert_eq!(s["state_hash"], withdraw.as_str());
    // Back to the breach: the question is asked again; another answer
    // makes another branch, which is the batch run with that answer.
    let back = server.json("POST", "/api/rewind", &format!(r#"{{"tick": {due}}}"#));
    assert_eq!(back["pending_decision"]["name"], "platoon_fire", "{back}");
    // The dialog can mark the answer this branch took here.
    assert_eq!(back["pending_decision"]["branch_chose"], "withdraw", "{back}");
    let other = server.json("POST", "/api/decide", r#"{"decision": "platoon_fire", "choice": "act_alone"}"#);
    assert_eq!(other["branch"], "main-2");
    let end = server.hash("POST", "/api/step", r#"{"ticks": 240}"#);
    assert_eq!(end, batch_hash(&[f, "--seed", "4", "--decide", "platoon_fire=act_alone"]));
    assert_ne!(end, withdraw);
    // The same answer again goes on along the branch, no new one.
    server.json("POST", "/api/switch", r#"{"name": "main"}"#);
    server.json("POST", "/api/rewind", &format!(r#"{{"tick": {due}}}"#));
    let again = server.json("GET", "/api/state", "");
    assert_eq!(again["pending_decision"]["branch_chose"], "withdraw", "{again}");
    let same = server.json("POST", "/api/decide", r#"{"decision": "platoon_fire", "choice": "withdraw"}"#);
    assert_eq!(same["branch"], "main");
    assert_eq!(server.hash("POST", "/api/step", r#"{"ticks": 240}"#), withdraw);
    // The dead are counted in the figures as in the batch run's time series.
    let series = server.json("GET", "/api/series", "");
    let csv = std::fs::read_to_string(withdraw_dir.join("timeseries.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "dead").unwrap();
    let last: u64 = csv.lines().last().unwrap().split(',').nth(col).unwrap().parse().unwrap();
    assert_eq!(series["dead"].as_array().unwrap().last().unwrap().as_u64(), Some(last));
    // The after-action report of the branch, self-contained.
    let (status, html) = server.call("GET", "/api/report", "");
    assert_eq!(status, 200);
    assert!(html.contains("<html") && html.contains("substation_under_threat") && !html.contains("src=\"http"));
    // The class's choice is on the report's timeline.
    assert!(html.contains("decision platoon_fire: withdraw"), "the decision is not in the report");
    assert!(html.contains("changed: force.awaiting_authority_ffaa → Withdraw"), "its change is not in the report");
}

#[test]
fn bad_requests_get_a_message_and_never_a_crash() {
    let server = Server::start(&[]);
    for (method, path, body, want) in [
        ("POST", "/api/step", "{not json", 400),
        ("POST", "/api/step", r#"{"ticks": 0}"#, 400),
        ("POST", "/api/step", r#"{"ticks": 4000000000}"#, 400),
        ("POST", "/api/step", r#"{"ticks": -1}"#, 400),
        ("POST", "/api/step", r#"{"ticks": 1, "extra": 2}"#, 400),
        ("POST", "/api/rewind", r#"{"tick": 999999}"#, 400),
        ("POST", "/api/inject", r#"{"path": "civilians.legitimacy", "value": "abc"}"#, 400),
        ("POST", "/api/inject", r#"{"path": "civilians.legitimacy", "value": 7}"#, 400),
        ("POST", "/api/inject", r#"{"path": "map.width_cells", "value": 7}"#, 400),
        ("POST", "/api/inject", r#"{"path": "force.expected_sanction", "value": 0.5}"#, 400),
        ("POST", "/api/decide", r#"{"decision": "x", "choice": "y"}"#, 404),
        ("POST", "/api/branch", r#"{"name": "main"}"#, 400),
        ("POST", "/api/branch", r#"{"name": "../../etc"}"#, 400),
        ("POST", "/api/switch", r#"{"name": "nowhere"}"#, 404),
        ("GET", "/api/compare?a=main", "", 400),
        ("GET", "/api/report", "", 409),
        ("GET", "/../Cargo.toml", "", 404),
        ("GET", "/scenarios/epstein_classic.ron", "", 404),
        ("GET", "/api/nothing", "", 404),
    ] {
        let (status, text) = server.call(method, path, body);
        assert_eq!(status, want, "{method} {path} {body}: {text}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        assert!(v["error"].as_str().is_some_and(|m| !m.is_empty()), "{text}");
    }
    // The validation message is the file's.
    let (_, text) = server.call("POST", "/api/inject", r#"{"path": "civilians.legitimacy", "value": 7}"#);
    assert!(text.contains("expected a number from 0 to 1"), "{text}");
    // Bodies are bounded.
    let big = format!(r#"{{"path": "civilians.legitimacy", "value": "{}"}}"#, "9".repeat(100_000));
    let (status, text) = server.call("POST", "/api/inject", &big);
    assert_eq!(status, 413);
    assert!(text.contains("\"error\""), "{text}");
    let (status, text) = server.call("GET", "/api/step", "");
    assert_eq!(status, 405);
    assert!(text.contains("\"error\""), "{text}");
    // Still serving, and nothing changed.
    let s = server.json("GET", "/api/state", "");
    assert_eq!(s["tick"], 0);
    assert_eq!(s["log"].as_array().unwrap().len(), 0);
    let (status, page) = server.call("GET", "/", "");
    assert_eq!(status, 200);
    assert!(page.contains("app.js"));
}

#[test]
fn a_bad_decision_is_refused_with_its_place_in_the_file() {
    let out = std::process::Command::new(crate::common::bin())
        .args(["validate"])
        .arg(crate::common::fixture("bad_decisions.ron"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    for want in [
        "bad_decisions.ron:15:55: decisions[0].choices[1].changes[0]: `map.width_cells` cannot change during a run",
        "bad_decisions.ron:31:22: decisions[2].trigger: `Bank` is not a site: the map has none",
        "bad_decisions.ron:32:22: decisions[2].default: `maybe` is not one of the choices: `no`, `yes`",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    // Once the structure is right, each choice's values are checked as the
    // file's fields are, at the choice.
    let text = std::fs::read_to_string(crate::common::fixture("bad_decisions.ron")).unwrap();
    let only_values = text.replace("map.width_cells=30", "civilians.threshold=0.2").replace("\"Bank\"", "\"x\"");
    let only_values =
        only_values.split("        (\n            name: \"no_such_site\"").next().unwrap().to_string() + "    ],\n)\n";
    let path = crate::common::temp_dir("bad-decision-values").join("values.ron");
    std::fs::write(&path, only_values).unwrap();
    let out = std::process::Command::new(crate::common::bin()).arg("validate").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        err.contains("values.ron:25:58: decisions[1].choices[1].changes[0]: civilians.legitimacy: expected a number from 0 to 1, found 1.7"),
        "{err}"
    );
}

#[test]
fn batch_runs_take_the_default_or_the_decide_choice() {
    let file = crate::common::repo().join(SUBSTATION);
    let file = file.to_str().unwrap();
    // Seed 4: the platoon meets a threat after the breach.
    let default = batch_hash(&[file, "--seed", "4"]);
    assert_eq!(default, batch_hash(&[file, "--seed", "4", "--decide", "platoon_fire=hold"]));
    // The choice at the breach changes the run from then on.
    let withdraw = batch_hash(&[file, "--seed", "4", "--decide", "platoon_fire=withdraw"]);
    let alone = batch_hash(&[file, "--seed", "4", "--decide", "platoon_fire=act_alone"]);
    assert!(default != withdraw && default != alone && withdraw != alone, "a choice at the breach changed nothing");
    // Before the start, a choice is an override of the scenario; an
    // explicit --set of the same field has the last word.
    assert_eq!(
        batch_hash(&[file, "--ticks", "30", "--decide", "arrangement=unified"]),
        batch_hash(&[file, "--ticks", "30", "--set", "command.model=unified"])
    );
    assert_eq!(
        batch_hash(&[file, "--ticks", "30", "--decide", "arrangement=unified", "--set", "command.model=parallel"]),
        batch_hash(&[file, "--ticks", "30", "--set", "command.model=parallel"])
    );
}

#[test]
fn serve_refuses_a_set_that_would_overrule_the_class_s_answer_before_the_start() {
    let file = crate::common::repo().join("scenarios/substation_under_threat.ron");
    let out = std::process::Command::new(crate::common::bin())
        .args(["serve", file.to_str().unwrap(), "--port", "0", "--set", "command.model=parallel"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--set command.model=parallel: the decision `arrangement`"), "{err}");
    assert!(out.stdout.is_empty(), "nothing served");
}

#[test]
fn sigterm_stops_the_server_and_removes_its_scratch_folder() {
    let mut server = Server::start(&[]);
    server.json("POST", "/api/step", r#"{"ticks": 3}"#);
    assert_eq!(server.call("GET", "/api/report", "").0, 200);
    let pid = server.child.id();
    let scratch = std::env::temp_dir().join(format!("mando-serve-{pid}"));
    assert!(scratch.is_dir(), "the report's scratch folder");
    std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "a clean stop");
    assert!(!scratch.exists(), "SIGTERM left {}", scratch.display());
}
