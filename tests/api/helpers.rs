//! Starting a sandbox on port 0 and talking to it.

use kyc_sandbox::Config;
use reqwest::{Client, Method, Response};
use serde_json::Value;

#[derive(Clone)]
pub(crate) struct TestApp {
    pub(crate) address: String,
    pub(crate) client: Client,
    /// A fresh ComplyCube key (its own tenant) per app.
    pub(crate) key: String,
}

/// Starts a sandbox with the shipped fixtures.
pub(crate) async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

/// Starts a sandbox after letting the test adjust the configuration.
pub(crate) async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config::for_tests();
    adjust(&mut config);
    let state = kyc_sandbox::build(config).expect("sandbox builds");
    let listener = kyc_sandbox::listen(([127, 0, 0, 1], 0).into())
        .await
        .expect("bind port 0");
    let address = format!("http://{}", listener.local_addr().expect("local addr"));
    tokio::spawn(async move {
        let _ = kyc_sandbox::serve(listener, state, std::future::pending()).await;
    });
    TestApp {
        address,
        client: Client::new(),
        key: format!("test_{}", uuid::Uuid::new_v4().simple()),
    }
}

impl TestApp {
    /// The same sandbox, called with another key (another tenant).
    pub(crate) fn as_tenant(&self, key: &str) -> TestApp {
        TestApp {
            key: key.to_owned(),
            ..self.clone()
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A request with this app's key.
    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        self.call_as(&self.key, method, path, body).await
    }

    pub(crate) async fn call_as(
        &self,
        key: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self
            .client
            .request(method, self.url(path))
            .header("Authorization", key);
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request sent")
    }

    /// Sends and decodes: (status, JSON body or Null for an empty body).
    pub(crate) async fn json(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        decode(self.call(method, path, body).await).await
    }

    pub(crate) async fn json_as(
        &self,
        key: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        decode(self.call_as(key, method, path, body).await).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.json(Method::POST, path, Some(&body)).await
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        self.json(Method::GET, path, None).await
    }

    pub(crate) async fn delete(&self, path: &str) -> (u16, Value) {
        self.json(Method::DELETE, path, None).await
    }

    /// Creates a person client and returns its id.
    pub(crate) async fn person(&self, first: &str, last: &str) -> String {
        let (s, v) = self
            .post(
                "/v1/clients",
                serde_json::json!({"type":"person","email":"john@example.com",
                    "personDetails":{"firstName":first,"lastName":last,"dob":"1990-01-01","nationality":"GB"}}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v["id"].as_str().expect("client id").to_owned()
    }
}

pub(crate) async fn decode(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = res.bytes().await.expect("body");
    if bytes.is_empty() {
        return (status, Value::Null);
    }
    assert!(
        ct.starts_with("application/json"),
        "status {status}: non-JSON content type '{ct}': {}",
        String::from_utf8_lossy(&bytes)
    );
    (status, serde_json::from_slice(&bytes).expect("JSON body"))
}

/// True when `s` is 24 lowercase hex characters.
pub(crate) fn is_object_id(s: &str) -> bool {
    s.len() == 24
        && s.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// Status and body text of a response that is not JSON (metrics, HTML).
pub(crate) async fn decode_text(res: Response) -> (u16, String) {
    let status = res.status().as_u16();
    (status, res.text().await.expect("body"))
}
