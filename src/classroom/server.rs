//! The web server: the page and its assets (embedded in the binary), and
//! the JSON API the page uses (`docs/classroom.md`).
//!
//! axum on tokio. One exercise per server, behind a mutex; the simulation
//! works on tokio's blocking threads so the server keeps answering. Bodies
//! are at most 64 KiB; bad JSON is a 400 with a message; anything not the
//! API or an asset is a 404 (the server reads no file on request).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::exercise;
use super::session::{Refusal, Session};
use super::view;

const INDEX: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/app.css");

/// Largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// Most ticks one step request may ask for.
pub const MAX_STEP: u32 = 10_000;

#[derive(Clone)]
struct App {
    session: Arc<Mutex<Session>>,
    scratch: Arc<PathBuf>,
}

/// The router, for the server and for tests.
pub fn router(session: Session, scratch: PathBuf) -> Router {
    let app = App { session: Arc::new(Mutex::new(session)), scratch: Arc::new(scratch) };
    Router::new()
        .route("/", get(|| async { asset("text/html; charset=utf-8", INDEX) }))
        .route("/app.js", get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }))
        .route("/app.css", get(|| async { asset("text/css; charset=utf-8", STYLE) }))
        .route("/api/scenario", get(|State(a): State<App>| work(a, |s, _| Ok(view::scenario(s)))))
        .route("/api/state", get(|State(a): State<App>| work(a, |s, _| Ok(view::state(s)))))
        .route("/api/frame", get(|State(a): State<App>| work(a, |s, _| Ok(view::frame(s)))))
        .route(
            "/api/series",
            get(|State(a): State<App>| {
                work(a, |s, _| {
                    let t = s.tick() as usize;
                    Ok(view::series(&s.branch().rows[..=t]))
                })
            }),
        )
        .route("/api/branches", get(|State(a): State<App>| work(a, |s, _| Ok(view::branches(s)))))
        .route("/api/compare", get(compare))
        .route("/api/report", get(report))
        .route("/api/exercise", get(save))
        .route("/api/step", post(step))
        .route("/api/rewind", post(rewind))
        .route("/api/inject", post(inject))
        .route("/api/decide", post(decide))
        .route("/api/branch", post(branch))
        .route("/api/switch", post(switch))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such page or API path") })
        .layer(axum::middleware::map_response(json_errors))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app)
}

/// Errors axum answers itself (a body over the limit, a wrong method) as
/// JSON too, like the API's own.
async fn json_errors(r: Response) -> Response {
    let json = r.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE if !json => {
            error(StatusCode::PAYLOAD_TOO_LARGE, &format!("request body over {} KiB", MAX_BODY / 1024))
        }
        StatusCode::METHOD_NOT_ALLOWED if !json => {
            error(StatusCode::METHOD_NOT_ALLOWED, "this path takes another method (GET or POST): see docs/classroom.md")
        }
        _ => r,
    }
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "no-store")], body).into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

fn refusal(r: Refusal) -> Response {
    let status = match r {
        Refusal::Bad(_) => StatusCode::BAD_REQUEST,
        Refusal::Conflict(_) => StatusCode::CONFLICT,
        Refusal::Missing(_) => StatusCode::NOT_FOUND,
    };
    error(status, r.message())
}

/// Runs `f` on the exercise on a blocking thread; its JSON or refusal.
async fn work(app: App, f: impl FnOnce(&mut Session, &PathBuf) -> Result<Value, Refusal> + Send + 'static) -> Response {
    let result = tokio::task::spawn_blocking(move || {
        let mut s = match app.session.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut s, &app.scratch)
    })
    .await;
    match result {
        Ok(Ok(v)) => axum::Json(v).into_response(),
        Ok(Err(r)) => refusal(r),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "the simulation failed on this request"),
    }
}

/// A request body as `T`, or a 400 saying what is wrong with it.
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, Response> {
    serde_json::from_slice(bytes).map_err(|e| {
        let mut m = e.to_string();
        if m.len() > 300 {
            m.truncate(300);
        }
        error(StatusCode::BAD_REQUEST, &format!("bad request body: {m}"))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepBody {
    ticks: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TickBody {
    tick: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InjectBody {
    path: String,
    value: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideBody {
    decision: String,
    choice: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NameBody {
    name: String,
}

/// A POST whose body is `T`: `f` acts on the exercise, and the state after
/// it is the answer.
async fn act<T: DeserializeOwned + Send + 'static>(
    a: App,
    bytes: Bytes,
    f: impl FnOnce(&mut Session, T) -> Result<(), Refusal> + Send + 'static,
) -> Response {
    match body::<T>(&bytes) {
        Ok(b) => {
            work(a, move |s, _| {
                f(s, b)?;
                Ok(view::state(s))
            })
            .await
        }
        Err(r) => r,
    }
}

async fn step(State(a): State<App>, bytes: Bytes) -> Response {
    act(a, bytes, |s, b: StepBody| {
        if b.ticks == 0 || b.ticks > MAX_STEP {
            return Err(Refusal::Bad(format!("ticks: expected 1 to {MAX_STEP}, found {}", b.ticks)));
        }
        s.step(b.ticks)
    })
    .await
}

async fn rewind(State(a): State<App>, bytes: Bytes) -> Response {
    act(a, bytes, |s, b: TickBody| s.rewind(b.tick)).await
}

async fn inject(State(a): State<App>, bytes: Bytes) -> Response {
    act(a, bytes, |s, b: InjectBody| {
        let value = match &b.value {
            Value::String(v) => v.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(v) => v.to_string(),
            _ => return Err(Refusal::Bad("value: expected a string, number or boolean as --set takes it".into())),
        };
        s.inject(&b.path, &value)
    })
    .await
}

async fn decide(State(a): State<App>, bytes: Bytes) -> Response {
    act(a, bytes, |s, b: DecideBody| s.decide(&b.decision, &b.choice)).await
}

async fn branch(State(a): State<App>, bytes: Bytes) -> Response {
    act(a, bytes, |s, b: NameBody| s.fork(&b.name)).await
}

async fn switch(State(a): State<App>, bytes: Bytes) -> Response {
    act(a, bytes, |s, b: NameBody| s.switch(&b.name)).await
}

async fn compare(State(a): State<App>, Query(q): Query<HashMap<String, String>>) -> Response {
    let (Some(x), Some(y)) = (q.get("a").cloned(), q.get("b").cloned()) else {
        return error(StatusCode::BAD_REQUEST, "expected ?a=BRANCH&b=BRANCH");
    };
    work(a, move |s, _| {
        let one = |name: &str| -> Result<Value, Refusal> {
            let i = s.find(name)?;
            let b = &s.branches[i];
            let upto = if i == s.current { s.tick() as usize } else { b.head as usize };
            Ok(json!({
                "name": b.name,
                "tick": upto,
                "series": view::series(&b.rows[..=upto]),
                "headline": b.rows[upto],
                "state_hash": format!("{:016x}", b.hashes[upto]),
            }))
        };
        Ok(json!({ "a": one(&x)?, "b": one(&y)? }))
    })
    .await
}

async fn report(State(a): State<App>) -> Response {
    let result = tokio::task::spawn_blocking(move || {
        let s = match a.session.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        exercise::report(&s, &a.scratch)
    })
    .await;
    match result {
        Ok(Ok(html)) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Ok(Err(r)) => refusal(r),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "the report failed"),
    }
}

async fn save(State(a): State<App>) -> Response {
    let result = tokio::task::spawn_blocking(move || {
        let s = match a.session.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        serde_json::to_string_pretty(&exercise::save(&s))
    })
    .await;
    match result {
        Ok(Ok(text)) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"exercise.json\""),
            ],
            text,
        )
            .into_response(),
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "the exercise could not be written"),
    }
}

/// Serves until Ctrl-C or SIGTERM (so the caller can clean up after
/// either). `ready` is called with the bound address.
pub fn serve(
    session: Session,
    addr: SocketAddr,
    scratch: PathBuf,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_io().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        ready(listener.local_addr()?);
        axum::serve(listener, router(session, scratch))
            .with_graceful_shutdown(async {
                let term = async {
                    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                        Ok(mut s) => {
                            s.recv().await;
                        }
                        Err(_) => std::future::pending::<()>().await,
                    }
                };
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term => {}
                }
            })
            .await
    })
}
