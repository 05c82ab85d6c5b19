//! A webhook receiver for the tests: a real HTTP server on loopback that records what
//! it gets and answers with the status the test chooses.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Default)]
struct Inner {
    got: Vec<Received>,
    status: u16,
    location: Option<String>,
}

#[derive(Clone)]
pub struct Receiver {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

async fn take(
    State(inner): State<Arc<Mutex<Inner>>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut g = inner.lock().unwrap();
    g.got.push(Received {
        path: uri.path().to_string(),
        headers,
        body,
    });
    let status = StatusCode::from_u16(g.status).unwrap();
    match &g.location {
        Some(l) => (status, [("location", l.clone())]).into_response(),
        None => status.into_response(),
    }
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Arc::new(Mutex::new(Inner {
            status: 200,
            ..Default::default()
        }));
        let app = Router::new().fallback(take).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver { base, inner }
    }

    pub fn answer(&self, status: u16, location: Option<&str>) {
        let mut g = self.inner.lock().unwrap();
        g.status = status;
        g.location = location.map(String::from);
    }

    pub fn got(&self) -> Vec<Received> {
        self.inner.lock().unwrap().got.clone()
    }
}
